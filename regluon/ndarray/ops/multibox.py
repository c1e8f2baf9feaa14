"""SSD anchors and targets: contrib.MultiBoxPrior, MultiBoxDetection, MultiBoxTarget."""

from __future__ import annotations

import numpy as np
import torch

from ...base import MXNetError, shape_str
from ..params import Bool, Float, FloatTuple, Int, Param
from ..register import OpDef, Sample, register
from ._common import float32_only, rand
from .detection import _center, _decode, _iou_matrix


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
    # background_id is accepted but not read: MXNet 1.9.1's kernel always takes row 0 as background
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
            Param(
                "background_id",
                Int(),
                0,
                "Accepted and ignored, as in MXNet 1.9.1: row 0 of cls_prob is always the background.",
            ),
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
            Sample(  # MXNet 1.9.1 ignores background_id: row 0 stays the background
                (
                    np.array([[0.5, 0.1, 0.0, 0.3], [0.3, 0.8, 0.7, 0.1], [0.2, 0.1, 0.3, 0.6]], "float32")[
                        None
                    ],
                    np.zeros((1, 16), "float32"),
                    _SSD_ANCHORS,
                ),
                {"background_id": 1, "threshold": 0.05},
            ),
        ],
        doc="SSD detections: per anchor the best foreground class and its probability, boxes decoded from "
        "the offsets, sorted by score with non-maximum suppression (suppressed rows get class -1; anchors under "
        "the threshold become rows of -1 at the end). Output (B, N, 6): class, score, x1, y1, x2, y2.",
    )
)


def _gt_rows(op: str, rows: torch.Tensor) -> torch.Tensor:
    """The ground truths of one image: the rows before the first padding row (class -1), which MXNet
    requires to be all -1; rows after it are not read."""
    pad = torch.nonzero(rows[:, 0] == -1).flatten()
    if len(pad) == 0:
        return rows
    first = int(pad[0])
    coords = rows[first, 1:5]
    if bool((coords != -1).any()):
        raise MXNetError(
            f"{op}: label row {first} has class -1 (padding) but coordinates "
            f"{[round(float(c), 6) for c in coords]}; padding rows must be all -1"
        )
    return rows[:first]


def _match_anchors(anchors: torch.Tensor, gts: torch.Tensor, overlap_threshold: float):
    """Match anchors to ground truths: each ground truth first takes its best anchor (best pairs first,
    IoU above 1e-6), then every other anchor whose best IoU exceeds overlap_threshold. Returns the
    matched ground-truth index per anchor (-1: none) and each anchor's best IoU."""
    lt = torch.maximum(anchors[:, None, :2], gts[None, :, 1:3])
    rb = torch.minimum(anchors[:, None, 2:], gts[None, :, 3:5])
    inter = (rb - lt).clamp(min=0).prod(-1)
    area_a = (anchors[:, 2:] - anchors[:, :2]).prod(-1)
    area_g = (gts[:, 3:5] - gts[:, 1:3]).prod(-1)
    iou = inter / (area_a[:, None] + area_g[None, :] - inter)
    match = torch.full((anchors.shape[0],), -1, dtype=torch.long)
    work = iou.clone()
    for _ in range(len(gts)):
        k = int(torch.argmax(work))
        i, j = divmod(k, len(gts))
        if work[i, j] <= 1e-6:
            break
        match[i] = j
        work[i, :] = -1
        work[:, j] = -1
    best, arg = iou.max(dim=1)
    extra = (match < 0) & (best > overlap_threshold)
    match[extra] = arg[extra]
    return match, best


