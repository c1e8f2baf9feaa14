"""Image resizing with OpenCV's sampling rules (what MXNet's ``imresize`` uses), on NumPy.

Each interpolation is a separable weight matrix per axis (rows: output pixels, columns: input
pixels, taps outside the image clamped to the edge as OpenCV's replicated border does), so a
resize is two matrix products in float32. Interpolations (MXNet passes its code to OpenCV
unchanged, whatever its documentation says): 0 nearest, 1 bilinear, 2 bicubic, 3 area, 4 Lanczos
(8 taps). Area averages covered pixels when both sides shrink; otherwise OpenCV uses a clipped
linear blend on both axes, and so do we. uint8 bilinear follows OpenCV's fixed-point arithmetic
and gives MXNet's pixels exactly; other uint8 results are rounded from float32 and may differ from
MXNet's by 1 (OpenCV computes bicubic and Lanczos in fixed point too); float results agree to
float32 rounding (tests/test_image.py states the measured bounds).
"""

from __future__ import annotations

import functools

import numpy as np
import torch

from ..ndarray.ops.image_ops import _linear_u8


def _cubic(x: np.ndarray, a: float = -0.75) -> np.ndarray:
    x = np.abs(x)
    near = ((a + 2) * x - (a + 3)) * x * x + 1
    far = ((a * x - 5 * a) * x + 8 * a) * x - 4 * a
    return np.where(x <= 1, near, np.where(x < 2, far, 0.0))


def _lanczos4(x: np.ndarray) -> np.ndarray:
    x = np.asarray(x, dtype=np.float64)
    with np.errstate(invalid="ignore", divide="ignore"):
        w = 16.0 * np.sin(np.pi * x) * np.sin(np.pi * x / 4) / (np.pi * np.pi * x * x)
    w = np.where(np.abs(x) < 1e-12, 1.0, w)
    return np.where(np.abs(x) < 4, w, 0.0)


def _scale(n_in: int, n_out: int) -> float:
    # OpenCV stores the inverse ratio and inverts it again; the rounding matters for floor()
    return 1.0 / (n_out / n_in)


def _taps(n_in: int, n_out: int, kernel, radius: int) -> np.ndarray:
    scale = _scale(n_in, n_out)
    centre = (np.arange(n_out) + 0.5) * scale - 0.5
    base = np.floor(centre).astype(np.int64)
    frac = centre - base
    weights = np.zeros((n_out, n_in), dtype=np.float64)
    rows = np.arange(n_out)
    offsets = range(1 - radius, radius + 1)
    w = np.stack([kernel(frac - k) for k in offsets], axis=1)
    w /= w.sum(axis=1, keepdims=True)
    for j, k in enumerate(offsets):
        np.add.at(weights, (rows, np.clip(base + k, 0, n_in - 1)), w[:, j])
    return weights


def _linear_weights(n_in: int, n_out: int) -> np.ndarray:
    scale = _scale(n_in, n_out)
    centre = (np.arange(n_out) + 0.5) * scale - 0.5
    base = np.floor(centre)
    frac = centre - base
    base = base.astype(np.int64)
    # OpenCV clamps at the borders: left of the first pixel copies it, right of the last too
    frac = np.where(base < 0, 0.0, frac)
    base = np.maximum(base, 0)
    frac = np.where(base >= n_in - 1, 0.0, frac)
    base = np.minimum(base, n_in - 1)
    weights = np.zeros((n_out, n_in), dtype=np.float64)
    rows = np.arange(n_out)
    np.add.at(weights, (rows, base), 1 - frac)
    np.add.at(weights, (rows, np.minimum(base + 1, n_in - 1)), frac)
    return weights


