"""Shape and matrix operators: reshape (with MXNet's special codes), transpose, dot, concat, ..."""

from __future__ import annotations

import math

import numpy as np
import torch

from ...base import MXNetError, shape_str
from ..params import Bool, Enum, Float, Int, Optional, Param, Shape
from ..register import OpDef, Sample, register
from ._common import axis_error, check_axis, normalize_axes, rand, same_dtype


def infer_reshape(src: tuple, target: tuple, reverse: bool = False, op: str = "reshape") -> tuple:
    """Resolve MXNet's reshape codes 0, -1, -2, -3, -4 against the source shape ``src``."""
    if reverse:
        src, target = tuple(reversed(src)), _reverse_codes(target)
    out: list[int] = []
    infer_at = -1
    i = j = 0
    try:
        while i < len(target):
            d = target[i]
            if d == 0:
                out.append(src[j])
                j += 1
            elif d == -1:
                if infer_at >= 0:
                    raise MXNetError(f"{op}: only one -1 is allowed in shape {target}")
                infer_at = len(out)
                out.append(-1)
                j += 1
            elif d == -2:
                out.extend(src[j:])
                j = len(src)
            elif d == -3:
                out.append(src[j] * src[j + 1])
                j += 2
            elif d == -4:
                d1, d2 = target[i + 1], target[i + 2]
                if d1 == -1:
                    d1 = src[j] // d2
                if d2 == -1:
                    d2 = src[j] // d1
                if d1 * d2 != src[j]:
                    raise MXNetError(f"{op}: cannot split dimension {src[j]} into {d1} x {d2}")
                out += [d1, d2]
                i += 2
                j += 1
            elif d > 0:
                out.append(d)
                j += 1
            else:
                raise MXNetError(f"{op}: invalid code {d} in shape {target}")
            i += 1
    except IndexError:
        raise MXNetError(f"{op}: shape {target} does not fit an input of shape {shape_str(src)}") from None
    total = math.prod(src)
    if infer_at >= 0:
        known = math.prod(d for k, d in enumerate(out) if k != infer_at)
        if known == 0 or total % known:
            raise MXNetError(f"{op}: cannot reshape {shape_str(src)} into {target}")
        out[infer_at] = total // known
    if math.prod(out) != total:
        raise MXNetError(
            f"{op}: cannot reshape an array of shape {shape_str(src)} ({total} elements) into "
            f"{shape_str(out)} ({math.prod(out)} elements)"
        )
    return tuple(reversed(out)) if reverse else tuple(out)


def _reverse_codes(target: tuple) -> tuple:
    """Reverse a target shape, keeping each ``-4, a, b`` group in split order."""
    groups, i = [], 0
    while i < len(target):
        if target[i] == -4:
            groups.append((-4, target[i + 2], target[i + 1]))
            i += 3
        else:
            groups.append((target[i],))
            i += 1
    return tuple(d for g in reversed(groups) for d in g)


def _reshape(data, shape, reverse):
    if shape and min(shape) > 0 and math.prod(shape) == data.numel():  # no special codes: nothing to resolve
        return data.reshape(shape)
    return data.reshape(infer_reshape(tuple(data.shape), shape, reverse))


register(
    OpDef(
        "reshape",
        impl=_reshape,
        params=(
            Param("shape", Shape(), (), "Target shape; may use 0 (copy), -1 (infer), -2, -3, -4."),
            Param("reverse", Bool(), False, "Resolve the special codes from the right."),
        ),
        aliases=("Reshape",),
        ref=lambda x, shape, reverse=False: x.reshape(infer_reshape(x.shape, tuple(shape), reverse)),
        samples=lambda: [
            Sample((rand(2, 3, 4),), {"shape": (4, -1)}),
            Sample((rand(2, 3, 4),), {"shape": (0, -3)}),
            Sample((rand(2, 3, 4),), {"shape": "(-4, 1, 2, -2)"}),
            Sample((rand(2, 3, 4),), {"shape": (-1, 0), "reverse": True}),
        ],
        errors=lambda: [((rand(2, 3),), {"shape": (4, 2)}, r"reshape.*\(2, 3\)")],
        doc="Reshape to a new shape with MXNet's special codes.\n\nExample:\n"
        "    >>> mx.nd.ones((2, 3, 4)).reshape((0, -1)).shape\n    (2, 12)",
    )
)


