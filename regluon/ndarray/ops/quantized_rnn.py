"""``nd.contrib.quantized_rnn``: the int8 LSTM of MXNet 1.9.1's CPU build (oneDNN), inference only.

The data arrive as uint8 ``q = round(x * data_scale + data_shift)``; the float32 ``parameters`` vector
has RNN's layout (rnn.py). What MXNet's kernel does, worked out on it (tests/test_quantized_ops.py):

- Each weight row (one gate of one hidden unit) is quantized to int8 with
  ``s = 127 / max(|w_ih row|, |w_hh row|)``, the maximum taken over layer 0 and both directions; every
  layer uses layer 0's scales (rows of later layers with larger weights saturate at -128/127).
- The hidden state is uint8 as well, with the data's scale and shift: the initial state is quantized
  first, and each step's new ``h`` is quantized before it feeds the next step and the next layer.
- The gates are ``(acc - data_shift * sum(q_w)) / (data_scale * s) + b_ih + b_hh`` with ``acc`` the
  exact integer sum of products; the cell state stays float32.
- The outputs (``out`` and the final ``h``) are the quantized hidden states turned back into floats:
  ``(q_h - data_shift) / data_scale``; the final cell state is float32.

These rules reproduce MXNet exactly (tests/golden/quantized_ops_golden.npz) for one layer, in either
direction, and for unidirectional stacks whose input size equals ``state_size``. For the other stacks
(bidirectional ones, or a first layer with another input size) MXNet's oneDNN primitives scale the
weights in a way that could not be pinned down: regluon applies the rule above, and its outputs differ
from MXNet's by at most one quantization step (``1 / data_scale``) and its cell states by up to 0.07 on
the goldens. ``lstm_state_clip_*`` and ``p`` are ignored, as by MXNet's kernel; a projection and
``use_sequence_length`` are refused (MXNet rejects the first and crashes on the second). On CPUs with
AVX512-VNNI, MXNet 1.9.1's own kernel fails ("could not create a primitive descriptor for a reorder
primitive") unless oneDNN is held to plain AVX-512 (``DNNL_MAX_CPU_ISA=AVX512_CORE``).
"""

from __future__ import annotations

import numpy as np
import torch

from ...base import MXNetError, shape_str
from ..params import Bool, Enum, Float, Int, Optional, Param
from ..register import OpDef, Sample, register
from .rnn import _layout

_OP = "contrib.quantized_rnn"


def _check(data, parameters, state, state_cell, data_scale, data_shift, p):
    if p["mode"] != "lstm":
        raise MXNetError(
            f"{_OP}: only mode='lstm' is supported (as by MXNet's CPU kernel), got mode='{p['mode']}'"
        )
    if p["projection_size"]:
        raise MXNetError(f"{_OP}: projection_size is not supported, got {p['projection_size']}")
    if p["use_sequence_length"]:
        raise MXNetError(f"{_OP}: use_sequence_length=True is not supported")
    if data.dtype != torch.uint8:
        raise MXNetError(f"{_OP}: data must be uint8, got {str(data.dtype)[6:]} {shape_str(data.shape)}")
    if data.dim() != 3:
        raise MXNetError(
            f"{_OP}: data must be 3-d (sequence length, batch, input size), got {shape_str(data.shape)}"
        )
    if state_cell is None:
        raise MXNetError(f"{_OP}: state_cell (the initial cell state) is required")
    dirs = 2 if p["bidirectional"] else 1
    steps, batch, inp = data.shape
    hidden, layers = p["state_size"], p["num_layers"]
    total = _layout("lstm", layers, dirs, inp, hidden, 0)[3]
    want = {
        "parameters": (total,), "state": (layers * dirs, batch, hidden), "state_cell": (layers * dirs, batch, hidden),
        "data_scale": (1,), "data_shift": (1,),
    }  # fmt: skip
    got = {"parameters": parameters, "state": state, "state_cell": state_cell, "data_scale": data_scale,
           "data_shift": data_shift}  # fmt: skip
    for name, t in got.items():
        if tuple(t.shape) != want[name] or t.dtype != torch.float32:
            raise MXNetError(
                f"{_OP}: {name} is {str(t.dtype)[6:]} {shape_str(t.shape)}, expected float32 "
                f"{shape_str(want[name])} for data {shape_str(data.shape)} with num_layers={layers}, "
                f"bidirectional={p['bidirectional']}, state_size={hidden}"
            )


