"""mx.image detection augmenters, CreateDetAugmenter and ImageDetIter (images with bounding boxes).

A detection label is an ``(N, W)`` float array, one object per row: ``[class, xmin, ymin, xmax,
ymax, ...]`` with coordinates relative to the image size (0..1). In a record the label is stored
flat: ``[header_width, object_width, <header extras>, object rows...]``.
"""

from __future__ import annotations

import json
import random as _random
import warnings

import numpy as np

from ..base import MXNetError
from ..ndarray import array
from .augment import (
    Augmenter,
    CastAug,
    ColorJitterAug,
    ColorNormalizeAug,
    ForceResizeAug,
    HueJitterAug,
    LightingAug,
    RandomGrayAug,
    ResizeAug,
)
from .draw import put_text, rectangle
from .image import copyMakeBorder, fixed_crop
from .image_iter import ImageIter


class DetAugmenter:
    """Base class: a callable ``(image, label) -> (image, label)`` with ``dumps()``."""

    def __init__(self, **kwargs) -> None:
        self._kwargs = {k: (v.tolist() if isinstance(v, np.ndarray) else v) for k, v in kwargs.items()}

    def dumps(self):
        """The augmenter as a JSON string ``[name, parameters]``."""
        return json.dumps([self.__class__.__name__.lower(), self._kwargs])

    def __call__(self, src, label):
        raise NotImplementedError("DetAugmenter subclasses implement __call__")


class DetBorrowAug(DetAugmenter):
    """Apply an image-only augmenter (``ResizeAug``, ``CastAug``, colour jitter, ...) to the image."""

    def __init__(self, augmenter: Augmenter) -> None:
        if not isinstance(augmenter, Augmenter):
            raise TypeError(f"DetBorrowAug needs an mx.image.Augmenter, got {type(augmenter).__name__}")
        super().__init__()
        self.augmenter = augmenter

    def dumps(self):
        return [self.__class__.__name__.lower(), self.augmenter.dumps()]

    def __call__(self, src, label):
        return self.augmenter(src), label


class DetRandomSelectAug(DetAugmenter):
    """Skip with probability ``skip_prob``, else apply one augmenter of ``aug_list`` chosen at random."""

    def __init__(self, aug_list: list, skip_prob: float = 0) -> None:
        super().__init__(skip_prob=skip_prob)
        self.aug_list = aug_list if isinstance(aug_list, (list, tuple)) else [aug_list]
        self.skip_prob = skip_prob

    def dumps(self):
        return [self.__class__.__name__.lower(), [a.dumps() for a in self.aug_list]]

    def __call__(self, src, label):
        if _random.random() < self.skip_prob or not self.aug_list:
            return src, label
        _random.shuffle(self.aug_list)
        return self.aug_list[0](src, label)


class DetHorizontalFlipAug(DetAugmenter):
    """With probability ``p``, mirror the image and its boxes left-right."""

    def __init__(self, p: float) -> None:
        super().__init__(p=p)
        self.p = p

    def __call__(self, src, label):
        if _random.random() < self.p:
            src = array(np.ascontiguousarray(src.asnumpy()[:, ::-1]), dtype=src.dtype)
            label = label.copy()
            label[:, (1, 3)] = 1.0 - label[:, (3, 1)]
        return src, label


def _areas(boxes: np.ndarray) -> np.ndarray:
    return np.clip(boxes[:, 2] - boxes[:, 0], 0, None) * np.clip(boxes[:, 3] - boxes[:, 1], 0, None)


def _intersect(boxes: np.ndarray, x1, y1, x2, y2) -> np.ndarray:
    return np.stack(
        [
            np.maximum(boxes[:, 0], x1),
            np.maximum(boxes[:, 1], y1),
            np.minimum(boxes[:, 2], x2),
            np.minimum(boxes[:, 3], y2),
        ],
        axis=1,
    )


