"""``gluon.data.vision`` datasets: MNIST, FashionMNIST, CIFAR10/100 in their original file formats,
and image datasets over RecordIO files, folders and image lists.

The downloadable datasets read their files from ``root`` (default
``$MXNET_HOME/datasets/<name>``, MXNET_HOME defaulting to ``~/.mxnet``). Missing files are
downloaded from MXNet's repository (``MXNET_GLUON_REPO`` honoured) as MXNet does; offline, one
error names the files and the directory to put them in. Files under their original names are
checked against MXNet's SHA-1 list; a file that differs (the same data compressed by someone else,
e.g. Debian's ``dataset-fashion-mnist``) is used after its structure is validated, with a warning.
"""

from __future__ import annotations

import gzip
import hashlib
import os
import struct
import tarfile
import urllib.request
import warnings
from collections.abc import Callable, Sequence

import numpy as np

from .... import ndarray as nd
from ....base import MXNetError
from ..dataset import Dataset, RecordFileDataset

__all__ = [
    "MNIST",
    "FashionMNIST",
    "CIFAR10",
    "CIFAR100",
    "ImageRecordDataset",
    "ImageFolderDataset",
    "ImageListDataset",
]

_DEFAULT_REPO = "https://apache-mxnet.s3-accelerate.dualstack.amazonaws.com/"


def _data_dir() -> str:
    return os.environ.get("MXNET_HOME", os.path.join(os.path.expanduser("~"), ".mxnet"))


def _sha1(path: str) -> str:
    h = hashlib.sha1()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def _download(namespace: str, filename: str, root: str, timeout: float = 30) -> str:
    """Fetch ``filename`` of MXNet's dataset repository into ``root``; raises OSError offline."""
    repo = os.environ.get("MXNET_GLUON_REPO", _DEFAULT_REPO)
    url = f"{repo.rstrip('/')}/gluon/dataset/{namespace}/{filename}"
    os.makedirs(root, exist_ok=True)
    target = os.path.join(root, filename)
    tmp = target + ".part"
    with urllib.request.urlopen(url, timeout=timeout) as resp, open(tmp, "wb") as out:
        while chunk := resp.read(1 << 20):
            out.write(chunk)
    os.replace(tmp, target)
    return target


class _DownloadedDataset(Dataset):
    """Samples ``(data[i], label[i])`` of arrays read once from files, optionally transformed."""

    _namespace = ""

    def __init__(self, root: str | None, transform: Callable | None):
        self._root = os.path.expanduser(root or os.path.join(_data_dir(), "datasets", self._namespace))
        self._transform = transform
        self._data, self._label = self._get_data()

    def __getitem__(self, idx):
        if self._transform is not None:
            return self._transform(self._data[idx], self._label[idx])
        return self._data[idx], self._label[idx]

    def __len__(self) -> int:
        return len(self._label)

    def _locate(self, files: Sequence[tuple[str, str]], fetch: Sequence[str] | None = None) -> dict:
        """Path of each (name, sha1) file: found in ``root`` (also uncompressed, for ``.gz`` names),
        or downloaded (``fetch`` lists the archives that provide them, default the files)."""
        found, missing = {}, []
        for name, _ in files:
            path = self._find(name)
            if path is None:
                missing.append(name)
            found[name] = path
        if missing:
            try:
                for archive in fetch or missing:
                    path = _download(self._namespace, archive, self._root)
                    if archive.endswith(".tar.gz"):
                        with tarfile.open(path) as tar:
                            tar.extractall(self._root, filter="data")
            except OSError as e:
                raise MXNetError(
                    f"{type(self).__name__}: cannot find {', '.join(missing)} in {self._root} and cannot "
                    f"download {', '.join(fetch or missing)} from MXNet's repository ({e}). Put the files in "
                    f"{self._root} (or pass root= to the directory that holds them)."
                ) from None
            found = {name: self._find(name) for name, _ in files}
        for name, sha1 in files:
            if found[name] is None:
                raise MXNetError(
                    f"{type(self).__name__}: {name} is missing from {self._root} after the download"
                )
            if os.path.basename(found[name]) == name and _sha1(found[name]) != sha1:
                warnings.warn(
                    f"{type(self).__name__}: {found[name]} has SHA-1 {_sha1(found[name])}, not MXNet's {sha1}; "
                    "reading it anyway (its structure is checked)",
                    stacklevel=4,
                )
        return found

    def _find(self, name: str) -> str | None:
        subdirs = ("", "cifar-10-batches-bin", "cifar-100-binary")
        names = (name, name[:-3]) if name.endswith(".gz") else (name,)
        for sub in subdirs:
            for n in names:
                path = os.path.join(self._root, sub, n)
                if os.path.isfile(path):
                    return path
        return None


