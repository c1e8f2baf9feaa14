"""Quantization operators of ``nd.contrib``: ``quantize``, ``quantize_v2``, ``dequantize``, ``requantize``,
``calibrate_entropy`` (at the end of the file).

The rules are those of MXNet 1.9.1's CPU build (its oneDNN kernels), worked out on it
(tests/golden/quantization_golden.npz): a float32 value ``x`` becomes ``rint(x * scale)`` (rounding
half to even), saturated to the type's limits, with ``scale = R / MaxAbs(min, max)``:

=================  ===========  ============  =====================================
operator           R for int8   R for uint8   range returned for int8 / uint8
=================  ===========  ============  =====================================
``quantize``       127          255           ±MaxAbs / (min, max) as given
``quantize_v2``    127.5        255.5         ±MaxAbs / (min, max)
``requantize``     127          255           ±MaxAbs / (0, MaxAbs)
=================  ===========  ============  =====================================

``dequantize`` multiplies by ``MaxAbs(min, max) / 127.5`` (int8) or ``/ 255.5`` (uint8); int32 data
(``requantize``'s input) stands for ``q * MaxAbs(min, max) / 2**31``. Negative values saturate to 0
in uint8. ``out_type='auto'`` picks uint8 when a calibration range with ``min >= 0`` is given, else
int8. These operators have no gradient, as in MXNet.
"""

from __future__ import annotations

import numpy as np
import torch

from ...base import MXNetError
from ..params import Enum, Float, Int, Optional, Param
from ..register import OpDef, Sample, register
from ._common import rand

_LIMITS = {"int8": (-128, 127, torch.int8), "uint8": (0, 255, torch.uint8)}
_INT32_RANGE = 2147483647.0  # as a float32 this is 2**31


def _check_float32(op: str, data: torch.Tensor) -> None:
    if data.dtype != torch.float32:
        raise MXNetError(f"{op}: data must be float32, got {str(data.dtype)[6:]}")


def _range_value(op: str, name: str, t: torch.Tensor) -> torch.Tensor:
    if t.numel() != 1:
        raise MXNetError(f"{op}: {name} must hold one value, got shape {tuple(t.shape)}")
    return t.reshape(()).to(torch.float32)


def _max_abs(lo: torch.Tensor, hi: torch.Tensor) -> torch.Tensor:
    return torch.maximum(lo.abs(), hi.abs())


def _saturate(x: torch.Tensor, scale: torch.Tensor, out_type: str) -> torch.Tensor:
    lo, hi, dtype = _LIMITS[out_type]
    return torch.round(x * scale).clamp_(lo, hi).to(dtype)


def _ranges(lo, hi, max_abs, out_type, signed_range: bool):
    if out_type == "int8" or signed_range:
        return (-max_abs).reshape(1), max_abs.reshape(1)
    return lo.reshape(1), hi.reshape(1)


def _quantize(data, min_range, max_range, out_type):
    _check_float32("contrib.quantize", data)
    lo = _range_value("contrib.quantize", "min_range", min_range)
    hi = _range_value("contrib.quantize", "max_range", max_range)
    m = _max_abs(lo, hi)
    scale = (127.0 if out_type == "int8" else 255.0) / m
    return (_saturate(data, scale, out_type), *_ranges(lo, hi, m, out_type, False))


def _auto(out_type: str, lo: float | None) -> str:
    if out_type != "auto":
        return out_type
    return "uint8" if lo is not None and lo >= 0 else "int8"


def _quantize_v2(data, out_type, min_calib_range, max_calib_range):
    _check_float32("contrib.quantize_v2", data)
    if min_calib_range is not None and max_calib_range is not None:
        lo, hi = (
            torch.tensor(min_calib_range, dtype=torch.float32),
            torch.tensor(max_calib_range, dtype=torch.float32),
        )
        out_type = _auto(out_type, min_calib_range)
    else:
        lo, hi = data.min(), data.max()
        out_type = _auto(out_type, None)
    m = _max_abs(lo, hi)
    scale = (127.5 if out_type == "int8" else 255.5) / m
    return (_saturate(data, scale, out_type), *_ranges(lo, hi, m, out_type, False))


