"""``mx.init`` / ``mx.initializer``: initializers that fill Parameters, and their registry.

Anywhere an initializer is accepted (``Block.initialize``, ``Parameter(init=...)``,
``weight_initializer=``) you may pass an instance, a registered name (``'xavier'``, ``'zeros'``,
``'ones'``, ``'normal'``, ``'uniform'``, ``'orthogonal'``, ``'msraprelu'``, ...) or the JSON that
``dumps()`` writes. In Gluon a Parameter is filled by its own ``init=`` if it has one and by the
global initializer otherwise, whatever its name. Initializers compute through ``nd``, never torch.

Example:
    >>> from mxnet import init
    >>> net.initialize(init.Xavier(magnitude=2.24))
    >>> init.create('["normal", {"sigma": 0.5}]').sigma
    0.5
"""

from .basic import Constant, MSRAPrelu, Normal, One, Orthogonal, Uniform, Xavier, Zero
from .composite import Load, Mixed
from .core import InitDesc, Initializer, alias, create, register
from .layer import Bilinear, FusedRNN, LSTMBias

__all__ = [
    "InitDesc",
    "Initializer",
    "register",
    "alias",
    "create",
    "Load",
    "Mixed",
    "Zero",
    "One",
    "Constant",
    "Uniform",
    "Normal",
    "Orthogonal",
    "Xavier",
    "MSRAPrelu",
    "Bilinear",
    "LSTMBias",
    "FusedRNN",
]

# The classes live in submodules, but their public home is ``mx.init`` (as in MXNet's one module).
for _name in __all__:
    _obj = globals()[_name]
    if isinstance(_obj, type):
        _obj.__module__ = __name__
del _name, _obj
