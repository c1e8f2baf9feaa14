"""Event handlers for :class:`~.Estimator`: the six event base classes and the stock handlers
(stopping, metrics, validation, logging, checkpoints, early stopping, gradient update).

A handler subclasses the events it reacts to (``TrainBegin``, ``EpochBegin``, ``BatchBegin``,
``BatchEnd``, ``EpochEnd``, ``TrainEnd``). ``fit`` calls them in order of their ``priority``
attribute (lowest first, 0 when absent); a ``batch_end`` or ``epoch_end`` returning True stops
training.
"""

from __future__ import annotations

import operator
import os
import time
import warnings

from ....metric import CompositeEvalMetric, EvalMetric
from ....metric import Loss as _LossMetric
from .utils import _check_metrics

__all__ = [
    "TrainBegin",
    "TrainEnd",
    "EpochBegin",
    "EpochEnd",
    "BatchBegin",
    "BatchEnd",
    "StoppingHandler",
    "MetricHandler",
    "ValidationHandler",
    "LoggingHandler",
    "CheckpointHandler",
    "EarlyStoppingHandler",
    "GradientUpdateHandler",
]

_INF = float("inf")


class EventHandler:
    """Common base of every event handler."""


def _check_event_handlers(handlers) -> list:
    """Turn ``None``, one handler or a list of handlers into a list of handlers.

    A list is returned as is: as in MXNet, ``fit`` then adds its default handlers to the
    caller's list and sorts it in place.
    """
    if isinstance(handlers, EventHandler):
        return [handlers]
    handlers = handlers or []
    if not isinstance(handlers, list):
        handlers = list(handlers)
    if not all(isinstance(h, EventHandler) for h in handlers):
        raise ValueError(f"handlers must be an EventHandler or a list of EventHandler, got: {handlers}")
    return handlers


class TrainBegin(EventHandler):
    """Handler called once when ``fit`` starts."""

    def train_begin(self, estimator, *args, **kwargs) -> None:
        pass


class TrainEnd(EventHandler):
    """Handler called once when ``fit`` ends."""

    def train_end(self, estimator, *args, **kwargs) -> None:
        pass


class EpochBegin(EventHandler):
    """Handler called before each pass over the data."""

    def epoch_begin(self, estimator, *args, **kwargs) -> None:
        pass


class EpochEnd(EventHandler):
    """Handler called after each pass over the data; return True to stop training."""

    def epoch_end(self, estimator, *args, **kwargs) -> bool:
        return False


class BatchBegin(EventHandler):
    """Handler called before each batch (keyword ``batch``)."""

    def batch_begin(self, estimator, *args, **kwargs) -> None:
        pass


class BatchEnd(EventHandler):
    """Handler called after each batch (keywords ``batch``, ``pred``, ``label``, ``loss``);
    return True to end the epoch."""

    def batch_end(self, estimator, *args, **kwargs) -> bool:
        return False


class StoppingHandler(TrainBegin, BatchEnd, EpochEnd):
    """Stops training after ``max_epoch`` epochs or ``max_batch`` batches (``fit`` adds one).

    The limits are taken from the estimator at ``train_begin``.

    Example
    -------
    >>> est.fit(train_data, epochs=3)    # a StoppingHandler(3, None) is added by fit
    """

    def __init__(self, max_epoch: int | None = None, max_batch: int | None = None) -> None:
        self.max_epoch = max_epoch
        self.max_batch = max_batch
        self.current_batch = 0
        self.current_epoch = 0
        self.stop_training = False

    def train_begin(self, estimator, *args, **kwargs) -> None:
        self.max_epoch = estimator.max_epoch
        self.max_batch = estimator.max_batch
        self.current_batch = 0
        self.current_epoch = 0

    def batch_end(self, estimator, *args, **kwargs) -> bool:
        self.current_batch += 1
        if self.current_batch == self.max_batch:
            self.stop_training = True
        return self.stop_training

    def epoch_end(self, estimator, *args, **kwargs) -> bool:
        self.current_epoch += 1
        if self.current_epoch == self.max_epoch:
            self.stop_training = True
        return self.stop_training


