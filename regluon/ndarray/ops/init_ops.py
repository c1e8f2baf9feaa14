"""Array creation: zeros, ones, full, empty, arange, eye."""

from __future__ import annotations

import math

import numpy as np
import torch

from ...base import MXNetError
from ..dtypes import to_torch
from ..params import Bool, Ctx, DType, Float, Int, Optional, Param, Shape
from ..register import OpDef, Sample, register

_CTX = Param("ctx", Optional(Ctx()), None, "Context of the new array (default: the current one).")
_DTYPE = Param("dtype", DType(), "float32", "Element type.")


def _creator(fill):
    def impl(shape, ctx, dtype, **kw):
        return fill(shape, ctx.torch_device, to_torch(dtype), **kw)

    return impl


_SHAPE = Param("shape", Shape(), (), "Shape of the new array.")


def _check_empty(out, params, *inputs):
    """MXNet leaves ``empty`` uninitialised, so only the shape and dtype are comparable."""
    return out.shape == Shape().parse(params["shape"]) and out.dtype == np.dtype(
        params.get("dtype", "float32")
    )


for _name, _fill, _ref, _doc in (
    ("zeros", lambda s, d, t: torch.zeros(s, device=d, dtype=t), np.zeros, "An array of zeros."),
    ("ones", lambda s, d, t: torch.ones(s, device=d, dtype=t), np.ones, "An array of ones."),
    (
        "empty",
        lambda s, d, t: torch.zeros(s, device=d, dtype=t),
        np.zeros,
        "A new array (zero-filled here; MXNet leaves it uninitialised).",
    ),
):
    register(
        OpDef(
            _name,
            impl=_creator(_fill),
            inputs=(),
            params=(_SHAPE, _CTX, _DTYPE),
            aliases=("_" + _name,),
            creates=True,
            differentiable=False,
            ref=lambda shape, ctx=None, dtype="float32", _r=_ref: _r(shape, dtype=dtype),
            samples=lambda: [Sample((), {"shape": (2, 3)}), Sample((), {"shape": 4, "dtype": "int32"})],
            check=_check_empty if _name == "empty" else None,
            doc=_doc + "\n\nExample:\n    >>> mx.nd.zeros((2, 3), ctx=mx.cpu(), dtype='float32')",
        )
    )

register(
    OpDef(
        "full",
        impl=_creator(lambda s, d, t, val: torch.full(s, val, device=d, dtype=t)),
        inputs=(),
        params=(_SHAPE, Param("val", Float(), 0.0, "The fill value."), _CTX, _DTYPE),
        aliases=("_full",),
        creates=True,
        differentiable=False,
        ref=lambda shape, val, ctx=None, dtype="float32": np.full(shape, val, dtype=dtype),
        samples=lambda: [Sample((), {"shape": (2, 3), "val": 2.5})],
        doc="An array filled with ``val``.\n\nExample:\n    >>> mx.nd.full((2, 2), 7)",
    )
)


def _arange(start, stop, step, repeat, infer_range, ctx, dtype):
    if step == 0:
        raise MXNetError("arange: step must not be 0")
    if stop is None:
        start, stop = 0.0, start
    n = max(int(math.ceil((stop - start) / step)), 0)
    vals = start + step * torch.arange(n, dtype=torch.float64)
    if repeat > 1:
        vals = vals.repeat_interleave(repeat)
    return vals.to(device=ctx.torch_device, dtype=to_torch(dtype))


def _arange_ref(start, stop=None, step=1.0, repeat=1, infer_range=False, ctx=None, dtype="float32"):
    return np.repeat(np.arange(start, stop, step, dtype=np.float64), repeat).astype(dtype)


register(
    OpDef(
        "arange",
        impl=_arange,
        inputs=(),
        params=(
            Param("start", Float(), 0.0, "First value (or the stop value when stop is None)."),
            Param("stop", Optional(Float()), None, "End of the range, excluded."),
            Param("step", Float(), 1.0, "Spacing between values."),
            Param("repeat", Int(), 1, "Repeat each value this many times."),
            Param("infer_range", Bool(), False, "Only meaningful for symbols."),
            _CTX,
            _DTYPE,
        ),
        aliases=("_arange",),
        creates=True,
        differentiable=False,
        ref=_arange_ref,
        samples=lambda: [
            Sample((), {"start": 5}),
            Sample((), {"start": 2, "stop": 8, "step": 2, "repeat": 2}),
            Sample((), {"start": 1, "stop": 2, "step": 0.3, "dtype": "float64"}),
            Sample((), {"start": 3, "stop": 0, "step": -1}),
        ],
        errors=lambda: [((), {"start": 0, "stop": 5, "step": 0}, r"arange: step must not be 0")],
        doc="Evenly spaced values in [start, stop).\n\nExample:\n    >>> mx.nd.arange(3)",
    )
)


def _eye(N, M, k, ctx, dtype):
    if N < 0:
        raise MXNetError(f"eye: N={N} must not be negative")
    m = N if M <= 0 else M
    out = torch.zeros((N, m), device=ctx.torch_device, dtype=to_torch(dtype))
    out.diagonal(k).fill_(1)
    return out


register(
    OpDef(
        "eye",
        impl=_eye,
        inputs=(),
        params=(
            Param("N", Int(), 0, "Rows."),
            Param("M", Int(), 0, "Columns (0 means N)."),
            Param("k", Int(), 0, "Diagonal offset."),
            _CTX,
            _DTYPE,
        ),
        aliases=("_eye",),
        creates=True,
        differentiable=False,
        ref=lambda N, M=0, k=0, ctx=None, dtype="float32": np.eye(N, M or None, k, dtype=dtype),
        samples=lambda: [
            Sample((), {"N": 3}),
            Sample((), {"N": 2, "M": 4, "k": 1}),
            Sample((), {"N": 3, "k": -1}),
            Sample((), {"N": 1}),
        ],
        errors=lambda: [((), {"N": -2, "M": 3}, r"eye: N=-2 must not be negative")],
        doc="A 2-d array with ones on a diagonal.",
    )
)
