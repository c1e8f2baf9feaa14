"""Position-sensitive ROI pooling (R-FCN): contrib.PSROIPooling and contrib.DeformablePSROIPooling.

Bin (i, j) of output channel c reads input channel (c * group_size + gi) * group_size + gj, where
(gi, gj) is the bin's cell in a group_size x group_size grid. Both operators work on all regions at
once: PSROIPooling averages whole pixels through an integral image, DeformablePSROIPooling averages
bilinear samples at positions shifted by the learned offsets ``trans``.
"""

from __future__ import annotations

import numpy as np
import torch

from ...base import MXNetError, shape_str
from ..params import Bool, Float, Int, Param
from ..register import OpDef, Sample, register
from ._common import rand


def _check(op: str, data, rois, output_dim: int, group_size: int) -> None:
    if data.dim() != 4 or rois.dim() != 2 or rois.shape[1] != 5:
        raise MXNetError(
            f"{op}: data must be (N, C, H, W) and rois (R, 5) rows of [batch index, x1, y1, x2, y2]; got data "
            f"{shape_str(data.shape)} and rois {shape_str(rois.shape)}"
        )
    if data.shape[1] != output_dim * group_size * group_size:
        raise MXNetError(
            f"{op}: data {shape_str(data.shape)} must have output_dim * group_size^2 = "
            f"{output_dim} * {group_size}^2 = {output_dim * group_size * group_size} channels"
        )


def _c_round(x: torch.Tensor) -> torch.Tensor:
    """C's round(): halves away from zero (torch.round rounds them to even)."""
    return torch.sign(x) * torch.floor(x.abs() + 0.5)


