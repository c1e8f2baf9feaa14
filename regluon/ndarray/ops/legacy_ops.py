"""MXNet 1.x's legacy operators kept for old code: ``Pooling_v1`` and ``_onehot_encode`` (behind
``nd.onehot_encode``).

``Pooling_v1`` is the pooling operator before ``Pooling`` (4-d data, max/avg/sum). Where they differ
(checked on MXNet 1.9.1): the padding is made of zeros that max pooling sees too (a window of negative
values next to the border gives 0); avg always divides by the kernel area, also for windows cut by
the input's end under ``pooling_convention='full'``; and the max gradient goes to every element equal
to the window's maximum (ties each get it). Sum pooling gives ``Pooling``'s results.

``nd.onehot_encode(indices, out)`` is the form older than ``one_hot``: it overwrites the 2-d float32
array ``out`` with one row per index (a 1 in column ``int(index)``, zeros elsewhere; rows of indices
outside ``[0, out.shape[1])`` are all zero) and returns ``out``.
"""

from __future__ import annotations

import math

import numpy as np
import torch
import torch.nn.functional as F

from ...base import MXNetError, shape_str
from ..params import Bool, Enum, Param, Shape
from ..register import OpDef, Sample, invoke, register
from ._common import rand


def _onehot_encode(lhs, rhs):
    if lhs.dim() != 1 or rhs.dim() != 2:
        raise MXNetError(
            f"onehot_encode: indices must be 1-d and out 2-d, got indices {shape_str(lhs.shape)} and "
            f"out {shape_str(rhs.shape)}"
        )
    if lhs.shape[0] != rhs.shape[0]:
        raise MXNetError(
            f"onehot_encode: indices {shape_str(lhs.shape)} and out {shape_str(rhs.shape)} must have the "
            "same number of rows"
        )
    if lhs.dtype != torch.float32 or rhs.dtype != torch.float32:
        raise MXNetError(
            f"onehot_encode: MXNet supports float32 indices and out only, got {str(lhs.dtype)[6:]} and "
            f"{str(rhs.dtype)[6:]}; use one_hot for other dtypes"
        )
    depth = rhs.shape[1]
    idx = lhs.trunc()
    cols = torch.arange(depth, dtype=lhs.dtype, device=lhs.device)
    return (idx[:, None] == cols).to(rhs.dtype)


def _onehot_ref(indices, out):
    res = np.zeros(out.shape, dtype=np.float32)
    for i, v in enumerate(np.trunc(indices)):
        if 0 <= v < out.shape[1]:
            res[i, int(v)] = 1
    return res


register(
    OpDef(
        "_onehot_encode",
        impl=_onehot_encode,
        inputs=("lhs", "rhs"),
        ref=_onehot_ref,
        samples=lambda: [
            Sample((np.array([1, 0, 3], np.float32), np.zeros((3, 4), np.float32))),
            # out's old values do not matter; fractions truncate; out-of-range rows stay zero
            Sample((np.array([1.7, 5, -1, 2.2], np.float32), rand(4, 3))),
        ],
        errors=lambda: [
            ((np.array([1, 0], np.float32), np.zeros((3, 4), np.float32)), {}, r"same number of rows"),
            ((np.array([[1, 0]], np.float32), np.zeros((1, 2, 4), np.float32)), {}, r"indices must be 1-d"),
            ((np.array([1, 0], np.int32), np.zeros((2, 4), np.float32)), {}, r"float32 indices and out only"),
            (
                (np.array([1, 0], np.float64), np.zeros((2, 4), np.float64)),
                {},
                r"float32 indices and out only",
            ),
        ],
        differentiable=False,
        doc="One-hot rows for 1-d float32 indices, shaped like the 2-d float32 ``rhs`` (whose values are "
        "ignored). Called by ``nd.onehot_encode(indices, out)``.\n\n"
        "Example:\n    >>> mx.nd._onehot_encode(mx.nd.array([1, 0]), mx.nd.zeros((2, 3)))",
    )
)