def _weights(parameters, layers, dirs, inp, hidden):
    """Per layer and direction ``(w_ih, w_hh, b_ih, b_hh)``, views of the flat vector."""
    sizes, shapes, order, _ = _layout("lstm", layers, dirs, inp, hidden, 0)
    blocks = [b.view(s) for b, s in zip(torch.split(parameters, sizes), shapes)]
    ordered = [blocks[i] for i in order]
    return [ordered[4 * k : 4 * k + 4] for k in range(layers * dirs)]


def _row_scales(weights, dirs):
    """int8 units per unit of weight, one per gate row: from layer 0's rows (both directions)."""
    row_max = torch.stack([torch.maximum(w[0].abs().amax(1), w[1].abs().amax(1)) for w in weights[:dirs]])
    return torch.tensor(127.0, dtype=torch.float32) / row_max.amax(0)


def _quantize_rows(w, scale):
    q = torch.nan_to_num(torch.round(w * scale[:, None]), nan=0.0)  # an all-zero row: scale inf, weights 0
    return q.clamp_(-128, 127).to(torch.float64)


def _quantized_rnn(data, parameters, state, state_cell, data_scale, data_shift, state_size, num_layers,
                   bidirectional, mode, p, state_outputs, projection_size, lstm_state_clip_min,
                   lstm_state_clip_max, lstm_state_clip_nan, use_sequence_length):  # fmt: skip
    params = {"mode": mode, "projection_size": projection_size, "use_sequence_length": use_sequence_length,
              "bidirectional": bidirectional, "state_size": state_size, "num_layers": num_layers}  # fmt: skip
    _check(data, parameters, state, state_cell, data_scale, data_shift, params)
    dirs = 2 if bidirectional else 1
    steps = data.shape[0]
    sc = data_scale.reshape(()).to(torch.float32)
    sh = data_shift.reshape(()).to(torch.float32)
    weights = _weights(parameters, num_layers, dirs, data.shape[2], state_size)
    scale = _row_scales(weights, dirs)
    dequant = (sc * scale).to(torch.float64)  # per gate row: integer units per unit of the gate

    def quantize_h(h):
        return torch.round(h * sc + sh).clamp_(0, 255).to(torch.float64)

    x = data.to(torch.float64)
    hy, cy = [], []
    for layer in range(num_layers):
        outs = []
        for d in range(dirs):
            k = layer * dirs + d
            w_ih, w_hh, b_ih, b_hh = weights[k]
            q_ih, q_hh = _quantize_rows(w_ih, scale), _quantize_rows(w_hh, scale)
            offset = sh.to(torch.float64) * (q_ih.sum(1) + q_hh.sum(1))
            gx = x @ q_ih.T  # exact integer sums (float64 holds them)
            h, c = quantize_h(state[k]), state_cell[k]
            seq = [None] * steps
            for t in range(steps) if d == 0 else range(steps - 1, -1, -1):
                gates = ((gx[t] + h @ q_hh.T - offset) / dequant).to(torch.float32) + b_ih + b_hh
                i, f, g, o = gates.chunk(4, 1)
                c = torch.sigmoid(f) * c + torch.sigmoid(i) * torch.tanh(g)
                h = quantize_h(torch.sigmoid(o) * torch.tanh(c))
                seq[t] = h
            outs.append(torch.stack(seq))
            hy.append(h)
            cy.append(c)
        x = torch.cat(outs, 2) if dirs == 2 else outs[0]

    def real(q):
        return (q.to(torch.float32) - sh) / sc

    out = real(x)
    return [out, real(torch.stack(hy)), torch.stack(cy)] if state_outputs else out


