"""Quantized operators of ``nd.contrib``: ``quantized_elemwise_add``, ``quantized_elemwise_mul``,
``quantized_embedding``, ``quantized_batch_norm`` and ``quantize_asym`` (``quantized_rnn`` is in
quantized_rnn.py).

The rules are those of MXNet 1.9.1's CPU build (its oneDNN kernels), worked out on it and checked bit
for bit in tests/test_quantized_ops.py (tests/golden/quantized_ops_golden.npz). An int8 value ``q`` with
the range ``(min, max)`` stands for ``q * MaxAbs(min, max) / 127.5`` (uint8: ``/ 255.5``), as in
``dequantize``; every scale below is computed in float32, one operation at a time, and results are
rounded half to even and saturated. These operators have no gradient, as in MXNet.
"""

from __future__ import annotations

import numpy as np
import torch

from ...base import MXNetError, shape_str
from ..params import Bool, DType, Float, Int, Optional, Param
from ..register import OpDef, Sample, register
from ._common import rand

F32 = np.float32
_RANGE = {torch.int8: F32(127.5), torch.uint8: F32(255.5)}
_LIMITS = {torch.int8: (-128, 127), torch.uint8: (0, 255), torch.int32: (-(2**31), 2**31 - 1)}
_INT32_RANGE = F32(2**31)


def _dt(t: torch.Tensor) -> str:
    return str(t.dtype)[6:]


def _check_int8(op: str, name: str, t: torch.Tensor, allowed=(torch.int8, torch.uint8)) -> None:
    if t.dtype not in allowed:
        kinds = " or ".join(str(a)[6:] for a in allowed)
        raise MXNetError(f"contrib.{op}: {name} must be {kinds}, got {_dt(t)} {shape_str(t.shape)}")


def _value(op: str, name: str, t: torch.Tensor) -> np.float32:
    """The one float32 value of a range input (``min_data``, ``lhs_max``, ...)."""
    if t.numel() != 1:
        raise MXNetError(f"contrib.{op}: {name} must hold one value, got shape {shape_str(t.shape)}")
    return F32(t.reshape(()).item())


def _max_abs(lo, hi) -> np.float32:
    return max(abs(F32(lo)), abs(F32(hi)))


def _saturate(y: torch.Tensor, dtype: torch.dtype) -> torch.Tensor:
    """Round half to even and saturate to ``dtype`` (float32 ``y``; clamping in float64 keeps the int32
    bounds exact)."""
    lo, hi = _LIMITS[dtype]
    return torch.round(y).to(torch.float64).clamp_(lo, hi).to(dtype)


def _one(v, device) -> torch.Tensor:
    return torch.tensor([v], dtype=torch.float32, device=device)


def _calib(lo, hi):
    return lo is not None and hi is not None


# ------------------------------------------------------------------------------ quantized_elemwise_add


def _elemwise_add(lhs, rhs, lhs_min, lhs_max, rhs_min, rhs_max, min_calib_range, max_calib_range):
    op = "quantized_elemwise_add"
    _check_int8(op, "lhs", lhs)
    _check_int8(op, "rhs", rhs)
    if lhs.shape != rhs.shape:
        raise MXNetError(
            f"contrib.{op}: lhs {shape_str(lhs.shape)} and rhs {shape_str(rhs.shape)} must have one shape"
        )
    ma = _max_abs(_value(op, "lhs_min", lhs_min), _value(op, "lhs_max", lhs_max))
    mb = _max_abs(_value(op, "rhs_min", rhs_min), _value(op, "rhs_max", rhs_max))
    ra, rb = _RANGE[lhs.dtype], _RANGE[rhs.dtype]
    if _calib(min_calib_range, max_calib_range):
        out_t = torch.uint8 if lhs.dtype == rhs.dtype == torch.uint8 else torch.int8
        out_scale = _RANGE[out_t] / _max_abs(min_calib_range, max_calib_range)
        sa, sb = out_scale / (ra / ma), out_scale / (rb / mb)
        lo, hi = F32(min_calib_range), F32(max_calib_range)
    else:  # int32 result: the sum's range is the sum of the ranges
        out_t = torch.int32
        sa = ma * _INT32_RANGE / ((ma + mb) * ra)
        sb = mb * _INT32_RANGE / ((ma + mb) * rb)
        lo, hi = -(ma + mb), ma + mb
    a, b = lhs.to(torch.float32), rhs.to(torch.float32)
    if lhs.dtype != rhs.dtype:  # MXNet first requantizes the uint8 side to int8 (rounded, saturated)
        if lhs.dtype == torch.uint8:
            a, sa = torch.round(a * float(sa)).clamp_(-128, 127), F32(1)
        else:
            b, sb = torch.round(b * float(sb)).clamp_(-128, 127), F32(1)
    out = _saturate(a * float(sa) + b * float(sb), out_t)
    return out, _one(lo, out.device), _one(hi, out.device)


