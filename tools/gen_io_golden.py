"""Record MXNet 1.9.1's RecordIO files, image decoding/resizing and mx.io iterators into tests/golden/io/.

Run under the oracle venv (it needs Pillow to draw the test images; MXNet decodes them with the
OpenCV bundled in its wheel): ``.venv-oracle/bin/python tools/gen_io_golden.py``.

Writes
- ``mx_plain.rec`` and ``mx_indexed.rec/.idx``: files MXNet wrote, and ``records.json`` with the
  records (hex) and headers MXNet packed, for regluon to read and to re-write byte for byte;
- ``img_*.png/.jpg``: small images of known content, ``mx_img.rec/.idx`` (MXNet's ``pack`` of
  their encoded bytes), and ``image.npz``: MXNet's decoded pixels for every flag/to_rgb, and its
  imresize / resize_short / center_crop / fixed_crop / copyMakeBorder results;
- ``iter.json``: NDArrayIter batch sequences for every last_batch_handle (two epochs), dict
  inputs, shuffling under a fixed NumPy seed, ResizeIter and PrefetchingIter.

If ``tools/save_regluon_io.py`` has written ``regluon_*.rec`` files (with ``regluon_expected.json``),
MXNet reads them here and must see exactly the records regluon meant to write; the result goes
into ``regluon_read_by_mxnet.json``.
"""

import io
import json
import os

import numpy as np
from _oracle import GOLDEN, real_mxnet
from PIL import Image

mx = real_mxnet()
OUT = os.path.join(GOLDEN, "io")
MAGIC = b"\x0a\x23\xd7\xce"

# Raw records that exercise the format: empty, unaligned lengths, the magic word at aligned and
# unaligned offsets, twice in a row, at the very end.
RAW = [b"", b"a", b"abcd", b"abcde", MAGIC + b"xyz", b"pre" + MAGIC + b"post", b"abcd" + MAGIC + b"ef"]
RAW += [MAGIC + MAGIC, b"abcd" + MAGIC, MAGIC, bytes(range(256)) * 3]


def write_records():
    w = mx.recordio.MXRecordIO(os.path.join(OUT, "mx_plain.rec"), "w")
    for r in RAW:
        w.write(r)
    w.close()
    headers = [
        (0, 1.0, 0, 0),
        (0, -2.5, 7, 3),
        (0, [1.0, 2.0, 3.0], 2**40 + 5, 9),
        (0, [0.5], 3, 0),
        (0, 4.0, 11, 2**63 + 1),
    ]
    keys = [10, 3, 42, 0, 7]
    payloads = [b"first", b"", MAGIC + b"payload", b"x" * 13, b"last one"]
    w = mx.recordio.MXIndexedRecordIO(
        os.path.join(OUT, "mx_indexed.idx"), os.path.join(OUT, "mx_indexed.rec"), "w"
    )
    packed = []
    for key, h, p in zip(keys, headers, payloads):
        s = mx.recordio.pack(mx.recordio.IRHeader(*h), p)
        packed.append(s)
        w.write_idx(key, s)
    w.close()
    r = mx.recordio.MXIndexedRecordIO(
        os.path.join(OUT, "mx_indexed.idx"), os.path.join(OUT, "mx_indexed.rec"), "r"
    )
    unpacked = []
    for key in keys:
        h, p = mx.recordio.unpack(r.read_idx(key))
        label = h.label.tolist() if isinstance(h.label, np.ndarray) else h.label
        unpacked.append({"flag": h.flag, "label": label, "id": h.id, "id2": h.id2, "payload": p.hex()})
    return {
        "raw": [x.hex() for x in RAW],
        "keys": keys,
        "headers": [list(h) for h in headers],
        "payloads": [p.hex() for p in payloads],
        "packed": [s.hex() for s in packed],
        "unpacked": unpacked,
        "idx": dict(zip(map(str, r.keys), (r.idx[k] for k in r.keys))),
    }


