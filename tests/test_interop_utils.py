"""Interop with NumPy / torch / DLPack, and mx.test_utils as MXNet test suites use it."""

import numpy as np
import pytest
import torch

import mxnet as mx
from mxnet import nd
from mxnet import test_utils as tu


def test_from_numpy_shares_memory_and_keeps_dtype():
    a = np.arange(4, dtype=np.int64)
    x = nd.from_numpy(a)
    a[0] = 9
    assert x.dtype is np.int64 and x.asnumpy().tolist() == [9, 1, 2, 3]
    c = nd.from_numpy(a, zero_copy=False)
    a[1] = 7
    assert c.asnumpy().tolist() == [9, 1, 2, 3]
    with pytest.raises(ValueError, match="C-contiguous"):
        nd.from_numpy(np.ones((3, 2))[:, 0])


def test_torch_and_dlpack_share_memory():
    t = torch.zeros(3)
    x = nd.from_torch(t)
    x[:] = 2
    assert t.tolist() == [2, 2, 2] and x.to_torch() is t
    y = nd.from_dlpack(nd.ones((2,)).to_dlpack_for_read())
    assert y.asnumpy().tolist() == [1, 1]
    z = nd.zeros((2,))
    w = nd.from_dlpack(z.to_dlpack_for_write())
    w[:] = 5
    assert z.asnumpy().tolist() == [5, 5]


def test_default_tolerances_are_mxnets():
    assert tu.default_rtols()[np.dtype("float32")] == 1e-4 and tu.default_atols()[np.dtype("float32")] == 1e-3
    assert (
        tu.default_rtols()[np.dtype("float16")] == 1e-2 and tu.default_atols()[np.dtype("float64")] == 1e-20
    )


def test_assert_almost_equal():
    tu.assert_almost_equal(nd.array([1.0, 2.0]), np.array([1.0, 2.0005], dtype=np.float32))
    with pytest.raises(
        AssertionError, match=r"Location of maximum error: \(1,\), x=2.00000000, y=2.10000000"
    ):
        tu.assert_almost_equal(np.array([1.0, 2.0]), np.array([1.0, 2.1]), names=("x", "y"))
    assert tu.almost_equal(nd.ones((2,)), np.ones(2)) and not tu.almost_equal(nd.ones((2,)), np.zeros(2))
    tu.assert_almost_equal(np.array([np.nan]), np.array([np.nan]), equal_nan=True)
    assert tu.same(nd.array([1, 2]), np.array([1, 2], dtype=np.float32))


def test_shapes_arrays_context_environment_exceptions():
    np.random.seed(3)
    s2, s3, sn = tu.rand_shape_2d(4, 5), tu.rand_shape_3d(), tu.rand_shape_nd(4, 3)
    assert len(s2) == 2 and 1 <= s2[0] <= 4 and len(s3) == 3 and len(sn) == 4 and max(sn) <= 3
    a, b = tu.random_arrays((2, 3), (4,))
    assert a.shape == (2, 3) and b.dtype == np.float32
    np.random.seed(3)
    r = tu.rand_ndarray((3, 2))  # MXNet draws dense arrays with random_arrays: standard normal float32
    np.random.seed(3)
    assert r.dtype == np.float32 and r.asnumpy().tolist() == tu.random_arrays((3, 2)).tolist()
    with pytest.raises(AssertionError, match="unknown storage type"):
        tu.rand_ndarray((3, 2), stype="dense")
    assert tu.default_context() == mx.cpu()
    with tu.environment("REGLUON_TEST_VAR", "1"):
        import os

        assert os.environ["REGLUON_TEST_VAR"] == "1"
    assert "REGLUON_TEST_VAR" not in __import__("os").environ
    tu.assert_exception(nd.zeros, TypeError, (2,), bad=1)
    with pytest.raises(AssertionError):
        tu.assert_exception(nd.zeros, TypeError, (2,))


def test_check_numeric_gradient():
    tu.check_numeric_gradient(lambda x, y: nd.sigmoid(x) * y, [np.random.rand(3, 2), np.random.rand(3, 2)])
    with pytest.raises(AssertionError, match="autograd gradient of input 0"):
        tu.check_numeric_gradient(lambda x: nd.BlockGrad(x) * x, [np.random.rand(2)])


def test_base_and_util_names():
    assert mx.base.py_str(b"abc") == "abc" and int in mx.base.integer_types and str in mx.base.string_types
    assert mx.util.is_np_array() is False and mx.util.is_np_shape() is False


def test_sparse_constructors_give_dense_arrays():
    x = nd.sparse.csr_matrix(([1.0, 2.0, 3.0], [0, 2, 1], [0, 2, 3]), shape=(2, 3))
    assert x.asnumpy().tolist() == [[1, 0, 2], [0, 3, 0]] and x.stype == "csr"
    r = nd.sparse.row_sparse_array(([[1.0, 2.0]], [2]), shape=(3, 2))
    assert r.asnumpy().tolist() == [[0, 0], [0, 0], [1, 2]]
    assert nd.sparse.dot(x, nd.ones((3, 1))).asnumpy().tolist() == [[3], [3]]
    assert nd.sparse.zeros("csr", (2, 2)).shape == (2, 2)
    with pytest.raises(mx.base.MXNetError, match="inconsistent CSR parts"):
        nd.sparse.csr_matrix(([1.0], [0], [0, 1, 1, 1]), shape=(2, 3))
    assert nd.npx.fully_connected(nd.ones((2, 3)), nd.ones((4, 3)), nd.zeros((4,)), num_hidden=4).shape == (
        2,
        4,
    )
