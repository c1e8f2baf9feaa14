"""LBSGD: large-batch SGD with a warm-up multiplier or LARS rates, MXNet 1.9.1's rule."""

from __future__ import annotations

import logging
import math
import warnings

import numpy as np

from .. import ndarray as nd
from ..ndarray import NDArray
from .optimizer import _FP16_WARNING, Optimizer, register, zeros_like


@register
class LBSGD(Optimizer):
    """SGD (with momentum, MXNet's ``sgd_mom_update`` rule) for large batches emulated by
    accumulating gradients: each weight takes a real step every ``batch_scale`` updates, with the
    mean of the accumulated gradients and a learning rate scaled by a warm-up multiplier.

    The multiplier at accumulated update ``n`` (of ``nwup = warmup_epochs * updates_per_epoch``)
    rises from 1 to ``batch_scale``: ``'linear'`` ``1 + (batch_scale - 1) * n / nwup``,
    ``'power2'`` with ``(n / nwup)^2``, ``'sqrt'`` with ``sqrt(n / nwup)``; it is ``batch_scale``
    from ``nwup`` on. ``'lars'`` uses the layer's trust ratio
    ``sqrt(|w|^2 / (|g|^2 + wd * |w|^2 + 1e-18))`` clipped to [0.01, 100] instead. Between real
    steps the weight is left as it is. As in MXNet, the learning rate is read before the update
    count advances, and the accumulation starts from the gradient array itself (not a copy).
    ``Trainer.save_states`` keeps the accumulated gradients and their counts (``cumgrads``), as
    MXNet's pickled optimizer does, so training resumed in mid-accumulation goes on as in MXNet.

    Parameters
    ----------
    momentum : float, default 0.0
    multi_precision : bool, default False
    warmup_strategy : str, default 'linear'
        ``'linear'``, ``'power2'``, ``'sqrt'`` or ``'lars'`` (any other name: multiplier 1).
    warmup_epochs : int, default 5
    batch_scale : int, default 1
        How many updates make one large batch.
    updates_per_epoch : int, default 32
    begin_epoch : int, default 0
        Accumulated updates start at ``begin_epoch * updates_per_epoch``.
    num_epochs : int, default 60
        Kept for compatibility (unused, as in MXNet).

    Example:
        >>> opt = mx.optimizer.LBSGD(learning_rate=0.1, momentum=0.9, batch_scale=4, warmup_epochs=2)
    """

    def __init__(
        self,
        momentum: float = 0.0,
        multi_precision: bool = False,
        warmup_strategy: str = "linear",
        warmup_epochs: int = 5,
        batch_scale: int = 1,
        updates_per_epoch: int = 32,
        begin_epoch: int = 0,
        num_epochs: int = 60,
        **kwargs,
    ):
        super().__init__(multi_precision=multi_precision, **kwargs)
        logging.info("Running Large-Batch SGD Algorithm")
        logging.info(
            "(Batch_scale=%f, warmup_epochs=%d, warmup_strategy=%s, updates_per_epoch=%d)",
            batch_scale,
            warmup_epochs,
            warmup_strategy,
            updates_per_epoch,
        )
        self.momentum = momentum
        self.warmup_strategy = warmup_strategy
        self.warmup_epochs = warmup_epochs
        self.batch_scale = batch_scale
        self.updates_per_epoch = updates_per_epoch
        self.init_updates = begin_epoch * updates_per_epoch
        self.num_epochs = num_epochs
        self.lbmult = 1
        self.cumgrads: dict = {}
        self.adaptive = False
        self.admult = 1

    def create_state(self, index, weight: NDArray):
        """The momentum (None without momentum); for a float16 weight with ``multi_precision``,
        ``(momentum, float32 master copy)``."""
        if self.multi_precision and weight.dtype == np.float16:
            master = weight.astype(np.float32)
            return (zeros_like(master) if self.momentum != 0.0 else None, master)
        if weight.dtype == np.float16:
            warnings.warn(_FP16_WARNING.format("SGD "), stacklevel=2)
        return zeros_like(weight) if self.momentum != 0.0 else None

    def _get_lbmult(self, nup: int) -> float:
        """The warm-up multiplier of the learning rate at accumulated update ``nup``."""
        nwup = self.warmup_epochs * self.updates_per_epoch
        maxmult = float(self.batch_scale)
        if nup >= nwup:
            return maxmult
        if nwup <= 1:
            return 1.0
        if self.warmup_strategy == "linear":
            return 1.0 + (maxmult - 1) * nup / nwup
        if self.warmup_strategy == "power2":
            return 1.0 + (maxmult - 1) * (nup * nup) / (nwup * nwup)
        if self.warmup_strategy == "sqrt":
            return 1.0 + (maxmult - 1) * math.sqrt(float(nup) / nwup)
        return 1.0

    @staticmethod
    def _l2norm(v: NDArray) -> float:
        """The squared L2 norm, summed in float32 by NumPy as MXNet does."""
        return float((v * v).asnumpy().sum())

    def _get_lars(self, weight: NDArray, g: NDArray, wd: float) -> float:
        """The layer's trust ratio, clipped to [0.01, 100]."""
        weight2, grad2 = self._l2norm(weight), self._l2norm(g)
        lars = math.sqrt(weight2 / (grad2 + wd * weight2 + 1e-18))
        return min(max(lars, 0.01), 100.0)

    def _cumulate_gradient(self, grad: NDArray, index) -> dict:
        cgrad = self.cumgrads.get(index)
        if cgrad and cgrad["num_cums"] > 0:
            cgrad = {"cum_grad": cgrad["cum_grad"] + grad, "num_cums": cgrad["num_cums"] + 1}
        else:
            cgrad = {"cum_grad": grad, "num_cums": self.init_updates + 1}
        self.cumgrads[index] = cgrad
        return cgrad

    def update(self, index, weight: NDArray, grad: NDArray, state) -> None:
        lr, wd = self._get_lr(index), self._get_wd(index)
        self._update_count(index)
        cgrad = self._cumulate_gradient(grad, index)
        if cgrad["num_cums"] % self.batch_scale != 0:
            nd.sgd_update(weight, grad, out=weight, lr=0.0, wd=wd)
            return
        grad = cgrad["cum_grad"] / self.batch_scale
        if self.warmup_strategy == "lars":
            lr *= self._get_lars(weight, grad, wd)
        else:
            lr *= self._get_lbmult(cgrad["num_cums"])
        kwargs = self._clip_kwargs()
        if self.momentum > 0:
            kwargs["momentum"] = self.momentum
        if isinstance(state, (list, tuple)):
            mom, master = state
            if mom is not None:
                nd.mp_sgd_mom_update(weight, grad, mom, master, out=weight, lr=lr, wd=wd, **kwargs)
            else:
                nd.mp_sgd_update(weight, grad, master, out=weight, lr=lr, wd=wd, **kwargs)
        elif state is not None:
            nd.sgd_mom_update(weight, grad, state, out=weight, lr=lr, wd=wd, **kwargs)
        else:
            nd.sgd_update(weight, grad, out=weight, lr=lr, wd=wd, **kwargs)
        cgrad["cum_grad"] = 0
