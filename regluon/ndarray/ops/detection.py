"""Detection operators from ``nd.contrib``: box_nms."""

from __future__ import annotations

import numpy as np
import torch

from ...base import MXNetError, shape_str
from ..params import Bool, Enum, Float, FloatTuple, Int, Param, Shape
from ..register import OpDef, Sample, register
from ._common import float32_only, rand
from .misc import _box_corners


def _iou_matrix(boxes: torch.Tensor) -> torch.Tensor:
    lt = torch.maximum(boxes[:, None, :2], boxes[None, :, :2])
    rb = torch.minimum(boxes[:, None, 2:], boxes[None, :, 2:])
    inter = (rb - lt).clamp(min=0).prod(-1)
    area = (boxes[:, 2:] - boxes[:, :2]).clamp(min=0).prod(-1)
    union = area[:, None] + area[None, :] - inter
    return torch.where(union > 0, inter / union, torch.zeros_like(union))


def _nms_one(
    rows,
    overlap_thresh,
    valid_thresh,
    topk,
    coord_start,
    score_index,
    id_index,
    background_id,
    force_suppress,
    in_format,
    out_format,
):
    scores = rows[:, score_index]
    keep = scores > valid_thresh
    if id_index >= 0 and background_id >= 0:
        keep &= rows[:, id_index] != background_id
    cand = torch.nonzero(keep).flatten()
    order = cand[torch.argsort(scores[cand], descending=True, stable=True)]
    if topk > 0:
        order = order[:topk]
    boxes = _box_corners(rows[order, coord_start : coord_start + 4], in_format)
    iou = _iou_matrix(boxes)
    same_class = torch.ones_like(iou, dtype=torch.bool)
    if id_index >= 0 and not force_suppress:
        ids = rows[order, id_index]
        same_class = ids[:, None] == ids[None, :]
    suppress = (iou > overlap_thresh) & same_class
    alive = torch.ones(len(order), dtype=torch.bool)
    for i in range(len(order)):
        if alive[i]:
            alive[i + 1 :] &= ~suppress[i, i + 1 :]
    kept = order[alive]
    out = torch.full_like(rows, -1.0)
    sel = rows[kept].clone()
    if in_format != out_format:
        b = sel[:, coord_start : coord_start + 4]
        if out_format == "corner":
            sel[:, coord_start : coord_start + 4] = _box_corners(b, "center")
        else:
            x0, y0, x1, y1 = b.unbind(-1)
            sel[:, coord_start : coord_start + 4] = torch.stack(
                [(x0 + x1) / 2, (y0 + y1) / 2, x1 - x0, y1 - y0], -1
            )
    out[: len(kept)] = sel
    return out


def _box_nms(
    data,
    overlap_thresh,
    valid_thresh,
    topk,
    coord_start,
    score_index,
    id_index,
    background_id,
    force_suppress,
    in_format,
    out_format,
):
    if data.shape[-1] < coord_start + 4 or data.dim() < 2:
        raise MXNetError(
            f"box_nms: data {shape_str(data.shape)} needs (..., N, K) rows holding 4 coordinates "
            f"from coord_start={coord_start}"
        )
    flat = data.detach().reshape(-1, data.shape[-2], data.shape[-1])
    outs = [
        _nms_one(
            r,
            overlap_thresh,
            valid_thresh,
            topk,
            coord_start,
            score_index,
            id_index,
            background_id,
            force_suppress,
            in_format,
            out_format,
        )
        for r in flat
    ]
    return torch.stack(outs).reshape(data.shape)


_BOXES = np.array(
    [
        [0, 0.9, 0, 0, 2, 2],
        [1, 0.8, 0.1, 0.1, 2, 2],
        [0, 0.7, 0.1, 0.1, 2.1, 2.1],
        [0, 0.1, 5, 5, 6, 6],
        [1, 0.95, 5, 5, 6, 6],
    ],
    "float32",
)

