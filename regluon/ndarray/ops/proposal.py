"""Region proposals of a Faster R-CNN RPN: contrib.Proposal (one image) and contrib.MultiProposal.

For every feature-map cell and anchor shape the box deltas are applied to the anchor, the boxes are
clipped to the image, boxes smaller than rpn_min_size * scale are marked with score -1 (and grown by
half the minimum size on each side, as MXNet does), the best rpn_pre_nms_top_n go through greedy
non-maximum suppression (pixel IoU, widths counted as x2 - x1 + 1), and the first rpn_post_nms_top_n
survivors are returned; when fewer survive they are repeated cyclically to fill the output.
"""

from __future__ import annotations

import math

import numpy as np
import torch

from ...base import MXNetError, shape_str
from ..params import Bool, Float, FloatTuple, Int, Param
from ..register import OpDef, Sample, register
from ._common import float32_only


def _c_round(x: float) -> float:
    return math.floor(x + 0.5)  # positive values only: C's round()


def _base_anchors(stride: int, scales, ratios) -> torch.Tensor:
    """Anchor shapes centred on the first cell, ratios outer and scales inner: (A, 4) corners."""
    c = 0.5 * (stride - 1)
    rows = []
    for r in ratios:
        ws = _c_round(math.sqrt(stride * stride / r))
        hs = _c_round(ws * r)
        for s in scales:
            w, h = ws * s, hs * s
            rows.append([c - 0.5 * (w - 1), c - 0.5 * (h - 1), c + 0.5 * (w - 1), c + 0.5 * (h - 1)])
    return torch.tensor(rows, dtype=torch.float32)


def _check(op: str, cls_prob, bbox_pred, im_info, A: int) -> None:
    N, _, H, W = cls_prob.shape if cls_prob.dim() == 4 else (0, 0, 0, 0)
    ok = (
        cls_prob.dim() == 4
        and cls_prob.shape[1] == 2 * A
        and tuple(bbox_pred.shape) == (N, 4 * A, H, W)
        and tuple(im_info.shape) == (N, 3)
    )
    if not ok:
        raise MXNetError(
            f"{op}: with {A} anchors per cell (len(scales) * len(ratios)) cls_prob must be (N, {2 * A}, H, W), "
            f"bbox_pred (N, {4 * A}, H, W) and im_info (N, 3); got cls_prob {shape_str(cls_prob.shape)}, "
            f"bbox_pred {shape_str(bbox_pred.shape)}, im_info {shape_str(im_info.shape)}"
        )


def _decode(anchors, d, iou_loss: bool):
    if iou_loss:
        return anchors + d
    w = anchors[:, 2] - anchors[:, 0] + 1
    h = anchors[:, 3] - anchors[:, 1] + 1
    cx = anchors[:, 0] + 0.5 * (w - 1)
    cy = anchors[:, 1] + 0.5 * (h - 1)
    pcx, pcy = d[:, 0] * w + cx, d[:, 1] * h + cy
    pw, ph = torch.exp(d[:, 2]) * w, torch.exp(d[:, 3]) * h
    return torch.stack(
        [pcx - 0.5 * (pw - 1), pcy - 0.5 * (ph - 1), pcx + 0.5 * (pw - 1), pcy + 0.5 * (ph - 1)], 1
    )


def _iou(a, b, area_a, area_b):
    """Pixel IoU (sides counted as x2 - x1 + 1) of every box of ``a`` with every box of ``b``."""
    iw = torch.minimum(a[:, None, 2], b[None, :, 2]) - torch.maximum(a[:, None, 0], b[None, :, 0]) + 1
    ih = torch.minimum(a[:, None, 3], b[None, :, 3]) - torch.maximum(a[:, None, 1], b[None, :, 1]) + 1
    inter = iw.clamp(min=0) * ih.clamp(min=0)
    return inter / (area_a[:, None] + area_b[None, :] - inter)


