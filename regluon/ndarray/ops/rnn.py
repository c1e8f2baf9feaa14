"""The fused recurrent operator ``RNN`` (vanilla ReLU/tanh, LSTM, GRU) behind ``gluon.rnn``.

MXNet packs every weight and bias of the stack into one flat ``parameters`` vector: first the
weights, for each layer and each direction the input-to-hidden matrix ``(gates * state_size,
input)``, the hidden-to-hidden matrix ``(gates * state_size, out)`` and, for an LSTM with a
projection, the projection ``(projection_size, state_size)``; then the biases, for each layer and
direction the input-to-hidden and the hidden-to-hidden vector. The gates follow cuDNN's order:
LSTM input, forget, cell, output; GRU reset, update, new (the reset gate scales the hidden
part of the new gate, bias included). torch's fused kernels use the same gates and formulas,
so the operator hands them views of the flat vector and autograd returns the gradient of the
flat vector itself.
"""

from __future__ import annotations

import functools
import warnings

import numpy as np
import torch
import torch.nn.functional as tF
from torch.nn.utils.rnn import PackedSequence, pack_padded_sequence, pad_packed_sequence

from ...base import MXNetError, shape_str
from ..params import Bool, Enum, Float, Int, Optional, Param
from ..register import OpDef, Sample, register
from ..state import autograd_state
from ._common import rand

_GATES = {"rnn_relu": 1, "rnn_tanh": 1, "lstm": 4, "gru": 3}
_KERNELS = {
    "rnn_relu": torch._VF.rnn_relu,
    "rnn_tanh": torch._VF.rnn_tanh,
    "lstm": torch._VF.lstm,
    "gru": torch._VF.gru,
}


@functools.lru_cache(maxsize=256)
def _layout(mode: str, layers: int, dirs: int, input_size: int, hidden: int, proj: int):
    """``(sizes, shapes, order, total)``: the flat vector's blocks in MXNet's order (``sizes`` for
    ``torch.split``), each block's matrix shape, and the block indices in torch's order (per layer
    and direction: w_ih, w_hh, b_ih, b_hh[, w_hr])."""
    g = _GATES[mode] * hidden
    out = proj or hidden
    weights, biases = [], []
    for layer in range(layers):
        inp = input_size if layer == 0 else out * dirs
        for _ in range(dirs):
            block = [(g, inp), (g, out)] + ([(proj, hidden)] if proj else [])
            weights.append(block)
            biases.append([(g,), (g,)])
    shapes = [s for block in weights for s in block] + [s for block in biases for s in block]
    per_w = len(weights[0])
    n_w = per_w * len(weights)
    order = []
    for k in range(layers * dirs):
        w = [n_w + 2 * k, n_w + 2 * k + 1]  # the biases
        order += [per_w * k, per_w * k + 1, *w] + ([per_w * k + 2] if proj else [])
    sizes = [int(np.prod(s)) for s in shapes]
    return sizes, shapes, order, sum(sizes)


def _infer_shape(op, shapes, params):
    """Full shapes of (data, parameters, state, state_cell, sequence_length); checks those given."""
    data, flat, state, cell, lengths = (list(shapes) + [None] * 5)[:5]
    if data is None or len(data) != 3:
        got = "unknown" if data is None else shape_str(data)
        raise MXNetError(f"RNN: data must be 3-d (sequence length, batch, input size), got {got}")
    mode, hidden, layers = params["mode"], params["state_size"], params["num_layers"]
    proj = params["projection_size"] or 0
    dirs = 2 if params["bidirectional"] else 1
    total = _layout(mode, layers, dirs, data[2], hidden, proj)[3]
    want = [tuple(data), (total,), (layers * dirs, data[1], proj or hidden)]
    want += [(layers * dirs, data[1], hidden) if mode == "lstm" else None, (data[1],)]
    config = (
        f"mode='{mode}', num_layers={layers}, bidirectional={params['bidirectional']}, "
        f"state_size={hidden}" + (f", projection_size={proj}" if proj else "")
    )
    names = ("data", "parameters", "state", "state_cell", "sequence_length")
    for name, got, exp in zip(names[1:], (flat, state, cell, lengths), want[1:]):
        if got is not None and exp is not None and tuple(got) != exp:
            raise MXNetError(
                f"RNN: {name} has shape {shape_str(got)}, expected {shape_str(exp)} for data "
                f"{shape_str(data)} with {config}"
            )
    return want


