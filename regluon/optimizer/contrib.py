"""``mx.optimizer.contrib``: GroupAdaGrad, MXNet 1.9.1's row-wise AdaGrad."""

from __future__ import annotations

from .. import ndarray as nd
from ..ndarray import NDArray
from .optimizer import Optimizer, register

__all__ = ["GroupAdaGrad"]


@register
class GroupAdaGrad(Optimizer):
    """AdaGrad with one accumulated squared-gradient value per row of a 2-D weight::

        g = clip(rescale_grad * grad)
        history += mean(g^2, axis=1, keepdims=True)
        weight -= lr * g / sqrt(history + eps)

    A row-sparse gradient goes through ``nd.contrib.group_adagrad_update`` (rows without gradient
    stay as they are). Weight decay is not supported.

    Parameters
    ----------
    eps : float, default 1e-5
        Added to the history under the square root.

    Example:
        >>> trainer = gluon.Trainer(embedding.collect_params(), 'groupadagrad', {'learning_rate': 0.1})
    """

    def __init__(self, eps: float = 1e-5, **kwargs):
        super().__init__(**kwargs)
        self.float_stable_eps = eps

    def create_state(self, index, weight: NDArray) -> NDArray:
        if len(weight.shape) != 2:
            raise AssertionError(
                f"GroupAdaGrad: the weight must be 2-D (one learning rate per row), got shape {weight.shape}"
            )
        return nd.zeros((weight.shape[0], 1), ctx=weight.context)

    def update(self, index, weight: NDArray, grad: NDArray, state: NDArray) -> None:
        self._update_count(index)
        lr, wd = self._get_lr(index), self._get_wd(index)
        if wd != 0:
            raise AssertionError("Weight decay is not supported for GroupAdaGrad")
        if grad.stype == "row_sparse":
            kwargs = {"epsilon": self.float_stable_eps, **self._clip_kwargs()}
            nd.contrib.group_adagrad_update(weight, grad, state, out=weight, lr=lr, **kwargs)
            return
        grad = self._rescaled(grad)
        state[:] += nd.mean(nd.square(grad), axis=1, keepdims=True)
        weight[:] -= lr * grad / nd.sqrt(state + self.float_stable_eps)
