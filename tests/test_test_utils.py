"""mx.test_utils at user level. Expected values come from MXNet 1.9.1
(tests/golden/test_utils_golden.json, written by tools/gen_test_utils_golden.py), from NumPy, or are
worked out by hand; every check that must fail is shown failing."""

import gzip
import json
import os
import sys
import urllib.error

import numpy as np
import pytest
from mxnet.base import MXNetError

import mxnet as mx
from mxnet import gluon, nd
from mxnet import test_utils as tu

with open(os.path.join(os.path.dirname(__file__), "golden", "test_utils_golden.json")) as _f:
    GOLD = json.load(_f)

DT = {"f16": np.float16, "f32": np.float32, "f64": np.float64, "i32": np.int32, "u8": np.uint8}


def make(kind, dt, values=(1.0, 2.0)):
    if kind == "num":
        return values[0] if dt == "f64" else int(values[0])
    arr = np.array(values, dtype=DT[dt])
    return nd.array(arr, dtype=DT[dt]) if kind == "nd" else arr


def passes(f, *args, **kwargs):
    try:
        f(*args, **kwargs)
        return True
    except AssertionError:
        return False


def test_tolerances_match_mxnet():
    g = GOLD["tolerance"]
    for ka, da, kb, db, rtol, atol, r, a in g["get_tols"]:
        assert tu.get_tols(make(ka, da), make(kb, db), rtol, atol) == (r, a), (ka, da, kb, db, rtol, atol)
    for da, expected in g["get_tolerance_dict"]:
        assert tu.get_tolerance(make("np", da), {np.dtype(np.float32): 0.125}, tu.default_rtols()) == expected
    assert [tu.get_rtol(), tu.get_rtol(0.3), tu.get_rtol(None, np.dtype(np.float16))] == g["get_rtol"]
    assert [tu.get_atol(), tu.get_atol(0.3), tu.get_atol(None, np.dtype(np.float32))] == g["get_atol"]
    assert [tu.get_etol(), tu.get_etol(0.2)] == g["get_etol"]
    assert {np.dtype(k).name: v for k, v in tu.default_numeric_eps().items()} == g["numeric_eps"]
    assert np.dtype(tu.default_dtype()).name == g["default_dtype"]
    got = [
        np.dtype(tu.effective_dtype(make(k, d))).name
        for k, d in [("nd", "f32"), ("np", "f16"), ("nd", "i32")]
    ]
    assert got == g["effective_dtype"]


def test_comparisons_pass_and_fail_as_in_mxnet():
    g = GOLD["compare"]
    for a, b, dt, kw, ok in g["assert_almost_equal"]:
        assert passes(tu.assert_almost_equal, np.array(a, DT[dt]), np.array(b, DT[dt]), **kw) == ok, (
            a,
            b,
            dt,
            kw,
        )
        assert passes(tu.assert_almost_equal, nd.array(a, dtype=DT[dt]), np.array(b, DT[dt]), **kw) == ok
    for a, b, ok in g["ignore_nan"]:
        assert (
            passes(tu.assert_almost_equal_ignore_nan, np.array(a, np.float32), np.array(b, np.float32)) == ok
        )
    for a, b, etol, ok in g["with_err"]:
        assert (
            passes(
                tu.assert_almost_equal_with_err, np.array(a, np.float32), np.array(b, np.float32), etol=etol
            )
            == ok
        )
    for a, b, dt, ok in g["almost_equal"]:  # float64's default tolerances whatever the dtype
        assert tu.almost_equal(np.array(a, DT[dt]), np.array(b, DT[dt])) == ok
    x = nd.arange(6).reshape((2, 3))
    same = [
        tu.same_array(x, x),
        tu.same_array(x, x.copy()),
        tu.same_array(x, x.reshape((2, 3))),
        tu.same_array(x, x.reshape((3, 2))),
    ]
    assert same == g["same_array"]
    assert x.asnumpy().tolist() == [[0, 1, 2], [3, 4, 5]]  # left as it was


