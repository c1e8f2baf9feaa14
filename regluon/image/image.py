"""mx.image functions: decoding, resizing, cropping and normalising HWC images held in NDArrays."""

from __future__ import annotations

import os
import random as _random

import numpy as np
import torch

from ..base import MXNetError
from ..ndarray import NDArray
from ..ndarray.ops._image_resize import resize as _resize_hwc
from .codec import decode_to_numpy

__all__ = [
    "imread",
    "imdecode",
    "imresize",
    "resize_short",
    "fixed_crop",
    "random_crop",
    "center_crop",
    "random_size_crop",
    "color_normalize",
    "scale_down",
    "copyMakeBorder",
    "imrotate",
    "random_rotate",
]


def _to_nd(arr: np.ndarray) -> NDArray:
    if not (arr.flags.writeable and arr.flags.c_contiguous):
        arr = np.array(arr, order="C")
    return NDArray(torch.from_numpy(arr))


def _to_np(src) -> np.ndarray:
    if isinstance(src, NDArray):
        return src.asnumpy()
    return np.asarray(src)


def _finish(arr: np.ndarray, out: NDArray | None) -> NDArray:
    if out is None:
        return _to_nd(arr)
    if tuple(out.shape) != arr.shape:
        raise MXNetError(f"image: out has shape {tuple(out.shape)}, the result has shape {arr.shape}")
    out[:] = arr
    return out


def _decode(buf, flag: int, to_rgb, where: str) -> np.ndarray:
    if flag not in (0, 1):
        raise MXNetError(f"{where}: flag must be 0 (grey) or 1 (colour), got {flag}")
    arr = decode_to_numpy(buf, flag, rgb=bool(to_rgb), where=where)
    return arr[:, :, None] if arr.ndim == 2 else arr


def imdecode(buf, flag: int = 1, to_rgb: int = 1, out: NDArray | None = None) -> NDArray:
    """Decode a JPEG/PNG/... image held in memory into an ``(H, W, C)`` uint8 NDArray.

    Parameters
    ----------
    buf : bytes, bytearray, numpy.ndarray or NDArray
        The encoded image.
    flag : int
        1 for a 3-channel colour image, 0 for a 1-channel grey image.
    to_rgb : int
        1 for RGB channel order (default), 0 for OpenCV's BGR.

    Example
    -------
    >>> with open('cat.jpg', 'rb') as f:
    ...     img = mx.image.imdecode(f.read())
    >>> img.shape
    (480, 640, 3)
    """
    if isinstance(buf, NDArray):
        buf = buf.asnumpy().astype(np.uint8).tobytes()
    elif isinstance(buf, np.ndarray):
        buf = buf.astype(np.uint8, copy=False).tobytes()
    elif not isinstance(buf, (bytes, bytearray)):
        raise ValueError(
            "buf must be of type bytes, bytearray or numpy.ndarray,"
            "if you would like to input type str, please convert to bytes"
        )
    return _finish(_decode(buf, flag, to_rgb, "imdecode"), out)


def imread(filename: str, flag: int = 1, to_rgb: int = 1, out: NDArray | None = None) -> NDArray:
    """Read an image file into an ``(H, W, C)`` uint8 NDArray (RGB unless ``to_rgb=0``).

    Example
    -------
    >>> mx.image.imread('cat.jpg').shape
    (480, 640, 3)
    """
    try:
        with open(os.fspath(filename), "rb") as f:
            data = f.read()
    except OSError as err:
        raise MXNetError(f'imread: cannot read "{filename}": {err.strerror}') from None
    return _finish(_decode(data, flag, to_rgb, f'imread("{filename}")'), out)


def _get_interp_method(interp: int, sizes: tuple = ()) -> int:
    """MXNet's interpolation choice: 9 picks by direction (code 2, bicubic in OpenCV, when
    enlarging both sides; 3, area, when shrinking both; bilinear otherwise), 10 picks at random."""
    if interp == 9:
        if sizes:
            oh, ow, nh, nw = sizes
            if nh > oh and nw > ow:
                return 2
            if nh < oh and nw < ow:
                return 3
            return 1
        return 2
    if interp == 10:
        return _random.randint(0, 4)
    if interp not in (0, 1, 2, 3, 4):
        raise ValueError(f"Unknown interp method {interp}")
    return interp


