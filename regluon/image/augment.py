"""mx.image augmenters and ``CreateAugmenter`` (MXNet's default augmentation list).

Augmenters take and return ``(H, W, C)`` NDArrays. Random ones draw from Python's ``random``
module (``LightingAug`` from NumPy's), in the same order as MXNet, so a seeded run repeats
MXNet's choices.
"""

from __future__ import annotations

import json
import random as _random

import numpy as np

from ..ndarray import NDArray, array
from .image import (
    _get_interp_method,
    center_crop,
    color_normalize,
    imresize,
    random_crop,
    random_size_crop,
    resize_short,
)

__all__ = [
    "Augmenter",
    "SequentialAug",
    "RandomOrderAug",
    "ResizeAug",
    "ForceResizeAug",
    "RandomCropAug",
    "RandomSizedCropAug",
    "CenterCropAug",
    "BrightnessJitterAug",
    "ContrastJitterAug",
    "SaturationJitterAug",
    "HueJitterAug",
    "ColorJitterAug",
    "LightingAug",
    "ColorNormalizeAug",
    "RandomGrayAug",
    "HorizontalFlipAug",
    "CastAug",
    "CreateAugmenter",
]

_GREY = np.array([0.299, 0.587, 0.114], dtype=np.float32)


def _np(src) -> np.ndarray:
    return src.asnumpy() if isinstance(src, NDArray) else np.asarray(src)


def _nd(arr: np.ndarray) -> NDArray:
    return array(arr, dtype=arr.dtype)


class Augmenter:
    """Base class: an augmenter is a callable ``(H, W, C) NDArray -> NDArray`` with ``dumps()``.

    Example
    -------
    >>> aug = mx.image.HorizontalFlipAug(0.5)
    >>> aug.dumps()
    '["horizontalflipaug", {"p": 0.5}]'
    """

    def __init__(self, **kwargs) -> None:
        self._kwargs = {}
        for k, v in kwargs.items():
            if isinstance(v, NDArray):
                v = v.asnumpy()
            if isinstance(v, np.ndarray):
                v = v.tolist()
            self._kwargs[k] = v

    def dumps(self) -> str:
        """The augmenter as a JSON string ``[name, parameters]``."""
        return json.dumps([self.__class__.__name__.lower(), self._kwargs])

    def __call__(self, src: NDArray) -> NDArray:
        raise NotImplementedError("Augmenter subclasses implement __call__")


class SequentialAug(Augmenter):
    """Apply a list of augmenters in order."""

    def __init__(self, ts: list) -> None:
        super().__init__()
        self.ts = ts

    def dumps(self) -> list:
        return [self.__class__.__name__.lower(), [t.dumps() for t in self.ts]]

    def __call__(self, src):
        for aug in self.ts:
            src = aug(src)
        return src


class RandomOrderAug(Augmenter):
    """Apply a list of augmenters in a random order (the list is shuffled in place each call)."""

    def __init__(self, ts: list) -> None:
        super().__init__()
        self.ts = ts

    def dumps(self) -> list:
        # MXNet returns a list here (name, children's JSON strings), not a JSON string
        return [self.__class__.__name__.lower(), [t.dumps() for t in self.ts]]

    def __call__(self, src):
        _random.shuffle(self.ts)
        for aug in self.ts:
            src = aug(src)
        return src


class ResizeAug(Augmenter):
    """Resize the shorter side to ``size``."""

    def __init__(self, size: int, interp: int = 2) -> None:
        super().__init__(size=size, interp=interp)
        self.size, self.interp = size, interp

    def __call__(self, src):
        return resize_short(src, self.size, self.interp)


class ForceResizeAug(Augmenter):
    """Resize to exactly ``size`` (w, h), ignoring the aspect ratio."""

    def __init__(self, size: tuple, interp: int = 2) -> None:
        super().__init__(size=size, interp=interp)
        self.size, self.interp = size, interp

    def __call__(self, src):
        sizes = (src.shape[0], src.shape[1], self.size[1], self.size[0])
        return imresize(src, *self.size, interp=_get_interp_method(self.interp, sizes))


class RandomCropAug(Augmenter):
    """Crop a random ``size`` (w, h) box."""

    def __init__(self, size: tuple, interp: int = 2) -> None:
        super().__init__(size=size, interp=interp)
        self.size, self.interp = size, interp

    def __call__(self, src):
        return random_crop(src, self.size, self.interp)[0]