class MetricHandler(EpochBegin, BatchEnd):
    """Resets ``metrics`` at each epoch and updates them after each batch.

    A :class:`mxnet.metric.Loss` is updated with the batch losses, every other metric with
    ``(label, pred)``.

    Example
    -------
    >>> handler = MetricHandler(est.train_metrics)
    """

    def __init__(self, metrics, priority: float = -1000) -> None:
        self.metrics = _check_metrics(metrics)
        self.priority = priority

    def epoch_begin(self, estimator, *args, **kwargs) -> None:
        for metric in self.metrics:
            metric.reset()

    def batch_end(self, estimator, *args, **kwargs) -> None:
        pred, label, loss = kwargs["pred"], kwargs["label"], kwargs["loss"]
        for metric in self.metrics:
            if isinstance(metric, _LossMetric):
                metric.update(0, loss)
            else:
                metric.update(label, pred)


class ValidationHandler(TrainBegin, BatchEnd, EpochEnd):
    """Calls ``eval_fn(val_data=..., batch_axis=..., event_handlers=...)`` every
    ``epoch_period`` epochs and/or every ``batch_period`` batches.

    Example
    -------
    >>> handler = ValidationHandler(val_data, est.evaluate, epoch_period=2)
    """

    def __init__(
        self,
        val_data,
        eval_fn,
        epoch_period: int | None = 1,
        batch_period: int | None = None,
        priority: float = -1000,
        event_handlers=None,
    ) -> None:
        self.val_data = val_data
        self.eval_fn = eval_fn
        self.epoch_period = epoch_period
        self.batch_period = batch_period
        self.current_batch = 0
        self.current_epoch = 0
        self.priority = priority
        self.event_handlers = event_handlers

    def _evaluate(self, estimator) -> None:
        self.eval_fn(
            val_data=self.val_data, batch_axis=estimator.batch_axis, event_handlers=self.event_handlers
        )

    def train_begin(self, estimator, *args, **kwargs) -> None:
        self.current_batch = 0
        self.current_epoch = 0

    def batch_end(self, estimator, *args, **kwargs) -> None:
        self.current_batch += 1
        if self.batch_period and self.current_batch % self.batch_period == 0:
            self._evaluate(estimator)

    def epoch_end(self, estimator, *args, **kwargs) -> None:
        self.current_epoch += 1
        if self.epoch_period and self.current_epoch % self.epoch_period == 0:
            self._evaluate(estimator)


def _metrics_text(metrics) -> str:
    return "".join(f"{name}: {value:.4f}, " for name, value in (m.get() for m in metrics))


