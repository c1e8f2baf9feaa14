"""Record MXNet 1.9.1's ImageRecordUInt8Iter / ImageRecordInt8Iter / ImageRecordIter(dtype=...) and
ImageDetRecordIter batches into tests/golden/io/record_iter2.npz and record_iter2.json.

Run under the oracle venv: ``.venv-oracle/bin/python tools/gen_record_iter_golden.py``. It reads
the ``.rec`` files that ``tools/gen_io_golden.py`` wrote with MXNet: ``iter_imgs.rec`` (five
images) and ``det.rec`` (four images with detection labels packed as ``im2rec --pack-label``
does: ``[2, 5, objects...]``). Every case runs two epochs; the pads are taken from two fresh
processes, which must agree (MXNet's prefetcher can report a pad on the wrong batch).
"""

import json
import os
import subprocess
import sys

import numpy as np
from _oracle import GOLDEN, real_mxnet

mx = real_mxnet()
OUT = os.path.join(GOLDEN, "io")

_I8 = dict(mean_r=200.6, mean_g=5.5, mean_b=-0.5, std_r=4, scale=2)
CASES = {
    "u8_default": ("ImageRecordUInt8Iter", "iter_imgs", dict(data_shape=(3, 8, 8), batch_size=2, mean_r=10)),
    "u8_grey_resize": (
        "ImageRecordUInt8Iter",
        "iter_imgs",
        dict(data_shape=(1, 8, 8), batch_size=3, resize=9),
    ),
    "i8_mean": ("ImageRecordInt8Iter", "iter_imgs", dict(data_shape=(3, 8, 8), batch_size=2, **_I8)),
    "rec_dtype_uint8": (
        "ImageRecordIter",
        "iter_imgs",
        dict(data_shape=(3, 8, 8), batch_size=2, dtype="uint8"),
    ),
    "rec_dtype_int8": (
        "ImageRecordIter",
        "iter_imgs",
        dict(data_shape=(3, 11, 11), batch_size=5, dtype="int8", mean_r=10, mean_b=250),
    ),
    "pad": ("ImageRecordIter", "iter_imgs", dict(data_shape=(3, 8, 8), batch_size=2, pad=2)),
    "pad_fill": (
        "ImageRecordIter",
        "iter_imgs",
        dict(data_shape=(3, 12, 12), batch_size=5, pad=2, fill_value=9),
    ),
    "pad_resize_grey": (
        "ImageRecordIter",
        "iter_imgs",
        dict(data_shape=(1, 11, 11), batch_size=5, resize=9, pad=1, fill_value=50, mean_r=3),
    ),
    "pad_uint8": (
        "ImageRecordUInt8Iter",
        "iter_imgs",
        dict(data_shape=(3, 11, 11), batch_size=5, pad=1, fill_value=0),
    ),
    "det_force": ("ImageDetRecordIter", "det", dict(data_shape=(3, 8, 10), batch_size=3)),
    "det_fit_mean": (
        "ImageDetRecordIter",
        "det",
        dict(
            data_shape=(3, 8, 10), batch_size=4, resize_mode="fit", mean_r=10, mean_g=20, std_r=2, scale=0.5
        ),
    ),
    "det_shrink_pad": (
        "ImageDetRecordIter",
        "det",
        dict(
            data_shape=(3, 20, 20), batch_size=2, resize_mode="shrink", label_pad_width=20, label_pad_value=-2
        ),
    ),
    "det_shrink_small": (
        "ImageDetRecordIter",
        "det",
        dict(data_shape=(3, 9, 13), batch_size=4, resize_mode="shrink"),
    ),
    "det_resize": ("ImageDetRecordIter", "det", dict(data_shape=(3, 8, 10), batch_size=4, resize=16)),
    "det_grey": ("ImageDetRecordIter", "det", dict(data_shape=(1, 8, 10), batch_size=4, label_width=-1)),
    "det_mirror": (
        "ImageDetRecordIter",
        "det",
        dict(data_shape=(3, 8, 10), batch_size=4, rand_mirror_prob=1.0),
    ),
    "det_no_round": (
        "ImageDetRecordIter",
        "det",
        dict(data_shape=(3, 8, 10), batch_size=3, round_batch=False),
    ),
}


def run(name):
    cls, rec, kw = CASES[name]
    it = getattr(mx.io, cls)(path_imgrec=os.path.join(OUT, rec + ".rec"), preprocess_threads=1, **kw)
    out, pads = {}, []
    for epoch in range(2):
        epoch_pads = []
        for j, b in enumerate(it):
            out[f"{name}/{epoch}/{j}/data"] = b.data[0].asnumpy()
            out[f"{name}/{epoch}/{j}/label"] = b.label[0].asnumpy()
            epoch_pads.append(b.pad)
        pads.append(epoch_pads)
        it.reset()
    desc = {
        "data": [list(it.provide_data[0].shape), np.dtype(it.provide_data[0].dtype).name],
        "label": list(it.provide_label[0].shape),
    }
    return out, pads, desc


def main():
    arrays, meta = {}, {}
    for name in CASES:
        out, _, desc = run(name)
        runs = [
            subprocess.run(
                [sys.executable, __file__, "--pads", name], capture_output=True, text=True, check=True
            )
            .stdout.strip()
            .splitlines()[-1]
            for _ in range(2)
        ]
        if runs[0] != runs[1]:
            raise SystemExit(f"{name}: MXNet reported different pads in two runs ({runs}); run again")
        arrays.update(out)
        meta[name] = {"pads": json.loads(runs[0]), **desc}
    np.savez_compressed(os.path.join(OUT, "record_iter2.npz"), **arrays)
    with open(os.path.join(OUT, "record_iter2.json"), "w") as f:
        json.dump({"cases": CASES, "meta": meta}, f, indent=0)


if __name__ == "__main__":
    if sys.argv[1:2] == ["--pads"]:
        print(json.dumps(run(sys.argv[2])[1]))
    else:
        main()