class DetRandomCropAug(DetAugmenter):
    """Crop a random region that covers more than ``min_object_covered`` of every object it touches.

    Region areas are drawn from ``area_range`` (fractions of the image, capped at 1) and aspect
    ratios from ``aspect_ratio_range``; boxes are clipped to the crop and dropped when less than
    ``min_eject_coverage`` of them remains. After ``max_attempts`` failures the input is kept.
    """

    def __init__(
        self,
        min_object_covered: float = 0.1,
        aspect_ratio_range: tuple = (0.75, 1.33),
        area_range: tuple = (0.05, 1.0),
        min_eject_coverage: float = 0.3,
        max_attempts: int = 50,
    ) -> None:
        super().__init__(
            min_object_covered=min_object_covered,
            aspect_ratio_range=aspect_ratio_range,
            area_range=area_range,
            min_eject_coverage=min_eject_coverage,
            max_attempts=max_attempts,
        )
        self.min_object_covered = min_object_covered
        self.aspect_ratio_range = aspect_ratio_range
        self.area_range = area_range
        self.min_eject_coverage = min_eject_coverage
        self.max_attempts = max_attempts
        self.enabled = area_range[1] > 0 and area_range[0] <= area_range[1] and aspect_ratio_range[0] > 0

    def _covers(self, label, x1, y1, x2, y2) -> bool:
        areas = _areas(label[:, 1:5])
        boxes = label[areas > 0, 1:5]
        if not len(boxes):
            return False
        coverage = _areas(_intersect(boxes, x1, y1, x2, y2)) / _areas(boxes)
        touched = coverage[coverage > 0]
        return touched.size > 0 and touched.min() > self.min_object_covered

    def _relabel(self, label, x1, y1, cw, ch):
        out = label.copy()
        out[:, (1, 3)] = (out[:, (1, 3)] - x1) / cw
        out[:, (2, 4)] = (out[:, (2, 4)] - y1) / ch
        out[:, 1:5] = np.clip(out[:, 1:5], 0, 1)
        kept = _areas(out[:, 1:5]) * cw * ch / np.maximum(_areas(label[:, 1:5]), 1e-12)
        valid = (out[:, 3] > out[:, 1]) & (out[:, 4] > out[:, 2]) & (kept > self.min_eject_coverage)
        return out[valid] if valid.any() else None

    def __call__(self, src, label):
        h, w = src.shape[:2]
        if not self.enabled or h <= 0 or w <= 0:
            return src, label
        lo, hi = self.area_range[0], min(self.area_range[1], 1.0)
        for _ in range(self.max_attempts):
            ratio = _random.uniform(*self.aspect_ratio_range)
            area = _random.uniform(lo, hi) * h * w
            ch = int(round(np.sqrt(area / ratio)))
            cw = int(round(ch * ratio))
            if not (0 < ch <= h and 0 < cw <= w) or cw * ch < 2:
                continue
            y, x = _random.randint(0, h - ch), _random.randint(0, w - cw)
            x1, y1, fw, fh = x / w, y / h, cw / w, ch / h
            if not self._covers(label, x1, y1, x1 + fw, y1 + fh):
                continue
            new_label = self._relabel(label, x1, y1, fw, fh)
            if new_label is not None:
                return fixed_crop(src, x, y, cw, ch), new_label
        return src, label


class DetRandomPadAug(DetAugmenter):
    """Place the image at a random spot of a larger canvas filled with ``pad_val`` (zoom out)."""

    def __init__(
        self,
        aspect_ratio_range: tuple = (0.75, 1.33),
        area_range: tuple = (1.0, 3.0),
        max_attempts: int = 50,
        pad_val: tuple = (128, 128, 128),
    ) -> None:
        super().__init__(
            aspect_ratio_range=aspect_ratio_range,
            area_range=area_range,
            max_attempts=max_attempts,
            pad_val=pad_val,
        )
        self.aspect_ratio_range, self.area_range = aspect_ratio_range, area_range
        self.max_attempts, self.pad_val = max_attempts, pad_val

    def __call__(self, src, label):
        h, w = src.shape[:2]
        for _ in range(self.max_attempts):
            ratio = _random.uniform(*self.aspect_ratio_range)
            area = _random.uniform(max(1.0, self.area_range[0]), self.area_range[1]) * h * w
            ph = int(round(np.sqrt(area / ratio)))
            pw = int(round(ph * ratio))
            if ph < h or pw < w:
                continue
            y, x = _random.randint(0, ph - h), _random.randint(0, pw - w)
            out = copyMakeBorder(src, y, ph - h - y, x, pw - w - x, 0, values=self.pad_val)
            new = label.copy()
            new[:, (1, 3)] = (new[:, (1, 3)] * w + x) / pw
            new[:, (2, 4)] = (new[:, (2, 4)] * h + y) / ph
            return out, new
        return src, label


