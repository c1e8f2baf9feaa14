"""``gluon.loss``: losses as HybridBlocks, one value per sample (MXNet 1.x formulas).

Every loss computes through ``F`` only; most average the element-wise loss over all axes except
``batch_axis``, after multiplying it by ``sample_weight`` (broadcast) and the scalar ``weight``.
"""

from __future__ import annotations

import math
import numbers

from ..base import MXNetError, shape_str
from ..ndarray import NDArray
from .block import HybridBlock

__all__ = [
    "Loss",
    "L2Loss",
    "L1Loss",
    "SigmoidBinaryCrossEntropyLoss",
    "SigmoidBCELoss",
    "SoftmaxCrossEntropyLoss",
    "SoftmaxCELoss",
    "KLDivLoss",
    "CTCLoss",
    "HuberLoss",
    "HingeLoss",
    "SquaredHingeLoss",
    "LogisticLoss",
    "TripletLoss",
    "PoissonNLLLoss",
    "CosineEmbeddingLoss",
    "SDMLLoss",
]


def _apply_weighting(F, loss, weight=None, sample_weight=None):
    """Multiply by ``sample_weight`` (broadcast) and by the scalar ``weight``."""
    if sample_weight is not None:
        loss = F.broadcast_mul(loss, sample_weight)
    if weight is not None:
        if weight.__class__ is not float and not isinstance(weight, numbers.Real):  # Python or NumPy numbers
            raise AssertionError(f"weight must be a number, got {type(weight).__name__}")
        loss = loss * weight
    return loss


def _reshape_like(F, x, y, who: str = "loss"):
    """``x`` reshaped to ``y``'s shape (e.g. labels (N,) against predictions (N, 1)).

    Arrays use the reshape view, as MXNet does eagerly; symbols use the ``reshape_like`` operator.
    """
    if isinstance(x, NDArray):
        shape = y.shape
        if x.__class__ is NDArray and x.shape == shape:  # the reshape would give an equal view
            return x
        if x.size != y.size:  # MXNet raises ValueError from its reshape here
            raise ValueError(
                f"{who}: the label of shape {shape_str(x.shape)} cannot be reshaped to the "
                f"prediction shape {shape_str(y.shape)} (they must have the same number of elements)"
            )
        return x.reshape(shape)
    return F.reshape_like(x, y)


def _batch_mean(F, loss, batch_axis):
    """The mean over every axis except ``batch_axis``: one value per sample."""
    return F.mean(loss, axis=batch_axis, exclude=True)


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
        label = _reshape_like(F, label, pred, "L2Loss")
        loss = F.square(label - pred)
        loss = _apply_weighting(F, loss, self._weight / 2, sample_weight)
        return _batch_mean(F, loss, self._batch_axis)


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
        label = _reshape_like(F, label, pred, "L1Loss")
        loss = F.abs(label - pred)
        loss = _apply_weighting(F, loss, self._weight, sample_weight)
        return _batch_mean(F, loss, self._batch_axis)


def _softrelu_neg_abs(F, x):
    """``log(1 + exp(-|x|))``, the overflow-free part of the logistic loss."""
    return F.Activation(-F.abs(x), act_type="softrelu")


class SigmoidBinaryCrossEntropyLoss(Loss):
    """Binary cross entropy of a sigmoid output against labels in [0, 1].

    With ``from_sigmoid=False`` (default) ``pred`` holds logits and the loss is computed stably
    as ``relu(x) - x * y + log(1 + exp(-|x|))``; with ``from_sigmoid=True`` ``pred`` holds
    probabilities and the loss is ``-(y * log(p + 1e-12) + (1 - y) * log(1 - p + 1e-12))``.
    ``pos_weight`` (a fourth call argument, broadcast against the label) weighs the positive term.

    Parameters
    ----------
    from_sigmoid : bool
        Whether ``pred`` is already a probability.
    weight : float or None
        Scalar weight of the loss.
    batch_axis : int
        The sample axis.

    Example:
        >>> loss = gloss.SigmoidBinaryCrossEntropyLoss()
        >>> loss(mx.nd.array([[0.0, 2.0]]), mx.nd.array([[1.0, 0.0]]))
        <BLANKLINE>
        [1.4100376]
        <NDArray 1 @cpu(0)>
    """

    def __init__(
        self, from_sigmoid: bool = False, weight: float | None = None, batch_axis: int = 0, **kwargs
    ):
        super().__init__(weight, batch_axis, **kwargs)
        self._from_sigmoid = from_sigmoid

    def hybrid_forward(self, F, pred, label, sample_weight=None, pos_weight=None):
        label = _reshape_like(F, label, pred, self.__class__.__name__)
        if not self._from_sigmoid:
            if pos_weight is None:
                loss = F.relu(pred) - pred * label + _softrelu_neg_abs(F, pred)
            else:
                log_weight = 1 + F.broadcast_mul(pos_weight - 1, label)
                loss = pred - pred * label + log_weight * (_softrelu_neg_abs(F, pred) + F.relu(-pred))
        else:
            eps = 1e-12
            positive = F.log(pred + eps) * label
            if pos_weight is not None:
                positive = F.broadcast_mul(positive, pos_weight)
            loss = -(positive + F.log(1.0 - pred + eps) * (1.0 - label))
        loss = _apply_weighting(F, loss, self._weight, sample_weight)
        return _batch_mean(F, loss, self._batch_axis)


