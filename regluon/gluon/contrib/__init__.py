"""``gluon.contrib``: layers MXNet 1.x kept outside the core ``nn`` package."""

from . import nn

__all__ = ["nn"]