class LoggingHandler(TrainBegin, TrainEnd, EpochBegin, EpochEnd, BatchBegin, BatchEnd):
    """Writes progress and ``metrics`` to ``estimator.logger`` (runs last: priority inf).

    ``log_interval='epoch'`` logs at each epoch's begin and end; an integer ``n`` also logs
    every ``n``-th batch (``[Epoch e][Batch b][Samples s] time/interval: ...``).

    Example
    -------
    >>> est.fit(train_data, epochs=2, event_handlers=[LoggingHandler(log_interval=10,
    ...                                                             metrics=est.train_metrics)])
    """

    def __init__(self, log_interval: int | str = "epoch", metrics=None, priority: float = _INF) -> None:
        super().__init__()
        if not isinstance(log_interval, int) and log_interval != "epoch":
            raise ValueError("log_interval must be either an integer or string 'epoch'")
        self.metrics = _check_metrics(metrics)
        self.batch_index = 0
        self.current_epoch = 0
        self.processed_samples = 0
        self.priority = priority
        self.log_interval = log_interval
        self.log_interval_time = 0

    def train_begin(self, estimator, *args, **kwargs) -> None:
        self.train_start = time.time()
        trainer = estimator.trainer
        estimator.logger.info(
            "Training begin: using optimizer %s with current learning rate %.4f ",
            type(trainer.optimizer).__name__,
            trainer.learning_rate,
        )
        if estimator.max_epoch:
            estimator.logger.info("Train for %d epochs.", estimator.max_epoch)
        else:
            estimator.logger.info("Train for %d batches.", estimator.max_batch)
        self.current_epoch = 0
        self.batch_index = 0
        self.processed_samples = 0
        self.log_interval_time = 0

    def train_end(self, estimator, *args, **kwargs) -> None:
        elapsed = time.time() - self.train_start
        msg = f"Train finished using total {int(elapsed)}s with {self.current_epoch} epochs. "
        estimator.logger.info((msg + _metrics_text(self.metrics)).rstrip(", "))

    def batch_begin(self, estimator, *args, **kwargs) -> None:
        if isinstance(self.log_interval, int):
            self.batch_start = time.time()

    def batch_end(self, estimator, *args, **kwargs) -> None:
        if isinstance(self.log_interval, int):
            self.log_interval_time += time.time() - self.batch_start
            self.processed_samples += kwargs["batch"][0].shape[0]
            if self.batch_index % self.log_interval == 0:
                msg = (
                    f"[Epoch {self.current_epoch}][Batch {self.batch_index}][Samples {self.processed_samples}] "
                    f"time/interval: {self.log_interval_time:.3f}s "
                )
                self.log_interval_time = 0
                estimator.logger.info((msg + _metrics_text(self.metrics)).rstrip(", "))
        self.batch_index += 1

    def epoch_begin(self, estimator, *args, **kwargs) -> None:
        self.epoch_start = time.time()
        if any("training" in m.name for m in self.metrics):
            estimator.logger.info(
                "[Epoch %d] Begin, current learning rate: %.4f",
                self.current_epoch,
                estimator.trainer.learning_rate,
            )
        else:
            estimator.logger.info("Validation Begin")

    def epoch_end(self, estimator, *args, **kwargs) -> None:
        msg = f"[Epoch {self.current_epoch}] Finished in {time.time() - self.epoch_start:.3f}s, "
        estimator.logger.info((msg + _metrics_text(self.metrics)).rstrip(", "))
        self.current_epoch += 1
        self.batch_index = 0


def _comparison(mode: str, monitor, who: str):
    """The improvement test for ``mode``; MXNet 1.9.1's 'auto' always picks ``greater``."""
    if mode not in ("auto", "min", "max"):
        warnings.warn(
            f"{who} mode {mode} is unknown, fallback to auto mode. CheckpointHandler will use"
            "max mode for f1 and accuracy metric comparison and use min mode other wise",
            RuntimeWarning,
        )
        mode = "auto"
    if mode == "min":
        return operator.lt
    if mode == "max":
        return operator.gt
    # MXNet tests ``'acc' or 'f1' in name``, which is always true: 'auto' means 'max'.
    warnings.warn(
        f"`greater` operator will be used to determine if {monitor.get()[0]} has improved. "
        "Please specify `mode='min'` to use the `less` operator. "
        "Specify `mode='max' to disable this warning.`"
    )
    return operator.gt


