"""mx.recordio against files MXNet 1.9.1 wrote (tests/golden/io, tools/gen_io_golden.py)."""

import json
import os
import pickle
import struct

import numpy as np
import pytest
from mxnet.base import MXNetError

import mxnet as mx

from .conftest import GOLDEN

IO = os.path.join(GOLDEN, "io")
with open(os.path.join(IO, "records.json")) as _f:
    REC = json.load(_f)
RAW = [bytes.fromhex(x) for x in REC["raw"]]


def _read_all(path):
    r = mx.recordio.MXRecordIO(path, "r")
    out = []
    while (rec := r.read()) is not None:
        out.append(rec)
    r.close()
    return out


def test_reads_mxnet_plain_file():
    assert _read_all(os.path.join(IO, "mx_plain.rec")) == RAW


def test_writes_mxnet_bytes(tmp_path):
    w = mx.recordio.MXRecordIO(str(tmp_path / "x.rec"), "w")
    for r in RAW:
        w.write(r)
    w.close()
    with open(os.path.join(IO, "mx_plain.rec"), "rb") as f:
        assert (tmp_path / "x.rec").read_bytes() == f.read()


def test_reset_and_reopen():
    r = mx.recordio.MXRecordIO(os.path.join(IO, "mx_plain.rec"), "r")
    first, second = r.read(), r.read()
    r.reset()
    assert r.read() == first and r.read() == second
    r.close()
    assert not r.is_open
    r.open()
    assert r.read() == first


def test_indexed_reads_mxnet_file_by_key():
    r = mx.recordio.MXIndexedRecordIO(
        os.path.join(IO, "mx_indexed.idx"), os.path.join(IO, "mx_indexed.rec"), "r"
    )
    assert r.keys == REC["keys"]
    assert {str(k): v for k, v in r.idx.items()} == REC["idx"]
    for key, packed in reversed(list(zip(REC["keys"], REC["packed"]))):
        assert r.read_idx(key) == bytes.fromhex(packed)
    r.seek(REC["keys"][2])
    assert r.read() == bytes.fromhex(REC["packed"][2])
    with pytest.raises(KeyError):
        r.read_idx(12345)


def test_indexed_writer_gives_mxnet_bytes(tmp_path):
    idx, rec = str(tmp_path / "x.idx"), str(tmp_path / "x.rec")
    w = mx.recordio.MXIndexedRecordIO(idx, rec, "w")
    for key, h, p in zip(REC["keys"], REC["headers"], REC["payloads"]):
        w.write_idx(key, mx.recordio.pack(mx.recordio.IRHeader(*h), bytes.fromhex(p)))
    w.close()
    for name, ours in (("mx_indexed.rec", rec), ("mx_indexed.idx", idx)):
        with open(os.path.join(IO, name), "rb") as f, open(ours, "rb") as g:
            assert g.read() == f.read()


@pytest.mark.parametrize("i", range(5))
def test_pack_unpack_as_mxnet(i):
    header, payload = REC["headers"][i], bytes.fromhex(REC["payloads"][i])
    packed = mx.recordio.pack(mx.recordio.IRHeader(*header), payload)
    assert packed == bytes.fromhex(REC["packed"][i])
    h, p = mx.recordio.unpack(packed)
    want = REC["unpacked"][i]
    assert (h.flag, h.id, h.id2, p) == (want["flag"], want["id"], want["id2"], bytes.fromhex(want["payload"]))
    if isinstance(want["label"], list):
        assert isinstance(h.label, np.ndarray) and h.label.dtype == np.float32
        np.testing.assert_array_equal(h.label, want["label"])
    else:
        assert h.label == want["label"]


def test_irheader_is_mxnets_namedtuple():
    h = mx.recordio.IRHeader(0, 1.5, 2, 3)
    assert h._fields == ("flag", "label", "id", "id2")
    assert repr(h) == "HEADER(flag=0, label=1.5, id=2, id2=3)"