# ------------------------------------------------------------------------------------------ Pooling_v1
def _v1_geometry(data, kernel, global_pool, stride, pad):
    if data.dim() != 4:
        raise MXNetError(
            f"Pooling_v1: data must be 4-d (batch, channel, height, width), got {shape_str(data.shape)}; "
            "use Pooling for 1-d and 3-d pooling"
        )
    if global_pool:
        return tuple(data.shape[2:]), (1, 1), (0, 0)
    if len(kernel) != 2:
        raise MXNetError(f"Pooling_v1: kernel {kernel} must have 2 entries (height, width) for 4-d data")
    stride = tuple(stride) if stride else (1, 1)
    pad = tuple(pad) if pad else (0, 0)
    if min(kernel) < 1 or min(stride) < 1 or len(stride) != 2 or len(pad) != 2:
        raise MXNetError(
            f"Pooling_v1: kernel {kernel} and stride {stride} need 2 positive entries, pad {pad} 2"
        )
    for k, n, p in zip(kernel, data.shape[2:], pad):
        if k > n + 2 * p:
            raise MXNetError(
                f"Pooling_v1: kernel {tuple(kernel)} exceeds the input {shape_str(data.shape)} padded by {pad}"
            )
    return tuple(kernel), stride, pad


def _v1_pool(x, kernel, stride, pad, full, pool_type):
    """Pooling of the zero-padded input; a max gradient reaches every element equal to the max."""
    (kh, kw), (sh, sw), (ph, pw) = kernel, stride, pad
    p = F.pad(x, (pw, pw, ph, ph))
    rnd = math.ceil if full else math.floor
    oh, ow = (rnd((n - k) / s) + 1 for n, k, s in zip(p.shape[2:], kernel, stride))
    # past the padded input: in no window (for max the lowest value, which an empty window gives)
    fill = torch.finfo(x.dtype).min if pool_type == "max" else 0.0
    more_h, more_w = max(0, (oh - 1) * sh + kh - p.shape[2]), max(0, (ow - 1) * sw + kw - p.shape[3])
    if more_h or more_w:
        p = F.pad(p, (0, more_w, 0, more_h), value=fill)
    cols = F.unfold(p, (kh, kw), stride=(sh, sw)).reshape(x.shape[0], x.shape[1], kh * kw, oh * ow)
    if pool_type == "max":
        fixed = cols.detach()
        best = fixed.amax(2, keepdim=True)
        out = best + ((cols - fixed) * (fixed == best)).sum(2, keepdim=True)
    else:
        out = cols.sum(2) / (kh * kw) if pool_type == "avg" else cols.sum(2)
    return out.reshape(x.shape[0], x.shape[1], oh, ow)


def _pooling_v1(data, kernel, pool_type, global_pool, pooling_convention, stride, pad):
    kernel, stride, pad = _v1_geometry(data, kernel, global_pool, stride, pad)
    return _v1_pool(data, kernel, stride, pad, pooling_convention == "full", pool_type)


def _pooling_v1_ref(
    x, kernel=(), pool_type="max", global_pool=False, pooling_convention="valid", stride=(), pad=()
):
    """NumPy reference: explicit zero padding, then each window clipped to the padded input."""
    if global_pool:
        kernel, stride, pad = x.shape[2:], (1, 1), (0, 0)
    stride, pad = stride or (1, 1), pad or (0, 0)
    p = np.pad(x, ((0, 0), (0, 0), (pad[0], pad[0]), (pad[1], pad[1])))
    rnd = math.ceil if pooling_convention == "full" else math.floor
    oh, ow = (rnd((n - k) / s) + 1 for n, k, s in zip(p.shape[2:], kernel, stride))
    out = np.zeros(x.shape[:2] + (oh, ow), dtype=x.dtype)
    for i in range(oh):
        for j in range(ow):
            win = p[
                :, :, i * stride[0] : i * stride[0] + kernel[0], j * stride[1] : j * stride[1] + kernel[1]
            ]
            if pool_type == "max":
                out[:, :, i, j] = win.max(axis=(2, 3))
            else:
                out[:, :, i, j] = win.sum(axis=(2, 3)) / (kernel[0] * kernel[1] if pool_type == "avg" else 1)
    return out


