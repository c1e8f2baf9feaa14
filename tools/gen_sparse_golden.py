"""Golden ``nd.sparse`` behaviour: what MXNet 1.9.1 gives for each sparse-API statement.

Run under the oracle venv: ``.venv-oracle/bin/python tools/gen_sparse_golden.py``. Each case is a
piece of Python run after SETUP (which builds CSR, row-sparse and dense arrays) in a namespace with
``mx``, ``nd`` and ``np``; it leaves its result in ``out`` (and may name more arrays to record in
``watch``, e.g. optimizer states updated in place). For every NDArray recorded the file keeps its
values, dtype and storage type; with ``parts`` also the sparse parts (``data``, ``indices``,
``indptr``). A case that raises records the exception type instead.

Writes tests/golden/sparse_golden.json (cases and metadata) and sparse_golden.npz (values).
tests/test_sparse.py runs the same code on regluon and compares.
"""

import json
import os
import warnings

from _oracle import GOLDEN, real_mxnet

warnings.filterwarnings("ignore")
os.environ["MXNET_STORAGE_FALLBACK_LOG_VERBOSE"] = "0"
mx = real_mxnet()
import numpy as np  # noqa: E402

from mxnet import nd  # noqa: E402

SETUP = """
d = nd.array([[0, 0.5, 0], [0.25, 0, -0.75]])
c = d.tostype('csr')
dr = nd.array([[0.5, -1.5, 0.25], [0, 0, 0], [2.0, 0, -0.5], [0, 0, 0]])
r = dr.tostype('row_sparse')
e = nd.array([[1.5, -2.0, 0.5], [0.5, 3.0, -1.0]])
row = nd.array([[2.0, -4.0, 0.5]])
"""

UNARY = (
    "_contrib_round_ste _contrib_sign_ste abs arccos arccosh arcsin arcsinh arctan arctanh cbrt ceil "
    "cos cosh degrees exp expm1 fix floor gamma gammaln log log10 log1p log2 make_loss negative radians "
    "relu rint round rsqrt sigmoid sign sin sinh sqrt square stop_gradient tan tanh trunc zeros_like"
).split()

CASES = []


def case(code, watch=(), parts=False):
    CASES.append({"code": code, "watch": list(watch), "parts": parts})


# single-input math on CSR and row-sparse inputs: values and the storage type of the result
for name in UNARY:
    case(f"out = nd.sparse.{name}(c)")
    case(f"out = nd.sparse.{name}(r)")
case("out = nd.sparse.clip(c, a_min=-0.5, a_max=0.3)")
case("out = nd.sparse.clip(r, a_min=-1.0, a_max=1.0)")
case("out = nd.sparse.clip(d, a_min=-0.5, a_max=0.3)")

# two inputs: every pairing of storage types
PAIRS = {
    "cc": "c, c",
    "ce": "c, e",
    "ec": "e, c",
    "rr": "r, r",
    "rd": "r, dr",
    "dr": "dr, r",
    "cr": "c, r[0:2]",
}
for name in ("elemwise_add", "elemwise_sub", "elemwise_mul", "elemwise_div"):
    for tag, args in PAIRS.items():
        if tag != "cr":
            case(f"out = nd.sparse.{name}({args})")
for name in (
    "broadcast_add",
    "broadcast_sub",
    "broadcast_mul",
    "broadcast_div",
    "broadcast_plus",
    "broadcast_minus",
):
    case(f"out = nd.sparse.{name}(c, e)")
    case(f"out = nd.sparse.{name}(c, row)")
    case(f"out = nd.sparse.{name}(r, dr)")
for name in ("add", "subtract", "multiply", "divide"):
    for args in ("c, c", "c, e", "e, c", "r, r", "r, dr", "c, 2.0", "2.0, c", "r, 2.0", "c, row"):
        case(f"out = nd.sparse.{name}({args})")
for expr in (
    "c * 2",
    "2 * c",
    "c + 1",
    "c + c",
    "c - c",
    "c / 2",
    "-c",
    "r * 3",
    "r + r",
    "c * e",
    "e * c",
    "c + e",
):
    case(f"out = {expr}")