# ------------------------------------------------------------------------------ quantized_elemwise_mul


def _elemwise_mul(
    lhs, rhs, lhs_min, lhs_max, rhs_min, rhs_max, min_calib_range, max_calib_range, enable_float_output
):
    op = "quantized_elemwise_mul"
    _check_int8(op, "lhs", lhs, (torch.int8,))
    _check_int8(op, "rhs", rhs, (torch.int8,))
    if lhs.shape != rhs.shape:
        raise MXNetError(
            f"contrib.{op}: lhs {shape_str(lhs.shape)} and rhs {shape_str(rhs.shape)} must have one shape"
        )
    ma = _max_abs(_value(op, "lhs_min", lhs_min), _value(op, "lhs_max", lhs_max))
    mb = _max_abs(_value(op, "rhs_min", rhs_min), _value(op, "rhs_max", rhs_max))
    prod = lhs.to(torch.int32) * rhs.to(torch.int32)
    step = (F32(127.5) / ma) * (F32(127.5) / mb)  # quantized units per unit of the real product
    if enable_float_output:
        return prod.to(torch.float32) * float(F32(1) / step)
    if _calib(min_calib_range, max_calib_range):
        scale = F32(127.5) / _max_abs(min_calib_range, max_calib_range) / step
        v = torch.trunc(prod.to(torch.float32) * float(scale)).to(torch.float64)
        # MXNet converts through a 32-bit integer and keeps its low byte (no saturation): out-of-range
        # values wrap around, and values past the int32 range (or NaN) become its minimum first
        v = torch.where(v.abs() < 2.0**31, v, -(2.0**31)).to(torch.int64)
        out = ((v + 128) % 256 - 128).to(torch.int8)
        lo, hi = F32(min_calib_range), F32(max_calib_range)
    else:
        out = prod
        hi = (ma / F32(127.0)) * (mb / F32(127.0)) * _INT32_RANGE
        lo = -hi
    return out, _one(lo, out.device), _one(hi, out.device)


# ------------------------------------------------------------------------------ quantized_embedding


def _embedding(data, weight, min_weight, max_weight, input_dim, output_dim, dtype, sparse_grad):
    op = "quantized_embedding"
    _check_int8(op, "weight", weight, (torch.int8,))
    if tuple(weight.shape) != (input_dim, output_dim):
        raise MXNetError(
            f"contrib.{op}: weight has shape {shape_str(weight.shape)}, expected ({input_dim}, {output_dim}) "
            f"for input_dim={input_dim}, output_dim={output_dim}"
        )
    lo, hi = _value(op, "min_weight", min_weight), _value(op, "max_weight", max_weight)
    # indices are truncated towards zero and clipped into [0, input_dim - 1], as in Embedding
    idx = data.to(torch.float64).trunc().clamp(0, input_dim - 1).to(torch.int64)
    out = weight[idx]
    return out, _one(lo, out.device), _one(hi, out.device)


def _embedding_ref(data, weight, min_weight, max_weight, input_dim=None, output_dim=None, **_):
    idx = np.clip(np.trunc(data.astype(np.float64)), 0, input_dim - 1).astype(np.int64)
    return [weight[idx], min_weight.astype("float32"), max_weight.astype("float32")]


# ------------------------------------------------------------------------------ quantized_batch_norm


