"""Every op of the table against MXNet 1.9.1 itself: outputs and input gradients.

The cases are the table's own samples and error inputs (tools/dump_op_cases.py writes them to
tests/golden/op_cases.npz); MXNet's results come from tools/gen_op_golden.py run under the oracle.
An error input must make MXNet fail as well, unless listed in MXNET_ACCEPTS with the reason.
An op with samples but without golden results fails here: regenerate with ``make golden``.
"""

import json
import os

import numpy as np
import pytest

import mxnet as mx
from mxnet import autograd, nd
from regluon.ndarray.register import OPS

from .conftest import GOLDEN

_CASES = np.load(os.path.join(GOLDEN, "op_cases.npz"))
_GOLD = np.load(os.path.join(GOLDEN, "op_golden.npz"))
INDEX = json.loads(bytes(_CASES["index"]).decode())


#: Error inputs that regluon refuses although MXNet 1.9.1 runs them, and why.
MXNET_ACCEPTS = {
    "reshape-e0": "MXNet's nd.reshape does not check the size: (2, 3) -> (4, 2) reads past the input",
}


def _param(v):
    return tuple(v["tuple"]) if isinstance(v, dict) and "tuple" in v else v


def test_every_deterministic_op_has_golden_cases():
    covered = {c["op"] for c in INDEX}
    missing = [
        op.name
        for op in OPS.values()
        if op.samples and op.check is None and not op.no_golden and op.name not in covered
    ]
    assert missing == [], "regenerate the goldens (make golden) for: " + ", ".join(missing)


def _tol(dtype, grad=False) -> dict:
    """Comparison tolerance: float16 results may differ from MXNet's in the last bits of each step."""
    if dtype == np.float16:
        return {"rtol": 2e-2, "atol": 1e-2} if grad else {"rtol": 1e-2, "atol": 5e-3}
    return {"rtol": 1e-4, "atol": 1e-5} if grad else {"rtol": 1e-5, "atol": 1e-6}


@pytest.mark.parametrize("case", INDEX, ids=[c["key"] for c in INDEX])
def test_op_matches_mxnet(case):
    key = case["key"]
    inputs = [_CASES[f"{key}/in{k}"] for k in range(case["n_in"])]
    params = {k: _param(v) for k, v in case["params"].items()}
    fn = getattr(nd, case["op"])
    arrays = [nd.array(x, dtype=x.dtype) for x in inputs]
    if case.get("error"):  # one of the op's error inputs: MXNet refuses it too
        assert f"{key}/error" in _GOLD or key in MXNET_ACCEPTS, "MXNet 1.9.1 accepts this error input"
        with pytest.raises(mx.base.MXNetError):
            fn(*arrays, **params)
        return
    if f"{key}/error" in _GOLD and case.get("variant") == "float16" and f"{case['base']}/out0" in _GOLD:
        # MXNet's CPU build has no float16 kernel here (e.g. no FP16 gemm). regluon either refuses too or
        # computes in float16, which must then agree with MXNet's float32 result to float16 precision
        try:
            with autograd.record():  # as the golden was recorded (BatchNorm uses batch statistics)
                res = fn(*arrays, **params)
        except mx.base.MXNetError:
            return
        for j, o in enumerate(res if isinstance(res, list) else [res]):
            want = _GOLD[f"{case['base']}/out{j}"]
            np.testing.assert_allclose(o.asnumpy().astype(want.dtype), want, rtol=2e-2, atol=2e-2)
        return
    if f"{key}/error" in _GOLD:
        with pytest.raises((mx.base.MXNetError, ValueError, TypeError, IndexError)):
            fn(*arrays, **params)
        return
    for a, g in zip(arrays, case["grads"]):
        if g:
            a.attach_grad()
    with autograd.record():
        res = fn(*arrays, **params)
    outs = res if isinstance(res, list) else [res]
    for j, o in enumerate(outs):
        want = _GOLD[f"{key}/out{j}"]
        got = o.asnumpy()
        assert got.shape == want.shape and got.dtype == want.dtype, f"output {j}: {got.shape} {got.dtype}"
        np.testing.assert_allclose(got, want, err_msg=f"output {j}", **_tol(want.dtype))
    for k, a in enumerate(arrays):  # inputs after the forward: unchanged, or updated in place as MXNet does
        if f"{key}/post{k}" in _GOLD:
            want = _GOLD[f"{key}/post{k}"]
            np.testing.assert_allclose(
                a.asnumpy(), want, err_msg=f"input {k} after the forward pass", **_tol(want.dtype)
            )
    if any(case["grads"]) and f"{key}/grad_error" not in _GOLD:
        # (where MXNet 1.9.1's own backward fails, e.g. sort, the gradient is checked against finite
        # differences in test_ops.py only)
        heads = [nd.array(_GOLD[f"{key}/head{j}"]) for j in range(len(outs))]
        autograd.backward(outs, heads)
        for k, (a, g) in enumerate(zip(arrays, case["grads"])):
            if g:
                want = _GOLD[f"{key}/grad{k}"]
                np.testing.assert_allclose(
                    a.grad.asnumpy(), want, err_msg=f"gradient of input {k}", **_tol(want.dtype, grad=True)
                )
