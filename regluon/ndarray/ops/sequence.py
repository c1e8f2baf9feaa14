"""Sequence operators on (time, batch, ...) data: SequenceMask, SequenceLast, SequenceReverse."""

from __future__ import annotations

import numpy as np
import torch

from ...base import MXNetError, shape_str
from ..params import Bool, Float, Int, Param
from ..register import OpDef, Sample, register
from ._common import rand

_USE = Param("use_sequence_length", Bool(), False, "Use sequence_length; otherwise every sequence is full.")
_AXIS = Param("axis", Int(), 0, "The time axis (0 or 1; the batch axis is the other).")


def _no_lengths(op, sequence_length):
    if sequence_length is not None:
        raise MXNetError(
            f"{op}: sequence_length is given but use_sequence_length=False (MXNet then takes data only)"
        )


def _lengths(op, data, sequence_length, axis):
    if axis not in (0, 1):
        raise MXNetError(f"{op}: axis must be 0 or 1, got {axis}")
    batch = data.shape[1 - axis]
    if sequence_length is None or tuple(sequence_length.shape) != (batch,):
        got = None if sequence_length is None else shape_str(sequence_length.shape)
        raise MXNetError(
            f"{op}: sequence_length must have shape ({batch},) for data {shape_str(data.shape)}, got {got}"
        )
    return sequence_length.to(torch.long)


def _time_mask(data, lengths, axis):
    t = data.shape[axis]
    steps = torch.arange(t, device=data.device)
    mask = steps[:, None] < lengths[None, :]  # (time, batch)
    if axis == 1:
        mask = mask.t()
    return mask.reshape(tuple(mask.shape) + (1,) * (data.dim() - 2))


def _seq_mask(data, sequence_length, use_sequence_length, value, axis):
    if not use_sequence_length:
        _no_lengths("SequenceMask", sequence_length)
        return data.clone()
    mask = _time_mask(data, _lengths("SequenceMask", data, sequence_length, axis), axis)
    return torch.where(mask, data, torch.full_like(data, value))


def _seq_mask_ref(x, lens=None, use_sequence_length=False, value=0.0, axis=0):
    out = x.copy()
    if use_sequence_length:
        for b, n in enumerate(lens.astype(int)):
            if axis == 0:
                out[n:, b] = value
            else:
                out[b, n:] = value
    return out


register(
    OpDef(
        "SequenceMask",
        impl=_seq_mask,
        inputs=("data", "sequence_length"),
        optional_inputs=("sequence_length",),
        no_grad_inputs=("sequence_length",),
        params=(_USE, Param("value", Float(), 0.0, "Fill value past each length."), _AXIS),
        ref=_seq_mask_ref,
        samples=lambda: [
            Sample((rand(4, 3, 2), np.array([1, 4, 2], "float32")), {"use_sequence_length": True}),
            Sample(
                (rand(3, 4, 2), np.array([2, 0, 3], "float32")),
                {"use_sequence_length": True, "axis": 1, "value": -1.5},
            ),
            Sample((rand(4, 3, 2),)),
        ],
        errors=lambda: [
            ((rand(4, 3), np.array([1, 2, 3], "float32")), {}, r"SequenceMask: sequence_length is given")
        ],
        doc="Set the steps beyond each sequence's length to ``value``.",
    )
)


def _seq_last(data, sequence_length, use_sequence_length, axis):
    if not use_sequence_length:
        _no_lengths("SequenceLast", sequence_length)
        return data.select(axis, data.shape[axis] - 1).clone()
    lens = _lengths("SequenceLast", data, sequence_length, axis)
    idx = (lens - 1).clamp(min=0)
    batch = torch.arange(data.shape[1 - axis], device=data.device)
    return data[idx, batch] if axis == 0 else data[batch, idx]


def _seq_last_ref(x, lens=None, use_sequence_length=False, axis=0):
    if not use_sequence_length:
        return np.take(x, x.shape[axis] - 1, axis=axis)
    idx = lens.astype(int) - 1
    b = np.arange(x.shape[1 - axis])
    return x[idx, b] if axis == 0 else x[b, idx]


register(
    OpDef(
        "SequenceLast",
        impl=_seq_last,
        inputs=("data", "sequence_length"),
        optional_inputs=("sequence_length",),
        no_grad_inputs=("sequence_length",),
        params=(_USE, _AXIS),
        ref=_seq_last_ref,
        samples=lambda: [
            Sample((rand(4, 3, 2), np.array([1, 4, 2], "float32")), {"use_sequence_length": True}),
            Sample((rand(3, 4), np.array([2, 1, 4], "float32")), {"use_sequence_length": True, "axis": 1}),
            # MXNet 1.9.1 crashes (segfault) differentiating SequenceLast without lengths: forward only
            Sample((rand(4, 3, 2),), grad=False),
        ],
        doc="The last valid step of each sequence (the last step when lengths are not used).",
    )
)


def _seq_reverse(data, sequence_length, use_sequence_length, axis):
    if axis != 0:
        raise MXNetError("SequenceReverse: only axis=0 is supported (as in MXNet)")
    t = data.shape[0]
    if not use_sequence_length:
        _no_lengths("SequenceReverse", sequence_length)
        return torch.flip(data, (0,))
    lens = _lengths("SequenceReverse", data, sequence_length, 0)
    steps = torch.arange(t, device=data.device)[:, None]
    src = torch.where(steps < lens[None, :], lens[None, :] - 1 - steps, steps)  # (time, batch)
    index = src.reshape(tuple(src.shape) + (1,) * (data.dim() - 2)).expand(data.shape)
    return torch.gather(data, 0, index)


def _seq_reverse_ref(x, lens=None, use_sequence_length=False, axis=0):
    if not use_sequence_length:
        return x[::-1].copy()
    out = x.copy()
    for b, n in enumerate(lens.astype(int)):
        out[:n, b] = x[:n, b][::-1]
    return out


register(
    OpDef(
        "SequenceReverse",
        impl=_seq_reverse,
        inputs=("data", "sequence_length"),
        optional_inputs=("sequence_length",),
        no_grad_inputs=("sequence_length",),
        params=(_USE, _AXIS),
        ref=_seq_reverse_ref,
        samples=lambda: [
            Sample((rand(4, 3, 2), np.array([1, 4, 2], "float32")), {"use_sequence_length": True}),
            Sample((rand(4, 3), np.array([3, 1, 2], "float32")), {"use_sequence_length": True}),
            Sample((rand(4, 3, 2),)),
        ],
        doc="Reverse the first ``length`` steps of each sequence (all steps when lengths are not used).",
    )
)
