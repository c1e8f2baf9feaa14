"""Helpers shared by the Estimator and its event handlers: metric-argument checks and the
metric suggested for a loss."""

from __future__ import annotations

from ....metric import Accuracy, CompositeEvalMetric, EvalMetric
from ...loss import SoftmaxCrossEntropyLoss


def _check_metrics(metrics) -> list:
    """Turn ``None``, one metric, a list of metrics or a CompositeEvalMetric into a flat list."""
    if isinstance(metrics, CompositeEvalMetric):
        return [m for child in metrics.metrics for m in _check_metrics(child)]
    if isinstance(metrics, EvalMetric):
        return [metrics]
    metrics = metrics or []
    if not all(isinstance(m, EvalMetric) for m in metrics):
        raise ValueError(
            f"metrics must be a Metric or a list of Metric, refer to mxnet.metric.EvalMetric: {metrics}"
        )
    return metrics


def _check_handler_metric_ref(handler, known_metrics) -> None:
    """Refuse a handler whose ``*metric*`` attributes hold metrics the estimator does not own.

    As in MXNet 1.9.1 only attribute names containing ``metric`` are inspected (a handler's
    ``monitor`` is not).
    """
    for attr in dir(handler):
        if "metric" not in attr:
            continue
        ref = getattr(handler, attr)
        if not ref:
            continue
        for metric in ref if isinstance(ref, list) else [ref]:
            if metric not in known_metrics:
                raise ValueError(
                    f"Event handler {type(handler).__name__} refers to a metric instance {metric} "
                    "outside of the known training and validation metrics. Please use the metrics "
                    "from estimator.train_metrics and estimator.val_metrics instead."
                )


def _suggest_metric_for_loss(loss):
    """The metric the Estimator adds for ``loss`` when none is given (Accuracy for softmax CE)."""
    if isinstance(loss, SoftmaxCrossEntropyLoss):
        return Accuracy()
    return None
