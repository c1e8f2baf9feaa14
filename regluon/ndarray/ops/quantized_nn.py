"""Quantized layer operators of ``nd.contrib``: ``quantized_conv``, ``quantized_fully_connected``,
``quantized_pooling``, ``quantized_act``, ``quantized_flatten``, ``quantized_concat``.

Each takes integer data with the float range it stands for (``min_*``/``max_*``, float32 arrays of one
value) and returns its result with that result's range. The rules are those of MXNet 1.9.1's CPU build
(its oneDNN kernels), worked out on it (tests/golden/quantized_nn_golden.npz); ``M(lo, hi)`` is
``max(|lo|, |hi|)`` and all range arithmetic is float32:

* ``quantized_conv``: uint8 data, int8 weight (and int8 bias), 2-d or 3-d, one group. The int32 result is
  the exact sum of products; the bias is added *as it is*, without rescaling (MXNet's kernel ignores
  ``min_bias``/``max_bias``). Range: ``±(M(data) / 127) * (M(weight) / 127) * 2**31``.
* ``quantized_fully_connected``: int8 or uint8 data, int8 weight and bias. The bias is rescaled into the
  int32 result's units: ``trunc(b * ((Rd / M(data)) * (127.5 / M(weight))) * M(bias) / 127.5)`` with
  ``Rd`` 127.5 for int8 data and 255.5 for uint8. Range: ``±(M(data) / Rr) * (M(weight) / 127) * 2**31``
  with ``Rr`` 127 (int8) or 255 (uint8).
* With a bias, both add it to the sum in float32 (so sums beyond 2**24 are rounded to float32 first).
  Departures: for some convolution shapes (seen: 4 or 8 filters over a multiple of 4 channels) oneDNN
  runs an SSE4.1/AVX2 kernel that saturates each pair of products to int16, and its GEMM kernel rounds
  sums beyond 2**24 to float32 even without a bias; regluon keeps the exact sum, as the other kernels do.
* ``quantized_pooling``: int8/uint8, 'max' or 'avg' (rounded half to even), 2-d or 3-d; the range passes.
* ``quantized_act``: 'relu' only; the range passes unchanged. On uint8 data MXNet's result is the same
  bytes read as int8 (values above 127 come out negative); regluon does the same.
* ``quantized_flatten``: any dtype, to 2-d; the range passes.
* ``quantized_concat``: the output range is ``(min(0, mins), max(0, maxs))``, its type int8 if any input is
  int8, else uint8; each input is rescaled into it by ``rint(q * (Ro / M(out)) / (Ri / M(in)))``
  (``R`` 127.5 for int8, 255.5 for uint8), saturated.

None of these has a gradient, as in MXNet. The last four live in quantized_layers.py.
"""

from __future__ import annotations

import numpy as np
import torch
import torch.nn.functional as tF

from ...base import MXNetError, shape_str
from ..params import Bool, Enum, Int, Optional, Param, Shape
from ..register import OpDef, Sample, register

_F32 = np.float32
_I32_LO, _I32_HI = _F32(-2147483648.0), _F32(2147483647.0)  # float32(2**31 - 1) is 2**31
_LIMITS = {torch.int8: (-128, 127), torch.uint8: (0, 255)}
_QRANGE = {torch.int8: _F32(127.5), torch.uint8: _F32(255.5)}  # MXNet's quantize_v2 ranges
_NO_GOLDEN = (
    "checked against MXNet 1.9.1 in tests/test_quantized_nn.py (tests/golden/quantized_nn_golden.npz)"
)


def _dt(t: torch.Tensor) -> str:
    return str(t.dtype)[6:]


def _scalar(op: str, name: str, t: torch.Tensor) -> np.float32:
    """The float32 value of a range input (one float32 value, as MXNet requires)."""
    if t.dtype != torch.float32:
        raise MXNetError(f"{op}: {name} must be float32, got {_dt(t)}")
    if t.numel() != 1:
        raise MXNetError(f"{op}: {name} must hold one value, got shape {shape_str(t.shape)}")
    return _F32(t.reshape(()).item())


def _max_abs(lo: np.float32, hi: np.float32) -> np.float32:
    return max(abs(lo), abs(hi))


def _range_out(lo, hi, like: torch.Tensor):
    dev = like.device
    return (
        torch.tensor([lo], dtype=torch.float32, device=dev),
        torch.tensor([hi], dtype=torch.float32, device=dev),
    )


def _int32_range(step: np.float32, like: torch.Tensor):
    """The range of an int32 result in which one unit stands for ``step``."""
    return _range_out(step * _I32_LO, step * _I32_HI, like)