def test_error_messages_name_the_worst_element():
    with pytest.raises(
        AssertionError, match=r"Location of maximum error: \(1,\), x=2.00000000, y=2.10000000"
    ):
        tu.assert_almost_equal(np.array([1.0, 2.0]), np.array([1.0, 2.1]), names=("x", "y"))
    with pytest.raises(AssertionError, match="20.00% of the elements differ, more than etol=0.1"):
        tu.assert_almost_equal_with_err(np.array([0.0] * 8 + [1.0, 1.0]), np.zeros(10), etol=0.1)
    with pytest.raises(AssertionError, match="are not equal"):
        tu.assert_almost_equal(np.ones(2), np.ones((2, 1)), use_broadcast=False)
    with pytest.raises(AssertionError):
        tu.assert_almost_equal(np.array([True, False]), np.array([True, True]))


def test_compare_ndarray_tuple():
    a = (nd.ones((2,)), (nd.zeros((1,)), None))
    tu.compare_ndarray_tuple(a, (np.ones(2), (np.zeros(1), None)))
    tu.compare_ndarray_tuple(None, a)
    with pytest.raises(AssertionError):
        tu.compare_ndarray_tuple(a, (np.ones(2), (np.ones(1), None)))


def test_numpy_helpers_match_mxnet():
    g = GOLD["helpers"]
    a, d = np.array(g["a"]), np.array(g["d"])
    for s, expected in g["collapse"].items():
        np.testing.assert_allclose(tu.collapse_sum_like(a, eval(s)), expected, rtol=1e-12)
    for ax, kd, name, expected in g["np_reduce"]:
        got = tu.np_reduce(d, eval(ax), kd, getattr(np, name))
        np.testing.assert_allclose(got, expected, rtol=1e-12)
    with pytest.raises(AssertionError, match="does not broadcast"):
        tu.collapse_sum_like(a, (2, 4))
    m = np.array([[1.0, -2.0], [3.5, 0.25]], dtype=np.float32)
    e1 = tu.assign_each(m, lambda v: v * v + 1)
    e2 = tu.assign_each2(m, m.T.copy(), lambda u, v: u - 2 * v)
    assert [e1.tolist(), str(e1.dtype), e2.tolist(), str(e2.dtype), tu.assign_each(m, None).dtype.name] == g[
        "assign_each"
    ]
    t, v = tu.create_2d_tensor(3, 4), tu.create_vector(5, dtype=np.int32)
    assert [t.asnumpy().tolist(), np.dtype(t.dtype).name, v.asnumpy().tolist(), np.dtype(v.dtype).name] == g[
        "create"
    ]
    i1, i2 = tu.get_identity_mat(3), tu.get_identity_mat_batch(2)
    got = [i1.asnumpy().tolist(), np.dtype(i1.dtype).name, i2.asnumpy().tolist(), np.dtype(i2.dtype).name]
    assert got == g["identity"]
    buckets, probs = tu.gen_buckets_probs_with_ppf(lambda q: 10 * q, 4)
    assert [[list(b) for b in buckets], probs] == g["buckets"]


def test_random_helpers():
    np.random.seed(0)
    x, y = tu.rand_coord_2d(2, 5, 10, 11)
    assert 2 <= x < 5 and y == 10 and isinstance(x, np.int64)
    pop = list(range(10))
    s = tu.random_sample(pop, 4)
    assert len(s) == 4 and len(set(s)) == 4 and set(s) <= set(pop) and pop == list(range(10))
    with pytest.raises(AssertionError):
        tu.random_sample(pop, 11)
    a, b = tu.random_uniform_arrays((2, 3), (4,), low=-2, high=-1)
    assert a.shape == (2, 3) and b.dtype == np.float32 and (a >= -2).all() and (a < -1).all()
    with pytest.raises(TypeError):
        tu.random_uniform_arrays((2,), scale=3)
    assert tu.rand_ndarray((3, 2)).dtype == np.float32


