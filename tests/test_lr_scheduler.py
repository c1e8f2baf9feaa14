"""mx.lr_scheduler against MXNet 1.9.1: rate sequences (with warm-up, jumps, falling update numbers
and base_lr overwritten as an optimizer does), the state left behind, and the errors.

Golden file: tests/golden/train_cases.json (tools/gen_train_cases.py).
"""

import json
import logging
import math
import os

import pytest

import mxnet as mx

from .conftest import GOLDEN

with open(os.path.join(GOLDEN, "train_cases.json")) as _f:
    _DOC = json.load(_f)
CASES = _DOC["schedulers"]


@pytest.mark.parametrize("case", CASES, ids=[c["id"] for c in CASES])
def test_schedule_matches_mxnet(case):
    sched = getattr(mx.lr_scheduler, case["class"])(**case["kwargs"])
    for step, want in zip(case["steps"], case["values"]):
        if isinstance(step, list):
            setattr(sched, step[1], step[2])
            continue
        got = sched(step)
        assert got == pytest.approx(want, rel=1e-12, abs=0), f"update {step}"
    for key, want in case["state"].items():  # the attributes MXNet's scheduler had afterwards
        if isinstance(want, float):
            assert getattr(sched, key) == pytest.approx(want, rel=1e-12), key
        else:
            assert getattr(sched, key) == want, key


def test_every_scheduler_and_warmup_mode_is_covered():
    classes = {c["class"] for c in CASES}
    assert classes == {"FactorScheduler", "MultiFactorScheduler", "PolyScheduler", "CosineScheduler"}
    modes = {c["kwargs"].get("warmup_mode", "linear") for c in CASES if c["kwargs"].get("warmup_steps")}
    assert modes == {"linear", "constant"}


def test_warmup_by_hand():
    s = mx.lr_scheduler.CosineScheduler(max_update=14, base_lr=1.0, warmup_steps=4, warmup_begin_lr=0.2)
    assert [s(n) for n in range(4)] == pytest.approx([0.2, 0.4, 0.6, 0.8])
    assert s(4) == 1.0 and s(9) == pytest.approx((1 + math.cos(math.pi / 2)) / 2)


def test_factor_scheduler_logs_its_changes(caplog):
    s = mx.lr_scheduler.FactorScheduler(step=1, factor=0.5, stop_factor_lr=0.3, base_lr=1.0)
    with caplog.at_level(logging.INFO):
        s(2)
        s(3)
    assert "Update[2]: Change learning rate to 5.00000e-01" in caplog.text
    assert "Update[3]: now learning rate arrived at 3.00000e-01, will not change in the future" in caplog.text


@pytest.mark.parametrize("err", _DOC["scheduler_errors"], ids=[e["expr"] for e in _DOC["scheduler_errors"]])
def test_scheduler_errors_like_mxnet(err):
    errors = {
        "ValueError": ValueError,
        "AssertionError": AssertionError,
        "NotImplementedError": NotImplementedError,
    }
    with pytest.raises(errors[err["error"]]) as info:
        eval(err["expr"], {"mx": mx})
    if err["message"]:
        assert err["message"] in str(info.value)