def _check(data, flat, state, cell, lengths, params):
    mode = params["mode"]
    if mode == "lstm" and cell is None:
        raise MXNetError(
            f"RNN: mode='lstm' needs state_cell, the initial cell state (MXNet expects 4 inputs), "
            f"got data {shape_str(data.shape)}, parameters {shape_str(flat.shape)}, state {shape_str(state.shape)}"
        )
    if mode != "lstm" and cell is not None:
        raise MXNetError(
            f"RNN: state_cell {shape_str(cell.shape)} is given but mode='{mode}' has no cell state "
            "(only mode='lstm' takes one)"
        )
    if params["use_sequence_length"] != (lengths is not None):
        raise MXNetError(
            "RNN: pass sequence_length exactly when use_sequence_length=True "
            f"(use_sequence_length={params['use_sequence_length']}, sequence_length "
            f"{'missing' if lengths is None else shape_str(lengths.shape)})"
        )
    if params["projection_size"] and mode != "lstm":
        raise MXNetError(f"RNN: projection_size is supported for mode='lstm' only, got mode='{mode}'")
    lo, hi = params["lstm_state_clip_min"], params["lstm_state_clip_max"]
    if (lo is None) != (hi is None) or (lo is not None and (mode != "lstm" or lo > hi)):
        raise MXNetError(
            f"RNN: lstm_state_clip_min={lo} and lstm_state_clip_max={hi} must be given together, "
            f"with min <= max, for mode='lstm' (mode='{mode}')"
        )
    if not 0.0 <= params["p"] <= 1.0:
        raise MXNetError(f"RNN: p={params['p']} must be in [0, 1] (the dropout rate between layers)")
    for name, t in (("parameters", flat), ("state", state), ("state_cell", cell)):
        if t is not None and t.dtype != data.dtype:
            raise MXNetError(
                f"RNN: {name} has dtype {str(t.dtype)[6:]} but data has {str(data.dtype)[6:]}; "
                "all inputs but sequence_length must have one dtype"
            )
    shapes = [None if t is None else tuple(t.shape) for t in (data, flat, state, cell, lengths)]
    _infer_shape(None, shapes, params)


def _lengths(lengths, steps: int) -> torch.Tensor:
    lens = lengths.detach().to("cpu", torch.int64)
    if (
        not torch.equal(lens.to(lengths.dtype), lengths.detach().cpu())
        or (lens < 1).any()
        or (lens > steps).any()
    ):
        raise MXNetError(
            f"RNN: sequence_length must hold whole numbers in [1, {steps}] (the sequence length of data), "
            f"got {lengths.detach().cpu().tolist()}"
        )
    return lens


