"""Deformable convolutions: contrib.DeformableConvolution (DCN v1) and ModulatedDeformableConvolution (v2).

Each kernel tap reads the input at its regular position plus a learned (dy, dx) offset, by bilinear
interpolation; v2 also multiplies each tap by a learned mask. The columns of all taps are gathered
at once with torch ops and multiplied with the weight per group; gradients (data, offsets, mask,
weight, bias) come from torch autograd. The two versions read the border as MXNet's kernels do:
v1 samples only points in [0, H) x [0, W) and clamps the far neighbour to the last row/column, v2
samples points in (-1, H) x (-1, W) and treats neighbours outside the map as zeros.
"""

from __future__ import annotations

import torch

from ...base import MXNetError, shape_str
from ..params import Bool, Enum, Int, Optional, Param, Shape
from ..register import OpDef, Sample, register
from ._common import rand


def _taps(shape, params) -> tuple:
    """Kernel, stride, dilation, padding and the output size (Ho, Wo) for data of ``shape``."""
    kh, kw = params["kernel"]
    sh, sw = params["stride"] or (1, 1)
    dh, dw = params["dilate"] or (1, 1)
    ph, pw = params["pad"] or (0, 0)
    H, W = shape[2], shape[3]
    Ho = (H + 2 * ph - dh * (kh - 1) - 1) // sh + 1
    Wo = (W + 2 * pw - dw * (kw - 1) - 1) // sw + 1
    return (kh, kw, sh, sw, dh, dw, ph, pw, Ho, Wo)


