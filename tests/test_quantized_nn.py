"""nd.contrib quantized_conv / quantized_fully_connected / quantized_pooling / quantized_act /
quantized_flatten / quantized_concat against MXNet 1.9.1's CPU build: integer results exactly, ranges to
1e-6 (tests/golden/quantized_nn_golden.npz, written by tools/gen_quantized_nn_golden.py)."""

import json
import os

import numpy as np
import pytest

import mxnet as mx
from mxnet import nd

from .conftest import GOLDEN

_GOLD = np.load(os.path.join(GOLDEN, "quantized_nn_golden.npz"))
INDEX = json.loads(bytes(_GOLD["index"]).decode())


def _arrays(key, n):
    return [nd.array(x, dtype=x.dtype) for x in (_GOLD[f"{key}/in{k}"] for k in range(n))]


@pytest.mark.parametrize("case", INDEX, ids=[c["key"] for c in INDEX])
def test_quantized_nn_matches_mxnet(case):
    key = case["key"]
    fn = getattr(nd.contrib, case["op"])
    arrays = _arrays(key, case["n_in"])
    before = [a.asnumpy() for a in arrays]
    if f"{key}/error" in _GOLD:
        with pytest.raises(mx.base.MXNetError, match=case["op"]):
            fn(*arrays, **case["params"])
    else:
        outs = fn(*arrays, **case["params"])
        assert len(outs) == 3
        for j, o in enumerate(outs):
            want = _GOLD[f"{key}/out{j}"]
            got = o.asnumpy()
            assert got.dtype == want.dtype and got.shape == want.shape, f"out{j}: {got.dtype}{got.shape}"
            if want.dtype == np.float32 and case["op"] != "quantized_flatten":
                np.testing.assert_allclose(got, want, rtol=1e-6, err_msg=f"{key} out{j}")
            else:
                np.testing.assert_array_equal(got, want, err_msg=f"{key} out{j}")
    for a, b in zip(arrays, before):  # the inputs are left as they were
        np.testing.assert_array_equal(a.asnumpy(), b)


def _r(v):
    return nd.array([v])


def test_conv_and_fully_connected_take_the_bias_as_none_or_left_out():
    rng = np.random.RandomState(0)
    x = nd.array(rng.randint(0, 256, (1, 2, 4, 4)), dtype="uint8")
    w = nd.array(rng.randint(-128, 128, (3, 2, 3, 3)), dtype="int8")
    kw = {"kernel": (3, 3), "num_filter": 3, "no_bias": True}
    a = nd.contrib.quantized_conv(x, w, None, _r(0.0), _r(1.0), _r(-1.0), _r(1.0), **kw)
    b = nd.contrib.quantized_conv(x, w, _r(0.0), _r(1.0), _r(-1.0), _r(1.0), **kw)
    c = nd.contrib.quantized_conv(
        data=x, weight=w, min_data=_r(0.0), max_data=_r(1.0), min_weight=_r(-1.0), max_weight=_r(1.0), **kw
    )
    for o in (b, c):
        np.testing.assert_array_equal(o[0].asnumpy(), a[0].asnumpy())
    # by hand: each output is the sum of the 3x3x2 window times the filter
    xs, ws = x.asnumpy().astype(np.int64), w.asnumpy().astype(np.int64)
    assert a[0].asnumpy()[0, 1, 1, 0] == (xs[0, :, 1:4, 0:3] * ws[1]).sum()


def test_int8_model_round_trip_is_close_to_the_float_layer():
    # quantize -> quantized_fully_connected -> dequantize of the int32 result stays near the float layer
    rng = np.random.RandomState(1)
    x, w, b = rng.uniform(-1, 1, (4, 16)), rng.uniform(-0.5, 0.5, (8, 16)), rng.uniform(-0.1, 0.1, 8)
    qx, lx, hx = nd.contrib.quantize_v2(nd.array(x), min_calib_range=-1.0, max_calib_range=1.0)
    qw, lw, hw = nd.contrib.quantize_v2(nd.array(w), min_calib_range=-0.5, max_calib_range=0.5)
    qb, lb, hb = nd.contrib.quantize_v2(nd.array(b), min_calib_range=-0.1, max_calib_range=0.1)
    out, lo, hi = nd.contrib.quantized_fully_connected(qx, qw, qb, lx, hx, lw, hw, lb, hb, num_hidden=8)
    real = out.asnumpy() * (hi.asscalar() / 2**31)
    np.testing.assert_allclose(real, x @ w.T + b, atol=0.05)


def test_sums_past_2_24_with_a_bias_are_rounded_to_float32():
    # 80 channels of 255 * 127 over a 3x3 window: 23317200 (> 2**24, where float32 steps by 2); by hand,
    # float32 rounds 23317200 + 1 to the even neighbour 23317200, as MXNet's kernels add the bias
    x = nd.array(np.full((1, 80, 3, 3), 255), dtype="uint8")
    w = nd.array(np.full((16, 80, 3, 3), 127), dtype="int8")
    b = nd.array(np.ones(16), dtype="int8")
    rd, rw = (_r(0.0), _r(1.0)), (_r(-1.0), _r(1.0))
    kw = {"kernel": (3, 3), "num_filter": 16}
    exact = nd.contrib.quantized_conv(x, w, *rd, *rw, no_bias=True, **kw)[0].asnumpy()
    biased = nd.contrib.quantized_conv(x, w, b, *rd, *rw, _r(-1.0), _r(1.0), **kw)[0].asnumpy()
    assert exact.ravel().tolist() == [255 * 127 * 720] * 16 == [23317200] * 16
    assert biased.ravel().tolist() == [23317200] * 16


def test_conv_sums_are_exact_where_one_oneDNN_kernel_saturates():
    # A departure from MXNet 1.9.1: for some shapes (here 80 channels, 4 filters) oneDNN runs its SSE4.1
    # kernel, which saturates each pair of products to int16 (255*127 + 255*127 -> 32767), giving about
    # half the true sum; regluon gives the exact sum, as MXNet's other kernels (GEMM, BRGEMM) do
    x = nd.array(np.full((1, 80, 3, 3), 255), dtype="uint8")
    w = nd.array(np.full((4, 80, 3, 3), 127), dtype="int8")
    out = nd.contrib.quantized_conv(
        x, w, _r(0.0), _r(1.0), _r(-1.0), _r(1.0), kernel=(3, 3), num_filter=4, no_bias=True
    )[0]
    assert out.asnumpy().ravel().tolist() == [255 * 127 * 80 * 9] * 4


def test_concat_along_a_negative_dim():
    # MXNet 1.9.1 crashes on a negative dim; regluon counts it from the end as concat does
    a = nd.array(np.array([[-128, 0, 127]]), dtype="int8")
    out, lo, hi = nd.contrib.quantized_concat(a, a, _r(-1.0), _r(1.0), _r(-2.0), _r(2.0), dim=-1, num_args=2)
    # by hand: the first input is rescaled by (127.5 / 2) / (127.5 / 1) = 0.5, rounded half to even
    assert out.asnumpy().tolist() == [[-64, 0, 64, -128, 0, 127]]
    assert (lo.asscalar(), hi.asscalar()) == (-2.0, 2.0)
