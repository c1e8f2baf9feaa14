"""The fused ``nd.RNN`` operator against MXNet 1.9.1 and against a NumPy reference.

MXNet's goldens (tools/gen_rnn_golden.py, run under the oracle) cover every mode, 1 to 3 layers,
both directions, with and without state outputs, float32 and float64: outputs in predict mode and
under ``record()``, and the gradients of data, parameters, state and state_cell. The NumPy
reference of the op table (``_rnn_ref``, checked here against the same goldens) covers what
MXNet's CPU build cannot show: sequence lengths, LSTM state clipping and the gradient of the
LSTM projection (its float64 kernel refuses them, its float32 kernel ignores the first two).
"""

import json
import os

import numpy as np
import pytest

import mxnet as mx
from mxnet import autograd, gluon, nd
from regluon.ndarray.ops.rnn import _layout, _rnn_ref

from .conftest import GOLDEN

_GOLD = np.load(os.path.join(GOLDEN, "rnn_golden.npz"))
with open(os.path.join(GOLDEN, "rnn_golden.json")) as _f:
    _INDEX = json.load(_f)
CASES = _INDEX["cases"]


def _tol(dtype, mode, grad=False) -> dict:
    if dtype == np.float32:
        return {"rtol": 1e-4, "atol": 2e-5} if grad else {"rtol": 1e-5, "atol": 2e-6}
    if mode == "rnn_relu":  # MXNet's float64 ReLU kernel rounds to about float32 precision
        return {"rtol": 1e-5, "atol": 1e-6}
    return {"rtol": 1e-10, "atol": 1e-12}


def _inputs(key, n):
    return [_GOLD[f"{key}/in{k}"] for k in range(n)]


#: Gradients where MXNet 1.9.1 is wrong: its float64 kernel for rnn_relu/rnn_tanh returns a wrong
#: gradient for the input weights of the upper layers of a 3-layer bidirectional stack (its float32
#: kernel and finite differences of the forward pass agree with each other and with regluon).
MXNET_WRONG_GRADS = {
    ("rnn_relu-l3bi-float64", 1): "MXNet's float64 vanilla-RNN backward, layers 2 and 3",
    ("rnn_tanh-l3bi-float64", 1): "MXNet's float64 vanilla-RNN backward, layers 2 and 3",
}


@pytest.mark.parametrize("case", CASES, ids=[c["key"] for c in CASES])
def test_matches_mxnet(case):
    key, params, mode = case["key"], case["params"], case["params"]["mode"]
    inputs = _inputs(key, case["n_in"])
    tol = _tol(inputs[0].dtype, mode)
    res = nd.RNN(*[nd.array(x, dtype=x.dtype) for x in inputs], **params)
    outs = res if isinstance(res, list) else [res]
    assert isinstance(res, list) == params["state_outputs"] and len(outs) == case["n_out"]
    for j, o in enumerate(outs):
        want = _GOLD[f"{key}/pred{j}"]
        assert o.shape == want.shape and o.dtype == want.dtype
        np.testing.assert_allclose(o.asnumpy(), want, err_msg=f"predict output {j}", **tol)
    if not case["grad"]:
        return
    arrays = [nd.array(x, dtype=x.dtype) for x in inputs]
    for a in arrays:
        a.attach_grad()
    with autograd.record():
        res = nd.RNN(*arrays, **params)
    outs = res if isinstance(res, list) else [res]
    for j, o in enumerate(outs):
        np.testing.assert_allclose(o.asnumpy(), _GOLD[f"{key}/out{j}"], err_msg=f"output {j}", **tol)
    heads = [_GOLD[f"{key}/head{j}"] for j in range(len(outs))]
    autograd.backward(outs, [nd.array(h, dtype=h.dtype) for h in heads])
    names = ["data", "parameters", "state", "state_cell"]
    for k, a in enumerate(arrays):
        got, want = a.grad.asnumpy(), _GOLD[f"{key}/grad{k}"]
        if (key, k) in MXNET_WRONG_GRADS:  # still wrong in the golden, and regluon's is the derivative
            assert not np.allclose(got, want, rtol=1e-3, atol=1e-3)
            grads = [None] * len(arrays)
            grads[k] = got
            _assert_derivatives(grads, inputs, params, heads)
            continue
        np.testing.assert_allclose(got, want, err_msg=f"gradient of {names[k]}", **_tol(a.dtype, mode, True))


