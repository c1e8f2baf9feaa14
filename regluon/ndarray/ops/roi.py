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


def _bin_samples(rois, ph_n: int, pw_n: int, rh, rw, sample_ratio: int):
    """Sample points of every bin of every region, flattened: for each sample its bin (region * ph * pw
    + i * pw + j), its (row, column) within the region's box (origin at the box's top-left corner) and
    1 / (samples in its bin). ``rh``/``rw``: box sizes (float64 tensors); the grid is sample_ratio
    per side, or ceil(size / pooled) when sample_ratio <= 0."""
    dev = rois.device
    R = rois.shape[0]
    gh = torch.full((R,), sample_ratio, device=dev) if sample_ratio > 0 else torch.ceil(rh / ph_n).long()
    gw = torch.full((R,), sample_ratio, device=dev) if sample_ratio > 0 else torch.ceil(rw / pw_n).long()
    gh, gw = gh.clamp(min=1), gw.clamp(min=1)
    per_bin = (gh * gw).repeat_interleave(ph_n * pw_n)  # (R * ph * pw,)
    bins = torch.arange(R * ph_n * pw_n, device=dev).repeat_interleave(per_bin)
    first = torch.cumsum(per_bin, 0) - per_bin
    k = torch.arange(len(bins), device=dev) - first[bins]  # sample index within its bin
    r, i, j = bins // (ph_n * pw_n), (bins // pw_n) % ph_n, bins % pw_n
    a, c = k // gw[r], k % gw[r]
    bh, bw = rh[r] / ph_n, rw[r] / pw_n
    y = i * bh + (a + 0.5) * bh / gh[r]
    x = j * bw + (c + 0.5) * bw / gw[r]
    return bins, r, y, x, 1.0 / per_bin[bins].double()


def _bilinear_taps(y, x, H: int, W: int):
    """The four (row, column, weight) taps of ROIAlign's bilinear rule: points outside [-1, H] x [-1, W]
    read 0; others are clamped to >= 0, and a point in the last row/column reads that row/column."""
    valid = ((y >= -1.0) & (y <= H) & (x >= -1.0) & (x <= W)).double()
    y, x = y.clamp(min=0), x.clamp(min=0)
    y0, x0 = y.floor().long(), x.floor().long()
    ye, xe = y0 >= H - 1, x0 >= W - 1
    y0, x0 = torch.where(ye, H - 1, y0), torch.where(xe, W - 1, x0)
    y1, x1 = torch.where(ye, y0, y0 + 1), torch.where(xe, x0, x0 + 1)
    ly = torch.where(ye, 0.0, y - y0)
    lx = torch.where(xe, 0.0, x - x0)
    return (
        (y0, x0, (1 - ly) * (1 - lx) * valid),
        (y0, x1, (1 - ly) * lx * valid),
        (y1, x0, ly * (1 - lx) * valid),
        (y1, x1, ly * lx * valid),
    )


