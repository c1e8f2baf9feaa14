"""Selection operators: where, pick, gather_nd, one_hot, slice, slice_like, sort, argsort, topk."""

from __future__ import annotations

import numpy as np
import torch

from ...base import MXNetError, shape_str
from ..dtypes import to_torch
from ..params import AxisArg, Bool, DType, Enum, Float, Int, Optional, OptionalShape, Param, Shape
from ..register import OpDef, Sample, register
from ._common import axis_error, float32_only, normalize_axes, rand, same_dtype


def _where(condition, x, y):
    same_dtype("where", x, y)
    if x.shape != y.shape:
        raise MXNetError(f"where: x {shape_str(x.shape)} and y {shape_str(y.shape)} must have the same shape")
    cond = condition
    if cond.shape != x.shape:
        if cond.dim() != 1 or cond.shape[0] != x.shape[0]:
            raise MXNetError(
                f"where: condition {shape_str(cond.shape)} must have the shape of x {shape_str(x.shape)} "
                "or be 1-d with x's first dimension"
            )
        cond = cond.reshape((-1,) + (1,) * (x.dim() - 1))
    return torch.where(cond != 0, x, y)


def _where_ref(c, x, y):
    if c.shape != x.shape:
        c = c.reshape((-1,) + (1,) * (x.ndim - 1))
    return np.where(c != 0, x, y)


register(
    OpDef(
        "where",
        impl=_where,
        inputs=("condition", "x", "y"),
        no_grad_inputs=("condition",),
        ref=_where_ref,
        samples=lambda: [
            Sample((np.array([[1, 0, 2], [0, 0, 1]], "float32"), rand(2, 3), rand(2, 3, seed=1))),
            Sample((np.array([0, 1], "float32"), rand(2, 3), rand(2, 3, seed=1))),
        ],
        errors=lambda: [((rand(2, 3), rand(2, 3), rand(3, 2)), {}, r"where: x \(2, 3\) and y \(3, 2\)")],
        doc="Elements of ``x`` where ``condition`` is non-zero, else of ``y``; a 1-d condition selects rows.",
    )
)


def _index_along(name, idx, n, mode):
    i = idx.long() if idx.is_floating_point() else idx.to(torch.long)
    if mode == "wrap":
        return i.remainder(n)
    return i.clamp(0, n - 1)


def _pick(data, index, axis, keepdims, mode):
    if not -data.dim() <= axis < data.dim():
        raise axis_error("pick", "axis", axis, data.shape)
    ax = axis + data.dim() if axis < 0 else axis
    i = _index_along("pick", index, data.shape[ax], mode)
    if i.dim() == data.dim():
        i = i.squeeze(ax)
    want = data.shape[:ax] + data.shape[ax + 1 :]
    if i.shape != want:
        raise MXNetError(
            f"pick: index has shape {shape_str(index.shape)}, but data {shape_str(data.shape)} with axis={axis} "
            f"needs {shape_str(want)} (or that shape with a 1 at the axis)"
        )
    out = torch.gather(data, ax, i.unsqueeze(ax))
    return out if keepdims else out.squeeze(ax)


def _pick_ref(x, index, axis=-1, keepdims=False, mode="clip"):
    ax = axis % x.ndim
    n = x.shape[ax]
    i = index.astype(np.int64)
    i = np.mod(i, n) if mode == "wrap" else np.clip(i, 0, n - 1)
    out = np.take_along_axis(x, i if i.ndim == x.ndim else np.expand_dims(i, ax), ax)
    return out if keepdims else np.squeeze(out, ax)


