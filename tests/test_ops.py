"""Every operator of the op table against its NumPy reference: forward, gradient, error inputs.

Adding an op with ``ref`` and ``samples`` to the table adds its cases here. Gradients are
checked in float64 against central differences of the NumPy reference (not of regluon).
"""

import re

import numpy as np
import pytest

import mxnet as mx
from mxnet import autograd, nd
from regluon.ndarray.register import OPS

# Ops with a NumPy reference (or a check) are tested here; all deterministic ops are also tested
# against MXNet itself in test_ops_golden.py (some, such as Pooling, only there).
CASES = [
    (op, i, s)
    for op in OPS.values()
    if op.samples and (op.ref is not None or op.check is not None)
    for i, s in enumerate(op.samples())
]
IDS = [f"{op.name}-{i}" for op, i, _ in CASES]


def _call(op, inputs, params):
    fn = getattr(nd, op.name)
    return fn(*inputs, **params)


def _as_nd(x, dtype=None):
    return nd.array(x, dtype=dtype or x.dtype)


def _ref_params(op, params):
    """Parameters as the reference sees them: string attributes parsed by the op's types."""
    return {k: op.param_map[k].convert(op.name, v) if k in op.param_map else v for k, v in params.items()}


def test_every_op_is_tested():
    untested = [op.name for op in OPS.values() if op.samples is None and not op.name.startswith("multi_")]
    assert untested == []


@pytest.mark.parametrize("op,i,sample", CASES, ids=IDS)
def test_forward(op, i, sample):
    out = _call(op, [_as_nd(x) for x in sample.inputs], dict(sample.params))
    outs = out if isinstance(out, list) else [out]
    if op.check is not None:
        assert op.check(outs[0].asnumpy(), _ref_params(op, sample.params), *sample.inputs)
        return
    expected = op.ref(*sample.inputs, **_ref_params(op, sample.params))
    expected = expected if isinstance(expected, (list, tuple)) else [expected]
    assert len(outs) == len(expected)
    for got, want in zip(outs, expected):
        want = np.asarray(want)
        assert got.shape == want.shape, f"{op.name}: shape {got.shape} != {want.shape}"
        np.testing.assert_allclose(got.asnumpy(), want, rtol=1e-5, atol=1e-6)


def _numeric_grad(f, xs, k, eps=1e-6):
    x = xs[k]
    g = np.zeros_like(x)
    for idx in np.ndindex(x.shape):
        old = x[idx]
        x[idx] = old + eps
        hi = f(xs)
        x[idx] = old - eps
        lo = f(xs)
        x[idx] = old
        g[idx] = (hi - lo) / (2 * eps)
    return g


def _names(op, sample):
    return [op.inputs[0]] * len(sample.inputs) if op.variadic else list(op.inputs)


GRAD_CASES = [
    (op, i, s)
    for op, i, s in CASES
    if op.differentiable and s.grad and s.numeric_grad and s.inputs and op.ref is not None
]


@pytest.mark.parametrize("op,i,sample", GRAD_CASES, ids=[f"{o.name}-{i}" for o, i, _ in GRAD_CASES])
def test_gradient(op, i, sample):
    wrt = [
        x.dtype.kind == "f" and name not in op.no_grad_inputs
        for name, x in zip(_names(op, sample), sample.inputs)
    ]
    xs = [np.array(x, dtype=np.float64) if x.dtype.kind == "f" else x for x in sample.inputs]
    params = _ref_params(op, sample.params)

    def ref_outs(v):
        r = op.ref(*v, **params)
        return [np.asarray(o) for o in (r if isinstance(r, (list, tuple)) else [r])]

    rng = np.random.RandomState(1)
    heads = [rng.uniform(-1, 1, size=o.shape) for o in ref_outs(xs)]
    arrays = [_as_nd(x) for x in xs]
    for a, w in zip(arrays, wrt):
        if w:
            a.attach_grad()
    with autograd.record():
        out = _call(op, arrays, dict(sample.params))
    outs = out if isinstance(out, list) else [out]
    autograd.backward(outs, [nd.array(h, dtype="float64") for h in heads])
    for k in range(len(xs)):
        if not wrt[k]:
            continue
        want = _numeric_grad(lambda v: float(sum(np.sum(o * h) for o, h in zip(ref_outs(v), heads))), xs, k)
        np.testing.assert_allclose(arrays[k].grad.asnumpy(), want, rtol=1e-4, atol=1e-6, err_msg=f"input {k}")


ERROR_CASES = [(op, e) for op in OPS.values() if op.errors for e in op.errors()]


@pytest.mark.parametrize("op,err", ERROR_CASES, ids=[op.name for op, _ in ERROR_CASES])
def test_error_inputs(op, err):
    inputs, params, pattern = err
    arrays = [_as_nd(x) for x in inputs]
    before = [a.asnumpy() for a in arrays]
    with pytest.raises(mx.base.MXNetError, match=pattern):
        _call(op, arrays, params)
    for a, b in zip(arrays, before):
        np.testing.assert_array_equal(a.asnumpy(), b)


