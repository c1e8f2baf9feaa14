"""``gluon.contrib.estimator`` programs, written once against the ``mxnet`` API and run both under
real MXNet 1.9.1 (tools/gen_estimator_golden.py) and under regluon (tests/test_estimator.py).

Every program trains a small seeded MLP (no dropout, no shuffling) on a fixed data set and returns
JSON-able facts: metric values per epoch, final weights, log lines (times masked), file names,
warnings and error messages.
"""

import logging
import os
import re
import warnings

import numpy as np
from mxnet.gluon.contrib import estimator as E

import mxnet as mx
from mxnet import gluon

_TIME = re.compile(r"\d+\.\d{3}s|total \d+s")


class _Lines(logging.Handler):
    def __init__(self):
        super().__init__()
        self.lines = []

    def emit(self, record):
        self.lines.append(_TIME.sub("<t>", record.getMessage()))


class _Recorder(E.EpochEnd):
    """Records every metric of the estimator after each epoch (runs after validation)."""

    def __init__(self, est):
        self.est, self.rows = est, []

    def epoch_end(self, estimator, *args, **kwargs):
        self.rows.append(
            [[float(v) for v in m.get()[1:]] for m in self.est.train_metrics + self.est.val_metrics]
        )
        return False


def data(n=24, seed=0):
    rs = np.random.RandomState(seed)
    X = rs.uniform(-1, 1, (n, 5)).astype("float32")
    Y = (rs.randint(0, 3, n)).astype("float32")
    return X, Y


def loader(X, Y, batch_size=4):
    return gluon.data.DataLoader(
        gluon.data.ArrayDataset(mx.nd.array(X), mx.nd.array(Y)), batch_size=batch_size
    )


def make_net(seed=1, ctx=None):
    """A 5-8-3 MLP whose parameters come from a NumPy RandomState."""
    net = gluon.nn.Sequential()
    net.add(gluon.nn.Dense(8, activation="relu", in_units=5), gluon.nn.Dense(3, in_units=8))
    net.initialize(ctx=ctx)
    rs = np.random.RandomState(seed)
    for p in net.collect_params().values():
        p.set_data(mx.nd.array(rs.uniform(-0.5, 0.5, p.shape)))
    return net


def weights(net):
    return [p.data().asnumpy().ravel().tolist() for p in net.collect_params().values()]


def make_estimator(net, lr=0.1, **kwargs):
    trainer = gluon.Trainer(net.collect_params(), "sgd", {"learning_rate": lr, "momentum": 0.9})
    est = E.Estimator(net, gluon.loss.SoftmaxCrossEntropyLoss(), trainer=trainer, **kwargs)
    lines = _Lines()
    est.logger.handlers = [lines]
    return est, lines


def fit_with_validation():
    X, Y = data()
    net = make_net()
    est, lines = make_estimator(net)
    rec = _Recorder(est)
    log = E.LoggingHandler(log_interval=2, metrics=est.train_metrics)
    est.fit(loader(X, Y), val_data=loader(X[:12], Y[:12], 5), epochs=3, event_handlers=[rec, log])
    names = [m.name for m in est.train_metrics + est.val_metrics]
    return {"names": names, "rows": rec.rows, "weights": weights(net), "log": lines.lines}


def fit_batches_and_evaluate():
    X, Y = data()
    net = make_net(2)
    est, lines = make_estimator(net, lr=0.05)
    est.fit(loader(X, Y), batches=8)
    est.evaluate(loader(X[:10], Y[:10], 3))
    values = [float(m.get()[1]) for m in est.val_metrics]
    return {"weights": weights(net), "log": lines.lines, "val": values}


def early_stopping(mode, min_delta, patience, baseline=None):
    X, Y = data(seed=3)
    net = make_net(4)
    est, lines = make_estimator(net, lr=0.02)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        stop = E.EarlyStoppingHandler(
            est.train_metrics[1], min_delta=min_delta, patience=patience, mode=mode, baseline=baseline
        )
    rec = _Recorder(est)
    est.fit(loader(X, Y), epochs=30, event_handlers=[stop, rec])
    return {
        "epochs": len(rec.rows),
        "stopped_epoch": stop.stopped_epoch,
        "log": lines.lines,
        "warnings": [str(w.message) for w in caught],
        "weights": weights(net),
    }