# reductions, selection, joins, products, layers
for expr in (
    "nd.sparse.sum(c)",
    "nd.sparse.sum(c, axis=1)",
    "nd.sparse.sum(r, axis=0, keepdims=True)",
    "nd.sparse.mean(c, axis=0)",
    "nd.sparse.mean(r)",
    "nd.sparse.norm(c)",
    "nd.sparse.norm(r, axis=1)",
    "nd.sparse.where(c, e, d)",
    "nd.sparse.slice(c, begin=(1,), end=(2,))",
    "nd.sparse.slice(c, begin=(0, 1), end=(2, 3))",
    "nd.sparse.slice(r, begin=(1,), end=(3,))",
    "nd.sparse.concat(c, c, dim=0)",
    "nd.sparse.concat(c, c, dim=1)",
    "nd.sparse.concat(c, d, dim=0)",
    "nd.sparse.concat(r, r, dim=0)",
    "nd.sparse.add_n(r, r, r)",
    "nd.sparse.add_n(c, c)",
    "nd.sparse.add_n(r, dr)",
    "nd.sparse.ElementWiseSum(r, r)",
    "nd.sparse.dot(c, e.T)",
    "nd.sparse.dot(c, e, transpose_a=True)",
    "nd.sparse.dot(e.T, c)",
    "nd.sparse.dot(r, e.T)",
    "nd.sparse.dot(c, e.T, forward_stype='csr')",
    "nd.sparse.dot(d, e, transpose_b=True)",
    "nd.dot(c, e.T)",
    "nd.sparse.FullyConnected(c, e[0:1], nd.array([0.5]), num_hidden=1)",
    "nd.sparse.FullyConnected(c, e, no_bias=True, num_hidden=2)",
    "nd.sparse.Embedding(nd.array([3, 0, 2]), r, input_dim=4, output_dim=3)",
    "nd.sparse.LinearRegressionOutput(c, e)",
    "nd.sparse.LogisticRegressionOutput(c, e)",
    "nd.sparse.MAERegressionOutput(c, e)",
    "c[1]",
    "c[0:1]",
    "c.T",
    "c.copy()",
    "c.astype('float64')",
    "r.copyto(mx.cpu())",
    "nd.sparse.zeros_like(r)",
):
    case(f"out = {expr}")

# storage conversion, retain and the sparse parts (arrays without stored zeros, where the parts agree)
for code in (
    "out = c.tostype('default')",
    "out = d.tostype('csr')",
    "out = dr.tostype('row_sparse')",
    "out = nd.cast_storage(d, stype='csr')",
    "out = nd.cast_storage(c, stype='default')",
    "out = nd.sparse.cast_storage(dr, stype='row_sparse')",
    "out = nd.array([[0, 0], [0, 0]]).tostype('csr')",
    "out = nd.zeros((3, 2)).tostype('row_sparse')",
    "out = nd.array([0, 1.5, 0, -2]).tostype('row_sparse')",
    "out = nd.ones((2, 2, 3)).tostype('row_sparse')",
    "out = nd.array([[0, 1], [2, 0]], dtype='int32').tostype('csr')",
    "out = nd.array([[0, 1], [2, 0]], dtype='float64').tostype('row_sparse')",
):
    case(code, parts=True)
for code in (
    "out = nd.ones((2, 2, 2)).tostype('csr')",
    "out = c.tostype('row_sparse')",
    "out = r.tostype('csr')",
    "out = nd.sparse.array(d)",
    "out = nd.sparse.array(np.ones((2, 2)))",
):
    case(code)
case("out = nd.sparse.retain(r, nd.array([0, 1, 3]))")
case("out = nd.sparse.retain(r, nd.array([2], dtype='int64'))")
case("out = nd.sparse.retain(nd.ones((3, 2, 2)).tostype('row_sparse'), nd.array([1]))")