def _rnn(
    data,
    parameters,
    state,
    state_cell,
    sequence_length,
    state_size,
    num_layers,
    bidirectional,
    mode,
    p,
    state_outputs,
    projection_size,
    lstm_state_clip_min,
    lstm_state_clip_max,
    lstm_state_clip_nan,
    use_sequence_length,
):
    if mode != "lstm" and state_cell is not None and use_sequence_length and sequence_length is None:
        state_cell, sequence_length = None, state_cell  # MXNet takes inputs by count: the 4th is the lengths
    params = {
        "mode": mode, "state_size": state_size, "num_layers": num_layers, "bidirectional": bidirectional,
        "p": p, "projection_size": projection_size, "lstm_state_clip_min": lstm_state_clip_min,
        "lstm_state_clip_max": lstm_state_clip_max, "use_sequence_length": use_sequence_length,
    }  # fmt: skip
    _check(data, parameters, state, state_cell, sequence_length, params)
    dirs = 2 if bidirectional else 1
    proj = projection_size or 0
    sizes, shapes, order, _ = _layout(mode, num_layers, dirs, data.shape[2], state_size, proj)
    blocks = [b.view(s) for b, s in zip(torch.split(parameters, sizes), shapes)]
    weights = [blocks[i] for i in order]
    train = autograd_state.training and p > 0
    hx = (state, state_cell) if mode == "lstm" else state
    lens = None if sequence_length is None else _lengths(sequence_length, data.shape[0])
    if lstm_state_clip_min is not None:
        clip = (lstm_state_clip_min, lstm_state_clip_max, lstm_state_clip_nan)
        out, *states = _lstm_loop(data, weights, hx, lens, num_layers, dirs, p if train else 0.0, clip)
    elif lens is not None:
        out, *states = _packed(data, weights, hx, lens, mode, num_layers, dirs, p, train)
    elif proj:  # torch warns that oneDNN has no projection kernel: not the user's concern
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", UserWarning)
            out, *states = _KERNELS[mode](data, hx, weights, True, num_layers, p, train, bidirectional, False)
    else:
        out, *states = _KERNELS[mode](data, hx, weights, True, num_layers, p, train, bidirectional, False)
    return [out, *states] if state_outputs else out


def _packed(data, weights, hx, lens, mode, layers, dirs, p, train):
    """Variable-length sequences through torch's packed kernels: steps past a sequence's length give
    zeros, its final state is the one after its last step, and the backward direction starts there."""
    packed = pack_padded_sequence(data, lens, enforce_sorted=False)
    order, back = packed.sorted_indices.to(data.device), packed.unsorted_indices.to(data.device)
    hx = tuple(h.index_select(1, order) for h in hx) if mode == "lstm" else hx.index_select(1, order)
    res = _KERNELS[mode](packed.data, packed.batch_sizes, hx, weights, True, layers, p, train, dirs == 2)
    out, _ = pad_packed_sequence(PackedSequence(res[0], *packed[1:]), total_length=data.shape[0])
    return [out, *(h.index_select(1, back) for h in res[1:])]


def _lstm_loop(data, weights, hx, lens, layers, dirs, p, clip):
    """LSTM step by step, for state clipping (no torch kernel clips the cell state): the new cell
    state is clipped to [lo, hi] before the hidden state is computed from it."""
    lo, hi, stop_nan = clip
    h0, c0 = hx
    steps = data.shape[0]
    per = len(weights) // (layers * dirs)
    live = None
    if lens is not None:
        live = (torch.arange(steps)[:, None] < lens[None, :]).to(data.device).unsqueeze(-1)
    x, hy, cy = data, [], []
    for layer in range(layers):
        outs = []
        for d in range(dirs):
            k = layer * dirs + d
            w_ih, w_hh, b_ih, b_hh, *w_hr = weights[per * k : per * (k + 1)]
            gx = tF.linear(x, w_ih, b_ih + b_hh)
            h, c, res = h0[k], c0[k], [None] * steps
            for t in range(steps) if d == 0 else range(steps - 1, -1, -1):
                i, f, g, o = (gx[t] + tF.linear(h, w_hh)).chunk(4, 1)
                c_new = (torch.sigmoid(f) * c + torch.sigmoid(i) * torch.tanh(g)).clamp(lo, hi)
                if stop_nan:
                    c_new = torch.nan_to_num(c_new, nan=lo)
                h_new = torch.sigmoid(o) * torch.tanh(c_new)
                if w_hr:
                    h_new = tF.linear(h_new, w_hr[0])
                if live is not None:
                    h_new, c_new = torch.where(live[t], h_new, h), torch.where(live[t], c_new, c)
                    res[t] = h_new * live[t]
                else:
                    res[t] = h_new
                h, c = h_new, c_new
            outs.append(torch.stack(res))
            hy.append(h)
            cy.append(c)
        x = torch.cat(outs, 2) if dirs == 2 else outs[0]
        if p and layer < layers - 1:
            x = tF.dropout(x, p, True)
    return x, torch.stack(hy), torch.stack(cy)


# ----------------------------------------------------------------------------------------------
# NumPy reference (no dropout): one sequence at a time, over its own length