def _reshape_like(lhs, rhs):
    if lhs.numel() != rhs.numel():
        raise MXNetError(
            f"reshape_like: lhs {shape_str(lhs.shape)} has {lhs.numel()} elements, rhs {shape_str(rhs.shape)} "
            f"has {rhs.numel()}; they must match"
        )
    return lhs.reshape(rhs.shape)


register(
    OpDef(
        "reshape_like",
        impl=_reshape_like,
        inputs=("lhs", "rhs"),
        ref=lambda a, b: a.reshape(b.shape),
        samples=lambda: [Sample((rand(2, 3), rand(3, 2, seed=2)), grad=True)],
        errors=lambda: [
            ((rand(2, 3), rand(4, 2)), {}, r"reshape_like: lhs \(2, 3\) has 6 elements, rhs \(4, 2\)")
        ],
        method="reshape_like",
        doc="Reshape the first input to the shape of the second.",
    )
)


def _transpose(data, axes):
    if not axes:
        return data.permute(*reversed(range(data.dim())))
    perm = normalize_axes("transpose", axes, data.dim())
    if sorted(perm) != list(range(data.dim())):
        raise MXNetError(
            f"transpose: axes={axes} must name each of the {data.dim()} axes of data {shape_str(data.shape)} once"
        )
    return data.permute(*perm)


def _expand_dims(data, axis):
    try:
        return data.unsqueeze(axis)
    except IndexError:
        raise axis_error("expand_dims", "axis", axis, data.shape, new_axis=True) from None


register(
    OpDef(
        "transpose",
        impl=_transpose,
        params=(Param("axes", Shape(), (), "New order of the axes; () reverses them."),),
        ref=lambda x, axes=(): np.transpose(x, tuple(axes) or None),
        samples=lambda: [Sample((rand(2, 3),)), Sample((rand(2, 3, 4),), {"axes": (1, 0, 2)})],
        errors=lambda: [
            (
                (rand(2, 3),),
                {"axes": (0,)},
                r"transpose: axes=\(0,\) must name each of the 2 axes of data \(2, 3\)",
            ),
            ((rand(2, 3),), {"axes": (0, 2)}, r"transpose: axis 2 is out of range"),
        ],
        method="transpose",
        doc="Permute the axes (reverse them by default).",
    )
)

register(
    OpDef(
        "expand_dims",
        impl=_expand_dims,
        params=(Param("axis", Int(), None, "Where the new axis goes.", required=True),),
        ref=lambda x, axis: np.expand_dims(x, axis),
        samples=lambda: [
            Sample((rand(2, 3),), {"axis": 1}),
            Sample((rand(2, 3),), {"axis": -1}),
            Sample((rand(1),), {"axis": 0}),
        ],
        errors=lambda: [((rand(2, 3),), {"axis": 4}, r"expand_dims: axis=4 is out of range .* \(2, 3\)")],
        method="expand_dims",
        doc="Insert an axis of length 1.",
    )
)


def _squeeze(data, axis):
    if axis is None:
        r = data.squeeze()
    else:
        axes = normalize_axes("squeeze", axis, data.dim())
        for ax in axes:
            if data.shape[ax] != 1:
                raise MXNetError(
                    f"squeeze: axis {ax} of shape {shape_str(data.shape)} does not have length 1"
                )
        r = data.squeeze(axes)
    return r.reshape(1) if r.dim() == 0 else r


register(
    OpDef(
        "squeeze",
        impl=_squeeze,
        params=(Param("axis", Optional(Shape()), None, "Axes of length 1 to remove; None removes all."),),
        ref=lambda x, axis=None: np.squeeze(x, axis=axis).reshape(np.squeeze(x, axis=axis).shape or (1,)),
        samples=lambda: [Sample((rand(2, 1, 3),)), Sample((rand(1, 3, 1),), {"axis": (0,)})],
        method="squeeze",
        doc="Remove axes of length 1.",
    )
)

register(
    OpDef(
        "Flatten",
        impl=lambda data: data.reshape(data.shape[0], -1),
        aliases=("flatten",),
        ref=lambda x: x.reshape(x.shape[0], -1),
        samples=lambda: [Sample((rand(2, 3, 4),))],
        method="flatten",
        doc="Collapse all axes but the first: (N, d1, d2, ...) -> (N, d1*d2*...).",
    )
)


