"""The Optimizer base class, its registry and the Updater that keeps per-parameter state.

State lives in the optimizer objects; the update math lives in update operators of the op
table (``sgd_update``, ``multi_sgd_mom_update``, ...), as in MXNet.
"""

from __future__ import annotations

import os
from typing import Any

from ..base import MXNetError
from ..ndarray import NDArray


class Optimizer:
    """Base class of optimizers.

    Parameters
    ----------
    rescale_grad : float, default 1.0
        Gradients are multiplied by this first (``Trainer.step(batch_size)`` sets it to 1/batch_size).
    wd : float, default 0.0
        Weight decay (L2 penalty), scaled per parameter by its ``wd_mult``.
    clip_gradient : float, optional
        Clip the rescaled gradient to [-clip_gradient, clip_gradient].
    learning_rate : float, default 0.01
        Scaled per parameter by its ``lr_mult``.
    lr_scheduler : LRScheduler, optional
        Called with the update count to give the learning rate.
    begin_num_update : int, default 0
    multi_precision : bool, default False
    param_dict : dict, optional
        Index -> Parameter, used for per-parameter ``lr_mult`` / ``wd_mult``.

    Example:
        >>> opt = mx.optimizer.create('sgd', learning_rate=0.1, momentum=0.9)
    """

    opt_registry: dict[str, type] = {}

    def __init__(
        self,
        rescale_grad: float = 1.0,
        param_idx2name: dict | None = None,
        wd: float = 0.0,
        clip_gradient: float | None = None,
        learning_rate: float | None = None,
        lr_scheduler: Any = None,
        sym: Any = None,
        begin_num_update: int = 0,
        multi_precision: bool = False,
        param_dict: dict | None = None,
    ):
        self.rescale_grad = rescale_grad
        self.lr_scheduler = lr_scheduler
        if learning_rate is None:
            learning_rate = 0.01
        if lr_scheduler is not None:
            lr_scheduler.base_lr = learning_rate
        self.lr = learning_rate
        self.wd = wd
        self.lr_mult: dict = {}
        self.wd_mult: dict = {}
        self.begin_num_update = begin_num_update
        self.num_update = begin_num_update
        self._all_index_update_counts = {0: {}}
        self._index_update_count = self._all_index_update_counts[0]
        self.clip_gradient = clip_gradient
        self.multi_precision = multi_precision
        self.aggregate_num = 0
        if param_idx2name is None:
            param_idx2name = {}
        if not isinstance(param_idx2name, dict):
            raise TypeError("param_idx2name should be a dict of param indexes to names.")
        self.idx2name = dict(param_idx2name)
        self.sym_info = ()
        self.param_dict = param_dict if param_dict else {}
        self.set_lr_mult({})
        self.set_wd_mult({})

    @staticmethod
    def register(klass: type) -> type:
        """Register an optimizer class under its lower-cased name (``mx.optimizer.register``)."""
        Optimizer.opt_registry[klass.__name__.lower()] = klass
        return klass

    @staticmethod
    def create_optimizer(name: str, **kwargs) -> Optimizer:
        """Create a registered optimizer by name, e.g. ``create_optimizer('sgd', learning_rate=0.1)``."""
        try:
            return Optimizer.opt_registry[name.lower()](**kwargs)
        except KeyError:
            raise ValueError(
                f"Cannot find optimizer {name}; registered: {', '.join(sorted(Optimizer.opt_registry))}"
            ) from None

    @property
    def learning_rate(self) -> float:
        """The current base learning rate (from the scheduler if there is one)."""
        if self.lr_scheduler is not None:
            return self.lr_scheduler(self.num_update)
        return self.lr

    def set_learning_rate(self, lr: float) -> None:
        """Set the base learning rate (not allowed when an lr_scheduler drives it)."""
        if self.lr_scheduler is not None:
            raise UserWarning(
                "LRScheduler of the optimizer has already been defined. Note that "
                "set_learning_rate can mutate the value of the learning rate of the optimizer "
                "only when the LRScheduler of the optimizer is undefined."
            )
        self.lr = lr

    def set_lr_mult(self, args_lr_mult: dict) -> None:
        """Per-name learning-rate multipliers (used when no param_dict entry exists)."""
        self.lr_mult = dict(args_lr_mult)

    def set_wd_mult(self, args_wd_mult: dict) -> None:
        """Per-name weight-decay multipliers; names not ending in _weight/_gamma get 0, as in MXNet."""
        self.wd_mult = {}
        for n in self.idx2name.values():
            if not (n.endswith("_weight") or n.endswith("_gamma")):
                self.wd_mult[n] = 0.0
        self.wd_mult.update(args_wd_mult)

    def create_state(self, index: int, weight: NDArray) -> Any:
        """Per-parameter optimizer state (e.g. momentum); None when there is none."""
        return None

    def create_state_multi_precision(self, index: int, weight: NDArray) -> Any:
        if self.multi_precision and weight.dtype != _float32():
            master = weight.astype("float32")
            return (master, self.create_state(index, master))
        return self.create_state(index, weight)

    def update(self, index, weight, grad, state) -> None:
        """Update ``weight`` in place from ``grad``; override in subclasses."""
        raise NotImplementedError

    def update_multi_precision(self, index, weight, grad, state) -> None:
        """Like :meth:`update`; with ``multi_precision`` float16 weights are updated via float32 copies."""
        self.update(index, weight, grad, state)

    def _update_count(self, index) -> None:
        if not isinstance(index, (list, tuple)):
            index = [index]
        for idx in index:
            if idx not in self._index_update_count:
                self._index_update_count[idx] = self.begin_num_update
            self._index_update_count[idx] += 1
            self.num_update = max(self._index_update_count[idx], self.num_update)

    def _get_lrs(self, indices) -> list[float]:
        lr = self.lr_scheduler(self.num_update) if self.lr_scheduler is not None else self.lr
        out = []
        for index in indices:
            if index in self.param_dict:
                out.append(lr * self.param_dict[index].lr_mult)
            elif index in self.lr_mult:
                out.append(lr * self.lr_mult[index])
            elif index in self.idx2name:
                out.append(lr * self.lr_mult.get(self.idx2name[index], 1.0))
            else:
                out.append(lr)
        return out

    def _get_lr(self, index) -> float:
        return self._get_lrs([index])[0]

    def _get_wds(self, indices) -> list[float]:
        out = []
        for index in indices:
            wd = self.wd
            if index in self.param_dict:
                wd *= self.param_dict[index].wd_mult
            elif index in self.wd_mult:
                wd *= self.wd_mult[index]
            elif index in self.idx2name:
                wd *= self.wd_mult.get(self.idx2name[index], 1.0)
            out.append(wd)
        return out

    def _get_wd(self, index) -> float:
        return self._get_wds([index])[0]

    def __getstate__(self):
        raise MXNetError("optimizers are not pickled; use Trainer.save_states")


