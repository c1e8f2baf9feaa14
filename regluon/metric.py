"""``mx.metric``: evaluation metrics that accumulate over batches (accuracy, F1, RMSE, ...).

Every metric keeps two running sums: a local one (``sum_metric`` / ``num_inst``), cleared by
``reset_local()``, e.g. after each logging interval, and a global one cleared only by
``reset()``. ``get()`` returns ``(name, sum_metric / num_inst)``. What one "instance" is follows
MXNet metric by metric: a sample for Accuracy or CrossEntropy, a batch (an ``update`` call) for
MAE, MSE, RMSE and macro-averaged F1, MCC and PearsonCorrelation.

Metrics work on host copies of the arrays (NumPy); values come back as Python numbers.
"""

from __future__ import annotations

from collections import OrderedDict

import numpy

from . import registry
from .ndarray import NDArray

__all__ = [
    "EvalMetric",
    "CompositeEvalMetric",
    "Accuracy",
    "TopKAccuracy",
    "F1",
    "MCC",
    "Perplexity",
    "MAE",
    "MSE",
    "RMSE",
    "CrossEntropy",
    "NegativeLogLikelihood",
    "PearsonCorrelation",
    "PCC",
    "Loss",
    "Torch",
    "Caffe",
    "CustomMetric",
    "np",
    "create",
    "register",
    "alias",
    "check_label_shapes",
]


def check_label_shapes(labels, preds, wrap: bool = False, shape: bool = False):
    """Check that labels and predictions agree in number (or in shape, with ``shape=True``).

    Raises ``ValueError`` naming both when they do not. With ``wrap=True`` a single NDArray is
    returned wrapped in a list, so callers can always iterate.

    Example:
        >>> mx.metric.check_label_shapes([1, 2], [3], )
        Traceback (most recent call last):
        ValueError: Shape of labels 2 does not match shape of predictions 1
    """
    if shape:
        label_shape, pred_shape = labels.shape, preds.shape
    else:
        label_shape, pred_shape = len(labels), len(preds)
    if label_shape != pred_shape:
        raise ValueError(f"Shape of labels {label_shape} does not match shape of predictions {pred_shape}")
    if wrap:
        if isinstance(labels, NDArray):
            labels = [labels]
        if isinstance(preds, NDArray):
            preds = [preds]
    return labels, preds


def _host(x) -> numpy.ndarray:
    """A NumPy copy of an NDArray (NumPy arrays pass through)."""
    return x.asnumpy() if isinstance(x, NDArray) else numpy.asarray(x)


def _as_number(v):
    """A Python int / float for NumPy scalars (MXNet's values print the same under NumPy 2)."""
    if isinstance(v, (numpy.integer, numpy.bool_)):
        return int(v)
    if isinstance(v, numpy.floating):
        return float(v)
    return v


def create(metric, *args, **kwargs) -> EvalMetric:
    """Make a metric from a name, a list of names/metrics, a function, or a config.

    * a registered name (case-insensitive, e.g. ``'acc'``, ``'ce'``, ``'rmse'``), with the
      constructor arguments passed on;
    * a list: a :class:`CompositeEvalMetric` holding one metric per entry;
    * a function ``feval(label, pred)``: a :class:`CustomMetric`;
    * an ``EvalMetric`` instance (returned as is), a dict ``{'metric': name, ...}`` or its JSON.

    Example:
        >>> mx.metric.create(['acc', 'f1']).get()
        (['accuracy', 'f1'], [nan, nan])
    """
    if callable(metric):
        return CustomMetric(metric, *args, **kwargs)
    if isinstance(metric, list):
        composite = CompositeEvalMetric()
        for child in metric:
            composite.add(create(child, *args, **kwargs))
        return composite
    return _create(metric, *args, **kwargs)