def _channels(output_dim: int, pooled: int, group: int, device) -> torch.Tensor:
    """Input channel of each (output channel, bin row, bin column): (output_dim, pooled, pooled)."""
    cell = (torch.arange(pooled, device=device) * group // pooled).clamp(0, group - 1)
    c = torch.arange(output_dim, device=device)[:, None, None]
    return (c * group + cell[None, :, None]) * group + cell[None, None, :]


def _ps_roi_pooling(data, rois, spatial_scale, output_dim, pooled_size, group_size):
    group = group_size if group_size > 0 else pooled_size
    _check("PSROIPooling", data, rois, output_dim, group)
    N, _, H, W = data.shape
    P = pooled_size
    dt = (
        data.dtype if data.dtype == torch.float64 else torch.float32
    )  # MXNet's arithmetic, bin edges included
    r = rois.detach().to(dt)
    scale = torch.tensor(spatial_scale, dtype=dt)
    batch = r[:, 0].long().clamp(0, N - 1)
    x1, y1 = _c_round(r[:, 1]) * scale, _c_round(r[:, 2]) * scale
    x2, y2 = (_c_round(r[:, 3]) + 1) * scale, (_c_round(r[:, 4]) + 1) * scale
    bin_h = (y2 - y1).clamp(min=0.1) / P
    bin_w = (x2 - x1).clamp(min=0.1) / P
    k = torch.arange(P, dtype=dt, device=r.device)
    hs = torch.floor(k * bin_h[:, None] + y1[:, None]).clamp(0, H).long()  # (R, P)
    he = torch.ceil((k + 1) * bin_h[:, None] + y1[:, None]).clamp(0, H).long()
    ws = torch.floor(k * bin_w[:, None] + x1[:, None]).clamp(0, W).long()
    we = torch.ceil((k + 1) * bin_w[:, None] + x1[:, None]).clamp(0, W).long()
    # integral image with a zero first row and column: the sum over [hs, he) x [ws, we) is 4 look-ups
    integ = torch.nn.functional.pad(data.to(torch.float64).cumsum(2).cumsum(3), (1, 0, 1, 0))
    b = batch[:, None, None, None]
    c = _channels(output_dim, P, group, data.device)[None]
    hs_, he_ = hs[:, None, :, None], he[:, None, :, None]
    ws_, we_ = ws[:, None, None, :], we[:, None, None, :]
    total = integ[b, c, he_, we_] - integ[b, c, hs_, we_] - integ[b, c, he_, ws_] + integ[b, c, hs_, ws_]
    area = ((he_ - hs_).clamp(min=0) * (we_ - ws_).clamp(min=0)).to(torch.float64)
    out = torch.where(area > 0, total / area.clamp(min=1), torch.zeros_like(total))
    return out.to(data.dtype)


_ROIS = np.array(
    [[0, 0, 0, 5, 5], [1, 2, 1, 7, 6], [0, 4.4, 3.6, 6.2, 7.9], [1, -3, 2, 20, 4], [0, 2.5, 1.5, 6.5, 4.5]],
    "float32",
)


register(
    OpDef(
        "_contrib_PSROIPooling",
        impl=_ps_roi_pooling,
        inputs=("data", "rois"),
        no_grad_inputs=("rois",),
        params=(
            Param("spatial_scale", Float(), None, "Image-to-feature-map scale of the ROIs.", required=True),
            Param("output_dim", Int(), None, "Output channels.", required=True),
            Param("pooled_size", Int(), None, "Output height and width per region.", required=True),
            Param("group_size", Int(), 0, "Side of the channel grid (0: pooled_size)."),
        ),
        aliases=("contrib.PSROIPooling", "PSROIPooling"),
        errors=lambda: [
            (
                (rand(1, 8, 6, 6), rand(2, 4)),
                {"spatial_scale": 1.0, "output_dim": 2, "pooled_size": 2},
                r"PSROIPooling: .* got data \(1, 8, 6, 6\) and rois \(2, 4\)",
            )
        ],
        samples=lambda: [
            Sample((rand(2, 18, 8, 8), _ROIS), {"spatial_scale": 1.0, "output_dim": 2, "pooled_size": 3}),
            Sample(
                (rand(2, 8, 9, 7, seed=1), _ROIS),
                {"spatial_scale": 0.6, "output_dim": 2, "pooled_size": 3, "group_size": 2},
            ),
            Sample(
                (rand(2, 9, 6, 6, seed=2), _ROIS),
                {"spatial_scale": 0.5, "output_dim": 1, "pooled_size": 2, "group_size": 3},
            ),
        ],
        doc="R-FCN's position-sensitive ROI pooling: each region [batch, x1, y1, x2, y2] (rounded, then "
        "scaled) is cut into pooled_size x pooled_size bins, and bin (i, j) of output channel c averages "
        "the whole pixels it covers in the input channel of its group cell. Data has output_dim * "
        "group_size^2 channels; the output is (R, output_dim, pooled_size, pooled_size).\n\nExample: "
        "``nd.contrib.PSROIPooling(feat, rois, spatial_scale=1 / 16.0, output_dim=21, pooled_size=7)``",
    )
)


def _deformable_ps_roi_pooling(
    data,
    rois,
    trans,
    spatial_scale,
    output_dim,
    group_size,
    pooled_size,
    part_size,
    sample_per_part,
    trans_std,
    no_trans,
):
    _check("DeformablePSROIPooling", data, rois, output_dim, group_size)
    N, _, H, W = data.shape
    P, S = pooled_size, sample_per_part
    part = part_size if part_size > 0 else P
    dt = data.dtype if data.dtype == torch.float64 else torch.float32
    r = rois.detach().to(dt)
    scale = torch.tensor(spatial_scale, dtype=dt)
    R = r.shape[0]
    batch = r[:, 0].long().clamp(0, N - 1)
    x1 = _c_round(r[:, 1]) * scale - 0.5
    y1 = _c_round(r[:, 2]) * scale - 0.5
    rw = ((_c_round(r[:, 3]) + 1) * scale - 0.5 - x1).clamp(min=0.1)
    rh = ((_c_round(r[:, 4]) + 1) * scale - 0.5 - y1).clamp(min=0.1)
    bin_w, bin_h = rw / P, rh / P
    k = torch.arange(P, device=data.device)
    part_idx = torch.floor(k.to(dt) / P * part).long()
    if no_trans or trans is None:
        tx = ty = torch.zeros((R, output_dim, P, P), dtype=dt, device=data.device)
    else:
        num_classes = trans.shape[1] // 2
        per_class = output_dim // num_classes
        cls = torch.arange(output_dim, device=data.device) // per_class
        tb = torch.arange(R, device=data.device)[:, None, None, None]  # offsets are per region
        ph_, pw_ = part_idx[None, None, :, None], part_idx[None, None, None, :]
        tx = trans[tb, (cls * 2)[None, :, None, None], ph_, pw_].to(dt) * trans_std
        ty = trans[tb, (cls * 2 + 1)[None, :, None, None], ph_, pw_].to(dt) * trans_std
    # bin start, (R, output_dim, P, P), then the S x S sample grid: (R, output_dim, P, P, S, S)
    ws = (
        k.to(dt)[None, None, None, :] * bin_w[:, None, None, None]
        + x1[:, None, None, None]
        + tx * rw[:, None, None, None]
    )
    hs = (
        k.to(dt)[None, None, :, None] * bin_h[:, None, None, None]
        + y1[:, None, None, None]
        + ty * rh[:, None, None, None]
    )
    s = torch.arange(S, device=data.device).to(dt)
    xs = ws[..., None, None] + s[None, :] * (bin_w / S)[:, None, None, None, None, None]
    ys = hs[..., None, None] + s[:, None] * (bin_h / S)[:, None, None, None, None, None]
    inside = (xs >= -0.5) & (xs <= W - 0.5) & (ys >= -0.5) & (ys <= H - 0.5)
    xs, ys = xs.clamp(0, W - 1), ys.clamp(0, H - 1)
    b = batch[:, None, None, None, None, None]
    c = _channels(output_dim, P, group_size, data.device)[None, :, :, :, None, None]

    y0, x0 = torch.floor(ys), torch.floor(xs)  # floor and ceil neighbours, as Deformable ConvNets reads them
    y1, x1 = torch.ceil(ys).long(), torch.ceil(xs).long()
    dy, dx = ys - y0, xs - x0
    y0, x0 = y0.long(), x0.long()
    val = (
        (1 - dx) * (1 - dy) * data[b, c, y0, x0].to(dt)
        + dx * (1 - dy) * data[b, c, y0, x1].to(dt)
        + (1 - dx) * dy * data[b, c, y1, x0].to(dt)
        + dx * dy * data[b, c, y1, x1].to(dt)
    )
    count = inside.sum(dim=(-2, -1))
    total = (val * inside).sum(dim=(-2, -1))
    out = torch.where(count > 0, total / count.clamp(min=1), torch.zeros_like(total))
    return out.to(data.dtype)


def _dpsroi_samples():
    trans = rand(5, 4, 3, 3, seed=3, low=-1, high=1)
    return [
        Sample(
            (rand(2, 18, 8, 8), _ROIS, trans),
            {"spatial_scale": 1.0, "output_dim": 2, "group_size": 3, "pooled_size": 3, "trans_std": 0.1},
        ),
        Sample(
            (rand(2, 8, 9, 7, seed=1), _ROIS, rand(5, 2, 2, 2, seed=4)),
            {
                "spatial_scale": 0.6,
                "output_dim": 2,
                "group_size": 2,
                "pooled_size": 3,
                "part_size": 2,
                "sample_per_part": 2,
                "trans_std": 0.2,
            },
        ),
        Sample(
            (rand(2, 18, 6, 6, seed=2), _ROIS),
            {
                "spatial_scale": 0.5,
                "output_dim": 2,
                "group_size": 3,
                "pooled_size": 2,
                "no_trans": True,
                "sample_per_part": 3,
            },
        ),
    ]


register(
    OpDef(
        "_contrib_DeformablePSROIPooling",
        impl=_deformable_ps_roi_pooling,
        inputs=("data", "rois", "trans"),
        optional_inputs=("trans",),
        no_grad_inputs=("rois",),
        params=(
            Param("spatial_scale", Float(), None, "Image-to-feature-map scale of the ROIs.", required=True),
            Param("output_dim", Int(), None, "Output channels.", required=True),
            Param("group_size", Int(), None, "Side of the channel grid.", required=True),
            Param("pooled_size", Int(), None, "Output height and width per region.", required=True),
            Param("part_size", Int(), 0, "Side of the offset grid in trans (0: pooled_size)."),
            Param("sample_per_part", Int(), 1, "Bilinear samples per bin side."),
            Param("trans_std", Float(), 0.0, "Scale of the offsets, in region widths/heights."),
            Param("no_trans", Bool(), False, "Ignore trans (plain position-sensitive pooling)."),
        ),
        aliases=("contrib.DeformablePSROIPooling", "DeformablePSROIPooling"),
        errors=lambda: [
            (
                (rand(1, 8, 6, 6), rand(2, 4)),
                {"spatial_scale": 1.0, "output_dim": 2, "pooled_size": 2, "group_size": 2, "no_trans": True},
                r"DeformablePSROIPooling: .* got data \(1, 8, 6, 6\) and rois \(2, 4\)",
            )
        ],
        samples=_dpsroi_samples,
        doc="Deformable R-FCN pooling. Each bin of a region (rounded, scaled, shifted by half a pixel) is "
        "moved by trans_std * trans * (region width, height), where trans (R, 2 * classes, part_size, "
        "part_size) holds (x, y) offsets per class and part; the bin averages sample_per_part^2 bilinear "
        "samples (those inside the map) of its position-sensitive channel. Output (R, output_dim, "
        "pooled_size, pooled_size).\n\nExample: ``nd.contrib.DeformablePSROIPooling(feat, rois, offsets, "
        "spatial_scale=0.0625, output_dim=21, group_size=7, pooled_size=7, trans_std=0.1)``",
    )
)