register(
    OpDef(
        "pick",
        impl=_pick,
        inputs=("data", "index"),
        no_grad_inputs=("index",),
        params=(
            Param("axis", Int(), -1, "Axis to pick along."),
            Param("keepdims", Bool(), False, "Keep the picked axis with length 1."),
            Param("mode", Enum("clip", "wrap"), "clip", "Out-of-range indices are clipped or wrapped."),
        ),
        ref=_pick_ref,
        samples=lambda: [
            Sample((rand(3, 4), np.array([0, 3, 1], "float32"))),
            Sample((rand(3, 4), np.array([1, 0, 2, 5], "float32")), {"axis": 0, "keepdims": True}),
            Sample((rand(3, 4), np.array([-1, 5, 2], "float32")), {"mode": "wrap"}),
            Sample((rand(3, 1), np.array([[0], [0], [0]], "float32")), {"axis": 1, "keepdims": True}),
        ],
        errors=lambda: [
            (
                (rand(2, 3), np.array([0, 1, 2], "float32")),
                {"axis": 1},
                r"pick: index has shape \(3,\), but data",
            ),
            ((rand(2, 3), np.array([0, 1], "float32")), {"axis": 2}, r"pick: axis=2 is out of range"),
        ],
        method="pick",
        doc="For each position, the element of ``data`` along ``axis`` at the position given by ``index``.",
    )
)


def _gather_nd(data, indices):
    m = indices.shape[0] if indices.dim() else 0
    if indices.dim() == 0 or m > data.dim():
        raise MXNetError(
            f"gather_nd: indices {shape_str(indices.shape)} address {m} axes, but data {shape_str(data.shape)} "
            f"has {data.dim()}; indices must be (M, ...) with M <= {data.dim()}"
        )
    idx = indices.long() if indices.is_floating_point() else indices.to(torch.long)
    return data[tuple(idx[i] for i in range(m))]


def _gather_nd_ref(data, indices):
    idx = indices.astype(np.int64)
    return data[tuple(idx[i] for i in range(idx.shape[0]))]


register(
    OpDef(
        "gather_nd",
        impl=_gather_nd,
        inputs=("data", "indices"),
        no_grad_inputs=("indices",),
        ref=_gather_nd_ref,
        samples=lambda: [
            Sample((rand(3, 4), np.array([[0, 2, 1], [3, 0, 1]], "float32"))),
            Sample((rand(3, 4, 2), np.array([[2, 0]], "int32"))),
        ],
        errors=lambda: [
            (
                (rand(2, 3), np.array([[0], [1], [1]], "float32")),
                {},
                r"gather_nd: indices \(3, 1\) address 3 axes",
            )
        ],
        doc="Gather by N-d index: ``indices`` (M, ...) addresses the first M axes of ``data``.",
    )
)


def _one_hot(indices, depth, on_value, off_value, dtype):
    if depth < 0:
        raise MXNetError(f"one_hot: depth={depth} must not be negative")
    idx = indices.long() if indices.is_floating_point() else indices.to(torch.long)
    out = torch.full(tuple(idx.shape) + (depth,), off_value, dtype=to_torch(dtype), device=indices.device)
    valid = (idx >= 0) & (idx < depth)
    out[valid, idx[valid]] = on_value
    return out


def _one_hot_ref(indices, depth, on_value=1.0, off_value=0.0, dtype="float32"):
    idx = indices.astype(np.int64)
    out = np.full(idx.shape + (depth,), off_value, dtype=dtype)
    for pos in np.ndindex(idx.shape):
        if 0 <= idx[pos] < depth:
            out[pos + (idx[pos],)] = on_value
    return out


register(
    OpDef(
        "one_hot",
        impl=_one_hot,
        inputs=("indices",),
        params=(
            Param("depth", Int(), None, "Length of the one-hot axis.", required=True),
            Param("on_value", Float(), 1.0),
            Param("off_value", Float(), 0.0),
            Param("dtype", DType(), "float32"),
        ),
        differentiable=False,
        ref=_one_hot_ref,
        samples=lambda: [
            Sample((np.array([1, 0, 3, 5, -1], "float32"),), {"depth": 4}),
            Sample(
                (np.array([[0, 2], [1, 1]], "int32"),),
                {"depth": 3, "on_value": 5, "off_value": -1, "dtype": "int32"},
            ),
        ],
        method="one_hot",
        errors=lambda: [
            ((np.array([0, 1], "float32"),), {"depth": -1}, r"one_hot: depth=-1 must not be negative")
        ],
        doc="One-hot encoding: a new last axis of length ``depth``; out-of-range indices give all off values.",
    )
)