def _maybe_t(t, flag):
    if not flag:
        return t
    return t.permute(*reversed(range(t.dim())))


def _dot(lhs, rhs, transpose_a, transpose_b, forward_stype=None):
    a, b = _maybe_t(lhs, transpose_a), _maybe_t(rhs, transpose_b)
    if a.shape[-1] != b.shape[0]:
        raise MXNetError(
            f"dot: shapes {shape_str(lhs.shape)} and {shape_str(rhs.shape)} do not match "
            f"(transpose_a={transpose_a}, transpose_b={transpose_b}): {a.shape[-1]} != {b.shape[0]}"
        )
    if a.dtype != b.dtype:
        raise MXNetError(f"dot: inputs must have the same dtype, got {a.dtype} and {b.dtype}")
    r = torch.tensordot(a, b, dims=1) if a.dim() != 2 or b.dim() != 2 else a @ b
    return r.reshape(1) if r.dim() == 0 else r


def _dot_ref(a, b, transpose_a=False, transpose_b=False):
    a = a.T if transpose_a else a
    b = b.T if transpose_b else b
    r = np.tensordot(a, b, axes=1)
    return r.reshape(r.shape or (1,))


_TRANSPOSE_FLAGS = (
    Param("transpose_a", Bool(), False, "Transpose the first input first."),
    Param("transpose_b", Bool(), False, "Transpose the second input first."),
    Param(
        "forward_stype",
        Optional(Enum("default", "csr", "row_sparse")),
        None,
        "Storage type of the result; arrays are dense here (nd.sparse.dot tags the result with it).",
    ),
)

register(
    OpDef(
        "dot",
        impl=_dot,
        inputs=("lhs", "rhs"),
        params=_TRANSPOSE_FLAGS,
        ref=_dot_ref,
        samples=lambda: [
            Sample((rand(2, 3), rand(3, 4, seed=1))),
            Sample((rand(3, 2), rand(3, 4, seed=1)), {"transpose_a": True}),
            Sample((rand(2, 3), rand(4, 3, seed=1)), {"transpose_b": True}),
            Sample((rand(3), rand(3, seed=1))),
            Sample((rand(2, 2, 3), rand(3, 2, seed=1))),
        ],
        errors=lambda: [((rand(2, 3), rand(2, 3)), {}, r"dot: shapes \(2, 3\) and \(2, 3\)")],
        method="dot",
        doc="Matrix product; for N-d inputs, sums over the last axis of lhs and the first of rhs.",
    )
)


def _batch_dot(lhs, rhs, transpose_a, transpose_b, forward_stype=None):
    if lhs.dim() < 3 or lhs.dim() != rhs.dim():
        raise MXNetError(
            f"batch_dot: lhs {shape_str(lhs.shape)} and rhs {shape_str(rhs.shape)} must both be N-d with the "
            "same N >= 3 (batch axes first); use dot for 2-d arrays"
        )
    a = lhs.transpose(-1, -2) if transpose_a else lhs
    b = rhs.transpose(-1, -2) if transpose_b else rhs
    if a.dim() < 3 or a.shape[:-2] != b.shape[:-2] or a.shape[-1] != b.shape[-2]:
        raise MXNetError(
            f"batch_dot: shapes {shape_str(lhs.shape)} and {shape_str(rhs.shape)} do not match "
            f"(transpose_a={transpose_a}, transpose_b={transpose_b})"
        )
    return torch.matmul(a, b)


def _batch_dot_ref(a, b, transpose_a=False, transpose_b=False):
    a = np.swapaxes(a, -1, -2) if transpose_a else a
    b = np.swapaxes(b, -1, -2) if transpose_b else b
    return np.matmul(a, b)


register(
    OpDef(
        "batch_dot",
        impl=_batch_dot,
        inputs=("lhs", "rhs"),
        params=_TRANSPOSE_FLAGS,
        ref=_batch_dot_ref,
        samples=lambda: [
            Sample((rand(2, 2, 3), rand(2, 3, 4, seed=1))),
            Sample((rand(2, 3, 2), rand(2, 4, 3, seed=1)), {"transpose_a": True, "transpose_b": True}),
        ],
        errors=lambda: [
            ((rand(2, 2, 3), rand(2, 2, 3)), {}, r"batch_dot: shapes \(2, 2, 3\)"),
            ((rand(2, 3), rand(3, 2)), {}, r"batch_dot: lhs \(2, 3\) and rhs \(3, 2\) must both be N-d"),
        ],
        method="batch_dot",
        doc="Batched matrix product over the leading axes: (B, M, K) x (B, K, N) -> (B, M, N).",
    )
)