def _need(op: str, name: str, t: torch.Tensor, *dtypes: torch.dtype) -> None:
    if t.dtype not in dtypes:
        allowed = " or ".join(str(d)[6:] for d in dtypes)
        raise MXNetError(f"{op}: {name} must be {allowed} (MXNet's CPU kernel), got {_dt(t)}")


def _present(op: str, tensors, no_bias: bool) -> list:
    """The arrays given, in order, as MXNet takes them: 9 (with the bias and its range) or 6 (no_bias)."""
    got = [t for t in tensors if t is not None]
    want = 6 if no_bias else 9
    if len(got) != want:
        raise MXNetError(
            f"{op}: expects {want} inputs with no_bias={no_bias} (data, weight, "
            f"{'' if no_bias else 'bias, '}then min and max of each), got {len(got)}"
        )
    return got


def _exact_dtype(data: torch.Tensor, weight: torch.Tensor) -> torch.dtype:
    """A float type in which the integer sums of products come out exact, in any order of addition:
    float32 (faster) where no partial sum can reach 2**24 (the largest |data| times the largest sum of
    |weight| over one output), else float64 (exact to 2**53). GPUs get float64: their float32
    convolutions and products may round the inputs (TF32)."""
    if data.device.type != "cpu" or data.numel() == 0 or weight.numel() == 0:
        return torch.float64
    lo, hi = torch.aminmax(data)
    w_sum = weight.to(torch.int32).abs_().reshape(weight.shape[0], -1).sum(1).max()
    return torch.float32 if max(-int(lo), int(hi)) * int(w_sum) < 2**24 else torch.float64


def _add_bias(acc: torch.Tensor, bias32: torch.Tensor | None, shape) -> torch.Tensor:
    """The int32 result: the exact sum, or (with a bias) the float32 sum of it and the bias."""
    if bias32 is None:
        if acc.dtype == torch.float32:  # below 2**24 (see _exact_dtype): nothing to saturate
            return acc.to(torch.int32)
        return acc.clamp_(-2147483648, 2147483647).to(torch.int32)
    out = acc.to(torch.float32).add_(bias32.to(torch.float32).reshape(shape))
    return out.clamp_(-2147483648, 2147483520).to(torch.int32)


# ------------------------------------------------------------------------------ quantized_conv

_CONV = {2: tF.conv2d, 3: tF.conv3d}


def _check_conv(op, data, weight, bias, kernel, num_filter, num_group, layout, no_bias):
    if num_group != 1:
        raise MXNetError(f"{op}: MXNet 1.9.1 supports num_group=1 only, got num_group={num_group}")
    if len(kernel) not in (2, 3):
        raise MXNetError(f"{op}: kernel must be 2-d or 3-d (NCHW or NCDHW data), got kernel={kernel}")
    want_layout = "NCHW" if len(kernel) == 2 else "NCDHW"
    if layout is not None and layout != want_layout:
        raise MXNetError(f"{op}: layout {layout} is not supported; use {want_layout} (channels first)")
    _need(op, "data", data, torch.uint8)
    _need(op, "weight", weight, torch.int8)
    if data.dim() != len(kernel) + 2:
        raise MXNetError(f"{op}: kernel {kernel} needs {len(kernel) + 2}-d data, got {shape_str(data.shape)}")
    want = (num_filter, data.shape[1], *kernel)
    if tuple(weight.shape) != want:
        raise MXNetError(
            f"{op}: weight has shape {shape_str(weight.shape)}, but data {shape_str(data.shape)} with "
            f"num_filter={num_filter} and kernel={kernel} needs {shape_str(want)}"
        )
    if not no_bias:
        _need(op, "bias", bias, torch.int8)
        if tuple(bias.shape) != (num_filter,):
            raise MXNetError(f"{op}: bias has shape {shape_str(bias.shape)}, expected ({num_filter},)")


