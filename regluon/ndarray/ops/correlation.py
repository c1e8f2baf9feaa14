"""``Correlation``: FlowNet's correlation layer, comparing patches of two feature maps.

For each output position and each displacement ``(dy, dx)`` of a ``(2r + 1) x (2r + 1)`` grid
(``r = max_displacement // stride2``, displacements in steps of ``stride2``) the output channel
``(dy + r) * (2r + 1) + (dx + r)`` holds the mean over channels and a ``kernel_size`` window of
``data1 * data2`` shifted by the displacement (``|data1 - data2|`` with ``is_multiply=False``). Both
inputs are zero-padded by ``pad_size``; output position ``(i, j)`` reads ``data1`` from padded
position ``(i * stride1 + max_displacement, j * stride1 + max_displacement)`` onwards, so the output is
``ceil((H + 2 * pad_size - 2 * (max_displacement + (kernel_size - 1) // 2)) / stride1)`` high.
"""

from __future__ import annotations

import math

import numpy as np
import torch
import torch.nn.functional as F

from ...base import MXNetError, shape_str
from ..params import Bool, Int, Param
from ..register import OpDef, Sample, register
from ._common import rand


class _AbsDiff(torch.autograd.Function):
    """``|d|`` whose gradient is ``+1`` at ``d == 0``, as MXNet's Correlation backward (data1 >= data2)."""

    @staticmethod
    def forward(ctx, d):
        ctx.save_for_backward(d)
        return d.abs()

    @staticmethod
    def backward(ctx, grad):
        (d,) = ctx.saved_tensors
        return torch.where(d >= 0, grad, -grad)


def _out_size(op, size, pad, border, stride):
    n = math.ceil((size + 2 * pad - 2 * border) / stride)
    if n < 1:
        raise MXNetError(
            f"{op}: the displacement neighbourhood and kernel do not fit in the (padded) input: size {size}, "
            f"pad_size={pad}, max_displacement + kernel radius = {border}, stride1={stride}"
        )
    return n


def _check(data1, data2, kernel_size, stride1, stride2):
    if data1.dim() != 4 or data2.dim() != 4:
        raise MXNetError(
            f"Correlation: data1 and data2 must be 4-d (batch, channel, height, width), got "
            f"{shape_str(data1.shape)} and {shape_str(data2.shape)}"
        )
    if data1.shape != data2.shape:
        raise MXNetError(
            f"Correlation: data1 {shape_str(data1.shape)} and data2 {shape_str(data2.shape)} must have the same shape"
        )
    if not data1.is_floating_point() or data1.dtype != data2.dtype:
        raise MXNetError(
            f"Correlation: inputs must be floating point of one dtype, got {str(data1.dtype)[6:]} and "
            f"{str(data2.dtype)[6:]}"
        )
    if kernel_size < 1 or kernel_size % 2 == 0:
        raise MXNetError(f"Correlation: kernel_size={kernel_size} must be a positive odd number")
    if stride1 < 1 or stride2 < 1:
        raise MXNetError(f"Correlation: stride1={stride1} and stride2={stride2} must be positive")


def _correlation(data1, data2, kernel_size, max_displacement, stride1, stride2, pad_size, is_multiply):
    _check(data1, data2, kernel_size, stride1, stride2)
    if max_displacement < 0 or pad_size < 0:
        raise MXNetError(
            f"Correlation: max_displacement={max_displacement} and pad_size={pad_size} must not be negative"
        )
    k, md = kernel_size, max_displacement
    border = md + (k - 1) // 2
    out_h = _out_size("Correlation", data1.shape[2], pad_size, border, stride1)
    out_w = _out_size("Correlation", data1.shape[3], pad_size, border, stride1)
    pads = (pad_size,) * 4
    p1, p2 = F.pad(data1, pads), F.pad(data2, pads)
    span_h, span_w = (out_h - 1) * stride1 + k, (out_w - 1) * stride1 + k
    a = p1[:, :, md : md + span_h, md : md + span_w]
    r = md // stride2
    outs = []
    for dy in range(-r, r + 1):
        y = md + dy * stride2
        for dx in range(-r, r + 1):
            x = md + dx * stride2
            b = p2[:, :, y : y + span_h, x : x + span_w]
            pair = a * b if is_multiply else _AbsDiff.apply(a - b)
            outs.append(pair.sum(1, keepdim=True))
    out = torch.cat(outs, 1)
    if k > 1 or stride1 > 1:
        out = F.avg_pool2d(out, k, stride=stride1)
    return out / data1.shape[1]