register(
    OpDef(
        "_contrib_box_nms",
        impl=_box_nms,
        params=(
            Param(
                "overlap_thresh", Float(), 0.5, "Suppress boxes overlapping a kept one by more than this IoU."
            ),
            Param("valid_thresh", Float(), 0.0, "Drop boxes scoring at or below this."),
            Param("topk", Int(), -1, "Keep only the best k candidates before suppression (-1: all)."),
            Param("coord_start", Int(), 2, "Column of the first coordinate."),
            Param("score_index", Int(), 1, "Column of the score."),
            Param("id_index", Int(), -1, "Column of the class id (-1: no classes)."),
            Param("background_id", Int(), -1, "Class id to drop (-1: none)."),
            Param("force_suppress", Bool(), False, "Suppress across classes too."),
            Param("in_format", Enum("corner", "center"), "corner"),
            Param("out_format", Enum("corner", "center"), "corner"),
        ),
        aliases=(
            "contrib.box_nms",
            "_contrib_box_non_maximum_suppression",
            "contrib.box_non_maximum_suppression",
        ),
        differentiable=False,
        samples=lambda: [
            Sample((_BOXES[None],), {"id_index": 0}),
            Sample((_BOXES[None],), {"valid_thresh": 0.2, "topk": 3}),
            Sample((_BOXES,), {"id_index": 0, "force_suppress": True}),
            Sample(
                (np.stack([_BOXES, _BOXES[::-1]]),),
                {"overlap_thresh": 0.3, "id_index": 0, "background_id": 1},
            ),
            Sample((_BOXES[None],), {"in_format": "center", "out_format": "corner"}),
        ],
        doc="Non-maximum suppression: per batch, boxes sorted by score, greedily dropping those that overlap a "
        "kept box of the same class; kept rows come first, the rest are filled with -1.",
    )
)


def _multibox_prior(data, sizes, ratios, clip, steps, offsets):
    float32_only("MultiBoxPrior", data)
    h, w = data.shape[2], data.shape[3]
    step_y = steps[0] if steps[0] > 0 else 1.0 / h
    step_x = steps[1] if steps[1] > 0 else 1.0 / w
    cy = (torch.arange(h, dtype=torch.float64) + offsets[0]) * step_y
    cx = (torch.arange(w, dtype=torch.float64) + offsets[1]) * step_x
    shapes = [(s, ratios[0]) for s in sizes] + [(sizes[0], r) for r in ratios[1:]]
    half = torch.tensor(
        [[s * h / w * np.sqrt(r) / 2, s / np.sqrt(r) / 2] for s, r in shapes], dtype=torch.float64
    )
    cyy, cxx = torch.meshgrid(cy, cx, indexing="ij")
    centers = torch.stack([cxx, cyy], -1).reshape(-1, 1, 2)  # (H*W, 1, 2)
    boxes = torch.cat([centers - half[None], centers + half[None]], -1).reshape(1, -1, 4)
    if clip:
        boxes = boxes.clamp(0, 1)
    return boxes.to(device=data.device, dtype=data.dtype)


def _float_tuple(name, default, doc):
    return Param(name, FloatTuple(), default, doc)


register(
    OpDef(
        "_contrib_MultiBoxPrior",
        impl=_multibox_prior,
        params=(
            _float_tuple("sizes", (1.0,), "Anchor sizes, as fractions of the image."),
            _float_tuple("ratios", (1.0,), "Width/height ratios."),
            Param("clip", Bool(), False, "Clip anchors to [0, 1]."),
            _float_tuple("steps", (-1.0, -1.0), "Distance between anchor centers (y, x); -1: 1/size."),
            _float_tuple("offsets", (0.5, 0.5), "Center offset within a cell (y, x)."),
        ),
        aliases=("contrib.MultiBoxPrior", "MultiBoxPrior"),
        differentiable=False,
        samples=lambda: [
            Sample((np.zeros((1, 3, 2, 3), "float32"),), {"sizes": (0.75, 0.5, 0.25), "ratios": (1, 2, 0.5)}),
            Sample(
                (np.zeros((1, 2, 3, 3), "float32"),),
                {"sizes": (0.2,), "clip": True, "steps": (0.3, 0.25), "offsets": (0.4, 0.6)},
            ),
        ],
        doc="Anchor boxes for every position of a (N, C, H, W) feature map: the sizes with the first ratio, "
        "then the first size with the other ratios; corners as fractions of the image, shape (1, H*W*A, 4).",
    )
)