class RandomSizedCropAug(Augmenter):
    """Crop a random area fraction and aspect ratio, resized to ``size`` (Inception-style)."""

    def __init__(self, size: tuple, area, ratio: tuple, interp: int = 2, **kwargs) -> None:
        super().__init__(size=size, area=area, ratio=ratio, interp=interp)
        self.size, self.area, self.ratio, self.interp = size, area, ratio, interp
        if "min_area" in kwargs:
            self.area = kwargs.pop("min_area")

    def __call__(self, src):
        return random_size_crop(src, self.size, self.area, self.ratio, self.interp)[0]


class CenterCropAug(Augmenter):
    """Crop the centre ``size`` (w, h) box."""

    def __init__(self, size: tuple, interp: int = 2) -> None:
        super().__init__(size=size, interp=interp)
        self.size, self.interp = size, interp

    def __call__(self, src):
        return center_crop(src, self.size, self.interp)[0]


class BrightnessJitterAug(Augmenter):
    """Scale the pixels by ``1 + uniform(-brightness, brightness)``."""

    def __init__(self, brightness: float) -> None:
        super().__init__(brightness=brightness)
        self.brightness = brightness

    def __call__(self, src):
        alpha = 1.0 + _random.uniform(-self.brightness, self.brightness)
        return _nd(_np(src) * np.float32(alpha))


class ContrastJitterAug(Augmenter):
    """Blend the image with its mean grey level: ``alpha * x + (1 - alpha) * mean_grey``."""

    def __init__(self, contrast: float) -> None:
        super().__init__(contrast=contrast)
        self.contrast = contrast

    def __call__(self, src):
        alpha = 1.0 + _random.uniform(-self.contrast, self.contrast)
        x = _np(src)
        grey = x * _GREY
        shift = np.float32(3.0 * (1.0 - alpha) / grey.size) * grey.sum(dtype=np.float32)
        return _nd(x * np.float32(alpha) + shift)


class SaturationJitterAug(Augmenter):
    """Blend each pixel with its own grey level: ``alpha * x + (1 - alpha) * grey``."""

    def __init__(self, saturation: float) -> None:
        super().__init__(saturation=saturation)
        self.saturation = saturation

    def __call__(self, src):
        alpha = 1.0 + _random.uniform(-self.saturation, self.saturation)
        x = _np(src)
        grey = (x * _GREY).sum(axis=2, keepdims=True, dtype=np.float32) * np.float32(1.0 - alpha)
        return _nd(x * np.float32(alpha) + grey)


_TYIQ = np.array([[0.299, 0.587, 0.114], [0.596, -0.274, -0.321], [0.211, -0.523, 0.311]])
_ITYIQ = np.array([[1.0, 0.956, 0.621], [1.0, -0.272, -0.647], [1.0, -1.107, 1.705]])


class HueJitterAug(Augmenter):
    """Rotate the hue by ``uniform(-hue, hue) * 180`` degrees in YIQ space."""

    def __init__(self, hue: float) -> None:
        super().__init__(hue=hue)
        self.hue = hue

    def __call__(self, src):
        alpha = _random.uniform(-self.hue, self.hue)
        u, w = np.cos(alpha * np.pi), np.sin(alpha * np.pi)
        bt = np.array([[1.0, 0.0, 0.0], [0.0, u, -w], [0.0, w, u]])
        t = (_ITYIQ @ bt @ _TYIQ).T.astype(np.float32)
        return _nd(_np(src) @ t)


class ColorJitterAug(RandomOrderAug):
    """Brightness, contrast and saturation jitter, in a random order."""

    def __init__(self, brightness: float, contrast: float, saturation: float) -> None:
        ts = []
        if brightness > 0:
            ts.append(BrightnessJitterAug(brightness))
        if contrast > 0:
            ts.append(ContrastJitterAug(contrast))
        if saturation > 0:
            ts.append(SaturationJitterAug(saturation))
        super().__init__(ts)


class LightingAug(Augmenter):
    """AlexNet-style PCA lighting noise: add ``eigvec @ (alpha * eigval)``, alpha ~ N(0, alphastd)."""

    def __init__(self, alphastd: float, eigval, eigvec) -> None:
        super().__init__(alphastd=alphastd, eigval=eigval, eigvec=eigvec)
        self.alphastd = alphastd
        self.eigval = np.asarray(eigval)
        self.eigvec = np.asarray(eigvec)

    def __call__(self, src):
        alpha = np.random.normal(0, self.alphastd, size=(3,))
        rgb = np.dot(self.eigvec * alpha, self.eigval)
        return _nd(_np(src) + rgb.astype(np.float32))


