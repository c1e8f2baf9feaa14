"""Assorted operators: arange_like, isnan/isinf/isfinite, cumsum, erfinv, moveaxis, (un)ravel indices,
scatter_nd, split_v2, multi_sum_sq, SoftmaxActivation, div_sqrt_dim, LRN, box_iou, image.to_tensor/normalize."""

from __future__ import annotations

import functools
import math

import numpy as np
import torch
import torch.nn.functional as tF

from ...base import MXNetError, shape_str
from ..dtypes import to_torch
from ..params import Bool, Ctx, DType, Enum, Float, FloatTuple, Int, Optional, Param, Shape
from ..register import OpDef, Sample, register
from ._common import float32_only, normalize_axes, rand


def _arange_like(data, start, step, repeat, ctx, axis):
    n = data.numel() if axis is None else data.shape[normalize_axes("arange_like", (axis,), data.dim())[0]]
    vals = start + step * torch.arange(math.ceil(n / repeat), dtype=torch.float64, device=data.device)
    vals = vals.repeat_interleave(repeat)[:n].to(data.dtype)
    return vals.reshape(data.shape) if axis is None else vals


register(
    OpDef(
        "_contrib_arange_like",
        impl=_arange_like,
        params=(
            Param("start", Float(), 0.0),
            Param("step", Float(), 1.0),
            Param("repeat", Int(), 1),
            Param("ctx", Optional(Ctx()), None),
            Param("axis", Optional(Int()), None),
        ),
        aliases=("contrib.arange_like",),
        differentiable=False,
        ref=lambda x, start=0.0, step=1.0, repeat=1, ctx=None, axis=None: (
            np.repeat(
                start + step * np.arange(-(-(x.size if axis is None else x.shape[axis]) // repeat)), repeat
            )[: (x.size if axis is None else x.shape[axis])]
            .astype(x.dtype)
            .reshape(x.shape if axis is None else (-1,))
        ),
        samples=lambda: [
            Sample((rand(2, 3),)),
            Sample((rand(2, 5),), {"start": 1, "step": 2, "axis": 1}),
            Sample((rand(2, 3),), {"repeat": 2}),
        ],
        doc="An arange with the shape of the input (or the length of one of its axes).",
    )
)

for _name, _fn, _ref in (
    ("isnan", torch.isnan, np.isnan),
    ("isinf", torch.isinf, np.isinf),
    ("isfinite", torch.isfinite, np.isfinite),
):
    register(
        OpDef(
            f"_contrib_{_name}",
            impl=lambda data, _f=_fn: _f(data).to(data.dtype),
            aliases=(f"contrib.{_name}",),
            differentiable=False,
            ref=lambda x, _r=_ref: _r(x).astype(x.dtype),
            samples=lambda: [Sample((np.array([1.0, np.nan, np.inf, -np.inf, 0.0], "float32"),))],
            doc=f"1 where {_name.replace('is', 'the element is ')}, else 0 (in the input's dtype).",
        )
    )


def _cumsum(a, axis, dtype):
    t = a.reshape(-1) if axis is None else a
    out = torch.cumsum(t, dim=0 if axis is None else axis)
    return out.to(to_torch(dtype)) if dtype else out


register(
    OpDef(
        "cumsum",
        impl=_cumsum,
        inputs=("a",),
        params=(
            Param("axis", Optional(Int()), None, "Axis; None flattens."),
            Param("dtype", Optional(DType()), None),
        ),
        aliases=("_np_cumsum",),
        ref=lambda x, axis=None, dtype=None: np.cumsum(x, axis=axis).astype(dtype or x.dtype),
        samples=lambda: [Sample((rand(2, 3),)), Sample((rand(2, 3),), {"axis": 1})],
        method="cumsum",
        doc="Cumulative sum along an axis (of the flattened array when axis is None).",
    )
)


def _erfinv(data):
    if data.is_floating_point():
        return torch.erfinv(data)
    # MXNet 1.9.1 on integer arrays (checked on the oracle): int32/int64 give the type's minimum where
    # x is -1 or 1 (erfinv is infinite there) and 0 elsewhere; int8/uint8 give 0 everywhere
    out = torch.zeros_like(data)
    if data.dtype in (torch.int32, torch.int64):
        out[data.abs() == 1] = torch.iinfo(data.dtype).min
    return out


register(
    OpDef(
        "erfinv",
        impl=_erfinv,
        ref=None,
        samples=lambda: [Sample((rand(2, 3, low=-0.9, high=0.9),))],
        method="erfinv",
        doc="Inverse of the Gauss error function.",
    )
)


def _moveaxis(data, source, destination):
    return torch.movedim(data, source, destination).clone()


register(
    OpDef(
        "moveaxis",
        impl=_moveaxis,
        params=(
            Param("source", Shape(), None, required=True),
            Param("destination", Shape(), None, required=True),
        ),
        ref=lambda x, source, destination: np.moveaxis(x, source, destination),
        samples=lambda: [Sample((rand(2, 3, 4),), {"source": 0, "destination": 2})],
        doc="Move axes to new positions, keeping the order of the others.",
    )
)


def _unravel(data, shape):
    idx = data.to(torch.long)
    out = []
    for d in reversed(shape):
        out.append(idx % d)
        idx = idx // d
    return torch.stack(list(reversed(out))).to(data.dtype)


def _ravel(data, shape):
    idx = data.to(torch.long)
    flat = torch.zeros_like(idx[0])
    for k, d in enumerate(shape):
        flat = flat * d + idx[k]
    return flat.to(data.dtype)


register(
    OpDef(
        "_unravel_index",
        impl=_unravel,
        params=(
            Param("shape", Shape(), None, "Shape of the array the flat indices address.", required=True),
        ),
        aliases=("unravel_index",),
        differentiable=False,
        ref=lambda x, shape: np.stack(np.unravel_index(x.astype(np.int64), shape)).astype(x.dtype),
        samples=lambda: [Sample((np.array([0, 5, 7, 11], "float32"),), {"shape": (3, 4)})],
        doc="Turn flat indices into one row of indices per axis of ``shape``.",
    )
)

register(
    OpDef(
        "_ravel_multi_index",
        impl=_ravel,
        params=(Param("shape", Shape(), None, "Shape of the array the indices address.", required=True),),
        aliases=("ravel_multi_index",),
        differentiable=False,
        ref=lambda x, shape: np.ravel_multi_index(tuple(x.astype(np.int64)), shape).astype(x.dtype),
        samples=lambda: [Sample((np.array([[0, 1, 2], [3, 1, 0]], "float32"),), {"shape": (3, 4)})],
        doc="Turn one row of indices per axis into flat indices of ``shape``.",
    )
)


def _scatter_nd(data, indices, shape):
    out = torch.zeros(shape, dtype=data.dtype, device=data.device)
    idx = indices.long() if indices.is_floating_point() else indices.to(torch.long)
    return out.index_put(tuple(idx[i] for i in range(idx.shape[0])), data)


def _scatter_ref(d, indices, shape):
    out = np.zeros(shape, dtype=d.dtype)
    out[tuple(indices.astype(np.int64))] = d
    return out


register(
    OpDef(
        "scatter_nd",
        impl=_scatter_nd,
        inputs=("data", "indices"),
        no_grad_inputs=("indices",),
        params=(Param("shape", Shape(), None, "Output shape.", required=True),),
        ref=_scatter_ref,
        samples=lambda: [Sample((rand(3), np.array([[0, 1, 2], [3, 0, 1]], "float32")), {"shape": (3, 4)})],
        doc="Place ``data`` into a zero array of ``shape`` at the N-d ``indices`` (the inverse of gather_nd).",
    )
)


def _split_v2(data, indices, axis, squeeze_axis, sections):
    ax = normalize_axes("split_v2", (axis,), data.dim())[0]
    n = data.shape[ax]
    if sections > 0:
        if n % sections:
            raise MXNetError(
                f"split_v2: axis {axis} of length {n} cannot be split into {sections} equal parts"
            )
        bounds = list(range(0, n, n // sections)) + [n]
    else:
        bounds = list(indices) + [n]
    parts = [data.narrow(ax, b, e - b) for b, e in zip(bounds[:-1], bounds[1:])]
    if squeeze_axis:
        parts = [p.squeeze(ax) for p in parts]
    parts = [p.clone() for p in parts]
    return parts[0] if len(parts) == 1 else tuple(parts)


register(
    OpDef(
        "_split_v2",
        impl=_split_v2,
        params=(
            Param("indices", Shape(), (), "Split points (starting with 0)."),
            Param("axis", Int(), 0),
            Param("squeeze_axis", Bool(), False),
            Param("sections", Int(), 0, "Equal parts (instead of indices)."),
        ),
        ref=lambda x, indices=(), axis=0, squeeze_axis=False, sections=0: (
            np.split(x, sections, axis=axis) if sections else np.split(x, list(indices)[1:], axis=axis)
        ),
        samples=lambda: [
            Sample((rand(6, 2),), {"indices": (0, 2, 3), "axis": 0}),
            Sample((rand(2, 7),), {"indices": (0, 2, 5), "axis": 1}),
        ],
        doc="Split at given indices or into equal sections (``nd.split_v2`` chooses from its argument).",
    )
)


def _multi_sum_sq(*arrays, num_arrays):
    return torch.stack([(a * a).float().sum() for a in arrays])  # squares in the input dtype, as MXNet


register(
    OpDef(
        "multi_sum_sq",
        impl=_multi_sum_sq,
        inputs=("arrays",),
        variadic=True,
        params=(Param("num_arrays", Optional(Int()), None),),
        differentiable=False,
        ref=lambda *xs, num_arrays=None: np.array([np.sum(x.astype(np.float64) ** 2) for x in xs], "float32"),
        samples=lambda: [Sample((rand(2, 3), rand(4, seed=1)), {"num_arrays": 2})],
        doc="The sum of squares of each input, as one float32 array (used for gradient norms).",
    )
)


def _softmax_activation(data, mode):
    float32_only("SoftmaxActivation", data)
    if mode == "channel":
        return torch.softmax(data, dim=1)
    return torch.softmax(data.reshape(data.shape[0], -1), dim=1).reshape(data.shape)


register(
    OpDef(
        "SoftmaxActivation",
        impl=_softmax_activation,
        params=(
            Param(
                "mode",
                Enum("instance", "channel"),
                "instance",
                "Over each instance or each position's channels.",
            ),
        ),
        samples=lambda: [Sample((rand(2, 3),)), Sample((rand(2, 3, 2),), {"mode": "channel"})],
        doc="Softmax over all values of each instance, or over the channel axis (mode='channel').",
    )
)

register(
    OpDef(
        "_contrib_div_sqrt_dim",
        impl=lambda data: data / math.sqrt(data.shape[-1]),
        aliases=("contrib.div_sqrt_dim",),
        ref=lambda x: x / np.sqrt(x.shape[-1]),
        samples=lambda: [Sample((rand(2, 4),))],
        doc="Divide by the square root of the last dimension (attention scaling).",
    )
)


def _lrn(data, alpha, beta, knorm, nsize):
    float32_only("LRN", data)
    return tF.local_response_norm(data, nsize, alpha, beta, knorm)


register(
    OpDef(
        "LRN",
        impl=_lrn,
        params=(
            Param("alpha", Float(), 1e-4),
            Param("beta", Float(), 0.75),
            Param("knorm", Float(), 2.0),
            Param("nsize", Int(), None, "Channels in the normalisation window.", required=True),
        ),
        samples=lambda: [Sample((rand(1, 5, 2, 2),), {"nsize": 3, "alpha": 0.1})],
        doc="Local response normalisation across channels.",
    )
)


def _box_corners(b, fmt):
    if fmt == "center":
        x, y, w, h = b.unbind(-1)
        return torch.stack([x - w / 2, y - h / 2, x + w / 2, y + h / 2], -1)
    return b


def _box_iou(lhs, rhs, format):
    a, b = _box_corners(lhs, format), _box_corners(rhs, format)
    a2 = a.reshape(a.shape[:-1] + (1,) * (b.dim() - 1) + (4,))
    lt = torch.maximum(a2[..., :2], b[..., :2])
    rb = torch.minimum(a2[..., 2:], b[..., 2:])
    inter = (rb - lt).clamp(min=0).prod(-1)
    area_a = (a2[..., 2:] - a2[..., :2]).clamp(min=0).prod(-1)
    area_b = (b[..., 2:] - b[..., :2]).clamp(min=0).prod(-1)
    union = area_a + area_b - inter
    return torch.where(union > 0, inter / union, torch.zeros_like(union))


register(
    OpDef(
        "_contrib_box_iou",
        impl=_box_iou,
        inputs=("lhs", "rhs"),
        params=(
            Param("format", Enum("corner", "center"), "corner", "Box coordinates: corners or center + size."),
        ),
        aliases=("contrib.box_iou",),
        differentiable=False,
        samples=lambda: [
            Sample(
                (
                    np.array([[0, 0, 2, 2], [1, 1, 3, 3]], "float32"),
                    np.array([[1, 1, 2, 2], [5, 5, 6, 6], [0, 0, 1, 3]], "float32"),
                )
            ),
            Sample(
                (np.array([[1, 1, 2, 2]], "float32"), np.array([[2, 2, 2, 2]], "float32")),
                {"format": "center"},
            ),
        ],
        doc="Intersection over union of every box in lhs with every box in rhs: shape lhs[:-1] + rhs[:-1].",
    )
)


def _to_tensor(data):
    if data.dim() not in (3, 4):
        raise MXNetError(f"image.to_tensor: expects (H, W, C) or (N, H, W, C), got {shape_str(data.shape)}")
    chw = data.movedim(-1, -3)
    out = torch.empty(chw.shape, dtype=torch.float32, device=data.device)
    return out.copy_(chw).div_(255.0)  # two passes: convert while transposing, then scale


register(
    OpDef(
        "_image_to_tensor",
        impl=_to_tensor,
        aliases=("image.to_tensor",),
        differentiable=False,
        ref=lambda x: np.moveaxis(x.astype(np.float32) / 255, -1, -3),
        samples=lambda: [
            Sample((np.arange(24, dtype="uint8").reshape(2, 4, 3),)),
            Sample((np.arange(48, dtype="uint8").reshape(2, 2, 4, 3),)),
        ],
        doc="HWC (or NHWC) images with values 0-255 to CHW (or NCHW) float32 in [0, 1].",
    )
)


@functools.lru_cache(maxsize=64)
def _channel_constants(values: tuple, c: int, dtype: torch.dtype, device: torch.device) -> torch.Tensor:
    """A per-channel (C, 1, 1) tensor, built once per transform (a hot path of data pipelines)."""
    return torch.tensor(values if len(values) > 1 else values * c, dtype=dtype, device=device).reshape(
        -1, 1, 1
    )


def _normalize(data, mean, std):
    c = data.shape[-3]
    m = _channel_constants(tuple(mean), c, data.dtype, data.device)
    s = _channel_constants(tuple(std), c, data.dtype, data.device)
    return (data - m).div_(s)


register(
    OpDef(
        "_image_normalize",
        impl=_normalize,
        params=(
            Param("mean", FloatTuple(), (0.0,), "Per-channel mean."),
            Param("std", FloatTuple(), (1.0,)),
        ),
        aliases=("image.normalize",),
        ref=lambda x, mean=(0.0,), std=(1.0,): (
            (x - np.array(mean, "float32").reshape(-1, 1, 1)) / np.array(std, "float32").reshape(-1, 1, 1)
        ),
        samples=lambda: [
            Sample((rand(3, 2, 2),), {"mean": (0.1, 0.2, 0.3), "std": (0.5, 1.0, 2.0)}),
            Sample((rand(2, 3, 2, 2),), {"mean": (0.5, 0.5, 0.5), "std": (0.2, 0.2, 0.2)}),
        ],
        doc="Subtract a per-channel mean and divide by a per-channel std for CHW or NCHW tensors.",
    )
)


register(
    OpDef(
        "_contrib_quadratic",
        impl=lambda data, a, b, c: a * data * data + b * data + c,
        params=(Param("a", Float(), 0.0), Param("b", Float(), 0.0), Param("c", Float(), 0.0)),
        aliases=("contrib.quadratic", "quadratic"),
        ref=lambda x, a=0.0, b=0.0, c=0.0: (a * x * x + b * x + c).astype(x.dtype),
        samples=lambda: [
            Sample((rand(2, 3),), {"a": 2.0, "b": 3.0, "c": 4.0}),
            Sample((rand(4),), {"b": -1.5}),
        ],
        doc="a * x**2 + b * x + c, element-wise.",
    )
)


class _GradientMultiplier(torch.autograd.Function):
    @staticmethod
    def forward(ctx, data, scalar):
        ctx.scalar = scalar
        return data.clone()

    @staticmethod
    def backward(ctx, grad):
        return grad * ctx.scalar, None


register(
    OpDef(
        "_contrib_gradientmultiplier",
        impl=lambda data, scalar: _GradientMultiplier.apply(data, scalar),
        params=(Param("scalar", Float(), None, "Factor applied to the gradient.", required=True),),
        aliases=("contrib.gradientmultiplier", "gradientmultiplier"),
        ref=lambda x, scalar: x.copy(),
        samples=lambda: [Sample((rand(2, 3),), {"scalar": -2.5}, numeric_grad=False)],
        doc="The identity in the forward pass; multiplies the gradient by scalar in the backward pass (a "
        "negative scalar gives a gradient-reversal layer).",
    )
)


def _all_finite(data, init_output):
    return torch.isfinite(data).all().to(torch.float32).reshape(1)


def _multi_all_finite(*data, num_arrays, init_output):
    ok = torch.stack([torch.isfinite(t).all() for t in data]).all() if data else torch.tensor(True)
    return ok.to(torch.float32).reshape(1)


_INIT_OUTPUT = Param("init_output", Bool(), True, "Accepted (regluon always writes the output).")

register(
    OpDef(
        "all_finite",
        impl=_all_finite,
        params=(_INIT_OUTPUT,),
        ref=lambda x, init_output=True: np.array([float(np.isfinite(x).all())], "float32"),
        samples=lambda: [
            Sample((rand(2, 3),)),
            Sample((np.array([1.0, np.inf, 2.0], "float32"),)),
            Sample((np.array([np.nan], "float16"),)),
        ],
        differentiable=False,
        doc="[1.] if every element is finite (no inf or NaN), else [0.] (float32, shape (1,)).",
    )
)
register(
    OpDef(
        "multi_all_finite",
        impl=_multi_all_finite,
        inputs=("data",),
        variadic=True,
        params=(Param("num_arrays", Int(), 1, "Number of arrays."), _INIT_OUTPUT),
        ref=lambda *xs, num_arrays=1, init_output=True: np.array(
            [float(all(np.isfinite(x).all() for x in xs))], "float32"
        ),
        samples=lambda: [
            Sample((rand(2, 3), rand(4, seed=1)), {"num_arrays": 2}),
            Sample((rand(2), np.array([1.0, -np.inf], "float32")), {"num_arrays": 2}),
        ],
        differentiable=False,
        doc="[1.] if every element of every array is finite, else [0.].",
    )
)


class _StraightThrough(torch.autograd.Function):
    """A rounding in the forward pass, the identity in the backward pass (a straight-through estimator)."""

    @staticmethod
    def forward(ctx, data, fn):
        return fn(data)

    @staticmethod
    def backward(ctx, grad):
        return grad, None


def _round_half_away(t):
    return torch.where(t >= 0, torch.floor(t + 0.5), torch.ceil(t - 0.5))


def _np_round_half_away(x):
    return np.where(x >= 0, np.floor(x + 0.5), np.ceil(x - 0.5)).astype(x.dtype)


for _name, _fn, _nfn, _what in (
    ("round_ste", _round_half_away, _np_round_half_away, "Round half away from zero"),
    ("sign_ste", torch.sign, np.sign, "Sign"),
):
    register(
        OpDef(
            f"_contrib_{_name}",
            impl=lambda data, _f=_fn: _StraightThrough.apply(data, _f),
            aliases=(f"contrib.{_name}", _name),
            ref=_nfn,
            samples=lambda: [Sample((np.array([0.4, 1.6, -2.5, -0.2, 3.5], "float32"),), numeric_grad=False)],
            doc=f"{_what} in the forward pass; the gradient passes straight through (straight-through "
            "estimator, for quantisation-aware training).",
        )
    )


def _im2col_args(n, kernel, stride, dilate, pad):
    return kernel, dilate or (1,) * n, pad or (0,) * n, stride or (1,) * n


def _im2col(data, kernel, stride, dilate, pad):
    if data.dim() != 4 or len(kernel) != 2:
        raise MXNetError(
            f"im2col: data must be 4-d (N, C, H, W) with a 2-d kernel; got data {shape_str(data.shape)}, "
            f"kernel {kernel}"
        )
    k, d, p, s = _im2col_args(2, kernel, stride, dilate, pad)
    return tF.unfold(data, k, d, p, s)


def _col2im(data, output_size, kernel, stride, dilate, pad):
    if data.dim() != 3 or len(kernel) != 2:
        raise MXNetError(
            f"col2im: data must be 3-d (N, C*kh*kw, L) with a 2-d kernel; got data {shape_str(data.shape)}, "
            f"kernel {kernel}"
        )
    k, d, p, s = _im2col_args(2, kernel, stride, dilate, pad)
    return tF.fold(data, tuple(output_size), k, d, p, s)


_PATCH = (
    Param("kernel", Shape(), None, "Patch size.", required=True),
    Param("stride", Shape(), (), "Stride (default 1)."),
    Param("dilate", Shape(), (), "Dilation (default 1)."),
    Param("pad", Shape(), (), "Zero padding (default 0)."),
)

register(
    OpDef(
        "im2col",
        impl=_im2col,
        params=_PATCH,
        samples=lambda: [
            Sample((rand(1, 2, 4, 4),), {"kernel": (2, 2), "stride": (2, 2)}),
            Sample((rand(2, 1, 5, 4),), {"kernel": (3, 2), "pad": (1, 0), "dilate": (1, 2)}),
        ],
        errors=lambda: [((rand(2, 3, 4),), {"kernel": (2, 2)}, r"im2col: data must be 4-d")],
        doc="Sliding patches of (N, C, H, W) data as columns: (N, C*kh*kw, number of patches).",
    )
)
register(
    OpDef(
        "col2im",
        impl=_col2im,
        params=(
            Param("output_size", Shape(), None, "Spatial size (H, W) of the image.", required=True),
            *_PATCH,
        ),
        samples=lambda: [
            Sample((rand(1, 8, 4),), {"output_size": (4, 4), "kernel": (2, 2), "stride": (2, 2)}),
            Sample((rand(1, 4, 9),), {"output_size": (4, 4), "kernel": (2, 2)}),
        ],
        errors=lambda: [
            ((rand(8, 4),), {"output_size": (4, 4), "kernel": (2, 2)}, r"col2im: data must be 3-d")
        ],
        doc="The adjoint of im2col: columns summed back into (N, C, H, W) images (overlaps add up).",
    )
)


def reset_arrays(*data, num_arrays: int | None = None, **kwargs) -> list:
    """Set every array in ``data`` to zero, in place; ``num_arrays`` (required, as in MXNet) must be
    their number. Returns an empty list, as MXNet's operator has no outputs.

    Example:
        >>> a, b = mx.nd.ones((2,)), mx.nd.ones((3,))
        >>> mx.nd.reset_arrays(a, b, num_arrays=2); a.asnumpy().tolist()
        []
        [0.0, 0.0]
    """
    from ..ndarray import NDArray

    kwargs.pop("name", None)
    if kwargs:
        raise TypeError(f"reset_arrays: unexpected argument(s) {', '.join(kwargs)}")
    if num_arrays is None:
        raise MXNetError("reset_arrays: required parameter num_arrays is missing")
    if int(num_arrays) != len(data):
        raise MXNetError(f"reset_arrays: expects {int(num_arrays)} inputs (num_arrays), got {len(data)}")
    for i, a in enumerate(data):
        if not isinstance(a, NDArray):
            raise TypeError(f"reset_arrays: data[{i}] must be an NDArray, got {type(a).__name__}")
        if not a._tensor.is_floating_point():
            raise MXNetError(
                f"reset_arrays: only floating-point arrays can be reset, data[{i}] is "
                f"{str(a._tensor.dtype).replace('torch.', '')}"
            )
    with torch.no_grad():
        for a in data:
            a._tensor.zero_()
    return []


FUNCTIONS = {"reset_arrays": reset_arrays}