def _read_bytes(path: str) -> bytes:
    try:
        if path.endswith(".gz"):
            with gzip.open(path, "rb") as f:
                return f.read()
        with open(path, "rb") as f:
            return f.read()
    except (OSError, EOFError, gzip.BadGzipFile) as e:
        raise MXNetError(
            f"cannot read {path}: {e} (a truncated or corrupt file? delete it to download again)"
        ) from None


def _read_idx(path: str, magic: int, ndim: int) -> np.ndarray:
    """An IDX file of unsigned bytes (magic 0x801 labels, 0x803 images) as a uint8 array."""
    raw = _read_bytes(path)
    head = 4 + 4 * ndim
    if len(raw) < head or struct.unpack(">I", raw[:4])[0] != magic:
        got = struct.unpack(">I", raw[:4])[0] if len(raw) >= 4 else None
        raise MXNetError(
            f"{path}: not an IDX file of unsigned bytes with {ndim} dims (magic {got!r}, expected {magic:#x})"
        )
    dims = struct.unpack(f">{ndim}I", raw[4:head])
    size = int(np.prod(dims))
    if len(raw) - head != size:
        raise MXNetError(
            f"{path}: the header says {dims} = {size} bytes of data, the file holds {len(raw) - head}"
        )
    return np.frombuffer(raw, dtype=np.uint8, offset=head).reshape(dims)


class MNIST(_DownloadedDataset):
    """The MNIST handwritten digits: samples ``(image, label)``, the image a (28, 28, 1) uint8
    NDArray and the label a NumPy int32.

    Parameters
    ----------
    root : str, default $MXNET_HOME/datasets/mnist
        Directory of the IDX files (``train-images-idx3-ubyte.gz`` ... , or uncompressed).
    train : bool, default True
        The 60000 training samples, or the 10000 test samples.
    transform : callable, optional
        ``transform(image, label)`` returns the sample.

    Example:
        >>> mnist_train = gdata.vision.MNIST(train=True)
        >>> image, label = mnist_train[0]
    """

    _namespace = "mnist"
    _files = {
        "train": (
            ("train-images-idx3-ubyte.gz", "6c95f4b05d2bf285e1bfb0e7960c31bd3b3f8a7d"),
            ("train-labels-idx1-ubyte.gz", "2a80914081dc54586dbdf242f9805a6b8d2a15fc"),
        ),
        "test": (
            ("t10k-images-idx3-ubyte.gz", "c3a25af1f52dad7f726cce8cacb138654b760d48"),
            ("t10k-labels-idx1-ubyte.gz", "763e7fa3757d93b0cdec073cef058b2004252c17"),
        ),
    }

    def __init__(self, root: str | None = None, train: bool = True, transform: Callable | None = None):
        self._train = train
        super().__init__(root, transform)

    def _get_data(self):
        files = self._files["train" if self._train else "test"]
        paths = self._locate(files)
        images = _read_idx(paths[files[0][0]], 0x803, 3)
        labels = _read_idx(paths[files[1][0]], 0x801, 1)
        if len(images) != len(labels):
            raise MXNetError(
                f"{type(self).__name__}: {len(images)} images but {len(labels)} labels in {self._root}"
            )
        data = images.reshape(*images.shape, 1)
        return nd.array(data, dtype=np.uint8), labels.astype(np.int32)


