"""Box and text drawing on HWC uint8 NumPy images, for ``ImageDetIter.draw_next``.

``rectangle`` puts down the same pixels as OpenCV's ``cv2.rectangle`` with its default 8-connected
lines (checked against OpenCV 4.8 on thousands of random boxes, thicknesses and image sizes, see
``tools/gen_draw_golden.py``): thickness 1 (or 0) is a one-pixel outline through both corners,
a negative thickness fills the box, and a thickness ``t > 1`` paints bands reaching
``(t + 1) // 2`` pixels to each side of the outline, with round corners of that radius.
``put_text`` writes a label with Pillow's default font; OpenCV's Hershey glyphs are not
reproduced, so text pixels differ from MXNet's.
"""

from __future__ import annotations

import numpy as np


def color_value(color, channels: int) -> np.ndarray:
    """A colour as OpenCV stores it: each value rounded half to even and saturated to 0..255."""
    values = np.zeros(channels, np.float64)
    given = np.asarray(color, np.float64).ravel()[:channels]
    values[: given.size] = given
    return np.clip(np.rint(values), 0, 255).astype(np.uint8)


def _paint(img: np.ndarray, y0: int, y1: int, x0: int, x1: int, value: np.ndarray) -> None:
    """Fill rows y0..y1 and columns x0..x1 (inclusive), clipped to the image."""
    h, w = img.shape[:2]
    y0, y1, x0, x1 = max(y0, 0), min(y1, h - 1), max(x0, 0), min(x1, w - 1)
    if y0 <= y1 and x0 <= x1:
        img[y0 : y1 + 1, x0 : x1 + 1] = value


def _disc(img: np.ndarray, cx: int, cy: int, radius: int, value: np.ndarray) -> None:
    """Fill the pixels within ``radius`` of (cx, cy) (dx^2 + dy^2 <= radius^2), clipped."""
    h, w = img.shape[:2]
    y0, y1 = max(cy - radius, 0), min(cy + radius, h - 1)
    x0, x1 = max(cx - radius, 0), min(cx + radius, w - 1)
    if y0 > y1 or x0 > x1:
        return
    dy = np.arange(y0, y1 + 1)[:, None] - cy
    dx = np.arange(x0, x1 + 1)[None, :] - cx
    img[y0 : y1 + 1, x0 : x1 + 1][dx * dx + dy * dy <= radius * radius] = value


def rectangle(img: np.ndarray, pt1: tuple, pt2: tuple, color, thickness: int = 1) -> np.ndarray:
    """Draw the box with corners ``pt1`` and ``pt2`` (x, y pixel positions) on ``img`` in place.

    Example
    -------
    >>> img = np.zeros((8, 8, 3), np.uint8)
    >>> _ = rectangle(img, (1, 1), (5, 4), (0, 0, 255), 1)
    >>> int(img[1, 3, 2]), int(img[2, 3, 2])
    (255, 0)
    """
    value = color_value(color, img.shape[2] if img.ndim == 3 else 1)
    if img.ndim == 2:
        value = value[0]
    (xa, ya), (xb, yb) = (int(pt1[0]), int(pt1[1])), (int(pt2[0]), int(pt2[1]))
    xl, xh, yl, yh = min(xa, xb), max(xa, xb), min(ya, yb), max(ya, yb)
    if thickness < 0:
        _paint(img, yl, yh, xl, xh, value)
        return img
    half = (int(thickness) + 1) // 2 if thickness > 1 else 0
    for y in (ya, yb):
        _paint(img, y - half, y + half, xl, xh, value)
    for x in (xa, xb):
        _paint(img, yl, yh, x - half, x + half, value)
    if half:
        for x in (xa, xb):
            for y in (ya, yb):
                _disc(img, x, y, half, value)
    return img


def put_text(img: np.ndarray, text: str, left: int, top: int, color=(255, 255, 255)) -> np.ndarray:
    """Write ``text`` on ``img`` in place, its top-left corner near pixel (left, top)."""
    from PIL import Image, ImageDraw, ImageFont

    try:
        font = ImageFont.load_default(size=12)
    except TypeError:  # Pillow < 10.1: the bitmap font has one size
        font = ImageFont.load_default()
    grey = img.ndim == 2 or img.shape[2] == 1
    canvas = Image.fromarray(img.reshape(img.shape[:2]) if grey else img)
    fill = int(color_value(color, 1)[0]) if grey else tuple(int(v) for v in color_value(color, 3))
    ImageDraw.Draw(canvas).text((left, top), text, fill=fill, font=font)
    img[...] = np.asarray(canvas).reshape(img.shape)
    return img