@pytest.mark.parametrize("n", [1, 4])
def test_matrices_have_their_properties(n):
    np.random.seed(n)
    q = tu.new_orthonormal_matrix_2d(n)
    np.testing.assert_allclose(q.T @ q, np.eye(n), atol=1e-10)
    s = tu.new_sym_matrix_with_real_eigvals_nd((2, 3, n, n))
    assert s.shape == (2, 3, n, n)
    np.testing.assert_allclose(s, np.swapaxes(s, -1, -2), atol=1e-10)
    assert (np.abs(np.linalg.eigvalsh(s)) <= 10 + 1e-9).all()
    m = tu.new_matrix_with_real_eigvals_nd((2, n, n))
    ev = np.linalg.eigvals(m)
    assert np.abs(ev.imag).max() < 1e-8 and (np.abs(ev.real) <= 10 + 1e-8).all()
    assert tu.new_matrix_with_real_eigvals_2d(n).shape == (n, n)
    assert tu.new_sym_matrix_with_real_eigvals_2d(n).shape == (n, n)


def test_sparse_random_arrays():
    g = GOLD["sparse"]
    for shape, density, indptr, indices in g["powerlaw"]:  # positions are deterministic
        csr, (ip, ind, data) = tu.rand_sparse_ndarray(
            tuple(shape), "csr", density=density, distribution="powerlaw"
        )
        assert csr.stype == "csr" and ip.asnumpy().tolist() == indptr and ind.asnumpy().tolist() == indices
        assert (data.asnumpy() > 1).all()
    for shape, density, nnz in g["uniform_nnz"]:
        csr, (ip, _, data) = tu.rand_sparse_ndarray(tuple(shape), "csr", density=density, dtype="float64")
        assert int(ip.asnumpy()[-1]) == nnz and csr.dtype == np.float64 and (data.asnumpy() < 1).all()
    indices, dense = g["rsp"]
    arr = tu.create_sparse_array_zd((6, 2), "row_sparse", 0.7, rsp_indices=[4, 1], data_init=2.0)
    assert (
        arr.stype == "row_sparse"
        and arr.indices.asnumpy().tolist() == indices
        and arr.asnumpy().tolist() == dense
    )
    arr, (values, rows) = tu.rand_sparse_ndarray(
        (5, 3), "row_sparse", density=1.0, modifier_func=lambda v: -v
    )
    assert rows.tolist() == [0, 1, 2, 3, 4] and (arr.asnumpy() <= 0).all()
    np.testing.assert_allclose(arr.asnumpy(), values, rtol=1e-6)
    empty, (vals, rows) = tu.rand_sparse_ndarray((4, 2), "row_sparse", density=0.0)
    assert empty.stype == "row_sparse" and empty.asnumpy().sum() == 0 and rows.size == 0
    assert tu.rand_ndarray((4, 5), "csr", density=0.5).stype == "csr"
    assert tu.create_sparse_array((4, 5), "csr").shape == (4, 5)
    with pytest.raises(ValueError, match="num_rows \\* num_cols \\* density >= 2 \\* num_rows"):
        tu.rand_sparse_ndarray((5, 4), "csr", density=0.1, distribution="powerlaw")
    with pytest.raises(AssertionError, match="Unknown storage type"):
        tu.create_sparse_array((2, 2), "dense")


def test_statistics_match_mxnet():
    g = GOLD["stats"]
    uni, normal, disc = (np.array(g[k]) for k in ("uniform", "normal", "discrete"))
    buckets, probs = tu.gen_buckets_probs_with_ppf(lambda q: 10 * q, 5)
    p, obs, exp = tu.chi_square_check(lambda n: uni, buckets, probs, nsamples=500)
    assert [obs.tolist(), exp.tolist()] == g["chi_uniform"][1:]
    np.testing.assert_allclose(p, g["chi_uniform"][0], rtol=1e-9)
    p, obs, _ = tu.chi_square_check(lambda n: uni, buckets, g["chi_skewed"][3], nsamples=500)
    np.testing.assert_allclose(p, g["chi_skewed"][0], rtol=1e-6)
    p, obs, exp = tu.chi_square_check(lambda n: disc, [0, 1, 2], [0.3, 0.3, 0.4], nsamples=300)
    assert [obs.tolist(), exp.tolist()] == g["chi_discrete"][1:]
    np.testing.assert_allclose(p, g["chi_discrete"][0], rtol=1e-9)
    assert [tu.mean_check(lambda n: normal, mu, 1.0, nsamples=400) for mu in (0.0, 0.1, 0.5)] == g[
        "mean_check"
    ]
    assert [tu.var_check(lambda n: normal, s, nsamples=400) for s in (1.0, 0.8, 1.3)] == g["var_check"]


