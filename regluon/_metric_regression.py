"""Regression, likelihood and user-defined metrics of ``mx.metric``."""

from __future__ import annotations

import math
from collections.abc import Callable

import numpy

from . import ndarray as nd
from .metric import EvalMetric, _host, alias, check_label_shapes, register
from .ndarray import NDArray


@register
class Perplexity(EvalMetric):
    """Perplexity ``exp(mean(-log p(label)))`` of predicted class probabilities.

    Labels equal to ``ignore_label`` (when not None) are left out of the mean. Probabilities
    are clipped below at 1e-10.

    Parameters
    ----------
    ignore_label : int or None
        Label value to skip (e.g. padding).
    axis : int
        The class axis of the predictions.

    Example:
        >>> m = mx.metric.Perplexity(ignore_label=None)
        >>> m.update([mx.nd.array([0, 1])], [mx.nd.array([[0.5, 0.5], [0.25, 0.75]])])
        >>> round(m.get()[1], 4)
        1.633
    """

    def __init__(
        self, ignore_label, axis: int = -1, name: str = "perplexity", output_names=None, label_names=None
    ):
        super().__init__(
            name,
            ignore_label=ignore_label,
            output_names=output_names,
            label_names=label_names,
            has_global_stats=True,
        )
        self.ignore_label = ignore_label
        self.axis = axis

    def update(self, labels, preds) -> None:
        if len(labels) != len(preds):
            raise AssertionError(f"Perplexity: {len(labels)} labels for {len(preds)} predictions")
        loss, num = 0.0, 0
        for label, pred in zip(labels, preds):
            if label.size != pred.size / pred.shape[-1]:
                raise AssertionError(f"shape mismatch: {label.shape} vs. {pred.shape}")
            label = label.as_in_context(pred.context).reshape((label.size,))
            prob = nd.pick(pred, label.astype("int32"), axis=self.axis)
            if self.ignore_label is not None:
                ignore = (label == self.ignore_label).astype(prob.dtype)
                num -= nd.sum(ignore).asscalar()
                prob = prob * (1 - ignore) + ignore
            loss -= nd.sum(nd.log(nd.maximum(1e-10, prob))).asscalar()
            num += prob.size
        self._add(float(loss), num)

    def _perplexity(self, total, count) -> tuple:
        if count == 0:
            return (self.name, float("nan"))
        return (self.name, math.exp(total / count))

    def get(self) -> tuple:
        return self._perplexity(self.sum_metric, self.num_inst)

    def get_global(self) -> tuple:
        return self._perplexity(self.global_sum_metric, self.global_num_inst)


class _PerBatchError(EvalMetric):
    """MAE / MSE / RMSE: an error of each (label, prediction) pair, averaged over the pairs."""

    def __init__(self, name, output_names, label_names):
        super().__init__(name, output_names=output_names, label_names=label_names, has_global_stats=True)

    @staticmethod
    def _error(diff: numpy.ndarray):
        raise NotImplementedError

    def update(self, labels, preds) -> None:
        labels, preds = check_label_shapes(labels, preds, True)
        for label, pred in zip(labels, preds):
            label, pred = _host(label), _host(pred)
            if label.ndim == 1:
                label = label.reshape(label.shape[0], 1)
            if pred.ndim == 1:
                pred = pred.reshape(pred.shape[0], 1)
            self._add(float(self._error(label - pred)), 1)


@register
class MAE(_PerBatchError):
    """Mean absolute error, averaged per batch (per ``update`` pair), as MXNet does.

    Example:
        >>> m = mx.metric.MAE()
        >>> m.update([mx.nd.array([1.0, 2.0])], [mx.nd.array([1.5, 1.0])])
        >>> m.get()
        ('mae', 0.75)
    """

    def __init__(self, name: str = "mae", output_names=None, label_names=None):
        super().__init__(name, output_names, label_names)

    @staticmethod
    def _error(diff):
        return numpy.abs(diff).mean()


@register
class MSE(_PerBatchError):
    """Mean squared error, averaged per batch.

    Example:
        >>> m = mx.metric.MSE()
        >>> m.update([mx.nd.array([1.0, 2.0])], [mx.nd.array([1.5, 1.0])])
        >>> m.get()
        ('mse', 0.625)
    """

    def __init__(self, name: str = "mse", output_names=None, label_names=None):
        super().__init__(name, output_names, label_names)

    @staticmethod
    def _error(diff):
        return (diff**2.0).mean()