def _slice(data, begin, end, step):
    if len(begin) != len(end) or (step and len(step) != len(begin)) or len(begin) > data.dim():
        raise MXNetError(
            f"slice: begin {begin}, end {end} and step {step} must have the same length, at most "
            f"the number of dimensions of data {shape_str(data.shape)}"
        )
    idx = tuple(slice(b, e, (step[i] if step else None)) for i, (b, e) in enumerate(zip(begin, end)))
    if any(s.step is not None and s.step < 0 for s in idx):
        return _negative_step_slice(data, idx)
    return data[idx].clone()


def _negative_step_slice(data, idx):
    out = data
    for ax, s in enumerate(idx):
        rng = range(*s.indices(data.shape[ax]))
        out = out.index_select(ax, torch.tensor(list(rng), dtype=torch.long, device=data.device))
    return out


_OPT = OptionalShape()

register(
    OpDef(
        "slice",
        impl=_slice,
        params=(
            Param("begin", _OPT, None, "Start per axis (None: from the start).", required=True),
            Param("end", _OPT, None, "Stop per axis, excluded (None: to the end).", required=True),
            Param("step", _OPT, (), "Step per axis (may be negative)."),
        ),
        aliases=("crop",),
        ref=lambda x, begin, end, step=(): x[
            tuple(slice(b, e, step[i] if step else None) for i, (b, e) in enumerate(zip(begin, end)))
        ],
        samples=lambda: [
            Sample((rand(4, 5),), {"begin": (1, 0), "end": (3, 4)}),
            Sample((rand(4, 5),), {"begin": "(None, 1)", "end": "(None, None)", "step": "(2, 2)"}),
            Sample((rand(4, 5),), {"begin": (3,), "end": (None,), "step": (-1,)}),
        ],
        method="slice",
        doc="Slice with per-axis begin/end/step, like ``data[b0:e0:s0, b1:e1:s1]``.",
    )
)


def _slice_like(data, shape_like, axes):
    axes = normalize_axes("slice_like", axes, data.dim()) if axes else tuple(range(shape_like.dim()))
    idx = [slice(None)] * data.dim()
    for a in axes:
        idx[a] = slice(0, shape_like.shape[a])
    return data[tuple(idx)].clone()


register(
    OpDef(
        "slice_like",
        impl=_slice_like,
        inputs=("data", "shape_like"),
        no_grad_inputs=("shape_like",),
        params=(Param("axes", AxisArg(), None, "Axes to slice; all axes of shape_like by default."),),
        ref=lambda x, like, axes=None: x[
            tuple(
                slice(0, like.shape[i])
                if (not axes or i in [a % x.ndim for a in axes]) and i < like.ndim
                else slice(None)
                for i in range(x.ndim)
            )
        ],
        samples=lambda: [
            Sample((rand(4, 5), rand(2, 3, seed=1))),
            Sample((rand(4, 5), rand(2, 3, seed=1)), {"axes": (1,)}),
        ],
        doc="Slice ``data`` to the shape of ``shape_like`` (from the start), on all or some axes.",
    )
)


def _sort(data, axis, is_ascend):
    return torch.sort(data, dim=axis, descending=not is_ascend, stable=True).values


def _argsort(data, axis, is_ascend, dtype):
    return torch.sort(data, dim=axis, descending=not is_ascend, stable=True).indices.to(to_torch(dtype))


def _np_sort(x, axis=-1, is_ascend=True):
    s = np.sort(x, axis=axis, kind="stable")
    return s if is_ascend else np.flip(s, axis=axis)


