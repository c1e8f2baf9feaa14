"""``mx.random``: seeding and the samplers of ``mx.nd.random``."""

from __future__ import annotations

import torch

from .context import Context
from .ndarray.random_api import (  # noqa: F401
    exponential,
    gamma,
    generalized_negative_binomial,
    multinomial,
    negative_binomial,
    normal,
    poisson,
    randint,
    randn,
    shuffle,
    uniform,
)


def seed(seed_state: int, ctx: Context | str = "all") -> None:
    """Seed the random number generators regluon draws from (torch's, per device).

    ``ctx='all'`` seeds every device; a Context seeds only that device. The streams are
    reproducible within regluon but differ from MXNet's own generator.

    Example:
        >>> mx.random.seed(42)
        >>> a = mx.nd.random.normal(shape=(2,))
        >>> mx.random.seed(42)
        >>> (mx.nd.random.normal(shape=(2,)) == a).sum().asscalar()
        2.0
    """
    if not isinstance(seed_state, int):
        raise ValueError(f"seed_state must be an int, got {type(seed_state).__name__}")
    if ctx == "all":
        torch.manual_seed(seed_state)
        return
    if isinstance(ctx, Context) and ctx.device_type == "gpu":
        with torch.cuda.device(ctx.torch_device):
            torch.cuda.manual_seed(seed_state)
    else:
        torch.default_generator.manual_seed(seed_state)