def resize_array(img: np.ndarray, w: int, h: int, interp: int) -> np.ndarray:
    """An ``(H, W)`` or ``(H, W, C)`` array resized to width ``w`` and height ``h`` by the kernel of
    ``nd.image.resize`` (OpenCV's rules; ``interp`` 0..4)."""
    hwc = img if img.ndim == 3 else img[:, :, None]
    return _resize_hwc(hwc, h, w, interp).reshape((h, w) + img.shape[2:])


def imresize(src, w: int, h: int, interp: int = 1, out: NDArray | None = None) -> NDArray:
    """Resize an ``(H, W, C)`` image to width ``w`` and height ``h``.

    ``interp``: 0 nearest, 1 bilinear (default), 2 bicubic, 3 area, 4 Lanczos, 9 by direction,
    10 random. The sampling follows OpenCV's (MXNet's backend).

    Example
    -------
    >>> mx.image.imresize(img, 320, 240).shape
    (240, 320, 3)
    """
    arr = _to_np(src)
    if arr.ndim not in (2, 3):
        raise MXNetError(f"imresize: expected an (H, W, C) image, got shape {arr.shape}")
    w, h = int(w), int(h)
    if w <= 0 or h <= 0:
        raise MXNetError(f"imresize: the target size must be positive, got w={w}, h={h}")
    interp = _get_interp_method(int(interp), (arr.shape[0], arr.shape[1], h, w))
    return _finish(resize_array(arr, w, h, interp), out)


def scale_down(src_size: tuple, size: tuple) -> tuple:
    """Shrink the crop ``size`` (w, h) keeping its aspect ratio until it fits in ``src_size`` (w, h).

    Example
    -------
    >>> mx.image.scale_down((640, 480), (720, 120))
    (640, 106)
    """
    w, h = size
    sw, sh = src_size
    if sh < h:
        w, h = float(w * sh) / h, sh
    if sw < w:
        w, h = sw, float(h * sw) / w
    return int(w), int(h)


def resize_short(src, size: int, interp: int = 2) -> NDArray:
    """Resize so that the shorter side becomes ``size``, keeping the aspect ratio.

    Example
    -------
    >>> mx.image.resize_short(mx.nd.zeros((480, 640, 3), dtype='uint8'), 240).shape
    (240, 320, 3)
    """
    h, w = src.shape[:2]
    if h > w:
        new_h, new_w = size * h // w, size
    else:
        new_h, new_w = size, size * w // h
    return imresize(src, new_w, new_h, interp=_get_interp_method(interp, (h, w, new_h, new_w)))


def fixed_crop(src, x0: int, y0: int, w: int, h: int, size: tuple | None = None, interp: int = 2) -> NDArray:
    """Crop the ``w`` x ``h`` box at (``x0``, ``y0``) and optionally resize it to ``size`` (w, h).

    Example
    -------
    >>> mx.image.fixed_crop(img, 10, 20, 100, 50).shape
    (50, 100, 3)
    """
    arr = _to_np(src)[y0 : y0 + h, x0 : x0 + w]
    if size is not None and (w, h) != tuple(size):
        sizes = (h, w, size[1], size[0])
        return _finish(resize_array(arr, size[0], size[1], _get_interp_method(interp, sizes)), None)
    return _to_nd(np.array(arr))  # a copy, never a view of the caller's array


def random_crop(src, size: tuple, interp: int = 2) -> tuple:
    """Crop a random box of ``size`` (w, h) (scaled down to fit); returns ``(image, (x0, y0, w, h))``.

    Positions come from Python's ``random`` module, as in MXNet.

    Example
    -------
    >>> out, (x0, y0, w, h) = mx.image.random_crop(img, (224, 224))
    """
    h, w = src.shape[:2]
    new_w, new_h = scale_down((w, h), size)
    x0 = _random.randint(0, w - new_w)
    y0 = _random.randint(0, h - new_h)
    return fixed_crop(src, x0, y0, new_w, new_h, size, interp), (x0, y0, new_w, new_h)


