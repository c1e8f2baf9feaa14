"""``nd.sparse`` against MXNet 1.9.1: values, storage types and sparse parts of every case that
tools/gen_sparse_golden.py ran on the oracle, plus the API surface and the dense-only departures."""

import inspect
import json
import os

import numpy as np
import pytest

import mxnet as mx
from mxnet import autograd, nd

from .conftest import GOLDEN

with open(os.path.join(GOLDEN, "sparse_golden.json")) as _f:
    _GOLDEN = json.load(_f)
_VALUES = np.load(os.path.join(GOLDEN, "sparse_golden.npz"))
CASES = _GOLDEN["cases"]

#: Statements MXNet 1.9.1 refuses that regluon runs (its arrays are dense, so nothing is unsupported).
ACCEPTED = {
    "out = nd.sparse.broadcast_div(c, e)": "MXNet wants elemwise_div for CSR / dense of one shape",
    "lr=0.1, wd=0.1)": "MXNet's lazy sgd_update needs out=weight; regluon returns the updated copy",
}


def _run(code):
    ns = {"mx": mx, "nd": nd, "np": np}
    exec(_GOLDEN["setup"], ns)  # noqa: S102 - the golden file's own case code
    exec(code, ns)  # noqa: S102
    return ns


def _accepted(code):
    return any(code.endswith(k) for k in ACCEPTED)


@pytest.mark.parametrize("case", CASES, ids=[c["key"] for c in CASES])
def test_sparse_matches_mxnet(case):
    code, key = case["code"], case["key"]
    if "error" in case:
        if _accepted(code):
            _run(code)
            return
        with pytest.raises((mx.base.MXNetError, ValueError, TypeError, AssertionError)):
            _run(code)
        return
    ns = _run(code)
    for name, meta in case["result"].items():
        if "list" in meta:
            continue
        base, _, idx = name.partition(".")
        got = ns[base] if not idx else ns[base][int(idx)]
        want = _VALUES[f"{key}/{name}"]
        assert got.stype == meta["stype"], f"{code}: stype {got.stype} != MXNet's {meta['stype']}"
        assert np.dtype(got.dtype).name == meta["dtype"], code
        assert got.shape == tuple(meta["shape"]), code
        np.testing.assert_allclose(got.asnumpy(), want, rtol=1e-5, atol=1e-6, equal_nan=True, err_msg=code)
        if case["parts"] and meta["stype"] != "default":
            for part in ("data", "indices", "indptr") if meta["stype"] == "csr" else ("data", "indices"):
                p = getattr(got, part)
                want_p = _VALUES[f"{key}/{name}.{part}"]
                assert np.dtype(p.dtype) == want_p.dtype, f"{code}: {part} dtype"
                np.testing.assert_array_equal(p.asnumpy(), want_p, err_msg=f"{code}: {part}")


def test_every_mxnet_sparse_function_exists_with_its_signature():
    # MXNet 1.9.1's nd.sparse operators; the generated functions carry the table's signature
    for name in nd.sparse.SPARSE_OPS:
        fn = getattr(nd.sparse, name)
        assert "out" in inspect.signature(fn).parameters, name
        assert fn.__doc__, name
    for name in ("csr_matrix", "row_sparse_array", "zeros", "empty", "array", "add", "subtract", "multiply"):
        assert callable(getattr(nd.sparse, name))
    params = inspect.signature(nd.sparse.sgd_update).parameters
    assert list(params)[:3] == ["weight", "grad", "lr"] and params["lazy_update"].default is True


def test_classes_and_stype():
    c = nd.array([[0, 1.0], [2.0, 0]]).tostype("csr")
    r = nd.array([[0, 0], [1.0, 2.0]]).tostype("row_sparse")
    assert isinstance(c, nd.sparse.CSRNDArray) and isinstance(c, nd.sparse.BaseSparseNDArray)
    assert isinstance(c, nd.NDArray) and isinstance(r, nd.sparse.RowSparseNDArray)
    assert (c.stype, r.stype, nd.ones((2,)).stype) == ("csr", "row_sparse", "default")
    assert repr(c) == "\n<CSRNDArray 2x2 @cpu(0)>"  # MXNet prints no values for sparse arrays
    d = c.tostype("default")
    assert type(d) is nd.NDArray and d.stype == "default"
    np.testing.assert_array_equal(d.asnumpy(), [[0, 1], [2, 0]])


