"""Random samplers on torch's generators (seeded by ``mx.random.seed``)."""

from __future__ import annotations

import torch

from ..dtypes import to_torch
from ..params import Ctx, DType, Float, Optional, Param, Shape
from ..register import OpDef, Sample, register

_COMMON = (
    Param("shape", Shape(), (), "Output shape; () gives one value with shape (1,)."),
    Param("dtype", DType(), "float32", "Element type."),
    Param("ctx", Optional(Ctx()), None, "Context of the output."),
)


def _shape(shape):
    return shape if shape else (1,)


def _normal(loc, scale, shape, dtype, ctx):
    out = torch.empty(_shape(shape), dtype=to_torch(dtype), device=ctx.torch_device)
    return out.normal_(loc, scale)


def _uniform(low, high, shape, dtype, ctx):
    out = torch.empty(_shape(shape), dtype=to_torch(dtype), device=ctx.torch_device)
    return out.uniform_(low, high)


def _check_normal(out, params, *inputs):
    x = out.astype("float64")
    loc, scale = params.get("loc", 0.0), params.get("scale", 1.0)
    return abs(x.mean() - loc) < 6 * scale / x.size**0.5 and abs(x.std() - scale) < 0.1 * scale


def _check_uniform(out, params, *inputs):
    low, high = params.get("low", 0.0), params.get("high", 1.0)
    return out.min() >= low and out.max() < high and abs(out.mean() - (low + high) / 2) < 0.05 * (high - low)


register(
    OpDef(
        "_random_normal",
        impl=_normal,
        inputs=(),
        params=(
            Param("loc", Float(), 0.0, "Mean."),
            Param("scale", Float(), 1.0, "Standard deviation."),
            *_COMMON,
        ),
        aliases=("random_normal", "normal", "random.normal"),
        creates=True,
        differentiable=False,
        check=_check_normal,
        samples=lambda: [Sample((), {"loc": 1.0, "scale": 2.0, "shape": (200, 50)})],
        doc="Samples from a normal distribution N(loc, scale**2).\n\nExample:\n"
        "    >>> mx.nd.random.normal(0, 1, shape=(2, 3))",
    )
)

register(
    OpDef(
        "_random_uniform",
        impl=_uniform,
        inputs=(),
        params=(
            Param("low", Float(), 0.0, "Lower bound (included)."),
            Param("high", Float(), 1.0, "Upper bound (excluded)."),
            *_COMMON,
        ),
        aliases=("random_uniform", "uniform", "random.uniform"),
        creates=True,
        differentiable=False,
        check=_check_uniform,
        samples=lambda: [Sample((), {"low": -1.0, "high": 3.0, "shape": (200, 50)})],
        doc="Samples from a uniform distribution on [low, high).\n\nExample:\n"
        "    >>> mx.nd.random.uniform(-1, 1, shape=(2, 3))",
    )
)
