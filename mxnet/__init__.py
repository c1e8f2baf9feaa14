"""``import mxnet`` on regluon.

This package holds no code of its own: one import hook maps every ``mxnet.X``
module to the regluon module ``regluon.X`` (the same module object, not a copy),
so MXNet 1.x code runs unchanged. ``mxnet.__version__`` reports the MXNet release
whose behaviour regluon follows; ``regluon.__version__`` is regluon's own.
"""

import importlib
import importlib.abc
import importlib.util
import sys

import regluon
from regluon import *  # noqa: F401,F403
from regluon import base as _base


class _AliasLoader(importlib.abc.Loader):
    def __init__(self, target: str):
        self.target = target

    def create_module(self, spec):
        return importlib.import_module(self.target)

    def exec_module(self, module):
        pass


class _AliasFinder(importlib.abc.MetaPathFinder):
    """Resolves ``mxnet.<sub>`` to ``regluon.<sub>``."""

    def find_spec(self, fullname, path=None, target=None):
        if not fullname.startswith("mxnet."):
            return None
        real = "regluon." + fullname[len("mxnet.") :]
        if importlib.util.find_spec(real) is None:
            return None
        return importlib.util.spec_from_loader(fullname, _AliasLoader(real))


if not any(isinstance(f, _AliasFinder) for f in sys.meta_path):
    sys.meta_path.insert(0, _AliasFinder())

__version__ = _base.MXNET_VERSION
__all__ = regluon.__all__