def test_images():
    """Smooth gradients plus a little deterministic noise, so JPEG has something to code."""
    h, w = 24, 36
    yy, xx = np.mgrid[0:h, 0:w]
    rs = np.random.RandomState(3)
    rgb = np.stack([xx * 7, yy * 10, (xx + yy) * 4], axis=2) + rs.randint(0, 40, (h, w, 3))
    rgb = np.clip(rgb, 0, 255).astype(np.uint8)
    alpha = (xx * 255 // (w - 1)).astype(np.uint8)
    grey = np.clip(xx * 5 + yy * 3 + rs.randint(0, 30, (h, w)), 0, 255).astype(np.uint8)
    files = {}
    for name, arr, mode, fmt, kw in [
        ("img_rgb.png", rgb, "RGB", "PNG", {}),
        ("img_rgba.png", np.dstack([rgb, alpha]), "RGBA", "PNG", {}),
        ("img_grey.png", grey, "L", "PNG", {}),
        ("img_rgb.jpg", rgb, "RGB", "JPEG", {"quality": 90}),
        ("img_grey.jpg", grey, "L", "JPEG", {"quality": 90}),
    ]:
        buf = io.BytesIO()
        Image.fromarray(arr, mode).save(buf, fmt, **kw)
        files[name] = buf.getvalue()
        with open(os.path.join(OUT, name), "wb") as f:
            f.write(buf.getvalue())
    return files, rgb


RESIZES = [(18, 12), (72, 48), (50, 30), (20, 40), (36, 24), (13, 7)]


def image_golden(files, rgb):
    out = {"source_rgb": rgb}
    for name, data in files.items():
        for flag in (0, 1):
            for to_rgb in (0, 1):
                img = mx.image.imdecode(data, flag=flag, to_rgb=to_rgb)
                out[f"decode/{name}/{flag}/{to_rgb}"] = img.asnumpy()
    src = mx.nd.array(rgb, dtype="uint8")
    srcf = mx.nd.array(rgb, dtype="float32") / 3.0
    for w, h in RESIZES:
        for interp in (0, 1, 2, 3, 4):
            out[f"imresize/u8/{w}x{h}/{interp}"] = mx.image.imresize(src, w, h, interp=interp).asnumpy()
            if (w, h) in RESIZES[2:5]:  # float32 results compress badly: a few sizes are enough
                out[f"imresize/f32/{w}x{h}/{interp}"] = mx.image.imresize(srcf, w, h, interp=interp).asnumpy()
    for size in (12, 30):
        out[f"resize_short/{size}"] = mx.image.resize_short(src, size).asnumpy()
    for size in ((20, 20), (40, 10)):
        img, box = mx.image.center_crop(src, size)
        out[f"center_crop/{size[0]}x{size[1]}"] = img.asnumpy()
        out[f"center_crop_box/{size[0]}x{size[1]}"] = np.array(box)
    out["fixed_crop/plain"] = mx.image.fixed_crop(src, 3, 2, 10, 8).asnumpy()
    out["fixed_crop/resized"] = mx.image.fixed_crop(src, 3, 2, 10, 8, size=(20, 16)).asnumpy()
    for btype in range(5):
        out[f"border/{btype}"] = mx.image.copyMakeBorder(src, 2, 3, 4, 1, type=btype, value=9).asnumpy()
    out["border/values"] = mx.image.copyMakeBorder(src, 1, 1, 1, 1, values=(1, 2, 3)).asnumpy()
    out["scale_down"] = np.array(
        [
            mx.image.scale_down(s, c)
            for s, c in [((640, 480), (720, 120)), ((100, 100), (50, 200)), ((30, 40), (20, 10))]
        ]
    )
    return out


def image_records(files):
    """MXNet's ``pack`` of encoded images: regluon's ``unpack_img`` must decode them as MXNet does."""
    w = mx.recordio.MXIndexedRecordIO(os.path.join(OUT, "mx_img.idx"), os.path.join(OUT, "mx_img.rec"), "w")
    for i, name in enumerate(["img_rgb.png", "img_rgb.jpg", "img_grey.png"]):
        label = float(i) if i != 1 else [1.0, 2.0]
        w.write_idx(i, mx.recordio.pack(mx.recordio.IRHeader(0, label, i, 0), files[name]))
    w.close()


def batches(it, epochs=2):
    seq = []
    for _ in range(epochs):
        epoch = []
        for b in it:
            epoch.append(
                {
                    "data": [d.asnumpy().tolist() for d in b.data],
                    "label": [d.asnumpy().tolist() for d in (b.label or [])],
                    "dtypes": [np.dtype(d.dtype).name for d in b.data + (b.label or [])],
                    "pad": b.pad,
                    "index": None if b.index is None else np.asarray(b.index).tolist(),
                }
            )
        seq.append(epoch)
        it.reset()
    return seq


def descs(it):
    return {
        "provide_data": [[d.name, list(d.shape), np.dtype(d.dtype).name, d.layout] for d in it.provide_data],
        "provide_label": [
            [d.name, list(d.shape), np.dtype(d.dtype).name, d.layout] for d in it.provide_label
        ],
    }


def iter_golden():
    data = np.arange(30, dtype=np.float32).reshape(10, 3)
    label = np.arange(10, dtype=np.float32) * 10
    cases = {}
    for mode in ("pad", "discard", "roll_over"):
        for bs in (4, 5, 3):
            it = mx.io.NDArrayIter(data, label, batch_size=bs, last_batch_handle=mode)
            cases[f"{mode}/bs{bs}"] = {"batches": batches(it, epochs=3), **descs(it)}
    it = mx.io.NDArrayIter(
        {"a": data, "b": data[:, :2] * -1}, {"lab": label}, batch_size=4, last_batch_handle="pad"
    )
    cases["dict"] = {"batches": batches(it), **descs(it)}
    it = mx.io.NDArrayIter([data, data * 2], None, batch_size=6, data_name="x")
    cases["list_nolabel"] = {"batches": batches(it, epochs=1), **descs(it)}
    for mode in ("pad", "discard", "roll_over"):
        np.random.seed(7)
        it = mx.io.NDArrayIter(data, label, batch_size=4, shuffle=True, last_batch_handle=mode)
        cases[f"shuffle/{mode}"] = {"batches": batches(it, epochs=2), **descs(it)}
    it = mx.io.ResizeIter(mx.io.NDArrayIter(data, label, batch_size=4), 5)
    cases["resize/5"] = {"batches": batches(it, epochs=2), **descs(it)}
    it = mx.io.ResizeIter(mx.io.NDArrayIter(data, label, batch_size=4), 2, reset_internal=False)
    cases["resize/2_keep"] = {"batches": batches(it, epochs=3), **descs(it)}
    it = mx.io.PrefetchingIter(mx.io.NDArrayIter(data, label, batch_size=4))
    cases["prefetch"] = {"batches": batches(it, epochs=2), **descs(it)}
    it = mx.io.NDArrayIter(data.astype(np.float64), label.astype(np.int32), batch_size=5)
    cases["dtypes"] = {"batches": batches(it, epochs=1), **descs(it)}
    it = mx.io.NDArrayIter(
        mx.nd.array(data, dtype="int32"), mx.nd.array(label, dtype="float64"), batch_size=5
    )
    cases["dtypes_nd"] = {"batches": batches(it, epochs=1), **descs(it)}
    it = mx.io.NDArrayIter({"zz": data, "aa": data * 2}, None, batch_size=5)
    cases["dict_order"] = {"batches": batches(it, epochs=1), **descs(it)}
    it = mx.io.NDArrayIter(data, label, batch_size=4, shuffle=False, last_batch_handle="roll_over")
    for _ in it:
        pass
    it.hard_reset()
    cases["hard_reset"] = {"batches": batches(it, epochs=1), **descs(it)}
    return cases


def check_regluon_files():
    path = os.path.join(OUT, "regluon_expected.json")
    if not os.path.exists(path):
        print("no regluon_*.rec files: run tools/save_regluon_io.py under .venv to add the check")
        return None
    with open(path) as f:
        expected = json.load(f)
    seen = {}
    r = mx.recordio.MXRecordIO(os.path.join(OUT, "regluon_plain.rec"), "r")
    seen["plain"] = []
    while True:
        rec = r.read()
        if rec is None:
            break
        seen["plain"].append(rec.hex())
    r = mx.recordio.MXIndexedRecordIO(
        os.path.join(OUT, "regluon_indexed.idx"), os.path.join(OUT, "regluon_indexed.rec"), "r"
    )
    seen["indexed"] = {}
    for key in r.keys:
        h, payload = mx.recordio.unpack(r.read_idx(key))
        label = h.label.tolist() if isinstance(h.label, np.ndarray) else h.label
        entry = {"flag": h.flag, "label": label, "id": h.id, "id2": h.id2}
        if h.id2 == 1:  # an image made by regluon's pack_img: MXNet decodes it (BGR, as cv2 would)
            entry["pixels_bgr"] = mx.image.imdecode(payload, to_rgb=0).asnumpy().tolist()
        else:
            entry["payload"] = payload.hex()
        seen["indexed"][str(key)] = entry
    ok = seen["plain"] == expected["plain"] and all(
        {k: v for k, v in seen["indexed"][k].items() if k != "pixels_bgr"}
        == {k: v for k, v in expected["indexed"][k].items() if k != "pixels_bgr"}
        for k in expected["indexed"]
    )
    if not ok:
        raise SystemExit("MXNet read regluon's .rec files differently from what regluon wrote")
    with open(os.path.join(OUT, "regluon_read_by_mxnet.json"), "w") as f:
        json.dump(seen, f)
    print("MXNet read regluon's .rec files: records and headers as written")
    return seen


def main():
    os.makedirs(OUT, exist_ok=True)
    records = write_records()
    files, rgb = test_images()
    image_records(files)
    np.savez_compressed(os.path.join(OUT, "image.npz"), **image_golden(files, rgb))
    with open(os.path.join(OUT, "records.json"), "w") as f:
        json.dump(records, f, indent=0)
    with open(os.path.join(OUT, "iter.json"), "w") as f:
        json.dump(iter_golden(), f)
    check_regluon_files()
    print("wrote", OUT)


if __name__ == "__main__":
    main()
