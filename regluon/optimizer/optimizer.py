"""The Optimizer base class and its registry (``mx.optimizer.Optimizer``, ``register``, ``create``).

State lives in the optimizer objects; the update math lives in update operators of the op table
(``sgd_update``, ``adam_update``, ``multi_sgd_mom_update``, ...), as in MXNet. Per-parameter
learning rates and weight decays follow MXNet 1.9.1: the base rate (or the scheduler's rate at
``num_update``) times the Parameter's ``lr_mult`` / ``wd_mult`` (Gluon, through ``param_dict``) or
the multipliers set by name (``set_lr_mult`` / ``set_wd_mult``, with ``param_idx2name``).
"""

from __future__ import annotations

import os
import warnings
from typing import Any

import numpy as np

from .. import ndarray as nd
from ..ndarray import NDArray
from ..ndarray import sparse as _sparse

_SCHEDULER_OVERRIDE = (
    "learning rate from ``lr_scheduler`` has been overwritten by ``learning_rate`` in optimizer."
)
_FP16_WARNING = (
    "Accumulating with float16 in optimizer can lead to poor accuracy or slow convergence. "
    "Consider using multi_precision=True option of the {}optimizer"
)


class Optimizer:
    """Base class of optimizers: learning-rate and weight-decay bookkeeping, state creation, and the
    update of one weight (or, for optimizers with ``aggregate_num > 0``, of a list of weights).

    Parameters
    ----------
    rescale_grad : float, default 1.0
        Gradients are multiplied by this first (``Trainer.step(batch_size)`` sets it to 1/batch_size).
    param_idx2name : dict of int to str, optional
        Names of the parameters by index; names that do not end in ``_weight`` or ``_gamma`` get no
        weight decay (``wd_mult`` 0), as in MXNet. Gluon's Trainer passes ``param_dict`` instead.
    wd : float, default 0.0
        Weight decay (L2 penalty), scaled per parameter by its ``wd_mult``.
    clip_gradient : float, optional
        Clip the rescaled gradient to [-clip_gradient, clip_gradient].
    learning_rate : float, optional
        The base learning rate (0.01 when neither it nor a scheduler is given).
    lr_scheduler : callable, optional
        ``lr_scheduler(num_update)`` gives the base learning rate (an ``mx.lr_scheduler.LRScheduler``
        or any object with ``__call__(num_update)``).
    sym : Symbol, optional
        ``__lr_mult__`` / ``__wd_mult__`` attributes of its arguments set multipliers by name.
    begin_num_update : int, default 0
        The update count to start from.
    multi_precision : bool, default False
        Keep a float32 master copy of float16 weights and update that.
    param_dict : dict of int to Parameter, optional
        Parameters by index; their ``lr_mult`` / ``wd_mult`` take precedence.

    Example:
        >>> opt = mx.optimizer.create('sgd', learning_rate=0.1, momentum=0.9)
        >>> updater = mx.optimizer.get_updater(opt)
        >>> updater(0, grad, weight)   # weight updated in place
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
        if lr_scheduler is None and learning_rate is None:
            learning_rate = 0.01
        self.lr = learning_rate
        if lr_scheduler is not None and learning_rate is not None:
            if getattr(lr_scheduler, "base_lr", None) != learning_rate:
                print(UserWarning(_SCHEDULER_OVERRIDE))  # MXNet prints it
                lr_scheduler.base_lr = learning_rate
        self.wd = wd
        self.lr_mult: dict = {}
        self.wd_mult: dict = {}
        self.begin_num_update = begin_num_update
        self.num_update = begin_num_update
        self._all_index_update_counts: dict = {0: {}}
        self._index_update_count: dict = self._all_index_update_counts[0]
        self.clip_gradient = clip_gradient
        self.multi_precision = multi_precision
        self.aggregate_num = 0
        if param_idx2name is None:
            param_idx2name = {}
        if not isinstance(param_idx2name, dict):
            raise AssertionError("param_idx2name should be a dict of param indexes to names.")
        self.idx2name = dict(param_idx2name)
        self.sym_info = (sym.attr_dict(), sym.list_arguments()) if sym is not None else ()
        self.param_dict = param_dict if param_dict else {}
        self.set_lr_mult({})
        self.set_wd_mult({})

    # -- registry ---------------------------------------------------------------------------

    @staticmethod
    def register(klass: type) -> type:
        """Register an optimizer class under its lower-cased class name (``mx.optimizer.register``).

        Example:
            >>> @mx.optimizer.register
            ... class MySGD(mx.optimizer.Optimizer): ...
            >>> mx.optimizer.create('mysgd')
        """
        if not isinstance(klass, type):
            raise AssertionError("register() takes a class")
        name = klass.__name__.lower()
        old = Optimizer.opt_registry.get(name)
        if old is not None and old is not klass:
            warnings.warn(
                f"WARNING: New optimizer {klass.__module__}.{klass.__name__} is overriding existing "
                f"optimizer {old.__module__}.{old.__name__}",
                stacklevel=2,
            )
        Optimizer.opt_registry[name] = klass
        return klass

    @staticmethod
    def create_optimizer(name: str, **kwargs) -> Optimizer:
        """An optimizer by registered name, case-insensitive (``'sgd'``, ``'Adam'``), with its arguments."""
        klass = Optimizer.opt_registry.get(str(name).lower())
        if klass is None:
            known = ", ".join(sorted(Optimizer.opt_registry))
            raise ValueError(f"Cannot find optimizer {name}; registered optimizers: {known}")
        return klass(**kwargs)

    # -- learning rate and weight decay -------------------------------------------------------

    @property
    def learning_rate(self) -> float:
        """The current base learning rate (the scheduler's at ``num_update`` if there is one)."""
        if self.lr_scheduler is not None:
            return self.lr_scheduler(self.num_update)
        return self.lr

    def set_learning_rate(self, lr: float) -> None:
        """Set the base learning rate; raises ``UserWarning`` (as MXNet) when a scheduler drives it."""
        if self.lr_scheduler is not None:
            raise UserWarning(
                "LRScheduler of the optimizer has already been defined. Note that set_learning_rate can "
                "mutate the value of the learning rate of the optimizer only when the LRScheduler of the "
                "optimizer is undefined."
            )
        self.lr = lr

    def set_lr_scale(self, args_lrscale) -> None:
        """Removed in MXNet; use :meth:`set_lr_mult`."""
        raise DeprecationWarning

    def set_lr_mult(self, args_lr_mult: dict) -> None:
        """Learning-rate multipliers by parameter name (or index); replaces earlier ones."""
        self.lr_mult = {}
        for name, attrs in self._sym_attrs("__lr_mult__"):
            self.lr_mult[name] = float(attrs)
        self.lr_mult.update(args_lr_mult)

    def set_wd_mult(self, args_wd_mult: dict) -> None:
        """Weight-decay multipliers by name (or index). Names from ``param_idx2name`` that do not end
        in ``_weight`` or ``_gamma`` (biases, BatchNorm's beta) default to 0, as in MXNet."""
        self.wd_mult = {}
        for n in self.idx2name.values():
            if not self._decays_by_default(n):
                self.wd_mult[n] = 0.0
        for name, attrs in self._sym_attrs("__wd_mult__"):
            self.wd_mult[name] = float(attrs)
        self.wd_mult.update(args_wd_mult)

    @staticmethod
    def _decays_by_default(name: str) -> bool:
        return name.endswith("_weight") or name.endswith("_gamma")

    def _sym_attrs(self, key: str):
        if not self.sym_info:
            return []
        attr, arg_names = self.sym_info
        return [(n, attr[n][key]) for n in arg_names if n in attr and key in attr[n]]

    def _set_current_context(self, device_id: int) -> None:
        """Update counts are kept per device, so that copies on several devices count once each."""
        self._index_update_count = self._all_index_update_counts.setdefault(device_id, {})

    def _update_count(self, index) -> None:
        counts = self._index_update_count
        for idx in index if isinstance(index, (list, tuple)) else (index,):
            count = counts.get(idx, self.begin_num_update) + 1
            counts[idx] = count
            if count > self.num_update:
                self.num_update = count

    def _get_lrs(self, indices) -> list[float]:
        lr = self.lr_scheduler(self.num_update) if self.lr_scheduler is not None else self.lr
        return [lr * self._mult(index, self.lr_mult, "lr_mult") for index in indices]

    def _get_lr(self, index) -> float:
        return self._get_lrs([index])[0]

    def _get_wds(self, indices) -> list[float]:
        return [self.wd * self._mult(index, self.wd_mult, "wd_mult") for index in indices]

    def _get_wd(self, index) -> float:
        return self._get_wds([index])[0]

    def _mult(self, index, by_name: dict, attr: str) -> float:
        param = self.param_dict.get(index)
        if param is not None:
            return getattr(param, attr)
        if index in by_name:
            return by_name[index]
        name = self.idx2name.get(index)
        return 1.0 if name is None else by_name.get(name, 1.0)

    # -- states and updates -------------------------------------------------------------------

    def create_state(self, index, weight: NDArray) -> Any:
        """Per-parameter optimizer state (e.g. momentum); None when there is none."""
        return None

    def create_state_multi_precision(self, index, weight: NDArray) -> Any:
        """State for ``weight``; with ``multi_precision`` and a float16 weight, ``(float32 copy, state)``."""
        if self.multi_precision and weight.dtype == np.float16:
            master = weight.astype(np.float32)
            return (master, self.create_state(index, master))
        if weight.dtype == np.float16:
            warnings.warn(_FP16_WARNING.format(""), stacklevel=2)
        return self.create_state(index, weight)

    def update(self, index, weight: NDArray, grad: NDArray, state: Any) -> None:
        """Update ``weight`` in place from ``grad`` and ``state``; subclasses implement it."""
        raise NotImplementedError()

    def update_multi_precision(self, index, weight: NDArray, grad: NDArray, state: Any) -> None:
        """:meth:`update`, through the float32 master copy for float16 weights with ``multi_precision``."""
        if self.multi_precision and weight.dtype == np.float16:
            master, inner = state
            self.update(index, master, grad.astype(np.float32), inner)
            nd.cast(master, dtype=weight.dtype, out=weight)
        else:
            self.update(index, weight, grad, state)

    def _clip_kwargs(self, key: str = "clip_gradient") -> dict:
        """``rescale_grad`` and, when set, ``clip_gradient`` for an update op."""
        kwargs = {"rescale_grad": self.rescale_grad}
        if self.clip_gradient:
            kwargs[key] = self.clip_gradient
        return kwargs

    def _rescaled(self, grad: NDArray) -> NDArray:
        """``clip(grad * rescale_grad)`` for the optimizers MXNet writes in NDArray arithmetic."""
        grad = grad * self.rescale_grad
        if self.clip_gradient is not None:
            grad = nd.clip(grad, -self.clip_gradient, self.clip_gradient)
        return grad

    def __getstate__(self):
        state = self.__dict__.copy()
        state.pop("param_dict", None)
        return state

    def __setstate__(self, state):
        self.__dict__ = state
        self.param_dict = {}


register = Optimizer.register


def create(name: str | Optimizer, **kwargs) -> Optimizer:
    """An optimizer from a registered name (case-insensitive) and its keyword arguments; an
    Optimizer instance is returned as it is.

    Example:
        >>> mx.optimizer.create('Adam', learning_rate=1e-3).beta1
        0.9
    """
    if isinstance(name, Optimizer):
        return name
    return Optimizer.create_optimizer(name, **kwargs)


def aggregation_size(default: int | None = None, cap: int | None = None) -> int:
    """How many weights one multi-tensor update call takes: ``MXNET_OPTIMIZER_AGGREGATION_SIZE`` when
    set, else ``default``; ``None`` means all of them in one call (the results are the same)."""
    env = os.environ.get("MXNET_OPTIMIZER_AGGREGATION_SIZE")
    size = int(env) if env is not None else (default or 1 << 30)
    if cap is not None:
        size = max(1, min(cap, size))
    return size


def has_sparse(arrays) -> bool:
    """Whether any of ``arrays`` is a sparse one (a dictionary lookup when no sparse array was ever made)."""
    return bool(_sparse._RULES) and any(isinstance(a, _sparse.BaseSparseNDArray) for a in arrays)


def update_ops(grad: NDArray):
    """Where to find the update operators for ``grad``: ``nd.sparse`` for a row-sparse gradient (its
    updates skip the rows without gradient where MXNet's do), else ``nd``."""
    return _sparse if grad.__class__ is _sparse.RowSparseNDArray else nd


def zeros_like(weight: NDArray, dtype=None) -> NDArray:
    """A zero state array shaped and placed like ``weight``."""
    return nd.zeros(weight.shape, ctx=weight.context, dtype=dtype or weight.dtype)


@register
class Test(Optimizer):
    """MXNet's test optimizer: ``weight += rescale_grad * grad`` and the state holds a copy of the weight.

    Example:
        >>> opt = mx.optimizer.create('test', rescale_grad=0.5)
    """

    def create_state(self, index, weight: NDArray) -> NDArray:
        return nd.zeros(weight.shape, ctx=weight.context)

    def update(self, index, weight: NDArray, grad: NDArray, state: NDArray) -> None:
        weight[:] += grad * self.rescale_grad
        state[:] = weight