def test_pack_img_unpack_img_round_trip():
    rs = np.random.RandomState(0)
    img = rs.randint(0, 256, (9, 11, 3)).astype(np.uint8)
    s = mx.recordio.pack_img(mx.recordio.IRHeader(0, 4.0, 1, 0), img, img_fmt=".png")
    h, out = mx.recordio.unpack_img(s)
    assert h.label == 4.0
    np.testing.assert_array_equal(out, img)  # PNG is lossless, BGR in and out
    _, grey = mx.recordio.unpack_img(s, iscolor=0)
    assert grey.shape == (9, 11)
    smooth = (np.add.outer(np.arange(16) * 8, np.arange(16) * 4)[:, :, None] + [0, 30, 60]).astype(np.uint8)
    s = mx.recordio.pack_img(mx.recordio.IRHeader(0, 4.0, 1, 0), smooth, quality=95)
    assert s[24:26] == b"\xff\xd8"  # a JPEG stream
    _, out = mx.recordio.unpack_img(s, iscolor=1)
    assert out.shape == smooth.shape and np.abs(out.astype(int) - smooth).max() <= 4


def test_unpack_img_decodes_mxnet_records_like_mxnet():
    """MXNet packed encoded PNG/JPEG bytes; the pixels must be those MXNet's decoder gives (BGR)."""
    pixels = np.load(os.path.join(IO, "image.npz"))
    r = mx.recordio.MXIndexedRecordIO(os.path.join(IO, "mx_img.idx"), os.path.join(IO, "mx_img.rec"), "r")
    for key, name in enumerate(["img_rgb.png", "img_rgb.jpg", "img_grey.png"]):
        h, img = mx.recordio.unpack_img(r.read_idx(key), iscolor=1)
        assert h.id == key
        np.testing.assert_array_equal(img, pixels[f"decode/{name}/1/0"])


def test_pickle_reopens_reader():
    r = mx.recordio.MXIndexedRecordIO(
        os.path.join(IO, "mx_indexed.idx"), os.path.join(IO, "mx_indexed.rec"), "r"
    )
    r.read_idx(REC["keys"][0])
    copy = pickle.loads(pickle.dumps(r))
    assert copy.read_idx(REC["keys"][1]) == bytes.fromhex(REC["packed"][1])


def test_regluon_files_read_by_mxnet():
    """tools/save_regluon_io.py wrote regluon_*.rec; tools/gen_io_golden.py had MXNet read them."""
    with open(os.path.join(IO, "regluon_expected.json")) as f:
        expected = json.load(f)
    with open(os.path.join(IO, "regluon_read_by_mxnet.json")) as f:
        seen = json.load(f)
    assert seen["plain"] == expected["plain"]
    for key, want in expected["indexed"].items():
        got = seen["indexed"][key]
        if "pixels_bgr" in want:
            np.testing.assert_array_equal(np.array(got["pixels_bgr"]), np.array(want["pixels_bgr"]))
        else:
            assert got == want


# ------------------------------------------------------------------ bad input
def _copy(tmp_path, data, name="bad.rec"):
    p = tmp_path / name
    p.write_bytes(data)
    return str(p)


def test_truncated_file_names_file_and_record(tmp_path):
    with open(os.path.join(IO, "mx_plain.rec"), "rb") as f:
        data = f.read()
    path = _copy(tmp_path, data[:30])
    with pytest.raises(MXNetError, match=r"bad\.rec.*record 2 at byte offset 20"):
        _read_all(path)
    path = _copy(tmp_path, data[:5])
    with pytest.raises(MXNetError, match=r"record 0 .*ends inside a part header"):
        _read_all(path)