def _c_round(x: float) -> int:
    """C's round(): halves away from zero."""
    return int(np.floor(x + 0.5)) if x >= 0 else -int(np.floor(-x + 0.5))


def _roi_pooling(data, rois, pooled_size, spatial_scale):
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


def _corner(f, yi, xi, wy, wx):
    """One of the four bilinear corners: features at (yi, xi) weighted by the outer product wy x wx."""
    return f[:, yi][:, :, xi] * (wy[:, None] * wx[None, :]).to(f.dtype)


def _roi_align(data, rois, pooled_size, spatial_scale, sample_ratio, position_sensitive, aligned):
    if position_sensitive:
        raise MXNetError("ROIAlign: position_sensitive=True is not supported yet")
    ph_n, pw_n = pooled_size
    H, W = data.shape[2], data.shape[3]
    off = 0.5 if aligned else 0.0
    outs = []
    for roi in rois.detach().cpu().tolist():
        b = int(roi[0])
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
        yl, yh, wyl, wyh = _bilinear_axis(ys, H)
        xl, xh, wxl, wxh = _bilinear_axis(xs, W)
        f = data[b]
        val = sum(
            _corner(f, yi, xi, wy, wx)
            for yi, wy in ((yl, wyl), (yh, wyh))
            for xi, wx in ((xl, wxl), (xh, wxh))
        )
        outs.append(val.reshape(data.shape[1], ph_n, gh, pw_n, gw).mean(dim=(2, 4)))
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
            Param("position_sensitive", Bool(), False, "Not supported yet."),
            Param("aligned", Bool(), False, "Shift coordinates by half a pixel (Detectron2's aligned mode)."),
        ),
        aliases=("contrib.ROIAlign", "ROIAlign"),
        samples=lambda: [
            Sample((rand(2, 3, 8, 8), _ROIS), {"pooled_size": (2, 2), "spatial_scale": 1.0}),
            Sample(
                (rand(2, 2, 6, 5), _ROIS), {"pooled_size": (3, 2), "spatial_scale": 0.5, "sample_ratio": 2}
            ),
            Sample((rand(2, 2, 8, 8), _ROIS), {"pooled_size": (2, 3), "spatial_scale": 1.0, "aligned": True}),
        ],
        doc="Average of bilinear samples in each bin of each region [batch, x1, y1, x2, y2]: output "
        "(R, C, ph, pw). No rounding of the coordinates, unlike ROIPooling.",
    )
)


def _center(b):
    w, h = b[..., 2] - b[..., 0], b[..., 3] - b[..., 1]
    return b[..., 0] + w / 2, b[..., 1] + h / 2, w, h


def _box_encode(samples, matches, anchors, refs, means, stds):
    idx = matches.to(torch.long).clamp(min=0)
    matched = torch.gather(refs, 1, idx.unsqueeze(-1).expand(idx.shape + (4,)))
    ax, ay, aw, ah = _center(anchors)
    gx, gy, gw, gh = _center(matched)
    t = torch.stack([(gx - ax) / aw, (gy - ay) / ah, torch.log(gw / aw), torch.log(gh / ah)], -1)
    t = (t - means) / stds
    pos = (samples > 0.5).unsqueeze(-1).to(t.dtype)
    return t * pos, pos.expand_as(t).clone()


