"""mx.io iterators against MXNet 1.9.1's batch sequences (tests/golden/io/iter.json)."""

import json
import os

import numpy as np
import pytest
from mxnet.base import MXNetError

import mxnet as mx

from .conftest import GOLDEN

with open(os.path.join(GOLDEN, "io", "iter.json")) as _f:
    CASES = json.load(_f)
DATA = np.arange(30, dtype=np.float32).reshape(10, 3)
LABEL = np.arange(10, dtype=np.float32) * 10


def _build(name):
    """The iterator MXNet ran for case ``name`` (tools/gen_io_golden.py, iter_golden) and its epochs."""
    kind, _, rest = name.partition("/")
    if kind in ("pad", "discard", "roll_over"):
        return mx.io.NDArrayIter(DATA, LABEL, batch_size=int(rest[2:]), last_batch_handle=kind), 3
    if kind == "dict":
        return mx.io.NDArrayIter({"a": DATA, "b": DATA[:, :2] * -1}, {"lab": LABEL}, batch_size=4), 2
    if kind == "list_nolabel":
        return mx.io.NDArrayIter([DATA, DATA * 2], None, batch_size=6, data_name="x"), 1
    if kind == "shuffle":
        np.random.seed(7)
        return mx.io.NDArrayIter(DATA, LABEL, batch_size=4, shuffle=True, last_batch_handle=rest), 2
    if name == "resize/5":
        return mx.io.ResizeIter(mx.io.NDArrayIter(DATA, LABEL, batch_size=4), 5), 2
    if name == "resize/2_keep":
        return mx.io.ResizeIter(mx.io.NDArrayIter(DATA, LABEL, batch_size=4), 2, reset_internal=False), 3
    if kind == "prefetch":
        return mx.io.PrefetchingIter(mx.io.NDArrayIter(DATA, LABEL, batch_size=4)), 2
    if kind == "dtypes":
        return mx.io.NDArrayIter(DATA.astype(np.float64), LABEL.astype(np.int32), batch_size=5), 1
    if kind == "dtypes_nd":
        return mx.io.NDArrayIter(
            mx.nd.array(DATA, dtype="int32"), mx.nd.array(LABEL, dtype="float64"), batch_size=5
        ), 1
    if kind == "dict_order":
        return mx.io.NDArrayIter({"zz": DATA, "aa": DATA * 2}, None, batch_size=5), 1
    if kind == "hard_reset":
        it = mx.io.NDArrayIter(DATA, LABEL, batch_size=4, last_batch_handle="roll_over")
        for _ in it:
            pass
        it.hard_reset()
        return it, 1
    raise KeyError(name)


def _descs(descs):
    return [[d.name, list(d.shape), np.dtype(d.dtype).name, d.layout] for d in descs]


@pytest.mark.parametrize("name", sorted(CASES))
def test_batch_sequence_matches_mxnet(name):
    it, epochs = _build(name)
    want = CASES[name]
    assert _descs(it.provide_data) == want["provide_data"]
    assert _descs(it.provide_label) == want["provide_label"]
    assert len(want["batches"]) == epochs
    for epoch in want["batches"]:
        got = list(it)
        assert len(got) == len(epoch)
        for b, w in zip(got, epoch):
            assert [d.asnumpy().tolist() for d in b.data] == w["data"]
            assert [d.asnumpy().tolist() for d in (b.label or [])] == w["label"]
            assert [np.dtype(d.dtype).name for d in b.data + (b.label or [])] == w["dtypes"]
            assert b.pad == w["pad"] and b.index == w["index"]
        it.reset()


def test_next_and_iter_protocol():
    it = mx.io.NDArrayIter(DATA, LABEL, batch_size=5)
    assert iter(it) is it
    first = it.next()
    assert isinstance(first, mx.io.DataBatch) and first.data[0].shape == (5, 3)
    next(it)
    with pytest.raises(StopIteration):
        it.next()
    assert str(first) == "DataBatch: data shapes: [(5, 3)] label shapes: [(5,)]"


def test_data_desc():
    d = mx.io.DataDesc("data", (4, 3))
    assert repr(d) == "DataDesc[data,(4, 3),<class 'numpy.float32'>,NCHW]"
    assert d == ("data", (4, 3)) and d.layout == "NCHW"
    assert mx.io.DataDesc.get_batch_axis("TNC") == 1 and mx.io.DataDesc.get_batch_axis(None) == 0
    (a,) = mx.io.DataDesc.get_list([("a", (1, 2))], [("a", np.int32)])
    assert a.dtype is np.int32


def test_prefetching_joins_iterators_and_renames():
    it = mx.io.PrefetchingIter(
        [mx.io.NDArrayIter(DATA, LABEL, batch_size=5), mx.io.NDArrayIter(DATA * 2, LABEL, batch_size=5)],
        rename_data=[{"data": "x"}, {"data": "y"}],
    )
    assert [d.name for d in it.provide_data] == ["x", "y"]
    batches = list(it)
    assert len(batches) == 2 and len(batches[0].data) == 2
    np.testing.assert_array_equal(batches[1].data[1].asnumpy(), DATA[5:] * 2)
    it.reset()
    assert len(list(it)) == 2