def _sigmoid(v):
    return 1.0 / (1.0 + np.exp(-v))


def _ref_step(mode, x, h, c, w, clip):
    w_ih, w_hh, w_hr, b_ih, b_hh = w
    a, b = w_ih @ x + b_ih, w_hh @ h + b_hh
    if mode == "rnn_tanh":
        return np.tanh(a + b), c
    if mode == "rnn_relu":
        return np.maximum(a + b, 0), c
    if mode == "gru":
        n = len(h)
        r, z = _sigmoid(a[:n] + b[:n]), _sigmoid(a[n : 2 * n] + b[n : 2 * n])
        new = np.tanh(a[2 * n :] + r * b[2 * n :])
        return (1 - z) * new + z * h, c
    n = len(c)
    i, f, g, o = (_sigmoid((a + b)[:n]), _sigmoid((a + b)[n : 2 * n]), np.tanh((a + b)[2 * n : 3 * n]),
                  _sigmoid((a + b)[3 * n :]))  # fmt: skip
    c = f * c + i * g
    if clip[0] is not None:
        c = np.clip(c, clip[0], clip[1])
    h = o * np.tanh(c)
    return (h if w_hr is None else w_hr @ h), c


def _ref_unpack(flat, mode, layers, dirs, inp, hidden, proj):
    g, out, pos, blocks = _GATES[mode] * hidden, proj or hidden, 0, []

    def take(*shape):
        nonlocal pos
        n = int(np.prod(shape))
        pos += n
        return flat[pos - n : pos].reshape(shape)

    for layer in range(layers):
        for _ in range(dirs):
            width = inp if layer == 0 else out * dirs
            blocks.append([take(g, width), take(g, out), take(proj, hidden) if proj else None])
    for k in range(layers * dirs):
        blocks[k] += [take(g), take(g)]
    return blocks


def _rnn_ref(
    data, parameters, state, state_cell=None, sequence_length=None, state_size=None, num_layers=1,
    bidirectional=False, mode="lstm", p=0.0, state_outputs=False, projection_size=None,
    lstm_state_clip_min=None, lstm_state_clip_max=None, lstm_state_clip_nan=False, use_sequence_length=False,
):  # fmt: skip
    steps, batch, inp = data.shape
    dirs = 2 if bidirectional else 1
    if mode != "lstm" and state_cell is not None:
        sequence_length = state_cell
    lens = [steps] * batch if sequence_length is None else [int(v) for v in sequence_length]
    blocks = _ref_unpack(parameters, mode, num_layers, dirs, inp, state_size, projection_size)
    clip = (lstm_state_clip_min, lstm_state_clip_max)
    x, hy, cy = (
        data,
        np.zeros_like(state),
        np.zeros_like(state) if mode != "lstm" else np.zeros_like(state_cell),
    )
    for layer in range(num_layers):
        out = np.zeros((steps, batch, (projection_size or state_size) * dirs), data.dtype)
        for d in range(dirs):
            k = layer * dirs + d
            for b in range(batch):
                h, c = state[k, b], None if state_cell is None or mode != "lstm" else state_cell[k, b]
                ts = range(lens[b]) if d == 0 else range(lens[b] - 1, -1, -1)
                for t in ts:
                    h, c = _ref_step(mode, x[t, b], h, c, blocks[k], clip)
                    out[t, b, d * len(h) : (d + 1) * len(h)] = h
                hy[k, b] = h
                if c is not None:
                    cy[k, b] = c
        x = out
    if not state_outputs:
        return x
    return [x, hy, cy] if mode == "lstm" else [x, hy]


# ----------------------------------------------------------------------------------------------


def _sample(mode, steps, batch, inp, hidden, layers=1, bidirectional=False, seed=0, **params):
    dirs = 2 if bidirectional else 1
    proj = params.get("projection_size") or 0
    total = _layout(mode, layers, dirs, inp, hidden, proj)[3]
    inputs = [rand(steps, batch, inp, seed=seed), rand(total, low=-0.6, high=0.6, seed=seed + 1)]
    inputs.append(rand(layers * dirs, batch, proj or hidden, low=-1, high=1, seed=seed + 2))
    if mode == "lstm":
        inputs.append(rand(layers * dirs, batch, hidden, low=-1, high=1, seed=seed + 3))
    params = {
        "state_size": hidden,
        "num_layers": layers,
        "mode": mode,
        "bidirectional": bidirectional,
    } | params
    return tuple(inputs), params