def _box_encode_samples():
    anchors = np.array([[[0, 0, 2, 2], [1, 1, 3, 4], [2, 0, 4, 2]]], "float32")
    refs = np.array([[[0.2, 0.1, 2.1, 2.4], [1.5, 1.0, 3.5, 3.0]]], "float32")
    return [
        Sample(
            (
                np.array([[1, -1, 1]], "float32"),
                np.array([[0, 1, 1]], "float32"),
                anchors,
                refs,
                np.array([0, 0, 0, 0], "float32"),
                np.array([0.1, 0.1, 0.2, 0.2], "float32"),
            ),
            grad=False,
        )
    ]


register(
    OpDef(
        "_contrib_box_encode",
        impl=_box_encode,
        inputs=("samples", "matches", "anchors", "refs", "means", "stds"),
        aliases=("contrib.box_encode",),
        differentiable=False,
        samples=_box_encode_samples,
        doc="Regression targets of matched boxes relative to their anchors (center offsets scaled by the "
        "anchor size, log size ratios), normalised by means/stds; returns (targets, masks) for positives.",
    )
)


class _ZeroGrad(torch.autograd.Function):
    """Passes a value through but sends zero gradient back, as MXNet 1.9.1's box_decode does."""

    @staticmethod
    def forward(ctx, data, value):
        return value

    @staticmethod
    def backward(ctx, grad):
        return torch.zeros_like(grad[..., :1].expand(grad.shape[:-1] + (4,))), None


def _box_decode(data, anchors, std0, std1, std2, std3, clip, format):
    with torch.no_grad():
        out = _decode(data, anchors, std0, std1, std2, std3, clip, format)
    return _ZeroGrad.apply(data, out) if data.requires_grad else out


def _decode(data, anchors, std0, std1, std2, std3, clip, format):
    a = anchors if format == "center" else None
    if format == "corner":
        ax, ay, aw, ah = _center(anchors)
    else:
        ax, ay, aw, ah = a[..., 0], a[..., 1], a[..., 2], a[..., 3]
    dw, dh = data[..., 2] * std2, data[..., 3] * std3
    if clip > 0:
        dw, dh = dw.clamp(max=clip), dh.clamp(max=clip)
    x, y = data[..., 0] * std0 * aw + ax, data[..., 1] * std1 * ah + ay
    w, h = torch.exp(dw) * aw / 2, torch.exp(dh) * ah / 2
    return torch.stack([x - w, y - h, x + w, y + h], -1)


register(
    OpDef(
        "_contrib_box_decode",
        impl=_box_decode,
        inputs=("data", "anchors"),
        no_grad_inputs=("anchors",),
        params=(
            Param("std0", Float(), 1.0),
            Param("std1", Float(), 1.0),
            Param("std2", Float(), 1.0),
            Param("std3", Float(), 1.0),
            Param("clip", Float(), -1.0, "Upper bound of the log size deltas."),
            Param("format", Enum("corner", "center"), "center", "Format of the anchors."),
        ),
        aliases=("contrib.box_decode",),
        samples=lambda: [
            Sample(
                (
                    rand(1, 3, 4, low=-0.5, high=0.5),
                    np.array([[[1, 1, 2, 2], [2, 3, 1, 2], [0, 0, 1, 1]]], "float32"),
                )
            ),
            Sample(
                (
                    rand(1, 3, 4, low=-1, high=2),
                    np.array([[[0, 0, 2, 2], [1, 1, 3, 4], [2, 0, 4, 2]]], "float32"),
                ),
                {"format": "corner", "std0": 0.1, "std1": 0.1, "std2": 0.2, "std3": 0.2, "clip": 1.0},
            ),
        ],
        doc="Boxes (corners) from regression deltas relative to anchors: the inverse of box_encode. As in "
        "MXNet 1.9.1, no gradient flows back through it (the data gradient is zero).",
    )
)