def _batch_norm(data, gamma, beta, moving_mean, moving_var, min_data, max_data, eps, momentum, fix_gamma,
                use_global_stats, output_mean_var, axis, cudnn_off, min_calib_range, max_calib_range):  # fmt: skip
    op = "quantized_batch_norm"
    _check_int8(op, "data", data)
    if not _calib(min_calib_range, max_calib_range):
        raise MXNetError(
            f"contrib.{op}: min_calib_range and max_calib_range are required (MXNet has no uncalibrated mode)"
        )
    if data.dim() < 2 or axis % data.dim() != 1:
        raise MXNetError(
            f"contrib.{op}: the channel axis must be axis 1, got axis={axis} for data {shape_str(data.shape)}"
        )
    c = data.shape[1]
    for name, t in (
        ("gamma", gamma),
        ("beta", beta),
        ("moving_mean", moving_mean),
        ("moving_var", moving_var),
    ):
        if tuple(t.shape) != (c,):
            raise MXNetError(
                f"contrib.{op}: {name} has shape {shape_str(t.shape)}, expected ({c},) for data {shape_str(data.shape)}"
            )
    ma = _max_abs(_value(op, "min_data", min_data), _value(op, "max_data", max_data))
    mc = _max_abs(min_calib_range, max_calib_range)
    e = torch.tensor(eps, dtype=torch.float32)
    # fix_gamma is ignored, as by MXNet's oneDNN kernel: gamma always scales
    inv_std = 1.0 / torch.sqrt(moving_var.float() + e)
    weight = gamma.float() * inv_std * float(ma) / float(mc)
    shift = (beta.float() - moving_mean.float() * gamma.float() * inv_std) * float(F32(127.5)) / float(mc)
    # uint8 data is first halved onto the int8 scale (rounded down), then treated as int8 data
    x = (
        data.to(torch.float32)
        if data.dtype == torch.int8
        else torch.div(data, 2, rounding_mode="floor").float()
    )
    x = x / torch.sqrt(1.0 + e)  # oneDNN applies the epsilon once more to the unit variance it is given
    view = (1, c) + (1,) * (data.dim() - 2)
    out = _saturate(weight.view(view) * x + shift.view(view), torch.int8)
    return out, _one(F32(min_calib_range), out.device), _one(F32(max_calib_range), out.device)


# ------------------------------------------------------------------------------ quantize_asym


def _quantize_asym(data, min_calib_range, max_calib_range):
    op = "quantize_asym"
    if data.dtype != torch.float32:
        raise MXNetError(f"contrib.{op}: data must be float32, got {_dt(data)} {shape_str(data.shape)}")
    if _calib(min_calib_range, max_calib_range):
        lo, hi = F32(min_calib_range), F32(max_calib_range)
    elif data.numel() == 0:
        raise MXNetError(
            f"contrib.{op}: data {shape_str(data.shape)} is empty and no calibration range is given"
        )
    else:
        lo, hi = F32(data.min().item()), F32(data.max().item())
    with np.errstate(all="ignore"):  # min == max gives an infinite scale, as in MXNet
        scale = F32(255.0) / (hi - lo)
        shift = F32(255.0) - hi * scale
    y = torch.nan_to_num(data * float(scale) + float(shift), nan=0.0)
    out = _saturate(y, torch.uint8)
    return out, _one(scale, out.device), _one(shift, out.device)


def _quantize_asym_ref(x, min_calib_range=None, max_calib_range=None):
    """The formula worked out by hand (see the doc): uint8 = round(x * scale + shift), NaN -> 0."""
    if min_calib_range is not None and max_calib_range is not None:
        lo, hi = F32(min_calib_range), F32(max_calib_range)
    else:
        lo, hi = F32(x.min()), F32(x.max())
    with np.errstate(all="ignore"):
        scale = F32(255) / (hi - lo)
        shift = F32(255) - hi * scale
        y = np.nan_to_num(x * scale + shift, nan=0.0)
    q = np.clip(np.rint(y), 0, 255).astype(np.uint8)
    return [q, np.array([scale], "float32"), np.array([shift], "float32")]


# ------------------------------------------------------------------------------ the table


def _i8(*shape, seed=0):
    return np.random.RandomState(seed).randint(-128, 128, shape).astype("int8")


def _u8(*shape, seed=0):
    return np.random.RandomState(seed).randint(0, 256, shape).astype("uint8")


def _r(v):
    return np.array([v], "float32")


_CALIB = (
    Param(
        "min_calib_range", Optional(Float()), None, "Calibrated minimum of the result (int8/uint8 result)."
    ),
    Param("max_calib_range", Optional(Float()), None, "Calibrated maximum of the result."),
)
_RANGES = ("lhs_min", "lhs_max", "rhs_min", "rhs_max")
_NO_GOLDEN = (
    "checked against MXNet 1.9.1 in tests/test_quantized_ops.py (tests/golden/quantized_ops_golden.npz): "
    "the oracle's oneDNN primitive cache and crashes need one shape per case and a bound symbol for some ops"
)