def _area_weights(n_in: int, n_out: int, blend: bool) -> np.ndarray:
    if blend:  # not shrinking on both axes: OpenCV's area rule becomes a clipped linear blend
        scale = _scale(n_in, n_out)
        inv = n_out / n_in
        dx = np.arange(n_out)
        sx = np.floor(dx * scale)
        fx = (dx + 1) - (sx + 1) * inv
        fx = np.where(fx <= 0, 0.0, fx - np.floor(fx))
        sx = sx.astype(np.int64)
        fx = np.where(sx >= n_in - 1, 0.0, fx)
        sx = np.minimum(sx, n_in - 1)
        weights = np.zeros((n_out, n_in), dtype=np.float64)
        np.add.at(weights, (dx, sx), 1 - fx)
        np.add.at(weights, (dx, np.minimum(sx + 1, n_in - 1)), fx)
        return weights
    # shrinking: each output pixel averages the input area it covers (fractional at the edges)
    scale = _scale(n_in, n_out)
    lo = np.arange(n_out) * scale
    hi = lo + scale
    edges = np.arange(n_in + 1, dtype=np.float64)
    overlap = np.clip(
        np.minimum(hi[:, None], edges[None, 1:]) - np.maximum(lo[:, None], edges[None, :-1]), 0, None
    )
    return overlap / scale


@functools.lru_cache(maxsize=256)
def _taps_of(n_in: int, n_out: int, interp: int, blend: bool) -> tuple:
    """The sampling matrix as taps: for each output, K source indices and weights (K small)."""
    dense = weights(n_in, n_out, interp, blend)
    k = max(int((dense != 0).sum(axis=1).max()), 1)
    order = np.argsort(dense == 0, axis=1, kind="stable")[:, :k]  # nonzero columns first
    return order, np.take_along_axis(dense, order, axis=1).astype(np.float32)


def _apply_taps(x: np.ndarray, index: np.ndarray, wts: np.ndarray) -> np.ndarray:
    """Resample axis 0 of ``x`` (float32, 2-d): ``out[i] = sum_k wts[i, k] * x[index[i, k]]``."""
    out = x[index[:, 0]] * wts[:, :1]
    for k in range(1, index.shape[1]):
        out += x[index[:, k]] * wts[:, k : k + 1]
    return out


@functools.lru_cache(maxsize=256)
def weights(n_in: int, n_out: int, interp: int, blend: bool = False) -> np.ndarray:
    """The (n_out, n_in) float32 sampling matrix for one axis (``blend``: area's enlarging rule)."""
    if interp == 1:
        w = _linear_weights(n_in, n_out)
    elif interp == 2:
        w = _taps(n_in, n_out, _cubic, 2)
    elif interp == 3:
        w = _area_weights(n_in, n_out, blend)
    elif interp == 4:
        w = _taps(n_in, n_out, _lanczos4, 4)
    else:
        raise ValueError(f"Unknown interp method {interp}")
    return w.astype(np.float32)


def resize(img: np.ndarray, w: int, h: int, interp: int) -> np.ndarray:
    """Resize an ``(H, W[, C])`` array to ``(h, w[, C])`` with OpenCV's rules for ``interp``."""
    src_h, src_w = img.shape[:2]
    if interp == 0:
        ys = np.minimum(np.floor(np.arange(h) * _scale(src_h, h)).astype(np.int64), src_h - 1)
        xs = np.minimum(np.floor(np.arange(w) * _scale(src_w, w)).astype(np.int64), src_w - 1)
        return img[ys][:, xs]
    if (src_h, src_w) == (h, w):
        return img.copy()
    if interp == 1 and img.dtype == np.uint8:  # OpenCV's fixed point, shared with nd.image.resize
        hwc = torch.from_numpy(np.ascontiguousarray(img).reshape(src_h, src_w, -1))
        return _linear_u8(hwc, h, w).numpy().reshape((h, w) + img.shape[2:])
    blend = interp == 3 and not (h <= src_h and w <= src_w)
    x = img.astype(np.float32)
    chans = x.reshape(src_h, src_w, -1).shape[2]
    out = _apply_taps(x.reshape(src_h, -1), *_taps_of(src_h, h, interp, blend))  # rows
    out = out.reshape(h, src_w, chans).transpose(1, 0, 2).reshape(src_w, h * chans)
    out = _apply_taps(out, *_taps_of(src_w, w, interp, blend))  # columns
    out = out.reshape(w, h, chans).transpose(1, 0, 2).reshape((h, w) + img.shape[2:])
    if np.issubdtype(img.dtype, np.integer):
        info = np.iinfo(img.dtype)
        out = np.clip(np.floor(out + 0.5), info.min, info.max)
    return out.astype(img.dtype)
