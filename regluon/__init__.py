"""regluon: the Apache MXNet 1.x programming model (NDArray, autograd, Gluon) on PyTorch.

Import it as ``mxnet`` to run MXNet 1.x code unchanged::

    from mxnet import nd, autograd, gluon, init
"""

from . import (
    autograd,
    base,
    context,
    gluon,
    image,
    initializer,
    io,
    lr_scheduler,
    metric,
    name,
    ndarray,
    operator,
    optimizer,
    random,
    recordio,
    registry,
    test_utils,
    util,
)
from . import initializer as init
from . import ndarray as nd
from .base import MXNetError
from .base import __version__ as __version__
from .context import Context, cpu, cpu_pinned, current_context, gpu, num_gpus

__all__ = [
    "nd",
    "ndarray",
    "autograd",
    "gluon",
    "image",
    "io",
    "recordio",
    "init",
    "initializer",
    "lr_scheduler",
    "metric",
    "name",
    "operator",
    "optimizer",
    "random",
    "registry",
    "context",
    "base",
    "test_utils",
    "util",
    "Context",
    "cpu",
    "gpu",
    "cpu_pinned",
    "current_context",
    "num_gpus",
    "MXNetError",
]
