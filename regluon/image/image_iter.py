"""mx.image.ImageIter: batches of augmented images from a RecordIO file, a .lst file or a list."""

from __future__ import annotations

import os
import random as _random

import numpy as np

from .. import recordio
from ..base import MXNetError
from ..io.io import DataBatch, DataIter
from ..ndarray import NDArray, array
from .augment import CreateAugmenter
from .image import imdecode


class ImageIter(DataIter):
    """Iterate over images with augmentation, in batches of ``(batch_size,) + data_shape`` (NCHW).

    Images come from ``path_imgrec`` (a ``.rec`` file; with ``path_imgidx`` for shuffling and
    partitioning), or from ``path_imglist`` (a ``.lst`` file) / ``imglist`` (``[[label, path]]``)
    with files under ``path_root``. Without ``aug_list`` the augmenters come from
    :func:`CreateAugmenter` with the extra keyword arguments (``resize``, ``rand_crop``, ...).
    ``last_batch_handle`` is 'pad' (the last batch is completed from the start), 'discard' or
    'roll_over'; shuffling uses Python's ``random`` module, as MXNet.

    Example
    -------
    >>> it = mx.image.ImageIter(32, (3, 224, 224), path_imgrec='train.rec', path_imgidx='train.idx',
    ...                         shuffle=True, rand_crop=True, rand_mirror=True)
    >>> batch = it.next()
    >>> batch.data[0].shape
    (32, 3, 224, 224)
    """

    def __init__(
        self,
        batch_size: int,
        data_shape: tuple,
        label_width: int = 1,
        path_imgrec: str | None = None,
        path_imglist: str | None = None,
        path_root: str | None = None,
        path_imgidx: str | None = None,
        shuffle: bool = False,
        part_index: int = 0,
        num_parts: int = 1,
        aug_list: list | None = None,
        imglist: list | None = None,
        data_name: str = "data",
        label_name: str = "softmax_label",
        dtype: str = "float32",
        last_batch_handle: str = "pad",
        **kwargs,
    ) -> None:
        super().__init__(batch_size)
        if not (path_imgrec or path_imglist or isinstance(imglist, list)):
            raise MXNetError("ImageIter: give path_imgrec, path_imglist or imglist")
        if len(data_shape) != 3 or data_shape[0] not in (1, 3):
            raise MXNetError(f"ImageIter: data_shape must be (C, H, W) with C 1 or 3, got {data_shape}")
        if last_batch_handle not in ("pad", "discard", "roll_over"):
            raise ValueError(
                f"ImageIter: last_batch_handle must be 'pad', 'discard' or 'roll_over', got {last_batch_handle!r}"
            )
        self.imgrec = None
        self.imgidx = None
        self.seq = None
        if path_imgrec:
            if path_imgidx:
                self.imgrec = recordio.MXIndexedRecordIO(path_imgidx, path_imgrec, "r")
                self.imgidx = list(self.imgrec.keys)
            else:
                self.imgrec = recordio.MXRecordIO(path_imgrec, "r")
        self.imglist = self._load_list(path_imglist, imglist, label_width)
        if self.imglist is not None:
            self.seq = list(self.imglist)
        elif shuffle or num_parts > 1 or path_imgidx:
            if self.imgidx is None:
                raise MXNetError("ImageIter: shuffle and num_parts > 1 need path_imgidx with path_imgrec")
            self.seq = self.imgidx
        if num_parts > 1:
            size = len(self.seq) // num_parts
            self.seq = self.seq[part_index * size : (part_index + 1) * size]
        self.path_root = path_root
        self.data_shape = tuple(data_shape)
        self.label_width = label_width
        self.shuffle = shuffle
        self.dtype = dtype
        self.last_batch_handle = last_batch_handle
        self.provide_data = [(data_name, (batch_size,) + self.data_shape)]
        label_shape = (batch_size,) if label_width == 1 else (batch_size, label_width)
        self.provide_label = [(label_name, label_shape)]
        self.auglist = CreateAugmenter(data_shape, **kwargs) if aug_list is None else aug_list
        self.num_image = len(self.seq) if self.seq is not None else None
        self.cur = 0
        self._where = "image"  # what next_sample read last, for error messages
        self._allow_read = True
        self._cache = None  # roll_over: (data, label, filled) of the unfinished last batch
        self.reset()

    @staticmethod
    def _load_list(path_imglist, imglist, label_width):
        if path_imglist:
            from ..tools.im2rec import read_list

            return {
                item[0]: (np.array(item[2:], dtype=np.float32), item[1]) for item in read_list(path_imglist)
            }
        if imglist is None:
            return None
        out = {}
        for index, entry in enumerate(imglist, 1):
            label = np.atleast_1d(np.asarray(entry[0], dtype=np.float32))
            if label.size != label_width:
                raise MXNetError(
                    f"ImageIter: imglist entry {index - 1} has {label.size} labels, label_width is {label_width}"
                )
            out[index] = (label, entry[1])
        return out

    def reset(self) -> None:
        if self.seq is not None and self.shuffle:
            _random.shuffle(self.seq)
        if self.last_batch_handle != "roll_over" or self._cache is None:
            if self.imgrec is not None:
                self.imgrec.reset()
            self.cur = 0
        self._allow_read = True

    def hard_reset(self) -> None:
        """Start again from the first image, dropping a rolled-over partial batch."""
        if self.seq is not None and self.shuffle:
            _random.shuffle(self.seq)
        if self.imgrec is not None:
            self.imgrec.reset()
        self.cur = 0
        self._allow_read = True
        self._cache = None

    def next_sample(self):
        """The next ``(label, encoded image bytes)``; ``StopIteration`` at the end (the position
        goes back to the start unless the last batch is discarded)."""
        if not self._allow_read:
            raise StopIteration
        if self.seq is not None:
            if self.cur >= self.num_image:
                if self.last_batch_handle != "discard":
                    self.cur = 0
                raise StopIteration
            idx = self.seq[self.cur]
            self.cur += 1
            if self.imgrec is not None:
                self._where = f'record with key {idx!r} of "{self.imgrec.uri}"'
                header, img = recordio.unpack(self.imgrec.read_idx(idx))
                label = self.imglist[idx][0] if self.imglist is not None else header.label
                return label, img
            label, fname = self.imglist[idx]
            self._where = f'image "{fname}"'
            return label, self.read_image(fname)
        self._where = f'record {self.imgrec._count} of "{self.imgrec.uri}"'
        s = self.imgrec.read()
        if s is None:
            if self.last_batch_handle != "discard":
                self.imgrec.reset()
            raise StopIteration
        header, img = recordio.unpack(s)
        return header.label, img

    def read_image(self, fname: str) -> bytes:
        """The bytes of image ``fname`` (relative to ``path_root``)."""
        path = os.path.join(self.path_root, fname) if self.path_root is not None else fname
        try:
            with open(path, "rb") as f:
                return f.read()
        except OSError as err:
            raise MXNetError(f'ImageIter: cannot read image "{path}": {err.strerror}') from None

    def imdecode(self, s: bytes) -> NDArray:
        """Decode one image (RGB, or grey for data_shape[0] == 1)."""
        try:
            return imdecode(s, flag=1 if self.data_shape[0] == 3 else 0)
        except MXNetError as err:
            raise MXNetError(f"{type(self).__name__}: cannot decode the {self._where}: {err}") from None

    def check_valid_image(self, data: list) -> None:
        """Raise ``RuntimeError`` when the first decoded image of ``data`` (a list) has no shape."""
        if len(data[0].shape) == 0:
            raise RuntimeError("Data shape is wrong")

    def augmentation_transform(self, data: NDArray) -> NDArray:
        for aug in self.auglist:
            data = aug(data)
        return data

    def postprocess_data(self, datum: NDArray) -> np.ndarray:
        """HWC -> CHW."""
        return np.transpose(datum.asnumpy(), (2, 0, 1))

    def _fill(self, data: np.ndarray, label: np.ndarray, start: int = 0) -> int:
        i = start
        try:
            while i < self.batch_size:
                lab, s = self.next_sample()
                img = self.augmentation_transform(self.imdecode(s))
                chw = self.postprocess_data(img)
                if chw.shape != self.data_shape:
                    raise MXNetError(
                        f"ImageIter: augmented image has shape {chw.shape} (CHW), data_shape is {self.data_shape}; "
                        "add a crop or resize augmenter"
                    )
                data[i] = chw
                label[i] = np.asarray(lab, dtype=np.float32).reshape(label.shape[1:])
                i += 1
        except StopIteration:
            if not i:
                raise
        return i

    def next(self) -> DataBatch:
        if self._cache is not None:
            data, label, filled = self._cache
        else:
            data = np.zeros((self.batch_size,) + self.data_shape, dtype=self.dtype)
            label = np.zeros(self.provide_label[0][1], dtype=np.float32)
            filled = self._fill(data, label)
        pad = self.batch_size - filled
        if pad:
            if self.last_batch_handle == "discard":
                raise StopIteration
            if self.last_batch_handle == "roll_over" and self._cache is None:
                self._cache = (data, label, filled)
                raise StopIteration
            self._fill(data, label, filled)
            if self.last_batch_handle == "pad":
                self._allow_read = False
            else:
                self._cache = None
        return DataBatch([array(data, dtype=data.dtype)], [array(label)], pad=pad)
