"""SGD-family optimizers with MXNet 1.9.1's update rules: SGD, NAG, Signum, DCASGD, SGLD.

(LARS, which is SGD with layer-wise rates, is in ``lars.py``.)
"""

from __future__ import annotations

import math
import warnings

import numpy as np

from .. import ndarray as nd
from ..ndarray import NDArray
from .optimizer import (
    _FP16_WARNING,
    Optimizer,
    aggregation_size,
    has_sparse,
    register,
    update_ops,
    zeros_like,
)


def _flatten(groups) -> list:
    return [a for group in groups for a in group]


class _MasterFirst(Optimizer):
    """Optimizers whose mixed-precision state is ``(state, float32 master)`` and whose update ops
    take the master copy themselves (``mp_sgd_update``, ``mp_nag_mom_update``)."""

    def create_state_multi_precision(self, index, weight: NDArray):
        if self.multi_precision and weight.dtype == np.float16:
            master = weight.astype(np.float32)
            return (self.create_state(index, master), master)
        if weight.dtype == np.float16:
            warnings.warn(_FP16_WARNING.format(self._warn_name), stacklevel=2)
        return self.create_state(index, weight)

    _warn_name = "SGD "

    def create_state(self, index, weight: NDArray):
        return zeros_like(weight) if self.momentum != 0.0 else None

    def _use_mp(self, weight) -> bool:
        first = weight[0] if isinstance(weight, (list, tuple)) else weight
        return bool(self.multi_precision and first.dtype == np.float16)

    def update(self, index, weight, grad, state) -> None:
        self._update_impl(index, weight, grad, state, multi_precision=False)

    def update_multi_precision(self, index, weight, grad, state) -> None:
        self._update_impl(index, weight, grad, state, multi_precision=self._use_mp(weight))

    def _kwargs(self, momentum: float | None = None) -> dict:
        kwargs = {"rescale_grad": self.rescale_grad}
        momentum = self.momentum if momentum is None else momentum
        if self.momentum > 0:
            kwargs["momentum"] = momentum
        if self.clip_gradient:
            kwargs["clip_gradient"] = self.clip_gradient
        return kwargs


@register
class SGD(_MasterFirst):
    """Stochastic gradient descent with optional momentum, MXNet's rule.

    The learning rate lives inside the momentum state and weight decay joins the gradient before
    momentum::

        grad = clip(rescale_grad * grad, clip_gradient)
        mom = momentum * mom - lr * (grad + wd * weight)     # momentum > 0
        weight = weight + mom
        weight = (1 - lr * wd) * weight - lr * grad          # momentum == 0

    Whole groups of weights are updated by one multi-tensor call (``multi_sgd_mom_update``).

    Parameters
    ----------
    momentum : float, default 0.0
    lazy_update : bool, default True
        With a row-sparse gradient, update only the rows it holds (weight decay and momentum
        included); ``False`` updates every row.

    Example:
        >>> trainer = gluon.Trainer(net.collect_params(), 'sgd', {'learning_rate': 0.03, 'momentum': 0.9})
    """

    def __init__(self, momentum: float = 0.0, lazy_update: bool = True, **kwargs):
        super().__init__(**kwargs)
        self.momentum = momentum
        self.lazy_update = lazy_update
        self.aggregate_num = aggregation_size()

    def _update_impl(self, indices, weights, grads, states, multi_precision=False) -> None:
        if not isinstance(indices, (list, tuple)):
            self._update_one(indices, weights, grads, states, multi_precision)
            return
        if has_sparse(grads) or has_sparse(weights):  # sparse arrays are updated one by one, as in MXNet
            for args in zip(indices, weights, grads, states):
                self._update_one(*args, multi_precision)
            return
        self._update_count(indices)
        kwargs = self._kwargs()
        kwargs.update(
            lrs=self._get_lrs(indices), wds=self._get_wds(indices), num_weights=len(weights), out=weights
        )
        mom = self.momentum > 0
        if not multi_precision:
            groups = zip(weights, grads, states) if mom else zip(weights, grads)
            op = nd.multi_sgd_mom_update if mom else nd.multi_sgd_update
        else:
            moms, masters = zip(*states)
            groups = zip(weights, grads, moms, masters) if mom else zip(weights, grads, masters)
            op = nd.multi_mp_sgd_mom_update if mom else nd.multi_mp_sgd_update
        op(*_flatten(groups), **kwargs)

    def _update_one(self, index, weight, grad, state, multi_precision) -> None:
        self._update_count(index)
        lr, wd = self._get_lr(index), self._get_wd(index)
        kwargs = self._kwargs()
        if not multi_precision:
            ops = update_ops(grad)
            if state is not None:
                ops.sgd_mom_update(
                    weight, grad, state, out=weight, lazy_update=self.lazy_update, lr=lr, wd=wd, **kwargs
                )
            else:
                ops.sgd_update(weight, grad, out=weight, lazy_update=self.lazy_update, lr=lr, wd=wd, **kwargs)
        elif state[0] is not None:
            nd.mp_sgd_mom_update(weight, grad, state[0], state[1], out=weight, lr=lr, wd=wd, **kwargs)
        else:
            nd.mp_sgd_update(weight, grad, state[1], out=weight, lr=lr, wd=wd, **kwargs)