SigmoidBCELoss = SigmoidBinaryCrossEntropyLoss


class SoftmaxCrossEntropyLoss(Loss):
    """Cross entropy of a softmax over ``axis`` against class indices or distributions.

    ``loss = -log_softmax(pred)[label]`` for ``sparse_label=True`` (labels are class indices),
    ``-sum(label * log_softmax(pred), axis)`` otherwise. With ``from_logits=True`` ``pred``
    already holds log-probabilities.

    Parameters
    ----------
    axis : int
        The class axis.
    sparse_label : bool
        Labels are class indices (True) or probability distributions (False).
    from_logits : bool
        ``pred`` is already log-softmax output.
    weight : float or None
        Scalar weight of the loss.
    batch_axis : int
        The sample axis.

    Example:
        >>> loss = gloss.SoftmaxCrossEntropyLoss()
        >>> loss(mx.nd.array([[1.0, 1.0], [0.0, 0.0]]), mx.nd.array([0, 1]))
        <BLANKLINE>
        [0.6931472 0.6931472]
        <NDArray 2 @cpu(0)>
    """

    def __init__(
        self,
        axis: int = -1,
        sparse_label: bool = True,
        from_logits: bool = False,
        weight: float | None = None,
        batch_axis: int = 0,
        **kwargs,
    ):
        super().__init__(weight, batch_axis, **kwargs)
        self._axis = axis
        self._sparse_label = sparse_label
        self._from_logits = from_logits

    def hybrid_forward(self, F, pred, label, sample_weight=None):
        if not self._from_logits:
            pred = F.log_softmax(pred, axis=self._axis)
        if self._sparse_label:
            loss = -F.pick(pred, label, axis=self._axis, keepdims=True)
        else:
            label = _reshape_like(F, label, pred, self.__class__.__name__)
            loss = -F.sum(pred * label, axis=self._axis, keepdims=True)
        loss = _apply_weighting(F, loss, self._weight, sample_weight)
        return _batch_mean(F, loss, self._batch_axis)


SoftmaxCELoss = SoftmaxCrossEntropyLoss


class KLDivLoss(Loss):
    """Kullback-Leibler divergence ``label * (log(label + 1e-12) - pred)``, summed per sample.

    ``pred`` holds log-probabilities (``from_logits=True``, the default) or scores that get a
    log-softmax over ``axis`` first. As in MXNet 1.9.1 the element-wise terms are summed (not
    averaged) over all axes except ``batch_axis``.

    Parameters
    ----------
    from_logits : bool
        ``pred`` is already a log-probability.
    axis : int
        The axis of the log-softmax when ``from_logits=False``.
    weight : float or None
        Scalar weight of the loss.
    batch_axis : int
        The sample axis.

    Example:
        >>> loss = gloss.KLDivLoss(from_logits=False)
        >>> loss(mx.nd.array([[0.0, 0.0]]), mx.nd.array([[0.5, 0.5]]))
        <BLANKLINE>
        [0.]
        <NDArray 1 @cpu(0)>
    """

    def __init__(
        self,
        from_logits: bool = True,
        axis: int = -1,
        weight: float | None = None,
        batch_axis: int = 0,
        **kwargs,
    ):
        super().__init__(weight, batch_axis, **kwargs)
        self._from_logits = from_logits
        self._axis = axis

    def hybrid_forward(self, F, pred, label, sample_weight=None):
        if not self._from_logits:
            pred = F.log_softmax(pred, axis=self._axis)
        loss = label * (F.log(label + 1e-12) - pred)
        loss = _apply_weighting(F, loss, self._weight, sample_weight)
        return F.sum(loss, axis=self._batch_axis, exclude=True)


