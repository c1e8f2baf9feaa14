"""Image resampling with OpenCV's rules (MXNet's ``image.resize`` and ``mx.image.imresize``).

One implementation for every interpolation, on host NumPy arrays of shape ``(..., H, W, C)``:
``image.resize`` (and through it ``mx.image``, the transforms and the record iterators) calls
:func:`resize`. MXNet hands its interpolation code to OpenCV unchanged: 0 nearest, 1 bilinear,
2 bicubic, 3 area, 4 Lanczos (8 taps).

- uint8 bilinear (the hot path of every augmentation pipeline) follows OpenCV's fixed-point
  arithmetic step by step and gives MXNet's pixels exactly: each row is resampled with 11-bit
  integer weights, then rows are blended as OpenCV's vector code does, ``(w * (row >> 4)) >> 16``
  per term, ``(sum + 2) >> 2``.
- nearest picks ``floor(i * scale)`` and is exact for any dtype.
- everything else is separable: per axis, each output sample is a weighted sum of a few input
  samples (taps outside the image clamped to the edge, OpenCV's replicated border), computed in
  float32 (float64 for float64 images); integer images are rounded back. OpenCV computes
  bicubic, area and Lanczos of uint8 images in fixed point, so those pixels may differ from
  MXNet's by 1; float results agree to float32 rounding (the tests state the bounds).
"""

from __future__ import annotations

import functools

import numpy as np


def _scale(n_in: int, n_out: int) -> float:
    # OpenCV stores the inverse ratio and inverts it again; the rounding matters for floor()
    return 1.0 / (n_out / n_in)


# ---------------------------------------------------------------------- uint8 bilinear, fixed point
@functools.lru_cache(maxsize=1024)
def _fixed_taps(n_in: int, n_out: int, clamp: bool) -> tuple[np.ndarray, ...]:
    """Two source indices and two 11-bit int32 weights per output sample along one axis.

    Positions are computed in float32, as OpenCV does. Columns (``clamp``) pin positions outside
    the image to the edge pixel; rows keep their weights and clamp the index.
    """
    centre = ((np.arange(n_out) + 0.5) * _scale(n_in, n_out) - 0.5).astype(np.float32)
    floor = np.floor(centre)
    frac = centre - floor  # exact in float32
    base = floor.astype(np.int64)
    if clamp:
        frac[(base < 0) | (base >= n_in - 1)] = 0
    w0 = np.rint((np.float32(1) - frac) * np.float32(2048)).astype(np.int32)
    w1 = np.rint(frac * np.float32(2048)).astype(np.int32)
    i0 = np.minimum(np.maximum(base, 0), n_in - 1)  # (np.clip is slower on short arrays)
    i1 = np.minimum(np.maximum((i0 if clamp else base) + 1, 0), n_in - 1)
    return i0, i1, w0, w1


@functools.lru_cache(maxsize=1024)
def _column_taps(
    n_in: int, n_out: int, channels: int, planar: bool, mirror: bool = False
) -> tuple[np.ndarray, ...]:
    """The column taps addressing a flattened ``W * channels`` row: each output column's taps
    repeated per channel, ordered pixel by pixel (``planar=False``) or channel by channel;
    ``mirror`` reverses the output columns (a resize and a left-right flip in one)."""
    i0, i1, w0, w1 = _fixed_taps(n_in, n_out, True)
    if mirror:
        i0, i1, w0, w1 = i0[::-1], i1[::-1], w0[::-1], w1[::-1]
    lanes = np.arange(channels)
    if planar:
        lanes, i0, i1 = lanes[:, None], i0[None, :], i1[None, :]
        w0, w1 = np.tile(w0, channels), np.tile(w1, channels)
    else:
        lanes, i0, i1 = lanes[None, :], i0[:, None], i1[:, None]
        w0, w1 = np.repeat(w0, channels), np.repeat(w1, channels)
    return (i0 * channels + lanes).ravel(), (i1 * channels + lanes).ravel(), w0, w1


