"""``mx.optimizer``: optimizers with MXNet's update rules."""

from .optimizer import Optimizer, Updater, create, get_updater, register
from .sgd import SGD

__all__ = ["Optimizer", "Updater", "SGD", "create", "get_updater", "register"]
