"""``BatchProcessor``: what the Estimator does with one batch when training or evaluating."""

from __future__ import annotations

from .... import autograd
from ...utils import split_and_load

__all__ = ["BatchProcessor"]


class BatchProcessor:
    """Runs the network and loss on one batch; subclass it to change a training/validation step.

    ``fit_batch`` and ``evaluate_batch`` each return ``(data, label, pred, loss)``, four lists with
    one entry per context in ``estimator.context`` (the batch is split along ``batch_axis``).
    ``fit_batch`` records the forward pass and runs ``backward`` on every loss; the parameter
    update itself is done by :class:`GradientUpdateHandler`.

    Example
    -------
    >>> class Clipped(BatchProcessor):
    ...     def fit_batch(self, estimator, train_batch, batch_axis=0):
    ...         out = super().fit_batch(estimator, train_batch, batch_axis)
    ...         gluon.utils.clip_global_norm(
    ...             [p.grad() for p in estimator.net.collect_params().values()], 1.0)
    ...         return out
    >>> est = Estimator(net, loss, batch_processor=Clipped())
    """

    def __init__(self) -> None:
        pass

    def _get_data_and_label(self, batch, ctx, batch_axis: int = 0):
        data = split_and_load(batch[0], ctx_list=ctx, batch_axis=batch_axis)
        label = split_and_load(batch[1], ctx_list=ctx, batch_axis=batch_axis)
        return data, label

    def evaluate_batch(self, estimator, val_batch, batch_axis: int = 0):
        """Forward ``val_batch`` through ``estimator.val_net`` and ``estimator.val_loss``."""
        data, label = self._get_data_and_label(val_batch, estimator.context, batch_axis)
        pred = [estimator.val_net(x) for x in data]
        loss = [estimator.val_loss(p, y) for p, y in zip(pred, label)]
        return data, label, pred, loss

    def fit_batch(self, estimator, train_batch, batch_axis: int = 0):
        """Forward ``train_batch`` under ``autograd.record()`` and back-propagate every loss."""
        data, label = self._get_data_and_label(train_batch, estimator.context, batch_axis)
        with autograd.record():
            pred = [estimator.net(x) for x in data]
            loss = [estimator.loss(p, y) for p, y in zip(pred, label)]
        for part in loss:
            part.backward()
        return data, label, pred, loss
