"""The book's concise softmax regression (chapter 3.7) on the real Fashion-MNIST, under MXNet 1.9.1.

Reads the IDX files of Debian's dataset-fashion-mnist package (``apt-get install
dataset-fashion-mnist``) with NumPy, because MXNet's own FashionMNIST insists on its download's
checksums (Debian recompressed the files) and there is no network here. The samples are what
MXNet's FashionMNIST yields (uint8 28x28x1 NDArray, int32 label). Runs
``tests/book_chapters.fashion_softmax_concise`` and writes tests/golden/chapters/fashion.npz
(per-epoch train loss, train accuracy, test accuracy, and the files' SHA-1s).
"""

import gzip
import hashlib
import os
import sys
import warnings

from _oracle import GOLDEN, ROOT, real_mxnet

warnings.filterwarnings("ignore")
mx = real_mxnet()
sys.path.insert(0, os.path.join(ROOT, "tests"))
import book_chapters  # noqa: E402
import numpy as np  # noqa: E402


def read_idx(path):
    with gzip.open(path, "rb") as f:
        raw = f.read()
    ndim = raw[3]
    shape = tuple(int.from_bytes(raw[4 + 4 * i : 8 + 4 * i], "big") for i in range(ndim))
    return np.frombuffer(raw, np.uint8, offset=4 + 4 * ndim).reshape(shape)


def dataset(prefix):
    root = book_chapters.FASHION_DEBIAN
    images = read_idx(os.path.join(root, f"{prefix}-images-idx3-ubyte.gz")).reshape(-1, 28, 28, 1)
    labels = read_idx(os.path.join(root, f"{prefix}-labels-idx1-ubyte.gz")).astype(np.int32)
    return mx.gluon.data.ArrayDataset(mx.nd.array(images, dtype="uint8"), labels)


def main():
    if not os.path.isdir(book_chapters.FASHION_DEBIAN):
        print(f"skipped: {book_chapters.FASHION_DEBIAN} is missing (apt-get install dataset-fashion-mnist)")
        return
    sha1 = {}
    for name in book_chapters.FASHION_FILES:
        with open(os.path.join(book_chapters.FASHION_DEBIAN, name), "rb") as f:
            sha1[name] = hashlib.sha1(f.read()).hexdigest()
    history = book_chapters.fashion_softmax_concise(dataset("train"), dataset("t10k"))
    path = os.path.join(GOLDEN, "chapters", "fashion.npz")
    np.savez(path, history=history, **{f"sha1/{k}": v for k, v in sha1.items()})
    print("wrote", path)
    for epoch, (l, train_acc, test_acc) in enumerate(history, 1):
        print(f"epoch {epoch}, loss {l:.4f}, train acc {train_acc:.3f}, test acc {test_acc:.3f}")


if __name__ == "__main__":
    main()
