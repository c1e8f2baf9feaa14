"""Region-of-interest pooling: ROIPooling and contrib.ROIAlign."""

from __future__ import annotations

import numpy as np
import torch

from ...base import MXNetError, shape_str
from ..params import Bool, Float, Int, Param, Shape
from ..register import OpDef, Sample, register
from ._common import rand


def _c_round(x: float) -> int:
    """C's round(): halves away from zero."""
    return int(np.floor(x + 0.5)) if x >= 0 else -int(np.floor(-x + 0.5))


def _check_rois(op: str, data, rois) -> None:
    if data.dim() != 4 or rois.dim() != 2 or rois.shape[1] != 5:
        raise MXNetError(
            f"{op}: data must be (N, C, H, W) and rois (R, 5) rows of [batch index, x1, y1, x2, y2]; got data "
            f"{shape_str(data.shape)} and rois {shape_str(rois.shape)}"
        )


def _roi_errors(op: str, params: dict):
    return lambda: [
        ((rand(1, 2, 4, 4), rand(2, 4)), params, rf"{op}: .* got data \(1, 2, 4, 4\) and rois \(2, 4\)")
    ]


def _roi_pooling(data, rois, pooled_size, spatial_scale):
    _check_rois("ROIPooling", data, rois)
    ph_n, pw_n = pooled_size
    H, W = data.shape[2], data.shape[3]
    outs = []
    for roi in rois.detach().cpu().tolist():
        b = int(roi[0])
        x1, y1, x2, y2 = (_c_round(v * spatial_scale) for v in roi[1:5])
        rh, rw = max(y2 - y1 + 1, 1), max(x2 - x1 + 1, 1)
        bh, bw = rh / ph_n, rw / pw_n
        cells = []
        for ph in range(ph_n):
            hs = min(max(int(np.floor(ph * bh)) + y1, 0), H)
            he = min(max(int(np.ceil((ph + 1) * bh)) + y1, 0), H)
            for pw in range(pw_n):
                ws = min(max(int(np.floor(pw * bw)) + x1, 0), W)
                we = min(max(int(np.ceil((pw + 1) * bw)) + x1, 0), W)
                if he <= hs or we <= ws:
                    cells.append(torch.zeros(data.shape[1], dtype=data.dtype, device=data.device))
                else:
                    cells.append(data[b, :, hs:he, ws:we].amax(dim=(1, 2)))
        outs.append(torch.stack(cells, -1).reshape(data.shape[1], ph_n, pw_n))
    return torch.stack(outs)


_ROIS = np.array([[0, 0, 0, 5, 5], [1, 2, 1, 7, 6], [0, 4.4, 3.6, 6.2, 7.9]], "float32")

register(
    OpDef(
        "ROIPooling",
        impl=_roi_pooling,
        inputs=("data", "rois"),
        no_grad_inputs=("rois",),
        params=(
            Param("pooled_size", Shape(), None, "Output (height, width) per region.", required=True),
            Param(
                "spatial_scale",
                Float(),
                None,
                "Image-to-feature-map scale of the ROI coordinates.",
                required=True,
            ),
        ),
        samples=lambda: [
            Sample((rand(2, 3, 8, 8), _ROIS), {"pooled_size": (2, 2), "spatial_scale": 1.0}),
            Sample((rand(2, 2, 6, 5), _ROIS), {"pooled_size": (3, 2), "spatial_scale": 0.5}),
        ],
        errors=_roi_errors("ROIPooling", {"pooled_size": (2, 2), "spatial_scale": 1.0}),
        doc="Max pooling of each region [batch, x1, y1, x2, y2] (scaled by spatial_scale, rounded) into a "
        "pooled_size grid: output (R, C, ph, pw).",
    )
)