register(
    OpDef(
        "_contrib_quantized_elemwise_add",
        impl=_elemwise_add,
        inputs=("lhs", "rhs", *_RANGES),
        params=_CALIB,
        aliases=("contrib.quantized_elemwise_add",),
        differentiable=False,
        samples=lambda: [
            Sample((_i8(2, 3), _i8(2, 3, seed=1), _r(-1), _r(1), _r(-2), _r(0.5))),
            Sample(
                (_u8(4), _i8(4), _r(0), _r(1), _r(-1), _r(1)),
                {"min_calib_range": -1.0, "max_calib_range": 2.0},
            ),
        ],
        errors=lambda: [
            (
                (_i8(2, 3), _i8(3, 2), _r(-1), _r(1), _r(-1), _r(1)),
                {},
                r"quantized_elemwise_add: lhs \(2, 3\) and rhs \(3, 2\)",
            ),
            (
                (_i8(3), rand(3), _r(-1), _r(1), _r(-1), _r(1)),
                {},
                r"quantized_elemwise_add: rhs must be int8 or uint8, got float32",
            ),
        ],
        no_golden=_NO_GOLDEN,
        doc="Add two int8/uint8 arrays given the float ranges they stand for. Without a calibration range "
        "the result is int32 with the range ``±(MaxAbs(lhs) + MaxAbs(rhs))``; with one it is int8 (uint8 "
        "when both inputs are uint8) with that range. Returns ``(out, min_out, max_out)``.\n\n"
        "Example: ``out, lo, hi = nd.contrib.quantized_elemwise_add(qa, qb, amin, amax, bmin, bmax)``.",
    )
)

register(
    OpDef(
        "_contrib_quantized_elemwise_mul",
        impl=_elemwise_mul,
        inputs=("lhs", "rhs", *_RANGES),
        params=(*_CALIB, Param("enable_float_output", Bool(), False, "Return the float32 product only.")),
        aliases=("contrib.quantized_elemwise_mul",),
        differentiable=False,
        samples=lambda: [
            Sample((_i8(2, 3), _i8(2, 3, seed=1), _r(-1), _r(1), _r(-2), _r(0.5))),
            Sample((_i8(5), _i8(5, seed=2), _r(-1), _r(1), _r(-1), _r(1)), {"enable_float_output": True}),
            Sample(
                (_i8(5), _i8(5, seed=3), _r(-1), _r(1), _r(-1), _r(1)),
                {"min_calib_range": -0.5, "max_calib_range": 0.5},
            ),
        ],
        errors=lambda: [
            (
                (_u8(3), _u8(3), _r(-1), _r(1), _r(-1), _r(1)),
                {},
                r"quantized_elemwise_mul: lhs must be int8, got uint8",
            ),
        ],
        no_golden=_NO_GOLDEN,
        doc="Multiply two int8 arrays given their float ranges: the int32 product with the range "
        "``±MaxAbs(lhs) * MaxAbs(rhs) * 2**31 / 127**2``; with a calibration range an int8 result (truncated; "
        "MXNet's kernel wraps values outside int8 around rather than saturating them); with "
        "``enable_float_output`` the float32 product alone. MXNet 1.9.1's own imperative call of this operator "
        "fails (its symbol form works); regluon runs both.\n\n"
        "Example: ``out, lo, hi = nd.contrib.quantized_elemwise_mul(qa, qb, amin, amax, bmin, bmax)``.",
    )
)

register(
    OpDef(
        "_contrib_quantized_embedding",
        impl=_embedding,
        inputs=("data", "weight", "min_weight", "max_weight"),
        params=(
            Param("input_dim", Int(), None, "Number of rows of the weight (vocabulary size).", required=True),
            Param("output_dim", Int(), None, "Length of each embedding vector.", required=True),
            Param("dtype", DType(), "float32", "Accepted; the weight must be int8."),
            Param("sparse_grad", Bool(), False, "Accepted (no gradient)."),
        ),
        aliases=("contrib.quantized_embedding",),
        differentiable=False,
        ref=_embedding_ref,
        samples=lambda: [
            Sample(
                (np.array([[0, 4, 2], [1, 7, -1]], "float32"), _i8(5, 3), _r(-1), _r(2)),
                {"input_dim": 5, "output_dim": 3},
            ),
        ],
        errors=lambda: [
            (
                (np.zeros(2, "float32"), rand(5, 3), _r(-1), _r(1)),
                {"input_dim": 5, "output_dim": 3},
                r"quantized_embedding: weight must be int8, got float32",
            ),
            (
                (np.zeros(2, "float32"), _i8(5, 3), _r(-1), _r(1)),
                {"input_dim": 4, "output_dim": 3},
                r"quantized_embedding: weight has shape \(5, 3\), expected \(4, 3\)",
            ),
        ],  # fmt: skip
        no_golden=_NO_GOLDEN,
        doc="Look rows of an int8 embedding matrix up by index (indices truncated and clipped to the "
        "vocabulary); the weight's range passes through. Returns ``(out, min_weight, max_weight)``.\n\n"
        "Example: ``out, lo, hi = nd.contrib.quantized_embedding(idx, qweight, wmin, wmax, input_dim=5, "
        "output_dim=3)``.",
    )
)