def checkpoints(root):
    X, Y = data()
    out = {}
    d = os.path.join(root, "ckpt")
    net = make_net()
    est, lines = make_estimator(net)
    ck = E.CheckpointHandler(
        d,
        model_prefix="mlp",
        monitor=est.train_metrics[1],
        verbose=1,
        save_best=True,
        mode="min",
        max_checkpoints=2,
    )
    est.fit(loader(X, Y), epochs=3, event_handlers=[ck])
    out["files"] = sorted(os.listdir(d))
    out["log"] = [line.replace(root, "<root>") for line in lines.lines]
    net2 = make_net(7)
    est2, lines2 = make_estimator(net2)
    ck2 = E.CheckpointHandler(d, model_prefix="mlp", resume_from_checkpoint=True, max_checkpoints=10)
    est2.fit(loader(X, Y), epochs=5, event_handlers=[ck2])
    out["resumed_files"] = sorted(os.listdir(d))
    out["resumed_log"] = [line.replace(root, "<root>") for line in lines2.lines]
    out["resumed_weights"] = weights(net2)
    net3 = make_net()
    est3, _ = make_estimator(net3)
    est3.fit(loader(X, Y), epochs=5)
    out["straight_weights"] = weights(net3)
    d2 = os.path.join(root, "ckpt_batches")
    net4 = make_net()
    est4, _ = make_estimator(net4)
    ck4 = E.CheckpointHandler(d2, epoch_period=None, batch_period=4, max_checkpoints=3)
    est4.fit(loader(X, Y), batches=14, event_handlers=[ck4])
    out["batch_files"] = sorted(os.listdir(d2))
    return out


def _error(fn):
    try:
        fn()
    except Exception as e:  # noqa: BLE001 - the type and message are the facts recorded
        return [type(e).__name__, str(e)]
    return None


def errors(root):
    X, Y = data()
    dl = loader(X, Y)
    net = make_net()
    est, _ = make_estimator(net)
    loss = gluon.loss.L2Loss()
    out = {
        "both_epochs_and_batches": _error(lambda: est.fit(dl, epochs=1, batches=2)),
        "neither": _error(lambda: est.fit(dl)),
        "not_loader": _error(lambda: est.fit([(X, Y)], epochs=1)),
        "eval_not_loader": _error(lambda: est.evaluate([(X, Y)])),
        "bad_loss": _error(lambda: E.Estimator(net, "l2")),
        "bad_metrics": _error(lambda: E.Estimator(net, loss, train_metrics=["acc"])),
        "bad_trainer": _error(lambda: E.Estimator(net, loss, trainer="sgd")),
        "bad_context": _error(lambda: E.Estimator(net, loss, context="cpu")),
        "bad_processor": _error(lambda: E.Estimator(net, loss, batch_processor=object())),
        "bad_log_interval": _error(lambda: E.LoggingHandler(log_interval="batch")),
        "early_no_metric": _error(lambda: E.EarlyStoppingHandler("loss")),
        "early_composite": _error(lambda: E.EarlyStoppingHandler(mx.metric.CompositeEvalMetric())),
        "best_no_monitor": _error(lambda: E.CheckpointHandler(os.path.join(root, "unused"), save_best=True)),
        "bad_handlers": _error(lambda: est.fit(dl, epochs=1, event_handlers=["log"])),
        "foreign_metric": _error(
            lambda: est.fit(dl, epochs=1, event_handlers=[E.MetricHandler([mx.metric.Accuracy()])])
        ),
    }
    return out