def _concat(*data, dim, num_args):
    if not data:
        raise MXNetError("concat: needs at least one input")
    for t in data[1:]:
        same_dtype("concat", data[0], t)
    try:
        return torch.cat(data, dim=dim)
    except (RuntimeError, IndexError):
        check_axis("concat", "dim", dim, data[0].shape)
        raise MXNetError(_join_error("concat", f"must match except along dim={dim}", data)) from None


def _join_error(op, rule, data):
    shapes = ", ".join(f"data[{i}] {shape_str(t.shape)}" for i, t in enumerate(data))
    return f"{op}: input shapes {rule}; got {shapes}"


register(
    OpDef(
        "concat",
        impl=_concat,
        variadic=True,
        params=(Param("dim", Int(), 1, "Axis to join along."), Param("num_args", Optional(Int()), None)),
        aliases=("Concat",),
        ref=lambda *xs, dim=1, num_args=None: np.concatenate(xs, axis=dim),
        samples=lambda: [
            Sample((rand(2, 3), rand(2, 2, seed=1))),
            Sample((rand(2, 3), rand(1, 3)), {"dim": 0}),
            Sample((rand(1, 1), rand(1, 2, seed=1), rand(1, 1, seed=2)), {"dim": -1}),
        ],
        errors=lambda: [
            (
                (rand(2, 3), rand(3, 3)),
                {"dim": 1},
                r"concat: input shapes must match except along dim=1; got ",
            ),
            ((rand(2, 3), rand(2, 3)), {"dim": 2}, r"concat: dim=2 is out of range .* \(2, 3\)"),
        ],
        doc="Join arrays along an existing axis (axis 1 by default).",
    )
)


def _stack(*data, axis, num_args):
    for t in data[1:]:
        same_dtype("stack", data[0], t)
    try:
        return torch.stack(data, dim=axis)
    except (RuntimeError, IndexError):
        check_axis("stack", "axis", axis, data[0].shape, new_axis=True)
        raise MXNetError(_join_error("stack", "must all be the same", data)) from None


register(
    OpDef(
        "stack",
        impl=_stack,
        variadic=True,
        params=(
            Param("axis", Int(), 0, "Position of the new axis."),
            Param("num_args", Optional(Int()), None),
        ),
        ref=lambda *xs, axis=0, num_args=None: np.stack(xs, axis=axis),
        samples=lambda: [
            Sample((rand(2, 3), rand(2, 3, seed=1))),
            Sample((rand(3), rand(3, seed=1)), {"axis": 1}),
            Sample((rand(1, 1), rand(1, 1, seed=1)), {"axis": -1}),
        ],
        errors=lambda: [
            (
                (rand(2, 3), rand(2, 2)),
                {},
                r"stack: input shapes must all be the same; got data\[0\] \(2, 3\)",
            ),
            ((rand(2, 3), rand(2, 3)), {"axis": 3}, r"stack: axis=3 is out of range"),
        ],
        doc="Join arrays of the same shape along a new axis.",
    )
)

register(
    OpDef(
        "clip",
        impl=lambda data, a_min, a_max: torch.clamp(data, a_min, a_max),
        params=(
            Param("a_min", Float(), None, "Lower bound.", required=True),
            Param("a_max", Float(), None, "Upper bound.", required=True),
        ),
        ref=lambda x, a_min, a_max: np.clip(x, a_min, a_max),
        samples=lambda: [Sample((rand(3, 4),), {"a_min": -0.5, "a_max": 0.7})],
        method="clip",
        doc="Limit values to [a_min, a_max].",
    )
)

register(
    OpDef(
        "swapaxes",
        impl=lambda data, dim1, dim2: data.transpose(dim1, dim2),
        params=(Param("dim1", Int(), 0), Param("dim2", Int(), 0)),
        aliases=("SwapAxis",),
        ref=lambda x, dim1=0, dim2=0: np.swapaxes(x, dim1, dim2),
        samples=lambda: [Sample((rand(2, 3, 4),), {"dim1": 0, "dim2": 2})],
        method="swapaxes",
        doc="Exchange two axes.",
    )
)


