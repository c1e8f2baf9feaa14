"""LARS: SGD with layer-wise adaptive learning rates (You et al. 2017), MXNet 1.9.1's rule."""

from __future__ import annotations

from .. import ndarray as nd
from ..ndarray import NDArray
from .optimizer import aggregation_size, register
from .sgd import SGD, _flatten

_NO_LARS = ("gamma", "beta", "bias")


@register
class LARS(SGD):
    """SGD (with momentum) where each layer's learning rate is scaled by its trust ratio::

        lr_layer = lr * eta * |w| / (|rescale_grad * g| + wd * |w| + eps)   (lr where a norm is 0)

    Parameters whose name ends in ``gamma``, ``beta`` or ``bias`` keep ``lr`` (names come from
    ``param_idx2name``; without them, as under Gluon's Trainer, every parameter is scaled). Only
    ``_weight`` parameters get weight decay by default. With ``momentum_correction`` the momentum
    is scaled by ``lr_now / lr_before`` when the learning rate changes. Groups of
    ``aggregate_num`` weights (``MXNET_OPTIMIZER_AGGREGATION_SIZE``, default 4, as MXNet) are
    updated by one ``preloaded_multi_sgd_*`` call.

    Parameters
    ----------
    momentum : float, default 0.0
    lazy_update : bool, default True
        Accepted for compatibility.
    eta : float, default 0.001
    eps : float, default 0
    momentum_correction : bool, default True

    Example:
        >>> opt = mx.optimizer.LARS(learning_rate=0.1, momentum=0.9, eta=0.001)
    """

    def __init__(
        self,
        momentum: float = 0.0,
        lazy_update: bool = True,
        eta: float = 0.001,
        eps: float = 0,
        momentum_correction: bool = True,
        **kwargs,
    ):
        super().__init__(momentum=momentum, lazy_update=lazy_update, **kwargs)
        self.momentum_correction = momentum_correction
        # MXNet's chunking matters here: the momentum correction compares the rate of one call with
        # the previous call's, so regluon keeps MXNet's default of 4 weights per call
        self.aggregate_num = aggregation_size(4)
        self.eta = eta
        self.eps = eps
        self.skip = 0
        self.last_lr: float | None = None
        self.cur_lr: float | None = None

    @staticmethod
    def _decays_by_default(name: str) -> bool:
        return name.endswith("_weight")

    def _get_lrs(self, indices) -> list[float]:
        if self.cur_lr is not None:
            self.last_lr = self.cur_lr
        lr = self.lr_scheduler(self.num_update) if self.lr_scheduler is not None else self.lr
        if self.cur_lr is None:
            self.last_lr = lr
        self.cur_lr = lr
        return [lr * self._mult(index, self.lr_mult, "lr_mult") for index in indices]

    def _name(self, index) -> str:
        return self.idx2name.get(index, str(index))

    def _momentum(self) -> float:
        if self.momentum_correction and self.last_lr != 0:
            return self.momentum * (self.cur_lr / self.last_lr)
        return self.momentum

    def _l2norm(self, v: NDArray, rescale: bool = False) -> float:
        v = v.astype("float32")
        if rescale:
            v *= self.rescale_grad
        return float(nd.norm(v).asnumpy()[0])

    def _get_lars(self, index, weight: NDArray, grad: NDArray, lr: float, wd: float) -> float:
        if self._name(index).endswith(_NO_LARS):
            return lr
        w_norm, g_norm = self._l2norm(weight), self._l2norm(grad, rescale=True)
        if w_norm > 0.0 and g_norm > 0.0:
            return lr * self.eta * w_norm / (g_norm + wd * w_norm + self.eps)
        return lr

    def _update_impl(self, indices, weights, grads, states, multi_precision=False) -> None:
        if not isinstance(indices, (list, tuple)):
            indices, weights, grads, states = [indices], [weights], [grads], [states]
            aggregate = False
        else:
            aggregate = True
        self._update_count(indices)
        lrs, wds = self._get_lrs(indices), self._get_wds(indices)
        kwargs = self._kwargs(self._momentum() if self.momentum > 0 else None)
        if aggregate:
            self._update_aggregated(indices, weights, grads, states, lrs, wds, kwargs, multi_precision)
            return
        lrs = [self._get_lars(i, w, g, lr, wd) for i, w, g, lr, wd in zip(indices, weights, grads, lrs, wds)]
        for weight, grad, state, lr, wd in zip(weights, grads, states, lrs, wds):
            if not multi_precision:
                if state is not None:
                    nd.sgd_mom_update(weight, grad, state, out=weight, lr=lr, wd=wd, **kwargs)
                else:
                    nd.sgd_update(weight, grad, out=weight, lr=lr, wd=wd, **kwargs)
            elif state[0] is not None:
                nd.mp_sgd_mom_update(weight, grad, state[0], state[1], out=weight, lr=lr, wd=wd, **kwargs)
            else:
                nd.mp_sgd_update(weight, grad, state[1], out=weight, lr=lr, wd=wd, **kwargs)

    def _update_aggregated(self, indices, weights, grads, states, lrs, wds, kwargs, multi_precision) -> None:
        scaled = [k for k, i in enumerate(indices) if not self._name(i).endswith(_NO_LARS)]
        order = scaled + [k for k, i in enumerate(indices) if self._name(i).endswith(_NO_LARS)]
        ctx = weights[0].context
        new_lrs = nd.array([lrs[k] for k in order], ctx=ctx, dtype="float32")
        new_wds = nd.array([wds[k] for k in order], ctx=ctx, dtype="float32")
        weights, grads, states = ([seq[k] for k in order] for seq in (weights, grads, states))
        n = len(scaled)
        if n:
            w_sq = nd.multi_sum_sq(*weights[:n], num_arrays=n)
            g_sq = nd.multi_sum_sq(*grads[:n], num_arrays=n)
            trust = nd.multi_lars(
                new_lrs[:n],
                w_sq,
                g_sq,
                new_wds[:n],
                eta=self.eta,
                eps=self.eps,
                rescale_grad=self.rescale_grad,
            )
            new_lrs = trust if n == len(order) else nd.concat(trust, new_lrs[n:], dim=0)
        mom = self.momentum > 0
        for start in range(0, len(order), self.aggregate_num):
            sl = slice(start, start + self.aggregate_num)
            w, g, s = weights[sl], grads[sl], states[sl]
            if not multi_precision:
                groups = zip(w, g, s) if mom else zip(w, g)
                op = nd.preloaded_multi_sgd_mom_update if mom else nd.preloaded_multi_sgd_update
            else:
                moms, masters = zip(*s)
                groups = zip(w, g, moms, masters) if mom else zip(w, g, masters)
                op = nd.preloaded_multi_mp_sgd_mom_update if mom else nd.preloaded_multi_mp_sgd_update
            op(*_flatten(groups), new_lrs[sl], new_wds[sl], out=w, num_weights=len(w), **kwargs)