@functools.lru_cache(maxsize=1024)
def _row_taps(n_in: int, n_out: int) -> tuple[np.ndarray | None, np.ndarray, ...]:
    """The source rows the vertical pass reads (None: all of them), its taps renumbered to
    index those rows, and its weights as (n_out, 1) columns."""
    r0, r1, b0, b1 = _fixed_taps(n_in, n_out, False)
    used = np.zeros(n_in, dtype=bool)
    used[r0] = used[r1] = True
    if used.all():
        return None, r0, r1, b0[:, None], b1[:, None]
    renumbered = np.cumsum(used) - 1
    return np.flatnonzero(used), renumbered[r0], renumbered[r1], b0[:, None], b1[:, None]


def _linear_u8_rows(x: np.ndarray, h: int, w: int, planar: bool, mirror: bool = False) -> np.ndarray:
    """OpenCV's bilinear resize of uint8 ``(..., H, W, C)`` images as int32 ``(..., h, C * w)``
    rows of values 0..255, the channels interleaved or (``planar``) one block of ``w`` each;
    ``mirror``: flipped left to right."""
    *lead, src_h, src_w, chans = x.shape
    rows, r0, r1, b0, b1 = _row_taps(src_h, h)
    c0, c1, a0, a1 = _column_taps(src_w, w, chans, planar, mirror)
    flat = x.reshape(*lead, src_h, src_w * chans)
    if rows is not None:  # shrinking: resample only the rows the vertical pass reads
        flat = flat[..., rows, :]
    horiz = flat[..., c0] * a0  # uint8 * int32 taps: int32 sums of at most 255 * 2048
    horiz += flat[..., c1] * a1
    horiz >>= 4
    out = horiz[..., r0, :]
    out *= b0
    out >>= 16
    lower = horiz[..., r1, :]
    lower *= b1
    lower >>= 16
    out += lower
    out += 2
    out >>= 2  # at most 255: the weights of each axis sum to 2048 (2049 after float rounding)
    return out


def _linear_u8(x: np.ndarray, h: int, w: int) -> np.ndarray:
    """OpenCV's bilinear resize of uint8 ``(..., H, W, C)`` images, bit for bit."""
    *lead, _, _, chans = x.shape
    return _linear_u8_rows(x, h, w, False).astype(np.uint8).reshape(*lead, h, w, chans)


# ----------------------------------------------------------------------------- separable taps
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


def _kernel_weights(n_in: int, n_out: int, kernel, radius: int) -> np.ndarray:
    centre = (np.arange(n_out) + 0.5) * _scale(n_in, n_out) - 0.5
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


def _blend_weights(n_out: int, n_in: int, base: np.ndarray, frac: np.ndarray) -> np.ndarray:
    """Two-tap weights ``1 - frac`` at ``base`` and ``frac`` at ``base + 1``, clamped to the edge."""
    frac = np.where(base >= n_in - 1, 0.0, frac)
    base = np.minimum(base, n_in - 1)
    weights = np.zeros((n_out, n_in), dtype=np.float64)
    rows = np.arange(n_out)
    np.add.at(weights, (rows, base), 1 - frac)
    np.add.at(weights, (rows, np.minimum(base + 1, n_in - 1)), frac)
    return weights


def _linear_weights(n_in: int, n_out: int) -> np.ndarray:
    centre = (np.arange(n_out) + 0.5) * _scale(n_in, n_out) - 0.5
    base = np.floor(centre)
    frac = np.where(base < 0, 0.0, centre - base)  # left of the first pixel copies it
    return _blend_weights(n_out, n_in, np.maximum(base, 0).astype(np.int64), frac)


def _area_weights(n_in: int, n_out: int, blend: bool) -> np.ndarray:
    scale = _scale(n_in, n_out)
    if blend:  # not shrinking on both axes: OpenCV's area rule becomes a clipped linear blend
        dx = np.arange(n_out)
        sx = np.floor(dx * scale)
        fx = (dx + 1) - (sx + 1) * (n_out / n_in)
        fx = np.where(fx <= 0, 0.0, fx - np.floor(fx))
        return _blend_weights(n_out, n_in, sx.astype(np.int64), fx)
    # shrinking: each output pixel averages the input area it covers (fractional at the edges)
    lo = np.arange(n_out) * scale
    hi = lo + scale
    edges = np.arange(n_in + 1, dtype=np.float64)
    overlap = np.minimum(hi[:, None], edges[None, 1:]) - np.maximum(lo[:, None], edges[None, :-1])
    return np.clip(overlap, 0, None) / scale