def _sample(steps, batch, inp, hidden, layers=1, bidirectional=False, seed=0, **params):
    rng = np.random.RandomState(seed)
    dirs = 2 if bidirectional else 1
    total = _layout("lstm", layers, dirs, inp, hidden, 0)[3]
    x = rng.randint(0, 129, (steps, batch, inp)).astype("uint8")
    states = [rng.uniform(-1, 1, (layers * dirs, batch, hidden)).astype("float32") for _ in range(2)]
    inputs = (x, rng.uniform(-1, 1, total).astype("float32"), *states, np.array([64.0], "float32"),
              np.array([64.0], "float32"))  # fmt: skip
    return Sample(inputs, {"state_size": hidden, "num_layers": layers, "bidirectional": bidirectional,
                           "mode": "lstm"} | params)  # fmt: skip


def _errors():
    s = _sample(2, 2, 3, 4)
    x, flat, h0, c0, sc, sh = s.inputs
    return [
        ((x.astype("int8"), flat, h0, c0, sc, sh), s.params, r"quantized_rnn: data must be uint8, got int8"),
        (
            (x, flat[:-1], h0, c0, sc, sh),
            s.params,
            r"quantized_rnn: parameters is float32 \(143,\), expected float32 \(144,\)",
        ),
        ((x, flat, h0, c0, sc, sh), s.params | {"mode": "gru"}, r"quantized_rnn: only mode='lstm'"),
    ]


register(
    OpDef(
        "_contrib_quantized_rnn",
        impl=_quantized_rnn,
        inputs=("data", "parameters", "state", "state_cell", "data_scale", "data_shift"),
        params=(
            Param("state_size", Int(), None, "Size of each layer's hidden state.", required=True),
            Param("num_layers", Int(), None, "Number of stacked layers.", required=True),
            Param("bidirectional", Bool(), False, "Also run each layer backwards in time."),
            Param(
                "mode",
                Enum("gru", "lstm", "rnn_relu", "rnn_tanh"),
                None,
                "The cell; only 'lstm' runs.",
                required=True,
            ),  # fmt: skip
            Param("p", Float(), 0.0, "Accepted and ignored (inference only)."),
            Param("state_outputs", Bool(), False, "Also return the final states (hy, cy)."),
            Param("projection_size", Optional(Int()), None, "Not supported."),
            Param(
                "lstm_state_clip_min", Optional(Float()), None, "Accepted and ignored, as by MXNet's kernel."
            ),
            Param(
                "lstm_state_clip_max", Optional(Float()), None, "Accepted and ignored, as by MXNet's kernel."
            ),
            Param("lstm_state_clip_nan", Bool(), False, "Accepted and ignored."),
            Param("use_sequence_length", Bool(), False, "Not supported."),
        ),
        aliases=("contrib.quantized_rnn",),
        differentiable=False,
        samples=lambda: [
            _sample(3, 2, 3, 4, state_outputs=True),
            _sample(2, 2, 4, 2, layers=2, bidirectional=True),
        ],
        errors=_errors,
        no_golden="checked against MXNet 1.9.1 in tests/test_quantized_ops.py (its oneDNN int8 LSTM runs "
        "there only with DNNL_MAX_CPU_ISA=AVX512_CORE, see tools/gen_quantized_ops_golden.py)",
        doc="An LSTM over uint8 data ``q = round(x * data_scale + data_shift)`` with int8 weights (quantized "
        "from the float32 ``parameters`` row by row) and float32 outputs, as MXNet's CPU kernel computes it "
        "(see the module notes of regluon/ndarray/ops/quantized_rnn.py).\n\n"
        "Example::\n\n"
        "    lo, hi = x.min().asscalar(), x.max().asscalar()\n"
        "    scale = 128 / (hi - lo); shift = 128 - hi * scale\n"
        "    q = (x * scale + shift + 0.5).astype('uint8')\n"
        "    out = nd.contrib.quantized_rnn(q, w, h0, c0, nd.array([scale]), nd.array([shift]),\n"
        "                                   state_size=4, num_layers=1, mode='lstm')",
    )
)
