"""Golden NDArray files written by MXNet 1.9.1's ``nd.save`` (tests/golden/files/*.nd).

The test reads them with regluon and checks that regluon writes the same bytes for the same data.
The cases live in CASES below, as (file name, Python expression building the data).
"""

import os
import warnings

from _oracle import GOLDEN, real_mxnet

warnings.filterwarnings("ignore")
mx = real_mxnet()
import numpy as np  # noqa: E402

from mxnet import nd  # noqa: E402

CASES = [
    ("single.nd", "nd.array([[1, 2], [3, 4]])"),
    ("dict.nd", "{'w': nd.array([1.5]), 'idx': nd.array([1, 2, 3], dtype='int64')}"),
    (
        "list_dtypes.nd",
        "[nd.ones((2,), dtype='float16'), nd.arange(6, dtype='uint8').reshape((1, 3, 2)), "
        "nd.array([-1, 2], dtype='int8'), nd.array([7, 8], dtype='int32'), "
        "nd.array([0.25, -3.5], dtype='float64')]",
    ),
    ("empty_list.nd", "[]"),
    ("params_like.nd", "{'dense0_weight': nd.arange(8).reshape((2, 4)) / 3, 'dense0_bias': nd.zeros((2,))}"),
]


def main():
    out_dir = os.path.join(GOLDEN, "files")
    os.makedirs(out_dir, exist_ok=True)
    for name, expr in CASES:
        nd.save(os.path.join(out_dir, name), eval(expr, {"nd": nd, "np": np}))
    with open(os.path.join(out_dir, "cases.txt"), "w") as f:
        for name, expr in CASES:
            f.write(f"{name}\t{expr}\n")
    print(f"wrote {len(CASES)} files to {out_dir}")


if __name__ == "__main__":
    main()