def test_verify_generator_accepts_good_and_rejects_bad_samplers():
    mx.random.seed(11)
    np.random.seed(11)
    buckets, probs = tu.gen_buckets_probs_with_ppf(lambda q: -np.log1p(-q), 5)  # exponential(1) quantiles
    good = tu.verify_generator(
        lambda n: mx.nd.random.exponential(1, shape=n).asnumpy(), buckets, probs, nsamples=20000
    )
    assert len(good) == 5
    with pytest.raises(AssertionError, match="Generator test fails"):
        tu.verify_generator(lambda n: np.random.exponential(1.3, size=n), buckets, probs, nsamples=20000)


def test_numeric_grad_and_check_consistency_match_mxnet_symbols():
    g = GOLD["symbol"]
    xv, yv = np.array(g["x"]), np.array(g["y"])
    grads = tu.numeric_grad(
        lambda x, y: nd.sigmoid(x) * y, {"x": xv.copy(), "y": yv.copy()}, eps=1e-4, dtype=np.float64
    )
    for k in ("x", "y"):
        np.testing.assert_allclose(grads[k], g["numeric_grad"][k], rtol=1e-7, atol=1e-10)
    ctx_list = [
        {"ctx": mx.cpu(0), "x": (2, 3), "y": (2, 3), "type_dict": {"x": np.float64, "y": np.float64}},
        {"ctx": mx.cpu(1), "x": (2, 3), "y": (2, 3), "type_dict": {"x": np.float32, "y": np.float32}},
    ]
    gt = tu.check_consistency(lambda x, y: nd.tanh(x) * y * 2, ctx_list, arg_params={"x": xv, "y": yv})
    expected = g["consistency"]
    np.testing.assert_allclose(gt["output0"].asnumpy(), expected["_mulscalar0_output"], rtol=1e-12)
    for k in ("x", "y"):
        assert gt[k].dtype == np.float64
        np.testing.assert_allclose(gt[k].asnumpy(), expected[k], rtol=1e-12)


def test_check_consistency_catches_a_difference_and_refuses_symbols():
    ctx_list = [{"ctx": mx.cpu(0), "x": (3,), "type_dict": {"x": np.float64}}, {"ctx": mx.cpu(0), "x": (3,)}]

    def drifting(x):  # wrong in float32 only
        return x * 2 + (0.01 if x.dtype == np.float32 else 0)

    with pytest.raises(AssertionError):
        tu.check_consistency(drifting, ctx_list)
    assert (
        tu.check_consistency(drifting, ctx_list, raise_on_err=False, atol=1e-1, rtol=1e-1)["output0"].dtype
        == np.float64
    )

    class WrongGrad(mx.autograd.Function):
        def forward(self, x):
            return x * 3

        def backward(self, dy):
            return dy * (3 if dy.dtype == np.float64 else 2)

    with pytest.raises(AssertionError):
        tu.check_consistency(lambda x: WrongGrad()(x), ctx_list)
    tu.check_consistency(lambda x: WrongGrad()(x), ctx_list, grad_req="null")

    class FakeSymbol:
        def list_arguments(self):
            return ["x"]

    with pytest.raises(NotImplementedError, match="mx.sym"):
        tu.check_consistency(FakeSymbol(), ctx_list)
    with pytest.raises(NotImplementedError, match="Executor"):
        tu.numeric_grad(lambda x: x, {"x": np.ones(2)}, aux_states={"m": np.ones(1)})