def _dequantize(data, min_range, max_range, out_type):
    if data.dtype not in (torch.int8, torch.uint8):
        raise MXNetError(f"contrib.dequantize: data must be int8 or uint8, got {str(data.dtype)[6:]}")
    lo = _range_value("contrib.dequantize", "min_range", min_range)
    hi = _range_value("contrib.dequantize", "max_range", max_range)
    step = _max_abs(lo, hi) / (127.5 if data.dtype == torch.int8 else 255.5)
    return data.to(torch.float32) * step


def _requantize(data, min_range, max_range, out_type, min_calib_range, max_calib_range):
    if data.dtype != torch.int32:
        raise MXNetError(f"contrib.requantize: data must be int32, got {str(data.dtype)[6:]}")
    lo = _range_value("contrib.requantize", "min_range", min_range)
    hi = _range_value("contrib.requantize", "max_range", max_range)
    real = data.to(torch.float32) * (_max_abs(lo, hi) / _INT32_RANGE)
    if min_calib_range is not None and max_calib_range is not None:
        out_type = _auto(out_type, min_calib_range)
        m = torch.tensor(max(abs(min_calib_range), abs(max_calib_range)), dtype=torch.float32)
    else:
        out_type = _auto(out_type, None)
        m = real.abs().max() if real.numel() else torch.tensor(0.0)
    q = _saturate(real, (127.0 if out_type == "int8" else 255.0) / m, out_type)
    if out_type == "int8":
        return (q, -m.reshape(1), m.reshape(1))
    return (q, torch.zeros(1), m.reshape(1))


# ------------------------------------------------------------------------------ NumPy references


def _np_saturate(x, scale, out_type):
    lo, hi, _ = _LIMITS[out_type]
    return np.clip(np.rint(np.float32(x) * np.float32(scale)), lo, hi).astype(out_type)


def _quantize_ref(x, lo, hi, out_type="uint8"):
    m = np.float32(max(abs(lo[0]), abs(hi[0])))
    q = _np_saturate(x, np.float32(127.0 if out_type == "int8" else 255.0) / m, out_type)
    rng = ([-m], [m]) if out_type == "int8" else (lo, hi)
    return [q, np.array(rng[0], "float32"), np.array(rng[1], "float32")]


def _quantize_v2_ref(x, out_type="int8", min_calib_range=None, max_calib_range=None):
    calib = min_calib_range is not None
    lo, hi = (min_calib_range, max_calib_range) if calib else (x.min(), x.max())
    out_type = out_type if out_type != "auto" else ("uint8" if calib and lo >= 0 else "int8")
    m = np.float32(max(abs(lo), abs(hi)))
    q = _np_saturate(x, np.float32(127.5 if out_type == "int8" else 255.5) / m, out_type)
    rng = (-m, m) if out_type == "int8" else (lo, hi)
    return [q, np.array([rng[0]], "float32"), np.array([rng[1]], "float32")]


def _dequantize_ref(q, lo, hi, out_type="float32"):
    m = np.float32(max(abs(lo[0]), abs(hi[0])))
    return q.astype(np.float32) * (m / np.float32(127.5 if q.dtype == np.int8 else 255.5))


_RANGE = Param("out_type", Enum("int8", "uint8"), "uint8", "Integer type of the result.")
_AUTO = Param(
    "out_type", Enum("auto", "int8", "uint8"), "int8", "Integer type; 'auto': uint8 if min_calib >= 0."
)
_CALIB = (
    Param("min_calib_range", Optional(Float()), None, "Calibrated minimum (else the data's own range)."),
    Param("max_calib_range", Optional(Float()), None, "Calibrated maximum."),
)
_NO_GOLDEN = (
    "checked against MXNet 1.9.1 in tests/test_quantization.py (tests/golden/quantization_golden.npz), "
    "whose cases include the rounding and saturation edges"
)


def _r(v):
    return np.array([v], "float32")