def naming_and_warnings():
    out = {}
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        net = make_net()
        est = E.Estimator(net, gluon.loss.L2Loss(), initializer=mx.init.Xavier())
        out["l2_names"] = [m.name for m in est.train_metrics + est.val_metrics]
        est2 = E.Estimator(
            net,
            gluon.loss.SoftmaxCrossEntropyLoss(),
            train_metrics=mx.metric.Accuracy(),
            val_metrics=[mx.metric.TopKAccuracy(2)],
        )
        out["given_names"] = [m.name for m in est2.train_metrics + est2.val_metrics]
        E.EarlyStoppingHandler(est2.train_metrics[0], mode="bogus")
        out["optimizer"] = type(est.trainer.optimizer).__name__
        out["lr"] = est.trainer.learning_rate
    out["warnings"] = [
        [type(w.message).__name__ if isinstance(w.message, Warning) else w.category.__name__, str(w.message)]
        for w in caught
        if "estimator" in w.filename
    ]
    default = E.Estimator(
        make_net(),
        gluon.loss.SoftmaxCrossEntropyLoss(),
        trainer=gluon.Trainer(make_net().collect_params(), "sgd"),
    )
    default.max_epoch, default.max_batch = 1, None
    hs = default._prepare_default_handlers(loader(*data()), None)
    out["default_handlers"] = [[type(h).__name__, getattr(h, "priority", None)] for h in hs]
    return out


class _Trace(E.TrainBegin, E.EpochBegin, E.BatchEnd, E.EpochEnd):
    """Logs its own name at each event, to show where it runs among the default handlers."""

    def __init__(self, name, priority=None):
        self.name = name
        if priority is not None:
            self.priority = priority

    def train_begin(self, estimator, *args, **kwargs):
        estimator.logger.info("%s train_begin", self.name)

    def epoch_begin(self, estimator, *args, **kwargs):
        estimator.logger.info("%s epoch_begin", self.name)

    def batch_end(self, estimator, *args, **kwargs):
        estimator.logger.info("%s batch_end %d", self.name, sum(part.shape[0] for part in kwargs["loss"]))

    def epoch_end(self, estimator, *args, **kwargs):
        estimator.logger.info("%s epoch_end", self.name)


def two_contexts_val_loss_and_order():
    """Batches split over cpu(0) and cpu(1), a weighted validation loss, validation every 4
    batches, and user handlers with priorities among the defaults."""
    X, Y = data(16)
    ctx = [mx.cpu(0), mx.cpu(1)]
    net = make_net(5, ctx=ctx)
    trainer = gluon.Trainer(net.collect_params(), "sgd", {"learning_rate": 0.1})
    est = E.Estimator(
        net,
        gluon.loss.SoftmaxCrossEntropyLoss(),
        trainer=trainer,
        context=ctx,
        val_loss=gluon.loss.SoftmaxCrossEntropyLoss(weight=0.5),
    )
    lines = _Lines()
    est.logger.handlers = [lines]
    val = E.ValidationHandler(loader(X[:8], Y[:8], 2), est.evaluate, epoch_period=None, batch_period=3)
    handlers = [_Trace("late", 10), val, _Trace("plain"), _Trace("early", -1500)]
    est.fit(loader(X, Y), epochs=2, event_handlers=handlers)
    order = [type(h).__name__ for h in est._prepare_default_handlers(None, handlers)]
    return {"weights": weights(net), "log": lines.lines, "order": order}


def evaluate_with_val_net():
    """``evaluate`` runs ``val_net`` (here a net with other weights), not the training net."""
    X, Y = data(12, seed=6)
    est, lines = make_estimator(make_net(2), val_net=make_net(3))
    est.evaluate(loader(X, Y, 4))
    return {"val": [float(m.get()[1]) for m in est.val_metrics], "log": lines.lines}


def run_all(root):
    res = {
        "fit_with_validation": fit_with_validation(),
        "fit_batches_and_evaluate": fit_batches_and_evaluate(),
        "early_min": early_stopping("min", 0.01, 1),
        "early_auto": early_stopping("auto", 0.0, 2),
        "early_baseline": early_stopping("min", 0.0, 0, baseline=1.0),
        "checkpoints": checkpoints(root),
        "errors": errors(root),
        "naming": naming_and_warnings(),
        "two_contexts": two_contexts_val_loss_and_order(),
        "val_net": evaluate_with_val_net(),
    }
    return res
