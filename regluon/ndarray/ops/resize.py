"""Resizing: UpSampling (nearest, bilinear), contrib.BilinearResize2D, contrib.AdaptiveAvgPooling2D."""

from __future__ import annotations

import numpy as np
import torch
import torch.nn.functional as tF

from ...base import MXNetError, shape_str
from ..params import Bool, Enum, Float, Int, Optional, Param, Shape
from ..register import OpDef, Sample, register
from ._common import float32_only, four_d, rand


def _upsampling(*data, scale, num_filter, sample_type, multi_input_mode, num_args, workspace):
    if sample_type == "bilinear":
        return _upsampling_bilinear(data, scale, num_filter)
    outs = []
    size = None
    for x in data:
        if x.dim() != 4:
            raise MXNetError(f"UpSampling: inputs must be 4-d (N, C, H, W), got {shape_str(x.shape)}")
        if size is None:
            size = (x.shape[2] * scale, x.shape[3] * scale)
        if size[0] % x.shape[2] or size[1] % x.shape[3]:
            raise MXNetError(
                f"UpSampling: input {shape_str(x.shape)} does not divide the output size {size} evenly"
            )
        s = size[0] // x.shape[2]
        outs.append(x.repeat_interleave(s, dim=2).repeat_interleave(s, dim=3))
    if len(outs) == 1:
        return outs[0]
    if multi_input_mode == "sum" and any(o.shape[1] != outs[0].shape[1] for o in outs):
        raise MXNetError(
            "UpSampling: multi_input_mode='sum' needs the same number of channels in every input, got "
            + ", ".join(shape_str(x.shape) for x in data)
        )
    return torch.cat(outs, dim=1) if multi_input_mode == "concat" else sum(outs[1:], outs[0])