@register
class NAG(_MasterFirst):
    """Nesterov accelerated gradient, MXNet's rule (``nag_mom_update``)::

        step = -lr * (clip(rescale_grad * grad) + wd * weight)
        weight = weight + momentum * (momentum * mom + step) + step
        mom = momentum * mom + step      # (its wd term reads the updated weight, as in MXNet)

    Without momentum it is plain SGD.

    Example:
        >>> opt = mx.optimizer.NAG(learning_rate=0.1, momentum=0.9)
    """

    _warn_name = "NAG "

    def __init__(self, momentum: float = 0.0, **kwargs):
        super().__init__(**kwargs)
        self.momentum = momentum

    def _use_mp(self, weight) -> bool:
        return bool(self.multi_precision and weight.dtype == np.float16)

    def update_multi_precision(self, index, weight, grad, state) -> None:
        mp = self._use_mp(weight) and isinstance(state, (tuple, list))
        self._update_impl(index, weight, grad, state, multi_precision=mp)

    def _update_impl(self, index, weight, grad, state, multi_precision=False) -> None:
        self._update_count(index)
        lr, wd = self._get_lr(index), self._get_wd(index)
        kwargs = self._kwargs()
        if not multi_precision:
            if state is not None and has_sparse([weight]):
                # no sparse kernel: MXNet updates a dense copy of the weight (storage fallback), so the
                # momentum's wd term reads the weight from before the update
                nd.nag_mom_update(weight, grad, state, lr=lr, wd=wd, **kwargs).copyto(weight)
            elif state is not None:
                nd.nag_mom_update(weight, grad, state, out=weight, lr=lr, wd=wd, **kwargs)
            else:
                nd.sgd_update(weight, grad, out=weight, lr=lr, wd=wd, **kwargs)
        elif state[0] is not None:
            nd.mp_nag_mom_update(weight, grad, state[0], state[1], out=weight, lr=lr, wd=wd, **kwargs)
        else:
            nd.mp_sgd_update(weight, grad, state[1], out=weight, lr=lr, wd=wd, **kwargs)


@register
class Signum(Optimizer):
    """Signum (signSGD with momentum), MXNet's rule::

        mom = momentum * mom - (1 - momentum) * (wd * weight + clip(rescale_grad * grad))
        weight = (1 - lr * wd_lh) * weight + lr * sign(mom)

    With ``momentum=0`` it is signSGD: ``weight = (1 - lr*wd) * weight - lr * sign(grad)``.

    Parameters
    ----------
    learning_rate : float, default 0.01
    momentum : float, default 0.9
    wd_lh : float, default 0.0
        Decoupled weight decay (Loshchilov & Hutter).

    Example:
        >>> opt = mx.optimizer.Signum(learning_rate=0.01, momentum=0.9)
    """

    def __init__(self, learning_rate: float = 0.01, momentum: float = 0.9, wd_lh: float = 0.0, **kwargs):
        super().__init__(learning_rate=learning_rate, **kwargs)
        self.momentum = momentum
        self.wd_lh = wd_lh

    def create_state(self, index, weight: NDArray):
        return zeros_like(weight) if self.momentum != 0.0 else None

    def update(self, index, weight: NDArray, grad: NDArray, state) -> None:
        self._update_count(index)
        lr, wd = self._get_lr(index), self._get_wd(index)
        kwargs = self._clip_kwargs()
        if self.momentum > 0:
            kwargs["momentum"] = self.momentum
        if self.wd_lh:
            kwargs["wd_lh"] = self.wd_lh
        if state is not None:
            nd.signum_update(weight, grad, state, out=weight, lr=lr, wd=wd, **kwargs)
        else:
            nd.signsgd_update(weight, grad, out=weight, lr=lr, wd=wd, **kwargs)


@register
class DCASGD(Optimizer):
    """Delay-compensated asynchronous SGD (Zheng et al. 2016), MXNet's rule::

        grad = clip(rescale_grad * grad)
        step = -lr * (grad + wd * weight + lamda * grad * grad * (weight - previous_weight))
        mom = momentum * mom + step       # momentum > 0, else mom = step
        previous_weight = weight; weight += mom

    (MXNet 1.9.1 itself fails with ``momentum > 0``, testing an array's truth value; regluon applies
    the rule above.)

    Example:
        >>> opt = mx.optimizer.DCASGD(learning_rate=0.1, lamda=0.04)
    """

    def __init__(self, momentum: float = 0.0, lamda: float = 0.04, **kwargs):
        super().__init__(**kwargs)
        self.momentum = momentum
        self.weight_previous: dict = {}
        self.lamda = lamda

    def create_state(self, index, weight: NDArray):
        return (zeros_like(weight) if self.momentum != 0.0 else None, weight.copy())

    def update(self, index, weight: NDArray, grad: NDArray, state) -> None:
        self._update_count(index)
        lr, wd = self._get_lr(index), self._get_wd(index)
        grad = self._rescaled(grad)
        mom, previous = state
        step = -lr * (grad + wd * weight + self.lamda * grad * grad * (weight - previous))
        if mom is not None:
            mom[:] *= self.momentum
            mom[:] += step
        else:
            mom = step
        previous[:] = weight
        weight[:] += mom


@register
class SGLD(Optimizer):
    """Stochastic gradient Langevin dynamics: a half gradient step plus Gaussian noise::

        weight += -lr / 2 * (clip(rescale_grad * grad) + wd * weight) + normal(0, sqrt(lr))

    The noise comes from regluon's random stream (``mx.random.seed``), not MXNet's.

    Example:
        >>> opt = mx.optimizer.SGLD(learning_rate=1e-3)
    """

    def update(self, index, weight: NDArray, grad: NDArray, state) -> None:
        self._update_count(index)
        lr, wd = self._get_lr(index), self._get_wd(index)
        grad = self._rescaled(grad)
        weight[:] += -lr / 2 * (grad + wd * weight)
        weight[:] += nd.random.normal(
            0, math.sqrt(lr), shape=weight.shape, dtype=weight.dtype, ctx=weight.context
        )


@register
class ccSGD(SGD):  # noqa: N801 - MXNet's name
    """Deprecated alias of :class:`SGD`, kept as MXNet has it."""
