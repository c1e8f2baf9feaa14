"""Convolution, Deconvolution and Pooling for 1-d, 2-d and 3-d data in MXNet's NC... layouts."""

from __future__ import annotations

import math

import numpy as np
import torch.nn.functional as tF

from ...base import MXNetError, shape_str
from ..params import Bool, Enum, Int, Optional, Param, Shape
from ..register import OpDef, Sample, register
from ._common import rand

_CONV = {1: tF.conv1d, 2: tF.conv2d, 3: tF.conv3d}
_DECONV = {1: tF.conv_transpose1d, 2: tF.conv_transpose2d, 3: tF.conv_transpose3d}
_LAYOUTS = {1: "NCW", 2: "NCHW", 3: "NCDHW"}


def _spatial(op: str, data, kernel, layout):
    nd_ = len(kernel)
    if nd_ not in _CONV:
        raise MXNetError(f"{op}: kernel must have 1, 2 or 3 dimensions, got {kernel}")
    if data.dim() != nd_ + 2:
        raise MXNetError(
            f"{op}: a {len(kernel)}-d kernel needs {nd_ + 2}-d data, got {shape_str(data.shape)}"
        )
    if layout not in (None, _LAYOUTS[nd_]):
        raise MXNetError(f"{op}: layout {layout} is not supported; use {_LAYOUTS[nd_]}")
    return nd_


def _tuple(v, n, default):
    return tuple(v) if v else (default,) * n