class CTCLoss(Loss):
    """Connectionist temporal classification loss (sequence labelling without alignment).

    ``pred`` holds unnormalised scores over an alphabet whose last class is the blank; labels
    are class indices padded with -1 (or cut by ``label_lengths``). One value per sequence.

    Parameters
    ----------
    layout : str
        Layout of ``pred``: ``'NTC'`` (batch, time, classes) or ``'TNC'``.
    label_layout : str
        Layout of ``label``: ``'NT'`` or ``'TN'``; its ``N`` is the batch axis.
    weight : float or None
        Scalar weight of the loss.

    Call arguments: ``pred, label, pred_lengths=None, label_lengths=None, sample_weight=None``.

    Example:
        >>> loss = gloss.CTCLoss()
        >>> loss(mx.nd.zeros((1, 2, 2)), mx.nd.array([[0]]))  # -log(3/4): paths a-a, a-_, _-a
        <BLANKLINE>
        [0.2876821]
        <NDArray 1 @cpu(0)>
    """

    def __init__(self, layout: str = "NTC", label_layout: str = "NT", weight: float | None = None, **kwargs):
        if layout not in ("NTC", "TNC"):
            raise AssertionError(f"Only 'NTC' and 'TNC' layouts for pred are supported. Got: {layout}")
        if label_layout not in ("NT", "TN"):
            raise AssertionError(f"Only 'NT' and 'TN' layouts for label are supported. Got: {label_layout}")
        self._layout = layout
        self._label_layout = label_layout
        super().__init__(weight, label_layout.find("N"), **kwargs)

    def hybrid_forward(self, F, pred, label, pred_lengths=None, label_lengths=None, sample_weight=None):
        if self._layout == "NTC":
            pred = F.swapaxes(pred, 0, 1)
        if self._batch_axis == 1:
            label = F.swapaxes(label, 0, 1)
        loss = F.CTCLoss(
            pred,
            label,
            pred_lengths,
            label_lengths,
            use_data_lengths=pred_lengths is not None,
            use_label_lengths=label_lengths is not None,
            blank_label="last",
        )
        return _apply_weighting(F, loss, self._weight, sample_weight)


class HuberLoss(Loss):
    """Smoothed L1 loss: ``0.5 / rho * d**2`` where ``|d| <= rho``, else ``|d| - 0.5 * rho``.

    Parameters
    ----------
    rho : float
        Where the quadratic part turns linear.
    weight : float or None
        Scalar weight of the loss.
    batch_axis : int
        The sample axis.

    Example:
        >>> gloss.HuberLoss()(mx.nd.array([[0.5, 3.0]]), mx.nd.array([[0.0, 0.0]]))
        <BLANKLINE>
        [1.3125]
        <NDArray 1 @cpu(0)>
    """

    def __init__(self, rho: float = 1, weight: float | None = None, batch_axis: int = 0, **kwargs):
        super().__init__(weight, batch_axis, **kwargs)
        self._rho = rho

    def hybrid_forward(self, F, pred, label, sample_weight=None):
        label = _reshape_like(F, label, pred, "HuberLoss")
        dist = F.abs(label - pred)
        loss = F.where(dist > self._rho, dist - 0.5 * self._rho, (0.5 / self._rho) * F.square(dist))
        loss = _apply_weighting(F, loss, self._weight, sample_weight)
        return _batch_mean(F, loss, self._batch_axis)


class _MarginLoss(Loss):
    """Shared part of HingeLoss and SquaredHingeLoss: labels in {-1, 1}, a margin."""

    def __init__(self, margin: float = 1, weight: float | None = None, batch_axis: int = 0, **kwargs):
        super().__init__(weight, batch_axis, **kwargs)
        self._margin = margin

    def hybrid_forward(self, F, pred, label, sample_weight=None):
        label = _reshape_like(F, label, pred, self.__class__.__name__)
        loss = F.relu(self._margin - pred * label)
        if self._squared:
            loss = F.square(loss)
        loss = _apply_weighting(F, loss, self._weight, sample_weight)
        return _batch_mean(F, loss, self._batch_axis)