def _bilinear_kernel(scale: int) -> tuple[int, int]:
    """Kernel size and padding of the deconvolution behind bilinear UpSampling."""
    return 2 * scale - scale % 2, -(-(scale - 1) // 2)


def _upsampling_bilinear(data, scale, num_filter):
    if len(data) != 2:
        raise MXNetError(
            f"UpSampling: sample_type='bilinear' takes 2 inputs (data and weight), got {len(data)}"
        )
    x, weight = data
    if x.dim() != 4:
        raise MXNetError(f"UpSampling: data must be 4-d (N, C, H, W), got {shape_str(x.shape)}")
    c = x.shape[1]
    k, pad = _bilinear_kernel(scale)
    if tuple(weight.shape) != (c, 1, k, k):
        raise MXNetError(
            f"UpSampling: bilinear weight has shape {shape_str(weight.shape)}, but data {shape_str(x.shape)} "
            f"with scale={scale} needs {shape_str((c, 1, k, k))}"
        )
    if 0 < num_filter < c:
        raise MXNetError(f"UpSampling: num_filter={num_filter} is smaller than the {c} channels of the data")
    return tF.conv_transpose2d(x, weight, None, scale, pad, 0, c)


def _upsampling_ref(*xs, scale, sample_type="nearest", multi_input_mode="concat", **_):
    if sample_type == "bilinear":
        x, w = xs
        k, pad = _bilinear_kernel(scale)
        n, c, h, wd = x.shape
        full = np.zeros((n, c, (h - 1) * scale + k, (wd - 1) * scale + k))
        for i in range(h):
            for j in range(wd):
                full[:, :, i * scale : i * scale + k, j * scale : j * scale + k] += (
                    x[:, :, i, j, None, None] * w[None, :, 0]
                )
        return full[:, :, pad : pad + h * scale, pad : pad + wd * scale].astype(x.dtype)
    size = xs[0].shape[2] * scale
    outs = [x.repeat(size // x.shape[2], axis=2).repeat(size // x.shape[2], axis=3) for x in xs]
    if len(outs) == 1:
        return outs[0]
    return np.concatenate(outs, axis=1) if multi_input_mode == "concat" else np.sum(outs, axis=0)


def _upsampling_samples():
    return [
        Sample((rand(1, 2, 2, 3),), {"scale": 2, "sample_type": "nearest", "num_args": 1}),
        Sample(
            (rand(1, 2, 4, 4), rand(1, 1, 2, 2, seed=1)),
            {"scale": 2, "sample_type": "nearest", "num_args": 2},
        ),
        Sample(
            (rand(2, 2, 2, 2), rand(2, 2, 1, 1, seed=1)),
            {"scale": 2, "sample_type": "nearest", "num_args": 2, "multi_input_mode": "sum"},
        ),
        Sample((rand(1, 1, 1, 1),), {"scale": 3, "sample_type": "nearest"}),
        # bilinear: a grouped deconvolution with a (C, 1, k, k) weight (gluon's init.Bilinear fills it);
        # MXNet's own backward needs num_filter = C (with 0 it crashes)
        Sample(
            (rand(2, 3, 2, 3), rand(3, 1, 4, 4, seed=1)),
            {"scale": 2, "sample_type": "bilinear", "num_filter": 3, "num_args": 2},
        ),
        Sample(
            (rand(1, 2, 3, 2), rand(2, 1, 5, 5, seed=2)),
            {"scale": 3, "sample_type": "bilinear", "num_filter": 2, "num_args": 2},
        ),
        Sample(
            (rand(1, 1, 2, 2), rand(1, 1, 8, 8, seed=3)),
            {"scale": 4, "sample_type": "bilinear", "num_filter": 1},
        ),
    ]


def _upsampling_errors():
    x = rand(1, 2, 2, 2)
    return [
        (
            (x, rand(2, 1, 3, 3)),
            {"scale": 2, "sample_type": "bilinear"},
            r"UpSampling: bilinear weight has shape",
        ),
        ((x,), {"scale": 2, "sample_type": "bilinear"}, r"UpSampling: sample_type='bilinear' takes 2 inputs"),
        ((rand(2, 3, 4),), {"scale": 2, "sample_type": "nearest"}, r"UpSampling: inputs must be 4-d"),
        (
            (x, rand(1, 1, 3, 3)),
            {"scale": 2, "sample_type": "nearest", "num_args": 2},
            r"UpSampling: input \(1, 1, 3, 3\) does not divide",
        ),
        (
            (x, rand(1, 1, 4, 4)),
            {"scale": 2, "sample_type": "nearest", "num_args": 2, "multi_input_mode": "sum"},
            r"UpSampling: multi_input_mode='sum' needs the same number of channels",
        ),
    ]


register(
    OpDef(
        "UpSampling",
        impl=_upsampling,
        inputs=("data",),
        variadic=True,
        params=(
            Param("scale", Int(), None, "Up-sampling factor.", required=True),
            Param("num_filter", Int(), 0, "Used by bilinear sampling only."),
            Param("sample_type", Enum("nearest", "bilinear"), None, "Interpolation.", required=True),
            Param("multi_input_mode", Enum("concat", "sum"), "concat", "How several inputs are combined."),
            Param("num_args", Optional(Int()), None),
            Param("workspace", Int(), 512, "Accepted."),
        ),
        ref=_upsampling_ref,
        samples=_upsampling_samples,
        errors=_upsampling_errors,
        doc="Up-sampling of (N, C, H, W) data by an integer factor. 'nearest' repeats pixels; several inputs are "
        "scaled to the first one's output size and concatenated (or summed). 'bilinear' takes the data and a "
        "(C, 1, k, k) weight, k = 2*scale - scale%2, and runs a per-channel transposed convolution (stride scale, "
        "pad ceil((scale-1)/2)); filled by init.Bilinear the weight interpolates bilinearly.\n\n"
        "Example: ``nd.UpSampling(x, scale=2, sample_type='nearest')`` doubles H and W.",
    )
)


def _bilinear(data, like, height, width, scale_height, scale_width, mode, align_corners):
    four_d("BilinearResize2D", data)
    h, w = data.shape[2:]
    if mode == "like":
        if like is None:
            raise MXNetError("BilinearResize2D: mode='like' needs the like input")
        size = tuple(like.shape[2:])
    elif scale_height is not None or scale_width is not None:
        size = (int(h * (scale_height or 1)), int(w * (scale_width or 1)))
    elif mode == "size":
        size = (height, width)
    else:
        raise MXNetError(f"BilinearResize2D: mode {mode!r} is not supported yet")
    return tF.interpolate(data, size=size, mode="bilinear", align_corners=align_corners)


register(
    OpDef(
        "_contrib_BilinearResize2D",
        impl=_bilinear,
        inputs=("data", "like"),
        optional_inputs=("like",),
        no_grad_inputs=("like",),
        params=(
            Param("height", Int(), 1, "Output height."),
            Param("width", Int(), 1, "Output width."),
            Param("scale_height", Optional(Float()), None, "Scale the height instead."),
            Param("scale_width", Optional(Float()), None, "Scale the width instead."),
            Param(
                "mode",
                Enum("size", "like", "odd_scale", "to_even_down", "to_even_up", "to_odd_down", "to_odd_up"),
                "size",
                "How the output size is chosen.",
            ),
            Param("align_corners", Bool(), True, "Map corner pixels onto corner pixels."),
        ),
        aliases=("contrib.BilinearResize2D", "BilinearResize2D"),
        samples=lambda: [
            Sample((rand(1, 2, 3, 4),), {"height": 5, "width": 7}),
            Sample((rand(2, 1, 4, 4),), {"height": 2, "width": 3, "align_corners": False}),
            Sample((rand(1, 2, 3, 3),), {"scale_height": 2.0, "scale_width": 2.0}),
            Sample((rand(1, 2, 3, 3), rand(1, 1, 5, 6, seed=1)), {"mode": "like"}),
            Sample((rand(1, 1, 1, 1),), {"height": 2, "width": 3}),
        ],
        errors=lambda: [
            (
                (rand(2, 3, 4),),
                {"height": 2, "width": 2},
                r"BilinearResize2D: data must be 4-d .* got \(2, 3, 4\)",
            )
        ],
        doc="Bilinear resize of (N, C, H, W) data to (height, width), by scale factors, or like another array.",
    )
)


def _adaptive_avg(data, output_size):
    four_d("AdaptiveAvgPooling2D", data)
    if not output_size:
        size = (1, 1)
    elif len(output_size) == 1:
        size = (output_size[0], output_size[0])
    else:
        size = tuple(output_size)
    return tF.adaptive_avg_pool2d(data, size)


def _adaptive_ref(x, output_size=()):
    oh, ow = (1, 1) if not output_size else (output_size[0], output_size[-1])
    h, w = x.shape[2:]
    out = np.zeros(x.shape[:2] + (oh, ow), dtype=x.dtype)
    for i in range(oh):
        h0, h1 = (i * h) // oh, -((-(i + 1) * h) // oh)
        for j in range(ow):
            w0, w1 = (j * w) // ow, -((-(j + 1) * w) // ow)
            out[:, :, i, j] = x[:, :, h0:h1, w0:w1].mean(axis=(2, 3))
    return out


register(
    OpDef(
        "_contrib_AdaptiveAvgPooling2D",
        impl=_adaptive_avg,
        params=(
            Param("output_size", Shape(), (), "Output (height, width); one int for a square; () for 1x1."),
        ),
        aliases=("contrib.AdaptiveAvgPooling2D", "AdaptiveAvgPooling2D"),
        ref=_adaptive_ref,
        samples=lambda: [
            Sample((rand(1, 2, 5, 7),), {"output_size": (2, 3)}),
            Sample((rand(2, 1, 4, 4),), {"output_size": 3}),
            Sample((rand(1, 2, 3, 3),)),
            Sample((rand(1, 1, 1, 3),), {"output_size": (1, 2)}),
        ],
        errors=lambda: [
            (
                (rand(2, 3, 4),),
                {"output_size": 2},
                r"AdaptiveAvgPooling2D: data must be 4-d .* got \(2, 3, 4\)",
            )
        ],
        doc="Average pooling with windows chosen so the output has ``output_size``.",
    )
)


def _grid_generator(data, transform_type, target_shape, cudnn_off):
    float32_only("GridGenerator", data)
    return _grid(data, transform_type, target_shape)


def _grid(data, transform_type, target_shape):
    if transform_type == "affine":
        if data.dim() != 2 or data.shape[1] != 6 or len(target_shape) != 2 or min(target_shape) < 1:
            raise MXNetError(
                f"GridGenerator: affine needs data (N, 6) and target_shape (H, W); got data "
                f"{shape_str(data.shape)} and target_shape {target_shape}"
            )
        n = data.shape[0]
        grid = tF.affine_grid(data.reshape(n, 2, 3), [n, 1, *target_shape], align_corners=True)
        return grid.permute(0, 3, 1, 2).contiguous()
    if data.dim() != 4 or data.shape[1] != 2:
        raise MXNetError(f"GridGenerator: warp needs a flow field (N, 2, H, W), got {shape_str(data.shape)}")
    h, w = data.shape[2:]
    ys = torch.arange(h, dtype=data.dtype, device=data.device).reshape(1, h, 1)
    xs = torch.arange(w, dtype=data.dtype, device=data.device).reshape(1, 1, w)
    gx = (data[:, 0] + xs) / ((w - 1) / 2) - 1
    gy = (data[:, 1] + ys) / ((h - 1) / 2) - 1
    return torch.stack([gx, gy], 1)


def _grid_generator_ref(x, transform_type="affine", target_shape=(0, 0), cudnn_off=None):
    if transform_type == "affine":
        h, w = target_shape
        gx, gy = np.meshgrid(np.linspace(-1, 1, w), np.linspace(-1, 1, h))
        src = np.stack([gx.ravel(), gy.ravel(), np.ones(h * w)])
        return (x.reshape(-1, 2, 3) @ src).reshape(-1, 2, h, w).astype(x.dtype)
    h, w = x.shape[2:]
    gx = (x[:, 0] + np.arange(w)) / ((w - 1) / 2) - 1
    gy = (x[:, 1] + np.arange(h)[:, None]) / ((h - 1) / 2) - 1
    return np.stack([gx, gy], 1).astype(x.dtype)


register(
    OpDef(
        "GridGenerator",
        impl=_grid_generator,
        params=(
            Param(
                "transform_type",
                Enum("affine", "warp"),
                None,
                "Affine matrices or a flow field.",
                required=True,
            ),
            Param("target_shape", Shape(), (0, 0), "Output (H, W) for affine."),
            Param("cudnn_off", Optional(Bool()), None, "Accepted."),
        ),
        ref=_grid_generator_ref,
        samples=lambda: [
            # float32 only, as in MXNet: gradients are checked against MXNet's golden, not in float64
            Sample(
                (rand(2, 6, low=-1, high=1),),
                {"transform_type": "affine", "target_shape": (3, 4)},
                numeric_grad=False,
            ),
            Sample(
                (rand(1, 2, 3, 4, low=-1, high=1, seed=1),), {"transform_type": "warp"}, numeric_grad=False
            ),
        ],
        errors=lambda: [
            (
                (rand(2, 4),),
                {"transform_type": "affine", "target_shape": (3, 4)},
                r"GridGenerator: affine needs",
            ),
            ((rand(2, 3, 4, 4),), {"transform_type": "warp"}, r"GridGenerator: warp needs a flow field"),
        ],
        doc="Sampling grids for BilinearSampler, in [-1, 1] coordinates, shape (N, 2, H, W): from affine "
        "matrices (N, 6) over a target_shape, or from a flow field (N, 2, H, W) added to the pixel positions.",
    )
)


def _spatial_transformer(data, loc, target_shape, transform_type, sampler_type, cudnn_off):
    from .image_ops import _bilinear_sampler

    if data.dtype == torch.float16:
        raise MXNetError("SpatialTransformer: MXNet's CPU build has no float16 kernel")
    grid = _grid(loc, "affine", target_shape)
    return _bilinear_sampler(data, grid, False)


register(
    OpDef(
        "SpatialTransformer",
        impl=_spatial_transformer,
        inputs=("data", "loc"),
        params=(
            Param("target_shape", Shape(), (0, 0), "Output (H, W)."),
            Param("transform_type", Enum("affine"), None, "The transform (affine).", required=True),
            Param("sampler_type", Enum("bilinear"), None, "The sampler (bilinear).", required=True),
            Param("cudnn_off", Optional(Bool()), None, "Accepted."),
        ),
        # float32 only (GridGenerator): gradients are checked against MXNet's golden
        samples=lambda: [
            Sample(
                (rand(2, 3, 4, 5), rand(2, 6, low=-1, high=1, seed=1)),
                {"target_shape": (3, 3), "transform_type": "affine", "sampler_type": "bilinear"},
            ),
        ],
        doc="Warp data (N, C, H, W) by the affine transforms loc (N, 6): GridGenerator over target_shape, "
        "then BilinearSampler.",
    )
)
