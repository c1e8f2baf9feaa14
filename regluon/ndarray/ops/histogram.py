"""``nd.histogram`` and its operator ``_histogram``: counts of values per bin, and the bin edges.

As in MXNet 1.9.1: with ``bin_cnt`` and ``range`` the bins are ``bin_cnt`` equal parts of ``range``
(a zero-width range ``(a, a)`` becomes ``(a - 0.5, a + 0.5)``) and the edges come back in the data's
dtype; with a ``bins`` array (same dtype as the data) its values are the edges. Each bin holds the
values from its left edge up to, not including, its right edge, except the last, which also holds its
right edge; values outside are not counted. The counts are int64. ``nd.histogram(a, bins=10)``
without a range gives NumPy's result (as float32 arrays), as MXNet does.
"""

from __future__ import annotations

import warnings

import numpy as np
import torch

from ...base import MXNetError, shape_str
from ..dtypes import float_to_int
from ..params import FloatTuple, Int, Optional, Param
from ..register import OpDef, Sample, invoke, parse_params, register
from ._common import rand


def _check(data, bins, bin_cnt, range_):
    if (bin_cnt is None) != (range_ is None):
        raise MXNetError(
            "_histogram: give bin_cnt and range together (uniform bins), or neither (a bins array)"
        )
    if bin_cnt is not None and bins is not None:
        raise MXNetError("_histogram: a bins array and bin_cnt/range cannot be given together")
    if bin_cnt is None and bins is None:
        raise MXNetError("_histogram: give either a bins array or bin_cnt and range")
    if bins is not None:
        if bins.dim() != 1 or bins.numel() < 2:
            raise MXNetError(
                f"_histogram: bins must be a 1-d array of at least 2 edges, got {shape_str(bins.shape)}"
            )
        if bins.dtype != data.dtype:
            raise MXNetError(
                f"_histogram: bins ({str(bins.dtype)[6:]}) must have the data's dtype ({str(data.dtype)[6:]})"
            )
    elif bin_cnt < 0:
        raise MXNetError(f"_histogram: bin_cnt={bin_cnt} must not be negative")


def _uniform_edges(lo: float, hi: float, cnt: int, dtype, device) -> torch.Tensor:
    # MXNet's formula, in float64: (lo * (cnt - i) + hi * i) / cnt (NaN for cnt == 0)
    i = torch.arange(cnt + 1, dtype=torch.float64, device=device)
    edges = (lo * (cnt - i) + hi * i) / cnt if cnt else torch.full((1,), float("nan"), dtype=torch.float64)
    if dtype.is_floating_point:
        return edges.to(dtype)
    return float_to_int(edges, dtype)  # C conversion: 256.0 as uint8 is 0


def _uniform_bins(data, edges, cnt: int, lo: float, hi: float) -> torch.Tensor:
    """Bin index of each value in [lo, hi]: the arithmetic guess, then moved by one where the value
    falls on the other side of an edge (edges are in the data's dtype)."""
    target = ((data.to(torch.float64) - lo) * cnt / (hi - lo)).floor().clamp(max=cnt - 1).long()
    target = target - (data < edges[target]).long()
    above = (data >= edges[(target + 1).clamp(max=cnt)]) & (target != cnt - 1)
    return target + above.long()


def _histogram(data, bins=None, bin_cnt=None, range=None):  # noqa: A002 - MXNet's parameter name
    _check(data, bins, bin_cnt, range)
    flat = data.reshape(-1).detach()
    if bins is None:
        lo, hi = range
        if lo > hi:
            raise MXNetError(
                f"_histogram: range={tuple(range)} must not have its left end above its right end"
            )
        if lo == hi:
            lo, hi = lo - 0.5, hi + 0.5
        edges = _uniform_edges(lo, hi, bin_cnt, data.dtype, data.device)
        wide = flat.to(torch.float64)  # MXNet compares with the range in float64: -0.2f is below -0.2
        keep = (wide >= lo) & (wide <= hi)
        target = _uniform_bins(flat[keep], edges, bin_cnt, lo, hi) if bin_cnt else flat[:0].long()
        return torch.bincount(target, minlength=bin_cnt).to(torch.int64), edges
    edges = bins.detach()
    n = edges.numel() - 1
    keep = (flat >= edges[0]) & (flat <= edges[-1])
    # the first edge above the value (scanning left to right), minus one: the edges' running maximum is
    # sorted, so a search in it finds that edge even for unsorted edges
    running_max = torch.cummax(edges.to(torch.float64), 0).values
    target = torch.searchsorted(running_max, flat[keep].to(torch.float64), right=True) - 1
    counts = torch.bincount(target.clamp(max=n - 1), minlength=n).to(torch.int64)
    return counts, edges.clone()


