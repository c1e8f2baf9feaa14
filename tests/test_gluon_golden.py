"""Gluon behaviour against MXNet 1.9.1: names, shapes, reprs and error types.

Golden file: tests/golden/gluon_cases.json, written by tools/gen_gluon_cases.py. The cases run in
order in one namespace, starting from fresh global name counters, as they did under MXNet.
"""

import json
import os
import re

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
    "KeyError": KeyError,
    "TypeError": TypeError,
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
            # the message names the same parameters and arguments as MXNet's
            for token in re.findall(r"['`]([A-Za-z0-9]+_[A-Za-z0-9_.]*)['`]", case["message"]):
                assert token in str(info.value), (where, token)
            continue
        got = repr(eval(case["expr"], env))
        assert got == case["repr"], where
