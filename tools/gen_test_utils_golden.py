"""Record MXNet 1.9.1's mx.test_utils behaviour for tests/test_test_utils.py.

Run under the oracle venv: ``.venv-oracle/bin/python tools/gen_test_utils_golden.py``. Writes
tests/golden/test_utils_golden.json: tolerance lookups (get_tols / get_tolerance / get_rtol / ...),
which comparisons pass (assert_almost_equal and its NaN / error-rate variants, almost_equal,
same_array), NumPy helpers (collapse_sum_like, np_reduce, assign_each(2)), small NDArray makers,
chi-square p-values and mean / variance checks on fixed samples, the structure of sparse random
arrays (nonzeros per row), numeric_grad and check_consistency on an executor / a symbol (regluon
calls them with the same computation written as a Python function).
"""

import json
import os
import warnings

import numpy as np
from _oracle import GOLDEN, real_mxnet

warnings.filterwarnings("ignore")
mx = real_mxnet()
tu = mx.test_utils
nd = mx.nd

DT = {"f16": np.float16, "f32": np.float32, "f64": np.float64, "i32": np.int32, "u8": np.uint8}


def make(kind, dt, values=(1.0, 2.0)):
    if kind == "num":
        return values[0] if dt == "f64" else int(values[0])
    arr = np.array(values, dtype=DT[dt])
    return nd.array(arr, dtype=DT[dt]) if kind == "nd" else arr


def tolerance_cases():
    out = []
    for ka, da in [
        ("np", "f16"),
        ("nd", "f32"),
        ("np", "f64"),
        ("np", "i32"),
        ("num", "f64"),
        ("num", "i32"),
    ]:
        for kb, db in [("np", "f32"), ("nd", "f16"), ("np", "f64"), ("np", "u8")]:
            for rtol, atol in [(None, None), (0.5, None), (None, 0.25)]:
                r, a = tu.get_tols(make(ka, da), make(kb, db), rtol, atol)
                out.append([ka, da, kb, db, rtol, atol, float(r), float(a)])
    dict_cases = []
    for da in ["f16", "f32", "f64"]:
        tol = {np.dtype(np.float32): 0.125}
        dict_cases.append([da, float(tu.get_tolerance(make("np", da), tol, tu.default_rtols()))])
    return {
        "get_tols": out,
        "get_tolerance_dict": dict_cases,
        "get_rtol": [tu.get_rtol(), tu.get_rtol(0.3), tu.get_rtol(None, np.dtype(np.float16))],
        "get_atol": [tu.get_atol(), tu.get_atol(0.3), tu.get_atol(None, np.dtype(np.float32))],
        "get_etol": [tu.get_etol(), tu.get_etol(0.2)],
        "numeric_eps": {np.dtype(k).name: v for k, v in tu.default_numeric_eps().items()},
        "default_dtype": np.dtype(tu.default_dtype()).name,
        "effective_dtype": [
            np.dtype(tu.effective_dtype(make(k, d))).name
            for k, d in [("nd", "f32"), ("np", "f16"), ("nd", "i32")]
        ],
    }


def passes(f, *args, **kwargs):
    try:
        f(*args, **kwargs)
        return True
    except AssertionError:
        return False


COMPARE = [  # a, b, dtype, kwargs
    ([1.0, 2.0], [1.0, 2.0005], "f32", {}),
    ([1.0, 2.0], [1.0, 2.01], "f32", {}),
    ([1.0, 2.0], [1.0, 2.01], "f16", {}),
    ([1.0, 2.0], [1.0, 2.00001], "f64", {}),
    ([1.0, 2.0], [1.0, 2.0001], "f64", {}),
    ([1.0, 2.0], [1.0, 2.1], "f32", {"rtol": 0.1}),
    ([1.0, 2.0], [1.0, 2.1], "f32", {"atol": 0.2, "rtol": 0}),
    ([1.0, np.nan], [1.0, np.nan], "f32", {}),
    ([1.0, np.nan], [1.0, np.nan], "f32", {"equal_nan": True}),
    ([0.0] * 9 + [1.0], [0.0] * 10, "f32", {}),
]
IGNORE_NAN = [
    ([1.0, np.nan, 3.0], [1.0, 7.0, 3.0]),
    ([1.0, np.nan, 3.0], [1.0, np.nan, 3.5]),
    ([np.nan, 2.0], [5.0, 2.0005]),
]
WITH_ERR = [  # a, b, etol
    ([0.0] * 9 + [1.0], [0.0] * 10, 0.1),
    ([0.0] * 8 + [1.0, 1.0], [0.0] * 10, 0.1),
    ([0.0] * 8 + [1.0, 1.0], [0.0] * 10, 0.25),
    ([0.0] * 9 + [1.0], [0.0] * 10, None),
]
ALMOST = [
    ([1.0, 2.0], [1.0, 2.0005], "f32"),
    ([1.0, 2.0], [1.0, 2.000001], "f32"),
    ([1.0], [1.0 + 1e-6], "f64"),
]