def center_crop(src, size: tuple, interp: int = 2) -> tuple:
    """Crop the centre box of ``size`` (w, h) (scaled down to fit); returns ``(image, (x0, y0, w, h))``.

    Example
    -------
    >>> out, box = mx.image.center_crop(mx.nd.zeros((480, 640, 3), dtype='uint8'), (500, 1000))
    >>> out.shape, box
    ((1000, 500, 3), (160, 0, 320, 480))
    """
    h, w = src.shape[:2]
    new_w, new_h = scale_down((w, h), size)
    x0 = int((w - new_w) / 2)
    y0 = int((h - new_h) / 2)
    return fixed_crop(src, x0, y0, new_w, new_h, size, interp), (x0, y0, new_w, new_h)


def random_size_crop(src, size: tuple, area, ratio: tuple, interp: int = 2, **kwargs) -> tuple:
    """Crop a random box covering a random fraction ``area`` of the image with aspect ratio in
    ``ratio`` (log-uniform), resized to ``size``; falls back to :func:`center_crop` after 10 tries.

    Example
    -------
    >>> out, box = mx.image.random_size_crop(img, (224, 224), (0.08, 1.0), (3 / 4, 4 / 3))
    """
    h, w = src.shape[:2]
    src_area = h * w
    if "min_area" in kwargs:
        area = kwargs.pop("min_area")
    if isinstance(area, (int, float)):
        area = (area, 1.0)
    for _ in range(10):
        target_area = _random.uniform(area[0], area[1]) * src_area
        log_ratio = (np.log(ratio[0]), np.log(ratio[1]))
        new_ratio = np.exp(_random.uniform(*log_ratio))
        new_w = int(round(np.sqrt(target_area * new_ratio)))
        new_h = int(round(np.sqrt(target_area / new_ratio)))
        if new_w <= w and new_h <= h:
            x0 = _random.randint(0, w - new_w)
            y0 = _random.randint(0, h - new_h)
            return fixed_crop(src, x0, y0, new_w, new_h, size, interp), (x0, y0, new_w, new_h)
    return center_crop(src, size, interp)


def color_normalize(src: NDArray, mean, std=None) -> NDArray:
    """Subtract ``mean`` and divide by ``std`` (in place on ``src``, which is also returned).

    Example
    -------
    >>> img = mx.nd.ones((2, 2, 3)) * 128
    >>> mx.image.color_normalize(img, mx.nd.array([128, 128, 128]), mx.nd.array([2, 2, 2]))[0, 0]
    <BLANKLINE>
    [0. 0. 0.]
    <NDArray 3 @cpu(0)>
    """
    if mean is not None:
        src -= mean
    if std is not None:
        src /= std
    return src


_BORDER_MODES = {0: "constant", 1: "edge", 2: "symmetric", 3: "wrap", 4: "reflect"}


def copyMakeBorder(
    src, top: int, bot: int, left: int, right: int, type: int = 0, value: float = 0.0, values=(), out=None
) -> NDArray:
    """Pad an ``(H, W, C)`` image with a border (OpenCV border types: 0 constant, 1 replicate,
    2 reflect, 3 wrap, 4 reflect-101); ``value``/``values`` fill a constant border.

    Example
    -------
    >>> mx.image.copyMakeBorder(mx.nd.zeros((2, 2, 3)), 1, 1, 1, 1, value=255).shape
    (4, 4, 3)
    """
    if type not in _BORDER_MODES:
        raise MXNetError(f"copyMakeBorder: unknown border type {type}; use 0 (constant) to 4 (reflect-101)")
    arr = _to_np(src)
    pads = [(int(top), int(bot)), (int(left), int(right))] + [(0, 0)] * (arr.ndim - 2)
    if type != 0:
        return _finish(np.pad(arr, pads, mode=_BORDER_MODES[type]), out)
    result = np.pad(arr, pads, mode="constant")
    fill = np.asarray(values if len(values) else value, dtype=np.float64)
    mask = np.ones(result.shape[:2], dtype=bool)
    mask[top : top + arr.shape[0], left : left + arr.shape[1]] = False
    result[mask] = np.broadcast_to(fill, result[mask].shape).astype(arr.dtype)
    return _finish(result, out)


