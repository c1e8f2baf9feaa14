"""Convolution, Deconvolution and Pooling for 1-d, 2-d and 3-d data in MXNet's NC... layouts."""

from __future__ import annotations

import math

import numpy as np
import torch
import torch.nn.functional as tF

from ...base import MXNetError, shape_str
from ..params import Bool, Enum, Int, Optional, Param, Shape
from ..register import OpDef, Sample, register
from ._common import rand

_CONV = {1: tF.conv1d, 2: tF.conv2d, 3: tF.conv3d}
_DECONV = {1: tF.conv_transpose1d, 2: tF.conv_transpose2d, 3: tF.conv_transpose3d}
_LAYOUTS = {1: "NCW", 2: "NCHW", 3: "NCDHW"}
_MKLDNN = torch._C._get_mkldnn_enabled if torch.backends.mkldnn.is_available() else lambda: False


def _spatial(op: str, data, kernel, layout):
    nd_ = len(kernel)
    if nd_ not in _CONV:
        raise MXNetError(f"{op}: kernel must have 1, 2 or 3 dimensions, got {kernel}")
    if data.dim() != nd_ + 2:
        raise MXNetError(
            f"{op}: a {len(kernel)}-d kernel needs {nd_ + 2}-d data, got {shape_str(data.shape)}"
        )
    if layout is not None and layout != _LAYOUTS[nd_]:
        if layout == "NWC":
            why = "is not one of MXNet's layouts for this operator (NCW, NCHW, NCDHW, NHWC, NDHWC)"
        elif len(layout) == nd_ + 2:
            why = "is not supported on CPU (MXNet 1.9.1 computes only NCW, NCHW and NCDHW there); transpose the data"
        else:
            why = f"does not fit {nd_ + 2}-d data"
        raise MXNetError(f"{op}: layout {layout} {why}; use {_LAYOUTS[nd_]} for data {shape_str(data.shape)}")
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
    stride, pad, dilate = _tuple(stride, n, 1), _tuple(pad, n, 0), _tuple(dilate, n, 1)
    if n == 2 and data.dtype is torch.float32 and data.device.type == "cpu":
        data = _cpu_layout(data, weight.shape, stride, pad, dilate)
    return _CONV[n](data, weight, None if no_bias else bias, stride, pad, dilate, num_group)


_CL = torch.channels_last
_CL_CH, _CL_POS = 32, 64  # channels-last from this many filters and output positions up


def _cpu_layout(data, wshape, stride, pad, dilate):
    """The memory layout in which oneDNN convolves this 2-d float32 input fastest on CPU.

    The logical shape stays NCHW; only the strides change. Channels-last (NHWC) memory lets torch's
    oneDNN path skip the reorders to and from its blocked format that NCHW costs on every call,
    and the layers between convolutions (BatchNorm, ReLU, pooling, +) keep that layout, so a
    network stays in it. It loses where there are few output positions per channel (7x7 maps of
    512 channels) or few channels (LeNet's 6 -> 16): those convolve channels-first.
    """
    h = (data.shape[2] + 2 * pad[0] - dilate[0] * (wshape[2] - 1) - 1) // stride[0] + 1
    w = (data.shape[3] + 2 * pad[1] - dilate[1] * (wshape[3] - 1) - 1) // stride[1] + 1
    if wshape[0] >= _CL_CH and h * w >= _CL_POS and _MKLDNN():
        return data.contiguous(memory_format=_CL)
    return data.contiguous()


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
            ),
            (
                (rand(2, 5, 5, 3), rand(4, 3, 3, 3), rand(4)),
                {"kernel": (3, 3), "num_filter": 4, "layout": "NHWC"},
                r"Convolution: layout NHWC is not supported on CPU",
            ),
            (
                (rand(1, 3, 3, 3, 2), rand(2, 2, 2, 2, 2), rand(2)),
                {"kernel": (2, 2, 2), "num_filter": 2, "layout": "NDHWC"},
                r"Convolution: layout NDHWC is not supported on CPU",
            ),
            (
                (rand(2, 7, 3), rand(4, 3, 3), rand(4)),
                {"kernel": (3,), "num_filter": 4, "layout": "NWC"},
                r"Convolution: layout NWC is not one of MXNet's layouts",
            ),
            (
                (rand(2, 3, 5, 5), rand(4, 3, 3, 3), rand(4)),
                {"kernel": (3, 3), "num_filter": 4, "layout": "NCW"},
                r"Convolution: layout NCW does not fit 4-d data",
            ),
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
    stride, dilate = _tuple(stride, n, 1), _tuple(dilate, n, 1)
    if target_shape and any(target_shape):
        pad, adj = _pad_for_target(data.shape[2:], kernel, stride, dilate, target_shape)
    else:
        pad, adj = _tuple(pad, n, 0), _tuple(adj, n, 0)
    for i in range(n):
        if adj[i] >= stride[i]:
            raise MXNetError(
                f"Deconvolution: adj {adj} must be smaller than stride {stride} on every axis"
                + (
                    f" (target_shape={target_shape} needs adj {adj})"
                    if target_shape and any(target_shape)
                    else ""
                )
            )
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
        stride,
        pad,
        adj,
        num_group,
        dilate,
    )


