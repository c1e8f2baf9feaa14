"""gluon.contrib.estimator against MXNet 1.9.1: the programs in tests/estimator_programs.py run
here under regluon and under the oracle (tools/gen_estimator_golden.py -> estimator_golden.json).
"""

import inspect
import json
import math
import os
import re
import warnings

import numpy as np
import pytest
from mxnet.gluon.contrib import estimator as E

from mxnet import gluon

from . import estimator_programs as P

GOLDEN = os.path.join(os.path.dirname(__file__), "golden", "estimator_golden.json")


@pytest.fixture(scope="module")
def golden():
    with open(GOLDEN) as f:
        return json.load(f)


@pytest.fixture(scope="module")
def ours(tmp_path_factory):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return P.run_all(str(tmp_path_factory.mktemp("est")))


_NUMBER = re.compile(r"\d+\.\d+")


def _same_log(got, want):
    """Log lines equal, except that printed decimals may differ by one unit in the last digit
    (float32 sums can fall on the other side of a rounding boundary)."""
    assert len(got) == len(want), (got, want)
    for g, w in zip(got, want):
        assert _NUMBER.sub("#", g) == _NUMBER.sub("#", w)
        for a, b in zip(_NUMBER.findall(g), _NUMBER.findall(w)):
            step = 10.0 ** -len(b.split(".")[1])
            assert abs(float(a) - float(b)) <= step * 1.01, (g, w)


def _close_weights(got, want, atol=2e-5):
    assert len(got) == len(want)
    for g, w in zip(got, want):
        np.testing.assert_allclose(g, w, rtol=1e-4, atol=atol)


def test_fit_metrics_weights_and_batch_log_match_mxnet(ours, golden):
    got, want = ours["fit_with_validation"], golden["fit_with_validation"]
    assert (
        got["names"]
        == want["names"]
        == [
            "training accuracy",
            "training softmaxcrossentropyloss",
            "validation accuracy",
            "validation softmaxcrossentropyloss",
        ]
    )
    np.testing.assert_allclose(np.array(got["rows"]), np.array(want["rows"]), rtol=1e-5)
    _close_weights(got["weights"], want["weights"])
    _same_log(got["log"], want["log"])


def test_fit_by_batches_then_evaluate(ours, golden):
    got, want = ours["fit_batches_and_evaluate"], golden["fit_batches_and_evaluate"]
    _close_weights(got["weights"], want["weights"])
    np.testing.assert_allclose(got["val"], want["val"], rtol=1e-5)
    _same_log(got["log"], want["log"])


@pytest.mark.parametrize("case", ["early_min", "early_auto", "early_baseline"])
def test_early_stopping_stops_at_mxnet_epoch(ours, golden, case):
    got, want = ours[case], golden[case]
    assert (got["epochs"], got["stopped_epoch"]) == (want["epochs"], want["stopped_epoch"])
    _same_log(got["log"], want["log"])
    assert got["warnings"] == want["warnings"]
    _close_weights(got["weights"], want["weights"])


def test_checkpoint_files_best_model_and_resume(ours, golden):
    got, want = ours["checkpoints"], golden["checkpoints"]
    for key in ("files", "resumed_files", "batch_files"):
        assert got[key] == want[key], key
    _same_log(got["log"], want["log"])
    _same_log(got["resumed_log"], want["resumed_log"])
    _close_weights(got["resumed_weights"], want["resumed_weights"])
    # resuming from the epoch-2 checkpoint (momentum state included) continues the same run
    _close_weights(got["resumed_weights"], want["straight_weights"])


def test_errors_match_mxnet(ours, golden):
    assert ours["errors"] == golden["errors"]


def test_metric_names_default_handlers_and_warnings(ours, golden):
    got, want = ours["naming"], golden["naming"]
    for key in ("l2_names", "given_names", "optimizer", "warnings"):
        assert got[key] == want[key], key
    assert math.isclose(got["lr"], want["lr"])
    assert got["default_handlers"] == [
        [n, p if p is None or math.isfinite(p) else math.inf] for n, p in want["default_handlers"]
    ]


def test_two_contexts_validation_period_and_handler_order(ours, golden):
    got, want = ours["two_contexts"], golden["two_contexts"]
    assert got["order"] == want["order"]
    _same_log(got["log"], want["log"])
    _close_weights(got["weights"], want["weights"])


def test_evaluate_uses_val_net(ours, golden):
    got, want = ours["val_net"], golden["val_net"]
    np.testing.assert_allclose(got["val"], want["val"], rtol=1e-5)
    _same_log(got["log"], want["log"])


def test_saved_checkpoint_loads_into_a_fresh_net(tmp_path):
    X, Y = P.data()
    net = P.make_net()
    est, _ = P.make_estimator(net)
    est.fit(P.loader(X, Y), epochs=1, event_handlers=[E.CheckpointHandler(str(tmp_path), model_prefix="m")])
    fresh = P.make_net(9)
    fresh.load_parameters(str(tmp_path / "m-epoch0batch6.params"))
    _close_weights(P.weights(fresh), P.weights(net), atol=0)


def test_resume_refuses_a_finished_run(tmp_path):
    X, Y = P.data()
    est, _ = P.make_estimator(P.make_net())
    est.fit(P.loader(X, Y), epochs=2, event_handlers=[E.CheckpointHandler(str(tmp_path))])
    est2, _ = P.make_estimator(P.make_net())
    with pytest.raises(ValueError, match="maximum number of epoch 2 reached"):
        est2.fit(
            P.loader(X, Y),
            epochs=2,
            event_handlers=[E.CheckpointHandler(str(tmp_path), resume_from_checkpoint=True)],
        )


def test_signatures_follow_mxnet():
    sig = inspect.signature
    assert list(sig(E.Estimator).parameters) == [
        "net",
        "loss",
        "train_metrics",
        "val_metrics",
        "initializer",
        "trainer",
        "context",
        "val_net",
        "val_loss",
        "batch_processor",
    ]
    assert str(sig(E.Estimator.fit)).startswith("(self, train_data, val_data=None, epochs")
    assert sig(E.LoggingHandler).parameters["priority"].default == math.inf
    assert sig(E.CheckpointHandler).parameters["max_checkpoints"].default == 5
    assert sig(E.GradientUpdateHandler).parameters["priority"].default == -2000
    assert gluon.contrib.estimator.BatchProcessor is E.batch_processor.BatchProcessor