def _assert_derivatives(grads, xs, params, heads, eps=1e-6):
    """For random directions v, each given gradient dotted with v equals the central difference of
    the NumPy reference's loss sum(out * head) along v."""
    rng = np.random.RandomState(5)

    def loss(v):
        outs = _rnn_ref(*v, **params)
        return sum(float(np.sum(o * h)) for o, h in zip(outs if isinstance(outs, list) else [outs], heads))

    for k, g in enumerate(grads):
        for _ in range(0 if g is None else 2):
            v = rng.uniform(-1, 1, xs[k].shape)
            hi = [x + eps * v if i == k else x for i, x in enumerate(xs)]
            lo = [x - eps * v if i == k else x for i, x in enumerate(xs)]
            numeric = (loss(hi) - loss(lo)) / (2 * eps)
            np.testing.assert_allclose(
                float(np.sum(g * v)), numeric, rtol=1e-6, atol=1e-8, err_msg=f"input {k}"
            )


F64 = [c for c in CASES if c["key"].endswith("float64")]


@pytest.mark.parametrize("case", F64, ids=[c["key"] for c in F64])
def test_numpy_reference_matches_mxnet(case):
    """The reference that checks the features below follows MXNet's layout, gates and formulas."""
    key, params = case["key"], case["params"]
    expected = _rnn_ref(*_inputs(key, case["n_in"]), **params)
    for j, want in enumerate(expected if isinstance(expected, list) else [expected]):
        np.testing.assert_allclose(want, _GOLD[f"{key}/pred{j}"], **_tol(np.float64, params["mode"]))


def test_cpu_limits_of_the_oracle_are_recorded():
    """Why sequence lengths, clipping and projection gradients are checked against NumPy only."""
    limits = _INDEX["cpu_limits"]
    assert "only supported for GPU" in limits["clip_float64"]
    assert "use_sequence_length option is only available" in limits["sequence_length_float64"]
    assert "No training support for LSTM with projection" in limits["projection_training"]
    assert limits["clip_float32_ignored"] and limits["sequence_length_float32_ignored"]


# ----------------------------------------------------------------------------------------------
# features checked against the NumPy reference: forward, and gradients by directional derivatives


def _make(mode, steps, batch, inp, hidden, layers, bidirectional, proj=0, seed=0):
    rng = np.random.RandomState(seed)
    dirs = 2 if bidirectional else 1
    xs = [rng.uniform(-1.5, 1.5, (steps, batch, inp))]
    xs.append(rng.uniform(-0.6, 0.6, (_layout(mode, layers, dirs, inp, hidden, proj)[3],)))
    xs.append(rng.uniform(-1, 1, (layers * dirs, batch, proj or hidden)))
    if mode == "lstm":
        xs.append(rng.uniform(-1, 1, (layers * dirs, batch, hidden)))
    params = {"state_size": hidden, "num_layers": layers, "bidirectional": bidirectional, "mode": mode}
    params |= {"state_outputs": True} | ({"projection_size": proj} if proj else {})
    return xs, params


def _check_against_reference(xs, params, lengths=None):
    """Outputs and gradients (by directional derivatives) against the NumPy reference, in float64."""
    if lengths is not None:
        params = params | {"use_sequence_length": True, "sequence_length": np.asarray(lengths, "float64")}
    arrays = [nd.array(x, dtype="float64") for x in xs]
    for a in arrays:
        a.attach_grad()
    kwargs = dict(params)
    if lengths is not None:
        kwargs["sequence_length"] = nd.array(params["sequence_length"], dtype="float64")
    with autograd.record():
        outs = nd.RNN(*arrays, **kwargs)
    expected = _rnn_ref(*xs, **params)
    for o, want in zip(outs, expected):
        np.testing.assert_allclose(o.asnumpy(), want, rtol=1e-10, atol=1e-12)
    rng = np.random.RandomState(5)
    heads = [rng.uniform(-1, 1, w.shape) for w in expected]
    autograd.backward(outs, [nd.array(h, dtype="float64") for h in heads])
    _assert_derivatives([a.grad.asnumpy() for a in arrays], xs, params, heads)
    return outs


@pytest.mark.parametrize("mode", ["rnn_relu", "rnn_tanh", "lstm", "gru"])
def test_sequence_length_masks_and_stops_each_sequence(mode):
    xs, params = _make(mode, 5, 3, 3, 4, 2, True, seed=1)
    outs = _check_against_reference(xs, params, lengths=[2, 5, 1])
    out = outs[0].asnumpy()
    assert np.all(out[2:, 0] == 0) and np.all(out[1:, 2] == 0)