def test_check_consistency_with_a_block_on_two_contexts():
    net = gluon.nn.Dense(3, in_units=4)
    net.initialize(ctx=[mx.cpu(0), mx.cpu(1)])
    ctx_list = [{"ctx": mx.cpu(0), "x": (2, 4)}, {"ctx": mx.cpu(1), "x": (2, 4)}]
    gt = tu.check_consistency(net, ctx_list, use_uniform=True, scale=2.0)
    assert gt["output0"].shape == (2, 3) and np.abs(gt["x"].asnumpy()).max() > 0


def test_compare_optimizer():
    sgd = mx.optimizer.SGD
    tu.compare_optimizer(
        sgd(learning_rate=0.1, momentum=0.9), sgd(learning_rate=0.1, momentum=0.9), (3, 4), "float32"
    )
    tu.compare_optimizer(
        sgd(learning_rate=0.1, momentum=0.9),
        sgd(learning_rate=0.1, momentum=0.9),
        [(3, 4), (5,)],
        "float32",
        ntensors=2,
    )
    tu.compare_optimizer(
        sgd(learning_rate=0.1), sgd(learning_rate=0.1), (4, 2), "float32", g_stype="row_sparse"
    )
    with pytest.raises(AssertionError):
        tu.compare_optimizer(sgd(learning_rate=0.1), sgd(learning_rate=0.2), (3, 4), "float32")


def test_environment_helpers(capfd):
    tu.setenv("REGLUON_TU_VAR", "abc")
    assert tu.getenv("REGLUON_TU_VAR") == "abc" and os.environ["REGLUON_TU_VAR"] == "abc"
    tu.setenv("REGLUON_TU_VAR", None)
    assert tu.getenv("REGLUON_TU_VAR") is None
    assert list(tu.list_gpus()) == list(range(mx.context.num_gpus()))
    assert tu.is_op_runnable() is True
    with tu.discard_stderr():
        os.write(sys.stderr.fileno(), b"hidden\n")
    os.write(sys.stderr.fileno(), b"shown\n")
    assert capfd.readouterr().err == "shown\n"


def test_retry_and_dummy_iter():
    calls = []

    @tu.retry(3)
    def flaky():
        calls.append(1)
        assert len(calls) >= 2

    flaky()
    assert len(calls) == 2

    @tu.retry(2)
    def broken():
        calls.append(1)
        raise AssertionError("always")

    with pytest.raises(AssertionError, match="always"):
        broken()
    it = tu.DummyIter(mx.io.NDArrayIter(np.arange(16.0).reshape(8, 2), batch_size=4))
    first = next(it)
    assert all(next(it) is first for _ in range(5)) and it.batch_size == 4
    assert first.data[0].asnumpy()[0].tolist() == [0.0, 1.0]


def _idx(path, magic, dims, payload):
    header = magic.to_bytes(4, "big") + b"".join(d.to_bytes(4, "big") for d in dims)
    with gzip.open(path, "wb") as f:
        f.write(header + payload)


