"""mx.io.MNISTIter: batches from MNIST's IDX files (``*-idx3-ubyte`` images, ``*-idx1-ubyte`` labels)."""

from __future__ import annotations

import struct

import numpy as np

from ..base import MXNetError
from ..ndarray import array
from .io import DataBatch, DataDesc, DataIter


def read_idx(path: str, magic: int, what: str) -> np.ndarray:
    """Read an uncompressed IDX file of unsigned bytes with the expected ``magic`` number."""
    try:
        with open(path, "rb") as f:
            data = f.read()
    except OSError as err:
        raise MXNetError(f'MNISTIter: cannot read the {what} file "{path}": {err.strerror}') from None
    ndim = magic & 0xFF
    head = 4 + 4 * ndim
    if len(data) < head or struct.unpack(">I", data[:4])[0] != magic:
        raise MXNetError(f'MNISTIter: "{path}" is not an IDX {what} file (magic number {magic} expected)')
    dims = struct.unpack(f">{ndim}I", data[4:head])
    if len(data) - head != int(np.prod(dims)):
        raise MXNetError(
            f'MNISTIter: "{path}" announces {dims} values ({int(np.prod(dims))} bytes) but holds {len(data) - head}'
        )
    return np.frombuffer(data, np.uint8, offset=head).reshape(dims)


class MNISTIter(DataIter):
    """Iterate over MNIST in full batches (a last partial batch is dropped), pixels scaled by 1/256.

    ``shuffle`` (default True) permutes the samples once, with NumPy's generator seeded by
    ``seed`` (MXNet uses its own generator, so the order differs from MXNet's).

    Example
    -------
    >>> it = mx.io.MNISTIter(image='train-images-idx3-ubyte', label='train-labels-idx1-ubyte',
    ...                      batch_size=100, flat=True)
    >>> it.next().data[0].shape
    (100, 784)
    """

    def __init__(
        self,
        image: str = "./train-images-idx3-ubyte",
        label: str = "./train-labels-idx1-ubyte",
        batch_size: int = 128,
        shuffle: bool = True,
        flat: bool = False,
        seed: int = 0,
        silent: bool = False,
        num_parts: int = 1,
        part_index: int = 0,
        data_name: str = "data",
        label_name: str = "softmax_label",
        **kwargs,
    ) -> None:
        unknown = sorted(set(kwargs) - {"prefetch_buffer", "ctx", "dtype", "input_shape"})
        if unknown:
            raise MXNetError(f"MNISTIter: unknown parameter(s) {unknown}")
        super().__init__(batch_size)
        images = read_idx(image, 2051, "image")
        labels = read_idx(label, 2049, "label")
        if images.shape[0] != labels.shape[0]:
            raise MXNetError(f"MNISTIter: {images.shape[0]} images but {labels.shape[0]} labels")
        order = np.random.RandomState(seed).permutation(len(labels)) if shuffle else np.arange(len(labels))
        size = len(order) // num_parts
        order = order[part_index * size : (part_index + 1) * size]
        shape = (-1, images.shape[1] * images.shape[2]) if flat else (-1, 1, images.shape[1], images.shape[2])
        self._data = (images[order].astype(np.float32) / 256.0).reshape(shape)
        self._label = labels[order].astype(np.float32)
        if not silent:
            print(
                f"MNISTIter: load {len(order)} images, shuffle={int(bool(shuffle))}, shape={self._data.shape}"
            )
        self.provide_data = [DataDesc(data_name, (batch_size,) + self._data.shape[1:])]
        self.provide_label = [DataDesc(label_name, (batch_size,))]
        self._pos = 0

    def reset(self) -> None:
        self._pos = 0

    def iter_next(self) -> bool:
        return self._pos + self.batch_size <= self._data.shape[0]

    def next(self) -> DataBatch:
        if not self.iter_next():
            raise StopIteration
        rows = slice(self._pos, self._pos + self.batch_size)
        self._pos += self.batch_size
        return DataBatch([array(self._data[rows])], [array(self._label[rows])], pad=0)