def test_lstm_state_clipping():
    xs, params = _make("lstm", 6, 2, 3, 4, 2, True, seed=2)
    xs[1] *= 3  # large weights push the cell state past the bounds
    params |= {"lstm_state_clip_min": -0.4, "lstm_state_clip_max": 0.6}
    outs = _check_against_reference(xs, params)
    cy = outs[2].asnumpy()
    assert cy.min() >= -0.4 and cy.max() <= 0.6 and np.isclose(cy.max(), 0.6)
    no_clip = params | {"lstm_state_clip_min": None, "lstm_state_clip_max": None}
    unclipped = nd.RNN(*[nd.array(x, dtype="float64") for x in xs], **no_clip)
    assert not np.allclose(unclipped[0].asnumpy(), outs[0].asnumpy())


def test_lstm_state_clipping_with_sequence_length_and_projection():
    xs, params = _make("lstm", 4, 3, 2, 4, 2, True, proj=3, seed=3)
    xs[1] *= 3
    params |= {"lstm_state_clip_min": -0.5, "lstm_state_clip_max": 0.5}
    _check_against_reference(xs, params, lengths=[4, 1, 3])


def test_lstm_state_clip_nan_stops_nan():
    xs, params = _make("lstm", 3, 2, 3, 4, 1, False, seed=4)
    xs[3][0, 1, 2] = np.nan
    params |= {"lstm_state_clip_min": -0.5, "lstm_state_clip_max": 0.5}
    arrays = [nd.array(x, dtype="float64") for x in xs]
    assert np.isnan(nd.RNN(*arrays, **params)[2].asnumpy()).any()
    cy = nd.RNN(*arrays, lstm_state_clip_nan=True, **params)[2].asnumpy()
    assert np.isfinite(cy).all() and cy.min() >= -0.5 and cy.max() <= 0.5


@pytest.mark.parametrize(
    "layers,bidirectional,lengths", [(1, False, None), (2, True, None), (2, True, [4, 2])]
)
def test_lstm_projection_gradient(layers, bidirectional, lengths):
    xs, params = _make("lstm", 4, 2, 3, 5, layers, bidirectional, proj=2, seed=5)
    outs = _check_against_reference(xs, params, lengths=lengths)
    assert outs[1].shape == (layers * (1 + bidirectional), 2, 2) and outs[2].shape[-1] == 5


def test_sequence_length_in_the_state_cell_slot():
    """MXNet takes RNN's inputs by count: for a GRU the fourth positional input is the lengths."""
    xs, params = _make("gru", 4, 2, 3, 3, 1, False, seed=6)
    arrays = [nd.array(x) for x in xs]
    lens = nd.array([3, 1])
    a = nd.RNN(*arrays, lens, use_sequence_length=True, **params)
    b = nd.RNN(*arrays, sequence_length=lens, use_sequence_length=True, **params)
    for u, v in zip(a, b):
        np.testing.assert_array_equal(u.asnumpy(), v.asnumpy())
    assert np.all(a[0].asnumpy()[1:, 1] == 0)


PATHS = {  # each of the operator's three ways of computing, set up to give the plain result
    "fused": {},
    "packed": {"use_sequence_length": True, "sequence_length": nd.array([5, 5, 5, 5])},
    "step loop": {"lstm_state_clip_min": -100.0, "lstm_state_clip_max": 100.0},
}


@pytest.mark.parametrize("path", PATHS)
def test_dropout_between_layers_in_training_only(path):
    xs, params = _make("lstm", 5, 4, 3, 8, 2, False, seed=7)
    arrays = [nd.array(x) for x in xs]
    plain = nd.RNN(*arrays, **params)
    params |= PATHS[path]
    predict = nd.RNN(*arrays, p=0.5, **params)
    for u, v in zip(plain, predict):
        np.testing.assert_allclose(u.asnumpy(), v.asnumpy(), rtol=1e-6, atol=1e-7)
    with autograd.record():
        train = nd.RNN(*arrays, p=0.5, **params)
    assert not np.allclose(train[0].asnumpy(), plain[0].asnumpy())
    np.testing.assert_allclose(train[1].asnumpy()[0], plain[1].asnumpy()[0], rtol=1e-6)  # layer 0 untouched


def test_no_dropout_with_one_layer():
    xs, params = _make("gru", 4, 2, 3, 3, 1, False, seed=8)
    arrays = [nd.array(x) for x in xs]
    with autograd.record():  # nothing between layers to drop
        a = nd.RNN(*arrays, p=0.9, **params)
    np.testing.assert_allclose(a[0].asnumpy(), nd.RNN(*arrays, **params)[0].asnumpy(), rtol=1e-6)