def _infer(op: str, modulated: bool):
    def infer(_op, shapes, params):
        data = shapes[0]
        k, nf, g, dg = (
            params["kernel"],
            params["num_filter"],
            params["num_group"],
            params["num_deformable_group"],
        )
        if data is None or len(data) != 4 or len(k) != 2:
            raise MXNetError(
                f"{op}: data must be 4-d (N, C, H, W) with a 2-d kernel, got data {data} and kernel {k}"
            )
        if data[1] % g or data[1] % dg or nf % g:
            raise MXNetError(
                f"{op}: data {shape_str(data)} has {data[1]} channels and num_filter={nf}; both must divide by "
                f"num_group={g}, and the channels by num_deformable_group={dg}"
            )
        kh, kw, sh, sw, dh, dw, ph, pw, Ho, Wo = _taps(data, params)
        want = {
            "offset": (data[0], 2 * dg * kh * kw, Ho, Wo),
            "mask": (data[0], dg * kh * kw, Ho, Wo),
            "weight": (nf, data[1] // g, kh, kw),
            "bias": (nf,),
        }
        names = (
            ("data", "offset", "mask", "weight", "bias")
            if modulated
            else ("data", "offset", "weight", "bias")
        )
        full = [tuple(data)]
        for name, shape in zip(names[1:], list(shapes[1:]) + [None] * 4):
            if name == "bias" and params["no_bias"]:
                full.append(None)
                continue
            if shape is not None and tuple(shape) != want[name]:
                raise MXNetError(
                    f"{op}: {name} has shape {shape_str(shape)} but data {shape_str(data)} with kernel={k}, "
                    f"num_filter={nf}, num_group={g}, num_deformable_group={dg} needs {shape_str(want[name])}"
                )
            full.append(want[name])
        return full

    return infer


def _sample_columns(data, py, px, v2: bool, dg: int):
    """Bilinear samples of ``data`` (N, C, H, W) at rows ``py`` / columns ``px`` (N, dg, K, L) of each
    deformable group: (N, C, K, L)."""
    N, C, H, W = data.shape
    K, L = py.shape[2], py.shape[3]
    if v2:
        inside = (py > -1) & (px > -1) & (py < H) & (px < W)
    else:
        inside = (py >= 0) & (px >= 0) & (py < H) & (px < W)
    y0, x0 = torch.floor(py), torch.floor(px)
    if not v2:  # v1 clamps the far neighbour at the last row/column (and the position with it)
        py = torch.where(y0 >= H - 1, torch.full_like(py, H - 1), py)
        px = torch.where(x0 >= W - 1, torch.full_like(px, W - 1), px)
        y0, x0 = y0.clamp(max=H - 1), x0.clamp(max=W - 1)
    ly, lx = py - y0, px - x0
    y0, x0 = y0.long(), x0.long()
    if v2:
        y1, x1 = y0 + 1, x0 + 1
    else:
        y1, x1 = (y0 + 1).clamp(max=H - 1), (x0 + 1).clamp(max=W - 1)
    flat = data.reshape(N, dg, C // dg, H * W)
    cols = 0
    for yy, xx, wgt in (
        (y0, x0, (1 - ly) * (1 - lx)),
        (y0, x1, (1 - ly) * lx),
        (y1, x0, ly * (1 - lx)),
        (y1, x1, ly * lx),
    ):
        ok = inside & (yy >= 0) & (yy < H) & (xx >= 0) & (xx < W)
        idx = (yy.clamp(0, H - 1) * W + xx.clamp(0, W - 1)).reshape(N, dg, 1, K * L)
        vals = torch.gather(flat, 3, idx.expand(N, dg, C // dg, K * L))
        cols = cols + vals * (wgt * ok).to(data.dtype).reshape(N, dg, 1, K * L)
    return cols.reshape(N, C, K, L)


def _deform_conv(op: str, v2: bool, data, offset, mask, weight, bias, params):
    if data.dim() != 4 or len(params["kernel"]) != 2 or params["layout"] not in (None, "NCHW"):
        raise MXNetError(
            f"{op}: only 2-d convolution over NCHW data is available (as in MXNet), got data "
            f"{shape_str(data.shape)}, kernel={params['kernel']}, layout={params['layout']}"
        )
    given = (data, offset, mask, weight, bias) if v2 else (data, offset, weight, bias)
    shapes = [None if t is None else tuple(t.shape) for t in given]
    _infer(op, v2)(None, shapes, params)
    if not params["no_bias"] and bias is None:
        raise MXNetError(f"{op}: bias is missing; pass it or set no_bias=True")
    kh, kw, sh, sw, dh, dw, ph, pw, Ho, Wo = _taps(data.shape, params)
    N, C = data.shape[:2]
    dg, g, F = params["num_deformable_group"], params["num_group"], params["num_filter"]
    K, L = kh * kw, Ho * Wo
    dt = data.dtype
    ki = torch.arange(kh, device=data.device).repeat_interleave(kw) * dh  # (K,) tap rows
    kj = torch.arange(kw, device=data.device).repeat(kh) * dw
    oy = torch.arange(Ho, device=data.device).repeat_interleave(Wo) * sh - ph  # (L,) output rows
    ox = torch.arange(Wo, device=data.device).repeat(Ho) * sw - pw
    off = offset.reshape(N, dg, K, 2, L)
    py = (ki[:, None] + oy[None, :]).to(dt) + off[:, :, :, 0]
    px = (kj[:, None] + ox[None, :]).to(dt) + off[:, :, :, 1]
    cols = _sample_columns(data, py, px, v2, dg)  # (N, C, K, L)
    if v2:
        m = mask.reshape(N, dg, 1, K, L)
        cols = (cols.reshape(N, dg, C // dg, K, L) * m).reshape(N, C, K, L)
    cols = cols.reshape(N, g, (C // g) * K, L)
    w = weight.reshape(g, F // g, (C // g) * K)
    out = torch.matmul(w[None], cols).reshape(N, F, Ho, Wo)
    if not params["no_bias"]:
        out = out + bias.reshape(1, F, 1, 1)
    return out


def _params(modulated: bool) -> tuple:
    nonneg = "non-negative " if modulated else ""
    extra = (
        (Param("im2col_step", Int(), 64, "Accepted (images per im2col batch in MXNet)."),)
        if modulated
        else ()
    )
    return (
        Param("kernel", Shape(), None, "Kernel size (h, w).", required=True),
        Param("stride", Shape(), (), "Stride (default 1)."),
        Param("dilate", Shape(), (), "Dilation (default 1)."),
        Param("pad", Shape(), (), "Zero padding (default 0)."),
        Param("num_filter", Int(), None, f"Output channels ({nonneg}int).", required=True),
        Param("num_group", Int(), 1, "Groups of channels convolved separately."),
        Param("num_deformable_group", Int(), 1, "Groups of channels sharing one set of offsets."),
        Param("workspace", Int(), 1024, "Accepted for compatibility."),
        Param("no_bias", Bool(), False, "Leave the bias out."),
        *extra,
        Param("layout", Optional(Enum("NCW", "NCHW", "NCDHW")), None, "Data layout (NCHW only)."),
    )


def _dcn(data, offset, weight, bias, **params):
    return _deform_conv("DeformableConvolution", False, data, offset, None, weight, bias, params)


def _mdcn(data, offset, mask, weight, bias, **params):
    return _deform_conv("ModulatedDeformableConvolution", True, data, offset, mask, weight, bias, params)


def _offsets(n, dg, k, ho, wo, seed, scale=1.5):
    return rand(n, 2 * dg * k, ho, wo, seed=seed, low=-scale, high=scale)


def _dcn_samples():
    return [
        Sample(
            (rand(2, 3, 5, 5), _offsets(2, 1, 9, 3, 3, 1), rand(4, 3, 3, 3, seed=2), rand(4, seed=3)),
            {"kernel": (3, 3), "num_filter": 4},
        ),
        Sample(  # padding, stride, dilation, two groups and two deformable groups; offsets reach past the border
            (rand(1, 4, 6, 7, seed=4), _offsets(1, 2, 4, 4, 3, 5, scale=2.5), rand(6, 2, 2, 2, seed=6)),
            {
                "kernel": (2, 2),
                "stride": (2, 3),
                "dilate": (2, 1),
                "pad": (2, 1),
                "num_filter": 6,
                "num_group": 2,
                "num_deformable_group": 2,
                "no_bias": True,
            },
        ),
    ]


def _mdcn_samples():
    return [
        Sample(
            (
                rand(2, 3, 5, 5),
                _offsets(2, 1, 9, 5, 5, 1),
                rand(2, 9, 5, 5, seed=7, low=0, high=1),
                rand(4, 3, 3, 3, seed=2),
                rand(4, seed=3),
            ),
            {"kernel": (3, 3), "num_filter": 4, "pad": (1, 1)},
        ),
        Sample(
            (
                rand(1, 4, 6, 7, seed=4),
                _offsets(1, 2, 4, 4, 3, 5, scale=2.5),
                rand(1, 8, 4, 3, seed=8, low=0, high=1),
                rand(6, 2, 2, 2, seed=6),
            ),
            {
                "kernel": (2, 2),
                "stride": (2, 3),
                "dilate": (2, 1),
                "pad": (2, 1),
                "num_filter": 6,
                "num_group": 2,
                "num_deformable_group": 2,
                "no_bias": True,
            },
        ),
    ]


register(
    OpDef(
        "_contrib_DeformableConvolution",
        impl=_dcn,
        inputs=("data", "offset", "weight", "bias"),
        optional_inputs=("bias",),
        params=_params(False),
        aliases=("contrib.DeformableConvolution", "DeformableConvolution"),
        infer_shape=_infer("DeformableConvolution", False),
        samples=_dcn_samples,
        errors=lambda: [
            (
                (rand(1, 3, 5, 5), _offsets(1, 1, 9, 2, 2, 1), rand(4, 3, 3, 3), rand(4)),
                {"kernel": (3, 3), "num_filter": 4},
                r"DeformableConvolution: offset has shape \(1, 18, 2, 2\) .* needs \(1, 18, 3, 3\)",
            ),
            (
                (rand(1, 3, 5, 5), _offsets(1, 1, 9, 3, 3, 1), rand(4, 2, 3, 3)),
                {"kernel": (3, 3), "num_filter": 4, "no_bias": True},
                r"DeformableConvolution: weight has shape \(4, 2, 3, 3\) .* needs \(4, 3, 3, 3\)",
            ),
            (
                (rand(1, 3, 5, 5), _offsets(1, 2, 9, 3, 3, 1), rand(4, 3, 3, 3)),
                {"kernel": (3, 3), "num_filter": 4, "no_bias": True, "num_deformable_group": 2},
                r"DeformableConvolution: data \(1, 3, 5, 5\) has 3 channels .* num_deformable_group=2",
            ),
        ],
        doc="Convolution whose kernel taps are shifted by learned offsets (Deformable ConvNets v1). offset "
        "(N, 2 * num_deformable_group * kh * kw, Ho, Wo) holds a (dy, dx) pair per group, tap and output "
        "position; the input is read there by bilinear interpolation.\n\nExample: ``nd.contrib."
        "DeformableConvolution(x, offset, w, b, kernel=(3, 3), pad=(1, 1), num_filter=64)``",
    )
)

register(
    OpDef(
        "_contrib_ModulatedDeformableConvolution",
        impl=_mdcn,
        inputs=("data", "offset", "mask", "weight", "bias"),
        optional_inputs=("bias",),
        params=_params(True),
        aliases=("contrib.ModulatedDeformableConvolution", "ModulatedDeformableConvolution"),
        infer_shape=_infer("ModulatedDeformableConvolution", True),
        samples=_mdcn_samples,
        errors=lambda: [
            (
                (rand(1, 3, 5, 5), _offsets(1, 1, 9, 3, 3, 1), rand(1, 8, 3, 3), rand(4, 3, 3, 3), rand(4)),
                {"kernel": (3, 3), "num_filter": 4},
                r"ModulatedDeformableConvolution: mask has shape \(1, 8, 3, 3\) .* needs \(1, 9, 3, 3\)",
            ),
        ],
        doc="Deformable ConvNets v2: DeformableConvolution whose taps are also multiplied by a learned mask "
        "(N, num_deformable_group * kh * kw, Ho, Wo).\n\nExample: ``nd.contrib.ModulatedDeformableConvolution("
        "x, offset, mask, w, b, kernel=(3, 3), pad=(1, 1), num_filter=64)``",
    )
)