def _bilinear_axis(coords: torch.Tensor, size: int):
    valid = (coords >= -1.0) & (coords <= size)
    c = coords.clamp(min=0)
    low = c.floor().to(torch.long)
    edge = low >= size - 1
    low = torch.where(edge, torch.full_like(low, size - 1), low)
    high = torch.where(edge, low, low + 1)
    c = torch.where(edge, low.to(c.dtype), c)
    frac = c - low.to(c.dtype)
    return low, high, (1 - frac) * valid, frac * valid


def _gather_bins(f, yi, xi, ps: bool):
    """Features of one image ``f`` (C, H, W) at rows ``yi`` (ph, gh) and columns ``xi`` (pw, gw):
    (C', ph, gh, pw, gw). Position-sensitive: bin (i, j) of output channel c reads input channel
    (c * ph + i) * pw + j (R-FCN's layout), so C' = C / (ph * pw)."""
    ph_n, pw_n = yi.shape[0], xi.shape[0]
    if not ps:
        return f[:, yi[:, :, None, None], xi[None, None]]
    fp = f.reshape(-1, ph_n, pw_n, f.shape[1], f.shape[2])
    bi = torch.arange(ph_n, device=f.device)[:, None, None, None]
    bj = torch.arange(pw_n, device=f.device)[None, None, :, None]
    return fp[:, bi, bj, yi[:, :, None, None], xi[None, None]]


def _check_ps_channels(op: str, data, pooled_size) -> None:
    ph_n, pw_n = pooled_size
    if data.shape[1] % (ph_n * pw_n):
        raise MXNetError(
            f"{op}: with position_sensitive=True the channels of data {shape_str(data.shape)} must be a "
            f"multiple of pooled_size[0] * pooled_size[1] = {ph_n * pw_n}"
        )