def comparison_cases():
    res = {"assert_almost_equal": [], "ignore_nan": [], "with_err": [], "almost_equal": []}
    for a, b, dt, kw in COMPARE:
        ok = passes(tu.assert_almost_equal, np.array(a, DT[dt]), np.array(b, DT[dt]), **kw)
        res["assert_almost_equal"].append([a, b, dt, kw, ok])
    for a, b in IGNORE_NAN:
        res["ignore_nan"].append(
            [
                a,
                b,
                passes(tu.assert_almost_equal_ignore_nan, np.array(a, np.float32), np.array(b, np.float32)),
            ]
        )
    for a, b, etol in WITH_ERR:
        ok = passes(
            tu.assert_almost_equal_with_err, np.array(a, np.float32), np.array(b, np.float32), etol=etol
        )
        res["with_err"].append([a, b, etol, ok])
    for a, b, dt in ALMOST:
        res["almost_equal"].append(
            [a, b, dt, bool(tu.almost_equal(np.array(a, DT[dt]), np.array(b, DT[dt])))]
        )
    x = nd.arange(6).reshape((2, 3))
    res["same_array"] = [
        tu.same_array(x, x),
        tu.same_array(x, x.copy()),
        tu.same_array(x, x.reshape((2, 3))),
        tu.same_array(x, x.reshape((3, 2))),
    ]
    return res


def helper_cases():
    rs = np.random.RandomState(1)
    a = rs.rand(2, 3, 4)
    d = rs.rand(3, 4, 5)
    out = {"a": a.tolist(), "d": d.tolist()}
    out["collapse"] = {
        str(s): tu.collapse_sum_like(a, s).tolist() for s in [(3, 1), (1, 4), (2, 1, 4), (4,), (1, 1)]
    }
    out["np_reduce"] = [
        [str(ax), kd, name, tu.np_reduce(d, ax, kd, getattr(np, name)).tolist()]
        for ax in [1, (0, 2), None, [2]]
        for kd in [False, True]
        for name in ["sum", "max"]
    ]
    m = np.array([[1.0, -2.0], [3.5, 0.25]], dtype=np.float32)
    e1 = tu.assign_each(m, lambda v: v * v + 1)
    e2 = tu.assign_each2(m, m.T.copy(), lambda u, v: u - 2 * v)
    out["assign_each"] = [
        e1.tolist(),
        str(e1.dtype),
        e2.tolist(),
        str(e2.dtype),
        tu.assign_each(m, None).dtype.name,
    ]
    t = tu.create_2d_tensor(3, 4)
    v = tu.create_vector(5, dtype=np.int32)
    out["create"] = [
        t.asnumpy().tolist(),
        np.dtype(t.dtype).name,
        v.asnumpy().tolist(),
        np.dtype(v.dtype).name,
    ]
    i1, i2 = tu.get_identity_mat(3), tu.get_identity_mat_batch(2)
    out["identity"] = [
        i1.asnumpy().tolist(),
        np.dtype(i1.dtype).name,
        i2.asnumpy().tolist(),
        np.dtype(i2.dtype).name,
    ]
    b, p = tu.gen_buckets_probs_with_ppf(lambda q: 10 * q, 4)
    out["buckets"] = [b, p]
    return out