class HingeLoss(_MarginLoss):
    """Hinge loss ``max(0, margin - pred * label)`` for labels in {-1, 1}.

    Example:
        >>> gloss.HingeLoss()(mx.nd.array([[0.5, -2.0]]), mx.nd.array([[1.0, 1.0]]))
        <BLANKLINE>
        [1.75]
        <NDArray 1 @cpu(0)>
    """

    _squared = False


class SquaredHingeLoss(_MarginLoss):
    """Squared hinge loss ``max(0, margin - pred * label) ** 2`` for labels in {-1, 1}.

    Example:
        >>> gloss.SquaredHingeLoss()(mx.nd.array([[0.5, -2.0]]), mx.nd.array([[1.0, 1.0]]))
        <BLANKLINE>
        [4.625]
        <NDArray 1 @cpu(0)>
    """

    _squared = True


class LogisticLoss(Loss):
    """Logistic loss ``log(1 + exp(-pred * label))`` for labels in {-1, 1} or {0, 1}.

    Parameters
    ----------
    weight : float or None
        Scalar weight of the loss.
    batch_axis : int
        The sample axis.
    label_format : str
        ``'signed'`` (labels -1/1) or ``'binary'`` (labels 0/1).

    Example:
        >>> gloss.LogisticLoss()(mx.nd.array([[0.0, 0.0]]), mx.nd.array([[1.0, -1.0]]))
        <BLANKLINE>
        [0.6931472]
        <NDArray 1 @cpu(0)>
    """

    def __init__(
        self, weight: float | None = None, batch_axis: int = 0, label_format: str = "signed", **kwargs
    ):
        super().__init__(weight, batch_axis, **kwargs)
        self._label_format = label_format
        if label_format not in ("signed", "binary"):
            raise ValueError(f"label_format can only be signed or binary, recieved {label_format}.")

    def hybrid_forward(self, F, pred, label, sample_weight=None):
        label = _reshape_like(F, label, pred, "LogisticLoss")
        if self._label_format == "signed":
            label = (label + 1.0) / 2.0  # to {0, 1}
        loss = F.relu(pred) - pred * label + _softrelu_neg_abs(F, pred)
        loss = _apply_weighting(F, loss, self._weight, sample_weight)
        return _batch_mean(F, loss, self._batch_axis)


class TripletLoss(Loss):
    """Triplet loss ``max(0, |pred - positive|^2 - |pred - negative|^2 + margin)`` per sample.

    Call arguments: ``pred, positive, negative`` (the squared distances are summed over all axes
    except ``batch_axis``).

    Example:
        >>> loss = gloss.TripletLoss()
        >>> loss(mx.nd.array([[0.0, 0.0]]), mx.nd.array([[1.0, 0.0]]), mx.nd.array([[0.0, 3.0]]))
        <BLANKLINE>
        [0.]
        <NDArray 1 @cpu(0)>
    """

    def __init__(self, margin: float = 1, weight: float | None = None, batch_axis: int = 0, **kwargs):
        super().__init__(weight, batch_axis, **kwargs)
        self._margin = margin

    def hybrid_forward(self, F, pred, positive, negative):
        positive = _reshape_like(F, positive, pred, "TripletLoss")
        negative = _reshape_like(F, negative, pred, "TripletLoss")
        gap = F.sum(
            F.square(positive - pred) - F.square(negative - pred), axis=self._batch_axis, exclude=True
        )
        loss = F.relu(gap + self._margin)
        return _apply_weighting(F, loss, self._weight, None)


class PoissonNLLLoss(Loss):
    """Negative log-likelihood of targets under a Poisson distribution, averaged over everything.

    ``exp(pred) - target * pred`` when ``pred`` is a log-rate (``from_logits=True``), else
    ``pred - target * log(pred + epsilon)``; ``compute_full`` adds Stirling's approximation of
    ``log(target!)`` for targets above 1. Unlike most losses this returns one number (the mean
    over all elements), as MXNet does.

    Call arguments: ``pred, target, sample_weight=None, epsilon=1e-08``.

    Example:
        >>> gloss.PoissonNLLLoss()(mx.nd.array([[0.0, 0.0]]), mx.nd.array([[1.0, 3.0]]))
        <BLANKLINE>
        [1.]
        <NDArray 1 @cpu(0)>
    """

    def __init__(
        self,
        weight: float | None = None,
        from_logits: bool = True,
        batch_axis: int = 0,
        compute_full: bool = False,
        **kwargs,
    ):
        super().__init__(weight, batch_axis, **kwargs)
        self._from_logits = from_logits
        self._compute_full = compute_full

    def hybrid_forward(self, F, pred, target, sample_weight=None, epsilon=1e-08):
        target = _reshape_like(F, target, pred, "PoissonNLLLoss")
        if self._from_logits:
            loss = F.exp(pred) - target * pred
        else:
            loss = pred - target * F.log(pred + epsilon)
        if self._compute_full:
            stirling = target * F.log(target) - target + 0.5 * F.log(2 * target * math.pi)
            loss = loss + stirling * (target > 1)
        loss = _apply_weighting(F, loss, self._weight, sample_weight)
        return F.mean(loss)