# constructors
for code in (
    "out = nd.sparse.csr_matrix(([1.0, 2.0, 3.0], [0, 2, 1], [0, 2, 2, 3]), shape=(3, 3))",
    "out = nd.sparse.csr_matrix(([1, 2], [1, 0], [0, 1, 2]), shape=(2, 3))",
    "out = nd.sparse.csr_matrix((np.array([1, 2], 'int32'), [1, 0], [0, 1, 2]), shape=(2, 3))",
    "out = nd.sparse.csr_matrix(([1.0, 2.0], [0, 1], [0, 1, 2]), shape=(2, 2), dtype='float16')",
    "out = nd.sparse.csr_matrix(([1.0, 2.0], [4, 0], [0, 1, 2]))",
    "out = nd.sparse.csr_matrix((2, 3))",
    "out = nd.sparse.csr_matrix(np.array([[0, 1.0], [2, 0]]))",
    "out = nd.sparse.csr_matrix([[0, 1], [2, 0]])",
    "out = nd.sparse.csr_matrix(c)",
    "out = nd.sparse.csr_matrix(e)",
    "out = nd.sparse.row_sparse_array(([[1.0, 2.0], [3.0, 4.0]], [0, 2]), shape=(4, 2))",
    "out = nd.sparse.row_sparse_array(([[1, 2]], [3]))",
    "out = nd.sparse.row_sparse_array((np.array([[1, 2]], 'int32'), [0]), shape=(2, 2))",
    "out = nd.sparse.row_sparse_array(([[[1.0], [2.0]]], [1]), shape=(2, 2, 1))",
    "out = nd.sparse.row_sparse_array((3, 2))",
    "out = nd.sparse.row_sparse_array(dr)",
    "out = nd.sparse.row_sparse_array((nd.array([[5.0, 6.0]]), nd.array([1])), shape=(2, 2))",
    "out = nd.sparse.zeros('csr', (2, 3))",
    "out = nd.sparse.zeros('row_sparse', (3, 2), dtype='int32')",
    "out = nd.sparse.zeros('default', (2, 2))",
    "out = nd.sparse.empty('row_sparse', (2, 2))",
    "out = nd.sparse.array(c)",
    "out = nd.sparse.array(r, dtype='float64')",
):
    case(code, parts=True)
case("out = nd.sparse.csr_matrix(([1.0, 2.0], [0, 0], [0, 2, 2]), shape=(2, 3))")  # a repeated entry
case("out = nd.sparse.row_sparse_array(([[1.0, 2.0], [3.0, 4.0]], [1, 1]), shape=(3, 2))")

# optimizer updates with a row-sparse gradient: lazy rows, states updated in place
W = "w = nd.array([[1.0, 2.0], [3.0, 4.0], [5.0, 6.0]]); g = nd.array([[0.5, 0.5], [0, 0], [1, -1]]).tostype('row_sparse')"
ST = "s1 = nd.array([[1.0, 0.5], [0.25, 1.0], [2.0, 1.5]]); s2 = nd.array([[1.0, 2.0], [0.5, 1.5], [1.0, 0.5]])"
UPDATES = (
    ("nd.sparse.sgd_update(w, g, lr=0.1, wd=0.1, out=w)", ()),
    ("nd.sparse.sgd_update(w, g, lr=0.1, wd=0.1, lazy_update=False, out=w)", ()),
    ("nd.sparse.sgd_update(w, g, lr=0.1, wd=0.1)", ()),
    ("nd.sparse.sgd_update(w, g.tostype('default'), lr=0.1, wd=0.1, out=w)", ()),
    ("nd.sparse.sgd_mom_update(w, g, s1, lr=0.1, momentum=0.9, wd=0.1, out=w)", ("s1",)),
    ("nd.sparse.sgd_mom_update(w, g, s1, lr=0.1, momentum=0.9, wd=0.1, lazy_update=False, out=w)", ("s1",)),
    ("nd.sparse.adam_update(w, g, s1, s2, lr=0.1, wd=0.1, rescale_grad=0.5, out=w)", ("s1", "s2")),
    ("nd.sparse.adam_update(w, g, s1, s2, lr=0.1, lazy_update=False, out=w)", ("s1", "s2")),
    ("nd.sparse.adagrad_update(w, g, s1, lr=0.1, out=w)", ("s1",)),
    (
        "nd.sparse.adagrad_update(w, g, s1, lr=0.2, epsilon=0.01, rescale_grad=2.0, clip_gradient=0.8, out=w)",
        ("s1",),
    ),
    ("nd.sparse.adagrad_update(w, g, s1, lr=0.1, wd=0.1, out=w)", ("s1",)),
    ("nd.sparse.ftrl_update(w, g, s1, s2, lr=0.1, wd=0.1, out=w)", ("s1", "s2")),
)
for expr, states in UPDATES:
    case(f"{W}; {ST}; out = {expr}", watch=("w", *states))