def stats_cases():
    rs = np.random.RandomState(3)
    samples = {
        "uniform": rs.uniform(0, 10, 500),
        "normal": rs.normal(0, 1, 400),
        "discrete": rs.randint(0, 3, 300),
    }
    out = {k: v.tolist() for k, v in samples.items()}
    buckets, probs = tu.gen_buckets_probs_with_ppf(lambda q: 10 * q, 5)
    p, obs, exp = tu.chi_square_check(lambda n: samples["uniform"], buckets, probs, nsamples=500)
    out["chi_uniform"] = [float(p), obs.tolist(), exp.tolist()]
    skewed = [0.1, 0.2, 0.2, 0.2, 0.3]
    p, obs, exp = tu.chi_square_check(lambda n: samples["uniform"], buckets, skewed, nsamples=500)
    out["chi_skewed"] = [float(p), obs.tolist(), exp.tolist(), skewed]
    p, obs, exp = tu.chi_square_check(lambda n: samples["discrete"], [0, 1, 2], [0.3, 0.3, 0.4], nsamples=300)
    out["chi_discrete"] = [float(p), obs.tolist(), exp.tolist()]
    out["mean_check"] = [
        bool(tu.mean_check(lambda n: samples["normal"], mu, 1.0, nsamples=400)) for mu in (0.0, 0.1, 0.5)
    ]
    out["var_check"] = [
        bool(tu.var_check(lambda n: samples["normal"], s, nsamples=400)) for s in (1.0, 0.8, 1.3)
    ]
    return out


def sparse_cases():
    out = {"powerlaw": [], "uniform_nnz": [], "rsp": []}
    for shape, density in [((5, 16), 0.5), ((4, 3), 0.9), ((6, 40), 0.3)]:
        csr, _ = tu.rand_sparse_ndarray(shape, "csr", density=density, distribution="powerlaw")
        out["powerlaw"].append(
            [list(shape), density, csr.indptr.asnumpy().tolist(), csr.indices.asnumpy().tolist()]
        )
    for shape, density in [((10, 10), 0.25), ((7, 3), 0.5)]:
        csr, _ = tu.rand_sparse_ndarray(shape, "csr", density=density)
        out["uniform_nnz"].append([list(shape), density, int(csr.indptr.asnumpy()[-1])])
    arr = tu.create_sparse_array_zd((6, 2), "row_sparse", 0.7, rsp_indices=[4, 1], data_init=2.0)
    out["rsp"] = [arr.indices.asnumpy().tolist(), arr.asnumpy().tolist()]
    return out


def symbol_cases():
    rs = np.random.RandomState(5)
    xv, yv = rs.randn(2, 3), rs.randn(2, 3)
    x, y = mx.sym.Variable("x"), mx.sym.Variable("y")
    exe = (mx.sym.sigmoid(x) * y).simple_bind(
        mx.cpu(), x=(2, 3), y=(2, 3), type_dict={"x": np.float64, "y": np.float64}
    )
    g = tu.numeric_grad(exe, {"x": xv.copy(), "y": yv.copy()}, eps=1e-4, dtype=np.float64)
    out = {"x": xv.tolist(), "y": yv.tolist(), "numeric_grad": {k: v.tolist() for k, v in g.items()}}
    ctx_list = [
        {"ctx": mx.cpu(0), "x": (2, 3), "y": (2, 3), "type_dict": {"x": np.float64, "y": np.float64}},
        {"ctx": mx.cpu(0), "x": (2, 3), "y": (2, 3), "type_dict": {"x": np.float32, "y": np.float32}},
    ]
    gt = tu.check_consistency(mx.sym.tanh(x) * y * 2, ctx_list, arg_params={"x": xv, "y": yv})
    out["consistency"] = {k: v.asnumpy().tolist() for k, v in gt.items()}
    return out


def main():
    np.random.seed(0)
    res = {
        "tolerance": tolerance_cases(),
        "compare": comparison_cases(),
        "helpers": helper_cases(),
        "stats": stats_cases(),
        "sparse": sparse_cases(),
        "symbol": symbol_cases(),
    }
    path = os.path.join(GOLDEN, "test_utils_golden.json")
    with open(path, "w") as f:
        json.dump(res, f)
    print(f"wrote {path}")


if __name__ == "__main__":
    main()