def test_bad_input():
    with pytest.raises(MXNetError, match="same first dimension"):
        mx.io.NDArrayIter(DATA, LABEL[:9], batch_size=4)
    with pytest.raises(ValueError, match="last_batch_handle"):
        mx.io.NDArrayIter(DATA, LABEL, batch_size=4, last_batch_handle="wrap")
    with pytest.raises(MXNetError, match="batch_size must be positive"):
        mx.io.NDArrayIter(DATA, batch_size=0)


# ------------------------------------------------------------------ ImageRecordIter
REC_G = np.load(os.path.join(GOLDEN, "io", "record_iter.npz"))
with open(os.path.join(GOLDEN, "io", "record_iter.json")) as _f:
    REC_J = json.load(_f)


def _record_iter(name, **extra):
    kw = dict(REC_J["cases"][name])
    rec = kw.pop("rec", "iter_imgs")
    return mx.io.ImageRecordIter(path_imgrec=os.path.join(GOLDEN, "io", rec + ".rec"), **kw, **extra)


@pytest.mark.parametrize("name", sorted(REC_J["cases"]))
def test_image_record_iter_matches_mxnet(name):
    it = _record_iter(name, preprocess_threads=2)
    assert list(it.provide_label[0].shape) == REC_J["meta"][name]["provide_label"]
    for epoch in range(3):
        pads = []
        for j, b in enumerate(it):
            np.testing.assert_allclose(
                b.data[0].asnumpy(), REC_G[f"rec/{name}/{epoch}/{j}/data"], rtol=1e-6, atol=1e-5
            )
            np.testing.assert_array_equal(b.label[0].asnumpy(), REC_G[f"rec/{name}/{epoch}/{j}/label"])
            pads.append(b.pad)
        assert pads == REC_J["meta"][name]["pads"][epoch]
        it.reset()


def test_image_record_iter_random_options():
    plain = np.concatenate([b.data[0].asnumpy() for b in _record_iter("enlarge")])
    it = _record_iter("enlarge", shuffle=True, rand_mirror=True, seed=3)
    got = np.concatenate([b.data[0].asnumpy() for b in it])
    # every image appears once, possibly mirrored
    matches = [
        [i for i in range(5) if (g == plain[i]).all() or (g == plain[i][:, :, ::-1]).all()] for g in got
    ]
    assert sorted(m[0] for m in matches) == list(range(5))
    it = mx.io.ImageRecordIter(
        path_imgrec=os.path.join(GOLDEN, "io", "iter_imgs.rec"),
        data_shape=(3, 8, 8),
        batch_size=1,
        rand_crop=True,
    )
    crops = [b.data[0].asnumpy()[0] for b in it]
    assert all(c.shape == (3, 8, 8) for c in crops) and len(crops) == 5


def test_image_record_iter_bad_input(tmp_path):
    with pytest.raises(MXNetError, match="unknown parameter"):
        _record_iter("default", no_such_option=1)
    with pytest.raises(MXNetError, match="data_shape must be"):
        mx.io.ImageRecordIter(
            path_imgrec=os.path.join(GOLDEN, "io", "iter_imgs.rec"), data_shape=(8, 8), batch_size=1
        )
    bad = tmp_path / "bad.rec"
    bad.write_bytes(open(os.path.join(GOLDEN, "io", "iter_imgs.rec"), "rb").read()[:100])
    with pytest.raises(MXNetError, match=r"bad\.rec"):
        mx.io.ImageRecordIter(path_imgrec=str(bad), data_shape=(3, 8, 8), batch_size=1)


def test_undecodable_image_names_file_and_record(tmp_path):
    w = mx.recordio.MXRecordIO(str(tmp_path / "x.rec"), "w")
    with open(os.path.join(GOLDEN, "io", "img_rgb.png"), "rb") as f:
        good = f.read()
    w.write(mx.recordio.pack(mx.recordio.IRHeader(0, 0.0, 0, 0), good))
    w.write(mx.recordio.pack(mx.recordio.IRHeader(0, 1.0, 1, 0), b"garbage, not an image"))
    w.close()
    it = mx.io.ImageRecordIter(path_imgrec=str(tmp_path / "x.rec"), data_shape=(3, 8, 8), batch_size=2)
    with pytest.raises(MXNetError, match=r'record 1 of ".*x\.rec".*decoding failed'):
        it.next()
    it = mx.image.ImageIter(2, (3, 8, 8), path_imgrec=str(tmp_path / "x.rec"))
    with pytest.raises(MXNetError, match=r'ImageIter: cannot decode the record 1 of ".*x\.rec"'):
        it.next()


# ------------------------------------------------------------------ CSVIter
with open(os.path.join(GOLDEN, "io", "csv.json")) as _f:
    CSV = json.load(_f)