class CheckpointHandler(TrainBegin, BatchEnd, EpochEnd):
    """Saves ``<model_prefix>-epoch<E>batch<B>.params`` / ``.states`` into ``model_dir``.

    Checkpoints are written every ``epoch_period`` epochs and/or ``batch_period`` batches; only
    the newest ``max_checkpoints`` are kept. With ``save_best=True`` the parameters are also
    saved as ``<model_prefix>-best`` whenever ``monitor`` improves ('min', 'max'; 'auto' acts as
    'max', as in MXNet 1.9.1). ``resume_from_checkpoint=True`` loads the newest checkpoint at
    ``train_begin`` and shortens the run by the epochs (or batches) already done.

    Example
    -------
    >>> ckpt = CheckpointHandler('ckpt', model_prefix='mlp', max_checkpoints=2)
    >>> est.fit(train_data, epochs=3, event_handlers=[ckpt])   # ckpt/mlp-epoch2batch11.params ...
    """

    def __init__(
        self,
        model_dir: str,
        model_prefix: str = "model",
        monitor=None,
        verbose: int = 0,
        save_best: bool = False,
        mode: str = "auto",
        epoch_period: int | None = 1,
        batch_period: int | None = None,
        max_checkpoints: int = 5,
        resume_from_checkpoint: bool = False,
    ) -> None:
        self.monitor = monitor
        self.verbose = verbose
        os.makedirs(model_dir, exist_ok=True)
        self.model_dir = model_dir
        self.model_prefix = model_prefix
        self.save_best = save_best
        if save_best and not isinstance(monitor, EvalMetric):
            raise ValueError(
                "To save best model only, please provide one of the metric objects "
                "from estimator.train_metrics and estimator.val_metrics as monitor."
            )
        self.epoch_period = epoch_period
        self.batch_period = batch_period
        self.current_batch = 0
        self.current_epoch = 0
        self.max_checkpoints = max_checkpoints
        self.resume_from_checkpoint = resume_from_checkpoint
        self.saved_checkpoints: list[str] = []
        if save_best:
            self.monitor_op = _comparison(mode, monitor, "ModelCheckpoint")
            self.best = _INF if self.monitor_op is operator.lt else -_INF

    def train_begin(self, estimator, *args, **kwargs) -> None:
        self.current_epoch = 0
        self.current_batch = 0
        if self.save_best:
            self.best = _INF if self.monitor_op is operator.lt else -_INF
        if self.resume_from_checkpoint:
            msg = (
                "To use resume from checkpoint, you must only specify the same type of period you "
                "used for training.For example, if you are training based on number of epochs,you "
                "must save only based on epochs, and set batch_period to None."
            )
            if estimator.max_batch:
                assert self.batch_period and not self.epoch_period, msg
            if estimator.max_epoch:
                assert self.epoch_period and not self.batch_period, msg
            self._resume_from_checkpoint(estimator)

    def batch_end(self, estimator, *args, **kwargs) -> None:
        if self.current_batch == 0:
            self._save_symbol(estimator)
        if self.batch_period and (self.current_batch + 1) % self.batch_period == 0:
            self._save_checkpoint(estimator)
        self.current_batch += 1

    def epoch_end(self, estimator, *args, **kwargs) -> None:
        if self.epoch_period and (self.current_epoch + 1) % self.epoch_period == 0:
            self._save_checkpoint(estimator)
        self.current_epoch += 1

    def _save_checkpoint(self, estimator) -> None:
        epoch, batch = self.current_epoch, self.current_batch
        if self.resume_from_checkpoint:
            epoch += self.trained_epoch + 1
            batch += self.trained_batch + (0 if estimator.max_epoch else 1)
        prefix = f"{self.model_prefix}-epoch{epoch}batch{batch}"
        self._save_params_and_trainer(estimator, prefix)
        log = estimator.logger.info
        if self.verbose > 0:
            log(
                "[Epoch %d] CheckpointHandler: trained total %d batches, saving model at %s with prefix: %s",
                self.current_epoch,
                self.current_batch + 1,
                self.model_dir,
                prefix,
            )
        if not self.save_best:
            return
        name, value = self.monitor.get()
        if value != value:  # NaN: the monitor was never updated
            warnings.warn(
                RuntimeWarning(
                    "Skipping save best because %s is not updated, make sure you pass one of the "
                    "metric objects estimator.train_metrics and estimator.val_metrics as monitor",
                    name,
                )
            )
        elif self.monitor_op(value, self.best):
            best_prefix = self.model_prefix + "-best"
            self._save_params_and_trainer(estimator, best_prefix)
            self.best = value
            if self.verbose > 0:  # MXNet logs the new best value twice
                log(
                    "[Epoch %d] CheckpointHandler: %s improved from %0.5f to %0.5f, "
                    "updating best model at %s with prefix: %s",
                    self.current_epoch,
                    name,
                    self.best,
                    value,
                    self.model_dir,
                    best_prefix,
                )
        elif self.verbose > 0:  # MXNet prints the batch counter as the epoch here
            log(
                "[Epoch %d] CheckpointHandler: %s did not improve from %0.5f, skipping updating best model",
                self.current_batch,
                name,
                self.best,
            )

    def _save_symbol(self, estimator) -> None:
        symbol_file = os.path.join(self.model_dir, self.model_prefix + "-symbol.json")
        graph = getattr(estimator.net, "_cached_graph", None)
        if graph:
            graph[1].save(symbol_file)
            return
        estimator.logger.info(
            "Model architecture(symbol file) is not saved, please use HybridBlock to construct "
            "your model, and call net.hybridize() before passing to Estimator in order to save "
            "model architecture as %s.",
            symbol_file,
        )

    def _save_params_and_trainer(self, estimator, file_prefix: str) -> None:
        estimator.net.save_parameters(os.path.join(self.model_dir, file_prefix + ".params"))
        estimator.trainer.save_states(os.path.join(self.model_dir, file_prefix + ".states"))
        if "best" not in file_prefix:
            self.saved_checkpoints.append(file_prefix)
        if len(self.saved_checkpoints) > self.max_checkpoints:
            oldest = self.saved_checkpoints.pop(0)
            for fname in os.listdir(self.model_dir):
                if fname.startswith(oldest):
                    os.remove(os.path.join(self.model_dir, fname))

    def _resume_from_checkpoint(self, estimator) -> None:
        prefix = self.model_prefix + "-epoch"
        self.trained_epoch = self._find_max_iteration(
            self.model_dir, prefix, "epoch", "batch", self.saved_checkpoints
        )
        prefix += str(self.trained_epoch)
        self.trained_batch = self._find_max_iteration(self.model_dir, prefix, "batch", ".params")
        if self.trained_epoch == -1:
            what = (
                f"{estimator.max_batch} batches" if estimator.max_batch else f"{estimator.max_epoch} epochs"
            )
            estimator.logger.info("CheckpointHandler: No checkpoint found, training from scratch for " + what)
            return
        msg = (
            f"CheckpointHandler: Checkpoint resumed from epoch {self.trained_epoch} batch {self.trained_batch}, "
            "continue to train for "
        )
        hint = "resume_from_checkpoint=False (default value) if you wan to train from scratch."
        if estimator.max_epoch:
            if self.trained_epoch >= estimator.max_epoch - 1:
                raise ValueError(
                    f"Found checkpoint with maximum number of epoch {estimator.max_epoch} reached, please specify {hint}"
                )
            estimator.max_epoch -= self.trained_epoch + 1
            msg += f"{estimator.max_epoch} epochs "
        if estimator.max_batch:
            if self.trained_batch >= estimator.max_batch - 1:
                raise ValueError(
                    f"Found checkpoint with maximum number of batch {self.trained_batch} reached, please specify{hint}"
                )
            estimator.max_batch -= self.trained_batch + 1
            msg += f"{estimator.max_batch} batches "
        stem = os.path.join(
            self.model_dir, f"{self.model_prefix}-epoch{self.trained_epoch}batch{self.trained_batch}"
        )
        for path in (stem + ".params", stem + ".states"):
            assert os.path.exists(path), f"Failed to load checkpoint, {path} does not exist"
        estimator.net.load_parameters(stem + ".params", ctx=estimator.context)
        estimator.trainer.load_states(stem + ".states")
        estimator.logger.warning(msg)

    def _find_max_iteration(self, dir, prefix, start, end, saved_checkpoints=None) -> int:
        """The largest number between ``start`` and ``end`` in ``dir``'s ``prefix*.params`` names."""
        found = -1
        for fname in os.listdir(dir):
            if not (fname.startswith(prefix) and ".params" in fname):
                continue
            if saved_checkpoints:  # as in MXNet: only a non-empty list is extended
                saved_checkpoints.append(fname[: fname.find(".params")])
            try:
                found = max(found, int(fname[fname.find(start) + len(start) : fname.find(end)]))
            except ValueError:
                raise ValueError(
                    "Error parsing checkpoint file, please check your checkpoints have the format: "
                    "{model_name}-epoch{epoch_number}batch{batch_number}.params, there should also "
                    "be a .states file for each .params file "
                ) from None
        return found