def _correlation_ref(
    d1, d2, kernel_size=1, max_displacement=1, stride1=1, stride2=1, pad_size=0, is_multiply=True
):
    """NumPy reference: the definition, position by position."""
    k, md, p = kernel_size, max_displacement, pad_size
    n, c, h, w = d1.shape
    border = md + (k - 1) // 2
    out_h = math.ceil((h + 2 * p - 2 * border) / stride1)
    out_w = math.ceil((w + 2 * p - 2 * border) / stride1)
    pad = ((0, 0), (0, 0), (p, p), (p, p))
    p1, p2 = np.pad(d1, pad), np.pad(d2, pad)
    r = md // stride2
    width = 2 * r + 1
    out = np.zeros((n, width * width, out_h, out_w), dtype=d1.dtype)
    for q in range(width * width):
        oy, ox = (q // width - r) * stride2, (q % width - r) * stride2
        for i in range(out_h):
            for j in range(out_w):
                y1, x1 = i * stride1 + md, j * stride1 + md
                a = p1[:, :, y1 : y1 + k, x1 : x1 + k]
                b = p2[:, :, y1 + oy : y1 + oy + k, x1 + ox : x1 + ox + k]
                v = a * b if is_multiply else np.abs(a - b)
                out[:, q, i, j] = v.sum(axis=(1, 2, 3)) / (k * k * c)
    return out


def _samples():
    ties = np.tile(np.array([0.0, 1.0, 1.0, 2.0], np.float32), (1, 2, 3, 1))
    return [
        Sample((rand(1, 2, 5, 6), rand(1, 2, 5, 6, seed=1))),
        Sample(
            (rand(2, 3, 6, 7), rand(2, 3, 6, 7, seed=2)),
            {"kernel_size": 3, "max_displacement": 2, "pad_size": 2},
        ),
        Sample(
            (rand(1, 2, 7, 6), rand(1, 2, 7, 6, seed=3)),
            {"max_displacement": 2, "stride1": 2, "stride2": 2, "pad_size": 2},
        ),
        Sample(
            (rand(1, 2, 5, 6), rand(1, 2, 5, 6, seed=4)), {"max_displacement": 2, "stride2": 3, "pad_size": 1}
        ),
        Sample(
            (rand(1, 3, 6, 6), rand(1, 3, 6, 6, seed=5)),
            {"is_multiply": False, "kernel_size": 3, "max_displacement": 1, "pad_size": 1},
        ),
        Sample((rand(1, 2, 4, 5), rand(1, 2, 4, 5, seed=6)), {"max_displacement": 0, "is_multiply": "False"}),
        # equal values: |a - b| has MXNet's gradient +1 / -1 there (not a derivative)
        Sample((ties, ties.copy()), {"is_multiply": False, "pad_size": 1}, numeric_grad=False),
    ]


def _errors():
    x = rand(1, 2, 5, 6)
    return [
        ((x, x), {"kernel_size": 5, "max_displacement": 4}, r"Correlation: the displacement neighbourhood"),
        ((x, x), {"stride1": 0}, r"Correlation: stride1=0 and stride2=1 must be positive"),
        ((rand(2, 5, 6), rand(2, 5, 6)), {}, r"Correlation: data1 and data2 must be 4-d"),
        ((x.astype(np.int32), x.astype(np.int32)), {}, r"Correlation: inputs must be floating point"),
    ]


register(
    OpDef(
        "Correlation",
        impl=_correlation,
        inputs=("data1", "data2"),
        params=(
            Param("kernel_size", Int(), 1, "Side of the (odd) patch compared at each position."),
            Param("max_displacement", Int(), 1, "Largest displacement of data2's patch, in pixels."),
            Param("stride1", Int(), 1, "Step between output positions in data1."),
            Param("stride2", Int(), 1, "Step between displacements in data2."),
            Param("pad_size", Int(), 0, "Zero padding added to both inputs on every side."),
            Param(
                "is_multiply", Bool(), True, "Multiply the patches (True) or take |data1 - data2| (False)."
            ),
        ),
        ref=_correlation_ref,
        samples=_samples,
        errors=_errors,
        doc="FlowNet's correlation of two feature maps: for every position of data1 and every displacement "
        "within max_displacement, the mean over channels and a kernel_size window of data1 * data2 "
        "(or |data1 - data2|).\n\nExample:\n    >>> y = mx.nd.Correlation(a, b, max_displacement=4, pad_size=4)"
        "  # (N, 81, H, W)",
    )
)
