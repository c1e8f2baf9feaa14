"""Gluon behaviour against MXNet 1.9.1: names, shapes, reprs and error types.

Golden file: tests/golden/gluon_cases.json, written by tools/gen_gluon_cases.py. The cases run in
order in one namespace, starting from fresh global name counters, as they did under MXNet.
"""

import json
import os

import numpy as np
import pytest
from mxnet.gluon import nn

import mxnet as mx
from mxnet import autograd, gluon, init, nd

from .conftest import GOLDEN

with open(os.path.join(GOLDEN, "gluon_cases.json")) as _f:
    CASES = json.load(_f)["cases"]

ERRORS = {
    "RuntimeError": RuntimeError,
    "MXNetError": mx.base.MXNetError,
    "DeferredInitializationError": gluon.DeferredInitializationError,
    "AssertionError": AssertionError,
    "UserWarning": UserWarning,
    "ValueError": ValueError,
}


def test_gluon_cases_match_mxnet():
    with mx.name.NameManager():
        _run_cases()


def _run_cases():
    env = {"mx": mx, "nd": nd, "np": np, "gluon": gluon, "nn": nn, "init": init, "autograd": autograd}
    for case in CASES:
        where = f"{case['setup']!r} / {case['expr']!r}"
        assert "setup_error" not in case
        exec(case["setup"], env)
        if "error" in case:
            with pytest.raises(ERRORS[case["error"]]) as info:
                eval(case["expr"], env)
            # the message names the same parameter / shapes as MXNet's where it names one
            for token in ("dense5_weight", "`dense8_bias`", "'w'", "nosuchopt"):
                if token in case["message"]:
                    assert token.strip("`'") in str(info.value), where
            continue
        got = repr(eval(case["expr"], env))
        assert got == case["repr"], where
