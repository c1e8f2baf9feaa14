"""``mx.optimizer``: MXNet's optimizers with MXNet 1.9.1's exact update rules.

The math of each rule is an update operator of the op table (``sgd_mom_update``, ``adam_update``,
``_multi_lamb_update``, ...) written with ``torch._foreach_*`` multi-tensor kernels; the classes here
keep the state and the per-parameter learning rates and weight decays.
"""

from . import contrib
from .adam import FTML, LAMB, Adam, Adamax, Nadam
from .lars import LARS
from .lbsgd import LBSGD
from .optimizer import Optimizer, Test, create, register
from .rmsprop import AdaDelta, AdaGrad, Ftrl, RMSProp
from .sgd import DCASGD, NAG, SGD, SGLD, Signum, ccSGD
from .updater import Updater, get_updater

__all__ = [
    "AdaDelta",
    "AdaGrad",
    "Adam",
    "Adamax",
    "DCASGD",
    "FTML",
    "Ftrl",
    "LAMB",
    "LARS",
    "LBSGD",
    "NAG",
    "Nadam",
    "Optimizer",
    "RMSProp",
    "SGD",
    "SGLD",
    "Signum",
    "Test",
    "Updater",
    "ccSGD",
    "contrib",
    "create",
    "get_updater",
    "register",
]