def _float32():
    import numpy as np

    return np.float32


register = Optimizer.register


def create(name: str | Optimizer, **kwargs) -> Optimizer:
    """An optimizer from a name (``'sgd'``) and keyword arguments, or the instance itself."""
    if isinstance(name, Optimizer):
        return name
    return Optimizer.create_optimizer(name, **kwargs)


class Updater:
    """Applies an optimizer to (index, grad, weight) triples, creating state on first use."""

    def __init__(self, optimizer: Optimizer):
        self.optimizer = optimizer
        self.states: dict = {}
        self.aggregate_updates = optimizer.aggregate_num > 0

    def __call__(self, index, grad, weight) -> None:
        if not isinstance(index, (list, tuple)):
            index, grad, weight = [index], [grad], [weight]
        for i, w in zip(index, weight):
            if i not in self.states:
                self.states[i] = self.optimizer.create_state_multi_precision(i, w)
        if self.aggregate_updates:
            size = self.optimizer.aggregate_num
            for start in range(0, len(index), size):
                sl = slice(start, start + size)
                self.optimizer.update_multi_precision(
                    list(index[sl]), list(weight[sl]), list(grad[sl]), [self.states[i] for i in index[sl]]
                )
        else:
            for i, w, g in zip(index, weight, grad):
                self.optimizer.update_multi_precision(i, w, g, self.states[i])


def get_updater(optimizer: Optimizer) -> Updater:
    """An :class:`Updater` for ``optimizer``."""
    return Updater(optimizer)


def aggregation_size(default: int = 4) -> int:
    """How many weights one multi-tensor update call takes (``MXNET_OPTIMIZER_AGGREGATION_SIZE``)."""
    return int(os.environ.get("MXNET_OPTIMIZER_AGGREGATION_SIZE", default))