register(
    OpDef(
        "_contrib_quantize",
        impl=_quantize,
        inputs=("data", "min_range", "max_range"),
        params=(_RANGE,),
        aliases=("contrib.quantize",),
        differentiable=False,
        ref=_quantize_ref,
        samples=lambda: [
            Sample((rand(2, 3), _r(-2.0), _r(2.0))),
            Sample((rand(4, low=-3, high=3), _r(-1.0), _r(2.5)), {"out_type": "int8"}),
        ],
        errors=lambda: [
            ((rand(3).astype("float64"), _r(-1), _r(1)), {}, r"contrib.quantize: data must be float32"),
        ],
        no_golden=_NO_GOLDEN,
        doc="Quantize float32 data given its range: returns ``(quantized, min_range, max_range)``.\n\n"
        "Example: ``q, lo, hi = nd.contrib.quantize(x, nd.array([-1]), nd.array([1]), out_type='int8')``.",
    )
)

register(
    OpDef(
        "_contrib_quantize_v2",
        impl=_quantize_v2,
        params=(_AUTO, *_CALIB),
        aliases=("contrib.quantize_v2",),
        differentiable=False,
        ref=_quantize_v2_ref,
        samples=lambda: [
            Sample((rand(2, 3),)),
            Sample((rand(5),), {"out_type": "uint8"}),
            Sample((rand(2, 2),), {"out_type": "auto", "min_calib_range": 0.0, "max_calib_range": 1.5}),
            Sample((rand(3),), {"min_calib_range": -1.0, "max_calib_range": 0.5}),
        ],
        errors=lambda: [((rand(3).astype("float64"),), {}, r"contrib.quantize_v2: data must be float32")],
        no_golden=_NO_GOLDEN,
        doc="Quantize float32 data with a calibrated range (or the data's own): returns ``(quantized, "
        "min_range, max_range)``.\n\nExample: ``q, lo, hi = nd.contrib.quantize_v2(x, min_calib_range=-1.0, "
        "max_calib_range=1.0)``.",
    )
)

register(
    OpDef(
        "_contrib_dequantize",
        impl=_dequantize,
        inputs=("data", "min_range", "max_range"),
        params=(Param("out_type", Enum("float32"), "float32", "Result type."),),
        aliases=("contrib.dequantize",),
        differentiable=False,
        ref=_dequantize_ref,
        samples=lambda: [
            Sample((np.array([-128, -1, 0, 5, 127], "int8"), _r(-2.0), _r(1.0))),
            Sample((np.array([[0, 1], [128, 255]], "uint8"), _r(0.0), _r(3.0))),
        ],
        errors=lambda: [((rand(3), _r(-1), _r(1)), {}, r"contrib.dequantize: data must be int8 or uint8")],
        no_golden=_NO_GOLDEN,
        doc="Turn int8/uint8 data back into float32 given the range it was quantized with.\n\n"
        "Example: ``nd.contrib.dequantize(q, lo, hi)``.",
    )
)

register(
    OpDef(
        "_contrib_requantize",
        impl=_requantize,
        inputs=("data", "min_range", "max_range"),
        params=(_AUTO, *_CALIB),
        aliases=("contrib.requantize",),
        differentiable=False,
        ref=None,
        samples=lambda: [
            Sample((np.array([-(2**30), -5, 0, 123456789], "int32"), _r(-1.0), _r(1.0))),
            Sample(
                (np.array([-(2**30), 0, 2**29], "int32"), _r(-2.0), _r(2.0)),
                {"min_calib_range": -0.5, "max_calib_range": 0.5},
            ),
        ],
        errors=lambda: [((rand(3), _r(-1), _r(1)), {}, r"contrib.requantize: data must be int32")],
        no_golden=_NO_GOLDEN,
        doc="Requantize int32 data (with the float range it stands for) into int8/uint8, with a calibrated "
        "range or the data's own: returns ``(quantized, min_range, max_range)``.",
    )
)


# ------------------------------------------------------------------------------ calibrate_entropy


def _smooth(p: np.ndarray, eps: float = 0.0001) -> np.ndarray | None:
    """Move a little mass onto the empty bins so that the KL divergence is finite (None: all empty)."""
    zeros = p == 0
    n_zero = int(zeros.sum())
    n_nonzero = p.size - n_zero
    if n_nonzero == 0:
        return None
    out = p.astype(np.float32)
    out += np.float32(eps) * zeros - np.float32(eps * n_zero / n_nonzero) * ~zeros
    return out


