"""``gluon.loss``: losses as HybridBlocks, averaged over all axes except the batch axis."""

from __future__ import annotations

from ..ndarray import NDArray
from .block import HybridBlock


def _apply_weighting(F, loss, weight=None, sample_weight=None):
    """Multiply by ``sample_weight`` (broadcast) and by the scalar ``weight``."""
    if sample_weight is not None:
        loss = F.broadcast_mul(loss, sample_weight)
    if weight is not None:
        if not isinstance(weight, (int, float)):
            raise TypeError("weight must be a number")
        loss = loss * weight
    return loss


def _reshape_like(F, x, y):
    """``x`` reshaped to ``y``'s shape (e.g. labels (N,) against predictions (N, 1)).

    Arrays use the reshape view, as MXNet does eagerly; symbols use the ``reshape_like`` operator.
    """
    if isinstance(x, NDArray):
        return x.reshape(y.shape)
    return F.reshape_like(x, y)


class Loss(HybridBlock):
    """Base class of losses.

    Parameters
    ----------
    weight : float or None
        Global scalar weight of the loss.
    batch_axis : int
        The axis that indexes samples; the loss is averaged over all other axes.
    """

    def __init__(self, weight: float | None, batch_axis: int, **kwargs):
        super().__init__(**kwargs)
        self._weight = weight
        self._batch_axis = batch_axis

    def __repr__(self) -> str:
        return f"{self.__class__.__name__}(batch_axis={self._batch_axis}, w={self._weight})"

    def hybrid_forward(self, F, x, *args, **kwargs):
        raise NotImplementedError


class L2Loss(Loss):
    """Squared error ``0.5 * weight * (pred - label)**2``, averaged per sample.

    Returns one value per sample (shape ``(batch,)``); calling ``backward`` on it equals
    calling it on its sum.

    Example:
        >>> loss = gloss.L2Loss()
        >>> loss(mx.nd.array([[1.0], [2.0]]), mx.nd.array([0.0, 0.0]))
        <BLANKLINE>
        [0.5 2. ]
        <NDArray 2 @cpu(0)>
    """

    def __init__(self, weight: float = 1.0, batch_axis: int = 0, **kwargs):
        super().__init__(weight, batch_axis, **kwargs)

    def hybrid_forward(self, F, pred, label, sample_weight=None):
        label = _reshape_like(F, label, pred)
        loss = F.square(label - pred)
        loss = _apply_weighting(F, loss, self._weight / 2, sample_weight)
        return F.mean(loss, axis=self._batch_axis, exclude=True)


class L1Loss(Loss):
    """Absolute error ``weight * |pred - label|``, averaged per sample.

    Example:
        >>> gloss.L1Loss()(mx.nd.array([1.0, -2.0]), mx.nd.array([0.0, 0.0]))
        <BLANKLINE>
        [1. 2.]
        <NDArray 2 @cpu(0)>
    """

    def __init__(self, weight: float | None = None, batch_axis: int = 0, **kwargs):
        super().__init__(weight, batch_axis, **kwargs)

    def hybrid_forward(self, F, pred, label, sample_weight=None):
        label = _reshape_like(F, label, pred)
        loss = F.abs(label - pred)
        loss = _apply_weighting(F, loss, self._weight, sample_weight)
        return F.mean(loss, axis=self._batch_axis, exclude=True)
