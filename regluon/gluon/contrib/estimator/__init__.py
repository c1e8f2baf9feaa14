"""``gluon.contrib.estimator``: MXNet 1.x's high-level training loop (``Estimator``) with its
event handlers and batch processor."""

from . import batch_processor, estimator, event_handler, utils  # noqa: F401
from .batch_processor import *  # noqa: F403
from .estimator import *  # noqa: F403
from .event_handler import *  # noqa: F403
