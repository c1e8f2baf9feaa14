"""The dispatcher's lean paths (``OpDef.direct``, ``OpDef.fast``, the parameter caches) give exactly
what the general path gives: values bit for bit, shapes, dtypes, gradients and errors.

The general path (``invoke`` on parsed parameters) is the one the op-table tests check against
MXNet's goldens; here the lean paths are held to it, and values also to NumPy.
"""

import numpy as np
import pytest
import torch
from mxnet.base import MXNetError

from mxnet import autograd, nd
from regluon.ndarray.register import get_op, invoke, parse_params

REDUCTIONS = ["sum", "mean", "max", "min", "prod", "nansum", "nanprod"]
REDUCE_CALLS = [
    {},
    {"axis": 1},
    {"axis": -1},
    {"axis": 0, "keepdims": True},
    {"axis": 0, "exclude": True},
    {"axis": -1, "exclude": True, "keepdims": True},
    {"keepdims": True},
    {"exclude": True},
    {"axis": (0, 2)},
    {"axis": "(1,)"},
    {"axis": 1, "keepdims": 1},
]


def general(name, *inputs, **kwargs):
    op = get_op(name)
    return invoke(op, inputs, parse_params(op, kwargs))


def same(a, b):
    """Same shape, dtype and bits."""
    x, y = a.asnumpy(), b.asnumpy()
    return x.shape == y.shape and x.dtype == y.dtype and x.tobytes() == y.tobytes()


def outcome(fn, *args, **kwargs):
    """(shape, dtype, bytes) of ``fn(*args, **kwargs)``, or (error type, message)."""
    try:
        r = fn(*args, **kwargs).asnumpy()
    except Exception as err:  # noqa: BLE001
        return type(err), str(err)
    return r.shape, r.dtype, r.tobytes()


@pytest.mark.parametrize("name", REDUCTIONS)
@pytest.mark.parametrize("dtype", ["float16", "float32", "float64", "int32", "bool"])
def test_reductions_match_the_general_path(name, dtype):
    x = nd.array(np.random.RandomState(0).uniform(-2, 2, (2, 3, 4)), dtype=dtype)
    for kwargs in REDUCE_CALLS:
        want = outcome(general, name, x, **kwargs)
        assert outcome(getattr(nd, name), x, **kwargs) == want, kwargs
        assert outcome(getattr(x, name), **kwargs) == want, kwargs


def test_reduction_values_and_shapes_as_numpy():
    a = np.random.RandomState(1).rand(3, 4).astype(np.float32)
    x = nd.array(a)
    np.testing.assert_allclose(x.sum(axis=1).asnumpy(), a.sum(1), rtol=1e-6)
    np.testing.assert_allclose(nd.mean(x, axis=0, exclude=True).asnumpy(), a.mean(1), rtol=1e-6)
    np.testing.assert_allclose(nd.max(x).asnumpy(), [a.max()])
    assert nd.sum(x, 1).shape == (3,)  # the axis given positionally
    assert nd.sum(data=x, axis=0).shape == (4,)
    assert nd.sum(nd.array([1.0, 2.0]), axis=0).shape == (1,)  # MXNet has no 0-d results
    assert nd.sum(x, axis=1, keepdims=True).shape == (3, 1)
    assert nd.sum(x, keepdims=True).shape == (1, 1)


def test_reductions_of_a_0d_array_take_axis_0_only():
    x = nd.from_torch(torch.tensor(3.0))
    assert nd.sum(x, axis=0).asnumpy().tolist() == [3.0]
    with pytest.raises(MXNetError, match="sum: axis -1 is out of range"):
        nd.sum(x, axis=-1)
    with pytest.raises(MXNetError, match="sum: axis -1 is out of range"):
        general("sum", x, axis=-1)


def test_reduction_errors_are_mxnet_errors():
    x = nd.ones((2, 3))
    with pytest.raises(MXNetError, match="sum: axis 2 is out of range for an array with 2 dim"):
        nd.sum(x, axis=2)
    with pytest.raises(MXNetError, match="mean: axis -3 is out of range"):
        x.mean(axis=-3, exclude=True)
    with pytest.raises(MXNetError, match="invalid value for parameter 'axis'"):
        nd.sum(x, axis=True)
    with pytest.raises(TypeError, match="sum: unexpected argument 'axes'"):
        nd.sum(x, axes=1)
    out = nd.zeros((2,))
    assert nd.sum(x, axis=1, out=out) is out and out.asnumpy().tolist() == [3.0, 3.0]