def _match_one(scores, is_ascend, threshold, topk):
    n, m = scores.shape
    flat = scores.reshape(-1)
    order = torch.argsort(flat, descending=not is_ascend, stable=True).tolist()
    values = flat.tolist()
    rows, cols = [-1] * n, [-1] * m
    count = 0
    for k in order:
        v = values[k]
        if (v > threshold) if is_ascend else (v < threshold):
            break
        r, c = divmod(k, m)
        if rows[r] < 0 and cols[c] < 0:
            rows[r], cols[c] = c, r
            count += 1
            if 0 < topk <= count:
                break
    return rows, cols


def _bipartite_matching(data, is_ascend, threshold, topk):
    if data.dim() < 2:
        raise MXNetError(f"bipartite_matching: data must be (..., N, M), got {shape_str(data.shape)}")
    flat = data.detach().reshape(-1, data.shape[-2], data.shape[-1]).cpu()
    pairs = [_match_one(s, is_ascend, threshold, topk) for s in flat]
    rows = torch.tensor([p[0] for p in pairs], dtype=data.dtype).reshape(data.shape[:-1])
    cols = torch.tensor([p[1] for p in pairs], dtype=data.dtype).reshape(data.shape[:-2] + data.shape[-1:])
    return rows.to(data.device), cols.to(data.device)


register(
    OpDef(
        "_contrib_bipartite_matching",
        impl=_bipartite_matching,
        params=(
            Param("is_ascend", Bool(), False, "Match the smallest scores first."),
            Param("threshold", Float(), None, "Stop at scores worse than this.", required=True),
            Param("topk", Int(), -1, "At most this many matches (-1: no limit)."),
        ),
        aliases=("contrib.bipartite_matching",),
        differentiable=False,
        samples=lambda: [
            Sample((np.array([[0.5, 0.6], [0.1, 0.2], [0.3, 0.4]], "float32"),), {"threshold": 1e-12}),
            Sample(
                (np.array([[0.5, 0.6], [0.1, 0.2], [0.3, 0.4]], "float32"),), {"threshold": 0.35, "topk": 1}
            ),
            Sample(
                (np.array([[0.5, 0.6], [0.1, 0.2], [0.3, 0.4]], "float32"),),
                {"threshold": 0.45, "is_ascend": True},
            ),
            Sample((rand(2, 4, 3, low=0, high=1),), {"threshold": 0.1}),
        ],
        doc="Greedy bipartite matching on a score matrix: returns, per row, the matched column (-1 if none) "
        "and, per column, the matched row.",
    )
)


_SSD_ANCHORS = np.array(
    [[[0.1, 0.08, 0.52, 0.92], [0.08, 0.2, 0.56, 0.95], [0.15, 0.3, 0.62, 0.91], [0.55, 0.2, 0.9, 0.88]]],
    "float32",
)


def _softmax_rows(c, n, seed):
    e = np.exp(np.random.RandomState(seed).randn(c, n))
    return (e / e.sum(0, keepdims=True)).astype("float32")


def _multibox_detection(
    cls_prob,
    loc_pred,
    anchor,
    clip,
    threshold,
    background_id,
    nms_threshold,
    force_suppress,
    variances,
    nms_topk,
):
    float32_only("MultiBoxDetection", cls_prob)
    B, C, N = cls_prob.shape
    if background_id != 0:
        raise MXNetError("MultiBoxDetection: only background_id=0 is supported")
    anchors = anchor.reshape(-1, 4)
    deltas = loc_pred.reshape(B, N, 4)
    boxes = _decode(
        deltas, anchors[None], variances[0], variances[1], variances[2], variances[3], -1.0, "corner"
    )
    if clip:
        boxes = boxes.clamp(0, 1)
    scores, ids = cls_prob[:, 1:, :].max(dim=1)  # best foreground class per anchor
    out = torch.full((B, N, 6), -1.0, dtype=cls_prob.dtype, device=cls_prob.device)
    for b in range(B):
        valid = torch.nonzero(scores[b] >= threshold).flatten()
        order = valid[torch.argsort(scores[b, valid], descending=True, stable=True)]
        rows = torch.cat([ids[b, order, None].to(out.dtype), scores[b, order, None], boxes[b, order]], 1)
        keep = torch.ones(len(order), dtype=torch.bool)
        if nms_topk > 0:
            keep[nms_topk:] = False
        iou = _iou_matrix(rows[:, 2:6])
        same = (
            torch.ones_like(iou, dtype=torch.bool) if force_suppress else rows[:, None, 0] == rows[None, :, 0]
        )
        for i in range(len(order)):
            if keep[i]:
                keep[i + 1 :] &= ~((iou[i, i + 1 :] > nms_threshold) & same[i, i + 1 :])
        rows[~keep, 0] = -1
        out[b, : len(order)] = rows
    return out