@register
class RMSE(_PerBatchError):
    """Root mean squared error of each batch, averaged over batches.

    Example:
        >>> m = mx.metric.RMSE()
        >>> m.update([mx.nd.array([0.0, 0.0])], [mx.nd.array([3.0, 4.0])])
        >>> round(m.get()[1], 4)
        3.5355
    """

    def __init__(self, name: str = "rmse", output_names=None, label_names=None):
        super().__init__(name, output_names, label_names)

    @staticmethod
    def _error(diff):
        return numpy.sqrt((diff**2.0).mean())


class _LabelLikelihood(EvalMetric):
    """CrossEntropy / NegativeLogLikelihood: ``-log(p[label] + eps)`` averaged per sample."""

    def __init__(self, eps, name, output_names, label_names):
        super().__init__(
            name, eps=eps, output_names=output_names, label_names=label_names, has_global_stats=True
        )
        self.eps = eps

    def update(self, labels, preds) -> None:
        labels, preds = check_label_shapes(labels, preds, True)
        for label, pred in zip(labels, preds):
            label, pred = _host(label).ravel(), _host(pred)
            n = pred.shape[0]
            if label.shape[0] != n:
                raise AssertionError(f"{self.name}: {label.shape[0]} labels for {n} predictions")
            prob = pred[numpy.arange(n, dtype=numpy.int64), numpy.int64(label)]
            self._add(float((-numpy.log(prob + self.eps)).sum()), n)


@register
@alias("ce")
class CrossEntropy(_LabelLikelihood):
    """Cross entropy of predicted probabilities (batch, classes) against class labels.

    Example:
        >>> m = mx.metric.CrossEntropy()
        >>> m.update([mx.nd.array([0])], [mx.nd.array([[0.5, 0.5]])])
        >>> round(m.get()[1], 4)
        0.6931
    """

    def __init__(self, eps: float = 1e-12, name: str = "cross-entropy", output_names=None, label_names=None):
        super().__init__(eps, name, output_names, label_names)


@register
@alias("nll_loss")
class NegativeLogLikelihood(_LabelLikelihood):
    """Negative log-likelihood of the labels under predicted probabilities (batch, classes).

    Example:
        >>> m = mx.metric.NegativeLogLikelihood()
        >>> m.update([mx.nd.array([1])], [mx.nd.array([[0.75, 0.25]])])
        >>> round(m.get()[1], 4)
        1.3863
    """

    def __init__(self, eps: float = 1e-12, name: str = "nll-loss", output_names=None, label_names=None):
        super().__init__(eps, name, output_names, label_names)


@register
@alias("pearsonr")
class PearsonCorrelation(EvalMetric):
    """Pearson correlation between predictions and labels.

    ``average='macro'`` averages the coefficient of each (label, prediction) pair; ``'micro'``
    keeps running means and sums of squares over all pairs (the global value of a micro metric
    is 0, as in MXNet, which does not track it).

    Example:
        >>> m = mx.metric.PearsonCorrelation()
        >>> m.update([mx.nd.array([1.0, 2.0, 3.0])], [mx.nd.array([2.0, 4.0, 7.0])])
        >>> round(m.get()[1], 4)
        0.9934
    """

    def __init__(self, name: str = "pearsonr", output_names=None, label_names=None, average: str = "macro"):
        self.average = average
        super().__init__(name, output_names=output_names, label_names=label_names, has_global_stats=True)

    def reset_micro(self) -> None:
        """Clear the running statistics of ``average='micro'``."""
        self._sse_p = self._mean_p = self._sse_l = self._mean_l = 0
        self._pred_nums = self._label_nums = 0
        self._conv = 0

    def reset(self) -> None:
        super().reset()
        if self.average == "micro":
            self.reset_micro()

    @staticmethod
    def update_variance(new_values, count, mean, m_2) -> tuple:
        """Fold a batch into running (count, mean, sum of squared deviations), MXNet's way."""
        count += len(new_values)
        delta = new_values - mean
        mean += numpy.sum(delta / count)
        m_2 += numpy.sum(delta * (new_values - mean))
        return count, mean, m_2

    def update_cov(self, label, pred) -> None:
        """Add the batch's co-deviation from the running means."""
        self._conv = self._conv + numpy.sum((label - self._mean_l) * (pred - self._mean_p))

    def update(self, labels, preds) -> None:
        labels, preds = check_label_shapes(labels, preds, True)
        for label, pred in zip(labels, preds):
            check_label_shapes(label, pred, False, True)
            label = _host(label).ravel().astype(numpy.float64)
            pred = _host(pred).ravel().astype(numpy.float64)
            if self.average == "macro":
                self._add(float(numpy.corrcoef(pred, label)[0, 1]), 1)
                continue
            self.num_inst += 1
            self.global_num_inst += 1
            self._label_nums, self._mean_l, self._sse_l = self.update_variance(
                label, self._label_nums, self._mean_l, self._sse_l
            )
            self.update_cov(label, pred)
            self._pred_nums, self._mean_p, self._sse_p = self.update_variance(
                pred, self._pred_nums, self._mean_p, self._sse_p
            )

    def get(self) -> tuple:
        if self.num_inst == 0:
            return (self.name, float("nan"))
        if self.average == "macro":
            return (self.name, self.sum_metric / self.num_inst)
        n = self._label_nums
        scale = (n - 1) * numpy.sqrt(self._sse_p / (n - 1)) * numpy.sqrt(self._sse_l / (n - 1))
        return (self.name, float(self._conv / scale))