class CosineEmbeddingLoss(Loss):
    """Cosine embedding loss: ``1 - cos(x1, x2)`` for label 1, ``max(0, cos(x1, x2) - margin)`` for -1.

    The cosine is taken over the last axis; the result has shape (batch, 1).

    Call arguments: ``input1, input2, label, sample_weight=None``.

    Example:
        >>> loss = gloss.CosineEmbeddingLoss()
        >>> loss(mx.nd.array([[1.0, 0.0]]), mx.nd.array([[1.0, 1.0]]), mx.nd.array([-1]))
        <BLANKLINE>
        [[0.70710677]]
        <NDArray 1x1 @cpu(0)>
    """

    def __init__(self, weight: float | None = None, batch_axis: int = 0, margin: float = 0, **kwargs):
        super().__init__(weight, batch_axis, **kwargs)
        self._margin = margin

    def hybrid_forward(self, F, input1, input2, label, sample_weight=None):
        input1 = _reshape_like(F, input1, input2, "CosineEmbeddingLoss")
        label = F.reshape(label, shape=(-1, 1))
        cos_sim = self._cosine_similarity(F, input1, input2)
        similar = (1 - cos_sim) * (label == 1)
        dissimilar = F.relu((label == -1) * (cos_sim - self._margin))
        loss = similar + dissimilar
        return _apply_weighting(F, loss, self._weight, sample_weight)

    @staticmethod
    def _cosine_similarity(F, x, y, axis=-1):
        x_norm = F.reshape(F.norm(x, axis=axis), shape=(-1, 1))
        y_norm = F.reshape(F.norm(y, axis=axis), shape=(-1, 1))
        x_dot_y = F.reshape(F.sum(x * y, axis=axis), shape=(-1, 1))
        return x_dot_y / F.maximum(x_norm * y_norm, 1e-12)


class SDMLLoss(Loss):
    """Smoothed deep metric learning loss over a batch of paired embeddings (batch, dim).

    Row ``i`` of ``x1`` should be closest to row ``i`` of ``x2``: the softmax of negative squared
    distances is compared (KL divergence, summed per sample) with targets that put
    ``1 - smoothing_parameter`` on the pair and spread the rest over the other rows.

    Example:
        >>> loss = gloss.SDMLLoss(smoothing_parameter=0.0)
        >>> loss(mx.nd.array([[0.0], [10.0]]), mx.nd.array([[0.0], [10.0]]))
        <BLANKLINE>
        [0. 0.]
        <NDArray 2 @cpu(0)>
    """

    def __init__(self, smoothing_parameter: float = 0.3, weight: float = 1.0, batch_axis: int = 0, **kwargs):
        super().__init__(weight, batch_axis, **kwargs)
        self.kl_loss = KLDivLoss(from_logits=True)
        self.smoothing_parameter = smoothing_parameter

    def hybrid_forward(self, F, x1, x2):
        if x1.shape != x2.shape or len(x1.shape) != 2:
            raise MXNetError(
                f"SDMLLoss: x1 and x2 must be (batch, dim) arrays of one shape, got "
                f"{shape_str(x1.shape)} and {shape_str(x2.shape)}"
            )
        batch = x1.shape[0]
        diff = F.broadcast_sub(F.expand_dims(x1, axis=1), F.expand_dims(x2, axis=0))
        distances = F.sum(F.square(diff), axis=2)
        gold = F.eye(batch, ctx=x1.context, dtype=x1.dtype)
        s = self.smoothing_parameter
        labels = gold * (1 - s) + (1 - gold) * s / (batch - 1)
        return self.kl_loss(F.log_softmax(-distances, axis=1), labels)