def test_bad_magic_and_lying_length(tmp_path):
    with pytest.raises(MXNetError, match="no magic number"):
        _read_all(_copy(tmp_path, b"X" * 12))
    lying = struct.pack("<II", 0xCED7230A, 1000) + b"abcd"
    with pytest.raises(MXNetError, match="announces 1000 bytes but only 4 remain"):
        _read_all(_copy(tmp_path, lying))
    orphan = struct.pack("<II", 0xCED7230A, (3 << 29) | 4) + b"abcd"
    with pytest.raises(MXNetError, match="without a start"):
        _read_all(_copy(tmp_path, orphan))


def test_corrupt_index(tmp_path):
    rec = _copy(tmp_path, open(os.path.join(IO, "mx_indexed.rec"), "rb").read(), "x.rec")
    idx = _copy(tmp_path, b"0\t0\n1 garbage\n", "x.idx")
    with pytest.raises(MXNetError, match=r"x\.idx.*line 2"):
        mx.recordio.MXIndexedRecordIO(idx, rec, "r")
    idx = _copy(tmp_path, b"0\t0\n1\t999999\n", "y.idx")
    with pytest.raises(MXNetError, match=r"y\.idx.*line 2.*offset 999999"):
        mx.recordio.MXIndexedRecordIO(idx, rec, "r")
    idx = _copy(tmp_path, b"0\t6\n", "z.idx")  # inside a record: no magic there
    r = mx.recordio.MXIndexedRecordIO(idx, rec, "r")
    with pytest.raises(MXNetError, match=r"x\.rec.*key 0 at byte offset 6"):
        r.read_idx(0)


def test_misuse_errors(tmp_path):
    with pytest.raises(ValueError, match="Invalid flag"):
        mx.recordio.MXRecordIO(str(tmp_path / "a.rec"), "x")
    with pytest.raises(MXNetError, match="cannot open"):
        mx.recordio.MXRecordIO(str(tmp_path / "missing" / "a.rec"), "r")
    w = mx.recordio.MXRecordIO(str(tmp_path / "a.rec"), "w")
    with pytest.raises(MXNetError, match="opened for writing"):
        w.read()
    with pytest.raises(MXNetError, match="shorter than the 24-byte header"):
        mx.recordio.unpack(b"abc")
    bad = struct.pack("<IfQQ", 5, 0.0, 0, 0) + b"\0" * 8
    with pytest.raises(MXNetError, match="announces 5 float32 labels"):
        mx.recordio.unpack(bad)
    with pytest.raises(MXNetError, match="unpack_img: decoding failed"):
        mx.recordio.unpack_img(mx.recordio.pack(mx.recordio.IRHeader(0, 0, 0, 0), b"not an image"))


# ------------------------------------------------------------------ im2rec
def _image_tree(root):
    from PIL import Image

    rs = np.random.RandomState(1)
    files = {}
    for rel in ["cats/b.png", "cats/a.png", "dogs/c.png", "dogs/skip.txt", "top.png"]:
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        if rel.endswith(".txt"):
            path.write_text("not an image")
            continue
        img = rs.randint(0, 256, (6 + len(files), 10, 3)).astype(np.uint8)
        Image.fromarray(img).save(path)
        files[rel] = img
    return files


def _im2rec(*argv):
    from regluon.tools import im2rec

    return im2rec.main([str(a) for a in argv])


def test_im2rec_list_recursive_and_split(tmp_path):
    root = tmp_path / "imgs"
    _image_tree(root)
    assert _im2rec("--list", "--recursive", "--no-shuffle", tmp_path / "all", root) == 0
    lines = (tmp_path / "all.lst").read_text().splitlines()
    # MXNet's walk order: root's own files first (label 0), then sorted sub-folders
    assert lines == [
        "0\t0.000000\ttop.png",
        "1\t1.000000\tcats/a.png",
        "2\t1.000000\tcats/b.png",
        "3\t2.000000\tdogs/c.png",
    ]
    assert _im2rec("--list", "--no-shuffle", "--exts", ".png", "--", tmp_path / "flat", root) == 0
    assert (tmp_path / "flat.lst").read_text() == "0\t0.000000\ttop.png\n"
    args = ["--list", "--recursive", "--train-ratio", "0.5", "--test-ratio", "0.25", tmp_path / "sp", root]
    assert _im2rec(*args) == 0
    parts = [(tmp_path / f"sp_{p}.lst").read_text().splitlines() for p in ("train", "val", "test")]
    assert [len(p) for p in parts] == [2, 1, 1]
    assert sorted(line.split("\t")[2] for p in parts for line in p) == [
        "cats/a.png",
        "cats/b.png",
        "dogs/c.png",
        "top.png",
    ]
    assert _im2rec("--list", "--recursive", "--chunks", "2", tmp_path / "ch", root) == 0
    assert [len((tmp_path / f"ch_{i}.lst").read_text().splitlines()) for i in (0, 1)] == [2, 2]


