"""Quantized layers of ``nd.contrib`` without weights: ``quantized_pooling``,
``quantized_act``, ``quantized_flatten`` and ``quantized_concat``. Their rules (worked out on MXNet 1.9.1's
CPU build) are listed in :mod:`regluon.ndarray.ops.quantized_nn`, which holds the weighted layers and the
helpers shared by both files.
"""

from __future__ import annotations

import numpy as np
import torch

from ...base import MXNetError, shape_str
from ..params import Bool, Enum, Int, Optional, Param, Shape
from ..register import OpDef, Sample, register
from .conv import _pool
from .quantized_nn import (
    _F32,
    _LIMITS,
    _NO_GOLDEN,
    _QRANGE,
    _dt,
    _i8,
    _max_abs,
    _need,
    _r,
    _range_out,
    _scalar,
    _u8,
)

_RANGED = ("data", "min_data", "max_data")


# ------------------------------------------------------------------------------ pooling, act, flatten


def _pass_range(op: str, min_data, max_data):
    _scalar(op, "min_data", min_data)
    _scalar(op, "max_data", max_data)
    return min_data.reshape(1).clone(), max_data.reshape(1).clone()


def _quantized_pooling(
    data,
    min_data,
    max_data,
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
    op = "contrib.quantized_pooling"
    _need(op, "data", data, torch.int8, torch.uint8)
    if data.dim() not in (4, 5):
        raise MXNetError(f"{op}: data must be 4-d (NCHW) or 5-d (NCDHW), got {shape_str(data.shape)}")
    if len(kernel) not in (2, 3):  # MXNet wants the kernel even with global_pool
        raise MXNetError(f"{op}: kernel must be 2-d or 3-d, got kernel={kernel}")
    if layout not in (None, "NCHW", "NCDHW"):
        raise MXNetError(f"{op}: layout {layout} is not supported; use NCHW or NCDHW (channels first)")
    if pool_type not in ("max", "avg"):
        raise MXNetError(f"{op}: pool_type must be 'max' or 'avg', got '{pool_type}'")
    if pooling_convention == "same":
        raise MXNetError(f"{op}: pooling_convention='same' is not supported; use 'valid' or 'full'")
    if not global_pool:
        if len(kernel) != data.dim() - 2:
            raise MXNetError(f"{op}: kernel {kernel} does not match data {shape_str(data.shape)}")
        for i, k in enumerate(kernel):
            p = pad[i] if pad else 0
            if k > data.shape[2 + i] + 2 * p:
                raise MXNetError(
                    f"{op}: kernel {kernel} exceeds data {shape_str(data.shape)} padded by {pad}"
                )
    x = data.to(torch.float64)
    pooled = _pool(
        x,
        kernel,
        pool_type,
        global_pool,
        True,
        pooling_convention,
        stride,
        pad,
        None,
        count_include_pad,
        None,
    )
    lo, hi = _LIMITS[data.dtype]
    out = torch.round(pooled).clamp_(lo, hi).to(data.dtype)
    return (out, *_pass_range(op, min_data, max_data))


def _quantized_act(data, min_data, max_data, act_type):
    op = "contrib.quantized_act"
    if act_type != "relu":
        raise MXNetError(
            f"{op}: act_type must be 'relu' (the only one MXNet 1.9.1 supports), got '{act_type}'"
        )
    _need(op, "data", data, torch.int8, torch.uint8)
    out = data.clamp_min(0) if data.dtype == torch.int8 else data.view(torch.int8).clone()
    return (out, *_pass_range(op, min_data, max_data))


def _quantized_flatten(data, min_data, max_data):
    op = "contrib.quantized_flatten"
    if data.dim() == 0:
        raise MXNetError(f"{op}: data must have at least one axis, got shape ()")
    return (data.reshape(data.shape[0], -1), *_pass_range(op, min_data, max_data))


# ------------------------------------------------------------------------------ quantized_concat


def _quantized_concat(*arrays, dim, num_args):
    op = "contrib.quantized_concat"
    n = len(arrays) if num_args is None else num_args
    if n < 1 or len(arrays) != 3 * n:
        raise MXNetError(
            f"{op}: num_args={n} needs {3 * n} inputs (the {n} arrays, then min and max of each), "
            f"got {len(arrays)}"
        )
    data = arrays[:n]
    for i, t in enumerate(data):
        _need(op, f"data[{i}]", t, torch.int8, torch.uint8)
    ranges = [
        (
            _scalar(op, f"min of data[{i}]", arrays[n + 2 * i]),
            _scalar(op, f"max of data[{i}]", arrays[n + 2 * i + 1]),
        )
        for i in range(n)
    ]
    ndim = data[0].dim()
    if not -ndim <= dim < ndim:
        raise MXNetError(f"{op}: dim={dim} is out of range for data {shape_str(data[0].shape)}")
    axis = dim % ndim
    for t in data:
        if t.dim() != ndim or any(
            a != b for k, (a, b) in enumerate(zip(t.shape, data[0].shape)) if k != axis
        ):
            shapes = ", ".join(shape_str(x.shape) for x in data)
            raise MXNetError(f"{op}: input shapes must match except along dim={dim}; got {shapes}")
    out_type = torch.int8 if any(t.dtype == torch.int8 for t in data) else torch.uint8
    lo = min(_F32(0), *(r[0] for r in ranges))
    hi = max(_F32(0), *(r[1] for r in ranges))
    m_out = _max_abs(lo, hi)
    q_lo, q_hi = _LIMITS[out_type]
    parts = []
    for t, (a, b) in zip(data, ranges):
        m_in = _max_abs(a, b)
        if t.dtype == out_type and m_in == m_out:
            parts.append(t)
            continue
        if m_out == 0:  # every range is empty: nothing to rescale by (MXNet fails here too)
            raise MXNetError(f"{op}: cannot turn {_dt(t)} data into {str(out_type)[6:]} with all ranges 0")
        with np.errstate(divide="ignore"):  # an empty input range: its values all stand for 0
            scale = (_QRANGE[out_type] / m_out) / (_QRANGE[t.dtype] / m_in)
        q = torch.round(t.to(torch.float32) * torch.tensor(scale, device=t.device))
        parts.append(q.clamp_(q_lo, q_hi).to(out_type))
    return (torch.cat(parts, dim=axis), *_range_out(lo, hi, data[0]))


register(
    OpDef(
        "_contrib_quantized_pooling",
        impl=_quantized_pooling,
        inputs=_RANGED,
        params=(
            Param("kernel", Shape(), (), "Window size, (h, w) or (d, h, w)."),
            Param("pool_type", Enum("avg", "lp", "max", "sum"), "max", "'max' or 'avg' (the others fail)."),
            Param("global_pool", Bool(), False, "One window over all spatial positions."),
            Param("cudnn_off", Bool(), False, "Accepted."),
            Param("pooling_convention", Enum("full", "same", "valid"), "valid", "'valid' or 'full'."),
            Param("stride", Shape(), (), "Stride (default 1)."),
            Param("pad", Shape(), (), "Padding (default 0)."),
            Param("p_value", Optional(Int()), None, "Accepted (lp pooling is not supported)."),
            Param("count_include_pad", Optional(Bool()), None, "avg: count padded positions (default True)."),
            Param(
                "layout",
                Optional(Enum("NCDHW", "NCHW", "NCW", "NDHWC", "NHWC", "NWC")),
                None,
                "NCHW or NCDHW only.",
            ),
        ),
        aliases=("contrib.quantized_pooling",),
        differentiable=False,
        samples=lambda: [
            Sample((_i8(2, 3, 5, 5), _r(-1.0), _r(1.0)), {"kernel": (2, 2), "stride": (2, 2)}),
            Sample(
                (_u8(1, 2, 5, 5), _r(0.0), _r(3.0)),
                {"kernel": (3, 3), "pad": (1, 1), "pool_type": "avg"},
            ),
        ],
        errors=lambda: [
            (
                (_i8(1, 2, 4, 4), _r(-1.0), _r(1.0)),
                {"kernel": (2, 2), "pool_type": "sum"},
                r"contrib.quantized_pooling: pool_type must be 'max' or 'avg', got 'sum'",
            ),
            (
                (np.zeros((1, 2, 4, 4), "float32"), _r(-1.0), _r(1.0)),
                {"kernel": (2, 2)},
                r"contrib.quantized_pooling: data must be int8 or uint8 .*, got float32",
            ),
        ],
        no_golden=_NO_GOLDEN,
        doc="Max or average pooling of int8/uint8 data (averages rounded half to even); the range passes "
        "through: returns ``(out, min_data, max_data)``.\n\nExample: ``out, lo, hi = "
        "nd.contrib.quantized_pooling(q, lo, hi, kernel=(2, 2), stride=(2, 2))``.",
    )
)

register(
    OpDef(
        "_contrib_quantized_act",
        impl=_quantized_act,
        inputs=_RANGED,
        params=(
            Param(
                "act_type",
                Enum("relu", "sigmoid", "softrelu", "softsign", "tanh"),
                None,
                "Activation; only 'relu' is supported.",
                required=True,
            ),
        ),
        aliases=("contrib.quantized_act",),
        differentiable=False,
        samples=lambda: [Sample((_i8(2, 5), _r(-1.0), _r(2.0)), {"act_type": "relu"})],
        errors=lambda: [
            (
                (_i8(2, 3), _r(-1.0), _r(1.0)),
                {"act_type": "tanh"},
                r"contrib.quantized_act: act_type must be 'relu'",
            ),
            (
                (np.zeros(3, "int32"), _r(-1.0), _r(1.0)),
                {"act_type": "relu"},
                r"contrib.quantized_act: data must be int8 or uint8 .*, got int32",
            ),
        ],
        no_golden=_NO_GOLDEN,
        doc="ReLU of int8 data (uint8 data comes back as int8, as in MXNet 1.9.1); the range passes through "
        "unchanged: returns ``(out, min_data, max_data)``.\n\nExample: ``out, lo, hi = "
        "nd.contrib.quantized_act(q, lo, hi, act_type='relu')``.",
    )
)

register(
    OpDef(
        "_contrib_quantized_flatten",
        impl=_quantized_flatten,
        inputs=_RANGED,
        aliases=("contrib.quantized_flatten",),
        differentiable=False,
        samples=lambda: [Sample((_i8(2, 3, 4), _r(-1.0), _r(2.0)))],
        errors=lambda: [
            (
                (_i8(2, 3), np.array([-1.0], "float64"), _r(1.0)),
                {},
                r"contrib.quantized_flatten: min_data must be float32, got float64",
            ),
        ],
        no_golden=_NO_GOLDEN,
        doc="Flatten quantized data to 2-d (first axis kept); the range passes through: returns ``(out, "
        "min_data, max_data)``.\n\nExample: ``out, lo, hi = nd.contrib.quantized_flatten(q, lo, hi)``.",
    )
)

register(
    OpDef(
        "_contrib_quantized_concat",
        impl=_quantized_concat,
        inputs=("data",),
        variadic=True,
        params=(
            Param("dim", Int(), 1, "Axis to join along."),
            Param("num_args", Optional(Int()), None, "Number of arrays (the inputs are 3 * num_args)."),
        ),
        aliases=("contrib.quantized_concat",),
        differentiable=False,
        samples=lambda: [
            Sample((_i8(2, 3), _u8(2, 2, seed=1), _r(-1.0), _r(1.0), _r(0.0), _r(2.5)), {"num_args": 2}),
        ],
        errors=lambda: [
            (
                (np.zeros((2, 3), "float32"), _i8(2, 2), _r(-1.0), _r(1.0), _r(-1.0), _r(1.0)),
                {"num_args": 2},
                r"contrib.quantized_concat: data\[0\] must be int8 or uint8 .*, got float32",
            ),
            (
                (_i8(2, 3), _i8(2, 2), _r(-1.0), _r(1.0), _r(-1.0), _r(1.0)),
                {},
                r"contrib.quantized_concat: num_args=6 needs 18 inputs",
            ),
        ],
        no_golden=_NO_GOLDEN,
        doc="Join int8/uint8 arrays along ``dim``, rescaling each into the widest range (int8 if any input "
        "is int8): the inputs are the arrays, then min and max of each. Returns ``(out, min_out, "
        "max_out)``.\n\nExample: ``out, lo, hi = nd.contrib.quantized_concat(a, b, min_a, max_a, min_b, "
        "max_b, dim=1, num_args=2)``.",
    )
)