def CreateMultiRandCropAugmenter(
    min_object_covered=0.1,
    aspect_ratio_range=(0.75, 1.33),
    area_range=(0.05, 1.0),
    min_eject_coverage=0.3,
    max_attempts=50,
    skip_prob=0,
) -> DetRandomSelectAug:
    """A :class:`DetRandomSelectAug` over crop augmenters; list arguments give one augmenter per entry."""

    def listify(v, n):
        return list(v) if isinstance(v, list) else [v] * n

    n = max(
        len(v) if isinstance(v, list) else 1 for v in (min_object_covered, aspect_ratio_range, area_range)
    )
    augs = [
        DetRandomCropAug(moc, arr, ar, mec, ma)
        for moc, arr, ar, mec, ma in zip(
            listify(min_object_covered, n),
            listify(aspect_ratio_range, n),
            listify(area_range, n),
            listify(min_eject_coverage, n),
            listify(max_attempts, n),
        )
    ]
    return DetRandomSelectAug(augs, skip_prob=skip_prob)


def CreateDetAugmenter(
    data_shape,
    resize=0,
    rand_crop=0,
    rand_pad=0,
    rand_gray=0,
    rand_mirror=False,
    mean=None,
    std=None,
    brightness=0,
    contrast=0,
    saturation=0,
    pca_noise=0,
    hue=0,
    inter_method=2,
    min_object_covered=0.1,
    aspect_ratio_range=(0.75, 1.33),
    area_range=(0.05, 3.0),
    min_eject_coverage=0.3,
    max_attempts=50,
    pad_val=(127, 127, 127),
) -> list:
    """MXNet's default detection augmentation list (same order and parameters as MXNet's).

    Example
    -------
    >>> augs = mx.image.CreateDetAugmenter((3, 256, 256), rand_crop=1, min_object_covered=0.95)
    >>> [type(a).__name__ for a in augs]
    ['DetRandomSelectAug', 'DetBorrowAug', 'DetBorrowAug']
    """
    auglist: list = []
    if resize > 0:
        auglist.append(DetBorrowAug(ResizeAug(resize, inter_method)))
    if rand_crop > 0:
        auglist.append(
            CreateMultiRandCropAugmenter(
                min_object_covered,
                aspect_ratio_range,
                area_range,
                min_eject_coverage,
                max_attempts,
                1 - rand_crop,
            )
        )
    if rand_mirror > 0:
        auglist.append(DetHorizontalFlipAug(0.5))
    if rand_pad > 0:
        pad = DetRandomPadAug(aspect_ratio_range, (1.0, area_range[1]), max_attempts, pad_val)
        auglist.append(DetRandomSelectAug([pad], 1 - rand_pad))
    auglist.append(DetBorrowAug(ForceResizeAug((data_shape[2], data_shape[1]), inter_method)))
    auglist.append(DetBorrowAug(CastAug()))
    if brightness or contrast or saturation:
        auglist.append(DetBorrowAug(ColorJitterAug(brightness, contrast, saturation)))
    if hue:
        auglist.append(DetBorrowAug(HueJitterAug(hue)))
    if pca_noise > 0:
        eigval = np.array([55.46, 4.794, 1.148])
        eigvec = np.array(
            [[-0.5675, 0.7192, 0.4009], [-0.5808, -0.0045, -0.8140], [-0.5836, -0.6948, 0.4203]]
        )
        auglist.append(DetBorrowAug(LightingAug(pca_noise, eigval, eigvec)))
    if rand_gray > 0:
        auglist.append(DetBorrowAug(RandomGrayAug(rand_gray)))
    if mean is True:
        mean = np.array([123.68, 116.28, 103.53])
    if std is True:
        std = np.array([58.395, 57.12, 57.375])
    if mean is not None or std is not None:
        auglist.append(DetBorrowAug(ColorNormalizeAug(mean, std)))
    return auglist