register(
    OpDef(
        "_contrib_quantized_batch_norm",
        impl=_batch_norm,
        inputs=("data", "gamma", "beta", "moving_mean", "moving_var", "min_data", "max_data"),
        params=(
            Param("eps", Float(), 1e-3, "Added to the variance."),
            Param("momentum", Float(), 0.9, "Accepted (inference only)."),
            Param(
                "fix_gamma", Bool(), True, "Accepted and ignored: gamma always scales, as in MXNet's kernel."
            ),
            Param("use_global_stats", Bool(), False, "Accepted: the moving statistics are always used."),
            Param("output_mean_var", Bool(), False, "Accepted."),
            Param("axis", Int(), 1, "The channel axis; MXNet's kernel supports axis 1 only."),
            Param("cudnn_off", Bool(), False, "Accepted."),
            *_CALIB,
        ),
        aliases=("contrib.quantized_batch_norm",),
        differentiable=False,
        samples=lambda: [
            Sample(
                (
                    _i8(2, 3, 2, 2),
                    rand(3, seed=1),
                    rand(3, seed=2),
                    rand(3, seed=3),
                    rand(3, low=0.5, seed=4),
                    _r(-1),
                    _r(1),
                ),
                {"min_calib_range": -3.0, "max_calib_range": 3.0},
            ),
        ],
        errors=lambda: [
            (
                (_i8(2, 3), *(np.ones(3, "float32"),) * 4, _r(-1), _r(1)),
                {},
                r"quantized_batch_norm: min_calib_range and max_calib_range",
            ),
            (
                (_i8(2, 3), *(np.ones(2, "float32"),) * 4, _r(-1), _r(1)),
                {"min_calib_range": -1.0, "max_calib_range": 1.0},
                r"quantized_batch_norm: gamma has shape \(2,\), expected \(3,\)",
            ),
        ],  # fmt: skip
        no_golden=_NO_GOLDEN,
        doc="Batch normalisation of int8/uint8 data with the moving statistics, to int8 with the calibrated "
        "output range (required). Returns ``(out, min_calib_range, max_calib_range)``.\n\n"
        "Example: ``out, lo, hi = nd.contrib.quantized_batch_norm(q, gamma, beta, mean, var, qmin, qmax, "
        "min_calib_range=-3.0, max_calib_range=3.0)``.",
    )
)

register(
    OpDef(
        "_contrib_quantize_asym",
        impl=_quantize_asym,
        params=(
            Param("min_calib_range", Optional(Float()), None, "Calibrated minimum (else the data's own)."),
            Param("max_calib_range", Optional(Float()), None, "Calibrated maximum (else the data's own)."),
        ),
        aliases=("contrib.quantize_asym",),
        differentiable=False,
        ref=_quantize_asym_ref,
        samples=lambda: [
            Sample((rand(2, 3, 4),)),
            Sample((rand(7, 5),), {"min_calib_range": -1.0, "max_calib_range": 1.5}),
        ],
        errors=lambda: [
            ((rand(3).astype("float64"),), {}, r"quantize_asym: data must be float32, got float64")
        ],
        no_golden=_NO_GOLDEN,
        doc="Quantize float32 data to uint8 over its range ``[min, max]`` (calibrated, or the data's own), "
        "mapping ``min`` to 0 and ``max`` to 255: ``out = round(data * scale + shift)`` (half to even, "
        "saturated; NaN gives 0) with ``scale = 255 / (max - min)`` and ``shift = 255 - max * scale``. "
        "Returns ``(out, scale, shift)``, the last two of shape ``(1,)``. (MXNet's operator description "
        "writes the rounding as ``+ 0.5``; its oneDNN kernel, checked here, rounds half to even.) MXNet 1.9.1's "
        "CPU build computes this only for 3-d data and crashes on other shapes; regluon applies the same "
        "rule to every shape.\n\n"
        "Example: ``q, scale, shift = nd.contrib.quantize_asym(x)``; ``x`` is about ``(q - shift) / scale``.",
    )
)