# plain nd.* functions, NDArray methods and operators on sparse inputs: the same storage-type rules
ZERO_PRESERVING = (
    "abs arcsin arcsinh arctan arctanh cbrt ceil degrees expm1 fix floor log1p negative radians relu "
    "rint round sign sin sinh sqrt square tan tanh trunc zeros_like stop_gradient identity make_loss"
).split()
for name in ZERO_PRESERVING:
    case(f"out = nd.{name}(c)")
    case(f"out = nd.{name}(r)")
for name in (
    "exp",
    "cos",
    "sigmoid",
    "erf",
    "reciprocal",
    "log",
    "ones_like",
    "contrib.isnan",
    "contrib.isfinite",
):
    case(f"out = nd.{name}(c)")
for expr in (
    "c.abs()",
    "c.sqrt()",
    "r.square()",
    "c.relu()",
    "c.sign()",
    "c.exp()",
    "c.clip(-1, 1)",
    "c.zeros_like()",
    "c.detach()",
    "abs(r)",
    "nd.contrib.isinf(r)",
    "nd.contrib.round_ste(c)",
    "nd.contrib.sign_ste(r)",
    "nd.contrib.gradientmultiplier(c, scalar=2.0)",
    "nd.contrib.quadratic(c, a=1, b=2)",
    "nd.contrib.quadratic(c, a=1, b=2, c=1)",
    "nd.contrib.quadratic(r, a=1)",
    "nd.clip(c, -0.3, 0.3)",
    "nd.clip(r, 0, 1)",
    "nd.clip(c, 0.1, 0.3)",
    "nd.clip(r, -0.5, -0.1)",
    "c * 0.5",
    "c / 4",
    "r / 2",
    "-r",
    "c + 0",
    "0 + c",
    "2 + c",
    "c - 0.0",
    "c - 1",
    "2 - c",
    "c ** 2",
    "c % 2",
    "2 / c",
    "c > 0",
    "c > 0.3",
    "c >= 0",
    "c < 0",
    "c <= -1",
    "c == 0",
    "c == 1",
    "c != 0",
    "r > 0.1",
    "r == 0",
    "r != 2",
    "c > c",
    "c == e",
    "e > c",
    "e - c",
    "r * dr",
    "dr * r",
    "r + dr",
    "nd.elemwise_add(c, c)",
    "nd.elemwise_add(c, d)",
    "nd.elemwise_add(r, r)",
    "nd.elemwise_sub(r, dr)",
    "nd.elemwise_mul(c, d)",
    "nd.elemwise_mul(d, c)",
    "nd.elemwise_mul(r, dr)",
    "nd.elemwise_div(c, e)",
    "nd.broadcast_add(c, c)",
    "nd.broadcast_mul(c, e)",
    "nd.broadcast_mul(e, c)",
    "nd.broadcast_div(c, row)",
    "nd.broadcast_mul(r, dr)",
    "nd.broadcast_greater(c, c)",
    "nd.maximum(c, c)",
    "nd._internal._maximum(c, c)",
    "nd._internal._minimum(r, r)",
    "nd._internal._maximum(c, d)",
    "nd._internal._hypot(c, c)",
    "nd._internal._plus_scalar(c, scalar=0.0)",
    "nd._internal._mul_scalar(r, scalar=3.0)",
    "nd._internal._greater_equal_scalar(r, scalar=2.0)",
    "nd._internal._lesser_equal_scalar(c, scalar=-1.0)",
    "nd._internal._rminus_scalar(c, scalar=0.0)",
    "nd.dot(c, e.T)",
    "nd.dot(c, e, transpose_a=True)",
    "nd.dot(c.T, e)",
    "nd.dot(e.T, c)",
    "nd.dot(e, c, transpose_b=True)",
    "nd.dot(c, c, transpose_b=True)",
    "nd.dot(r, e.T)",
    "nd.dot(c, e.T, forward_stype='row_sparse')",
    "nd.sum(c)",
    "nd.sum(c, axis=1)",
    "nd.sum(r, axis=0)",
    "nd.mean(c, axis=0)",
    "nd.norm(r)",
    "c.sum(axis=1)",
    "nd.cast_storage(c, 'default')",
    "nd.cast_storage(r, stype='row_sparse')",
    "nd.take(c, nd.array([1, 0]))",
    "nd.take(c, nd.array([1, 0]), axis=1)",
    "nd.take(r, nd.array([1, 0]))",
    "nd.slice(c, begin=(0, 1), end=(2, 3))",
    "nd.slice(r, begin=(1,), end=(3,))",
    "nd.slice_axis(c, axis=0, begin=0, end=1)",
    "nd.concat(c, c, dim=0)",
    "nd.concat(r, r, dim=0)",
    "nd.add_n(r, r, r)",
    "nd.add_n(c, c)",
    "nd.where(c, e, d)",
    "nd.transpose(c)",
    "nd.Flatten(c)",
    "nd.Cast(c, dtype='float64')",
    "nd.LeakyReLU(c)",
    "nd.softmax(c)",
    "nd.FullyConnected(c, e, num_hidden=2, no_bias=True)",
    "c.T",
    "c.transpose()",
    "c[1:3]",
    "c.copyto(mx.cpu())",
    "r.astype('int32')",
    "c.astype('float16')",
    "nd.relu(c, out=d)",
):
    case(f"out = {expr}")
