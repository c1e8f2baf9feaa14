"""``mx.test_utils`` dataset helpers: ``download``, ``get_mnist``, ``get_mnist_ubyte``, ``get_cifar10``.

They fetch MXNet's copies of the data sets from data.mxnet.io into the current directory, as MXNet
does; without a network they fail with an MXNetError naming the URL and the path where the file can
be put by hand (files already there are used as they are). Part of :mod:`regluon.test_utils`.
"""

from __future__ import annotations

import gzip
import os
import zipfile

import numpy as np

from .base import MXNetError
from .gluon.utils import download as _gluon_download

_MNIST_URL = "http://data.mxnet.io/data/mnist/"
_MNIST_FILES = (
    "train-images-idx3-ubyte",
    "train-labels-idx1-ubyte",
    "t10k-images-idx3-ubyte",
    "t10k-labels-idx1-ubyte",
)
_CIFAR_FILES = ("train.rec", "test.rec", "train.lst", "test.lst")


def download(
    url: str, fname: str | None = None, dirname: str | None = None, overwrite: bool = False, retries: int = 5
) -> str:
    """Download ``url`` to ``fname`` (default: the URL's last part) in ``dirname``; returns the path.

    An existing file is kept unless ``overwrite``. Without a network the MXNetError names the URL
    and the path to put the file at by hand.

    Example:
        >>> path = mx.test_utils.download('http://data.mxnet.io/data/mnist/t10k-labels-idx1-ubyte.gz')
    """
    if retries < 0:
        raise AssertionError("Number of retries should be at least 0")
    fname = url.split("/")[-1] if fname is None else fname
    if dirname is None:
        dirname = os.path.dirname(fname)
    else:
        fname = os.path.join(dirname, fname)
    if dirname:
        os.makedirs(dirname, exist_ok=True)
    if not overwrite and os.path.exists(fname):
        return fname
    return _gluon_download(url, path=fname, overwrite=True, retries=retries)


def _read_idx(path: str, magic: int, ndim: int) -> np.ndarray:
    """An MNIST idx file (gzip-compressed) as a uint8 array, its header checked."""
    with gzip.open(path, "rb") as f:
        raw = f.read()
    header = 4 + 4 * ndim
    if len(raw) < header or int.from_bytes(raw[:4], "big") != magic:
        raise MXNetError(f"{path} is not an MNIST idx file (magic {magic:#x} expected)")
    dims = [int.from_bytes(raw[4 + 4 * i : 8 + 4 * i], "big") for i in range(ndim)]
    count = int(np.prod(dims))
    if len(raw) - header != count:
        raise MXNetError(f"{path}: header says {dims} ({count} bytes) but {len(raw) - header} bytes follow")
    return np.frombuffer(raw, dtype=np.uint8, offset=header).reshape(dims)


def get_mnist() -> dict:
    """MNIST as NumPy arrays: ``train_data`` / ``test_data`` float32 of shape (N, 1, 28, 28) in
    [0, 1], ``train_label`` / ``test_label`` int8. The four ``.gz`` files are downloaded into the
    current directory unless already there.

    Example:
        >>> mnist = mx.test_utils.get_mnist()
        >>> mnist['train_data'].shape
        (60000, 1, 28, 28)
    """
    out = {}
    for part, prefix in (("train", "train"), ("test", "t10k")):
        labels = _read_idx(download(_MNIST_URL + f"{prefix}-labels-idx1-ubyte.gz"), 0x801, 1)
        images = _read_idx(download(_MNIST_URL + f"{prefix}-images-idx3-ubyte.gz"), 0x803, 3)
        if images.shape[0] != labels.shape[0]:
            raise MXNetError(f"MNIST {part}: {images.shape[0]} images but {labels.shape[0]} labels")
        out[f"{part}_data"] = images.reshape(images.shape[0], 1, 28, 28).astype(np.float32) / 255
        out[f"{part}_label"] = labels.view(np.int8)
    return {k: out[k] for k in ("train_data", "train_label", "test_data", "test_label")}


def _fetch_zip(url: str, wanted: list[str]) -> None:
    os.makedirs("data", exist_ok=True)
    if all(os.path.exists(p) for p in wanted):
        return
    with zipfile.ZipFile(download(url, dirname="data")) as zf:
        zf.extractall("data")  # zipfile drops absolute paths and '..' from member names


def get_mnist_ubyte() -> None:
    """Put the four uncompressed MNIST ``*-ubyte`` files into ``./data`` (downloading mnist.zip
    when any is missing)."""
    _fetch_zip("http://data.mxnet.io/mxnet/data/mnist.zip", [os.path.join("data", f) for f in _MNIST_FILES])


def get_cifar10() -> None:
    """Put CIFAR-10 as RecordIO files (``train.rec``, ``test.rec`` and their ``.lst``) into
    ``./data/cifar`` (downloading cifar10.zip when any is missing)."""
    _fetch_zip(
        "http://data.mxnet.io/mxnet/data/cifar10.zip",
        [os.path.join("data", "cifar", f) for f in _CIFAR_FILES],
    )


def get_mnist_iterator(batch_size: int, input_shape, num_parts: int = 1, part_index: int = 0):
    """``(train, val)`` MNISTIters over ``./data`` (fetched with :func:`get_mnist_ubyte`); images are
    flat unless ``input_shape`` has three dimensions; only the training one shuffles."""
    from .io import MNISTIter

    get_mnist_ubyte()
    common = {
        "input_shape": input_shape,
        "batch_size": batch_size,
        "flat": len(input_shape) != 3,
        "num_parts": num_parts,
        "part_index": part_index,
    }
    train = MNISTIter(
        image="data/train-images-idx3-ubyte", label="data/train-labels-idx1-ubyte", shuffle=True, **common
    )
    val = MNISTIter(
        image="data/t10k-images-idx3-ubyte", label="data/t10k-labels-idx1-ubyte", shuffle=False, **common
    )
    return train, val


def get_zip_data(data_dir: str, url: str, data_origin_name: str) -> None:
    """Download the zip file ``url`` into ``data_dir`` as ``data_origin_name`` and extract it there
    (nothing happens when that file is already there)."""
    archive = os.path.join(data_dir, data_origin_name)
    if not os.path.exists(archive):
        download(url, dirname=data_dir)
        with zipfile.ZipFile(archive) as zf:
            zf.extractall(path=data_dir)


def get_bz2_data(data_dir: str, data_name: str, url: str, data_origin_name: str) -> None:
    """Download the bz2 file ``url`` into ``data_dir`` and decompress it to ``data_name`` (the
    archive is removed afterwards; nothing happens when ``data_name`` is already there)."""
    import bz2
    import shutil

    target = os.path.join(data_dir, data_name)
    if os.path.exists(target):
        return
    archive = download(url, fname=data_origin_name, dirname=data_dir)
    with bz2.open(archive, "rb") as src, open(target, "wb") as dst:
        shutil.copyfileobj(src, dst)
    os.remove(archive)