_SORT_PARAMS = (
    Param("axis", Int(), -1, "Axis to sort along."),
    Param("is_ascend", Bool(), True, "Ascending order."),
)

register(
    OpDef(
        "sort",
        impl=_sort,
        params=_SORT_PARAMS,
        ref=_np_sort,
        samples=lambda: [Sample((rand(3, 4),)), Sample((rand(3, 4),), {"axis": 0, "is_ascend": False})],
        method="sort",
        doc="Sorted values along an axis.",
    )
)

register(
    OpDef(
        "argsort",
        impl=_argsort,
        params=(*_SORT_PARAMS, Param("dtype", DType(), "float32", "Type of the returned indices.")),
        differentiable=False,
        ref=lambda x, axis=-1, is_ascend=True, dtype="float32": np.argsort(
            x if is_ascend else -x, axis=axis, kind="stable"
        ).astype(dtype),
        samples=lambda: [Sample((rand(3, 4),)), Sample((rand(3, 4),), {"axis": 0, "is_ascend": False})],
        method="argsort",
        doc="Indices that sort the array along an axis (as floats by default, like MXNet).",
    )
)


def _topk(data, axis, k, ret_typ, is_ascend, dtype):
    ax = normalize_axes("topk", (axis,), data.dim())[0]
    if not 0 < k <= data.shape[ax]:
        raise MXNetError(
            f"topk: k={k} must be in [1, {data.shape[ax]}] for axis {axis} of {shape_str(data.shape)}"
        )
    vals, idx = torch.topk(data, k, dim=ax, largest=not is_ascend, sorted=True)
    if ret_typ == "value":
        return vals
    if ret_typ == "indices":
        return idx.to(to_torch(dtype))
    if ret_typ == "mask":
        return torch.zeros_like(data).scatter(ax, idx, 1.0)
    return vals, idx.to(to_torch(dtype))


def _topk_ref(x, axis=-1, k=1, ret_typ="indices", is_ascend=False, dtype="float32"):
    order = np.argsort(x if is_ascend else -x, axis=axis, kind="stable")
    idx = np.take(order, range(k), axis=axis)
    vals = np.take_along_axis(x, idx, axis=axis)
    if ret_typ == "value":
        return vals
    if ret_typ == "indices":
        return idx.astype(dtype)
    if ret_typ == "mask":
        mask = np.zeros_like(x)
        np.put_along_axis(mask, idx, 1, axis=axis)
        return mask
    return [vals, idx.astype(dtype)]


register(
    OpDef(
        "topk",
        impl=_topk,
        params=(
            Param("axis", Int(), -1, "Axis to search."),
            Param("k", Int(), 1, "How many elements."),
            Param("ret_typ", Enum("value", "indices", "mask", "both"), "indices", "What to return."),
            Param("is_ascend", Bool(), False, "Smallest instead of largest."),
            Param("dtype", DType(), "float32", "Type of returned indices."),
        ),
        ref=_topk_ref,
        samples=lambda: [
            Sample((rand(3, 5),), {"k": 2}, grad=False),
            Sample((rand(3, 5),), {"k": 2, "ret_typ": "value", "axis": 0}),
            Sample((rand(3, 5),), {"k": 3, "ret_typ": "mask", "is_ascend": True}, grad=False),
            Sample((rand(3, 5),), {"k": 2, "ret_typ": "both"}, grad=False),
        ],
        errors=lambda: [((rand(3, 5),), {"k": 7}, r"topk: k=7")],
        method="topk",
        doc="The k largest (or smallest) elements along an axis: their values, indices, a mask, or both.",
    )
)


def _batch_take(a, indices):
    if a.dim() != 2 or indices.shape != (a.shape[0],):
        raise MXNetError(
            f"batch_take: a must be 2-d (batch, n) and indices (batch,); got a {shape_str(a.shape)} and indices "
            f"{shape_str(indices.shape)}"
        )
    i = indices.to(torch.long).clamp(0, a.shape[1] - 1)
    return torch.gather(a, 1, i[:, None]).squeeze(1)


