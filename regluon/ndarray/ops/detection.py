"""Box operators from ``nd.contrib``: box_nms, box_encode, box_decode, bipartite_matching."""

from __future__ import annotations

import numpy as np
import torch

from ...base import MXNetError, shape_str
from ..params import Bool, Enum, Float, Int, Param
from ..register import OpDef, Sample, register
from ._common import rand
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


def _box_nms(data, **params):
    coord_start = params["coord_start"]
    if data.shape[-1] < coord_start + 4 or data.dim() < 2:
        raise MXNetError(
            f"box_nms: data {shape_str(data.shape)} needs (..., N, K) rows holding 4 coordinates "
            f"from coord_start={coord_start}"
        )
    flat = data.detach().reshape(-1, data.shape[-2], data.shape[-1])
    return torch.stack([_nms_one(r, **params) for r in flat]).reshape(data.shape)


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