def _pad_for_target(size, kernel, stride, dilate, target):
    """Deconvolution's target_shape replaces pad and adj: the full output is cropped by half the excess
    on each side, the odd element coming off the start."""
    if len(target) != len(kernel):
        raise MXNetError(f"Deconvolution: target_shape {target} needs {len(kernel)} entries, one per axis")
    pad, adj = [], []
    for n, k, s, d, t in zip(size, kernel, stride, dilate, target):
        full = (n - 1) * s + d * (k - 1) + 1
        if t > full or t <= 0:
            raise MXNetError(
                f"Deconvolution: target_shape {target} is not reachable: without padding the output is "
                f"{full} along an axis whose target is {t}"
            )
        pad.append((full - t + 1) // 2)
        adj.append((full - t) % 2)
    return tuple(pad), tuple(adj)


register(
    OpDef(
        "Deconvolution",
        impl=_deconv,
        inputs=("data", "weight", "bias"),
        optional_inputs=("bias",),
        params=(
            *_COMMON[:4],
            Param("adj", Shape(), (), "Extra output size per axis."),
            Param(
                "target_shape",
                Shape(),
                (),
                "Output spatial shape; when given, pad and adj are derived from it (and ignored).",
            ),
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
            # target_shape: MXNet's CPU (MKLDNN) kernel runs it where the given pad is the derived one
            Sample(
                (rand(1, 2, 4, 4), rand(2, 3, 3, 3, seed=1)),
                {"kernel": (3, 3), "num_filter": 3, "stride": (2, 2), "pad": (2, 2), "target_shape": (5, 6)},
            ),
            Sample(
                (rand(2, 2, 3, 3), rand(2, 2, 4, 4, seed=3), rand(2, seed=4)),
                {
                    "kernel": (4, 4),
                    "num_filter": 2,
                    "stride": (3, 3),
                    "pad": (1, 1),
                    "adj": (0, 0),
                    "target_shape": "(8, 9)",
                    "no_bias": False,
                },
            ),
            Sample(
                (rand(1, 3, 4), rand(3, 2, 3, seed=1)),
                {"kernel": (3,), "num_filter": 2, "stride": (2,), "target_shape": (9,)},
            ),
            Sample(
                (rand(1, 2, 3, 3, 3), rand(2, 1, 2, 2, 2, seed=1)),
                {"kernel": (2, 2, 2), "num_filter": 1, "stride": (2, 2, 2), "adj": (1, 0, 1)},
            ),
        ],
        errors=lambda: [
            (
                (rand(1, 2, 4, 4), rand(2, 3, 3, 3)),
                {"kernel": (3, 3), "num_filter": 3, "stride": (2, 2), "adj": (2, 2)},
                r"Deconvolution: adj \(2, 2\) must be smaller than stride \(2, 2\)",
            ),
            (
                (rand(1, 2, 4, 4), rand(2, 3, 3, 3)),
                {"kernel": (3, 3), "num_filter": 3, "stride": (2, 2), "target_shape": (10, 10)},
                r"Deconvolution: target_shape \(10, 10\) is not reachable.* output is 9",
            ),
            (
                (rand(1, 4, 4, 2), rand(2, 3, 3, 3)),
                {"kernel": (3, 3), "num_filter": 3, "layout": "NHWC"},
                r"Deconvolution: layout NHWC is not supported on CPU",
            ),
            (
                (rand(1, 2, 4), rand(2, 3, 3)),
                {"kernel": (3,), "num_filter": 3, "layout": "NWC"},
                r"Deconvolution: layout NWC is not one of MXNet's layouts",
            ),
        ],
        doc="Transposed convolution (the gradient of Convolution with respect to its input); weight is "
        "(channels, num_filter/num_group, *kernel). Output size: (in-1)*stride - 2*pad + dilate*(k-1) + 1 + adj; "
        "with target_shape, pad and adj are chosen to give that size (half the excess cut from each side, the odd "
        "one from the start).\n\nExample: ``nd.Deconvolution(x, w, kernel=(4, 4), stride=(2, 2), pad=(1, 1), "
        "num_filter=8)`` doubles the height and width of x.",
    )
)


_POOL_LAYOUTS = {1: ("NCW", "NWC"), 2: ("NCHW", "NHWC"), 3: ("NCDHW", "NDHWC")}


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
    if layout is not None and layout not in _POOL_LAYOUTS[n]:
        raise MXNetError(
            f"Pooling: layout {layout} does not fit {n + 2}-d data {shape_str(data.shape)}; "
            f"use {' or '.join(_POOL_LAYOUTS[n])}"
        )
    last = layout == _POOL_LAYOUTS[n][1]
    x = data.movedim(-1, 1) if last else data
    if global_pool:
        kernel, stride, pad = tuple(x.shape[2:]), (), ()
    elif len(kernel) != n:
        raise MXNetError(
            f"Pooling: kernel {kernel} does not match {n} spatial axes of {shape_str(data.shape)}"
        )
    stride, pad = _tuple(stride, n, 1), _tuple(pad, n, 0)
    if pooling_convention == "same" and (n != 1 or not global_pool):
        out = _pool_same(x, kernel, stride, pad, pool_type, p_value)
    else:
        out = _pool_nc(x, kernel, stride, pad, pool_type, p_value, count_include_pad, pooling_convention)
    return out.movedim(1, -1) if last else out


def _pool_nc(x, kernel, stride, pad, pool_type, p_value, count_include_pad, convention):
    """Pooling of channels-first data with 'valid' (floor) or 'full' (ceil) output sizes.

    With 'full', MXNet keeps a last window that lies wholly in the right padding (torch drops it):
    that window is all padding, so its value is the pooling of nothing (max: the lowest float,
    others: 0) and it is appended as a constant.
    """
    out = _pool_torch(x, kernel, stride, pad, pool_type, p_value, count_include_pad, convention == "full")
    if convention != "full":
        return out
    missing = []
    for i, (size, k, s, p) in enumerate(zip(x.shape[2:], kernel, stride, pad)):
        want = -(-(size + 2 * p - k) // s) + 1
        missing.append(max(0, want - out.shape[2 + i]))
    if any(missing):
        fill = torch.finfo(out.dtype).min if pool_type == "max" else 0.0
        out = tF.pad(out, [q for m in reversed(missing) for q in (0, m)], value=fill)
    return out


def _pool_torch(x, kernel, stride, pad, pool_type, p_value, count_include_pad, ceil):
    n = x.dim() - 2
    name = ("1d", "2d", "3d")[n - 1]
    if pool_type == "max":
        return getattr(tF, f"max_pool{name}")(x, kernel, stride, pad, ceil_mode=ceil)
    if pool_type == "avg":
        include = True if count_include_pad is None else count_include_pad
        return getattr(tF, f"avg_pool{name}")(
            x, kernel, stride, pad, ceil_mode=ceil, count_include_pad=include
        )
    if pool_type == "sum":
        return _window_sum(x, kernel, stride, pad, ceil)
    p = p_value or 2
    return _window_sum(x.abs() ** p, kernel, stride, pad, ceil) ** (1.0 / p)


def _window_sum(x, kernel, stride, pad, ceil):
    """The sum over each window (padding counts as 0, windows cut by the edge sum what they hold)."""
    if x.dim() == 3:  # torch's 1-d average pooling has no divisor_override: pool a 1-row image
        return _window_sum(x.unsqueeze(2), (1, *kernel), (1, *stride), (0, *pad), ceil).squeeze(2)
    pool = tF.avg_pool2d if x.dim() == 4 else tF.avg_pool3d
    return pool(x, kernel, stride, pad, ceil_mode=ceil, count_include_pad=True, divisor_override=1)


def _pool_same(x, kernel, stride, pad, pool_type, p_value):
    """MXNet's pooling_convention='same' (1-d only): ceil(width / stride) windows starting at i * stride;
    windows running past the end see only the positions inside (avg divides by their count)."""
    if x.dim() != 3:
        raise MXNetError(
            f"Pooling: pooling_convention='same' works on 1-d data (batch, channel, width) only, as in "
            f"MXNet 1.9.1; got {shape_str(x.shape)}"
        )
    if any(pad):
        raise MXNetError(f"Pooling: pooling_convention='same' chooses its own padding; got pad={pad}")
    (k,), (s,), w = kernel, stride, x.shape[2]
    extra = max((-(-w // s) - 1) * s + k - w, 0)
    if pool_type == "max":
        return tF.max_pool1d(tF.pad(x, (0, extra), value=-math.inf), k, s)
    if pool_type == "lp":
        p = p_value or 2
        return (tF.avg_pool1d(tF.pad(x.abs() ** p, (0, extra)), k, s) * k) ** (1.0 / p)
    total = tF.avg_pool1d(tF.pad(x, (0, extra)), k, s) * k
    if pool_type == "sum":
        return total
    ones = tF.pad(torch.ones((1, 1, w), dtype=x.dtype, device=x.device), (0, extra))
    return total / (tF.avg_pool1d(ones, k, s) * k)


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
                "'valid' floors the output size, 'full' rounds it up, 'same' (1-d only) gives ceil(width / stride).",
            ),
            Param("stride", Shape(), (), "Stride (default 1)."),
            Param("pad", Shape(), (), "Zero padding (default 0)."),
            Param("p_value", Optional(Int()), None, "p for lp pooling."),
            Param("count_include_pad", Optional(Bool()), None, "avg: count padded positions (default True)."),
            Param(
                "layout",
                Optional(Enum("NCW", "NCHW", "NCDHW", "NWC", "NHWC", "NDHWC")),
                None,
                "Data layout (channels first or last).",
            ),
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
            # channels-last layouts (MXNet's CPU build pools NWC/NHWC/NDHWC)
            Sample((rand(2, 6, 5, 3),), {"kernel": (3, 3), "stride": (2, 1), "layout": "NHWC"}),
            Sample(
                (rand(2, 7, 7, 3),),
                {
                    "kernel": (3, 3),
                    "stride": (2, 2),
                    "pad": (1, 1),
                    "pool_type": "avg",
                    "count_include_pad": False,
                    "layout": "NHWC",
                },
            ),
            Sample((rand(2, 7, 3),), {"kernel": (3,), "stride": (2,), "pool_type": "sum", "layout": "NWC"}),
            Sample(
                (rand(1, 4, 5, 4, 2),), {"kernel": (2, 2, 2), "pooling_convention": "full", "layout": "NDHWC"}
            ),
            Sample((rand(2, 4, 5, 3),), {"global_pool": True, "layout": "NHWC"}),
            # size-1 axes and a window as large as the data
            Sample((rand(1, 1, 1, 5),), {"kernel": (1, 2), "pool_type": "avg"}),
            Sample((rand(2, 1, 3, 3),), {"kernel": (3, 3), "pool_type": "max"}),
            # 'full': a last window wholly in the padding, and windows cut by the edge
            *(
                Sample(
                    (rand(1, 2, 5, 6),),
                    {
                        "kernel": (2, 2),
                        "stride": (2, 3),
                        "pad": (1, 1),
                        "pool_type": t,
                        "pooling_convention": "full",
                    },
                )
                for t in ("max", "avg", "sum")
            ),
            Sample(
                (rand(1, 2, 6),),
                {"kernel": (3,), "stride": (2,), "pool_type": "sum", "pooling_convention": "full"},
            ),
        ],
        errors=lambda: [
            (
                (rand(1, 2, 5, 5),),
                {"kernel": (3, 3), "pooling_convention": "same"},
                r"Pooling: pooling_convention='same' works on 1-d data",
            ),
            (
                (rand(1, 2, 5),),
                {"kernel": (3,), "pad": (1,), "pooling_convention": "same"},
                r"Pooling: pooling_convention='same' chooses its own padding",
            ),
            (
                (rand(2, 3, 4, 4),),
                {"kernel": (2, 2), "layout": "NWC"},
                r"Pooling: layout NWC does not fit 4-d",
            ),
            ((rand(2, 3, 4, 4),), {"kernel": (2,)}, r"Pooling: kernel \(2,\) does not match 2 spatial axes"),
        ],
        doc="Max, average, sum or Lp pooling over windows of 1-d, 2-d or 3-d data, channels first (NCW, NCHW, "
        "NCDHW) or last (NWC, NHWC, NDHWC). ``global_pool`` pools all positions into one; "
        "``pooling_convention='full'`` rounds the output size up; ``'same'`` (1-d data only, no pad) gives "
        "ceil(width / stride) windows starting at multiples of the stride, the last ones cut short at the end."
        "\n\nExample: ``nd.Pooling(x, kernel=(2, 2), stride=(2, 2), pool_type='max')`` halves H and W.",
    )
)