def _nms(boxes, order, threshold: float, limit: int, block: int = 64) -> list[int]:
    """Greedy NMS over ``order`` (indices sorted by score); stops after ``limit`` kept boxes.

    Blocked: the boxes of each block of ``block`` candidates are resolved among themselves (a small
    IoU matrix walked in NumPy), then the block's kept boxes suppress all later candidates at once."""
    b = boxes[order]
    area = (b[:, 2] - b[:, 0] + 1) * (b[:, 3] - b[:, 1] + 1)
    n = len(order)
    alive = torch.ones(n, dtype=torch.bool, device=b.device)
    keep: list[int] = []
    for start in range(0, n, block):
        stop = min(start + block, n)
        idx = torch.nonzero(alive[start:stop]).flatten() + start
        if len(idx) == 0:
            continue
        over = (_iou(b[idx], b[idx], area[idx], area[idx]) > threshold).cpu().numpy()
        gone = np.zeros(len(idx), dtype=bool)
        local = []
        for k in range(len(idx)):
            if not gone[k]:
                local.append(k)
                if len(keep) + len(local) == limit:
                    break
                gone[k + 1 :] |= over[k, k + 1 :]
        kept = idx[local]
        keep.extend(order[kept].tolist())
        if len(keep) >= limit:
            break
        if stop < n:
            alive[stop:] &= ~(_iou(b[kept], b[stop:], area[kept], area[stop:]) > threshold).any(0)
    return keep