# ------------------------------------------------------------------------------------ base class
class EvalMetric:
    """Base class of evaluation metrics.

    Subclasses implement ``update(labels, preds)`` (lists of NDArrays, or single NDArrays) by
    adding to ``sum_metric`` / ``num_inst`` and, when ``has_global_stats``, to the global pair.

    Parameters
    ----------
    name : str
        Name shown by ``get()``.
    output_names, label_names : list of str or None
        Which outputs / labels ``update_dict`` uses (all, in order, when None).

    Example:
        >>> class Count(mx.metric.EvalMetric):
        ...     def update(self, labels, preds):
        ...         self.sum_metric += len(preds); self.num_inst += 1
        >>> m = Count('count'); m.update([], [1, 2]); m.get()
        ('count', 2.0)
    """

    def __init__(self, name: str, output_names=None, label_names=None, **kwargs):
        self.name = str(name)
        self.output_names = output_names
        self.label_names = label_names
        self._has_global_stats = kwargs.pop("has_global_stats", False)
        self._kwargs = kwargs
        self.reset()

    def __str__(self) -> str:
        return f"EvalMetric: {dict(self.get_name_value())}"

    def get_config(self) -> dict:
        """The constructor arguments, so that ``create(config)`` makes an equal metric."""
        config = dict(self._kwargs)
        config.update(
            metric=self.__class__.__name__,
            name=self.name,
            output_names=self.output_names,
            label_names=self.label_names,
        )
        return config

    def update_dict(self, label: dict, pred: dict) -> None:
        """Update from dicts of name -> array, picking ``label_names`` / ``output_names``."""
        preds = [pred[n] for n in self.output_names] if self.output_names is not None else list(pred.values())
        labels = (
            [label[n] for n in self.label_names] if self.label_names is not None else list(label.values())
        )
        self.update(labels, preds)

    def update(self, labels, preds) -> None:
        """Add one batch: ``labels`` and ``preds`` are NDArrays or lists of NDArrays."""
        raise NotImplementedError()

    def reset(self) -> None:
        """Clear the local and the global statistics."""
        self.num_inst = 0
        self.sum_metric = 0.0
        self.global_num_inst = 0
        self.global_sum_metric = 0.0

    def reset_local(self) -> None:
        """Clear the local statistics only (``get_global`` keeps accumulating)."""
        self.num_inst = 0
        self.sum_metric = 0.0

    def _add(self, value, count) -> None:
        """Add to the local and global sums (NumPy scalars as Python numbers, i.e. float64)."""
        value = _as_number(value)
        self.sum_metric += value
        self.global_sum_metric += value
        self.num_inst += count
        self.global_num_inst += count

    def get(self) -> tuple:
        """``(name, value)`` over the updates since the last reset (NaN before any update)."""
        if self.num_inst == 0:
            return (self.name, float("nan"))
        return (self.name, _as_number(self.sum_metric / self.num_inst))

    def get_global(self) -> tuple:
        """``(name, value)`` over the updates since the last ``reset()``."""
        if not self._has_global_stats:
            return self.get()
        if self.global_num_inst == 0:
            return (self.name, float("nan"))
        return (self.name, _as_number(self.global_sum_metric / self.global_num_inst))

    @staticmethod
    def _pairs(name_value: tuple) -> list:
        name, value = name_value
        names = name if isinstance(name, list) else [name]
        values = value if isinstance(value, list) else [value]
        return list(zip(names, values))

    def get_name_value(self) -> list:
        """``get()`` as a list of ``(name, value)`` pairs."""
        return self._pairs(self.get())

    def get_global_name_value(self) -> list:
        """``get_global()`` as a list of ``(name, value)`` pairs."""
        if not self._has_global_stats:
            return self.get_name_value()
        return self._pairs(self.get_global())


register = registry.get_register_func(EvalMetric, "metric")
register.__doc__ = """Make a metric class creatable by (lower-cased) name with :func:`create`; usable as a decorator.

Example:
    >>> @mx.metric.register
    ... class Zero(mx.metric.EvalMetric):
    ...     def __init__(self): super().__init__('zero')
    ...     def update(self, labels, preds): self.num_inst += 1
    >>> mx.metric.create('zero').get()
    ('zero', nan)
"""
alias = registry.get_alias_func(EvalMetric, "metric")
_create = registry.get_create_func(EvalMetric, "metric")


@register
@alias("composite")
class CompositeEvalMetric(EvalMetric):
    """Several metrics updated together; ``get()`` returns lists of names and values.

    Example:
        >>> m = mx.metric.CompositeEvalMetric(['acc', 'mse'])
        >>> m.update([mx.nd.array([1, 0])], [mx.nd.array([[0.2, 0.8], [0.6, 0.4]])])
        >>> m.get()
        (['accuracy', 'mse'], [1.0, 0.5])
    """

    def __init__(self, metrics=None, name: str = "composite", output_names=None, label_names=None):
        super().__init__(name, output_names=output_names, label_names=label_names, has_global_stats=True)
        self.metrics = [create(m) for m in (metrics or [])]

    def add(self, metric) -> None:
        """Append a metric (anything :func:`create` accepts)."""
        self.metrics.append(create(metric))

    def get_metric(self, index: int):
        """The child metric at ``index`` (as in MXNet, a ValueError is *returned* when out of range)."""
        try:
            return self.metrics[index]
        except IndexError:
            return ValueError(f"Metric index {index} is out of range 0 and {len(self.metrics)}")

    def update_dict(self, labels: dict, preds: dict) -> None:
        if self.label_names is not None:
            labels = OrderedDict(kv for kv in labels.items() if kv[0] in self.label_names)
        if self.output_names is not None:
            preds = OrderedDict(kv for kv in preds.items() if kv[0] in self.output_names)
        for metric in self.metrics:
            metric.update_dict(labels, preds)

    def update(self, labels, preds) -> None:
        for metric in self.metrics:
            metric.update(labels, preds)

    def reset(self) -> None:
        for metric in getattr(self, "metrics", ()):
            metric.reset()

    def reset_local(self) -> None:
        for metric in getattr(self, "metrics", ()):
            metric.reset_local()

    def _collect(self, getter: str) -> tuple:
        names, values = [], []
        for metric in self.metrics:
            name, value = getattr(metric, getter)()
            names.extend(name if isinstance(name, list) else [name])
            values.extend(value if isinstance(value, list) else [value])
        return (names, values)

    def get(self) -> tuple:
        return self._collect("get")

    def get_global(self) -> tuple:
        return self._collect("get_global")

    def get_config(self) -> dict:
        config = super().get_config()
        config["metrics"] = [m.get_config() for m in self.metrics]
        return config


from ._metric_classification import (  # noqa: E402
    F1,
    MCC,
    PCC,
    Accuracy,
    TopKAccuracy,
)
from ._metric_regression import (  # noqa: E402
    MAE,
    MSE,
    RMSE,
    Caffe,
    CrossEntropy,
    CustomMetric,
    Loss,
    NegativeLogLikelihood,
    PearsonCorrelation,
    Perplexity,
    Torch,
    np,
)
