"""Smaller ``nd`` additions against MXNet 1.9.1 (tools/gen_nd_extras_golden.py) or NumPy: sparse arrays
in NDArray files, ``load_frombuffer``, ``reset_arrays``, ``erfinv`` on integers, ``imdecode``, the
``nd.op`` module and the rest of ``nd.sparse``'s API."""

import io
import json
import os

import numpy as np
import pytest

import mxnet as mx
from mxnet import nd

from .conftest import GOLDEN

with open(os.path.join(GOLDEN, "nd_extras.json")) as _f:
    FACTS = json.load(_f)
SPARSE_FILE = os.path.join(GOLDEN, "nd_extras_sparse.nd")


def _golden_arrays():
    c = nd.array([[0, 1.5, 0], [2.0, 0, -3.0]]).tostype("csr")
    r = nd.array([[0, 0], [1.0, -2.0], [0, 0], [0.5, 0]], dtype="float64").tostype("row_sparse")
    return {"c": c, "r": r, "d": nd.array([1, 2, 3], dtype="int32")}


def test_save_writes_sparse_arrays_byte_for_byte_as_mxnet(tmp_path):
    path = str(tmp_path / "x.nd")
    nd.save(path, _golden_arrays())
    with open(path, "rb") as f, open(SPARSE_FILE, "rb") as g:
        assert f.read() == g.read()


@pytest.mark.parametrize("how", ["load", "load_frombuffer"])
def test_load_gives_mxnets_storage_types(how):
    if how == "load":
        got = nd.load(SPARSE_FILE)
    else:
        with open(SPARSE_FILE, "rb") as f:
            got = nd.load_frombuffer(f.read())
    assert sorted(got) == sorted(FACTS["saved"])
    for name, want in FACTS["saved"].items():
        x = got[name]
        assert (x.stype, np.dtype(x.dtype).name) == (want["stype"], want["dtype"]), name
        np.testing.assert_array_equal(x.asnumpy(), want["values"])
    assert got["c"].indptr.asnumpy().tolist() == [0, 1, 3]


def test_load_frombuffer_checks_its_input():
    with open(SPARSE_FILE, "rb") as f:
        blob = f.read()
    with pytest.raises(TypeError, match="string or bytes"):
        nd.load_frombuffer(bytearray(blob))
    with pytest.raises(mx.base.MXNetError):
        nd.load_frombuffer(blob[:-9])
    with pytest.raises(mx.base.MXNetError):
        nd.load_frombuffer(b"")


@pytest.mark.parametrize("dtype", ["int8", "uint8", "int32", "int64"])
def test_erfinv_on_integer_arrays_matches_mxnet(dtype):
    case = FACTS["erfinv"][dtype]
    out = nd.erfinv(nd.array(case["in"], dtype=dtype))
    assert np.dtype(out.dtype).name == case["dtype"]
    assert out.asnumpy().tolist() == case["out"]


def test_reset_arrays_zeroes_in_place_and_checks_first():
    a, b = nd.ones((2, 3)), nd.ones((4,), dtype="float16")
    assert repr(nd.reset_arrays(a, b, num_arrays=2)) == FACTS["reset_arrays_returns"]
    assert [a.asnumpy().tolist(), b.asnumpy().tolist()] == FACTS["reset_arrays_values"]
    x, i = nd.ones((2,)), nd.ones((2,), dtype="int32")
    with pytest.raises(mx.base.MXNetError, match="expects 2 inputs"):
        nd.reset_arrays(x, num_arrays=2)
    with pytest.raises(mx.base.MXNetError, match="num_arrays is missing"):
        nd.reset_arrays(x)
    with pytest.raises(mx.base.MXNetError, match=r"data\[1\] is int32"):
        nd.reset_arrays(x, i, num_arrays=2)
    assert x.asnumpy().tolist() == [1, 1]  # nothing was reset


def test_nd_op_module_holds_the_nd_functions():
    import mxnet.ndarray.op as op_module

    assert op_module is nd.op and nd.sparse.op is nd.op
    missing = [n for n in FACTS["op_public"] if n != "CachedOp" and getattr(nd.op, n, None) is None]
    assert missing == []
    assert nd.op.relu is nd.relu and nd.op.Convolution is nd.Convolution
    assert nd.op.cast_storage is nd.cast_storage