register(
    OpDef(
        "batch_take",
        impl=_batch_take,
        inputs=("a", "indices"),
        no_grad_inputs=("indices",),
        ref=lambda a, idx: a[np.arange(len(a)), np.clip(idx.astype(np.int64), 0, a.shape[1] - 1)],
        samples=lambda: [Sample((rand(3, 4), np.array([3, 0, 9], "int32")))],
        errors=lambda: [
            ((rand(3, 4), np.array([0, 1], "int32")), {}, r"batch_take: a must be 2-d .* \(2,\)")
        ],
        doc="Element ``indices[i]`` of each row ``a[i]`` (indices clipped to the row); MXNet calls it deprecated "
        "in favour of pick.",
    )
)


def _argmax_channel(data):
    return torch.argmax(data, dim=-1).to(data.dtype)


register(
    OpDef(
        "argmax_channel",
        impl=_argmax_channel,
        ref=lambda x: np.argmax(x, axis=-1).astype(x.dtype),
        samples=lambda: [Sample((rand(3, 4),)), Sample((rand(2, 5),))],
        differentiable=False,
        doc="Index of the largest element of each row, in the input's dtype (argmax over the last axis).",
    )
)


def _boolean_mask(data, index, axis):
    if axis != 0:
        raise MXNetError(
            f"contrib.boolean_mask: only axis=0 is supported (as in MXNet 1.9.1), got axis={axis}"
        )
    if index.dim() != 1 or index.shape[0] != data.shape[0]:
        raise MXNetError(
            f"contrib.boolean_mask: index must be 1-d with one entry per row of data; got data "
            f"{shape_str(data.shape)} and index {shape_str(index.shape)}"
        )
    return data[torch.nonzero(index != 0).flatten()]


register(
    OpDef(
        "_contrib_boolean_mask",
        impl=_boolean_mask,
        inputs=("data", "index"),
        no_grad_inputs=("index",),
        params=(Param("axis", Int(), 0, "The axis to select along (MXNet supports 0 only)."),),
        aliases=("contrib.boolean_mask", "boolean_mask"),
        ref=lambda x, index, axis=0: x[index != 0],
        samples=lambda: [Sample((rand(4, 3), np.array([1, 0, 2, 0], "float32")))],
        errors=lambda: [
            (
                (rand(4, 3), np.array([1, 0], "float32")),
                {},
                r"contrib.boolean_mask: index must be 1-d .* \(2,\)",
            ),
            ((rand(4, 3), np.array([1, 0, 1], "float32")), {"axis": 1}, r"contrib.boolean_mask: only axis=0"),
        ],
        doc="The rows of data whose index entry is non-zero.",
    )
)


def _index_copy(old_tensor, index_vector, new_tensor):
    idx = index_vector.to(torch.long)
    if idx.dim() != 1 or new_tensor.shape != (idx.shape[0],) + tuple(old_tensor.shape[1:]):
        raise MXNetError(
            f"contrib.index_copy: new_tensor {shape_str(new_tensor.shape)} must be (len(index_vector),) + "
            f"old_tensor.shape[1:] for old_tensor {shape_str(old_tensor.shape)} and index_vector "
            f"{shape_str(index_vector.shape)}"
        )
    return old_tensor.index_copy(0, idx, new_tensor)


def _index_copy_ref(old, idx, new):
    out = old.copy()
    out[idx.astype(np.int64)] = new
    return out


