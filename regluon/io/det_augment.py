"""The random crop and pad of ``ImageDetRecordIter`` (SSD-style), on HWC NumPy images and flat labels.

A label is the flat stored form ``[header_width, object_width, <extras>, objects...]`` with boxes
``[class, xmin, ymin, xmax, ymax, ...]`` relative to the image. Boxes are mapped through the
integer pixel crop or pad actually applied, so they stay exact for the output pixels.
"""

from __future__ import annotations

import math

import numpy as np

from ..base import MXNetError

_SAMPLER_KEYS = (
    "min_crop_scales",
    "max_crop_scales",
    "min_crop_aspect_ratios",
    "max_crop_aspect_ratios",
    "min_crop_overlaps",
    "max_crop_overlaps",
    "min_crop_sample_coverages",
    "max_crop_sample_coverages",
    "min_crop_object_coverages",
    "max_crop_object_coverages",
    "max_crop_trials",
)
_DEFAULTS = dict(zip(_SAMPLER_KEYS, (0.0, 1.0, 1.0, 1.0, 0.0, 1.0, 0.0, 1.0, 0.0, 1.0, 25)))


def crop_samplers(num_crop_sampler: int, options: dict) -> list:
    """One dict of settings per sampler; each option is one value (for every sampler) or a tuple
    of ``num_crop_sampler`` values, as MXNet's."""
    samplers = [{} for _ in range(num_crop_sampler)]
    for key in _SAMPLER_KEYS:
        values = options.get(key, _DEFAULTS[key])
        values = [values] if np.isscalar(values) else list(values)
        if len(values) == 1:
            values = values * num_crop_sampler
        if len(values) != num_crop_sampler:
            raise MXNetError(
                f"ImageDetRecordIter: {key} has {len(values)} values, num_crop_sampler is {num_crop_sampler}"
            )
        for sampler, v in zip(samplers, values):
            sampler[key] = float(v)
    return samplers


def _boxes(label: np.ndarray) -> np.ndarray:
    return label[int(label[0]) :].reshape(-1, int(label[1]))


def _box_stats(crop: tuple, boxes: np.ndarray) -> tuple:
    """IOU with the crop, intersection / crop area, intersection / box area, for each box."""
    x0, y0, x1, y1 = crop
    iw = np.clip(np.minimum(boxes[:, 3], x1) - np.maximum(boxes[:, 1], x0), 0, None)
    ih = np.clip(np.minimum(boxes[:, 4], y1) - np.maximum(boxes[:, 2], y0), 0, None)
    inter = iw * ih
    area = (boxes[:, 3] - boxes[:, 1]) * (boxes[:, 4] - boxes[:, 2])
    crop_area = (x1 - x0) * (y1 - y0)
    return (
        inter / np.maximum(area + crop_area - inter, 1e-12),
        inter / crop_area,
        inter / np.maximum(area, 1e-12),
    )


def _satisfies(s: dict, crop: tuple, boxes: np.ndarray) -> bool:
    """Some box has its IOU, sample coverage and object coverage within the sampler's ranges."""
    iou, sample_cov, object_cov = _box_stats(crop, boxes)
    ok = (iou >= s["min_crop_overlaps"]) & (iou <= s["max_crop_overlaps"])
    ok &= (sample_cov >= s["min_crop_sample_coverages"]) & (sample_cov <= s["max_crop_sample_coverages"])
    ok &= (object_cov >= s["min_crop_object_coverages"]) & (object_cov <= s["max_crop_object_coverages"])
    return bool(ok.any())


def _propose(rs: np.random.RandomState, s: dict) -> tuple:
    """A crop (x0, y0, x1, y1) in relative coordinates: side scale and aspect ratio drawn from the
    sampler's ranges, the ratio limited so that the crop fits in the image."""
    scale = rs.uniform(s["min_crop_scales"], s["max_crop_scales"])
    ratio = rs.uniform(s["min_crop_aspect_ratios"], s["max_crop_aspect_ratios"])
    if scale <= 0:
        return None
    ratio = min(max(ratio, scale * scale), 1.0 / (scale * scale))
    w, h = min(scale * math.sqrt(ratio), 1.0), min(scale / math.sqrt(ratio), 1.0)
    x0, y0 = rs.uniform(0, 1 - w), rs.uniform(0, 1 - h)
    return (x0, y0, x0 + w, y0 + h)


def random_crop(rs, img: np.ndarray, label: np.ndarray, samplers: list, emit_mode: str, emit_thresh: float):
    """Crop a region found by one of the samplers (chosen at random among those that found one);
    boxes are moved into it and clipped, and dropped when their centre falls outside it
    (``emit_mode='center'``) or less than ``emit_thresh`` of them is inside (``'overlap'``). When
    no sampler finds a region, or no box would be left, the image and label stay as they are."""
    boxes = _boxes(label)
    found = []
    for s in samplers:
        for _ in range(int(s["max_crop_trials"])):
            crop = _propose(rs, s)
            if crop is not None and _satisfies(s, crop, boxes[:, :5]):
                found.append(crop)
                break
    if not found:
        return img, label
    h, w = img.shape[:2]
    x0, y0, x1, y1 = found[rs.randint(len(found))]
    px0, py0 = int(x0 * w), int(y0 * h)
    px1, py1 = max(int(x1 * w), px0 + 1), max(int(y1 * h), py0 + 1)
    crop = (px0 / w, py0 / h, px1 / w, py1 / h)  # the region actually cut, in relative coordinates
    if emit_mode == "center":
        cx, cy = (boxes[:, 1] + boxes[:, 3]) / 2, (boxes[:, 2] + boxes[:, 4]) / 2
        keep = (cx >= crop[0]) & (cx <= crop[2]) & (cy >= crop[1]) & (cy <= crop[3])
    else:
        keep = _box_stats(crop, boxes)[2] >= emit_thresh
    if not keep.any():
        return img, label
    kept = boxes[keep].copy()
    cw, ch = crop[2] - crop[0], crop[3] - crop[1]
    kept[:, [1, 3]] = np.clip((kept[:, [1, 3]] - crop[0]) / cw, 0, 1)
    kept[:, [2, 4]] = np.clip((kept[:, [2, 4]] - crop[1]) / ch, 0, 1)
    head = label[: int(label[0])]
    return img[py0:py1, px0:px1], np.concatenate([head, kept.ravel()]).astype(np.float32)


def random_pad(rs, img: np.ndarray, label: np.ndarray, max_pad_scale: float, fill_value: int):
    """Place the image at a random spot of a canvas ``s`` times as large (``s`` uniform in
    ``[1, max_pad_scale]``) filled with ``fill_value``; boxes follow."""
    h, w = img.shape[:2]
    scale = rs.uniform(1.0, max(max_pad_scale, 1.0))
    ph, pw = max(int(h * scale), h), max(int(w * scale), w)
    oy, ox = rs.randint(ph - h + 1), rs.randint(pw - w + 1)
    canvas = np.full((ph, pw, img.shape[2]), np.clip(fill_value, 0, 255), np.uint8)
    canvas[oy : oy + h, ox : ox + w] = img
    label = label.copy()
    boxes = _boxes(label)
    boxes[:, [1, 3]] = (boxes[:, [1, 3]] * w + ox) / pw
    boxes[:, [2, 4]] = (boxes[:, [2, 4]] * h + oy) / ph
    return canvas, label