def _mine_negatives(cls_pred, pos, best, ratio, thresh) -> torch.Tensor:
    """Hard negatives of one image: among unmatched anchors whose best IoU is under thresh, the
    floor(ratio * positives) (at most the number of unmatched anchors) with the lowest background
    probability (softmax over classes), ties in anchor order."""
    num_pos = int(pos.sum())
    num_neg = min(int(np.float32(ratio) * np.float32(num_pos)), len(pos) - num_pos)
    cand = torch.nonzero(~pos & (best < thresh)).flatten()
    if len(cand) < num_neg:
        raise MXNetError(
            f"MultiBoxTarget: hard negative mining needs {num_neg} negatives "
            f"(negative_mining_ratio={ratio} x {num_pos} positives) but only {len(cand)} anchors have "
            f"an IoU below negative_mining_thresh={thresh}"
        )
    p_bg = torch.softmax(cls_pred.float(), dim=0)[0, cand]
    return cand[torch.argsort(p_bg, stable=True)[:num_neg]]


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
    _check_target_shapes(anchor, label, cls_pred)
    anchors = anchor.reshape(-1, 4)
    n = anchors.shape[0]
    B = label.shape[0]
    mining = negative_mining_ratio > 0
    if mining and not negative_mining_thresh > 0:
        raise MXNetError(
            f"MultiBoxTarget: negative_mining_thresh must be > 0 when negative_mining_ratio > 0, "
            f"got {negative_mining_thresh}"
        )
    loc_t = torch.zeros((B, n, 4), dtype=anchor.dtype, device=anchor.device)
    loc_m = torch.zeros_like(loc_t)
    cls_t = torch.zeros((B, n), dtype=anchor.dtype, device=anchor.device)
    ax, ay, aw, ah = _center(anchors)
    for b in range(B):
        gts = _gt_rows("MultiBoxTarget", label[b])
        if len(gts) == 0:
            cls_t[b] = ignore_label
            continue
        match, best = _match_anchors(anchors, gts, overlap_threshold)
        pos = match >= 0
        if mining:
            cls_t[b] = ignore_label
            neg = _mine_negatives(cls_pred[b], pos, best, negative_mining_ratio, negative_mining_thresh)
            cls_t[b, neg] = 0
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


def _check_target_shapes(anchor, label, cls_pred) -> None:
    a, lab, c = tuple(anchor.shape), tuple(label.shape), tuple(cls_pred.shape)
    problem = ""
    if len(a) != 3 or a[0] != 1 or a[2] != 4:
        problem = "anchor must be (1, N, 4): anchors are shared by the batch, corners x1, y1, x2, y2"
    elif len(lab) != 3 or lab[2] < 5:
        problem = "label must be (batch, num_labels, 5 or more): class, x1, y1, x2, y2"
    elif len(c) != 3 or c[2] != a[1]:
        problem = "cls_pred must be (batch, num_classes + 1, N) with N the number of anchors"
    if problem:
        raise MXNetError(
            f"MultiBoxTarget: {problem}; got anchor {shape_str(a)}, label {shape_str(lab)}, "
            f"cls_pred {shape_str(c)}"
        )


def _grid_anchors(h: int, w: int, sizes, ratios) -> np.ndarray:
    """Anchors laid out as MultiBoxPrior lays them out (the d2l SSD chapter's inputs), in NumPy."""
    shapes = [(s, ratios[0]) for s in sizes] + [(sizes[0], r) for r in ratios[1:]]
    out = []
    for i in range(h):
        for j in range(w):
            cy, cx = (i + 0.5) / h, (j + 0.5) / w
            for s, r in shapes:
                hw, hh = s * h / w * np.sqrt(r) / 2, s / np.sqrt(r) / 2
                out.append([cx - hw, cy - hh, cx + hw, cy + hh])
    return np.array([out], "float32")


def _target_samples():
    d2l_anchors = _grid_anchors(4, 4, (0.3, 0.4), (1, 2, 0.5))  # (1, 64, 4)
    d2l_labels = np.array([[[0, 0.1, 0.2, 0.4, 0.5]], [[0, 0.55, 0.4, 0.85, 0.75]]], "float32")
    d2l_cls = rand(2, 2, 64, seed=11)  # cls_preds.transpose((0, 2, 1)) in the book: (batch, classes + 1, N)
    many = np.array(  # two ground truths, a padded row; an image without any; four classes
        [
            [[2, 0.05, 0.1, 0.4, 0.45], [0, 0.5, 0.5, 0.95, 0.9], [-1, -1, -1, -1, -1]],
            [[-1, -1, -1, -1, -1], [-1, -1, -1, -1, -1], [-1, -1, -1, -1, -1]],
            [[1, 0.3, 0.3, 0.7, 0.7], [-1, -1, -1, -1, -1], [-1, -1, -1, -1, -1]],
        ],
        "float32",
    )
    many_cls = rand(3, 4, 64, seed=12)
    return [
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
        Sample((d2l_anchors, d2l_labels, d2l_cls), {}),  # the book's call
        Sample((d2l_anchors, d2l_labels, d2l_cls), {"negative_mining_ratio": 3.0}),
        Sample(
            (d2l_anchors, many, many_cls),
            {
                "negative_mining_ratio": 0.7,
                "negative_mining_thresh": 0.3,
                "minimum_negative_samples": 5,
                "overlap_threshold": 0.3,
                "ignore_label": -2,
            },
        ),
        Sample((d2l_anchors, many, np.zeros((3, 4, 64), "float32")), {"negative_mining_ratio": 2.5}),
    ]


