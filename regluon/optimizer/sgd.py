"""Stochastic gradient descent with MXNet's update rule."""

from __future__ import annotations

from .. import ndarray as nd
from ..ndarray import NDArray
from .optimizer import Optimizer, aggregation_size, register


@register
class SGD(Optimizer):
    """SGD with optional momentum, following MXNet's rule.

    The learning rate is inside the momentum state and weight decay joins the gradient
    before momentum::

        grad = clip(rescale_grad * grad, clip_gradient)
        mom = momentum * mom - lr * (grad + wd * weight)     # momentum > 0
        weight = weight + mom
        weight = weight - lr * (grad + wd * weight)          # momentum == 0

    Parameters
    ----------
    momentum : float, default 0.0
    lazy_update : bool, default False
        Accepted for compatibility; regluon's arrays are dense.

    Example:
        >>> trainer = gluon.Trainer(net.collect_params(), 'sgd', {'learning_rate': 0.03, 'momentum': 0.9})
    """

    def __init__(self, momentum: float = 0.0, lazy_update: bool = False, **kwargs):
        super().__init__(**kwargs)
        self.momentum = momentum
        self.lazy_update = lazy_update
        self.aggregate_num = aggregation_size()

    def create_state(self, index, weight: NDArray):
        if self.momentum == 0.0:
            return None
        return nd.zeros(weight.shape, ctx=weight.context, dtype=weight.dtype)

    def update(self, index, weight, grad, state) -> None:
        self._update_impl(index, weight, grad, state)

    def _update_impl(self, indices, weights, grads, states) -> None:
        aggregate = isinstance(indices, (list, tuple))
        if not aggregate:
            indices, weights, grads, states = [indices], [weights], [grads], [states]
        self._update_count(indices)
        lrs, wds = self._get_lrs(indices), self._get_wds(indices)
        kwargs = {"rescale_grad": self.rescale_grad}
        if self.clip_gradient:
            kwargs["clip_gradient"] = self.clip_gradient
        if self.momentum > 0:
            kwargs["momentum"] = self.momentum
        if aggregate:
            if self.momentum > 0:
                data = [a for w, g, s in zip(weights, grads, states) for a in (w, g, s)]
                nd.multi_sgd_mom_update(
                    *data, out=weights, lrs=lrs, wds=wds, num_weights=len(weights), **kwargs
                )
            else:
                data = [a for w, g in zip(weights, grads) for a in (w, g)]
                nd.multi_sgd_update(*data, out=weights, lrs=lrs, wds=wds, num_weights=len(weights), **kwargs)
            return
        for w, g, s, lr, wd in zip(weights, grads, states, lrs, wds):
            if s is not None:
                nd.sgd_mom_update(w, g, s, out=w, lr=lr, wd=wd, lazy_update=self.lazy_update, **kwargs)
            else:
                nd.sgd_update(w, g, out=w, lr=lr, wd=wd, lazy_update=self.lazy_update, **kwargs)