def _one_image(n, scores, deltas, info, anchors, p) -> tuple[torch.Tensor, torch.Tensor]:
    A, H, W = anchors.shape[0], scores.shape[1], scores.shape[2]
    stride = p["feature_stride"]
    ys = torch.arange(H, dtype=torch.float32) * stride
    xs = torch.arange(W, dtype=torch.float32) * stride
    gy, gx = torch.meshgrid(ys, xs, indexing="ij")
    shift = torch.stack([gx, gy, gx, gy], -1).to(scores.device)  # (H, W, 4)
    boxes = (shift[:, :, None, :] + anchors[None, None].to(scores.device)).reshape(-1, 4)
    sc = scores[A:].permute(1, 2, 0).reshape(-1).clone()  # foreground scores, (h, w, a) order
    d = deltas.reshape(A, 4, H, W).permute(2, 3, 0, 1).reshape(-1, 4)
    im_h, im_w, im_scale = (float(v) for v in info)
    box = _decode(boxes, d, p["iou_loss"])
    box = torch.stack(
        [
            box[:, 0].clamp(0, im_w - 1),
            box[:, 1].clamp(0, im_h - 1),
            box[:, 2].clamp(0, im_w - 1),
            box[:, 3].clamp(0, im_h - 1),
        ],
        1,
    )
    real_h, real_w = int(im_h / stride), int(im_w / stride)
    cell = torch.arange(H * W, device=sc.device).repeat_interleave(A)
    sc[(cell // W >= real_h) | (cell % W >= real_w)] = -1  # cells beyond the image (padding)
    min_size = p["rpn_min_size"] * im_scale
    small = (box[:, 2] - box[:, 0] + 1 < min_size) | (box[:, 3] - box[:, 1] + 1 < min_size)
    grow = torch.tensor([-1.0, -1.0, 1.0, 1.0], device=box.device) * (min_size / 2)
    box = torch.where(small[:, None], box + grow, box)
    sc[small] = -1
    order = torch.sort(sc, descending=True, stable=True).indices
    if p["rpn_pre_nms_top_n"] > 0:
        order = order[: p["rpn_pre_nms_top_n"]]
    post = p["rpn_post_nms_top_n"]
    keep = torch.tensor(_nms(box, order, p["threshold"], post), device=box.device)
    pick = keep[torch.arange(post, device=box.device) % len(keep)]
    batch = torch.full((post, 1), float(n), device=box.device)
    return torch.cat([batch, box[pick]], 1), sc[pick, None]


def _proposal_impl(op: str, single: bool):
    def impl(cls_prob, bbox_pred, im_info, **p):
        A = len(p["scales"]) * len(p["ratios"])
        _check(op, cls_prob, bbox_pred, im_info, A)
        float32_only(op, cls_prob)
        if single and cls_prob.shape[0] != 1:
            raise MXNetError(
                f"Proposal: cls_prob {shape_str(cls_prob.shape)} holds {cls_prob.shape[0]} images; "
                "Proposal takes one, use MultiProposal for a batch"
            )
        H, W = cls_prob.shape[2], cls_prob.shape[3]
        for info in im_info.tolist():
            if int(info[0] / p["feature_stride"]) > H or int(info[1] / p["feature_stride"]) > W:
                raise MXNetError(
                    f"{op}: image size {info[0]:g} x {info[1]:g} (im_info) over feature_stride="
                    f"{p['feature_stride']} needs a feature map of at least "
                    f"{int(info[0] / p['feature_stride'])} x {int(info[1] / p['feature_stride'])}, "
                    f"got cls_prob {shape_str(cls_prob.shape)}"
                )
        anchors = _base_anchors(p["feature_stride"], p["scales"], p["ratios"])
        with torch.no_grad():
            parts = [
                _one_image(n, cls_prob[n], bbox_pred[n], im_info[n].tolist(), anchors, p)
                for n in range(cls_prob.shape[0])
            ]
        rois = torch.cat([r for r, _ in parts])
        if not p["output_score"]:
            return rois
        return rois, torch.cat([s for _, s in parts])

    return impl


_PARAMS = (
    Param("rpn_pre_nms_top_n", Int(), 6000, "Best-scoring boxes that enter NMS (<= 0: all)."),
    Param("rpn_post_nms_top_n", Int(), 300, "Boxes returned per image."),
    Param("threshold", Float(), 0.7, "NMS IoU threshold: a box overlapping a kept one by more is dropped."),
    Param("rpn_min_size", Int(), 16, "Minimum box side, in image pixels before im_info's scale."),
    Param("scales", FloatTuple(), (4.0, 8.0, 16.0, 32.0), "Anchor sizes in feature_stride units."),
    Param("ratios", FloatTuple(), (0.5, 1.0, 2.0), "Anchor height/width ratios."),
    Param("feature_stride", Int(), 16, "Image pixels per feature-map cell."),
    Param("output_score", Bool(), False, "Also return the scores (R, 1)."),
    Param(
        "iou_loss", Bool(), False, "Deltas are corner offsets (x1, y1, x2, y2) instead of centre/log-size."
    ),
)


def _inputs(n, A, H, W, seed, info):
    rng = np.random.RandomState(seed)
    return (
        rng.rand(n, 2 * A, H, W).astype("float32"),
        (rng.randn(n, 4 * A, H, W) * 0.2).astype("float32"),
        np.array(info, "float32"),
    )


_SMALL = {"scales": (1.0, 2.0, 3.0), "ratios": (1.0,), "feature_stride": 8}


def _samples(batch: int):
    infos = [[80, 90, 1.0], [70, 96, 0.8]][:batch]
    small = [[20, 30, 1.5], [24, 17, 1.0]][:batch]
    return (
        lambda: [
            Sample(
                _inputs(batch, 6, 5, 6, 0, infos),
                {
                    "rpn_pre_nms_top_n": 50,
                    "rpn_post_nms_top_n": 20,
                    "threshold": 0.5,
                    "rpn_min_size": 4,
                    "scales": (2.0, 4.0),
                },
            ),
            Sample(  # fewer survivors than rpn_post_nms_top_n: the kept boxes repeat
                _inputs(batch, 3, 3, 4, 1, small),
                {
                    "rpn_pre_nms_top_n": 20,
                    "rpn_post_nms_top_n": 30,
                    "threshold": 0.3,
                    "rpn_min_size": 8,
                    "output_score": True,
                    **_SMALL,
                },
            ),
            Sample(
                _inputs(batch, 3, 3, 4, 2, small),
                {
                    "rpn_pre_nms_top_n": -1,
                    "rpn_post_nms_top_n": 10,
                    "rpn_min_size": 2,
                    "iou_loss": True,
                    "output_score": True,
                    **_SMALL,
                },
            ),
            Sample(  # default anchors and thresholds, several NMS blocks
                _inputs(batch, 12, 10, 12, 4, [[160, 190, 1.0], [150, 176, 0.6]][:batch]),
                {"rpn_pre_nms_top_n": 400, "rpn_post_nms_top_n": 100, "output_score": True},
            ),
            Sample(  # most boxes under the minimum size (score -1)
                _inputs(batch, 3, 3, 4, 3, small),
                {
                    "rpn_post_nms_top_n": 8,
                    "threshold": 0.5,
                    "rpn_min_size": 20,
                    "output_score": True,
                    **_SMALL,
                },
            ),
        ]
    )


def _errors(op: str):
    return lambda: [
        (
            _inputs(1, 3, 3, 4, 0, [[40, 50, 1.0]]),
            dict(_SMALL),
            rf"{op}: image size 40 x 50 .* needs a feature map of at least 5 x 6",
        ),
        (
            (*_inputs(1, 3, 3, 4, 0, [[20, 30, 1.0]])[:2], np.zeros((1, 2), "float32")),
            dict(_SMALL),
            rf"{op}: with 3 anchors .*im_info \(1, 2\)",
        ),
        (
            (_inputs(1, 3, 3, 4, 0, [[20, 30, 1.0]])[0][:, :4],)
            + _inputs(1, 3, 3, 4, 0, [[20, 30, 1.0]])[1:],
            dict(_SMALL),
            rf"{op}: with 3 anchors .*cls_prob \(1, 4, 3, 4\)",
        ),
    ]


_DOC = (
    "Faster R-CNN region proposals. cls_prob (N, 2A, H, W) holds background then foreground scores for "
    "A = len(scales) * len(ratios) anchors per cell, bbox_pred (N, 4A, H, W) their deltas, im_info (N, 3) "
    "each image's (height, width, scale). Returns rpn_post_nms_top_n rows [batch index, x1, y1, x2, y2] "
    "per image (and their scores with output_score=True); when fewer boxes survive NMS they repeat."
)

register(
    OpDef(
        "_contrib_Proposal",
        impl=_proposal_impl("Proposal", single=True),
        inputs=("cls_prob", "bbox_pred", "im_info"),
        params=_PARAMS,
        aliases=("contrib.Proposal", "Proposal"),
        differentiable=False,
        samples=_samples(1),
        errors=lambda: [
            *_errors("Proposal")(),
            (
                _inputs(2, 3, 3, 4, 0, [[20, 30, 1.0]] * 2),
                dict(_SMALL),
                r"Proposal: cls_prob \(2, 6, 3, 4\) holds 2 images",
            ),
        ],
        doc=_DOC
        + " Proposal takes one image (N = 1).\n\nExample: ``rois = nd.contrib.Proposal(prob, deltas, "
        "im_info, feature_stride=16, scales=(8, 16, 32), ratios=(0.5, 1, 2))``",
    )
)

register(
    OpDef(
        "_contrib_MultiProposal",
        impl=_proposal_impl("MultiProposal", single=False),
        inputs=("cls_prob", "bbox_pred", "im_info"),
        params=_PARAMS,
        aliases=("contrib.MultiProposal", "MultiProposal"),
        differentiable=False,
        samples=_samples(2),
        # (not the too-small feature map: MXNet 1.9.1's MultiProposal aborts the process on it)
        errors=lambda: _errors("MultiProposal")()[1:],
        doc=_DOC + " Rows of all images are concatenated: (N * rpn_post_nms_top_n, 5).\n\nExample: "
        "``rois, scores = nd.contrib.MultiProposal(prob, deltas, im_info, output_score=True)``",
    )
)