class ImageDetIter(ImageIter):
    """Batches of images and their boxes for object detection.

    Labels come out as ``(batch_size, max_objects, object_width)``, rows past an image's objects
    filled with -1; ``max_objects`` is found by scanning the data set once at creation. Keyword
    arguments go to :func:`CreateDetAugmenter` when ``aug_list`` is not given.

    Example
    -------
    >>> it = mx.image.ImageDetIter(batch_size=32, data_shape=(3, 256, 256), path_imgrec='train.rec',
    ...                            path_imgidx='train.idx', shuffle=True, rand_crop=1,
    ...                            min_object_covered=0.95, max_attempts=200)
    >>> batch = it.next()
    >>> batch.label[0].shape
    (32, 1, 5)
    """

    def __init__(
        self,
        batch_size: int,
        data_shape: tuple,
        path_imgrec=None,
        path_imglist=None,
        path_root=None,
        path_imgidx=None,
        shuffle=False,
        part_index=0,
        num_parts=1,
        aug_list=None,
        imglist=None,
        data_name="data",
        label_name="label",
        last_batch_handle="pad",
        **kwargs,
    ) -> None:
        super().__init__(
            batch_size=batch_size,
            data_shape=data_shape,
            path_imgrec=path_imgrec,
            path_imglist=path_imglist,
            path_root=path_root,
            path_imgidx=path_imgidx,
            shuffle=shuffle,
            part_index=part_index,
            num_parts=num_parts,
            aug_list=[],
            imglist=imglist,
            data_name=data_name,
            label_name=label_name,
            last_batch_handle=last_batch_handle,
        )
        self.auglist = CreateDetAugmenter(data_shape, **kwargs) if aug_list is None else aug_list
        label_shape = self._estimate_label_shape()
        self.provide_label = [(label_name, (self.batch_size,) + label_shape)]
        self.label_shape = label_shape

    def _parse_label(self, label) -> np.ndarray:
        raw = np.asarray(label, dtype=np.float32).ravel()
        if raw.size < 7:
            raise MXNetError(f"ImageDetIter: label of {raw.size} values is too short for a detection label")
        header_width, obj_width = int(raw[0]), int(raw[1])
        if obj_width < 5 or header_width < 2 or (raw.size - header_width) % obj_width:
            raise MXNetError(
                f"ImageDetIter: label of {raw.size} values does not split into a {header_width}-value header "
                f"and {obj_width}-value objects"
            )
        out = raw[header_width:].reshape(-1, obj_width)
        valid = (out[:, 3] > out[:, 1]) & (out[:, 4] > out[:, 2])
        if not valid.any():
            raise MXNetError("ImageDetIter: Encounter sample with no valid label.")
        return out[valid]

    def _estimate_label_shape(self) -> tuple:
        max_count, width = 0, 5
        self.reset()
        try:
            while True:
                label, _ = self.next_sample()
                parsed = self._parse_label(label)
                max_count, width = max(max_count, parsed.shape[0]), max(width, parsed.shape[1])
        except StopIteration:
            pass
        self.reset()
        return (max_count, width)

    def reshape(self, data_shape=None, label_shape=None) -> None:
        """Change the output data and/or label shape."""
        if data_shape is not None:
            self.data_shape = tuple(data_shape)
            self.provide_data = [(self.provide_data[0][0], (self.batch_size,) + self.data_shape)]
        if label_shape is not None:
            self.label_shape = tuple(label_shape)
            self.provide_label = [(self.provide_label[0][0], (self.batch_size,) + self.label_shape)]

    def sync_label_shape(self, it, verbose: bool = False):
        """Give this iterator and ``it`` the same (largest) label shape; returns ``it``."""
        shape = tuple(max(a, b) for a, b in zip(self.label_shape, it.label_shape))
        self.reshape(label_shape=shape)
        it.reshape(label_shape=shape)
        return it

    def augmentation_transform(self, data, label=None):
        for aug in self.auglist:
            data, label = aug(data, label)
        return data, label

    def _fill(self, data: np.ndarray, label: np.ndarray, start: int = 0) -> int:
        i = start
        try:
            while i < self.batch_size:
                lab, s = self.next_sample()
                img, boxes = self.augmentation_transform(self.imdecode(s), self._parse_label(lab))
                chw = self.postprocess_data(img)
                if chw.shape != self.data_shape:
                    raise MXNetError(
                        f"ImageDetIter: augmented image has shape {chw.shape}, data_shape is {self.data_shape}"
                    )
                if boxes.shape[0] > label.shape[1] or boxes.shape[1] > label.shape[2]:
                    raise MXNetError(
                        f"ImageDetIter: {boxes.shape} label does not fit the label shape {label.shape[1:]}"
                    )
                data[i] = chw
                label[i] = -1
                label[i, : boxes.shape[0], : boxes.shape[1]] = boxes
                i += 1
        except StopIteration:
            if not i:
                raise
        return i

    def draw_next(
        self,
        color=None,
        thickness: int = 2,
        mean=None,
        std=None,
        clip: bool = True,
        waitKey=None,
        window_name: str = "draw_next",
        id2labels: dict | None = None,
    ):
        """Yield the coming images one by one (not batched), augmented, with their boxes drawn.

        Each image is the augmented HWC image with normalisation undone (``* std`` then
        ``+ mean``; ``True`` means the ImageNet values of :func:`CreateDetAugmenter`), in BGR
        channel order as MXNet yields it, clipped to 0..255 when ``clip`` and truncated to uint8.
        Every box whose ``xmin`` lies in the image gets a rectangle (the pixels of
        ``cv2.rectangle`` with ``thickness``) in ``color`` (RGB; ``None``: a random colour per
        box drawn with ``np.random.rand(3) * 255``, as MXNet), and its class name in white when
        ``id2labels`` maps its class id. Samples without a valid box are skipped.

        Differences from MXNet: no window is opened (``waitKey`` and ``window_name`` are
        accepted for compatibility; a ``waitKey`` warns), text uses Pillow's font instead of
        OpenCV's Hershey glyphs, and a given ``color`` is used as RGB on every image (MXNet 1.9.1
        reverses it again on each image, so every other image got the colour channels swapped).

        Example
        -------
        >>> it = mx.image.ImageDetIter(1, (3, 300, 300), path_imgrec='val.rec')
        >>> for img in it.draw_next(color=(255, 0, 0), id2labels={0: 'cat', 1: 'dog'}):
        ...     Image.fromarray(img[:, :, ::-1]).save('boxes.png')
        """
        if waitKey is not None:
            warnings.warn(
                f"ImageDetIter.draw_next: regluon opens no window ({window_name!r}); waitKey ignored"
            )
        std = _DRAW_STD if std is True else _check_stat("std", std)
        mean = _DRAW_MEAN if mean is True else _check_stat("mean", mean)
        bgr = None if not color else tuple(color)[::-1]
        while True:
            try:
                label, s = self.next_sample()
            except StopIteration:
                return
            data = self.imdecode(s)
            try:
                self.check_valid_image([data])
                label = self._parse_label(label)
            except RuntimeError:
                continue
            data, label = self.augmentation_transform(data, label)
            yield _draw_boxes(_to_bgr(data.asnumpy(), mean, std, clip), label, bgr, thickness, id2labels)