def test_tostype_round_trips_values_and_autograd():
    x = nd.array([[0, 1.5, 0], [-2.0, 0, 3.0]])
    x.attach_grad()
    with autograd.record():
        y = (x.tostype("csr") * x).sum()
    y.backward()
    np.testing.assert_allclose(x.grad.asnumpy(), 2 * x.asnumpy())
    np.testing.assert_array_equal(x.tostype("row_sparse").tostype("default").asnumpy(), x.asnumpy())


def test_sparse_parts_follow_later_writes():
    c = nd.sparse.zeros("csr", (2, 3))
    c[1, 2] = 5.0  # the dense values are the truth; the parts are computed from them
    assert c.indptr.asnumpy().tolist() == [0, 0, 1]
    assert c.indices.asnumpy().tolist() == [2] and c.data.asnumpy().tolist() == [5.0]


def test_row_sparse_gradient_leaves_idle_rows_in_sgd_mom():
    w, mom = nd.ones((3, 2)), nd.ones((3, 2))
    g = nd.sparse.row_sparse_array(([[1.0, 1.0]], [1]), shape=(3, 2))
    nd.sparse.sgd_mom_update(w, g, mom, lr=0.5, momentum=0.5, out=w)
    # rows 0 and 2 have no gradient: untouched (lazy); row 1: mom = 0.5 - 0.5 = 0, w = 1 + 0
    np.testing.assert_allclose(w.asnumpy(), [[1, 1], [1, 1], [1, 1]])
    np.testing.assert_allclose(mom.asnumpy(), [[1, 1], [0, 0], [1, 1]])
    w2, mom2 = nd.ones((3, 2)), nd.ones((3, 2))
    nd.sgd_mom_update(w2, g.tostype("default"), mom2, lr=0.5, momentum=0.5, out=w2)
    np.testing.assert_allclose(mom2.asnumpy()[0], [0.5, 0.5])  # the dense update touches every row


def test_bad_constructor_input_is_refused_clearly():
    with pytest.raises(mx.base.MXNetError, match=r"csr_matrix: inconsistent CSR parts"):
        nd.sparse.csr_matrix(([1.0], [0], [0, 1, 1, 1]), shape=(2, 3))
    with pytest.raises(mx.base.MXNetError, match=r"column indices must lie in \[0, 3\)"):
        nd.sparse.csr_matrix(([1.0], [5], [0, 1, 1]), shape=(2, 3))
    with pytest.raises(mx.base.MXNetError, match=r"row_sparse_array: rows of shape \(3,\)"):
        nd.sparse.row_sparse_array(([[1.0, 2.0, 3.0]], [0]), shape=(3, 2))
    with pytest.raises(mx.base.MXNetError, match=r"row indices must lie in \[0, 3\)"):
        nd.sparse.row_sparse_array(([[1.0, 2.0]], [3]), shape=(3, 2))
    with pytest.raises(mx.base.MXNetError, match=r"tostype: stype must be one of"):
        nd.ones((2, 2)).tostype("coo")
    with pytest.raises(mx.base.MXNetError, match=r"adagrad_update: weight decay"):
        nd.sparse.adagrad_update(nd.ones((2,)), nd.ones((2,)), nd.ones((2,)), lr=0.1, wd=0.1)


def test_scipy_free_constructors_match_numpy():
    rng = np.random.RandomState(0)
    dense = rng.uniform(-1, 1, (5, 4)).astype(np.float32) * (rng.uniform(size=(5, 4)) > 0.6)
    rows, cols = np.nonzero(dense)
    indptr = np.concatenate([[0], np.cumsum(np.bincount(rows, minlength=5))])
    x = nd.sparse.csr_matrix((dense[rows, cols], cols, indptr), shape=(5, 4))
    np.testing.assert_array_equal(x.asnumpy(), dense)
    np.testing.assert_array_equal(x.indptr.asnumpy(), indptr)
    keep = np.unique(rows)
    y = nd.sparse.row_sparse_array((dense[keep], keep), shape=(5, 4))
    np.testing.assert_array_equal(y.asnumpy(), dense)
    np.testing.assert_array_equal(y.indices.asnumpy(), keep)