@pytest.mark.parametrize("name", sorted(CSV))
def test_csv_iter_matches_mxnet(name):
    kw = dict(CSV[name]["kwargs"])
    if "label_csv" in kw:
        kw["label_csv"] = os.path.join(GOLDEN, "io", kw["label_csv"])
    it = mx.io.CSVIter(data_csv=os.path.join(GOLDEN, "io", "csv_data.csv"), **kw)
    assert [list(it.provide_data[0].shape), list(it.provide_label[0].shape)] == CSV[name]["provide"]
    for epoch in CSV[name]["epochs"]:
        got = [
            {
                "data": b.data[0].asnumpy().tolist(),
                "label": b.label[0].asnumpy().tolist(),
                "pad": b.pad,
                "dtype": np.dtype(b.data[0].dtype).name,
            }
            for b in it
        ]
        assert got == epoch
        it.reset()


def test_csv_iter_bad_input(tmp_path):
    (tmp_path / "a.csv").write_text("1,2,3\n4,5\n")
    with pytest.raises(MXNetError, match=r'a\.csv", line 2 has 2 values'):
        mx.io.CSVIter(data_csv=str(tmp_path / "a.csv"), data_shape=(3,), batch_size=1)
    (tmp_path / "b.csv").write_text("1,x,3\n")
    with pytest.raises(MXNetError, match="not a number"):
        mx.io.CSVIter(data_csv=str(tmp_path / "b.csv"), data_shape=(3,), batch_size=1)


# ------------------------------------------------------------------ MNISTIter
with open(os.path.join(GOLDEN, "io", "mnist_iter.json")) as _f:
    MNIST = json.load(_f)
MNIST_FILES = dict(
    image=os.path.join(GOLDEN, "io", "mnist-images-idx3-ubyte"),
    label=os.path.join(GOLDEN, "io", "mnist-labels-idx1-ubyte"),
)


@pytest.mark.parametrize("name", sorted(MNIST))
def test_mnist_iter_matches_mxnet(name):
    it = mx.io.MNISTIter(batch_size=2, silent=True, **MNIST_FILES, **MNIST[name]["kwargs"])
    assert [list(it.provide_data[0].shape), list(it.provide_label[0].shape)] == MNIST[name]["provide"]
    for epoch in MNIST[name]["epochs"]:
        got = [
            {"data": b.data[0].asnumpy().tolist(), "label": b.label[0].asnumpy().tolist(), "pad": b.pad}
            for b in it
        ]
        assert got == epoch
        it.reset()


def test_mnist_iter_shuffle_and_bad_files(tmp_path):
    it = mx.io.MNISTIter(batch_size=1, silent=True, shuffle=True, seed=3, **MNIST_FILES)
    labels = sorted(b.label[0].asnumpy()[0] for b in it)
    assert labels == [1.0, 1.0, 3.0, 4.0, 5.0]
    data = open(MNIST_FILES["image"], "rb").read()
    (tmp_path / "short").write_bytes(data[:-3])
    with pytest.raises(MXNetError, match="announces"):
        mx.io.MNISTIter(image=str(tmp_path / "short"), label=MNIST_FILES["label"], silent=True)
    with pytest.raises(MXNetError, match="not an IDX label file"):
        mx.io.MNISTIter(image=MNIST_FILES["image"], label=MNIST_FILES["image"], silent=True)


with open(os.path.join(GOLDEN, "io", "libsvm.json")) as _f:
    LIBSVM = json.load(_f)


@pytest.mark.parametrize("name", sorted(LIBSVM))
def test_libsvm_iter_matches_mxnet(name):
    """MXNet's batches are CSR arrays; regluon's are dense with the same values."""
    kw = dict(LIBSVM[name]["kwargs"])
    data = os.path.join(GOLDEN, "io", kw.pop("data", "svm_data.t"))
    if "label_libsvm" in kw:
        kw["label_libsvm"] = os.path.join(GOLDEN, "io", kw["label_libsvm"])
    it = mx.io.LibSVMIter(data_libsvm=data, **kw)
    assert [list(it.provide_data[0].shape), list(it.provide_label[0].shape)] == LIBSVM[name]["provide"]
    for want in LIBSVM[name]["epochs"]:
        got = [
            {"data": b.data[0].asnumpy().tolist(), "label": b.label[0].asnumpy().tolist(), "pad": b.pad}
            for b in it
        ]
        assert got == want
        it.reset()


def test_libsvm_iter_bad_input(tmp_path):
    (tmp_path / "a.t").write_text("1 0:1\n2 7:1\n")
    with pytest.raises(MXNetError, match=r'a\.t", line 2: feature index 7'):
        mx.io.LibSVMIter(data_libsvm=str(tmp_path / "a.t"), data_shape=(3,), batch_size=1)
    (tmp_path / "b.t").write_text("1 0:x\n")
    with pytest.raises(MXNetError, match=r'b\.t", line 1 is not'):
        mx.io.LibSVMIter(data_libsvm=str(tmp_path / "b.t"), data_shape=(3,), batch_size=1)
    with pytest.raises(MXNetError, match="round_batch == false"):
        mx.io.LibSVMIter(data_libsvm=str(tmp_path / "a.t"), data_shape=(9,), batch_size=1, round_batch=False)
    with pytest.raises(MXNetError, match="bigger than batch size"):
        mx.io.LibSVMIter(data_libsvm=str(tmp_path / "a.t"), data_shape=(9,), batch_size=5)