@functools.lru_cache(maxsize=512)
def _taps(n_in: int, n_out: int, interp: int, blend: bool) -> tuple[np.ndarray, np.ndarray]:
    """For each output sample, K source indices and their float64 weights (K: the widest row)."""
    if interp == 1:
        dense = _linear_weights(n_in, n_out)
    elif interp == 2:
        dense = _kernel_weights(n_in, n_out, _cubic, 2)
    elif interp == 3:
        dense = _area_weights(n_in, n_out, blend)
    else:
        dense = _kernel_weights(n_in, n_out, _lanczos4, 4)
    k = max(int((dense != 0).sum(axis=1).max()), 1)
    order = np.argsort(dense == 0, axis=1, kind="stable")[:, :k]  # nonzero columns first
    return order, np.take_along_axis(dense, order, axis=1)


def _resample(x: np.ndarray, axis: int, n_out: int, interp: int, blend: bool) -> np.ndarray:
    """``out[i] = sum_k weight[i, k] * x[index[i, k]]`` along ``axis`` (negative) of float ``x``."""
    index, weight = _taps(x.shape[axis], n_out, interp, blend)
    weight = weight.astype(x.dtype).reshape((n_out, -1) + (1,) * (-axis - 1))
    out = np.take(x, index[:, 0], axis=axis) * weight[:, 0]
    for k in range(1, index.shape[1]):
        out += np.take(x, index[:, k], axis=axis) * weight[:, k]
    return out


def _nearest(x: np.ndarray, h: int, w: int) -> np.ndarray:
    src_h, src_w = x.shape[-3], x.shape[-2]
    ys = np.minimum(np.floor(np.arange(h) * _scale(src_h, h)).astype(np.int64), src_h - 1)
    xs = np.minimum(np.floor(np.arange(w) * _scale(src_w, w)).astype(np.int64), src_w - 1)
    return np.take(np.take(x, ys, axis=-3), xs, axis=-2)


def resize(x: np.ndarray, h: int, w: int, interp: int) -> np.ndarray:
    """``(..., H, W, C)`` images resized to ``(..., h, w, C)`` with OpenCV's rules for ``interp``
    (0 nearest, 1 bilinear, 2 bicubic, 3 area, 4 Lanczos); a new array of ``x``'s dtype."""
    if interp == 0:
        return _nearest(x, h, w)
    if interp == 1 and x.dtype == np.uint8:
        return _linear_u8(x, h, w)
    src_h, src_w = x.shape[-3], x.shape[-2]
    if (src_h, src_w) == (h, w):
        return x.copy()
    blend = interp == 3 and not (h <= src_h and w <= src_w)
    work = x.astype(np.float64 if x.dtype == np.float64 else np.float32)
    out = _resample(_resample(work, -3, h, interp, blend), -2, w, interp, blend)
    if np.issubdtype(x.dtype, np.integer):
        info = np.iinfo(x.dtype)
        out = np.clip(np.rint(out), info.min, info.max)
    return out.astype(x.dtype, copy=False)


def resize_chw(
    x: np.ndarray, h: int, w: int, interp: int, out: np.ndarray, div: float = 1.0, mirror: bool = False
) -> np.ndarray:
    """:func:`resize`'s values divided by ``div``, written channel-first into ``out`` of shape
    ``(..., C, h, w)`` and a float dtype (each value converted to it, then divided in it, as
    ``to_tensor`` does), flipped left to right if ``mirror``; returns ``out``.

    The layout ``ToTensor`` makes: for uint8 bilinear, the kernel computes it directly (channel
    blocks in each row, columns in mirrored order if asked), which saves the transposing copy of
    a resized HWC image and the flip.
    """
    if interp == 1 and x.dtype == np.uint8:
        *lead, _, _, chans = x.shape
        src = _linear_u8_rows(x, h, w, True, mirror).reshape(*lead, h, chans, w)
        dst = np.swapaxes(out, -3, -2)
    else:
        resized = resize(x, h, w, interp)
        src, dst = np.moveaxis(resized[..., ::-1, :] if mirror else resized, -1, -3), out
    np.divide(src, out.dtype.type(div), out=dst, dtype=out.dtype, casting="unsafe")
    return out