def test_string_attributes_parse_like_mxnet():
    x = nd.ones((2, 3, 4))
    assert nd.reshape(x, shape="(0, -1)").shape == (2, 12)
    assert nd.sum(x, axis="(1, 2)", keepdims="True").shape == (2, 1, 1)
    assert nd.FullyConnected(x, nd.ones((5, 12)), no_bias="1", num_hidden="5").shape == (2, 5)
    assert nd.transpose(x, axes="[2, 0, 1]").shape == (4, 2, 3)


def test_bad_parameters_name_op_and_parameter():
    with pytest.raises(ValueError, match=r"sum: invalid value for parameter 'keepdims'"):
        nd.sum(nd.ones((2,)), keepdims="maybe")
    with pytest.raises(TypeError, match=r"FullyConnected: required parameter 'num_hidden'"):
        nd.FullyConnected(nd.ones((2, 3)), nd.ones((4, 3)), nd.ones((4,)))
    with pytest.raises(TypeError, match=r"sum: unexpected argument 'axes'"):
        nd.sum(nd.ones((2,)), axes=0)
    with pytest.raises(TypeError, match=r"broadcast_add: input 'rhs' must be an NDArray, got list"):
        nd.broadcast_add(nd.ones((2,)), [1, 2])


def test_generated_functions_have_signature_and_doc():
    import inspect

    sig = inspect.signature(nd.FullyConnected)
    assert list(sig.parameters)[:4] == ["data", "weight", "bias", "num_hidden"]
    assert sig.parameters["flatten"].default is True
    assert "num_hidden" in nd.FullyConnected.__doc__
    assert re.search(r"Sum over the given axes", nd.sum.__doc__)
    assert (
        nd.random_normal.__doc__.startswith("Samples from the normal") and "loc" in nd.random.normal.__doc__
    )


def test_aliases_and_methods_come_from_the_table():
    assert nd.elemwise_add.op is nd._plus.op
    assert nd.broadcast_plus.op is nd.broadcast_add.op
    x = nd.array([[1, -2], [3, -4]])
    assert x.abs().sum(axis=1).asnumpy().tolist() == [3, 7]
    assert x.clip(-1, 1).asnumpy().tolist() == [[1, -1], [1, -1]]
    assert nd.stop_gradient.op is nd.BlockGrad.op


def test_out_argument_writes_in_place():
    x = nd.ones((2, 2))
    y = nd.zeros((2, 2))
    ret = nd.exp(x * 0, out=y)
    assert ret is y and y.asnumpy().tolist() == [[1, 1], [1, 1]]
    with pytest.raises(mx.base.MXNetError, match="out= has shape"):
        nd.exp(x, out=nd.zeros((3,)))


def test_pooling_same_convention_1d():
    # MXNet 1.9.1 computes pooling_convention='same' only for 1-d data and only in its native CPU kernel
    # (MXNET_MKLDNN_ENABLED=0; the default MKLDNN build fails on it), so these values come from that run.
    x = nd.array(
        [
            [
                [1.7640524, 0.4001572, 0.978738, 2.2408931, 1.867558, -0.9772779, 0.95008844],
                [-0.1513572, -0.10321885, 0.41059852, 0.14404356, 1.4542735, 0.7610377, 0.12167501],
            ]
        ]
    )
    want = {
        "max": [[1.7640524, 2.2408931, 1.867558, 0.95008844], [0.41059852, 1.4542735, 1.4542735, 0.12167501]],
        "avg": [
            [1.0476491, 1.6957297, 0.61345613, 0.95008844],
            [0.05200748, 0.6696385, 0.7789954, 0.12167501],
        ],
        "sum": [[3.1429477, 5.087189, 1.8403685, 0.95008844], [0.15602246, 2.0089154, 2.336986, 0.12167501]],
        "lp": [[2.0566804, 3.0768983, 2.3120365, 0.95008844], [0.4496157, 1.5179759, 1.645872, 0.12167501]],
    }
    for pool_type, values in want.items():
        out = nd.Pooling(
            x, kernel=(3,), stride=(2,), pool_type=pool_type, p_value=2, pooling_convention="same"
        )
        np.testing.assert_allclose(out.asnumpy(), [values], rtol=1e-5, err_msg=pool_type)
    avg = nd.Pooling(x[:, :1], kernel=(4,), stride=(3,), pool_type="avg", pooling_convention="same")
    np.testing.assert_allclose(avg.asnumpy(), [[[1.3459601, 1.0203154, 0.95008844]]], rtol=1e-5)
    x.attach_grad()
    with autograd.record():
        y = nd.Pooling(x, kernel=(3,), stride=(1,), pooling_convention="same")
    y.backward(nd.ones_like(y))
    assert y.shape == (1, 2, 7)
    assert x.grad.asnumpy().tolist() == [[[1, 0, 0, 3, 1, 0, 2], [0, 0, 2, 0, 3, 1, 1]]]