class FashionMNIST(MNIST):
    """Fashion-MNIST (Zalando's clothing images), in MNIST's format and layout.

    Parameters as :class:`MNIST`; ``root`` defaults to ``$MXNET_HOME/datasets/fashion-mnist``.

    Example:
        >>> mnist_train = gdata.vision.FashionMNIST(train=True)
        >>> len(mnist_train)
        60000
    """

    _namespace = "fashion-mnist"
    _files = {
        "train": (
            ("train-images-idx3-ubyte.gz", "0cf37b0d40ed5169c6b3aba31069a9770ac9043d"),
            ("train-labels-idx1-ubyte.gz", "236021d52f1e40852b06a4c3008d8de8aef1e40b"),
        ),
        "test": (
            ("t10k-images-idx3-ubyte.gz", "626ed6a7c06dd17c0eec72fa3be1740f146a2863"),
            ("t10k-labels-idx1-ubyte.gz", "17f9ab60e7257a1620f4ad76bbbaf857c3920701"),
        ),
    }


class CIFAR10(_DownloadedDataset):
    """CIFAR-10 from its binary batches: samples ``(image, label)``, the image a (32, 32, 3) uint8
    NDArray, the label a NumPy int32.

    Parameters
    ----------
    root : str, default $MXNET_HOME/datasets/cifar10
        Directory of ``data_batch_1.bin`` ... ``test_batch.bin`` (or of the extracted archive).
    train : bool, default True
    transform : callable, optional

    Example:
        >>> cifar = gdata.vision.CIFAR10(train=False)
    """

    _namespace = "cifar10"
    _archive = "cifar-10-binary.tar.gz"
    _label_bytes, _label_index = 1, 0
    _train_files = (
        ("data_batch_1.bin", "aadd24acce27caa71bf4b10992e9e7b2d74c2540"),
        ("data_batch_2.bin", "c0ba65cce70568cd57b4e03e9ac8d2a5367c1795"),
        ("data_batch_3.bin", "1dd00a74ab1d17a6e7d73e185b69dbf31242f295"),
        ("data_batch_4.bin", "aab85764eb3584312d3c7f65fd2fd016e36a258e"),
        ("data_batch_5.bin", "26e2849e66a845b7f1e4614ae70f4889ae604628"),
    )
    _test_files = (("test_batch.bin", "67eb016db431130d61cd03c7ad570b013799c88c"),)

    def __init__(self, root: str | None = None, train: bool = True, transform: Callable | None = None):
        self._train = train
        super().__init__(root, transform)

    def _get_data(self):
        files = self._train_files if self._train else self._test_files
        paths = self._locate(files, fetch=(self._archive,))
        data, labels = zip(*(self._read_batch(paths[name]) for name, _ in files))
        return nd.array(np.concatenate(data), dtype=np.uint8), np.concatenate(labels)

    def _read_batch(self, path: str):
        raw = _read_bytes(path)
        row = 3072 + self._label_bytes
        if not raw or len(raw) % row:
            raise MXNetError(f"{path}: {len(raw)} bytes is not a whole number of {row}-byte CIFAR records")
        rec = np.frombuffer(raw, dtype=np.uint8).reshape(-1, row)
        images = rec[:, self._label_bytes :].reshape(-1, 3, 32, 32).transpose(0, 2, 3, 1)
        return images, rec[:, self._label_index].astype(np.int32)


class CIFAR100(CIFAR10):
    """CIFAR-100 from its binary files; ``fine_label`` picks the 100 fine classes instead of the
    20 coarse ones.

    Example:
        >>> cifar = gdata.vision.CIFAR100(fine_label=True)
    """

    _namespace = "cifar100"
    _archive = "cifar-100-binary.tar.gz"
    _label_bytes = 2
    _train_files = (("train.bin", "e207cd2e05b73b1393c74c7f5e7bea451d63e08e"),)
    _test_files = (("test.bin", "8fb6623e830365ff53cf14adec797474f5478006"),)

    def __init__(
        self,
        root: str | None = None,
        fine_label: bool = False,
        train: bool = True,
        transform: Callable | None = None,
    ):
        self._label_index = int(fine_label)
        super().__init__(root, train, transform)


