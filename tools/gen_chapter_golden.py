"""Per-epoch trajectories of the book's softmax-regression and MLP chapters under MXNet 1.9.1.

Runs tests/book_chapters.py (the d2l-zh chapters 3.6, 3.7, 3.9 and 3.10 on scikit-learn's 8x8
digits, from seeded initial parameters and a NumPy-seeded batch order) on real MXNet and records,
for each chapter, the per-epoch train loss, train accuracy and test accuracy, the labels in the
order the batches came, and the final parameters. Needs scikit-learn in the oracle venv (only
its digits.csv.gz file is read). Writes tests/golden/chapters/<chapter>.npz.
"""

import hashlib
import os
import sys
import warnings

from _oracle import GOLDEN, ROOT, real_mxnet

warnings.filterwarnings("ignore")
real_mxnet()
sys.path.insert(0, os.path.join(ROOT, "tests"))
import book_chapters  # noqa: E402
import numpy as np  # noqa: E402


def main():
    out_dir = os.path.join(GOLDEN, "chapters")
    os.makedirs(out_dir, exist_ok=True)
    with open(book_chapters.digits_file(), "rb") as f:
        data_sha1 = hashlib.sha1(f.read()).hexdigest()
    for name in book_chapters.CHAPTERS:
        history, order, final = book_chapters.run_chapter(name)
        path = os.path.join(out_dir, f"{name}.npz")
        np.savez_compressed(
            path,
            history=history,
            order=order.astype(np.int8),
            data_sha1=data_sha1,
            **{f"param{i}": p for i, p in enumerate(final)},
        )
        print(f"wrote {path}")
        for epoch, (l, train_acc, test_acc) in enumerate(history, 1):
            print(f"  epoch {epoch}, loss {l:.4f}, train acc {train_acc:.3f}, test acc {test_acc:.3f}")


if __name__ == "__main__":
    main()