class ColorNormalizeAug(Augmenter):
    """Subtract ``mean`` and divide by ``std`` (per channel)."""

    def __init__(self, mean, std) -> None:
        super().__init__(mean=mean, std=std)
        self.mean = mean if mean is None or isinstance(mean, NDArray) else array(mean)
        self.std = std if std is None or isinstance(std, NDArray) else array(std)

    def __call__(self, src):
        return color_normalize(src, self.mean, self.std)


class RandomGrayAug(Augmenter):
    """With probability ``p``, replace the image by its grey version (three equal channels)."""

    _MAT = np.array([[0.21, 0.21, 0.21], [0.72, 0.72, 0.72], [0.07, 0.07, 0.07]], dtype=np.float32)

    def __init__(self, p: float) -> None:
        super().__init__(p=p)
        self.p = p

    def __call__(self, src):
        if _random.random() < self.p:
            return _nd(_np(src) @ self._MAT)
        return src


class HorizontalFlipAug(Augmenter):
    """With probability ``p``, mirror the image left-right."""

    def __init__(self, p: float) -> None:
        super().__init__(p=p)
        self.p = p

    def __call__(self, src):
        if _random.random() < self.p:
            return _nd(np.ascontiguousarray(_np(src)[:, ::-1]))
        return src


class CastAug(Augmenter):
    """Cast to ``typ`` (float32 by default)."""

    def __init__(self, typ: str = "float32") -> None:
        super().__init__(type=typ)
        self.typ = typ

    def __call__(self, src):
        return src.astype(self.typ)


def CreateAugmenter(
    data_shape: tuple,
    resize: int = 0,
    rand_crop: bool = False,
    rand_resize: bool = False,
    rand_mirror: bool = False,
    mean=None,
    std=None,
    brightness: float = 0,
    contrast: float = 0,
    saturation: float = 0,
    hue: float = 0,
    pca_noise: float = 0,
    rand_gray: float = 0,
    inter_method: int = 2,
) -> list:
    """MXNet's standard augmentation list for ``data_shape`` (C, H, W).

    Resize (``resize`` > 0), a centre/random/random-sized crop to (W, H), optional mirror, cast to
    float32, colour jitter, hue, PCA lighting, random grey, and normalisation (``mean``/``std``:
    arrays, or True for the ImageNet statistics).

    Example
    -------
    >>> augs = mx.image.CreateAugmenter((3, 224, 224), resize=256, rand_crop=True, rand_mirror=True)
    >>> [type(a).__name__ for a in augs]
    ['ResizeAug', 'RandomCropAug', 'HorizontalFlipAug', 'CastAug']
    """
    auglist: list = []
    if resize > 0:
        auglist.append(ResizeAug(resize, inter_method))
    crop_size = (data_shape[2], data_shape[1])
    if rand_resize:
        if not rand_crop:
            raise ValueError("CreateAugmenter: rand_resize=True needs rand_crop=True")
        auglist.append(RandomSizedCropAug(crop_size, 0.08, (3.0 / 4.0, 4.0 / 3.0), inter_method))
    elif rand_crop:
        auglist.append(RandomCropAug(crop_size, inter_method))
    else:
        auglist.append(CenterCropAug(crop_size, inter_method))
    if rand_mirror:
        auglist.append(HorizontalFlipAug(0.5))
    auglist.append(CastAug())
    if brightness or contrast or saturation:
        auglist.append(ColorJitterAug(brightness, contrast, saturation))
    if hue:
        auglist.append(HueJitterAug(hue))
    if pca_noise > 0:
        eigval = np.array([55.46, 4.794, 1.148])
        eigvec = np.array(
            [[-0.5675, 0.7192, 0.4009], [-0.5808, -0.0045, -0.8140], [-0.5836, -0.6948, 0.4203]]
        )
        auglist.append(LightingAug(pca_noise, eigval, eigvec))
    if rand_gray > 0:
        auglist.append(RandomGrayAug(rand_gray))
    if mean is True:
        mean = array([123.68, 116.28, 103.53])
    elif mean is not None and (not hasattr(mean, "shape") or mean.shape[0] not in (1, 3)):
        raise ValueError("CreateAugmenter: mean must be True or an array of 1 or 3 values")
    if std is True:
        std = array([58.395, 57.12, 57.375])
    elif std is not None and (not hasattr(std, "shape") or std.shape[0] not in (1, 3)):
        raise ValueError("CreateAugmenter: std must be True or an array of 1 or 3 values")
    if mean is not None or std is not None:
        auglist.append(ColorNormalizeAug(mean, std))
    return auglist
