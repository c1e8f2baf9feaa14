"""``mx.gluon``: the imperative/hybrid neural-network interface."""

from . import contrib, data, loss, nn, utils
from .block import Block, HybridBlock
from .parameter import Constant, DeferredInitializationError, Parameter, ParameterDict
from .trainer import Trainer

__all__ = [
    "Block",
    "HybridBlock",
    "Parameter",
    "ParameterDict",
    "Constant",
    "Trainer",
    "nn",
    "loss",
    "data",
    "contrib",
    "utils",
    "DeferredInitializationError",
]