def _conv_infer(op, shapes, params):
    data, weight, bias = (list(shapes) + [None, None])[:3]
    k, nf, g = params["kernel"], params["num_filter"], params["num_group"]
    if data is None or len(data) != len(k) + 2:
        raise MXNetError(f"Convolution: data must be {len(k) + 2}-d for kernel {k}, got {data}")
    if data[1] % g:
        raise MXNetError(f"Convolution: {data[1]} input channels are not divisible by num_group={g}")
    want_w = (nf, data[1] // g, *k)
    if weight is not None and tuple(weight) != want_w:
        raise MXNetError(
            f"Convolution: weight has shape {shape_str(weight)} but data {shape_str(data)} with num_filter={nf}, "
            f"num_group={g}, kernel={k} needs {shape_str(want_w)}"
        )
    if not params["no_bias"] and bias is not None and tuple(bias) != (nf,):
        raise MXNetError(f"Convolution: bias has shape {shape_str(bias)}, expected ({nf},)")
    return [tuple(data), want_w, (nf,)]


def _conv(
    data,
    weight,
    bias,
    kernel,
    stride,
    dilate,
    pad,
    num_filter,
    num_group,
    workspace,
    no_bias,
    cudnn_tune,
    cudnn_off,
    layout,
):
    n = _spatial("Convolution", data, kernel, layout)
    want_w = (num_filter, data.shape[1] // max(num_group, 1), *kernel)
    if tuple(weight.shape) != want_w or (not no_bias and (bias is None or bias.shape != (num_filter,))):
        _conv_infer(
            None,
            [tuple(data.shape), tuple(weight.shape), None if bias is None else tuple(bias.shape)],
            {"kernel": kernel, "num_filter": num_filter, "num_group": num_group, "no_bias": no_bias},
        )
    return _CONV[n](
        data,
        weight,
        None if no_bias else bias,
        _tuple(stride, n, 1),
        _tuple(pad, n, 0),
        _tuple(dilate, n, 1),
        num_group,
    )


_COMMON = (
    Param("kernel", Shape(), None, "Kernel size (1, 2 or 3 dims).", required=True),
    Param("stride", Shape(), (), "Stride per spatial axis (default 1)."),
    Param("dilate", Shape(), (), "Dilation per spatial axis (default 1)."),
    Param("pad", Shape(), (), "Zero padding per spatial axis (default 0)."),
    Param("num_filter", Int(), None, "Output channels.", required=True),
    Param("num_group", Int(), 1, "Groups of channels convolved separately."),
    Param("workspace", Int(), 1024, "Accepted for compatibility."),
)
_TAIL = (
    Param("cudnn_tune", Optional(Enum("off", "limited_workspace", "fastest")), None, "Accepted."),
    Param("cudnn_off", Bool(), False, "Accepted."),
    Param("layout", Optional(Enum("NCW", "NCHW", "NCDHW", "NWC", "NHWC", "NDHWC")), None, "Data layout."),
)


def _conv_ref(
    x, w, b=None, kernel=(), stride=(), dilate=(), pad=(), num_filter=0, num_group=1, no_bias=False, **_
):
    n = len(kernel)
    stride, dilate, pad = _tuple(stride, n, 1), _tuple(dilate, n, 1), _tuple(pad, n, 0)
    xp = np.pad(x, [(0, 0), (0, 0)] + [(p, p) for p in pad])
    N, C = x.shape[:2]
    cg, fg = C // num_group, num_filter // num_group
    out_sp = [(xp.shape[2 + i] - dilate[i] * (kernel[i] - 1) - 1) // stride[i] + 1 for i in range(n)]
    out = np.zeros((N, num_filter, *out_sp), dtype=np.float64)
    for pos in np.ndindex(*out_sp):
        sl = tuple(
            slice(pos[i] * stride[i], pos[i] * stride[i] + dilate[i] * (kernel[i] - 1) + 1, dilate[i])
            for i in range(n)
        )
        for g in range(num_group):
            patch = xp[(slice(None), slice(g * cg, (g + 1) * cg), *sl)].reshape(N, -1)
            wg = w[g * fg : (g + 1) * fg].reshape(fg, -1)
            out[(slice(None), slice(g * fg, (g + 1) * fg), *pos)] = patch @ wg.T
    if not no_bias:
        out += b.reshape((1, -1) + (1,) * n)
    return out.astype(x.dtype)


register(
    OpDef(
        "Convolution",
        impl=_conv,
        inputs=("data", "weight", "bias"),
        optional_inputs=("bias",),
        params=(*_COMMON, Param("no_bias", Bool(), False, "Leave the bias out."), *_TAIL),
        aliases=("Convolution_v1",),
        infer_shape=_conv_infer,
        ref=_conv_ref,
        samples=lambda: [
            Sample(
                (rand(2, 3, 5, 5), rand(4, 3, 3, 3, seed=1), rand(4, seed=2)),
                {"kernel": (3, 3), "num_filter": 4},
            ),
            Sample(
                (rand(1, 4, 6, 5), rand(4, 2, 2, 3, seed=1)),
                {
                    "kernel": (2, 3),
                    "num_filter": 4,
                    "num_group": 2,
                    "stride": (2, 1),
                    "pad": (1, 1),
                    "no_bias": True,
                },
            ),
            Sample(
                (rand(2, 2, 7), rand(3, 2, 3, seed=1), rand(3, seed=2)),
                {"kernel": (3,), "num_filter": 3, "dilate": (2,), "pad": (1,)},
            ),
            Sample(
                (rand(1, 2, 3, 4, 4), rand(2, 2, 2, 2, 2, seed=1), rand(2, seed=2)),
                {"kernel": "(2, 2, 2)", "num_filter": "2"},
            ),
        ],
        errors=lambda: [
            (
                (rand(2, 3, 5, 5), rand(4, 2, 3, 3), rand(4)),
                {"kernel": (3, 3), "num_filter": 4},
                r"Convolution: weight has shape \(4, 2, 3, 3\)",
            )
        ],
        doc="N-d convolution (1-d, 2-d or 3-d by the kernel) in NCW/NCHW/NCDHW layout, with groups, "
        "stride, dilation and zero padding; weight is (num_filter, channels/num_group, *kernel).",
    )
)


def _deconv_infer(op, shapes, params):
    data, weight, bias = (list(shapes) + [None, None])[:3]
    k, nf, g = params["kernel"], params["num_filter"], params["num_group"]
    want_w = (data[1], nf // g, *k)
    if weight is not None and tuple(weight) != want_w:
        raise MXNetError(
            f"Deconvolution: weight has shape {shape_str(weight)} but data {shape_str(data)} with "
            f"num_filter={nf}, num_group={g}, kernel={k} needs {shape_str(want_w)}"
        )
    return [tuple(data), want_w, (nf,)]


def _deconv(
    data,
    weight,
    bias,
    kernel,
    stride,
    dilate,
    pad,
    adj,
    target_shape,
    num_filter,
    num_group,
    workspace,
    no_bias,
    cudnn_tune,
    cudnn_off,
    layout,
):
    n = _spatial("Deconvolution", data, kernel, layout)
    if target_shape:
        raise MXNetError("Deconvolution: target_shape is not supported yet; give pad and adj instead")
    if tuple(weight.shape) != (data.shape[1], num_filter // max(num_group, 1), *kernel):
        _deconv_infer(
            None,
            [tuple(data.shape), tuple(weight.shape), None],
            {"kernel": kernel, "num_filter": num_filter, "num_group": num_group},
        )
    return _DECONV[n](
        data,
        weight,
        None if no_bias else bias,
        _tuple(stride, n, 1),
        _tuple(pad, n, 0),
        _tuple(adj, n, 0),
        num_group,
        _tuple(dilate, n, 1),
    )


register(
    OpDef(
        "Deconvolution",
        impl=_deconv,
        inputs=("data", "weight", "bias"),
        optional_inputs=("bias",),
        params=(
            *_COMMON[:4],
            Param("adj", Shape(), (), "Extra output size per axis."),
            Param("target_shape", Shape(), (), "Output shape (not supported yet)."),
            *_COMMON[4:],
            Param("no_bias", Bool(), True, "Leave the bias out (MXNet's default)."),
            *_TAIL,
        ),
        infer_shape=_deconv_infer,
        samples=lambda: [
            Sample((rand(2, 3, 4, 4), rand(3, 2, 3, 3, seed=1)), {"kernel": (3, 3), "num_filter": 2}),
            Sample(
                (rand(1, 4, 3, 3), rand(4, 3, 2, 2, seed=1), rand(6, seed=2)),
                {
                    "kernel": (2, 2),
                    "num_filter": 6,
                    "num_group": 2,
                    "stride": (2, 2),
                    "pad": (1, 0),
                    "adj": (1, 1),
                    "no_bias": False,
                },
            ),
            Sample((rand(1, 2, 5), rand(2, 3, 3, seed=1)), {"kernel": (3,), "num_filter": 3, "stride": (2,)}),
        ],
        doc="Transposed convolution (the gradient of Convolution with respect to its input); weight is "
        "(channels, num_filter/num_group, *kernel). Output size: (in-1)*stride - 2*pad + dilate*(k-1) + 1 + adj.",
    )
)


def _pool(
    data,
    kernel,
    pool_type,
    global_pool,
    cudnn_off,
    pooling_convention,
    stride,
    pad,
    p_value,
    count_include_pad,
    layout,
):
    n = data.dim() - 2
    if n not in (1, 2, 3):
        raise MXNetError(f"Pooling: data must be 3-d, 4-d or 5-d, got {shape_str(data.shape)}")
    if global_pool:
        kernel, stride, pad = tuple(data.shape[2:]), (1,) * n, (0,) * n
    elif len(kernel) != n:
        raise MXNetError(
            f"Pooling: kernel {kernel} does not match {n} spatial axes of {shape_str(data.shape)}"
        )
    stride, pad = _tuple(stride, n, 1), _tuple(pad, n, 0)
    ceil = pooling_convention == "full"
    if pooling_convention == "same":
        raise MXNetError("Pooling: pooling_convention='same' is not supported yet")
    name = {1: "1d", 2: "2d", 3: "3d"}[n]
    if pool_type == "max":
        return getattr(tF, f"max_pool{name}")(data, kernel, stride, pad, ceil_mode=ceil)
    if pool_type in ("avg", "sum"):
        include = True if count_include_pad is None else count_include_pad
        out = getattr(tF, f"avg_pool{name}")(
            data, kernel, stride, pad, ceil_mode=ceil, count_include_pad=include
        )
        return out * math.prod(kernel) if pool_type == "sum" else out
    p = p_value or 2
    if any(pad):
        data = tF.pad(data, [q for v in reversed(pad) for q in (v, v)])
    s = getattr(tF, f"avg_pool{name}")(data.abs() ** p, kernel, stride, 0, ceil_mode=ceil) * math.prod(kernel)
    return s ** (1.0 / p)


register(
    OpDef(
        "Pooling",
        impl=_pool,
        params=(
            Param("kernel", Shape(), (), "Window size."),
            Param("pool_type", Enum("max", "avg", "sum", "lp"), "max", "Reduction over each window."),
            Param("global_pool", Bool(), False, "One window over all spatial positions."),
            Param("cudnn_off", Bool(), False, "Accepted."),
            Param(
                "pooling_convention",
                Enum("valid", "full", "same"),
                "valid",
                "'valid' floors the output size, 'full' rounds it up.",
            ),
            Param("stride", Shape(), (), "Stride (default 1)."),
            Param("pad", Shape(), (), "Zero padding (default 0)."),
            Param("p_value", Optional(Int()), None, "p for lp pooling."),
            Param("count_include_pad", Optional(Bool()), None, "avg: count padded positions (default True)."),
            Param("layout", Optional(Enum("NCW", "NCHW", "NCDHW")), None, "Data layout."),
        ),
        samples=lambda: [
            Sample((rand(2, 3, 6, 6),), {"kernel": (2, 2), "stride": (2, 2)}),
            Sample(
                (rand(2, 3, 5, 5),), {"kernel": (3, 3), "stride": (2, 2), "pool_type": "avg", "pad": (1, 1)}
            ),
            Sample(
                (rand(2, 3, 5, 5),),
                {
                    "kernel": (3, 3),
                    "stride": (2, 2),
                    "pool_type": "avg",
                    "pad": (1, 1),
                    "count_include_pad": False,
                },
            ),
            Sample((rand(1, 2, 7, 7),), {"kernel": (3, 3), "stride": (2, 2), "pooling_convention": "full"}),
            Sample((rand(2, 3, 4, 5),), {"global_pool": True, "pool_type": "avg"}),
            Sample((rand(2, 3, 4, 4),), {"kernel": (2, 2), "pool_type": "sum"}),
            Sample((rand(2, 3, 8),), {"kernel": (3,), "stride": (2,)}),
            Sample((rand(1, 2, 4, 4, 4),), {"kernel": (2, 2, 2), "pool_type": "avg"}),
            Sample((rand(1, 2, 4, 4, low=0.5),), {"kernel": (2, 2), "pool_type": "lp", "p_value": 2}),
        ],
        doc="Max, average, sum or Lp pooling over windows of 1-d, 2-d or 3-d data (``global_pool`` for one "
        "window over all positions; ``pooling_convention='full'`` rounds the output size up).",
    )
)
