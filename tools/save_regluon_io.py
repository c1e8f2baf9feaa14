"""Write RecordIO files with regluon, for MXNet 1.9.1 to read back (tools/gen_io_golden.py).

Run under the development venv: ``.venv/bin/python tools/save_regluon_io.py``; then run the
generator under the oracle venv. Writes ``tests/golden/io/regluon_plain.rec``,
``regluon_indexed.rec/.idx`` (packed headers, one PNG and one JPEG made by ``pack_img``) and
``regluon_expected.json`` (what a reader must find in them).
"""

import json
import os
import sys

import numpy as np

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, ROOT)
import mxnet as mx  # noqa: E402  (regluon, through the alias package at the repository root)

OUT = os.path.join(ROOT, "tests", "golden", "io")
MAGIC = b"\x0a\x23\xd7\xce"


def main():
    rs = np.random.RandomState(5)
    plain = [b"", b"xyz", MAGIC * 3, b"12" + MAGIC + b"3456" + MAGIC, rs.bytes(1001), b"tail"]
    w = mx.recordio.MXRecordIO(os.path.join(OUT, "regluon_plain.rec"), "w")
    for rec in plain:
        w.write(rec)
    w.close()

    img = np.clip(np.add.outer(np.arange(12) * 9, np.arange(16) * 5)[:, :, None] + [0, 40, 90], 0, 255)
    img = img.astype(np.uint8)  # BGR, as OpenCV users hand it to pack_img
    expected = {}
    w = mx.recordio.MXIndexedRecordIO(
        os.path.join(OUT, "regluon_indexed.idx"), os.path.join(OUT, "regluon_indexed.rec"), "w"
    )
    entries = [
        (4, (0, 2.5, 17, 0), MAGIC + b"payload"),
        (1, (0, [1.0, -2.0, 3.5], 2**35, 7), b""),
        (9, (0, 0.0, 3, 2**64 - 1), rs.bytes(77)),
    ]
    for key, header, payload in entries:
        w.write_idx(key, mx.recordio.pack(mx.recordio.IRHeader(*header), payload))
        flag = len(header[1]) if isinstance(header[1], list) else 0
        label = header[1] if flag else float(header[1])
        expected[str(key)] = {
            "flag": flag,
            "label": label,
            "id": header[2],
            "id2": header[3],
            "payload": payload.hex(),
        }
    for key, fmt in ((20, ".png"), (21, ".jpg")):
        w.write_idx(key, mx.recordio.pack_img(mx.recordio.IRHeader(0, float(key), key, 1), img, 95, fmt))
        # PNG is lossless: MXNet must see the source pixels. JPEG: MXNet's decoder and regluon's must agree.
        pixels = (
            img
            if fmt == ".png"
            else mx.recordio.unpack_img(
                mx.recordio.pack_img(mx.recordio.IRHeader(0, 0.0, 0, 0), img, 95, fmt), iscolor=1
            )[1]
        )
        expected[str(key)] = {
            "flag": 0,
            "label": float(key),
            "id": key,
            "id2": 1,
            "pixels_bgr": pixels.tolist(),
        }
    w.close()
    with open(os.path.join(OUT, "regluon_expected.json"), "w") as f:
        json.dump({"plain": [r.hex() for r in plain], "indexed": expected}, f)
    print("wrote regluon_*.rec into", OUT)


if __name__ == "__main__":
    main()