# ------------------------------------------------------------------------------ image datasets
class ImageRecordDataset(RecordFileDataset):
    """Images packed in a RecordIO file: samples ``(image, label)``, the image decoded to an
    (H, W, C) uint8 NDArray (``flag`` 1 colour, 0 grey), the label from the record header.

    Example:
        >>> ds = gdata.vision.ImageRecordDataset('train.rec')
        >>> image, label = ds[0]
    """

    def __init__(self, filename: str, flag: int = 1, transform: Callable | None = None):
        super().__init__(filename)
        self._flag, self._transform = flag, transform

    def __getitem__(self, idx):
        from .... import image, recordio

        header, payload = recordio.unpack(super().__getitem__(idx))
        img = image.imdecode(payload, self._flag)
        if self._transform is not None:
            return self._transform(img, header.label)
        return img, header.label


class _ImageFilesDataset(Dataset):
    def __len__(self) -> int:
        return len(self.items)

    def __getitem__(self, idx):
        from .... import image

        path, label = self.items[idx]
        img = image.imread(path, self._flag)
        if self._transform is not None:
            return self._transform(img, label)
        return img, label


class ImageFolderDataset(_ImageFilesDataset):
    """Images in one sub-folder per class (``root/cat/1.jpg``): samples ``(image, label)``, the
    label the index of the folder in ``synsets`` (sorted names). Files other than .jpg, .jpeg and
    .png are skipped with a warning.

    Example:
        >>> ds = gdata.vision.ImageFolderDataset('photos')
        >>> ds.synsets
        ['cat', 'dog']
    """

    _exts = (".jpg", ".jpeg", ".png")

    def __init__(self, root: str, flag: int = 1, transform: Callable | None = None):
        self._root = os.path.expanduser(root)
        self._flag, self._transform = flag, transform
        self.synsets: list[str] = []
        self.items: list[tuple[str, int]] = []
        for folder in sorted(os.listdir(self._root)):
            path = os.path.join(self._root, folder)
            if not os.path.isdir(path):
                warnings.warn(f"Ignoring {path}, which is not a directory.", stacklevel=2)
                continue
            label = len(self.synsets)
            self.synsets.append(folder)
            for name in sorted(os.listdir(path)):
                filename = os.path.join(path, name)
                ext = os.path.splitext(name)[1]
                if ext.lower() not in self._exts:
                    warnings.warn(
                        f"Ignoring {filename} of type {ext}. Only support {', '.join(self._exts)}",
                        stacklevel=2,
                    )
                    continue
                self.items.append((filename, label))


class ImageListDataset(_ImageFilesDataset):
    """Images listed in a ``.lst`` file (``index<TAB>label(s)<TAB>path`` lines, as im2rec writes)
    or in a list of ``(label, path)`` / ``[label, ..., path]`` entries, paths relative to ``root``.
    One label gives a float; several a float32 NumPy array.

    Example:
        >>> ds = gdata.vision.ImageListDataset('images', 'train.lst')
    """

    def __init__(self, root: str = ".", imglist: str | Sequence | None = None, flag: int = 1, transform=None):
        self._root = os.path.expanduser(root)
        self._flag, self._transform = flag, transform
        if imglist is None:
            raise ValueError("ImageListDataset: imglist (a .lst file or a list of (label, path)) is required")
        entries = self._read_lst(imglist) if isinstance(imglist, str) else [tuple(e) for e in imglist]
        self.items = []
        for i, entry in enumerate(entries):
            if len(entry) < 2:
                raise MXNetError(f"ImageListDataset: entry {i} needs a label and a path, got {entry!r}")
            labels = [float(v) for v in entry[:-1]] if not isinstance(entry[0], (list, tuple)) else entry[0]
            label = float(labels[0]) if len(labels) == 1 else np.asarray(labels, dtype=np.float32)
            self.items.append((os.path.join(self._root, str(entry[-1])), label))

    @staticmethod
    def _read_lst(path: str) -> list:
        entries = []
        with open(path) as f:
            for n, line in enumerate(f, 1):
                if not line.strip():
                    continue
                fields = line.rstrip("\n").split("\t")
                if len(fields) < 3:
                    raise MXNetError(
                        f"{path}, line {n}: expected index<TAB>label(s)<TAB>path, got {len(fields)} field(s)"
                    )
                try:
                    entries.append((*[float(v) for v in fields[1:-1]], fields[-1]))
                except ValueError:
                    raise MXNetError(
                        f"{path}, line {n}: labels must be numbers, got {fields[1:-1]}"
                    ) from None
        return entries