@register
class Loss(EvalMetric):
    """Mean of the values of a loss output (labels are ignored), averaged per element.

    Example:
        >>> m = mx.metric.Loss()
        >>> m.update(None, [mx.nd.array([0.5, 1.5])])
        >>> m.get()
        ('loss', 1.0)
    """

    def __init__(self, name: str = "loss", output_names=None, label_names=None):
        super().__init__(name, output_names=output_names, label_names=label_names, has_global_stats=True)

    def update(self, _, preds) -> None:
        if isinstance(preds, NDArray):
            preds = [preds]
        for pred in preds:
            self._add(float(nd.sum(pred).asscalar()), pred.size)


@register
class Torch(Loss):
    """The mean of a loss output, named ``'torch'`` (MXNet's name for losses from its Torch plugin)."""

    def __init__(self, name: str = "torch", output_names=None, label_names=None):
        super().__init__(name, output_names=output_names, label_names=label_names)


@register
class Caffe(Loss):
    """The mean of a loss output, named ``'caffe'`` (MXNet's name for losses from its Caffe plugin)."""

    def __init__(self, name: str = "caffe", output_names=None, label_names=None):
        super().__init__(name, output_names=output_names, label_names=label_names)


@register
class CustomMetric(EvalMetric):
    """A metric from a function ``feval(label, pred)`` of NumPy arrays.

    ``feval`` returns a value (counted as one instance) or a ``(sum, count)`` pair. The name
    defaults to the function's name (``custom(<lambda>)`` for a lambda).

    Example:
        >>> m = mx.metric.CustomMetric(lambda label, pred: abs(label - pred).max())
        >>> m.update([mx.nd.array([1.0, 2.0])], [mx.nd.array([1.0, 5.0])])
        >>> m.get()
        ('custom(<lambda>)', 3.0)
    """

    def __init__(
        self,
        feval: Callable,
        name: str | None = None,
        allow_extra_outputs: bool = False,
        output_names=None,
        label_names=None,
    ):
        if name is None:
            name = feval.__name__
            if "<" in name:
                name = f"custom({name})"
        super().__init__(
            name,
            feval=feval,
            allow_extra_outputs=allow_extra_outputs,
            output_names=output_names,
            label_names=label_names,
            has_global_stats=True,
        )
        self._feval = feval
        self._allow_extra_outputs = allow_extra_outputs

    def update(self, labels, preds) -> None:
        if not self._allow_extra_outputs:
            labels, preds = check_label_shapes(labels, preds, True)
        for pred, label in zip(preds, labels):
            result = self._feval(_host(label), _host(pred))
            if isinstance(result, tuple):
                total, count = result
                self._add(total, count)
            else:
                self._add(result, 1)

    def get_config(self) -> dict:
        raise NotImplementedError("CustomMetric cannot be serialized")


def np(numpy_feval: Callable, name: str | None = None, allow_extra_outputs: bool = False) -> CustomMetric:
    """A :class:`CustomMetric` from a function of NumPy arrays ``(label, pred)``.

    Example:
        >>> def max_err(label, pred):
        ...     return abs(label - pred).max()
        >>> mx.metric.np(max_err).name
        'max_err'
    """

    def feval(label, pred):
        return numpy_feval(label, pred)

    feval.__name__ = numpy_feval.__name__
    return CustomMetric(feval, name, allow_extra_outputs)