def _target_errors():
    a, c = _SSD_ANCHORS, np.zeros((1, 3, 4), "float32")
    label = np.array([[[0, 0.1, 0.08, 0.52, 0.92]]], "float32")
    return [
        ((a[0], label, c), {}, r"MultiBoxTarget: anchor must be \(1, N, 4\).*anchor \(4, 4\)"),
        ((a, label[:, :, :4], c), {}, r"MultiBoxTarget: label must be .*label \(1, 1, 4\)"),
        ((a, label, c[:, :, :3]), {}, r"MultiBoxTarget: cls_pred must be .*cls_pred \(1, 3, 3\)"),
        (
            (a, np.array([[[-1, 0.1, -1, -1, -1]]], "float32"), c),
            {},
            r"MultiBoxTarget: label row 0 has class -1 \(padding\)",
        ),
        (
            (a, label, c),
            {"negative_mining_ratio": 3.0, "negative_mining_thresh": 0.0},
            r"MultiBoxTarget: negative_mining_thresh must be > 0",
        ),
        (  # more negatives asked for than there are anchors under negative_mining_thresh
            (
                _grid_anchors(2, 2, (0.5,), (1,)),
                np.array([[[0, 0.1, 0.1, 0.6, 0.6]]], "float32"),
                c[:, :, :4],
            ),
            {"negative_mining_ratio": 3.0, "negative_mining_thresh": 0.05},
            r"MultiBoxTarget: hard negative mining needs 3 negatives",
        ),
    ]


register(
    OpDef(
        "_contrib_MultiBoxTarget",
        impl=_multibox_target,
        inputs=("anchor", "label", "cls_pred"),
        params=(
            Param("overlap_threshold", Float(), 0.5, "IoU above which an anchor matches a ground truth."),
            Param(
                "ignore_label", Float(), -1.0, "Class target of anchors that are neither matched nor mined."
            ),
            Param("negative_mining_ratio", Float(), -1.0, "Hard negatives per positive anchor (<= 0: off)."),
            Param(
                "negative_mining_thresh",
                Float(),
                0.5,
                "Only anchors with a best IoU below this are negatives.",
            ),
            Param("minimum_negative_samples", Int(), 0, "Accepted; MXNet 1.9.1's CPU operator ignores it."),
            _float_tuple("variances", (0.1, 0.1, 0.2, 0.2), "Scales of the location targets."),
        ),
        aliases=("contrib.MultiBoxTarget", "MultiBoxTarget"),
        differentiable=False,
        samples=_target_samples,
        errors=_target_errors,
        doc="SSD training targets. Each image's ground truths are the label rows before the first row of "
        "class -1 (which must be all -1). Each ground truth takes its best anchor, best pairs first, and every "
        "other anchor matches the ground truth it overlaps most when that IoU exceeds overlap_threshold. "
        "Returns location targets (batch, N*4), their mask, and class targets (batch, N): class + 1 for "
        "matched anchors, 0 for background. With negative_mining_ratio > 0 only the floor(ratio * positives) "
        "unmatched anchors with the lowest background probability (softmax of cls_pred) and a best IoU under "
        "negative_mining_thresh are background; the rest get ignore_label, as do images without ground "
        "truths.\n\nExample: ``loc, mask, cls = nd.contrib.MultiBoxTarget(anchors, labels, cls_preds)``",
    )
)