def _histogram_ref(data, bins=None, bin_cnt=None, range=None):  # noqa: A002
    """NumPy reference, value by value: for equal bins MXNet's rule (the arithmetic bin, moved by one
    where the value is on the other side of an edge in the data's dtype); for a bins array the first
    edge above the value, minus one."""
    flat = data.reshape(-1)
    if bins is not None:
        n = len(bins) - 1
        counts = np.zeros(n, dtype=np.int64)
        for v in flat:
            if bins[0] <= v <= bins[-1]:
                k = next((j for j, e in enumerate(bins) if v < e), len(bins)) - 1
                counts[min(k, n - 1)] += 1
        return counts, bins.copy()
    lo, hi = range
    if lo == hi:
        lo, hi = lo - 0.5, hi + 0.5
    i = np.arange(bin_cnt + 1)
    edges = (lo * (bin_cnt - i) + hi * i) / bin_cnt
    edges = (
        edges.astype(data.dtype)
        if data.dtype.kind == "f"
        else np.trunc(edges).astype(np.int64).astype(data.dtype)
    )
    counts = np.zeros(bin_cnt, dtype=np.int64)
    for v in flat:
        if lo <= float(v) <= hi:
            k = min(int((float(v) - lo) * bin_cnt / (hi - lo)), bin_cnt - 1)
            k -= int(v < edges[k])
            k += int(v >= edges[k + 1] and k != bin_cnt - 1)
            counts[k] += 1
    return counts, edges


def _samples():
    x = rand(3, 4, low=-1, high=3)
    return [
        Sample((np.array([[0, 1], [2, 2], [3, 4]], np.float32),), {"bin_cnt": 5, "range": (0, 5)}),
        Sample((x,), {"bin_cnt": 4, "range": (0.0, 2.0)}),  # values outside the range are dropped
        Sample((x,), {"bin_cnt": 3, "range": "(1, 1)"}),  # zero width: (0.5, 1.5)
        # values on float32 edges: 0.7 lands in bin 7 although (0.7f - 0) * 10 < 7 in float64
        Sample(
            (np.array([0.3, 0.6, 0.9, 0.1, 0.7, 1.0, 0.0], np.float32),),
            {"bin_cnt": 10, "range": (0, 1)},
        ),
        Sample((np.array([1, 2, 3, 7, 9, 0], np.int32),), {"bin_cnt": 3, "range": (0, 9)}),
        Sample((np.array([1, 2, 255, 200, 85], np.uint8),), {"bin_cnt": 3, "range": (0, 256)}),  # 256 -> 0
        Sample((x, np.array([-0.5, 0.0, 2.1, 2.5], np.float32))),
        Sample((np.array([0, 1, 2, 2, 3, 4], np.float32), np.array([0.0, 2.0, 4.0], np.float32))),
        Sample((np.array([1, 2, 3, 7], np.int32), np.array([0, 3, 9], np.int32))),
        Sample((np.zeros((0,), np.float32),), {"bin_cnt": 3, "range": (0, 4)}),  # no values: zero counts
    ]


def _errors():
    x = rand(2, 3)
    return [
        ((x,), {"bin_cnt": 3, "range": (5, 1)}, r"range=\(5.0, 1.0\) must not have its left end above"),
        ((x,), {"bin_cnt": 3}, r"give bin_cnt and range together"),
        ((x, np.array([[0.0, 1.0], [2.0, 3.0]], np.float32)), {}, r"bins must be a 1-d array of at least 2"),
        ((x, np.array([1.0], np.float32)), {}, r"bins must be a 1-d array of at least 2"),
        ((x, np.array([0.0, 1.0], np.float64)), {}, r"bins \(float64\) must have the data's dtype"),
    ]


register(
    OpDef(
        "_histogram",
        impl=_histogram,
        inputs=("data", "bins"),
        optional_inputs=("bins",),
        params=(
            Param("bin_cnt", Optional(Int()), None, "Number of equal bins (with range)."),
            Param("range", Optional(FloatTuple()), None, "(low, high) of the equal bins (with bin_cnt)."),
        ),
        ref=_histogram_ref,
        samples=_samples,
        errors=_errors,
        differentiable=False,
        doc="Histogram of all values of ``data``: ``[counts (int64), bin edges]``. Give either ``bins`` (an "
        "array of edges, in data's dtype) or ``bin_cnt`` and ``range`` (equal bins).\n\n"
        "Example:\n    >>> mx.nd._histogram(mx.nd.array([0, 1, 2, 2]), bin_cnt=2, range=(0, 2))",
    )
)


def histogram(a, bins=10, range=None):  # noqa: A002 - MXNet's parameter name
    """Histogram of the values of ``a``: returns ``(counts, bin_edges)``.

    ``bins`` is a number of equal bins over ``range`` (a ``(low, high)`` pair), or an NDArray of bin edges
    (then ``range`` is not used). Without a range MXNet hands the work to NumPy (with a warning) and
    returns float32 arrays; with one, the counts are int64 and the edges have ``a``'s dtype. The last
    bin includes its right edge.

    Example:
        >>> counts, edges = mx.nd.histogram(mx.nd.array([0, 1, 2, 2, 3]), bins=3, range=(0, 3))
        >>> counts.asnumpy()
        array([1, 1, 3])
    """
    from ..register import _NDArray, get_op

    op = get_op("_histogram")
    if isinstance(bins, _NDArray):
        return invoke(op, [a, bins], parse_params(op, {}))
    if isinstance(bins, (int, np.integer)):
        if range is None:
            from .. import array

            warnings.warn("range is not specified, using numpy's result to ensure consistency with numpy")
            counts, edges = np.histogram(a.asnumpy(), bins=bins)
            return array(counts), array(edges)
        return invoke(op, [a, None], parse_params(op, {"bin_cnt": bins, "range": range}))
    raise ValueError("bins argument should be either an integer or an NDArray")


#: Python-level functions of ``mx.nd`` defined here (public name -> function)
FUNCTIONS = {"histogram": histogram}