def _samples():
    cases = [
        _sample("lstm", 3, 2, 3, 4, state_outputs=True),
        _sample("gru", 2, 2, 2, 2, layers=2, bidirectional=True, seed=1, state_outputs=True),
        _sample("rnn_tanh", 4, 2, 3, 3, bidirectional=True, seed=2),
        _sample("rnn_relu", 3, 3, 2, 3, layers=2, seed=3, state_outputs=True),
    ]
    return [Sample(inputs, params) for inputs, params in cases]


def _errors():
    lstm, params = _sample("lstm", 3, 2, 3, 4)
    x, flat, h0, c0 = lstm
    return [
        ((x, flat[:-1], h0, c0), params, r"RNN: parameters has shape \(143,\), expected \(144,\) for data"),
        ((x, flat, h0[:, :1], c0), params, r"RNN: state has shape \(1, 1, 4\), expected \(1, 2, 4\)"),
        ((x, flat, h0, c0[:, :, :2]), params, r"RNN: state_cell has shape \(1, 2, 2\), expected \(1, 2, 4\)"),
        ((x, flat, h0), params, r"RNN: mode='lstm' needs state_cell"),
        ((x[0], flat, h0, c0), params, r"RNN: data must be 3-d .* got \(2, 3\)"),
    ]


register(
    OpDef(
        "RNN",
        impl=_rnn,
        inputs=("data", "parameters", "state", "state_cell", "sequence_length"),
        optional_inputs=("state_cell", "sequence_length"),
        no_grad_inputs=("sequence_length",),
        params=(
            Param("state_size", Int(), None, "Size of each layer's hidden state.", required=True),
            Param("num_layers", Int(), None, "Number of stacked layers.", required=True),
            Param(
                "bidirectional", Bool(), False, "Also run each layer backwards in time; outputs concatenate."
            ),
            Param("mode", Enum("gru", "lstm", "rnn_relu", "rnn_tanh"), None, "The cell.", required=True),
            Param("p", Float(), 0.0, "Dropout rate on each layer's output but the last (training only)."),
            Param("state_outputs", Bool(), False, "Also return the final states (hy, and cy for an LSTM)."),
            Param(
                "projection_size", Optional(Int()), None, "LSTM only: project the hidden state to this size."
            ),
            Param(
                "lstm_state_clip_min", Optional(Float()), None, "LSTM only: lower bound of the cell state."
            ),
            Param(
                "lstm_state_clip_max", Optional(Float()), None, "LSTM only: upper bound of the cell state."
            ),
            Param(
                "lstm_state_clip_nan",
                Bool(),
                False,
                "With clipping: a NaN cell state becomes the lower bound.",
            ),
            Param("use_sequence_length", Bool(), False, "Take per-sequence lengths from sequence_length."),
        ),
        infer_shape=_infer_shape,
        ref=_rnn_ref,
        samples=_samples,
        errors=_errors,
        doc=(
            "A stack of recurrent layers over (time, batch, feature) data, all weights in one flat "
            "``parameters`` vector (the fused operator behind ``gluon.rnn.RNN/LSTM/GRU``).\n\n"
            "Example::\n\n"
            "    x = nd.random.uniform(shape=(5, 2, 3))          # 5 steps, batch 2, 3 features\n"
            "    w = nd.random.uniform(-0.1, 0.1, shape=(4 * 4 * (3 + 4 + 2),))\n"
            "    h0, c0 = nd.zeros((1, 2, 4)), nd.zeros((1, 2, 4))\n"
            "    out, hy, cy = nd.RNN(x, w, h0, c0, state_size=4, num_layers=1, mode='lstm',\n"
            "                         state_outputs=True)    # out (5, 2, 4)"
        ),
    )
)
