"""Operator behaviour the table-driven tests cannot express: stateful ops over several steps, Python-level
functions (tuples, ``out=``, numbers as operands) and inputs MXNet 1.9.1 accepts or crashes on.

Expected values come from MXNet 1.9.1 (tests/golden/ops_more_golden.npz, written by
tools/gen_ops_more_golden.py, and values printed by the oracle, noted where used) or NumPy.
"""

import json
import os
import warnings

import numpy as np
import pytest

import mxnet as mx
from mxnet import autograd, nd

from .conftest import GOLDEN

_GOLD = np.load(os.path.join(GOLDEN, "ops_more_golden.npz"))


# ------------------------------------------------------------------------ IdentityAttachKLSparseReg
@pytest.mark.parametrize("case", ["default", "custom"])
def test_kl_sparse_reg_updates_moving_avg_in_backward_like_mxnet(case):
    params = json.loads(bytes(_GOLD[f"kl/{case}/params"]).decode())
    x = nd.array(_GOLD[f"kl/{case}/x"])
    avg = nd.array(_GOLD[f"kl/{case}/avg0"])
    x.attach_grad()
    for step in range(3):
        with autograd.record():
            y = nd.IdentityAttachKLSparseReg(x, avg, **params)
        np.testing.assert_array_equal(y.asnumpy(), x.asnumpy())
        y.backward(nd.array(_GOLD[f"kl/{case}/head{step}"]))
        np.testing.assert_allclose(avg.asnumpy(), _GOLD[f"kl/{case}/avg{step + 1}"], rtol=1e-6)
        np.testing.assert_allclose(x.grad.asnumpy(), _GOLD[f"kl/{case}/grad{step}"], rtol=1e-5, atol=1e-7)


def test_kl_sparse_reg_forward_alone_leaves_moving_avg():
    avg = nd.array([0.5, 0.3])
    nd.IdentityAttachKLSparseReg(nd.ones((2, 2)) * 0.2, avg)
    assert avg.asnumpy().tolist() == [0.5, 0.30000001192092896]


def test_kl_sparse_reg_backward_needs_2d_data():
    # MXNet 1.9.1 runs the forward on 4-d data but its backward fails ("reduction dimension do not match")
    x = nd.ones((2, 3, 2, 2)) * 0.5
    x.attach_grad()
    with autograd.record():
        y = nd.IdentityAttachKLSparseReg(x, nd.ones((3,)) * 0.3)
    with pytest.raises(mx.base.MXNetError, match="2-d data only"):
        y.backward()


# -------------------------------------------------------------------------------------- histogram
def test_histogram_with_range_returns_int64_counts_and_edges_in_data_dtype():
    # oracle: ([1, 1, 2, 1, 1] int64, [0, 1, 2, 3, 4, 5] float32)
    counts, edges = nd.histogram(nd.array([[0, 1], [2, 2], [3, 4]]), bins=5, range=(0, 5))
    assert counts.dtype == np.int64 and edges.dtype == np.float32
    assert counts.asnumpy().tolist() == [1, 1, 2, 1, 1]
    assert edges.asnumpy().tolist() == [0, 1, 2, 3, 4, 5]


def test_histogram_without_range_is_numpys_result_as_float32():
    data = np.array([0.5, 1.0, 2.5, 2.5, 4.0], np.float32)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        res = nd.histogram(nd.array(data), bins=3)
    assert isinstance(res, tuple) and any("range is not specified" in str(w.message) for w in caught)
    want_counts, want_edges = np.histogram(data, bins=3)
    assert res[0].dtype == np.float32 and res[1].dtype == np.float32
    np.testing.assert_array_equal(res[0].asnumpy(), want_counts)
    np.testing.assert_allclose(res[1].asnumpy(), want_edges, rtol=1e-6)


def test_histogram_with_bin_edges_array():
    counts, edges = nd.histogram(nd.array([[0, 1], [2, 2], [3, 4]]), bins=nd.array([0.0, 2.1, 3.0]))
    assert counts.asnumpy().tolist() == [4, 1]  # oracle
    np.testing.assert_array_equal(edges.asnumpy(), np.array([0.0, 2.1, 3.0], np.float32))