def _zoom(rad: np.ndarray, h: int, w: int, zoom_in: bool) -> np.ndarray:
    """Grid scale that hides the fill (``zoom_in``) or keeps every corner in view (zoom out)."""
    rho, corner = np.sqrt(np.float32(h * h + w * w)), np.arctan(np.float32(h / w))
    a = np.abs(rad)
    max_x = np.maximum(np.abs(rho * np.cos(corner + a)), np.abs(rho * np.cos(corner - a)))
    max_y = np.maximum(np.abs(rho * np.sin(corner + a)), np.abs(rho * np.sin(corner - a)))
    return np.minimum(w / max_x, h / max_y) if zoom_in else np.maximum(max_x / w, max_y / h)


def imrotate(src: NDArray, rotation_degrees, zoom_in: bool = False, zoom_out: bool = False) -> NDArray:
    """Rotate CHW / NCHW float32 images about their centre by ``rotation_degrees`` (a number, or
    for a batch one angle per image as an NDArray), bilinearly, filling with zeros.

    ``zoom_in`` scales the result so that no fill shows; ``zoom_out`` so that the whole rotated
    image stays in view.

    Example
    -------
    >>> mx.image.imrotate(mx.nd.ones((3, 32, 32)), 30, zoom_in=True).shape
    (3, 32, 32)
    """
    from .. import ndarray as nd

    if zoom_in and zoom_out:
        raise ValueError("`zoom_in` and `zoom_out` cannot be both True")
    if src.dtype != np.float32:
        raise TypeError("Only `float32` images are supported by this function")
    if src.ndim not in (3, 4):
        raise ValueError("Only 3D and 4D are supported by this function")
    batch = src if src.ndim == 4 else src.expand_dims(0)
    n, _, h, w = batch.shape
    if isinstance(rotation_degrees, NDArray):
        if src.ndim == 3:
            raise TypeError("When a single image is passed the rotation angle is required to be a scalar.")
        angles = rotation_degrees.asnumpy().reshape(-1)
        if len(angles) != n:
            raise ValueError("The number of images must be equal to the number of rotation angles")
    else:
        angles = np.full(n, rotation_degrees)
    rad = (np.pi * angles.astype(np.float32) / 180).reshape(n, 1, 1).astype(np.float32)
    hs, ws = np.float32((h - 1) / 2), np.float32((w - 1) / 2)
    rows = np.arange(h, dtype=np.float32).reshape(1, h, 1) - hs
    cols = np.arange(w, dtype=np.float32).reshape(1, 1, w) - ws
    cos, sin = np.cos(rad), np.sin(rad)
    gx, gy = (cols * cos - rows * sin) / ws, (cols * sin + rows * cos) / hs
    if zoom_in or zoom_out:
        scale = _zoom(rad, h, w, zoom_in)
        gx, gy = gx * scale, gy * scale
    grid = nd.array(np.stack([gx, gy], axis=1).astype(np.float32), ctx=src.context)
    out = nd.BilinearSampler(batch, grid)
    return out if src.ndim == 4 else out[0]


def random_rotate(
    src: NDArray, angle_limits: tuple, zoom_in: bool = False, zoom_out: bool = False
) -> NDArray:
    """:func:`imrotate` by angles drawn uniformly from ``angle_limits`` (NumPy's global generator,
    as MXNet): one for a CHW image, one per image for an NCHW batch.

    Example
    -------
    >>> mx.image.random_rotate(mx.nd.ones((2, 3, 32, 32)), (-10, 10)).shape
    (2, 3, 32, 32)
    """
    from .. import ndarray as nd

    if src.ndim == 3:
        degrees = np.random.uniform(*angle_limits)
    else:
        degrees = nd.array(np.random.uniform(*angle_limits, size=src.shape[0]))
    return imrotate(src, degrees, zoom_in=zoom_in, zoom_out=zoom_out)