def test_im2rec_packs_images(tmp_path):
    root = tmp_path / "imgs"
    files = _image_tree(root)
    _im2rec("--list", "--recursive", "--no-shuffle", tmp_path / "all", root)
    assert _im2rec("--pass-through", "--num-thread", "2", tmp_path / "all", root) == 0
    r = mx.recordio.MXIndexedRecordIO(str(tmp_path / "all.idx"), str(tmp_path / "all.rec"), "r")
    assert r.keys == [0, 1, 2, 3]
    h, payload = mx.recordio.unpack(r.read_idx(2))
    assert (h.label, h.id) == (1.0, 2) and payload == (root / "cats/b.png").read_bytes()
    r.close()
    assert _im2rec("--encoding", ".png", "--resize", "4", "--center-crop", tmp_path / "all", root) == 0
    r = mx.recordio.MXIndexedRecordIO(str(tmp_path / "all.idx"), str(tmp_path / "all.rec"), "r")
    h, img = mx.recordio.unpack_img(r.read_idx(0))
    src = files["top.png"]  # 9 high, 10 wide: the centre crop keeps columns 0..8
    assert src.shape == (9, 10, 3)
    want = mx.image.imresize(mx.nd.array(src[:, :9], dtype="uint8"), 4, 4).asnumpy()
    np.testing.assert_array_equal(img, want[:, :, ::-1])  # unpack_img gives BGR


def test_im2rec_pack_label_and_bad_lists(tmp_path, capsys):
    root = tmp_path / "imgs"
    _image_tree(root)
    (tmp_path / "multi.lst").write_text("7\t1.5\t2.5\ttop.png\n")
    assert _im2rec("--pass-through", "--pack-label", tmp_path / "multi", root) == 0
    r = mx.recordio.MXIndexedRecordIO(str(tmp_path / "multi.idx"), str(tmp_path / "multi.rec"), "r")
    h, _ = mx.recordio.unpack(r.read_idx(7))
    assert h.flag == 2 and h.label.tolist() == [1.5, 2.5]
    (tmp_path / "bad.lst").write_text("0\t1.0\ttop.png\n1\ttop.png\n")
    assert _im2rec(tmp_path / "bad", root) == 1
    assert "bad.lst, line 2: expected 3 tab-separated fields" in capsys.readouterr().err
    (tmp_path / "ragged.lst").write_text("0\t1.0\ttop.png\n1\t1.0\t2.0\ttop.png\n")
    assert _im2rec(tmp_path / "ragged", root) == 1
    assert "ragged.lst, line 2: expected 3" in capsys.readouterr().err
    (tmp_path / "missing.lst").write_text("0\t1.0\tnope.png\n")
    assert _im2rec(tmp_path / "missing", root) == 1
    assert "nope.png" in capsys.readouterr().err


def test_huge_lying_length_fails_without_reading(tmp_path):
    lying = struct.pack("<II", 0xCED7230A, (1 << 29) - 1) + b"abcd" * 4
    with pytest.raises(MXNetError, match=r"announces 536870911 bytes but only 16 remain"):
        _read_all(_copy(tmp_path, lying))