def test_histogram_rejects_other_bins_and_mixed_arguments():
    x = nd.array([1.0, 2.0])
    with pytest.raises(ValueError, match="bins argument should be either an integer or an NDArray"):
        nd.histogram(x, bins=2.5)
    with pytest.raises(mx.base.MXNetError, match="a bins array and bin_cnt/range cannot be given together"):
        nd._histogram(x, nd.array([0.0, 1.0]), bin_cnt=2, range=(0, 1))


# ---------------------------------------------------------------------------------- onehot_encode
def test_onehot_encode_overwrites_out_and_returns_it():
    out = nd.ones((3, 4)) * 7
    res = nd.onehot_encode(nd.array([1, 5, 2.9]), out)
    assert res is out
    # oracle: rows of out-of-range indices are all zero, fractions truncate
    assert out.asnumpy().tolist() == [[0, 1, 0, 0], [0, 0, 0, 0], [0, 0, 1, 0]]


def test_onehot_encode_errors_leave_out_untouched():
    out = nd.ones((3, 4))
    with pytest.raises(mx.base.MXNetError, match="same number of rows"):
        nd.onehot_encode(nd.array([1, 0]), out)
    assert out.asnumpy().sum() == 12


# ------------------------------------------------------------------------------- logical_and/or/xor
def test_logical_functions_take_arrays_or_numbers():
    a = nd.array([[0, 1.5, -2]])
    b = nd.array([[1], [0]])
    # oracle values
    assert nd.logical_and(a, b).asnumpy().tolist() == [[0, 1, 1], [0, 0, 0]]
    assert nd.logical_or(a, b).asnumpy().tolist() == [[1, 1, 1], [0, 1, 1]]
    assert nd.logical_xor(a, b).asnumpy().tolist() == [[1, 0, 0], [0, 1, 1]]
    assert nd.logical_and(a, 2).asnumpy().tolist() == [[0, 1, 1]]
    assert nd.logical_or(0, a).asnumpy().tolist() == [[0, 1, 1]]
    assert nd.logical_and(a, b).dtype == np.float32
    ints = nd.array([0, 1, 2], dtype="int32")
    res = nd.logical_and(ints, 0.5)  # 0.5 is 0 as int32
    assert res.dtype == np.int32 and res.asnumpy().tolist() == [0, 0, 0]
    assert (nd.logical_and(3, 0), nd.logical_or(3, 0), nd.logical_xor(3, 0)) == (0, 1, 1)


def test_logical_functions_refuse_bool_arrays():
    t = nd.array([True, False], dtype="bool")
    with pytest.raises(mx.base.MXNetError, match="boolean"):
        nd.logical_and(t, t)


# ---------------------------------------------------------------------------------------- Correlation
@pytest.mark.parametrize(
    "params, other, pattern",
    [
        ({}, (1, 2, 5, 5), r"data1 \(1, 2, 5, 6\) and data2 \(1, 2, 5, 5\) must have the same shape"),
        ({"kernel_size": 2}, (1, 2, 5, 6), r"kernel_size=2 must be a positive odd number"),
        ({"kernel_size": 0}, (1, 2, 5, 6), r"kernel_size=0 must be a positive odd number"),
        ({"stride2": 0}, (1, 2, 5, 6), r"stride1=1 and stride2=0 must be positive"),
        ({"pad_size": -1}, (1, 2, 5, 6), r"pad_size=-1 must not be negative"),
    ],
)
def test_correlation_refuses_what_mxnet_reads_out_of_bounds_or_crashes_on(params, other, pattern):
    # MXNet 1.9.1 accepts mismatched shapes and even kernels (reading past its buffers), divides by
    # zero for kernel_size=0, and kills the process for stride2=0 or a negative pad_size
    with pytest.raises(mx.base.MXNetError, match=pattern):
        nd.Correlation(nd.ones((1, 2, 5, 6)), nd.ones(other), **params)


# ------------------------------------------------------------------------- unary math on integers
def test_unary_math_refuses_bool_arrays_like_mxnet():
    t = nd.array([True, False], dtype="bool")
    for name in ("sqrt", "abs", "negative", "round", "logical_not", "exp"):
        with pytest.raises(mx.base.MXNetError, match=f"{name}: MXNet's operator does not support boolean"):
            getattr(nd, name)(t)