def _pool_samples(data, batch, bins, n_bins: int, y, x, weight, channel_bin=None, cells: int = 1):
    """Average bilinear samples into bins: (n_bins, C) where C is data's channels, or, position-
    sensitive (``channel_bin``: each sample's bin cell i * pw + j of ``cells``), C / cells channels
    (R-FCN's layout: output channel c of cell k reads input channel c * cells + k). The pooling is one
    sparse (bins x pixels) matrix of tap weights times the channels-last data, which autograd
    differentiates without materialising a (samples x channels) array."""
    N, C, H, W = data.shape
    work = data if data.dtype in (torch.float32, torch.float64) else data.float()
    if channel_bin is None:
        table = work.permute(0, 2, 3, 1).reshape(N * H * W, C)
        base = batch * H
    else:
        table = work.reshape(N, C // cells, cells, H, W).permute(0, 2, 3, 4, 1).reshape(N * cells * H * W, -1)
        base = (batch * cells + channel_bin) * H
    taps = _bilinear_taps(y, x, H, W)
    cols = torch.cat([(base + yi) * W + xi for yi, xi, _ in taps])
    vals = torch.cat([w * weight for _, _, w in taps]).to(work.dtype)
    rows = bins.repeat(4)
    m = torch.sparse_coo_tensor(
        torch.stack([rows, cols]), vals, (n_bins, table.shape[0]), check_invariants=False
    )
    return torch.sparse.mm(m, table).to(data.dtype)


def _check_ps_channels(op: str, data, pooled_size) -> None:
    ph_n, pw_n = pooled_size
    if data.shape[1] % (ph_n * pw_n):
        raise MXNetError(
            f"{op}: with position_sensitive=True the channels of data {shape_str(data.shape)} must be a "
            f"multiple of pooled_size[0] * pooled_size[1] = {ph_n * pw_n}"
        )


#: Regions are pooled in chunks of about this many gathered values (samples x channels) per tap.
_CHUNK = 1 << 23


def _roi_chunks(data, rois, ph_n: int, pw_n: int, sample_ratio: int, boxes):
    """Pool regions chunk by chunk: ``boxes(rois) -> (rh, rw, to_image)``, where to_image(r, y, x)
    maps box-frame sample points of regions r into image coordinates. Yields (R_chunk, C', ph, pw)."""
    R = rois.shape[0]
    per_roi = ph_n * pw_n * (sample_ratio**2 if sample_ratio > 0 else 16) * data.shape[1]
    step = max(1, _CHUNK // max(per_roi, 1))
    for start in range(0, R, step):
        part = rois[start : start + step]
        rh, rw, to_image = boxes(part)
        bins, r, y, x, weight = _bin_samples(part, ph_n, pw_n, rh, rw, sample_ratio)
        yield bins, r, *to_image(r, y, x), weight, part


def _roi_align(data, rois, pooled_size, spatial_scale, sample_ratio, position_sensitive, aligned):
    _check_rois("ROIAlign", data, rois)
    if position_sensitive:
        _check_ps_channels("ROIAlign", data, pooled_size)
    ph_n, pw_n = pooled_size
    cells = ph_n * pw_n
    c_out = data.shape[1] // cells if position_sensitive else data.shape[1]
    off = 0.5 if aligned else 0.0

    def boxes(part):
        r = part.detach().double()
        x1, y1 = r[:, 1] * spatial_scale - off, r[:, 2] * spatial_scale - off
        rw, rh = r[:, 3] * spatial_scale - off - x1, r[:, 4] * spatial_scale - off - y1
        if not aligned:
            rw, rh = rw.clamp(min=1.0), rh.clamp(min=1.0)
        return rh, rw, lambda k, y, x: (y + y1[k], x + x1[k])

    outs = []
    for bins, r, y, x, weight, part in _roi_chunks(data, rois, ph_n, pw_n, sample_ratio, boxes):
        b = part[:, 0].detach().long()
        # a negative batch index means "skip this region" (zeros); MXNet 1.9.1 writes those rows out of place
        weight = weight * (b[r] >= 0)
        cell = bins % cells if position_sensitive else None
        pooled = _pool_samples(data, b[r].clamp(min=0), bins, len(part) * cells, y, x, weight, cell, cells)
        outs.append(pooled.reshape(len(part), ph_n, pw_n, c_out).permute(0, 3, 1, 2))
    if not outs:
        return data.new_zeros((0, c_out, ph_n, pw_n))
    return torch.cat(outs) if len(outs) > 1 else outs[0].contiguous()


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

    def boxes(part):
        r = part.detach().double()
        cx, cy = r[:, 1] * spatial_scale, r[:, 2] * spatial_scale
        rw, rh = (r[:, 3] * spatial_scale).clamp(min=1.0), (r[:, 4] * spatial_scale).clamp(min=1.0)
        theta = r[:, 5] * (np.pi / 180.0)
        cos, sin = torch.cos(theta), torch.sin(theta)

        def to_image(k, y, x):  # box frame (origin top-left) -> centred -> rotated into the image
            yy, xx = y - rh[k] / 2, x - rw[k] / 2
            return yy * cos[k] - xx * sin[k] + cy[k], yy * sin[k] + xx * cos[k] + cx[k]

        return rh, rw, to_image

    outs = []
    for bins, r, y, x, weight, part in _roi_chunks(data, rois, ph_n, pw_n, sampling_ratio, boxes):
        b = part[:, 0].detach().long().clamp(min=0)
        pooled = _pool_samples(data, b[r], bins, len(part) * ph_n * pw_n, y, x, weight)
        outs.append(pooled.reshape(len(part), ph_n, pw_n, -1).permute(0, 3, 1, 2))
    if not outs:
        return data.new_zeros((0, data.shape[1], ph_n, pw_n))
    return torch.cat(outs) if len(outs) > 1 else outs[0].contiguous()


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
