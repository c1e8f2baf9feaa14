"""``Estimator``: a ready-made training loop for a Gluon network, driven by event handlers."""

from __future__ import annotations

import copy
import logging
import sys
import warnings

from ....context import Context, cpu, gpu, num_gpus
from ....metric import Loss as _LossMetric
from ...data import DataLoader
from ...loss import Loss as _GluonLoss
from ...trainer import Trainer
from .batch_processor import BatchProcessor
from .event_handler import (
    BatchBegin,
    BatchEnd,
    EpochBegin,
    EpochEnd,
    GradientUpdateHandler,
    LoggingHandler,
    MetricHandler,
    StoppingHandler,
    TrainBegin,
    TrainEnd,
    ValidationHandler,
    _check_event_handlers,
)
from .utils import _check_handler_metric_ref, _check_metrics, _suggest_metric_for_loss

__all__ = ["Estimator"]

_EVENTS = (TrainBegin, EpochBegin, BatchBegin, BatchEnd, EpochEnd, TrainEnd)


class Estimator:
    """Trains ``net`` with ``loss`` on a :class:`~mxnet.gluon.data.DataLoader`, calling event
    handlers (metrics, validation, logging, checkpoints, early stopping) along the way.

    Without ``train_metrics`` the estimator tracks the loss (a :class:`mxnet.metric.Loss` named
    after the loss block, e.g. ``softmaxcrossentropyloss``) plus accuracy for a softmax
    cross-entropy loss. Training metric names get the prefix ``training ``; validation metrics
    (copies of the training ones unless ``val_metrics`` is given) get ``validation ``. An
    uninitialised ``net`` is initialised on ``context`` (default: gpu(0) when present, else cpu);
    without ``trainer`` an SGD trainer with learning rate 0.001 is made (with a warning). Logs
    go to ``estimator.logger``, which writes to stdout.

    Example
    -------
    >>> net = gluon.nn.Dense(10)
    >>> est = Estimator(net, gluon.loss.SoftmaxCrossEntropyLoss(),
    ...                 trainer=gluon.Trainer(net.collect_params(), 'sgd', {'learning_rate': 0.1}))
    >>> est.fit(train_loader, val_data=val_loader, epochs=3)
    >>> est.val_metrics[0].get()
    ('validation accuracy', 0.91)
    """

    logger: logging.Logger | None = None

    def __init__(
        self,
        net,
        loss,
        train_metrics=None,
        val_metrics=None,
        initializer=None,
        trainer: Trainer | None = None,
        context=None,
        val_net=None,
        val_loss=None,
        batch_processor: BatchProcessor | None = None,
    ) -> None:
        self.net = net
        self.loss = self._check_loss(loss)
        self._train_metrics = _check_metrics(train_metrics)
        self._val_metrics = _check_metrics(val_metrics)
        self._add_default_training_metrics()
        self._add_validation_metrics()
        self.val_loss = self.loss if val_loss is None else self._check_loss(val_loss)
        self.val_net = self.net if val_net is None else val_net
        self.logger = logging.Logger(name="Estimator", level=logging.INFO)
        self.logger.addHandler(logging.StreamHandler(sys.stdout))
        self.context = self._check_context(context)
        self._initialize(initializer)
        self.trainer = self._check_trainer(trainer)
        self.batch_processor = self._check_batch_processor(batch_processor)

    # ------------------------------------------------------------------ checks and defaults
    def _check_loss(self, loss):
        if not isinstance(loss, _GluonLoss):
            raise ValueError(f"loss must be a Loss, refer to gluon.loss.Loss:{loss}")
        return loss

    def _check_context(self, context) -> list:
        gpus = [gpu(i) for i in range(num_gpus())]
        if not context:
            if len(gpus) > 1:
                warnings.warn(
                    "You have multiple GPUs, gpu(0) will be used by default.To utilize all your GPUs, "
                    "specify context as a list of gpus, e.g. context=[mx.gpu(0), mx.gpu(1)] "
                )
            return [gpus[0]] if gpus else [cpu()]
        if isinstance(context, Context):
            context = [context]
        elif not (isinstance(context, list) and all(isinstance(c, Context) for c in context)):
            raise ValueError(
                "context must be a Context or a list of Context, for example mx.cpu() or "
                f"[mx.gpu(0), mx.gpu(1)], refer to mxnet.Context:{context}"
            )
        for ctx in context:
            assert ctx in gpus or str(ctx).startswith("cpu"), (
                f"{ctx} is not available, please make sure your context is in one of: mx.cpu(), "
                + ", ".join(str(g) for g in gpus)
            )
        return context

    def _check_batch_processor(self, batch_processor):
        if batch_processor is None:
            return BatchProcessor()
        if not (
            callable(getattr(batch_processor, "fit_batch", None))
            and callable(getattr(batch_processor, "evaluate_batch", None))
        ):
            raise ValueError(
                "Customized Batch Processor must contain fit_batch() and evaluate_batch() methods"
            )
        return batch_processor

    def _is_initialized(self) -> bool:
        params = self.net.collect_params()
        for name in params:
            try:
                params[name].list_ctx()
            except RuntimeError:
                return False
        return True

    def _initialize(self, initializer) -> None:
        if not self._is_initialized():
            if initializer:
                self.net.initialize(init=initializer, ctx=self.context)
            else:
                self.net.initialize(ctx=self.context)
        elif initializer:
            warnings.warn(
                "Network already fully initialized, skipping initialization. You don't need to pass "
                "initializer if you already initialized your net. You can use "
                "net.initialize(init=your_initializer, force_reinit=True)to force re-initialize."
            )

    def _check_trainer(self, trainer):
        if not trainer:
            warnings.warn("No trainer specified, default SGD optimizer with learning rate 0.001 is used.")
            return Trainer(self.net.collect_params(), "sgd", {"learning_rate": 0.001})
        if not isinstance(trainer, Trainer):
            raise ValueError(f"Trainer must be a Gluon Trainer instance, refer to gluon.Trainer:{trainer}")
        return trainer

    def _get_data_and_label(self, batch, ctx, batch_axis: int = 0):
        return self.batch_processor._get_data_and_label(batch, ctx, batch_axis)

    def _add_default_training_metrics(self) -> None:
        if not self._train_metrics:
            suggested = _suggest_metric_for_loss(self.loss)
            if suggested:
                self._train_metrics = [suggested]
            self._train_metrics.append(_LossMetric(self.loss.name.rstrip("0123456789")))
        for metric in self._train_metrics:
            metric.name = "training " + metric.name

    def _add_validation_metrics(self) -> None:
        if not self._val_metrics:
            self._val_metrics = [copy.deepcopy(m) for m in self._train_metrics]
        for metric in self._val_metrics:
            if "training" in metric.name:
                metric.name = metric.name.replace("training", "validation")
            else:
                metric.name = "validation " + metric.name

    @property
    def train_metrics(self) -> list:
        """The training metrics (names start with ``training ``)."""
        return self._train_metrics

    @property
    def val_metrics(self) -> list:
        """The validation metrics (names start with ``validation ``)."""
        return self._val_metrics

    # ------------------------------------------------------------------ loops
    def evaluate(self, val_data, batch_axis: int = 0, event_handlers=None) -> None:
        """Run ``val_net`` over ``val_data`` once, updating :attr:`val_metrics`.

        A MetricHandler and a LoggingHandler on the validation metrics are added unless given.
        """
        if not isinstance(val_data, DataLoader):
            raise ValueError(
                "Estimator only support input as Gluon DataLoader. Alternatively, you can transform "
                "your DataIter or any NDArray into Gluon DataLoader. Refer to gluon.data.DataLoader"
            )
        for metric in self.val_metrics:
            metric.reset()
        handlers = self._prepare_default_validation_handlers(event_handlers)
        _, epoch_begin, batch_begin, batch_end, epoch_end, _ = self._categorize_handlers(handlers)
        for h in epoch_begin:
            h.epoch_begin(self)
        for batch in val_data:
            for h in batch_begin:
                h.batch_begin(self, batch=batch)
            _, label, pred, loss = self.batch_processor.evaluate_batch(self, batch, batch_axis)
            for h in batch_end:
                h.batch_end(self, batch=batch, pred=pred, label=label, loss=loss)
        for h in epoch_end:
            h.epoch_end(self)

    def fit(
        self,
        train_data,
        val_data=None,
        epochs: int | None = None,
        event_handlers=None,
        batches: int | None = None,
        batch_axis: int = 0,
    ) -> None:
        """Train for ``epochs`` passes over ``train_data`` or for ``batches`` batches (exactly one).

        Unless already among ``event_handlers``, fit adds a StoppingHandler, a
        GradientUpdateHandler, a MetricHandler and a LoggingHandler on the training metrics, and
        a ValidationHandler calling :meth:`evaluate` when ``val_data`` is given. Handlers run in
        order of ``priority`` (GradientUpdate -2000, Metric/Validation -1000, yours 0, Logging inf).
        """
        if not isinstance(train_data, DataLoader):
            raise ValueError(
                "Estimator only support input as Gluon DataLoader. Alternatively, you can transform "
                "your DataIter or any NDArray into Gluon DataLoader. Refer to gluon.data.dataloader"
            )
        if (not epochs) == (not batches):
            raise ValueError(
                "Fit only support exactly one type of iteration, train by number of epochs or number "
                "of batches.Please specify one and only one of: epochs or batches."
            )
        self.max_epoch = epochs
        self.max_batch = batches
        self.batch_axis = batch_axis
        handlers = self._prepare_default_handlers(val_data, event_handlers)
        train_begin, epoch_begin, batch_begin, batch_end, epoch_end, train_end = self._categorize_handlers(
            handlers
        )
        for h in train_begin:
            h.train_begin(self)
        stop = False
        while not stop:
            for h in epoch_begin:
                h.epoch_begin(self)
            for batch in train_data:
                for h in batch_begin:
                    h.batch_begin(self, batch=batch)
                _, label, pred, loss = self.batch_processor.fit_batch(self, batch, batch_axis)
                # every handler sees the batch before any request to stop is honoured
                results = [
                    h.batch_end(self, batch=batch, pred=pred, label=label, loss=loss) for h in batch_end
                ]
                if any(results):
                    break
            stop = any([h.epoch_end(self) for h in epoch_end])
        for h in train_end:
            h.train_end(self)

    def _add_defaults(self, event_handlers, defaults, known_metrics) -> list:
        """Append the ``defaults`` (built lazily, keyed by handler class) that are missing from
        ``event_handlers``, check metric references when both kinds are present, sort by priority."""
        handlers = _check_event_handlers(event_handlers)
        added = [
            make() for cls, make in defaults if cls is None or not any(isinstance(h, cls) for h in handlers)
        ]
        added = [h for h in added if h is not None]
        mixing = handlers and added
        handlers.extend(added)
        if mixing:
            for h in handlers:
                _check_handler_metric_ref(h, known_metrics)
        handlers.sort(key=lambda h: getattr(h, "priority", 0))
        return handlers

    def _prepare_default_handlers(self, val_data, event_handlers) -> list:
        defaults = [
            (None, lambda: StoppingHandler(self.max_epoch, self.max_batch)),
            (GradientUpdateHandler, GradientUpdateHandler),
            (MetricHandler, lambda: MetricHandler(metrics=self.train_metrics)),
            (
                ValidationHandler,
                lambda: ValidationHandler(val_data=val_data, eval_fn=self.evaluate) if val_data else None,
            ),
            (LoggingHandler, lambda: LoggingHandler(metrics=self.train_metrics)),
        ]
        return self._add_defaults(event_handlers, defaults, set(self.train_metrics + self.val_metrics))

    def _prepare_default_validation_handlers(self, event_handlers) -> list:
        defaults = [
            (MetricHandler, lambda: MetricHandler(metrics=self.val_metrics)),
            (LoggingHandler, lambda: LoggingHandler(metrics=self.val_metrics)),
        ]
        return self._add_defaults(event_handlers, defaults, set(self.val_metrics))

    def _categorize_handlers(self, event_handlers) -> tuple:
        """Split handlers into the six event lists (train_begin ... train_end), keeping order."""
        return tuple([h for h in event_handlers if isinstance(h, event)] for event in _EVENTS)