def test_unary_math_keeps_integer_dtype():
    # oracle: int32 [-3, -1, 0, 1, 2, 5] -> sqrt [INT_MIN, INT_MIN, 0, 1, 1, 2], exp [0, 0, 1, 2, 7, 148]
    x = nd.array([-3, -1, 0, 1, 2, 5], dtype="int32")
    low = -(2**31)
    assert nd.sqrt(x).dtype == np.int32
    assert nd.sqrt(x).asnumpy().tolist() == [low, low, 0, 1, 1, 2]
    assert x.exp().asnumpy().tolist() == [0, 0, 1, 2, 7, 148]
    assert nd.gamma(nd.array([13, 6], dtype="int64")).asnumpy().tolist() == [479001600, 120]  # exact


# ---------------------------------------------------------------------------------- contrib functions
def test_hawkesll_loglik_gradient_is_its_derivative():
    # the table checks lda/alpha/beta gradients against MXNet for heads on both outputs; here the
    # log likelihood alone against central differences of the NumPy reference
    from regluon.ndarray.ops.contrib_misc import _hawkes_inputs, _hawkesll_ref

    inputs = [
        x.astype(np.float64) if x.dtype == np.float32 else x for x in _hawkes_inputs(3, 2, 4, 0, [1, 4, 2])
    ]
    arrays = [nd.array(x, dtype=x.dtype) for x in inputs]
    for a in arrays[:3]:
        a.attach_grad()
    with autograd.record():
        ll, _ = nd.contrib.hawkesll(*arrays)
    ll.backward()
    for k in range(3):
        x = inputs[k]
        want = np.zeros_like(x)
        for idx in np.ndindex(x.shape):
            old = x[idx]
            x[idx] = old + 1e-6
            hi = _hawkesll_ref(*inputs)[0].sum()
            x[idx] = old - 1e-6
            lo = _hawkesll_ref(*inputs)[0].sum()
            x[idx] = old
            want[idx] = (hi - lo) / 2e-6
        np.testing.assert_allclose(arrays[k].grad.asnumpy(), want, rtol=1e-5, atol=1e-7)


def test_rand_zipfian_samples_and_expected_counts():
    mx.random.seed(5)
    samples, exp_true, exp_sampled = nd.contrib.rand_zipfian(nd.array([0, 3]), 20000, 50)
    mx.random.seed(5)
    again = nd.contrib.rand_zipfian(nd.array([0, 3]), 20000, 50)[0]
    assert samples.dtype == np.int64 and (samples.asnumpy() == again.asnumpy()).all()
    s = samples.asnumpy()
    assert s.min() >= 0 and s.max() < 50
    prob = np.log((np.arange(50) + 2.0) / (np.arange(50) + 1.0)) / np.log(51)
    freq = np.bincount(s, minlength=50) / len(s)
    np.testing.assert_allclose(freq[:5], prob[:5], atol=0.01)  # class 0 has ~0.176, class 4 ~0.046
    np.testing.assert_allclose(exp_true.asnumpy(), prob[[0, 3]] * 20000, rtol=1e-12)
    np.testing.assert_allclose(exp_sampled.asnumpy(), prob[s] * 20000, rtol=1e-12)


def test_contrib_uniform_is_random_uniform():
    mx.random.seed(3)
    a = nd.contrib.uniform(-1, 1, shape=(4,))
    mx.random.seed(3)
    b = nd.random.uniform(-1, 1, shape=(4,))
    assert (a.asnumpy() == b.asnumpy()).all() and a.asnumpy().min() >= -1


def test_allclose_gives_a_0d_uint8_flag():
    r = nd.contrib.allclose(nd.array([1.0, np.nan]), nd.array([1.0 + 1e-7, np.nan]))
    assert r.shape == () and r.dtype == np.uint8 and int(r.asnumpy()) == 1  # oracle: NaNs equal by default


def test_fft_layout_and_unnormalised_inverse():
    # MXNet 1.9.1's CPU build refuses these ("only available for GPU"): NumPy gives the expected values
    x = np.random.RandomState(0).rand(2, 3, 4, 5).astype(np.float32)
    out = nd.contrib.fft(nd.array(x)).asnumpy()
    spec = np.fft.fft(x, axis=-1)
    np.testing.assert_allclose(out[..., 0::2], spec.real, rtol=1e-5, atol=1e-5)
    np.testing.assert_allclose(out[..., 1::2], spec.imag, rtol=1e-5, atol=1e-5)
    np.testing.assert_allclose(nd.contrib.ifft(nd.array(out)).asnumpy(), 5 * x, rtol=1e-5, atol=1e-5)