def _quantized_conv(
    data,
    weight,
    bias,
    min_data,
    max_data,
    min_weight,
    max_weight,
    min_bias,
    max_bias,
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
    op = "contrib.quantized_conv"
    arrays = _present(
        op, (data, weight, bias, min_data, max_data, min_weight, max_weight, min_bias, max_bias), no_bias
    )
    if no_bias:
        data, weight, min_data, max_data, min_weight, max_weight = arrays
        bias = None
    else:
        data, weight, bias, min_data, max_data, min_weight, max_weight = arrays[:7]
    _check_conv(op, data, weight, bias, kernel, num_filter, num_group, layout, no_bias)
    md = _max_abs(_scalar(op, "min_data", min_data), _scalar(op, "max_data", max_data))
    mw = _max_abs(_scalar(op, "min_weight", min_weight), _scalar(op, "max_weight", max_weight))
    if not no_bias:  # checked as MXNet does, though its kernel does not use them
        _scalar(op, "min_bias", arrays[7])
        _scalar(op, "max_bias", arrays[8])
    n = len(kernel)
    stride, dilate, pad = stride or (1,) * n, dilate or (1,) * n, pad or (0,) * n
    dt = _exact_dtype(data, weight)
    try:
        acc = _CONV[n](data.to(dt), weight.to(dt), None, stride, pad, dilate)
    except RuntimeError as err:
        raise MXNetError(f"{op}: {str(err).splitlines()[0]} (data {shape_str(data.shape)})") from None
    out = _add_bias(acc, bias, (1, -1) + (1,) * n)
    return (out, *_int32_range((md / _F32(127)) * (mw / _F32(127)), out))


# ------------------------------------------------------------------------------ quantized_fully_connected


def _quantized_fc(
    data,
    weight,
    bias,
    min_data,
    max_data,
    min_weight,
    max_weight,
    min_bias,
    max_bias,
    num_hidden,
    no_bias,
    flatten,
):
    op = "contrib.quantized_fully_connected"
    arrays = _present(
        op, (data, weight, bias, min_data, max_data, min_weight, max_weight, min_bias, max_bias), no_bias
    )
    if no_bias:
        data, weight, min_data, max_data, min_weight, max_weight = arrays
    else:
        data, weight, bias, min_data, max_data, min_weight, max_weight, min_bias, max_bias = arrays
    _need(op, "data", data, torch.int8, torch.uint8)
    _need(op, "weight", weight, torch.int8)
    if data.dim() == 0:
        raise MXNetError(f"{op}: data must have at least one axis, got shape ()")
    x = data.reshape(data.shape[0], -1) if flatten else data
    want = (num_hidden, x.shape[-1])
    if tuple(weight.shape) != want:
        raise MXNetError(
            f"{op}: weight has shape {shape_str(weight.shape)}, but data {shape_str(data.shape)} with "
            f"num_hidden={num_hidden}, flatten={flatten} needs {shape_str(want)}"
        )
    md = _max_abs(_scalar(op, "min_data", min_data), _scalar(op, "max_data", max_data))
    mw = _max_abs(_scalar(op, "min_weight", min_weight), _scalar(op, "max_weight", max_weight))
    dt = _exact_dtype(x, weight)
    acc = torch.matmul(x.to(dt), weight.to(dt).t())
    bias32 = None
    if not no_bias:
        _need(op, "bias", bias, torch.int8)
        if tuple(bias.shape) != (num_hidden,):
            raise MXNetError(f"{op}: bias has shape {shape_str(bias.shape)}, expected ({num_hidden},)")
        mb = _max_abs(_scalar(op, "min_bias", min_bias), _scalar(op, "max_bias", max_bias))
        q = _QRANGE[torch.int8]
        rescale = ((_QRANGE[data.dtype] / md) * (q / mw)) * mb / q
        bias32 = torch.trunc(bias.to(torch.float32) * torch.tensor(rescale, device=bias.device))
    out = _add_bias(acc, bias32, (-1,))
    step = (md / _F32(127 if data.dtype == torch.int8 else 255)) * (mw / _F32(127))
    return (out, *_int32_range(step, out))


# ------------------------------------------------------------------------------ registration


def _u8(*shape, seed=0):
    return np.random.RandomState(seed).randint(0, 256, shape).astype("uint8")


def _i8(*shape, seed=0):
    return np.random.RandomState(seed).randint(-128, 128, shape).astype("int8")


def _r(v):
    return np.array([v], "float32")


_WEIGHTED = (
    "data",
    "weight",
    "bias",
    "min_data",
    "max_data",
    "min_weight",
    "max_weight",
    "min_bias",
    "max_bias",
)
_NO_BIAS = Param("no_bias", Bool(), False, "No bias (then the bias and its range are left out).")

register(
    OpDef(
        "_contrib_quantized_conv",
        impl=_quantized_conv,
        inputs=_WEIGHTED,
        optional_inputs=_WEIGHTED[1:],
        params=(
            Param("kernel", Shape(), None, "Kernel size, (h, w) or (d, h, w).", required=True),
            Param("stride", Shape(), (), "Stride per spatial axis (default 1)."),
            Param("dilate", Shape(), (), "Dilation per spatial axis (default 1)."),
            Param("pad", Shape(), (), "Zero padding per spatial axis (default 0)."),
            Param("num_filter", Int(), None, "Output channels.", required=True),
            Param("num_group", Int(), 1, "Groups of channels (MXNet 1.9.1 supports 1 only)."),
            Param("workspace", Int(), 1024, "Accepted for compatibility."),
            _NO_BIAS,
            Param("cudnn_tune", Optional(Enum("fastest", "limited_workspace", "off")), None, "Accepted."),
            Param("cudnn_off", Bool(), False, "Accepted."),
            Param(
                "layout", Optional(Enum("NCDHW", "NCHW", "NCW", "NDHWC", "NHWC")), None, "NCHW or NCDHW only."
            ),
        ),
        aliases=("contrib.quantized_conv",),
        differentiable=False,
        samples=lambda: [
            Sample(
                (_u8(2, 3, 5, 5), _i8(4, 3, 3, 3, seed=1), _i8(4, seed=2), _r(0.0), _r(2.0))
                + (_r(-1.0), _r(1.5), _r(-0.5), _r(0.5)),
                {"kernel": (3, 3), "num_filter": 4},
            ),
            Sample(
                (_u8(1, 2, 6, 5), _i8(3, 2, 2, 3, seed=1), _r(0.0), _r(1.0), _r(-0.3), _r(0.2)),
                {"kernel": (2, 3), "num_filter": 3, "stride": (2, 1), "pad": (1, 1), "no_bias": True},
            ),
        ],
        errors=lambda: [
            (
                (_i8(1, 2, 4, 4), _i8(2, 2, 3, 3), _r(-1.0), _r(1.0), _r(-1.0), _r(1.0)),
                {"kernel": (3, 3), "num_filter": 2, "no_bias": True},
                r"contrib.quantized_conv: data must be uint8 .*, got int8",
            ),
            (
                (_u8(1, 4, 4, 4), _i8(2, 2, 3, 3), _r(0.0), _r(1.0), _r(-1.0), _r(1.0)),
                {"kernel": (3, 3), "num_filter": 2, "num_group": 2, "no_bias": True},
                r"contrib.quantized_conv: MXNet 1.9.1 supports num_group=1 only",
            ),
        ],
        no_golden=_NO_GOLDEN,
        doc="Convolution of uint8 data with int8 weights (2-d or 3-d, channels first) into int32, with the "
        "range the result stands for: returns ``(out, min_out, max_out)``. The int8 bias is added unscaled, "
        "as MXNet 1.9.1's CPU kernel does.\n\nExample: ``out, lo, hi = nd.contrib.quantized_conv(x, w, b, "
        "min_x, max_x, min_w, max_w, min_b, max_b, kernel=(3, 3), num_filter=8)``.",
    )
)

register(
    OpDef(
        "_contrib_quantized_fully_connected",
        impl=_quantized_fc,
        inputs=_WEIGHTED,
        optional_inputs=_WEIGHTED[1:],
        params=(
            Param("num_hidden", Int(), None, "Output units.", required=True),
            _NO_BIAS,
            Param("flatten", Bool(), True, "Collapse all but the first axis of the data."),
        ),
        aliases=("contrib.quantized_fully_connected",),
        differentiable=False,
        samples=lambda: [
            Sample(
                (_i8(2, 6), _i8(3, 6, seed=1), _i8(3, seed=2), _r(-1.0), _r(2.0))
                + (_r(-1.0), _r(1.5), _r(-0.5), _r(0.7)),
                {"num_hidden": 3},
            ),
            Sample(
                (_u8(2, 2, 3), _i8(4, 3, seed=1), _r(0.0), _r(1.0), _r(-0.3), _r(0.2)),
                {"num_hidden": 4, "flatten": False, "no_bias": True},
            ),
        ],
        errors=lambda: [
            (
                (np.zeros((2, 6), "float32"), _i8(3, 6), _r(-1.0), _r(1.0), _r(-1.0), _r(1.0)),
                {"num_hidden": 3, "no_bias": True},
                r"contrib.quantized_fully_connected: data must be int8 or uint8 .*, got float32",
            ),
            (
                (_i8(2, 6), _i8(3, 6), _r(-1.0), _r(1.0), _r(-1.0), _r(1.0)),
                {"num_hidden": 3},
                r"contrib.quantized_fully_connected: expects 9 inputs with no_bias=False",
            ),
        ],
        no_golden=_NO_GOLDEN,
        doc="Fully connected layer on int8/uint8 data with int8 weights into int32, with the range the "
        "result stands for: returns ``(out, min_out, max_out)``; the bias is rescaled into the result's "
        "units.\n\nExample: ``out, lo, hi = nd.contrib.quantized_fully_connected(x, w, b, min_x, max_x, "
        "min_w, max_w, min_b, max_b, num_hidden=10)``.",
    )
)