register(
    OpDef(
        "_contrib_MultiBoxDetection",
        impl=_multibox_detection,
        inputs=("cls_prob", "loc_pred", "anchor"),
        params=(
            Param("clip", Bool(), True, "Clip boxes to [0, 1]."),
            Param("threshold", Float(), 0.01, "Minimum class probability to keep a detection."),
            Param("background_id", Int(), 0, "The background class (only 0 is supported)."),
            Param("nms_threshold", Float(), 0.5, "IoU above which a lower-scoring box is suppressed."),
            Param("force_suppress", Bool(), False, "Suppress across classes too."),
            _float_tuple("variances", (0.1, 0.1, 0.2, 0.2), "Scales of the location offsets."),
            Param("nms_topk", Int(), -1, "Only the best k detections take part (-1: all)."),
        ),
        aliases=("contrib.MultiBoxDetection", "MultiBoxDetection"),
        differentiable=False,
        samples=lambda: [
            Sample(
                (
                    np.array([[0.0, 0.0, 0.0, 0.0], [0.9, 0.8, 0.7, 0.1], [0.1, 0.2, 0.3, 0.9]], "float32")[
                        None
                    ],
                    np.array([0.1, 0.0, 0.0, 0.0] * 4, "float32")[None],
                    _SSD_ANCHORS,
                ),
                {},
            ),
            Sample(
                (
                    np.array([[0.9, 0.0, 0.0, 0.0], [0.05, 0.8, 0.7, 0.1], [0.05, 0.2, 0.3, 0.9]], "float32")[
                        None
                    ],
                    rand(1, 16, low=-0.5, high=0.5),
                    _SSD_ANCHORS,
                ),
                {"threshold": 0.1, "force_suppress": True},
            ),
            Sample(
                (
                    np.stack([_softmax_rows(3, 4, 1), _softmax_rows(3, 4, 2)]),
                    rand(2, 16, low=-1, high=1, seed=5),
                    _SSD_ANCHORS,
                ),
                {"nms_threshold": 0.3, "clip": False, "threshold": 0.2},
            ),
        ],
        doc="SSD detections: per anchor the best foreground class and its probability, boxes decoded from "
        "the offsets, sorted by score with non-maximum suppression (suppressed rows get class -1; anchors under "
        "the threshold become rows of -1 at the end). Output (B, N, 6): class, score, x1, y1, x2, y2.",
    )
)


