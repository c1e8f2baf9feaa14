"""gluon.loss against MXNet 1.9.1: outputs and input gradients of every loss, CTCLoss as an operator.

Golden file: tests/golden/train_cases.{npz,json}, written by tools/gen_train_cases.py under the
oracle. Each case builds the loss with MXNet's constructor arguments, calls it on the recorded
inputs, back-propagates the recorded head gradient and compares with MXNet.
"""

import json
import os

import numpy as np
import pytest

import mxnet as mx
from mxnet import autograd, gluon, nd

from .conftest import GOLDEN

_ARR = np.load(os.path.join(GOLDEN, "train_cases.npz"))
with open(os.path.join(GOLDEN, "train_cases.json")) as _f:
    _DOC = json.load(_f)
LOSSES = _DOC["losses"]
RTOL, ATOL = 1e-5, 1e-6  # MXNet's CPU log/exp kernels differ from exact float32 in the last bits

ERRORS = {"ValueError": ValueError, "AssertionError": AssertionError, "MXNetError": mx.base.MXNetError}


def _inputs(case):
    args = []
    for spec in case["inputs"]:
        if spec is None:
            args.append(None)
        elif "scalar" in spec:
            args.append(spec["scalar"])
        else:
            x = _ARR[spec["array"]]
            args.append(nd.array(x, dtype=x.dtype))
    return args


def _run(case, hybridize=False):
    loss = getattr(gluon.loss, case["loss"])(**case["kwargs"])
    if hybridize:
        loss.hybridize()
    args = _inputs(case)
    for a in args:
        if isinstance(a, nd.NDArray):
            a.attach_grad()
    key = case["id"]
    if f"{key}/head" not in _ARR:
        return loss, args, loss(*args)
    with autograd.record():
        out = loss(*args)
    out.backward(nd.array(_ARR[f"{key}/head"], dtype=out.dtype))
    return loss, args, out


@pytest.mark.parametrize("case", LOSSES, ids=[c["id"] for c in LOSSES])
def test_loss_matches_mxnet(case):
    loss, args, out = _run(case)
    key = case["id"]
    want = _ARR[f"{key}/out"]
    got = out.asnumpy()
    assert got.shape == want.shape and got.dtype == want.dtype, (got.shape, got.dtype)
    np.testing.assert_allclose(got, want, rtol=RTOL, atol=ATOL)
    for k in case["grads"]:
        np.testing.assert_allclose(
            args[k].grad.asnumpy(),
            _ARR[f"{key}/grad{k}"],
            rtol=1e-4,
            atol=1e-5,
            err_msg=f"gradient of input {k}",
        )
    assert repr(loss) == case["repr"]


def test_every_mxnet_loss_is_covered():
    covered = {c["loss"] for c in LOSSES}
    public = {n for n in gluon.loss.__all__ if n != "Loss"}
    assert public <= covered | {"SigmoidBCELoss", "SoftmaxCELoss"} and "SigmoidBCELoss" in covered
    assert gluon.loss.SigmoidBCELoss is gluon.loss.SigmoidBinaryCrossEntropyLoss
    assert gluon.loss.SoftmaxCELoss is gluon.loss.SoftmaxCrossEntropyLoss


@pytest.mark.parametrize("case", LOSSES[::4], ids=[c["id"] for c in LOSSES[::4]])
def test_hybridized_loss_gives_the_same(case):
    _, _, out = _run(case, hybridize=True)
    np.testing.assert_allclose(out.asnumpy(), _ARR[f"{case['id']}/out"], rtol=RTOL, atol=ATOL)


def test_poisson_full_records_and_its_pred_gradient_is_the_plain_one():
    # MXNet 1.9.1 refuses to record compute_full (an in-place update); regluon records it, and the
    # Stirling term depends on the target only, so d/d(pred) equals that of the plain loss.
    pred = nd.array([[0.3, -0.2, 0.5], [0.1, 0.0, -0.4]])
    target = nd.array([[0.0, 2.0, 5.0], [1.0, 3.0, 4.0]])
    grads = []
    for full in (True, False):
        p = pred.copy()
        p.attach_grad()
        with autograd.record():
            out = gluon.loss.PoissonNLLLoss(compute_full=full)(p, target)
        out.backward()
        grads.append(p.grad.asnumpy())
    np.testing.assert_allclose(grads[0], grads[1], rtol=1e-6)
    # plain loss by hand: mean(exp(p) - t * p); gradient (exp(p) - t) / 6
    np.testing.assert_allclose(grads[1], (np.exp(pred.asnumpy()) - target.asnumpy()) / 6, rtol=1e-6)


CTC_OPS = _DOC["ctc_ops"]


@pytest.mark.parametrize("case", CTC_OPS, ids=[c["id"] for c in CTC_OPS])
def test_ctc_operator_matches_mxnet(case):
    key = case["id"]
    arrays = [nd.array(_ARR[f"{key}/in{k}"]) for k in range(case["n_in"])]
    arrays[0].attach_grad()
    with autograd.record():
        out = nd.CTCLoss(*arrays, **case["kwargs"])
    out.backward(nd.array(_ARR[f"{key}/head"]))
    np.testing.assert_allclose(out.asnumpy(), _ARR[f"{key}/out"], rtol=RTOL, atol=ATOL)
    np.testing.assert_allclose(arrays[0].grad.asnumpy(), _ARR[f"{key}/grad0"], rtol=1e-4, atol=1e-5)


def test_ctc_names_and_impossible_alignment():
    x = nd.zeros((2, 1, 3))
    label = nd.array([[1, 1]])  # two equal labels need a blank between them: 3 steps, only 2 here
    for fn in (nd.CTCLoss, nd.ctc_loss, nd.contrib.CTCLoss, nd.contrib.ctc_loss):
        assert fn(x, label).asnumpy().tolist() == [0.0]  # MXNet reports 0 for an impossible alignment
    # one feasible label: paths 1-1, 1-blank, blank-1 out of 9 uniform paths
    np.testing.assert_allclose(nd.CTCLoss(x, nd.array([[1, 0]])).asnumpy(), [-np.log(3 / 9)], rtol=1e-6)


@pytest.mark.parametrize("err", _DOC["loss_errors"], ids=[e["expr"] for e in _DOC["loss_errors"]])
def test_loss_errors_like_mxnet(err):
    with pytest.raises(ERRORS[err["error"]]):
        eval(err["expr"], {"mx": mx, "nd": nd, "gluon": gluon})


def test_shape_errors_name_the_loss_and_shapes_and_leave_inputs_intact():
    pred, label = nd.ones((2, 3)), nd.arange(8).reshape((2, 4))
    with pytest.raises(ValueError, match=r"L2Loss: the label of shape \(2, 4\) .* shape \(2, 3\)"):
        gluon.loss.L2Loss()(pred, label)
    assert label.asnumpy().ravel().tolist() == list(range(8)) and label.shape == (2, 4)
    with pytest.raises(mx.base.MXNetError, match=r"CTCLoss: the max number of labels \(5\) cannot exceed"):
        gluon.loss.CTCLoss()(nd.ones((2, 3, 4)), nd.ones((2, 5)))
    with pytest.raises(mx.base.MXNetError, match="SDMLLoss: x1 and x2 must be"):
        gluon.loss.SDMLLoss()(nd.ones((2, 3)), nd.ones((3, 3)))