def _kl(p: np.ndarray, q: np.ndarray) -> float:
    """KL(p || q) of the normalised distributions, summed in float32 one term after another as MXNet does
    (``cumsum`` keeps that order)."""
    f32 = np.float32
    pn = (p / np.cumsum(p, dtype=f32)[-1]).astype(f32)
    qn = (q / np.cumsum(q, dtype=f32)[-1]).astype(f32)
    terms = np.zeros_like(pn)
    nz = pn > 0
    terms[nz] = pn[nz] * np.log(pn[nz] / qn[nz])
    return float(np.cumsum(terms, dtype=f32)[-1])


def _quantized_copy(sliced: np.ndarray, n_q: int) -> np.ndarray:
    """``sliced`` merged into ``n_q`` bins (the last one takes the remainder), each merged bin's mass
    spread evenly back over the positions where ``sliced`` is nonzero."""
    starts = np.arange(n_q) * (len(sliced) // n_q)
    sums = np.add.reduceat(sliced.astype(np.float64), starts)
    norms = np.add.reduceat((sliced != 0).astype(np.int64), starts)
    per = np.divide(sums, norms, out=np.zeros_like(sums), where=norms != 0)
    return np.repeat(per, np.diff(np.append(starts, len(sliced)))).astype(np.float32)


def _calibrate_entropy(hist, hist_edges, num_quantized_bins):
    h = hist.detach().cpu().numpy().astype(np.float32)
    edges = hist_edges.detach().cpu().numpy().astype(np.float32)
    if h.ndim != 1 or edges.shape != (h.size + 1,):
        raise MXNetError(
            f"contrib.calibrate_entropy: hist must be 1-D and hist_edges one longer, got {h.shape} and {edges.shape}"
        )
    zero = h.size // 2
    half = num_quantized_bins // 2
    best = (np.inf, 0.0)
    for i in range(half, zero + 1):
        start, stop = zero - i, zero + i + 1
        p = h[start:stop].copy()
        p[0] += h[:start].sum()
        p[-1] += h[stop:].sum()
        sliced = h[start:stop].copy()
        sliced[0] = 0  # MXNet counts the first bin of the window with the left outliers only
        q = _quantized_copy(sliced, num_quantized_bins)
        q[p == 0] = 0
        ps, qs = _smooth(p), _smooth(q)
        div = np.inf if ps is None or qs is None else _kl(ps, qs)
        if div < best[0]:
            best = (div, float(edges[stop]))
    div, threshold = best
    dev = hist.device
    return (
        torch.tensor([threshold], dtype=torch.float32, device=dev),
        torch.tensor([div], dtype=torch.float32, device=dev),
    )


def _histogram_sample():
    rng = np.random.RandomState(0)
    hist, edges = np.histogram(rng.normal(0, 1, 2000), bins=601, range=(-4, 4))
    return Sample((hist.astype("float32"), edges.astype("float32")), {"num_quantized_bins": 63})


register(
    OpDef(
        "_contrib_calibrate_entropy",
        impl=_calibrate_entropy,
        inputs=("hist", "hist_edges"),
        params=(Param("num_quantized_bins", Int(), 255, "Number of bins of the quantized distribution."),),
        aliases=("contrib.calibrate_entropy",),
        differentiable=False,
        samples=lambda: [_histogram_sample()],
        errors=lambda: [
            ((np.ones(4, "float32"), np.ones(4, "float32")), {}, r"calibrate_entropy: hist must be 1-D"),
        ],
        no_golden=_NO_GOLDEN,
        doc="The clipping threshold that minimises the KL divergence between a histogram (of values symmetric "
        "around 0) and its quantized copy: returns ``(threshold, divergence)``.\\n\\nExample: ``th, div = "
        "nd.contrib.calibrate_entropy(nd.array(hist), nd.array(edges))`` with ``hist, edges = "
        "np.histogram(x, bins=8001, range=(-m, m))``.",
    )
)