@pytest.mark.parametrize("kwargs", [{"axis": 1}, {}, {"axis": 0, "exclude": True}])
def test_reduction_gradients_match_the_general_path(kwargs):
    a = np.random.RandomState(2).rand(3, 4)
    grads = []
    for fn in (lambda v: nd.mean(v, **kwargs), lambda v: general("mean", v, **kwargs)):
        x = nd.array(a)
        x.attach_grad()
        with autograd.record():
            y = fn(x * x)
        y.backward()
        grads.append(x.grad)
    assert same(*grads)


def test_no_graph_outside_record_on_the_lean_paths():
    x = nd.ones((2, 3))
    x.attach_grad()
    for y in (x.sum(axis=1), nd.mean(x), nd.relu(x), nd.broadcast_add(x, x), x + x):
        assert not y.to_torch().requires_grad


def test_parameter_cache_tells_equal_values_of_other_types_apart():
    idx = nd.array([0, 2])
    assert nd.one_hot(idx, depth=3, on_value=2.0).asnumpy().tolist() == [[2, 0, 0], [0, 0, 2]]
    with pytest.raises(MXNetError, match="invalid value for parameter 'depth'"):
        nd.one_hot(idx, depth=True, on_value=2.0)  # True == 1 and hashes alike, but is no integer here
    assert nd.one_hot(idx, depth=3, on_value=2).asnumpy().tolist() == [[2, 0, 0], [0, 0, 2]]


def test_list_parameters_are_cached_by_their_items():
    x = nd.arange(6)
    assert nd.reshape(x, shape=[2, 3]).shape == (2, 3)
    assert nd.reshape(x, shape=[3, 2]).shape == (3, 2)
    with pytest.raises(MXNetError, match="invalid value for parameter 'shape'"):
        nd.reshape(x, shape=[3.0, 2])  # equal to [3, 2], but MXNet wants ints
    shape = [2, 3]
    assert nd.reshape(x, shape=shape).shape == (2, 3)
    shape[0] = 1  # a list changed in place after a call is parsed again
    shape[1] = 6
    assert nd.reshape(x, shape=shape).shape == (1, 6)


UNARY = [
    "relu",
    "exp",
    "log",
    "sqrt",
    "square",
    "negative",
    "abs",
    "sigmoid",
    "tanh",
    "round",
    "rint",
    "gamma",
]


@pytest.mark.parametrize("name", UNARY)
@pytest.mark.parametrize("dtype", ["float16", "float32", "float64", "int32", "uint8", "bool"])
def test_unary_ops_match_the_general_path(name, dtype):
    x = nd.array(np.random.RandomState(3).uniform(-3, 3, (3, 4)), dtype=dtype)
    want = outcome(general, name, x)
    assert outcome(getattr(nd, name), x) == want
    assert outcome(getattr(nd, name), data=x) == want


def test_unary_ops_take_out_and_name_through_the_general_path():
    x = nd.array([[-1.0, 2.0]])
    out = nd.zeros((1, 2))
    assert nd.relu(x, out=out) is out and out.asnumpy().tolist() == [[0.0, 2.0]]
    assert nd.relu(x, out) is out  # MXNet's positional out
    assert nd.relu(x, name="r").asnumpy().tolist() == [[0.0, 2.0]]
    with pytest.raises(TypeError, match="relu: unexpected argument 'axis'"):
        nd.relu(x, axis=1)
    with pytest.raises(TypeError, match="relu: missing input 'data'"):
        nd.relu()
    np.testing.assert_allclose(nd.exp(x).asnumpy(), np.exp(x.asnumpy()), rtol=1e-6)


def test_unary_gradients_match_the_general_path():
    a = np.random.RandomState(4).uniform(0.5, 2, (3, 4))
    grads = []
    for fn in (lambda v: nd.log(v), lambda v: general("log", v)):
        x = nd.array(a)
        x.attach_grad()
        with autograd.record():
            y = fn(x)
        y.backward()
        grads.append(x.grad)
    assert same(*grads)


@pytest.mark.parametrize("name", ["sum", "mean", "max", "min"])
def test_full_reductions_of_strided_and_large_arrays_match_the_general_path(name):
    a = np.random.RandomState(5).standard_normal((37, 53)).astype(np.float32) * 100
    for x in (nd.array(a), nd.array(a).T, nd.array(a)[:, 1:40], nd.array(np.tile(a, (30, 1)))):
        assert outcome(getattr(nd, name), x) == outcome(general, name, x)