def _roi_align(data, rois, pooled_size, spatial_scale, sample_ratio, position_sensitive, aligned):
    _check_rois("ROIAlign", data, rois)
    if position_sensitive:
        _check_ps_channels("ROIAlign", data, pooled_size)
    ph_n, pw_n = pooled_size
    H, W = data.shape[2], data.shape[3]
    c_out = data.shape[1] // (ph_n * pw_n) if position_sensitive else data.shape[1]
    off = 0.5 if aligned else 0.0
    outs = []
    for roi in rois.detach().cpu().tolist():
        b = int(roi[0])
        if b < 0:  # MXNet skips regions with a negative batch index (zeros; in position-sensitive mode
            # MXNet 1.9.1 leaves them unwritten, regluon gives zeros there too)
            outs.append(data.new_zeros((c_out, ph_n, pw_n)))
            continue
        x1, y1, x2, y2 = (v * spatial_scale - off for v in roi[1:5])
        rw, rh = x2 - x1, y2 - y1
        if not aligned:
            rw, rh = max(rw, 1.0), max(rh, 1.0)
        bh, bw = rh / ph_n, rw / pw_n
        gh = sample_ratio if sample_ratio > 0 else int(np.ceil(rh / ph_n))
        gw = sample_ratio if sample_ratio > 0 else int(np.ceil(rw / pw_n))
        gh, gw = max(gh, 1), max(gw, 1)
        iy = torch.arange(ph_n * gh, dtype=torch.float64)
        ix = torch.arange(pw_n * gw, dtype=torch.float64)
        ys = y1 + (iy // gh) * bh + ((iy % gh) + 0.5) * bh / gh
        xs = x1 + (ix // gw) * bw + ((ix % gw) + 0.5) * bw / gw
        yl, yh, wyl, wyh = (t.reshape(ph_n, gh).to(data.device) for t in _bilinear_axis(ys, H))
        xl, xh, wxl, wxh = (t.reshape(pw_n, gw).to(data.device) for t in _bilinear_axis(xs, W))
        f = data[b]
        val = sum(
            _gather_bins(f, yi, xi, position_sensitive) * (wy[:, :, None, None] * wx[None, None]).to(f.dtype)
            for yi, wy in ((yl, wyl), (yh, wyh))
            for xi, wx in ((xl, wxl), (xh, wxh))
        )
        outs.append(val.mean(dim=(2, 4)))
    if not outs:
        return data.new_zeros((0, c_out, ph_n, pw_n))
    return torch.stack(outs)


register(
    OpDef(
        "_contrib_ROIAlign",
        impl=_roi_align,
        inputs=("data", "rois"),
        no_grad_inputs=("rois",),
        params=(
            Param("pooled_size", Shape(), None, "Output (height, width) per region.", required=True),
            Param("spatial_scale", Float(), None, "Image-to-feature-map scale.", required=True),
            Param("sample_ratio", Int(), -1, "Samples per bin side (-1: adaptive)."),
            Param(
                "position_sensitive",
                Bool(),
                False,
                "R-FCN style: bin (i, j) of output channel c reads input channel (c * ph + i) * pw + j.",
            ),
            Param("aligned", Bool(), False, "Shift coordinates by half a pixel (Detectron2's aligned mode)."),
        ),
        aliases=("contrib.ROIAlign", "ROIAlign"),
        samples=lambda: [
            Sample((rand(2, 3, 8, 8), _ROIS), {"pooled_size": (2, 2), "spatial_scale": 1.0}),
            Sample(
                (rand(2, 2, 6, 5), _ROIS), {"pooled_size": (3, 2), "spatial_scale": 0.5, "sample_ratio": 2}
            ),
            Sample((rand(2, 2, 8, 8), _ROIS), {"pooled_size": (2, 3), "spatial_scale": 1.0, "aligned": True}),
            Sample(
                (rand(2, 12, 8, 8), _ROIS),
                {"pooled_size": (2, 3), "spatial_scale": 1.0, "position_sensitive": True},
            ),
            Sample(
                (rand(2, 8, 9, 7), _ROIS),
                {
                    "pooled_size": (2, 2),
                    "spatial_scale": 0.8,
                    "position_sensitive": True,
                    "sample_ratio": 2,
                    "aligned": True,
                },
            ),
        ],
        errors=lambda: [
            *_roi_errors("ROIAlign", {"pooled_size": (2, 2), "spatial_scale": 1.0})(),
            (
                (rand(1, 5, 8, 8), _ROIS[:1]),
                {"pooled_size": (2, 2), "spatial_scale": 1.0, "position_sensitive": True},
                r"ROIAlign: with position_sensitive=True the channels of data \(1, 5, 8, 8\) must be a multiple",
            ),
        ],
        doc="Average of bilinear samples in each bin of each region [batch, x1, y1, x2, y2]: output "
        "(R, C, ph, pw); regions with a negative batch index give zeros. No rounding of the coordinates, "
        "unlike ROIPooling. position_sensitive=True (R-FCN) needs C = C' * ph * pw input channels and gives "
        "(R, C', ph, pw).\n\nExample: ``nd.contrib.ROIAlign(feat, rois, pooled_size=(7, 7), "
        "spatial_scale=1 / 16.0)``",
    )
)


def _rroi_align(data, rois, pooled_size, spatial_scale, sampling_ratio):
    if data.dim() != 4 or rois.dim() != 2 or rois.shape[1] != 6:
        raise MXNetError(
            f"RROIAlign: data must be (N, C, H, W) and rois (R, 6) rows of [batch index, center x, center y, "
            f"width, height, angle in degrees]; got data {shape_str(data.shape)} and rois {shape_str(rois.shape)}"
        )
    ph_n, pw_n = pooled_size
    C, H, W = data.shape[1], data.shape[2], data.shape[3]
    outs = []
    for roi in rois.detach().cpu().tolist():
        b = int(roi[0])
        cx, cy = roi[1] * spatial_scale, roi[2] * spatial_scale
        rw, rh = max(roi[3] * spatial_scale, 1.0), max(roi[4] * spatial_scale, 1.0)
        theta = roi[5] * np.pi / 180.0
        bh, bw = rh / ph_n, rw / pw_n
        gh = sampling_ratio if sampling_ratio > 0 else int(np.ceil(rh / ph_n))
        gw = sampling_ratio if sampling_ratio > 0 else int(np.ceil(rw / pw_n))
        gh, gw = max(gh, 1), max(gw, 1)
        iy = torch.arange(ph_n * gh, dtype=torch.float64)
        ix = torch.arange(pw_n * gw, dtype=torch.float64)
        yy = (-rh / 2 + (iy // gh) * bh + ((iy % gh) + 0.5) * bh / gh)[:, None]  # box frame, centred
        xx = (-rw / 2 + (ix // gw) * bw + ((ix % gw) + 0.5) * bw / gw)[None, :]
        cos, sin = np.cos(theta), np.sin(theta)
        y = yy * cos - xx * sin + cy  # rotated into the image: (ph * gh, pw * gw)
        x = yy * sin + xx * cos + cx
        valid = (y >= -1.0) & (y <= H) & (x >= -1.0) & (x <= W)
        y, x = y.clamp(min=0), x.clamp(min=0)
        y0, x0 = y.floor().long(), x.floor().long()
        y_edge, x_edge = y0 >= H - 1, x0 >= W - 1
        y0, x0 = torch.where(y_edge, H - 1, y0), torch.where(x_edge, W - 1, x0)
        y = torch.where(y_edge, y0.double(), y)
        x = torch.where(x_edge, x0.double(), x)
        y1, x1 = torch.where(y_edge, y0, y0 + 1), torch.where(x_edge, x0, x0 + 1)
        ly, lx = y - y0, x - x0
        f = data[b].reshape(C, H * W)
        val = sum(
            f[:, (yi * W + xi).flatten().to(data.device)]
            * (wgt * valid).flatten().to(data.device, data.dtype)
            for yi, xi, wgt in (
                (y0, x0, (1 - ly) * (1 - lx)),
                (y0, x1, (1 - ly) * lx),
                (y1, x0, ly * (1 - lx)),
                (y1, x1, ly * lx),
            )
        )
        outs.append(val.reshape(C, ph_n, gh, pw_n, gw).mean(dim=(2, 4)))
    if not outs:
        return data.new_zeros((0, C, ph_n, pw_n))
    return torch.stack(outs)


_RROIS = np.array(
    [[0, 3, 3, 4, 2, 30], [1, 4, 4.5, 3, 5, -45], [0, 5.5, 2.2, 6, 3, 90], [1, 1, 6.5, 2.5, 4.2, 170]],
    "float32",
)

register(
    OpDef(
        "_contrib_RROIAlign",
        impl=_rroi_align,
        inputs=("data", "rois"),
        params=(
            Param("pooled_size", Shape(), None, "Output (height, width) per region.", required=True),
            Param("spatial_scale", Float(), None, "Image-to-feature-map scale.", required=True),
            Param("sampling_ratio", Int(), -1, "Samples per bin side (-1: adaptive)."),
        ),
        aliases=("contrib.RROIAlign", "RROIAlign"),
        differentiable=False,
        samples=lambda: [
            Sample((rand(2, 3, 8, 8), _RROIS), {"pooled_size": (2, 2), "spatial_scale": 1.0}),
            Sample(
                (rand(2, 2, 9, 7, seed=1), _RROIS),
                {"pooled_size": (3, 2), "spatial_scale": 0.8, "sampling_ratio": 2},
            ),
        ],
        errors=lambda: [
            (
                (rand(1, 2, 4, 4), rand(2, 5)),
                {"pooled_size": (2, 2), "spatial_scale": 1.0},
                r"RROIAlign: .* got data \(1, 2, 4, 4\) and rois \(2, 5\)",
            )
        ],
        doc="ROIAlign over rotated regions [batch, center x, center y, width, height, angle (degrees, "
        "counter-clockwise)]: each bin averages bilinear samples taken on the rotated grid. Output "
        "(R, C, ph, pw). MXNet defines no gradient for it.\n\nExample: ``nd.contrib.RROIAlign(feat, rois, "
        "pooled_size=(7, 7), spatial_scale=0.25)``",
    )
)