class EarlyStoppingHandler(TrainBegin, EpochEnd, TrainEnd):
    """Stops training once ``monitor`` has not improved by ``min_delta`` for ``patience`` epochs.

    ``mode`` is 'min' or 'max' ('auto' acts as 'max', as in MXNet 1.9.1); ``baseline`` is the
    value to beat at the start.

    Example
    -------
    >>> stop = EarlyStoppingHandler(est.val_metrics[1], mode='min', patience=2)
    >>> est.fit(train_data, val_data, epochs=100, event_handlers=[stop])
    """

    def __init__(
        self,
        monitor,
        min_delta: float = 0,
        patience: int = 0,
        mode: str = "auto",
        baseline: float | None = None,
    ) -> None:
        super().__init__()
        if not isinstance(monitor, EvalMetric):
            raise ValueError(
                "Please provide one of the metric objects from estimator.train_metrics and "
                "estimator.val_metrics as monitor."
            )
        if isinstance(monitor, CompositeEvalMetric):
            raise ValueError(
                "CompositeEvalMetric is not supported for EarlyStoppingHandler, please specify a simple metric instead."
            )
        self.monitor = monitor
        self.baseline = baseline
        self.patience = patience
        self.wait = 0
        self.stopped_epoch = 0
        self.current_epoch = 0
        self.stop_training = False
        self.monitor_op = _comparison(mode, monitor, "EarlyStopping")
        self.min_delta = min_delta if self.monitor_op is operator.gt else -min_delta

    def train_begin(self, estimator, *args, **kwargs) -> None:
        self.wait = 0
        self.stopped_epoch = 0
        self.current_epoch = 0
        self.stop_training = False
        if self.baseline is not None:
            self.best = self.baseline
        else:
            self.best = _INF if self.monitor_op is operator.lt else -_INF

    def epoch_end(self, estimator, *args, **kwargs) -> bool:
        name, value = self.monitor.get()
        if value != value:  # NaN: the monitor was never updated
            warnings.warn(
                RuntimeWarning(
                    "%s is not updated, make sure you pass one of the metric objects from"
                    "estimator.train_metrics and estimator.val_metrics as monitor.",
                    name,
                )
            )
        elif self.monitor_op(value - self.min_delta, self.best):
            self.best = value
            self.wait = 0
        else:
            self.wait += 1
            if self.wait >= self.patience:
                self.stopped_epoch = self.current_epoch
                self.stop_training = True
        self.current_epoch += 1
        return self.stop_training

    def train_end(self, estimator, *args, **kwargs) -> None:
        if self.stopped_epoch > 0:
            estimator.logger.info(
                "[Epoch %d] EarlyStoppingHanlder: early stopping due to %s not improving",
                self.stopped_epoch,
                self.monitor.get()[0],
            )


class GradientUpdateHandler(BatchEnd):
    """Calls ``estimator.trainer.step(n)`` after each batch, ``n`` being the number of samples
    in the batch losses (runs first: priority -2000).

    Example
    -------
    >>> est.fit(train_data, epochs=1, event_handlers=[GradientUpdateHandler(priority=-3000)])
    """

    def __init__(self, priority: float = -2000) -> None:
        self.priority = priority

    def batch_end(self, estimator, *args, **kwargs) -> None:
        loss = kwargs["loss"]
        losses = loss if isinstance(loss, list) else [loss]
        estimator.trainer.step(sum(part.shape[0] for part in losses))