case("out = nd.zeros((2, 3)); nd.abs(c, out=out)")
case("out = c.copy(); out *= 2")


def _record(key, name, value, parts, arrays, meta):
    if isinstance(value, (list, tuple)):
        meta[name] = {"list": len(value)}
        for i, v in enumerate(value):
            _record(key, f"{name}.{i}", v, parts, arrays, meta)
        return
    arrays[f"{key}/{name}"] = value.asnumpy()
    meta[name] = {"stype": value.stype, "dtype": np.dtype(value.dtype).name, "shape": list(value.shape)}
    if parts and value.stype != "default":
        for part in ("data", "indices", "indptr") if value.stype == "csr" else ("data", "indices"):
            arrays[f"{key}/{name}.{part}"] = getattr(value, part).asnumpy()


def main():
    arrays, index = {}, []
    for k, c in enumerate(CASES):
        key = f"case{k}"
        ns = {"mx": mx, "nd": nd, "np": np}
        exec(SETUP, ns)  # noqa: S102 - our own fixed case code
        entry = dict(c, key=key)
        meta, got = {}, {}
        try:  # MXNet reports some failures only when the result is read: record inside the try
            exec(c["code"], ns)  # noqa: S102
            for name in ("out", *c["watch"]):
                _record(key, name, ns[name], c["parts"], got, meta)
        except Exception as err:  # noqa: BLE001 - the error type is the golden value
            entry["error"] = type(err).__name__
            index.append(entry)
            continue
        arrays.update(got)
        entry["result"] = meta
        index.append(entry)
    with open(os.path.join(GOLDEN, "sparse_golden.json"), "w") as f:
        json.dump({"setup": SETUP, "cases": index}, f, indent=1)
    np.savez_compressed(os.path.join(GOLDEN, "sparse_golden.npz"), **arrays)
    print(f"wrote {len(index)} cases ({sum('error' in c for c in index)} raise in MXNet)")


if __name__ == "__main__":
    main()
