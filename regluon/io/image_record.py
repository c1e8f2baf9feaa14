"""mx.io.ImageRecordIter: batches of decoded, cropped and normalised images from a ``.rec`` file.

The pipeline follows MXNet's C++ iterator (checked against MXNet 1.9.1 for the deterministic
options): decode (RGB, or grey for one channel), optional ``resize`` of the shorter side
(bilinear), an enlargement keeping the aspect ratio when the image is smaller than
``data_shape`` (after an optional ``pad`` border of ``fill_value``), a centre (or
``rand_crop``: random) crop, optional mirroring, then
``(pixel - mean) / std * scale`` in CHW float32. With ``round_batch`` (default) the last batch
is completed from the start of the next pass, and the next epoch skips those images, as MXNet.

Differences: random choices (``shuffle``, ``rand_crop``, ``rand_mirror``) come from NumPy's
generator seeded with ``seed``, not MXNet's, so they differ image by image; with
``round_batch=False`` the incomplete last batch is zero-filled and ``pad`` counts the missing
images (MXNet leaves stale data and reports 0). The other random augmentations of MXNet's
iterator (rotation, shear, aspect ratio, random scale/area/crop size, HSL, brightness, contrast,
saturation, PCA noise, mean image) are refused with an error when set to anything but their
defaults.
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import numpy as np

from .. import recordio
from ..base import MXNetError
from ..image.codec import decode_to_numpy
from ..image.image import resize_array as _resize
from ..ndarray import array
from .io import DataBatch, DataDesc, DataIter

# Options of MXNet's iterator that are accepted and have no effect here (threading, prefetching,
# devices; the alpha channel's mean and std).
_IGNORED = {
    "preprocess_threads_per_image",
    "prefetch_buffer",
    "ctx",
    "device_id",
    "verbose",
    "shuffle_chunk_size",
    "shuffle_chunk_seed",
    "seed_aug",
    "mean_a",
    "std_a",
    "data_name_suffix",
    "num_parts_per_device",
}
# MXNet's augmentations that regluon does not perform, with their defaults: any other value is
# refused rather than silently ignored.
_NOT_DONE = {
    "max_rotate_angle": 0,
    "max_aspect_ratio": 0,
    "min_aspect_ratio": None,
    "max_shear_ratio": 0,
    "max_crop_size": -1,
    "min_crop_size": -1,
    "max_random_scale": 1,
    "min_random_scale": 1,
    "max_random_area": 1,
    "min_random_area": 1,
    "max_img_size": 1e10,
    "min_img_size": 0,
    "random_h": 0,
    "random_s": 0,
    "random_l": 0,
    "rotate": -1,
    "mean_img": "",
    "brightness": 0,
    "contrast": 0,
    "saturation": 0,
    "pca_noise": 0,
    "random_resized_crop": False,
}


def check_options(name: str, kwargs: dict) -> None:
    """Refuse unknown options and augmentations that regluon does not perform."""
    unknown = sorted(set(kwargs) - _IGNORED - set(_NOT_DONE))
    if unknown:
        raise MXNetError(f"{name}: unknown parameter(s) {unknown}")
    for key, default in _NOT_DONE.items():
        if key in kwargs and kwargs[key] != default:
            raise MXNetError(
                f"{name}: {key}={kwargs[key]!r} is not supported by regluon (supported augmentation: resize, "
                f"pad, rand_crop, rand_mirror/mirror, mean/std/scale); leave it at MXNet's default {default!r}"
            )


class ImageRecordIter(DataIter):
    """Iterate over an image RecordIO file in ``(batch_size,) + data_shape`` float32 batches.

    Parameters (the commonly used ones of MXNet's ``ImageRecordIter``)
    -------------------------------------------------------------------
    path_imgrec : str
        The ``.rec`` file (images packed by ``im2rec`` / ``recordio.pack_img``).
    data_shape : tuple
        ``(C, H, W)`` of each output image, C 1 or 3.
    batch_size : int
    label_width : int
        Number of labels per image (1: labels of shape ``(batch_size,)``).
    shuffle, rand_crop, rand_mirror, mirror : bool
    mean_r, mean_g, mean_b, std_r, std_g, std_b, scale : float
        Normalisation ``(x - mean) / std * scale``.
    resize : int
        Resize the shorter side to this size first (-1: no).
    pad, fill_value : int
        Then add a border of ``pad`` pixels of value ``fill_value`` (default 0 and 255). MXNet's
        pixels are matched when the padded image is at least ``data_shape``; a padded image that
        still needs enlarging is resized here as a whole, where MXNet's sizes and sampling differ
        slightly.
    dtype : str or None
        ``None`` / ``'float32'``: normalised float32 batches; ``'uint8'``: the pixels as they are
        (mean, std and scale unused); ``'int8'``: ``pixel - mean`` saturated to -128..127, with the
        means rounded half away from zero (std and scale unused), as MXNet.
    round_batch : bool
    path_imgidx, num_parts, part_index, seed, preprocess_threads, data_name, label_name

    Example
    -------
    >>> it = mx.io.ImageRecordIter(path_imgrec='train.rec', data_shape=(3, 224, 224), batch_size=32,
    ...                            rand_crop=True, rand_mirror=True, mean_r=123.68, mean_g=116.28, mean_b=103.53)
    >>> it.next().data[0].shape
    (32, 3, 224, 224)
    """

    def __init__(
        self,
        path_imgrec: str,
        data_shape: tuple,
        batch_size: int,
        label_width: int = 1,
        shuffle: bool = False,
        rand_crop: bool = False,
        rand_mirror: bool = False,
        mirror: bool = False,
        mean_r: float = 0.0,
        mean_g: float = 0.0,
        mean_b: float = 0.0,
        std_r: float = 1.0,
        std_g: float = 1.0,
        std_b: float = 1.0,
        scale: float = 1.0,
        resize: int = -1,
        round_batch: bool = True,
        path_imgidx: str | None = None,
        num_parts: int = 1,
        part_index: int = 0,
        seed: int = 0,
        preprocess_threads: int = 4,
        data_name: str = "data",
        label_name: str = "softmax_label",
        inter_method: int = 1,
        dtype: str | None = None,
        pad: int = 0,
        fill_value: int = 255,
        **kwargs,
    ) -> None:
        name = type(self).__name__
        check_options(name, kwargs)
        try:
            dtype = None if dtype is None else np.dtype(dtype).name
        except TypeError:
            pass
        if dtype not in (None, "float32", "uint8", "int8"):
            raise MXNetError(f"{name}: unknown dtype {dtype!r} (float32, uint8 or int8)")
        self._dtype = np.dtype(dtype or "float32")
        super().__init__(batch_size)
        data_shape = tuple(int(d) for d in data_shape)
        if len(data_shape) != 3 or data_shape[0] not in (1, 3):
            raise MXNetError(f"ImageRecordIter: data_shape must be (C, H, W) with C 1 or 3, got {data_shape}")
        self.data_shape, self.label_width = data_shape, label_width
        self.shuffle, self.rand_crop, self.rand_mirror, self.mirror = shuffle, rand_crop, rand_mirror, mirror
        chans = data_shape[0]
        self._mean = np.array([mean_r, mean_g, mean_b][:chans], np.float32)[:, None, None]
        self._std = np.array([std_r, std_g, std_b][:chans], np.float32)[:, None, None]
        self._scale = np.float32(scale)
        # int8 output: pixel - mean with the means rounded half away from zero
        self._int_mean = (np.sign(self._mean) * np.floor(np.abs(self._mean) + 0.5)).astype(np.int16)
        self.resize, self.round_batch, self.inter_method = resize, round_batch, inter_method
        self.pad, self.fill_value = int(pad), int(np.clip(fill_value, 0, 255))
        self._rng = np.random.RandomState(seed)
        self._pool = ThreadPoolExecutor(preprocess_threads) if preprocess_threads > 1 else None
        self._rec, self._offsets = self._open(path_imgrec, path_imgidx)
        if num_parts > 1:
            size = len(self._offsets) // num_parts
            self._offsets = self._offsets[part_index * size : (part_index + 1) * size]
        if not self._offsets:
            raise MXNetError(f'ImageRecordIter: "{path_imgrec}" holds no records')
        label_shape = (batch_size,) if label_width == 1 else (batch_size, label_width)
        self.provide_data = [DataDesc(data_name, (batch_size,) + data_shape, self._dtype.type)]
        self.provide_label = [DataDesc(label_name, label_shape)]
        self._order = self._new_order()
        self._next_order = None  # round_batch: the next pass, begun by the last batch
        self._pos = 0
        self._done = False

    @staticmethod
    def _open(path_imgrec, path_imgidx):
        if path_imgidx:
            rec = recordio.MXIndexedRecordIO(path_imgidx, path_imgrec, "r")
            return rec, sorted(rec.idx.values())
        rec = recordio.MXRecordIO(path_imgrec, "r")
        offsets = []
        while True:
            pos = rec.handle.tell()
            if rec.read() is None:
                break
            offsets.append(pos)
        return rec, offsets

    def _new_order(self) -> np.ndarray:
        order = np.arange(len(self._offsets))
        if self.shuffle:
            self._rng.shuffle(order)
        return order

    def reset(self) -> None:
        if self._next_order is not None:  # round_batch wrapped: the next pass is already begun
            self._order, self._next_order = self._next_order, None
        else:
            self._order = self._new_order()
            self._pos = 0
        self._done = False

    def _read(self, i: int) -> bytes:
        self._rec.handle.seek(self._offsets[i])
        self._rec._key = None
        return self._rec.read()

    def _decode(self, raw: bytes, index: int) -> tuple:
        """The record's header and its image (HWC uint8, RGB or grey), shorter side resized to
        ``resize`` when that is set."""
        header, payload = recordio.unpack(raw)
        where = f'{type(self).__name__}: record {index} of "{self._rec.uri}"'
        img = decode_to_numpy(payload, 1 if self.data_shape[0] == 3 else 0, rgb=True, where=where)
        if img.ndim == 2:
            img = img[:, :, None]
        if self.resize > 0:
            h, w = img.shape[:2]
            if h > w:
                h, w = self.resize * h // w, self.resize
            else:
                h, w = self.resize, self.resize * w // h
            img = _resize(img, w, h, self.inter_method)
        return header, img

    def _process(self, job) -> tuple:
        raw, draws, index = job
        header, img = self._decode(raw, index)
        if self.pad > 0:
            img = np.pad(img, ((self.pad,) * 2, (self.pad,) * 2, (0, 0)), constant_values=self.fill_value)
        _, out_h, out_w = self.data_shape
        h, w = img.shape[:2]
        if h < out_h or w < out_w:  # too small for the crop: enlarge, keeping the aspect ratio
            factor = max(out_h / h, out_w / w)
            h, w = max(out_h, int(h * factor)), max(out_w, int(w * factor))
            img = _resize(img, w, h, self.inter_method)
        if self.rand_crop:
            y, x = int(draws[0] * (h - out_h + 1)), int(draws[1] * (w - out_w + 1))
        else:
            y, x = (h - out_h) // 2, (w - out_w) // 2
        img = img[y : y + out_h, x : x + out_w]
        if self.mirror or (self.rand_mirror and draws[2] < 0.5):
            img = img[:, ::-1]
        label = header.label
        if self.label_width == 1:
            label = float(np.asarray(label).reshape(-1)[0])
        else:
            label = np.asarray(label, np.float32).reshape(-1)[: self.label_width]
        return self._normalise(img.transpose(2, 0, 1)), label

    def _normalise(self, chw: np.ndarray) -> np.ndarray:
        """CHW uint8 pixels to the output: normalised float32, or uint8/int8 as MXNet."""
        if self._dtype == np.uint8:
            return chw
        if self._dtype == np.int8:
            return np.clip(chw.astype(np.int16) - self._int_mean, -128, 127).astype(np.int8)
        return (chw.astype(np.float32) - self._mean) / self._std * self._scale

    def _draws(self):
        """The random numbers one image's processing uses (drawn in order, before the threads)."""
        return self._rng.random_sample(3)

    def _indices(self):
        n, bs = len(self._order), self.batch_size
        take = list(self._order[self._pos : self._pos + bs])
        self._pos += len(take)
        missing = bs - len(take)
        if self._pos >= n:
            self._done = True
        if missing and self.round_batch:
            self._next_order = self._new_order()
            take += [self._next_order[i % n] for i in range(missing)]
            self._pos = min(missing, n)  # the next epoch skips the images used here
        return take, missing

    def next(self) -> DataBatch:
        if self._done:
            raise StopIteration
        take, pad = self._indices()
        jobs = [(self._read(int(i)), self._draws(), int(i)) for i in take]
        results = (
            list(self._pool.map(self._process, jobs)) if self._pool else [self._process(j) for j in jobs]
        )
        data = np.zeros((self.batch_size,) + self.data_shape, self._dtype)
        label = np.zeros(self.provide_label[0].shape, np.float32)
        for k, (chw, lab) in enumerate(results):
            data[k] = chw
            label[k] = lab
        return DataBatch([array(data, dtype=data.dtype)], [array(label)], pad=pad)

    def iter_next(self) -> bool:
        return not self._done


class ImageRecordUInt8Iter(ImageRecordIter):
    """:class:`ImageRecordIter` yielding the uint8 pixels (``dtype='uint8'``; no mean, std or scale).

    Example
    -------
    >>> it = mx.io.ImageRecordUInt8Iter(path_imgrec='train.rec', data_shape=(3, 224, 224), batch_size=32)
    >>> it.next().data[0].dtype
    <class 'numpy.uint8'>
    """

    def __init__(self, path_imgrec: str, data_shape: tuple, batch_size: int, **kwargs) -> None:
        kwargs["dtype"] = "uint8"
        super().__init__(path_imgrec, data_shape, batch_size, **kwargs)


class ImageRecordInt8Iter(ImageRecordIter):
    """:class:`ImageRecordIter` yielding int8 data: ``pixel - mean`` saturated to -128..127
    (``dtype='int8'``; the means rounded half away from zero, std and scale unused).

    Example
    -------
    >>> it = mx.io.ImageRecordInt8Iter(path_imgrec='train.rec', data_shape=(3, 224, 224), batch_size=32,
    ...                                mean_r=123, mean_g=117, mean_b=104)
    >>> it.next().data[0].dtype
    <class 'numpy.int8'>
    """

    def __init__(self, path_imgrec: str, data_shape: tuple, batch_size: int, **kwargs) -> None:
        kwargs["dtype"] = "int8"
        super().__init__(path_imgrec, data_shape, batch_size, **kwargs)