def test_get_mnist_reads_local_files_and_fails_offline_clearly(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    img = np.arange(2 * 28 * 28, dtype=np.uint8) % 251
    for prefix in ("train", "t10k"):
        _idx(f"{prefix}-images-idx3-ubyte.gz", 0x803, (2, 28, 28), img.tobytes())
        _idx(f"{prefix}-labels-idx1-ubyte.gz", 0x801, (2,), bytes([7, 3]))
    data = tu.get_mnist()
    assert data["train_data"].shape == (2, 1, 28, 28) and data["train_data"].dtype == np.float32
    np.testing.assert_allclose(data["test_data"].reshape(-1), img / 255, rtol=1e-6)
    assert data["train_label"].tolist() == [7, 3] and data["train_label"].dtype == np.int8

    def offline(*args, **kwargs):
        raise urllib.error.URLError("no network")

    monkeypatch.setattr(gluon.utils, "_fetch", offline)
    os.remove("t10k-labels-idx1-ubyte.gz")
    with pytest.raises(
        MXNetError, match="Cannot download http://data.mxnet.io/data/mnist/t10k-labels-idx1-ubyte.gz"
    ):
        tu.get_mnist()
    with pytest.raises(MXNetError, match="mnist.zip"):
        tu.get_mnist_ubyte()
    with pytest.raises(MXNetError, match="cifar10.zip"):
        tu.get_cifar10()
    _idx("t10k-labels-idx1-ubyte.gz", 0x801, (3,), bytes([1, 2]))  # header says 3 labels, 2 follow
    with pytest.raises(MXNetError, match="but 2 bytes follow"):
        tu.get_mnist()


class _Scaled(gluon.HybridBlock):
    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        with self.name_scope():
            self.dense = gluon.nn.Dense(3, in_units=4)

    def hybrid_forward(self, F, x):
        return F.relu(self.dense(x)) * 2


def test_check_gluon_hybridize_consistency():
    x = nd.array(np.random.RandomState(2).randn(2, 4))
    seen = []

    def build(prefix):
        net = _Scaled(prefix=prefix)
        seen.append(net)
        return net

    tu.check_gluon_hybridize_consistency(build, [x])
    assert len(seen) == 4 and seen[0].name == "net"
    w = [n.dense.weight.data().asnumpy() for n in seen]
    assert all((v == w[0]).all() for v in w[1:])  # every build got the first build's parameters

    def reference(xv):  # the first build's parameters, by NumPy
        return np.maximum(xv @ w[0].T, 0) * 2

    with pytest.raises(AssertionError):  # a fresh build has other random weights
        tu.check_gluon_hybridize_consistency(lambda prefix: _Scaled(prefix=prefix), [x], numpy_func=reference)
    seen.clear()

    def from_first_build(xv):  # called after the builds: the weights they all shared
        return np.maximum(xv @ seen[0].dense.weight.data().asnumpy().T, 0) * 2

    tu.check_gluon_hybridize_consistency(build, [x], numpy_func=from_first_build, test_grad=False)
    assert len(seen) == 2


def test_symbol_based_checks_name_the_missing_symbol_api():
    for f in (tu.check_symbolic_forward, tu.check_symbolic_backward, tu.check_speed, tu.simple_forward):
        with pytest.raises(NotImplementedError, match="no mx.sym"):
            f(None)
    with pytest.raises(AssertionError, match=r"a.shape = \(2,\) and b.shape = \(3,\)"):
        tu.checkShapes(np.ones(2), nd.ones((3,)))
    assert tu.locationError(np.array([1.0, 2.0]), np.array([1.0, 3.0]), (1,), ("p", "q"), maxError=True) == (
        "Location of maximum error: (1,), p=2.00000000, q=3.00000000"
    )


def test_zip_and_bz2_data(tmp_path, monkeypatch):
    import bz2
    import zipfile

    monkeypatch.chdir(tmp_path)
    os.makedirs("d")
    with zipfile.ZipFile("d/pack.zip", "w") as zf:
        zf.writestr("inner/a.txt", "hello")
    tu.get_zip_data("d", "http://example.invalid/pack.zip", "pack.zip")  # present: nothing downloaded
    with open("d/x.bz2", "wb") as f:
        f.write(bz2.compress(b"line1\nline2\n"))
    tu.get_bz2_data("d", "x.txt", "http://example.invalid/x.bz2", "x.bz2")
    assert open("d/x.txt", "rb").read() == b"line1\nline2\n" and not os.path.exists("d/x.bz2")

    def offline(*args, **kwargs):
        raise urllib.error.URLError("no network")

    monkeypatch.setattr(gluon.utils, "_fetch", offline)
    with pytest.raises(MXNetError, match="Cannot download http://example.invalid/other.zip"):
        tu.get_zip_data("d", "http://example.invalid/other.zip", "other.zip")
