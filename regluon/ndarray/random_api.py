"""``mx.nd.random``: MXNet's Python sampling functions over the random operators of the table.

Each function takes scalar parameters (a fresh array of ``shape``) or NDArray parameters (``shape``
draws per parameter element), exactly as MXNet's ``nd.random`` does.
"""

from __future__ import annotations

from ..base import numeric_types
from .ndarray import NDArray
from .register import get_op, invoke, parse_params


def _sampler(dist: str, names: tuple, params: tuple, shape, dtype, ctx, out, kwargs):
    if all(isinstance(p, numeric_types) for p in params):
        op = get_op(f"_random_{dist}")
        values = {n: p for n, p in zip(names, params)}
        values.update(shape=shape if shape is not None else (), ctx=ctx, **kwargs)
        if dtype is not None:
            values["dtype"] = dtype
        return invoke(op, (), parse_params(op, values), out)
    if all(isinstance(p, NDArray) for p in params):
        op = get_op(f"_sample_{dist}")
        values = {"shape": shape if shape is not None else (), **kwargs}
        if dtype is not None:
            values["dtype"] = dtype
        return invoke(op, params, parse_params(op, values), out)
    raise ValueError(
        f"random.{dist}: parameters must be all numbers or all NDArrays, got "
        f"{', '.join(type(p).__name__ for p in params)}"
    )


def uniform(low=0, high=1, shape=None, dtype=None, ctx=None, out=None, **kwargs) -> NDArray:
    """Uniform samples in [low, high); NDArray low/high give ``shape`` draws per element.

    Example:
        >>> mx.nd.random.uniform(-1, 1, shape=(2, 3))
    """
    return _sampler("uniform", ("low", "high"), (low, high), shape, dtype, ctx, out, kwargs)


def normal(loc=0, scale=1, shape=None, dtype=None, ctx=None, out=None, **kwargs) -> NDArray:
    """Normal samples with mean ``loc`` and standard deviation ``scale``.

    Example:
        >>> mx.nd.random.normal(0, 1, shape=(2, 3))
    """
    return _sampler("normal", ("loc", "scale"), (loc, scale), shape, dtype, ctx, out, kwargs)


def randn(*shape, loc=0, scale=1, dtype=None, ctx=None, out=None, **kwargs) -> NDArray:
    """Normal samples with the shape given as positional arguments: ``randn(2, 3)``."""
    return normal(loc, scale, shape, dtype, ctx, out, **kwargs)


def exponential(scale=1, shape=None, dtype=None, ctx=None, out=None, **kwargs) -> NDArray:
    """Exponential samples with mean ``scale`` (rate 1/scale)."""
    lam = 1.0 / scale if isinstance(scale, numeric_types) else 1.0 / scale
    return _sampler("exponential", ("lam",), (lam,), shape, dtype, ctx, out, kwargs)


def gamma(alpha=1, beta=1, shape=None, dtype=None, ctx=None, out=None, **kwargs) -> NDArray:
    """Gamma samples with shape ``alpha`` and scale ``beta``."""
    return _sampler("gamma", ("alpha", "beta"), (alpha, beta), shape, dtype, ctx, out, kwargs)


def poisson(lam=1, shape=None, dtype=None, ctx=None, out=None, **kwargs) -> NDArray:
    """Poisson samples with rate ``lam`` (returned as floats, like MXNet)."""
    return _sampler("poisson", ("lam",), (lam,), shape, dtype, ctx, out, kwargs)


def negative_binomial(k=1, p=1, shape=None, dtype=None, ctx=None, out=None, **kwargs) -> NDArray:
    """Negative binomial samples: failures before ``k`` successes of probability ``p``."""
    return _sampler("negative_binomial", ("k", "p"), (k, p), shape, dtype, ctx, out, kwargs)


def generalized_negative_binomial(
    mu=1, alpha=1, shape=None, dtype=None, ctx=None, out=None, **kwargs
) -> NDArray:
    """Negative binomial samples with mean ``mu`` and dispersion ``alpha``."""
    return _sampler(
        "generalized_negative_binomial", ("mu", "alpha"), (mu, alpha), shape, dtype, ctx, out, kwargs
    )


def randint(low, high, shape=None, dtype=None, ctx=None, out=None, **kwargs) -> NDArray:
    """Random integers in [low, high) (int32 by default)."""
    op = get_op("_random_randint")
    values = {"low": low, "high": high, "shape": shape if shape is not None else (), "ctx": ctx, **kwargs}
    if dtype is not None:
        values["dtype"] = dtype
    return invoke(op, (), parse_params(op, values), out)


def multinomial(data, shape=None, get_prob=False, out=None, dtype="int32", **kwargs):
    """Draw category indices from the probability vectors in the last axis of ``data``."""
    op = get_op("_sample_multinomial")
    return invoke(
        op, (data,), parse_params(op, {"shape": shape or (), "get_prob": get_prob, "dtype": dtype}), out
    )


def shuffle(data, **kwargs) -> NDArray:
    """A copy of ``data`` with its rows (first axis) in random order."""
    return invoke(get_op("_shuffle"), (data,), {}, kwargs.get("out"))


def _like(dist):
    def fn(data, *args, **kwargs):
        op = get_op(f"_random_{dist}_like")
        names = [p.name for p in op.params]
        values = dict(zip(names, args), **{k: v for k, v in kwargs.items() if k != "out"})
        return invoke(op, (data,), parse_params(op, values), kwargs.get("out"))

    fn.__name__ = f"{dist}_like"
    fn.__doc__ = f"Samples like :func:`{dist}`, with the shape, dtype and context of ``data``."
    return fn


uniform_like = _like("uniform")
normal_like = _like("normal")
exponential_like = _like("exponential")
gamma_like = _like("gamma")
poisson_like = _like("poisson")
negative_binomial_like = _like("negative_binomial")
generalized_negative_binomial_like = _like("generalized_negative_binomial")

__all__ = [
    "uniform",
    "normal",
    "randn",
    "exponential",
    "gamma",
    "poisson",
    "negative_binomial",
    "generalized_negative_binomial",
    "randint",
    "multinomial",
    "shuffle",
    "uniform_like",
    "normal_like",
    "exponential_like",
    "gamma_like",
    "poisson_like",
    "negative_binomial_like",
    "generalized_negative_binomial_like",
]
