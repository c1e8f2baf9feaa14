"""NDArray behaviour against MXNet 1.9.1: each expression's repr (or error type) from the oracle.

Golden file: tests/golden/nd_cases.json, written by tools/gen_nd_cases.py under MXNet 1.9.1.
"""

import json
import os
import re

import numpy as np
import pytest

import mxnet as mx
from mxnet import nd

from .conftest import GOLDEN

with open(os.path.join(GOLDEN, "nd_cases.json")) as _f:
    CASES = json.load(_f)["cases"]


def setitem(x, key, value):
    x[key] = value
    return x


def grad_of(fn, x):
    """x's gradient of fn(x) for the head gradient 1, 2, 3, ... (as in tools/gen_nd_cases.py)."""
    x = x.copy()
    x.attach_grad()
    with mx.autograd.record():
        y = fn(x)
    y.backward(nd.arange(1, y.size + 1).reshape(y.shape))
    return x.grad


@pytest.mark.parametrize("case", CASES, ids=[c["expr"] for c in CASES])
def test_matches_mxnet(case):
    env = {"mx": mx, "nd": nd, "np": np, "setitem": setitem, "grad_of": grad_of}
    if "error" in case:
        expected = {
            "MXNetError": mx.base.MXNetError,
            "ValueError": ValueError,
            "TypeError": TypeError,
            "IndexError": IndexError,
        }
        with pytest.raises(expected[case["error"]]):
            eval(case["expr"], env)
        return
    expr = case["expr"]
    if expr.startswith("~ "):
        value = eval(expr[2:], env)
        arr = value.asnumpy()
        assert list(arr.shape) == case["shape"] and arr.dtype.name == case["dtype"]
        np.testing.assert_allclose(arr.astype(np.float64).ravel(), case["values"], rtol=1e-5, atol=1e-6)
        return
    value = eval(expr, env)
    if (
        case.get("dtype") == "float16"
    ):  # NumPy 2 prints float16 differently (6.55e+04 for 65504.): compare values
        arr = value.asnumpy()
        assert list(arr.shape) == case["shape"] and arr.dtype.name == "float16"
        assert arr.astype(np.float64).ravel().tolist() == case["values"]
        return
    got = repr(value)
    # NumPy 2 spells scalar reprs np.float32(2.5) where the oracle's NumPy 1.23 wrote 2.5, and the
    # bool type numpy.bool where NumPy 1.23 wrote numpy.bool_.
    got = re.sub(r"np\.(?:float|int|uint|bool)\w*\((.*?)\)", r"\1", got)
    got = got.replace("<class 'numpy.bool'>", "<class 'numpy.bool_'>")
    assert got == case["repr"]