def _pooling_v1_samples():
    neg = -rand(1, 2, 5, 6, low=0.5, high=2.0, seed=1)  # all negative: the zero padding wins at the border
    ties = np.round(rand(1, 2, 6, 6, seed=2)).astype(np.float32)  # repeated maxima
    return [
        Sample((rand(2, 3, 5, 6),), {"kernel": (2, 2), "stride": (2, 2)}),
        Sample((neg,), {"kernel": (3, 3), "pad": (1, 1)}),
        Sample(
            (rand(1, 2, 5, 7, seed=3),),
            {"kernel": (2, 2), "stride": (2, 2), "pad": (1, 1), "pooling_convention": "full"},
        ),
        Sample((ties,), {"kernel": (2, 2), "stride": (1, 1)}, numeric_grad=False),
        Sample(
            (rand(1, 2, 5, 6, seed=4),),
            {
                "kernel": (3, 3),
                "stride": (2, 2),
                "pad": (1, 1),
                "pool_type": "avg",
                "pooling_convention": "full",
            },
        ),
        Sample(
            (rand(1, 2, 5, 7, seed=5),),
            {"kernel": "(2, 3)", "stride": "(1, 2)", "pad": "(0, 1)", "pool_type": "avg"},
        ),
        Sample((rand(1, 2, 5, 6, seed=6),), {"kernel": (2, 2), "pad": (2, 2), "pool_type": "sum"}),
        Sample(
            (rand(2, 2, 3, 4, seed=7),),
            {"kernel": (1, 1), "global_pool": True, "pool_type": "avg", "pad": (1, 1)},
        ),
        Sample((neg,), {"global_pool": "True"}),
        Sample((neg,), {"kernel": (6, 6), "pad": (1, 1)}),
    ]


register(
    OpDef(
        "Pooling_v1",
        impl=_pooling_v1,
        params=(
            Param("kernel", Shape(), (), "Window size (height, width)."),
            Param("pool_type", Enum("max", "avg", "sum"), "max", "Reduction over each window."),
            Param(
                "global_pool", Bool(), False, "One window over the whole height and width (kernel ignored)."
            ),
            Param(
                "pooling_convention",
                Enum("valid", "full"),
                "valid",
                "Output size rounded down (valid) or up (full).",
            ),
            Param("stride", Shape(), (), "Step between windows (default 1)."),
            Param("pad", Shape(), (), "Zeros added on each side (default 0)."),
        ),
        ref=_pooling_v1_ref,
        samples=_pooling_v1_samples,
        errors=lambda: [
            ((rand(1, 2, 7),), {"kernel": (2,)}, r"Pooling_v1: data must be 4-d"),
            ((rand(1, 2, 5, 6),), {"kernel": (2,)}, r"Pooling_v1: kernel \(2,\) must have 2 entries"),
            ((rand(1, 2, 5, 6),), {"kernel": (6, 6)}, r"Pooling_v1: kernel \(6, 6\) exceeds the input"),
            (
                (rand(1, 2, 5, 6),),
                {"kernel": (2, 2), "stride": (0, 1)},
                r"Pooling_v1: kernel .* need 2 positive",
            ),
            ((rand(1, 2, 5, 6),), {}, r"Pooling_v1: kernel \(\) must have 2 entries"),
        ],
        doc="The legacy (deprecated) 2-d pooling: max, avg or sum over windows of zero-padded 4-d data. "
        "Differs from Pooling at the padding (max sees the zeros), in avg's divisor (always the kernel area) "
        "and in the max gradient (every tied maximum gets it).\n\n"
        "Example:\n    >>> y = mx.nd.Pooling_v1(x, kernel=(2, 2), stride=(2, 2), pool_type='max')",
    )
)


def onehot_encode(indices, out):
    """Overwrite ``out`` (2-d, float32) with the one-hot encoding of the 1-d float32 ``indices``.

    The legacy form of ``one_hot``: row ``i`` of ``out`` becomes all zeros with a 1 in column
    ``int(indices[i])`` (no 1 when that column does not exist). Returns ``out``.

    Example:
        >>> out = mx.nd.zeros((2, 3))
        >>> mx.nd.onehot_encode(mx.nd.array([2, 0]), out).asnumpy()
        array([[0., 0., 1.],
               [1., 0., 0.]], dtype=float32)
    """
    from ..register import get_op

    return invoke(get_op("_onehot_encode"), [indices, out], {}, out)


#: Python-level functions of ``mx.nd`` defined here (public name -> function)
FUNCTIONS = {"onehot_encode": onehot_encode}