def _slice_axis(data, axis, begin, end):
    try:
        n = data.shape[axis]
    except IndexError:
        raise axis_error("slice_axis", "axis", axis, data.shape) from None
    e = n if end is None else (end + n if end < 0 else end)
    b = begin + n if begin < 0 else begin
    if not 0 <= b < e <= n:
        raise MXNetError(
            f"slice_axis: begin={begin}, end={end} is not a range inside axis {axis} of length {n} "
            f"(data {shape_str(data.shape)}); begin must come before end"
        )
    return data.narrow(axis, b, e - b)


register(
    OpDef(
        "slice_axis",
        impl=_slice_axis,
        params=(
            Param("axis", Int(), None, required=True),
            Param("begin", Int(), None, required=True),
            Param("end", Optional(Int()), None, required=False),
        ),
        ref=lambda x, axis, begin, end: np.take(x, range(x.shape[axis])[begin:end], axis=axis),
        samples=lambda: [
            Sample((rand(4, 5),), {"axis": 1, "begin": 1, "end": 3}),
            Sample((rand(4, 5),), {"axis": 0, "begin": -2, "end": None}),
            Sample((rand(1, 5),), {"axis": -1, "begin": -3, "end": -1}),
        ],
        errors=lambda: [
            ((rand(2, 3),), {"axis": 2, "begin": 0, "end": 1}, r"slice_axis: axis=2 is out of range"),
            ((rand(2, 3),), {"axis": 1, "begin": 2, "end": 1}, r"slice_axis: begin=2, end=1 is not a range"),
            ((rand(2, 3),), {"axis": 1, "begin": 1, "end": 5}, r"slice_axis: begin=1, end=5 .* length 3"),
        ],
        method="slice_axis",
        doc="Take the range [begin, end) along one axis.",
    )
)


def _take(a, indices, axis, mode):
    try:
        n = a.shape[axis]
    except IndexError:
        raise axis_error("take", "axis", axis, a.shape) from None
    axis = axis + a.dim() if axis < 0 else axis
    idx = indices.long() if indices.is_floating_point() else indices.to(torch.long)
    if mode == "clip":
        idx = idx.clamp(0, n - 1)
    elif mode == "wrap":
        idx = idx.remainder(n)
    elif bool(((idx < 0) | (idx >= n)).any()):
        raise MXNetError(f"take: an index is out of range for axis {axis} of length {n} (mode='raise')")
    out = torch.index_select(a, axis, idx.reshape(-1))
    return out.reshape(a.shape[:axis] + idx.shape + a.shape[axis + 1 :])


def _take_ref(a, indices, axis=0, mode="clip"):
    idx = indices.astype(np.int64)
    n = a.shape[axis]
    idx = np.clip(idx, 0, n - 1) if mode == "clip" else np.mod(idx, n)
    return np.take(a, idx, axis=axis)


register(
    OpDef(
        "take",
        impl=_take,
        inputs=("a", "indices"),
        no_grad_inputs=("indices",),
        params=(
            Param("axis", Int(), 0, "Axis to take along."),
            Param("mode", Enum("clip", "wrap", "raise"), "clip", "What to do with out-of-range indices."),
        ),
        ref=_take_ref,
        samples=lambda: [
            Sample((rand(5, 3), np.array([4, 0, 2, 2], dtype="int64"))),
            Sample((rand(5, 3), np.array([[7, -1], [1, 0]], dtype="float32")), {"axis": 0, "mode": "clip"}),
            Sample((rand(3, 4), np.array([5, -1], dtype="int32")), {"axis": 1, "mode": "wrap"}),
            Sample((rand(1, 3), np.array([[0]], dtype="float32")), {"axis": -1}),
        ],
        errors=lambda: [
            ((rand(2, 3), np.array([0, 1], "float32")), {"axis": 2}, r"take: axis=2 is out of range")
        ],
        method="take",
        doc="Gather slices of ``a`` along ``axis`` at ``indices``; out-of-range indices are clipped "
        "(``mode='clip'``) or wrapped (``mode='wrap'``).",
    )
)