def test_deferred_parameters_get_their_size_from_data():
    class Cell(gluon.HybridBlock):
        def __init__(self):
            super().__init__()
            with self.name_scope():
                self.weights = self.params.get("parameters", shape=(0,), allow_deferred_init=True)

        def hybrid_forward(self, F, x, h, c, weights):
            return F.RNN(x, weights, h, c, state_size=4, num_layers=2, mode="lstm", bidirectional=True)

    cell = Cell()
    cell.initialize(mx.init.Uniform(0.1))
    out = cell(nd.ones((3, 2, 5)), nd.zeros((4, 2, 4)), nd.zeros((4, 2, 4)))
    assert out.shape == (3, 2, 8)
    assert (
        cell.weights.shape
        == (_layout("lstm", 2, 2, 5, 4, 0)[3],)
        == (4 * 4 * (5 + 4 + 2) * 2 + 4 * 4 * (8 + 4 + 2) * 2,)
    )


def test_float16_follows_float32():
    xs, params = _make("gru", 4, 2, 3, 4, 2, True, seed=9)
    full = nd.RNN(*[nd.array(x) for x in xs], **params)
    half = nd.RNN(*[nd.array(x, dtype="float16") for x in xs], **params)
    for u, v in zip(half, full):
        assert u.dtype == np.float16
        np.testing.assert_allclose(u.asnumpy().astype("float32"), v.asnumpy(), rtol=1e-2, atol=1e-2)


# ----------------------------------------------------------------------------------------------
# bad input


def _bad_inputs():
    (x, flat, h0, c0), lstm = _make("lstm", 3, 2, 3, 4, 1, False)
    (gx, gflat, gh0), gru = _make("gru", 3, 2, 3, 4, 1, False)
    return [
        (
            (gx, gflat, gh0, gh0),
            gru,
            r"RNN: state_cell \(1, 2, 4\) is given but mode='gru' has no cell state",
        ),
        ((gx, gflat, gh0), gru | {"use_sequence_length": True}, r"RNN: pass sequence_length exactly when"),
        (
            (gx, gflat, gh0, np.array([1.0, 4.0])),
            gru | {"use_sequence_length": True},
            r"in \[1, 3\].* \[1.0, 4.0\]",
        ),
        (
            (gx, gflat, gh0, np.array([1.0, 0.0])),
            gru | {"use_sequence_length": True},
            r"RNN: sequence_length",
        ),
        (
            (gx, gflat, gh0, np.array([1.0])),
            gru | {"use_sequence_length": True},
            r"sequence_length has shape \(1,\)",
        ),
        (
            (gx, gflat, gh0),
            gru | {"projection_size": 2},
            r"RNN: projection_size is supported for mode='lstm' only",
        ),
        (
            (x, flat, h0, c0),
            lstm | {"lstm_state_clip_min": -1.0},
            r"lstm_state_clip_min=-1.0 and lstm_state_clip_max",
        ),
        ((x, flat, h0, c0), lstm | {"p": 1.5}, r"RNN: p=1.5 must be in \[0, 1\]"),
        (
            (x, flat, h0, c0),
            lstm | {"projection_size": 2},
            r"RNN: parameters has shape \(144,\), expected \(120,\) for data \(3, 2, 3\)",
        ),
        (
            (x, flat, h0, c0),
            lstm | {"num_layers": 2},
            r"mode='lstm', num_layers=2, bidirectional=False, state_size=4",
        ),
    ]


@pytest.mark.parametrize("inputs,params,pattern", _bad_inputs())
def test_bad_input_is_refused_and_left_intact(inputs, params, pattern):
    arrays = [nd.array(x) for x in inputs]
    before = [a.asnumpy() for a in arrays]
    with pytest.raises(mx.base.MXNetError, match=pattern):
        nd.RNN(*arrays, **params)  # a GRU's fourth input is the lengths where they are used
    for a, b in zip(arrays, before):
        np.testing.assert_array_equal(a.asnumpy(), b)


def test_mixed_dtypes_are_refused():
    xs, params = _make("gru", 3, 2, 3, 4, 1, False)
    with pytest.raises(mx.base.MXNetError, match=r"RNN: parameters has dtype float64 but data has float32"):
        nd.RNN(nd.array(xs[0]), nd.array(xs[1], dtype="float64"), nd.array(xs[2]), **params)