def _multibox_target(
    anchor,
    label,
    cls_pred,
    overlap_threshold,
    ignore_label,
    negative_mining_ratio,
    negative_mining_thresh,
    minimum_negative_samples,
    variances,
):
    float32_only("MultiBoxTarget", anchor)
    if negative_mining_ratio > 0:
        raise MXNetError("MultiBoxTarget: negative mining (negative_mining_ratio > 0) is not supported yet")
    anchors = anchor.reshape(-1, 4)
    n = anchors.shape[0]
    B = label.shape[0]
    loc_t = torch.zeros((B, n, 4), dtype=anchor.dtype, device=anchor.device)
    loc_m = torch.zeros_like(loc_t)
    cls_t = torch.zeros((B, n), dtype=anchor.dtype, device=anchor.device)
    ax, ay, aw, ah = _center(anchors)
    for b in range(B):
        gts = label[b]
        gts = gts[gts[:, 0] != ignore_label]
        if len(gts) == 0:
            continue
        lt = torch.maximum(anchors[:, None, :2], gts[None, :, 1:3])
        rb = torch.minimum(anchors[:, None, 2:], gts[None, :, 3:5])
        inter = (rb - lt).clamp(min=0).prod(-1)
        area_a = (anchors[:, 2:] - anchors[:, :2]).prod(-1)
        area_g = (gts[:, 3:5] - gts[:, 1:3]).prod(-1)
        iou = inter / (area_a[:, None] + area_g[None, :] - inter)
        match = torch.full((n,), -1, dtype=torch.long)
        work = iou.clone()
        for _ in range(len(gts)):  # each ground truth takes its best anchor, best pairs first
            k = int(torch.argmax(work))
            i, j = divmod(k, len(gts))
            if work[i, j] <= 1e-12:
                break
            match[i] = j
            work[i, :] = -1
            work[:, j] = -1
        best, arg = iou.max(dim=1)
        extra = (match < 0) & (best > overlap_threshold)
        match[extra] = arg[extra]
        pos = match >= 0
        g = gts[match[pos]]
        gx, gy, gw, gh = _center(g[:, 1:5])
        t = torch.stack(
            [
                (gx - ax[pos]) / aw[pos] / variances[0],
                (gy - ay[pos]) / ah[pos] / variances[1],
                torch.log(gw / aw[pos]) / variances[2],
                torch.log(gh / ah[pos]) / variances[3],
            ],
            -1,
        )
        loc_t[b, pos] = t
        loc_m[b, pos] = 1
        cls_t[b, pos] = g[:, 0] + 1
    return loc_t.reshape(B, -1), loc_m.reshape(B, -1), cls_t


register(
    OpDef(
        "_contrib_MultiBoxTarget",
        impl=_multibox_target,
        inputs=("anchor", "label", "cls_pred"),
        params=(
            Param("overlap_threshold", Float(), 0.5, "IoU above which an anchor matches a ground truth."),
            Param("ignore_label", Float(), -1.0, "Label rows with this class are padding."),
            Param("negative_mining_ratio", Float(), -1.0, "Hard negative mining (not supported yet)."),
            Param("negative_mining_thresh", Float(), 0.5),
            Param("minimum_negative_samples", Int(), 0),
            _float_tuple("variances", (0.1, 0.1, 0.2, 0.2), "Scales of the location targets."),
        ),
        aliases=("contrib.MultiBoxTarget", "MultiBoxTarget"),
        differentiable=False,
        samples=lambda: [
            Sample(
                (
                    _SSD_ANCHORS,
                    np.array([[[0, 0.1, 0.08, 0.52, 0.92], [1, 0.55, 0.2, 0.9, 0.88]]], "float32"),
                    np.zeros((1, 3, 4), "float32"),
                ),
                {},
            ),
            Sample(
                (
                    _SSD_ANCHORS,
                    np.array(
                        [
                            [[1, 0.12, 0.25, 0.6, 0.9], [-1, -1, -1, -1, -1]],
                            [[0, 0.5, 0.1, 0.95, 0.9], [2, 0.1, 0.1, 0.5, 0.9]],
                        ],
                        "float32",
                    ),
                    np.zeros((2, 4, 4), "float32"),
                ),
                {"overlap_threshold": 0.4},
            ),
        ],
        doc="SSD training targets: each ground truth takes its best anchor, other anchors match a ground truth "
        "above overlap_threshold; returns location targets, their mask, and class targets (class + 1, 0 for "
        "background).",
    )
)
