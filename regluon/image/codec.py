"""Image encoding and decoding with Pillow, giving the pixels MXNet's bundled OpenCV gives.

Measured against MXNet 1.9.1 (tests/golden/io): colour JPEG and PNG decode to identical pixels;
grey decoding matches too, because JPEG is decoded straight to its luma plane (as libjpeg does
for OpenCV) and colour PNG is turned grey with libpng's fixed-point weights
``(9797 R + 19234 G + 3737 B) >> 15``.
"""

from __future__ import annotations

import io

import numpy as np

from ..base import MXNetError

_GREY_WEIGHTS = np.array([9797, 19234, 3737], dtype=np.uint32)


def _pil():
    try:
        from PIL import Image
    except ImportError:  # pragma: no cover - depends on the environment
        raise ImportError("image decoding and encoding need Pillow: pip install 'regluon[image]'") from None
    return Image


def _grey_from_rgb(rgb: np.ndarray) -> np.ndarray:
    return ((rgb[..., :3].astype(np.uint32) @ _GREY_WEIGHTS) >> 15).astype(np.uint8)


def decode_to_numpy(buf, flag: int = 1, rgb: bool = True, where: str = "imdecode") -> np.ndarray:
    """Decode an encoded image to a uint8 NumPy array.

    ``flag`` 1: ``(H, W, 3)`` colour; 0: ``(H, W)`` grey; -1: as stored (``(H, W)`` grey,
    ``(H, W, 3)`` colour or ``(H, W, 4)`` with alpha). ``rgb=False`` gives OpenCV's BGR(A) order.
    """
    Image = _pil()
    data = bytes(buf) if not isinstance(buf, bytes) else buf
    try:
        img = Image.open(io.BytesIO(data))
        if flag == 0 and img.format == "JPEG":
            img.draft("L", img.size)  # decode the luma plane only, as libjpeg does for OpenCV
        img.load()
    except Exception as err:
        raise MXNetError(f"{where}: decoding failed, not a valid image ({len(data)} bytes): {err}") from None
    if img.mode in ("I;16", "I;16B", "I", "F"):
        arr = np.asarray(img).astype(np.float64)
        arr = np.clip(arr / 257.0 if arr.max() > 255 else arr, 0, 255).round().astype(np.uint8)
    else:
        if img.mode not in ("L", "RGB", "RGBA"):
            img = img.convert("RGBA" if ("A" in img.mode or "transparency" in img.info) else "RGB")
        arr = np.asarray(img)
    if flag == 0:
        return arr if arr.ndim == 2 else _grey_from_rgb(arr)
    if flag == 1:
        if arr.ndim == 2:
            arr = np.repeat(arr[:, :, None], 3, axis=2)
        arr = arr[:, :, :3]
    if arr.ndim == 3 and not rgb:
        arr = arr[:, :, [2, 1, 0, 3][: arr.shape[2]]]
    return np.ascontiguousarray(arr)


def encode_numpy(img: np.ndarray, quality: int = 95, img_fmt: str = ".jpg", bgr: bool = True) -> bytes:
    """Encode a uint8 ``(H, W)``, ``(H, W, 1|3|4)`` array as JPEG or PNG (``bgr``: OpenCV order)."""
    Image = _pil()
    fmt = img_fmt.lower().lstrip(".")
    if fmt not in ("jpg", "jpeg", "png"):
        raise MXNetError(f"pack_img: unsupported img_fmt {img_fmt!r}; use '.jpg' or '.png'")
    arr = np.asarray(img)
    if arr.dtype != np.uint8:
        raise MXNetError(f"pack_img: the image must be uint8, got {arr.dtype}")
    if arr.ndim == 3 and arr.shape[2] == 1:
        arr = arr[:, :, 0]
    if arr.ndim == 3 and arr.shape[2] in (3, 4):
        if bgr:
            arr = arr[:, :, [2, 1, 0, 3][: arr.shape[2]]]
    elif arr.ndim != 2:
        raise MXNetError(f"pack_img: expected an (H, W) or (H, W, 1|3|4) image, got shape {arr.shape}")
    pil = Image.fromarray(np.ascontiguousarray(arr))
    out = io.BytesIO()
    if fmt == "png":
        pil.save(out, "PNG", compress_level=int(min(max(quality, 0), 9)))
    else:
        if pil.mode == "RGBA":
            pil = pil.convert("RGB")
        pil.save(out, "JPEG", quality=int(quality))
    return out.getvalue()