#: nd.sparse's public names in MXNet that are its own imports, not API
NOT_API = {"NDArrayHandle", "c_array_buf", "check_call", "ctypes", "gs_retain", "native_array"} | {
    "operator",
    "py_slice",
    "py_sum",
    "spsp",
    "warnings",
}


def test_nd_sparse_has_mxnets_public_names():
    assert [n for n in FACTS["sparse_public"] if n not in NOT_API and not hasattr(nd.sparse, n)] == []
    assert nd.sparse.mx_real_t is np.float32
    assert issubclass(nd.sparse.NotSupportedForSparseNDArray, mx.base.MXNetError)


def test_asscipy_gives_the_csr_matrix():
    scipy_sparse = pytest.importorskip("scipy.sparse")
    dense = np.array([[0, 1.5, 0], [2.0, 0, -3.0]], dtype=np.float32)
    s = nd.array(dense).tostype("csr").asscipy()
    want = FACTS["asscipy"]
    assert (type(s).__name__, s.dtype.name, list(s.shape)) == (want["type"], want["dtype"], want["shape"])
    ref = scipy_sparse.csr_matrix(dense)
    np.testing.assert_array_equal(s.indptr, ref.indptr)
    np.testing.assert_array_equal(s.indices, ref.indices)
    np.testing.assert_array_equal(s.data, ref.data)
    back = nd.sparse.csr_matrix(s)
    assert back.stype == "csr"
    np.testing.assert_array_equal(back.asnumpy(), dense)


def test_row_sparse_retain_method_and_indexing():
    x = nd.array([[1.0, 2.0], [3.0, 4.0], [5.0, 6.0]]).tostype("row_sparse")
    kept = x.retain(nd.array([0, 2]))
    assert kept.stype == "row_sparse" and kept.indices.asnumpy().tolist() == [0, 2]
    np.testing.assert_array_equal(kept.asnumpy(), [[1, 2], [0, 0], [5, 6]])
    assert x[:] is x
    with pytest.raises(mx.base.MXNetError, match="int key is not implemented"):
        x[1]
    with pytest.raises(mx.base.MXNetError, match=r"only supports \[:\]"):
        x[0:2]
    c = nd.array([[0, 1.0], [2.0, 0]]).tostype("csr")
    with pytest.raises(nd.sparse.NotSupportedForSparseNDArray, match="reshape"):
        c.reshape((4,))


def _png(pixels: np.ndarray) -> bytes:
    from PIL import Image

    buf = io.BytesIO()
    Image.fromarray(pixels).save(buf, format="PNG")
    return buf.getvalue()


def test_imdecode_gives_channels_first_in_codec_order():
    rng = np.random.RandomState(0)
    rgb = rng.randint(0, 256, (5, 7, 3)).astype(np.uint8)
    blob = _png(rgb)  # lossless: the decoded pixels are exactly these
    bgr_chw = rgb[:, :, ::-1].transpose(2, 0, 1).astype(np.float32)
    out = nd.imdecode(blob)
    assert out.shape == (3, 5, 7) and out.dtype == np.float32
    np.testing.assert_array_equal(out.asnumpy(), bgr_chw)
    np.testing.assert_array_equal(nd.imdecode(blob, clip_rect=(1, 2, 4, 5)).asnumpy(), bgr_chw[:, 2:5, 1:4])
    mean = nd.ones((3, 5, 7)) * 10
    np.testing.assert_array_equal(nd.imdecode(blob, mean=mean).asnumpy(), bgr_chw - 10)
    batch = nd.zeros((2, 3, 5, 7))
    assert nd.imdecode(blob, out=batch, index=1) is batch
    np.testing.assert_array_equal(batch.asnumpy()[1], bgr_chw)
    assert not batch.asnumpy()[0].any()
    grey = nd.imdecode(_png(rgb[:, :, 0]), channels=1)
    np.testing.assert_array_equal(grey.asnumpy(), rgb[None, :, :, 0])
    with pytest.raises(mx.base.MXNetError, match="clip_rect"):
        nd.imdecode(blob, clip_rect=(0, 0, 9, 9))
