"""Shape operators: split, pad, repeat, tile, broadcast_to/like/axis, flip, diag, add_n, cast, ..."""

from __future__ import annotations

import numpy as np
import torch
import torch.nn.functional as tF

from ...base import MXNetError, shape_str
from ..dtypes import to_torch
from ..params import AxisArg, Bool, Ctx, DType, Enum, Float, Int, Optional, Param, Shape
from ..register import OpDef, Sample, register
from ._common import axis_error, float32_only, normalize_axes, rand, same_dtype


def _split(data, num_outputs, axis, squeeze_axis):
    ax = normalize_axes("split", (axis,), data.dim())[0]
    n = data.shape[ax]
    if num_outputs <= 0 or n % num_outputs:
        raise MXNetError(
            f"split: axis {axis} of {shape_str(data.shape)} (length {n}) cannot be split into {num_outputs} "
            "equal parts"
        )
    parts = torch.split(data, n // num_outputs, dim=ax)
    if squeeze_axis:
        if n // num_outputs != 1:
            raise MXNetError("split: squeeze_axis=True needs parts of length 1 along the axis")
        parts = [p.squeeze(ax) for p in parts]
    parts = [p.clone() for p in parts]
    return parts[0] if num_outputs == 1 else tuple(parts)


def _split_ref(x, num_outputs, axis=1, squeeze_axis=False):
    parts = np.split(x, num_outputs, axis=axis)
    if squeeze_axis:
        parts = [np.squeeze(p, axis) for p in parts]
    return parts[0] if num_outputs == 1 else parts


register(
    OpDef(
        "split",
        impl=_split,
        params=(
            Param("num_outputs", Int(), None, "Number of equal parts.", required=True),
            Param("axis", Int(), 1, "Axis to split along."),
            Param("squeeze_axis", Bool(), False, "Remove the split axis (parts must have length 1)."),
        ),
        aliases=("SliceChannel",),
        ref=_split_ref,
        samples=lambda: [
            Sample((rand(2, 6),), {"num_outputs": 3}),
            Sample((rand(4, 3),), {"num_outputs": 4, "axis": 0, "squeeze_axis": True}),
            Sample((rand(2, 6),), {"num_outputs": 1}),
        ],
        errors=lambda: [((rand(2, 5),), {"num_outputs": 3}, r"split: axis 1 of \(2, 5\)")],
        method="split",
        doc="Split into ``num_outputs`` equal parts along ``axis`` (a list; one part is returned as is).",
    )
)

_PAD_MODES = {"constant": "constant", "edge": "replicate", "reflect": "reflect"}


def _pad(data, mode, pad_width, constant_value):
    nd_ = data.dim()
    if nd_ not in (4, 5) or len(pad_width) != 2 * nd_ or any(pad_width[:4]):
        raise MXNetError(
            f"pad: needs a 4-d or 5-d input with pad_width of length {2 * nd_} whose first four entries "
            f"(batch and channel axes) are 0; got data {shape_str(data.shape)} and pad_width {pad_width}"
        )
    torch_pad = []
    for ax in reversed(range(2, nd_)):
        torch_pad += [pad_width[2 * ax], pad_width[2 * ax + 1]]
    if mode == "constant":
        return tF.pad(data, torch_pad, mode="constant", value=constant_value)
    return tF.pad(data, torch_pad, mode=_PAD_MODES[mode])


def _pad_ref(x, mode, pad_width=(), constant_value=0.0):
    pw = [(pad_width[2 * i], pad_width[2 * i + 1]) for i in range(x.ndim)]
    if mode == "constant":
        return np.pad(x, pw, mode="constant", constant_values=constant_value)
    return np.pad(x, pw, mode={"edge": "edge", "reflect": "reflect"}[mode])


register(
    OpDef(
        "pad",
        impl=_pad,
        params=(
            Param(
                "mode", Enum("constant", "edge", "reflect"), None, "How to fill the border.", required=True
            ),
            Param("pad_width", Shape(), None, "Before/after amounts for every axis.", required=True),
            Param("constant_value", Float(), 0.0, "Fill value for mode='constant'."),
        ),
        aliases=("Pad",),
        ref=_pad_ref,
        samples=lambda: [
            Sample(
                (rand(1, 2, 3, 4),),
                {"mode": "constant", "pad_width": (0, 0, 0, 0, 1, 2, 2, 1), "constant_value": 1.5},
            ),
            Sample((rand(1, 2, 3, 4),), {"mode": "edge", "pad_width": (0, 0, 0, 0, 1, 1, 0, 2)}),
            Sample((rand(1, 1, 3, 4),), {"mode": "reflect", "pad_width": (0, 0, 0, 0, 2, 1, 1, 2)}),
        ],
        errors=lambda: [
            ((rand(2, 3),), {"mode": "edge", "pad_width": (1, 1, 1, 1)}, r"pad: needs a 4-d or 5-d")
        ],
        doc="Pad the spatial axes of a 4-d or 5-d array (constant, edge or reflect).",
    )
)


def _repeat(data, repeats, axis):
    if axis is None:
        return data.reshape(-1).repeat_interleave(repeats)
    if not -data.dim() <= axis < data.dim():
        raise axis_error("repeat", "axis", axis, data.shape)
    return data.repeat_interleave(repeats, dim=axis)


def _tile(data, reps):
    if any(r < 1 for r in reps):
        raise MXNetError(f"tile: reps={reps} must be positive numbers of copies")
    return torch.tile(data, reps)


register(
    OpDef(
        "repeat",
        impl=_repeat,
        params=(
            Param("repeats", Int(), None, "Copies of each element.", required=True),
            Param("axis", Optional(Int()), None, "Axis to repeat along; None flattens first."),
        ),
        ref=lambda x, repeats, axis=None: np.repeat(x, repeats, axis=axis),
        samples=lambda: [
            Sample((rand(2, 3),), {"repeats": 2}),
            Sample((rand(2, 3),), {"repeats": 3, "axis": 0}),
            Sample((rand(2, 1),), {"repeats": 2, "axis": -1}),
        ],
        errors=lambda: [((rand(2, 3),), {"repeats": 2, "axis": 3}, r"repeat: axis=3 is out of range")],
        method="repeat",
        doc="Repeat each element ``repeats`` times.",
    )
)

register(
    OpDef(
        "tile",
        impl=_tile,
        params=(Param("reps", Shape(), None, "Repetitions per axis (NumPy's rule).", required=True),),
        ref=lambda x, reps: np.tile(x, reps),
        samples=lambda: [
            Sample((rand(2, 3),), {"reps": (2, 1)}),
            Sample((rand(2, 3),), {"reps": (2, 1, 3)}),
            Sample((rand(2, 3),), {"reps": (2,)}),
        ],
        method="tile",
        doc="Repeat the whole array along each axis, like ``numpy.tile``.",
    )
)


def _broadcast_to(data, shape):
    if len(shape) != data.dim():
        raise MXNetError(
            f"broadcast_to: shape {shape} must have {data.dim()} dimensions like {shape_str(data.shape)}"
        )
    target = tuple(d if s == 0 else s for d, s in zip(data.shape, shape))
    for d, s in zip(data.shape, target):
        if d != s and d != 1:
            raise MXNetError(f"broadcast_to: cannot broadcast {shape_str(data.shape)} to {shape_str(target)}")
    return data.expand(target).clone()


register(
    OpDef(
        "broadcast_to",
        impl=_broadcast_to,
        params=(Param("shape", Shape(), (), "Target shape; 0 keeps the input's length."),),
        ref=lambda x, shape: np.broadcast_to(
            x, tuple(d if s == 0 else s for d, s in zip(x.shape, shape))
        ).copy(),
        samples=lambda: [Sample((rand(1, 3),), {"shape": (4, 3)}), Sample((rand(2, 1),), {"shape": (0, 5)})],
        errors=lambda: [((rand(2, 3),), {"shape": (4, 3)}, r"broadcast_to: cannot broadcast \(2, 3\)")],
        method="broadcast_to",
        doc="Broadcast axes of length 1 to a larger shape.",
    )
)


def _broadcast_like(lhs, rhs, lhs_axes, rhs_axes):
    if lhs_axes is None:
        target = tuple(rhs.shape)
    else:
        la = normalize_axes("broadcast_like", lhs_axes, lhs.dim())
        ra = normalize_axes("broadcast_like", rhs_axes or (), rhs.dim())
        target = list(lhs.shape)
        for a, b in zip(la, ra):
            target[a] = rhs.shape[b]
        target = tuple(target)
    return lhs.expand(target).clone()


register(
    OpDef(
        "broadcast_like",
        impl=_broadcast_like,
        inputs=("lhs", "rhs"),
        no_grad_inputs=("rhs",),
        params=(Param("lhs_axes", AxisArg(), None), Param("rhs_axes", AxisArg(), None)),
        ref=lambda a, b, lhs_axes=None, rhs_axes=None: np.broadcast_to(a, b.shape).copy(),
        samples=lambda: [
            Sample((rand(1, 3), rand(4, 3, seed=1))),
            Sample((rand(2, 1, 1), rand(2, 3, 4, seed=1))),
        ],
        method="broadcast_like",
        doc="Broadcast ``lhs`` to the shape of ``rhs``.",
    )
)


def _broadcast_axis(data, axis, size):
    if len(axis) != len(size):
        raise MXNetError(f"broadcast_axis: axis {axis} and size {size} must have the same length")
    target = list(data.shape)
    for a, s in zip(normalize_axes("broadcast_axis", axis, data.dim()), size):
        if target[a] != 1:
            raise MXNetError(f"broadcast_axis: axis {a} of {shape_str(data.shape)} must have length 1")
        target[a] = s
    return data.expand(tuple(target)).clone()


def _broadcast_axis_ref(x, axis=(), size=()):
    axis = (axis,) if isinstance(axis, int) else axis
    size = (size,) if isinstance(size, int) else size
    target = list(x.shape)
    for a, s in zip(axis, size):
        target[a] = s
    return np.broadcast_to(x, target).copy()


register(
    OpDef(
        "broadcast_axis",
        impl=_broadcast_axis,
        params=(
            Param("axis", Shape(), (), "Axes of length 1 to broadcast."),
            Param("size", Shape(), (), "New length of each axis."),
        ),
        aliases=("broadcast_axes",),
        ref=_broadcast_axis_ref,
        samples=lambda: [
            Sample((rand(2, 1, 3),), {"axis": 1, "size": 4}),
            Sample((rand(1, 3, 1),), {"axis": (0, 2), "size": (2, 5)}),
        ],
        method="broadcast_axis",
        doc="Broadcast the given axes of length 1 to the given sizes.",
    )
)

register(
    OpDef(
        "flip",
        impl=lambda data, axis: torch.flip(data, normalize_axes("flip", axis, data.dim())),
        params=(Param("axis", Shape(), None, "Axis or axes to reverse.", required=True),),
        aliases=("reverse",),
        ref=lambda x, axis: np.flip(x, axis),
        samples=lambda: [Sample((rand(3, 4),), {"axis": 1}), Sample((rand(2, 3, 4),), {"axis": (0, 2)})],
        method="flip",
        doc="Reverse the order of elements along the given axes.",
    )
)

register(
    OpDef(
        "shape_array",
        impl=lambda data: torch.tensor(tuple(data.shape), dtype=torch.int64, device=data.device),
        differentiable=False,
        ref=lambda x: np.array(x.shape, dtype=np.int64),
        samples=lambda: [Sample((rand(2, 3, 4),))],
        method="shape_array",
        doc="The shape as a 1-d int64 array.",
    )
)

register(
    OpDef(
        "size_array",
        impl=lambda data: torch.tensor([data.numel()], dtype=torch.int64, device=data.device),
        differentiable=False,
        ref=lambda x: np.array([x.size], dtype=np.int64),
        samples=lambda: [Sample((rand(2, 3, 4),))],
        method="size_array",
        doc="The number of elements as a (1,) int64 array.",
    )
)


def _diag(data, k, axis1, axis2):
    if data.dim() == 1:
        return torch.diag(data, k)
    if k > data.shape[axis2] or -k > data.shape[axis1]:
        raise MXNetError(
            f"diag: diagonal k={k} does not exist in data {shape_str(data.shape)} (axis1={axis1}, axis2={axis2})"
        )
    return torch.diagonal(data, k, axis1, axis2).clone()


register(
    OpDef(
        "diag",
        impl=_diag,
        params=(Param("k", Int(), 0, "Diagonal offset."), Param("axis1", Int(), 0), Param("axis2", Int(), 1)),
        ref=lambda x, k=0, axis1=0, axis2=1: (
            np.diag(x, k) if x.ndim == 1 else np.diagonal(x, k, axis1, axis2).copy()
        ),
        samples=lambda: [
            Sample((rand(3),)),
            Sample((rand(3, 4),), {"k": 1}),
            Sample((rand(2, 3, 3),), {"axis1": 1, "axis2": 2}),
            Sample((rand(2, 3),), {"k": -1}),
        ],
        errors=lambda: [
            ((rand(2, 3, 4),), {"k": 5}, r"diag: diagonal k=5 does not exist in data \(2, 3, 4\)")
        ],
        method="diag",
        doc="A 1-d input becomes a diagonal matrix; otherwise the diagonal of the two given axes.",
    )
)


def _add_n(*args, num_args):
    if not args:
        raise MXNetError("add_n: needs at least one input")
    out = args[0].clone()
    for a in args[1:]:
        if a.shape != out.shape:
            raise MXNetError(
                f"add_n: all inputs must have the same shape, got {shape_str(out.shape)} and "
                f"{shape_str(a.shape)}"
            )
        same_dtype("add_n", out, a)
        out = out + a
    return out


register(
    OpDef(
        "add_n",
        impl=_add_n,
        variadic=True,
        inputs=("args",),
        params=(Param("num_args", Optional(Int()), None),),
        aliases=("ElementWiseSum",),
        ref=lambda *xs, num_args=None: np.sum(np.stack(xs), axis=0),
        samples=lambda: [Sample((rand(2, 3), rand(2, 3, seed=1), rand(2, 3, seed=2)))],
        errors=lambda: [((rand(2, 3), rand(3, 2)), {}, r"add_n: all inputs must have the same shape")],
        doc="Sum of any number of arrays of the same shape.",
    )
)

register(
    OpDef(
        "cast",
        impl=lambda data, dtype: data.to(to_torch(dtype)),
        params=(Param("dtype", DType(), None, "Target type.", required=True),),
        aliases=("Cast",),
        ref=lambda x, dtype: x.astype(dtype),
        samples=lambda: [
            Sample((rand(2, 3),), {"dtype": "float64"}),
            Sample((rand(2, 3, low=-5, high=5),), {"dtype": "int32"}, grad=False),
        ],
        doc="Convert to another dtype (floats to ints truncate toward zero).",
    )
)


def _linspace(start, stop, num, endpoint, ctx, dtype):
    if endpoint:
        vals = torch.linspace(start, stop, num, dtype=torch.float64)
    else:
        vals = start + (stop - start) / num * torch.arange(num, dtype=torch.float64)
    return vals.to(device=ctx.torch_device, dtype=to_torch(dtype))


register(
    OpDef(
        "linspace",
        impl=_linspace,
        inputs=(),
        params=(
            Param("start", Float(), None, "First value.", required=True),
            Param(
                "stop",
                Float(),
                None,
                "Last value (or the end, excluded, with endpoint=False).",
                required=True,
            ),
            Param("num", Int(), None, "Number of values.", required=True),
            Param("endpoint", Bool(), True, "Include stop."),
            Param("ctx", Optional(Ctx()), None),
            Param("dtype", DType(), "float32"),
        ),
        creates=True,
        differentiable=False,
        ref=lambda start, stop, num, endpoint=True, ctx=None, dtype="float32": np.linspace(
            start, stop, num, endpoint=endpoint
        ).astype(dtype),
        samples=lambda: [
            Sample((), {"start": 0, "stop": 1, "num": 5}),
            Sample((), {"start": 2, "stop": 4, "num": 4, "endpoint": False}),
        ],
        doc="``num`` evenly spaced values from start to stop.",
    )
)


def _block_check(op: str, data, block_size: int, by_depth: bool) -> None:
    if data.dim() != 4:
        raise MXNetError(f"{op}: data must be 4-d (N, C, H, W), got {shape_str(data.shape)}")
    if block_size < 1:
        raise MXNetError(f"{op}: block_size={block_size} must be positive")
    n, c, h, w = data.shape
    if by_depth and c % (block_size * block_size):
        raise MXNetError(
            f"{op}: {c} channels of data {shape_str(data.shape)} are not divisible by block_size**2 "
            f"= {block_size * block_size}"
        )
    if not by_depth and (h % block_size or w % block_size):
        raise MXNetError(
            f"{op}: height {h} and width {w} of data {shape_str(data.shape)} must be multiples of "
            f"block_size={block_size}"
        )


def _depth_to_space(data, block_size):
    _block_check("depth_to_space", data, block_size, True)
    n, c, h, w = data.shape
    b = block_size  # MXNet's order: the block position is the slowest-varying part of the channel index
    y = data.reshape(n, b, b, c // (b * b), h, w).permute(0, 3, 4, 1, 5, 2)
    return y.reshape(n, c // (b * b), h * b, w * b)


def _space_to_depth(data, block_size):
    _block_check("space_to_depth", data, block_size, False)
    n, c, h, w = data.shape
    b = block_size
    y = data.reshape(n, c, h // b, b, w // b, b).permute(0, 3, 5, 1, 2, 4)
    return y.reshape(n, c * b * b, h // b, w // b)


def _depth_to_space_ref(x, block_size):
    n, c, h, w = x.shape
    b = block_size
    out = np.empty((n, c // (b * b), h * b, w * b), x.dtype)
    for i in range(b):
        for j in range(b):
            out[:, :, i::b, j::b] = x[:, (i * b + j) * (c // (b * b)) : (i * b + j + 1) * (c // (b * b))]
    return out


def _space_to_depth_ref(x, block_size):
    n, c, h, w = x.shape
    b = block_size
    return np.concatenate([x[:, :, i::b, j::b] for i in range(b) for j in range(b)], axis=1)


register(
    OpDef(
        "depth_to_space",
        impl=_depth_to_space,
        params=(Param("block_size", Int(), None, "Side of the square blocks.", required=True),),
        ref=_depth_to_space_ref,
        samples=lambda: [
            Sample((rand(1, 4, 2, 3),), {"block_size": 2}),
            Sample((rand(2, 18, 1, 2),), {"block_size": 3}),
        ],
        errors=lambda: [
            (
                (rand(1, 3, 2, 2),),
                {"block_size": 2},
                r"depth_to_space: 3 channels .* not divisible by block_size",
            ),
            ((rand(4, 2, 2),), {"block_size": 2}, r"depth_to_space: data must be 4-d"),
        ],
        method="depth_to_space",
        doc="Move channel blocks into space: (N, C*b*b, H, W) -> (N, C, H*b, W*b), each group of b*b "
        "channels filling a b x b block.\n\nExample: ``nd.depth_to_space(x, block_size=2)``",
    )
)
register(
    OpDef(
        "space_to_depth",
        impl=_space_to_depth,
        params=(Param("block_size", Int(), None, "Side of the square blocks.", required=True),),
        ref=_space_to_depth_ref,
        samples=lambda: [
            Sample((rand(1, 2, 4, 6),), {"block_size": 2}),
            Sample((rand(2, 1, 3, 3),), {"block_size": 3}),
        ],
        errors=lambda: [
            ((rand(1, 1, 3, 3),), {"block_size": 2}, r"space_to_depth: height 3 and width 3 .* block_size=2"),
        ],
        method="space_to_depth",
        doc="The inverse of depth_to_space: (N, C, H*b, W*b) -> (N, C*b*b, H, W).\n\n"
        "Example: ``nd.space_to_depth(x, block_size=2)``",
    )
)


def _crop(*data, num_args, offset, h_w, center_crop):
    x = data[0]
    float32_only("Crop", x)
    if x.dim() != 4 or len(data) not in (1, 2):
        raise MXNetError(
            f"Crop: needs 4-d data (and optionally a 4-d array to crop like), got {len(data)} inputs"
        )
    h, w = tuple(data[1].shape[2:]) if len(data) == 2 else tuple(h_w)
    H, W = x.shape[2:]
    if not (0 < h <= H and 0 < w <= W):
        raise MXNetError(f"Crop: the crop size ({h}, {w}) must fit inside data {shape_str(x.shape)}")
    y0, x0 = ((H - h) // 2, (W - w) // 2) if center_crop else tuple(offset)
    if y0 + h > H or x0 + w > W:
        raise MXNetError(
            f"Crop: offset ({y0}, {x0}) with size ({h}, {w}) runs past data {shape_str(x.shape)}"
        )
    return x[:, :, y0 : y0 + h, x0 : x0 + w]


def _crop_ref(*xs, num_args=1, offset=(0, 0), h_w=(0, 0), center_crop=False):
    x = xs[0]
    h, w = xs[1].shape[2:] if len(xs) == 2 else h_w
    y0, x0 = ((x.shape[2] - h) // 2, (x.shape[3] - w) // 2) if center_crop else offset
    return x[:, :, y0 : y0 + h, x0 : x0 + w].copy()


register(
    OpDef(
        "Crop",
        impl=_crop,
        inputs=("data",),
        variadic=True,
        params=(
            Param(
                "num_args", Int(), None, "1: crop to h_w; 2: crop to the second input's size.", required=True
            ),
            Param("offset", Shape(), (0, 0), "Top-left corner (y, x) of the crop."),
            Param("h_w", Shape(), (0, 0), "Crop size (height, width) with num_args=1."),
            Param("center_crop", Bool(), False, "Crop the centre instead of at offset."),
        ),
        ref=_crop_ref,
        samples=lambda: [
            # float32 only, as in MXNet: gradients are checked against MXNet's golden
            Sample((rand(1, 2, 5, 6),), {"num_args": 1, "h_w": (2, 3), "offset": (1, 2)}, numeric_grad=False),
            Sample(
                (rand(2, 1, 5, 6),), {"num_args": 1, "h_w": (3, 4), "center_crop": True}, numeric_grad=False
            ),
            Sample(
                (rand(1, 2, 5, 6), rand(1, 1, 3, 3, seed=1)), {"num_args": 2, "offset": (2, 1)}, grad=False
            ),
        ],
        errors=lambda: [
            ((rand(1, 1, 5, 6),), {"num_args": 1, "h_w": (6, 3)}, r"Crop: the crop size \(6, 3\) must fit"),
        ],
        doc="Crop the spatial axes of (N, C, H, W) data to h_w, or to the size of a second array, at offset "
        "(y, x) or centred.",
    )
)