register(
    OpDef(
        "_contrib_index_copy",
        impl=_index_copy,
        inputs=("old_tensor", "index_vector", "new_tensor"),
        no_grad_inputs=("index_vector",),
        aliases=("contrib.index_copy", "index_copy"),
        ref=_index_copy_ref,
        samples=lambda: [Sample((rand(4, 3), np.array([2, 0], "float32"), rand(2, 3, seed=1)))],
        errors=lambda: [
            (
                (rand(4, 3), np.array([2, 0], "float32"), rand(2, 2)),
                {},
                r"contrib.index_copy: new_tensor \(2, 2\) must be",
            )
        ],
        doc="A copy of old_tensor with the rows listed in index_vector replaced by the rows of new_tensor.",
    )
)


def _index_array(data, axes):
    dims = range(data.dim()) if axes is None else normalize_axes("contrib.index_array", axes, data.dim())
    grids = torch.meshgrid(*[torch.arange(n, device=data.device) for n in data.shape], indexing="ij")
    return torch.stack([grids[d] for d in dims], -1).to(torch.int64)


register(
    OpDef(
        "_contrib_index_array",
        impl=_index_array,
        params=(Param("axes", Optional(Shape()), None, "Axes whose indices are returned (all by default)."),),
        aliases=("contrib.index_array", "index_array"),
        ref=lambda x, axes=None: np.stack(
            [np.indices(x.shape)[d] for d in (range(x.ndim) if axes is None else axes)], -1
        ).astype(np.int64),
        samples=lambda: [Sample((rand(2, 3),)), Sample((rand(2, 3, 2),), {"axes": (2, 0)})],
        differentiable=False,
        doc="For every element of data, its index (along the given axes) as an int64 vector: shape "
        "data.shape + (len(axes),).",
    )
)


def _legacy_rows(op, lhs, rhs):
    if lhs.dim() != 2 or rhs.shape != (lhs.shape[0],):
        raise MXNetError(
            f"{op}: lhs must be 2-d and rhs (index) 1-d with one entry per row; got lhs {shape_str(lhs.shape)} "
            f"and rhs {shape_str(rhs.shape)}"
        )
    return rhs.to(torch.long).clamp(0, lhs.shape[1] - 1)[:, None]


def _choose_element_0index(lhs, rhs):
    return torch.gather(lhs, 1, _legacy_rows("choose_element_0index", lhs, rhs)).squeeze(1)


def _fill_element_0index(lhs, mhs, rhs):
    float32_only("fill_element_0index", lhs)
    idx = _legacy_rows("fill_element_0index", lhs, rhs)
    return lhs.scatter(1, idx, mhs.reshape(-1, 1).to(lhs.dtype))


def _fill_ref(lhs, mhs, rhs):
    out = lhs.copy()
    out[np.arange(len(lhs)), np.clip(rhs.astype(np.int64), 0, lhs.shape[1] - 1)] = mhs
    return out


register(
    OpDef(
        "choose_element_0index",
        impl=_choose_element_0index,
        inputs=("lhs", "rhs"),
        no_grad_inputs=("rhs",),
        ref=lambda a, idx: a[np.arange(len(a)), np.clip(idx.astype(np.int64), 0, a.shape[1] - 1)],
        samples=lambda: [Sample((rand(3, 4), np.array([1, 5, -1], "float32")))],
        errors=lambda: [
            (
                (rand(3, 4), np.array([0, 1], "float32")),
                {},
                r"choose_element_0index: lhs must be 2-d .* \(2,\)",
            )
        ],
        doc="Element rhs[i] of each row lhs[i] (the legacy form of pick along axis 1; indices are clipped).",
    )
)
register(
    OpDef(
        "fill_element_0index",
        impl=_fill_element_0index,
        inputs=("lhs", "mhs", "rhs"),
        no_grad_inputs=("rhs",),
        ref=_fill_ref,
        # float32 only and MXNet's own backward fails: the forward pass is checked
        samples=lambda: [Sample((rand(3, 4), rand(3, seed=1), np.array([1, 3, 0], "float32")), grad=False)],
        doc="A copy of lhs with element rhs[i] of row i set to mhs[i].",
    )
)