_DRAW_MEAN = np.array([123.68, 116.28, 103.53])
_DRAW_STD = np.array([58.395, 57.12, 57.375])


def _check_stat(name: str, value):
    if value is not None and not (isinstance(value, np.ndarray) and value.shape[:1] in ((1,), (3,))):
        raise MXNetError(
            f"ImageDetIter.draw_next: {name} must be True, None or a NumPy array of 1 or 3 values"
        )
    return value


def _to_bgr(image: np.ndarray, mean, std, clip: bool) -> np.ndarray:
    """Undo normalisation (float32 result of float64 arithmetic, as NumPy's in-place ops on a
    float32 image), swap RGB to BGR, clip and truncate to uint8."""
    image = image.astype(np.float32)
    if std is not None:
        image *= std
    if mean is not None:
        image += mean
    if image.shape[2] == 3:
        image = image[:, :, ::-1]
    if clip:
        image = np.clip(image, 0, 255)
    return np.ascontiguousarray(image.astype(np.uint8))


def _draw_boxes(image: np.ndarray, label: np.ndarray, bgr, thickness: int, id2labels) -> np.ndarray:
    height, width = image.shape[:2]
    # float32 coordinates scaled in float64 (NumPy 1.x's float32 scalar * int), then truncated
    for row in np.asarray(label, np.float32).astype(np.float64):
        x1 = int(row[1] * width)
        if x1 < 0:
            continue
        y1, x2, y2 = int(row[2] * height), int(row[3] * width), int(row[4] * height)
        box_color = np.random.rand(3) * 255 if bgr is None else bgr
        rectangle(image, (x1, y1), (x2, y2), box_color, thickness)
        if id2labels is not None and int(row[0]) in id2labels:
            put_text(image, f"{id2labels[int(row[0])]:s}", x1 + 5, y1 + 5)
    return image
