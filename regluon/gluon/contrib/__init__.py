"""``gluon.contrib``: layers and tools MXNet 1.x kept outside the core Gluon packages
(``nn``, ``cnn``, ``data``)."""

from . import cnn, data, estimator, nn

__all__ = ["cnn", "data", "estimator", "nn"]
