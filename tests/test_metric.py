"""mx.metric against MXNet 1.9.1: values after sequences of updates, local vs global, names, errors.

Golden file: tests/golden/train_cases.{npz,json} (tools/gen_train_cases.py). After every step of a
case (update, reset_local, reset) MXNet's get(), get_global(), their name/value lists and the
instance counts were recorded; the same steps run here on regluon.
"""

import json
import math
import os

import numpy as np
import pytest

import mxnet as mx
from mxnet import nd

from .conftest import GOLDEN

_ARR = np.load(os.path.join(GOLDEN, "train_cases.npz"))
with open(os.path.join(GOLDEN, "train_cases.json")) as _f:
    _DOC = json.load(_f)
CASES = _DOC["metrics"]


# the same functions as tools/gen_train_cases.py
def max_abs(label, pred):
    return np.abs(label - pred).max()


def sum_and_count(label, pred):
    return float(np.abs(label.ravel() - pred.ravel()).sum()), label.size


FEVALS = {"max_abs": max_abs, "sum_and_count": sum_and_count}


def _make(how):
    if how[0] == "np":
        return mx.metric.np(FEVALS[how[1]])
    if how[0] == "class":
        kwargs = dict(how[2])
        if "feval" in kwargs:
            kwargs["feval"] = FEVALS[kwargs["feval"]]
        return getattr(mx.metric, how[1])(**kwargs)
    args = [FEVALS.get(a, a) if isinstance(a, str) else a for a in how[1]]
    return mx.metric.create(*args, **how[2])


def _arrays(keys):
    if keys is None:
        return None
    if isinstance(keys, str):
        return nd.array(_ARR[keys])
    return [nd.array(_ARR[k]) for k in keys]


def _same(got, want, where, rel=1e-6):
    if isinstance(want, list):
        got = list(got)
        assert len(got) == len(want), where
        for g, w in zip(got, want):
            _same(g, w, where, rel)
    elif isinstance(want, str) or want is None:
        assert got == want, where
    elif isinstance(want, float) and math.isnan(want):
        assert math.isnan(got), where
    else:
        assert got == pytest.approx(want, rel=rel, abs=1e-9), where


@pytest.mark.parametrize("case", CASES, ids=[c["id"] for c in CASES])
def test_metric_matches_mxnet(case):
    metric = _make(case["how"])
    for s, (step, snap) in enumerate(zip(case["steps"], case["snapshots"])):
        if step[0].startswith("update"):
            metric.update(_arrays(step[1]), _arrays(step[2]))
        else:
            getattr(metric, step[0])()
        where = f"{case['id']} step {s} ({step[0]})"
        _same(list(metric.get()), snap["get"], where + " get")
        _same(list(metric.get_global()), snap["get_global"], where + " get_global")
        _same([list(p) for p in metric.get_name_value()], snap["name_value"], where)
        _same([list(p) for p in metric.get_global_name_value()], snap["global_name_value"], where)
        _same(getattr(metric, "num_inst", None), snap["num_inst"], where + " num_inst")
        _same(getattr(metric, "global_num_inst", None), snap["global_num_inst"], where + " global_num_inst")
    # str() shows get_name_value() as a dict: compare its names exactly and values approximately
    env = {"nan": float("nan")}
    got, want = eval(str(metric)[len("EvalMetric: ") :], env), eval(case["str"][len("EvalMetric: ") :], env)
    assert str(metric).startswith("EvalMetric: {") and list(got) == list(want)
    _same(list(got.values()), list(want.values()), "str()")


def test_values_are_python_numbers_that_print_like_mxnet():
    acc = mx.metric.Accuracy()
    acc.update([nd.array([0, 1])], [nd.array([[0.9, 0.1], [0.8, 0.2]])])
    name, value = acc.get()
    assert type(value) is float and repr(acc.get()) == "('accuracy', 0.5)"


def test_configs_update_dict_and_names():
    extras = _DOC["metric_extras"]
    acc = mx.metric.Accuracy(axis=1, output_names=["softmax_output"], label_names=["softmax_label"])
    assert acc.get_config() == extras["acc_config"]
    assert mx.metric.TopKAccuracy(top_k=3).get_config() == extras["topk_config"]
    assert mx.metric.create(["acc", "mse"]).get_config() == extras["composite_config"]
    d_label = {"softmax_label": nd.array([0, 1, 1]), "other_label": nd.array([1, 1, 1])}
    d_pred = {
        "other": nd.array([[0.9, 0.1]] * 3),
        "softmax_output": nd.array([[0.9, 0.1], [0.2, 0.8], [0.6, 0.4]]),
    }
    acc.update_dict(d_label, d_pred)
    _same(list(acc.get()), extras["acc_update_dict"], "update_dict")
    comp = mx.metric.CompositeEvalMetric(
        ["acc"], output_names=["softmax_output"], label_names=["softmax_label"]
    )
    comp.update_dict(d_label, d_pred)
    _same(list(comp.get()), extras["composite_update_dict"], "composite update_dict")
    assert {k: mx.metric.create(k).name for k in extras["names"]} == extras["names"]
    names = [
        mx.metric.CustomMetric(max_abs).name,
        mx.metric.CustomMetric(lambda a, b: 0.0).name,
        mx.metric.np(sum_and_count).name,
        mx.metric.np(lambda a, b: 0.0, name="zero").name,
    ]
    assert names == extras["custom_names"]


def test_create_from_config_round_trip_and_register():
    m = mx.metric.create(mx.metric.TopKAccuracy(top_k=4).get_config())
    assert isinstance(m, mx.metric.TopKAccuracy) and m.top_k == 4
    m = mx.metric.create('["perplexity", {"ignore_label": 0}]')
    assert isinstance(m, mx.metric.Perplexity) and m.ignore_label == 0
    acc = mx.metric.Accuracy()
    assert mx.metric.create(acc) is acc

    @mx.metric.register
    @mx.metric.alias("always_one")
    class AlwaysOne(mx.metric.EvalMetric):
        def __init__(self):
            super().__init__("one")

        def update(self, labels, preds):
            self.sum_metric += 1.0
            self.num_inst += 1

    m = mx.metric.create("ALWAYS_ONE")
    m.update([], [])
    assert m.get() == ("one", 1.0) and isinstance(mx.metric.create("alwaysone"), AlwaysOne)


@pytest.mark.parametrize("err", _DOC["metric_errors"], ids=[e["expr"] for e in _DOC["metric_errors"]])
def test_metric_errors_like_mxnet(err):
    errors = {
        "AssertionError": AssertionError,
        "ValueError": ValueError,
        "NotImplementedError": NotImplementedError,
    }
    with pytest.raises(errors[err["error"]]):
        eval(err["expr"], {"mx": mx, "nd": nd, "max_abs": max_abs})


def test_unknown_metric_error_lists_the_known_ones():
    with pytest.raises(AssertionError, match=r"nosuchmetric is not registered.*acc.*rmse"):
        mx.metric.create("nosuchmetric")


def test_composite_get_metric_returns_the_error_as_mxnet_does():
    comp = mx.metric.create(["acc", "mae"])
    assert isinstance(comp.get_metric(1), mx.metric.MAE)
    assert isinstance(comp.get_metric(5), ValueError)  # MXNet returns, not raises, this error


def test_training_loop_with_loss_metrics_and_scheduler_matches_mxnet():
    """Softmax regression by hand (plain SGD, no Trainer), as tools/gen_train_cases.py ran it on MXNet."""
    want = _DOC["loop"]
    x, y = _ARR["loop/x"], _ARR["loop/y"]
    w, b = nd.array(_ARR["loop/w0"]), nd.zeros((3,))
    w.attach_grad()
    b.attach_grad()
    loss = mx.gluon.loss.SoftmaxCrossEntropyLoss()
    sched = mx.lr_scheduler.FactorScheduler(
        step=4, factor=0.7, base_lr=0.5, warmup_steps=3, warmup_begin_lr=0.1
    )
    metric, loss_metric = mx.metric.create(["acc", "ce"]), mx.metric.Loss()
    epochs, rates, step = [], [], 0
    for _ in range(3):
        for start in range(0, 30, 6):
            xb, yb = nd.array(x[start : start + 6]), nd.array(y[start : start + 6])
            with mx.autograd.record():
                out = nd.dot(xb, w) + b
                batch_loss = loss(out, yb)
            batch_loss.backward()
            step += 1
            lr = sched(step)
            rates.append(lr)
            w -= lr / 6 * w.grad
            b -= lr / 6 * b.grad
            metric.update([yb], [nd.softmax(out)])
            loss_metric.update(None, [batch_loss])
        epochs.append([[list(v) for v in metric.get()], list(loss_metric.get())])
        metric.reset_local()
        loss_metric.reset_local()
    assert rates == pytest.approx(want["rates"], rel=1e-12)
    # (MXNet's float32 log-softmax differs from the exact one by about 1e-6 relative)
    _same(epochs, want["epochs"], "per-epoch metrics", rel=1e-5)
    final = [[list(v) for v in metric.get_global()], list(loss_metric.get_global())]
    _same(final, want["global"], "global", rel=1e-5)
    # 15 float32 steps; the bias sums gradients that nearly cancel, hence an absolute tolerance
    np.testing.assert_allclose(w.asnumpy(), _ARR["loop/w"], rtol=1e-5, atol=1e-5)
    np.testing.assert_allclose(b.asnumpy(), _ARR["loop/b"], rtol=1e-5, atol=1e-5)
