"""Golden ``nd.contrib`` graph operators (DGL's ``dgl_*``, ``edge_id``, ``getnnz``) from MXNet 1.9.1.

Run under the oracle venv: ``.venv-oracle/bin/python tools/gen_graph_golden.py``. Each case is Python
run after SETUP (graphs as int64 CSR arrays) that leaves its result in ``out``; the file keeps every
output's values, dtype, storage type and (CSR) sparse parts. ``kind='sample'`` marks a neighbour
sampler's outputs, whose padding MXNet leaves uninitialised: the test compares only the valid entries
there. The sampling cases ask for at least as many neighbours as any vertex has, so the result is the
whole neighbourhood and does not depend on the random draws.

Cases in ``REFUSED`` are inputs MXNet 1.9.1 refuses, some by aborting the process: each runs in a
subprocess and the file records that it failed and the first line of MXNet's message.

Writes tests/golden/graph_golden.json (cases and metadata) and graph_golden.npz (values).
tests/test_graph_ops.py runs the same code on regluon and compares.
"""

import json
import os
import re
import subprocess
import sys
import warnings

from _oracle import GOLDEN, HERE, real_mxnet

warnings.filterwarnings("ignore")
mx = real_mxnet()
import numpy as np  # noqa: E402

from mxnet import nd  # noqa: E402

SETUP = """
import numpy as np
def csr(a, dtype='int64'):
    return nd.array(np.array(a), dtype=dtype).tostype('csr')
def ids(*v):
    return nd.array(list(v), dtype='int64')
g5 = np.zeros((5, 5), np.int64); g5[~np.eye(5, dtype=bool)] = np.arange(1, 21)
G5 = csr(g5)
_r = np.random.RandomState(0); g12 = (_r.rand(12, 12) < 0.3) & ~np.eye(12, dtype=bool)
g12 = np.where(g12, np.cumsum(g12).reshape(12, 12), 0)
G12 = csr(g12)
star = np.zeros((8, 8), np.int64); star[0, 1:7] = np.arange(1, 7); star[3, 7] = 7; star[1, 7] = 8
STAR = csr(star)
X = csr([[1, 0, 0, 2], [3, 0, 4, 0], [0, 5, 0, 0], [0, 6, 7, 0]])
P12 = nd.array(np.linspace(0.1, 1.2, 12))
SAMPLED = csr([[0, 4, 0, 0, 0, 9, 0], [0, 0, 0, 0, 0, 0, 0], [3, 0, 0, 0, 0, 8, 0], [0] * 7, [0] * 7])
"""

U = "nd.contrib.dgl_csr_neighbor_uniform_sample"
N = "nd.contrib.dgl_csr_neighbor_non_uniform_sample"
CASES = []


def case(code, kind="exact"):
    CASES.append({"code": code, "kind": kind})


# --- neighbour sampling: whole neighbourhoods (num_neighbor >= every degree), so no randomness
case(f"out = {U}(G5, ids(3), num_args=2, num_hops=1, num_neighbor=4, max_num_vertices=8)", "sample")
case(f"out = {U}(G5, ids(0, 1, 2, 3, 4), num_neighbor=4, max_num_vertices=5)", "sample")  # full at once
case(
    f"out = {U}(G12, ids(7, 2), ids(5), num_args=3, num_hops=2, num_neighbor=10, max_num_vertices=11)",
    "sample",
)
case(f"out = {U}(G12, ids(7, 2), num_hops=1, num_neighbor=10, max_num_vertices=20)", "sample")
case(f"out = {U}(G12, ids(4), num_hops=3, num_neighbor=12, max_num_vertices=12)", "sample")
case(f"out = {U}(G12, ids(9, 0), num_hops=2, num_neighbor=-1, max_num_vertices=30)", "sample")
case(f"out = {U}(STAR, ids(0), num_hops=2, num_neighbor=10, max_num_vertices=4)", "sample")  # cut mid-row
case(f"out = {U}(STAR, ids(3, 3, 1), num_hops=1, num_neighbor=10, max_num_vertices=6)", "sample")  # repeats
case(f"out = {U}(STAR, ids(0), num_hops=0, num_neighbor=10, max_num_vertices=5)", "sample")
case(f"out = {U}(STAR, ids(0), num_hops=1, num_neighbor=0, max_num_vertices=5)", "sample")
case(f"out = {U}(STAR, ids(2), num_hops=2, num_neighbor=3, max_num_vertices=5)", "sample")  # no out-edges
case(f"out = {N}(G12, P12, ids(7, 2), ids(5), num_hops=2, num_neighbor=10, max_num_vertices=11)", "sample")
case(
    f"out = {N}(G5, nd.array([0.9, 0.8, 0.2, 0.4, 0.1]), ids(3), num_args=3, num_neighbor=4, max_num_vertices=6)",
    "sample",
)
case(
    f"out = {N}(G5, nd.array([0, 0.5, 0, 0, 0.5]), ids(0), num_hops=2, num_neighbor=4, max_num_vertices=5)",
    "sample",
)

# --- compact the samplers' outputs (deterministic ones) and hand-made sampler-like inputs
case(
    f"s = {U}(G12, ids(7, 2), num_hops=1, num_neighbor=10, max_num_vertices=20)\n"
    "out = nd.contrib.dgl_graph_compact(s[1], s[0], graph_sizes=(int(s[0][-1].asscalar()),), return_mapping=False)"
)
case(
    f"s = {U}(G5, ids(0, 1), num_neighbor=4, max_num_vertices=7)\n"
    "out = nd.contrib.dgl_graph_compact(s[1], s[0], graph_sizes=int(s[0][-1].asscalar()), return_mapping=True)"
)
case(
    f"s = {U}(G12, ids(7, 2), ids(5), num_hops=2, num_neighbor=10, max_num_vertices=11)\n"
    "n = [int(v[-1].asscalar()) for v in s[:2]]\n"
    "out = nd.contrib.dgl_graph_compact(s[2], s[3], s[0], s[1], graph_sizes=n, return_mapping=True)"
)
case(
    "out = nd.contrib.dgl_graph_compact(SAMPLED, ids(1, 5, 0, -1, -1, 3), graph_sizes=(3,), return_mapping=False)"
)
case(
    "out = nd.contrib.dgl_graph_compact(SAMPLED, ids(0, 1, 5, -1, -1, 3), num_args=2, graph_sizes='(3,)', return_mapping=False)"
)
case(
    "out = nd.contrib.dgl_graph_compact(csr(np.zeros((4, 6))), ids(3, 1, 0, -1, 3), graph_sizes=(3,), return_mapping=False)"
)

# --- induced subgraphs
case("out = nd.contrib.dgl_subgraph(X, ids(0, 1, 2), return_mapping=True)")
case("out = nd.contrib.dgl_subgraph(X, ids(0, 1, 2), return_mapping=False)")
case("out = nd.contrib.dgl_subgraph(X, ids(0, 1, 2), ids(1, 3), return_mapping=True)")
case("out = nd.contrib.dgl_subgraph(X, ids(0, 1, 2), ids(1, 3), num_args=3, return_mapping=False)")
case("out = nd.contrib.dgl_subgraph(X, ids(1, 1, 3), return_mapping=True)")  # a repeated vertex
case("out = nd.contrib.dgl_subgraph(X, ids(2), return_mapping=True)")
case("out = nd.contrib.dgl_subgraph(G12, ids(0, 2, 3, 5, 7, 8, 11), return_mapping=True)")
case("out = nd.contrib.dgl_subgraph(csr([[1, 0, 0], [0, 2, 3]]), ids(0, 1), return_mapping=True)")
case("out = nd.contrib.dgl_subgraph(csr([[1, 0], [0, 2], [3, 0]]), ids(0, 2), return_mapping=True)")

# --- adjacency, edge ids, stored-value counts
case("out = nd.contrib.dgl_adjacency(X)")
case("out = nd.contrib.dgl_adjacency(G12)")
case("out = nd.contrib.dgl_adjacency(csr([[1, 0, 0], [0, 2, 3]]))")
case("out = nd.contrib.edge_id(X, nd.array([0, 0, 1, 1, 2, 3, 3]), nd.array([0, 1, 0, 2, 2, 1, 2]))")
case("out = nd.contrib.edge_id(X, ids(0, 0, 1), ids(0, 1, 0))")
case("out = nd.contrib.edge_id(X, nd.array([0, 0, 1], dtype='int32'), nd.array([0, 1, 0], dtype='int32'))")
case("out = nd.contrib.edge_id(csr([[1.5, 0], [0, 2]], 'float32'), nd.array([0, 0, 1]), nd.array([0, 1, 1]))")
case("out = nd.contrib.edge_id(csr([[1.5, 0], [0, 2]], 'float64'), nd.array([0, 0, 1]), nd.array([0, 1, 1]))")
case("out = nd.contrib.edge_id(X, nd.array([0.7, 1.9, -0.5]), nd.array([0.2, 2.5, 0.9]))")  # truncated
case("out = nd.contrib.edge_id(X, nd.array([-1, 0, 5, 0]), nd.array([0, -1, 0, 9]))")  # outside
case("out = nd.contrib.edge_id(csr([[-3, 0], [0, 2]]), nd.array([0, 0]), nd.array([0, 1]))")
case("out = nd.contrib.edge_id(csr([[1, 0, 0], [0, 2, 3]]), nd.array([0, 1, 1]), nd.array([0, 1, 2]))")
case("out = nd.contrib.edge_id(G12, nd.array(np.arange(12) % 5), nd.array(np.arange(12)[::-1]))")
case("out = nd.contrib.getnnz(X)")
case("out = nd.contrib.getnnz(X, axis=1)")
case("out = nd.contrib.getnnz(X, axis='1')")
case("out = nd.contrib.getnnz(X, axis='None')")
case("out = nd.contrib.getnnz(csr([[1.5, 0, 0], [0, 0, 0]], 'float32'), axis=1)")
case("out = nd.contrib.getnnz(nd.sparse.zeros('csr', (3, 2)))")
case("out = nd.contrib.getnnz(nd.sparse.zeros('csr', (3, 2)), axis=1)")
case("out = nd.contrib.getnnz(G12, axis=1)")

#: Inputs MXNet refuses (an exception, or an abort of the whole process).
REFUSED = [
    f"{U}(G5.astype('float32'), ids(1), num_neighbor=5, max_num_vertices=5)[0].asnumpy()",
    f"{U}(G5, nd.array([1.0]), num_neighbor=5, max_num_vertices=5)[0].asnumpy()",
    f"{U}(G5.tostype('default'), ids(1), num_neighbor=5, max_num_vertices=5)[0].asnumpy()",
    f"{U}(csr(g5[:3]), ids(1), num_neighbor=5, max_num_vertices=5)[0].asnumpy()",
    f"{U}(G5, ids(1), num_args=3)[0].asnumpy()",
    f"{U}(G5, nd.array([[1]], dtype='int64'))[0].asnumpy()",
    f"{U}(G5, ids(0, 1, 2), max_num_vertices=2)[0].asnumpy()",
    f"{U}(G5, ids(1), max_num_vertices=-1)[0].asnumpy()",
    f"{U}(G5)",
    f"{N}(G5, nd.array([0.1] * 5, dtype='float64'), ids(1))[0].asnumpy()",
    f"{N}(G5, nd.array([[0.1] * 5]), ids(1))[0].asnumpy()",
    f"{N}(G5, nd.array([0.1] * 5), ids(1), num_args=2)[0].asnumpy()",
    "nd.contrib.dgl_subgraph(X, ids(3, 1, 0), return_mapping=True)[0].asnumpy()",
    "nd.contrib.dgl_subgraph(X, nd.array([1, 3]), return_mapping=True)[0].asnumpy()",
    "nd.contrib.dgl_subgraph(X.tostype('default'), ids(0, 1), return_mapping=True)[0].asnumpy()",
    "nd.contrib.dgl_subgraph(X, ids(1, 9), return_mapping=True)[0].asnumpy()",
    "nd.contrib.dgl_subgraph(X, ids(0, 1).reshape((1, 2)), return_mapping=True)[0].asnumpy()",
    "nd.contrib.dgl_subgraph(X, ids(0, 1))[0].asnumpy()",
    "nd.contrib.dgl_subgraph(X, return_mapping=True)",
    "nd.contrib.dgl_adjacency(csr([[1.5, 0], [0, 2]], 'float32')).asnumpy()",
    "nd.contrib.dgl_adjacency(X.tostype('default')).asnumpy()",
    "nd.contrib.edge_id(X, nd.array([0, 1]), nd.array([0])).asnumpy()",
    "nd.contrib.edge_id(X, nd.array([[0, 1]]), nd.array([[0, 1]])).asnumpy()",
    "nd.contrib.edge_id(X, nd.array([0], dtype='int32'), nd.array([0])).asnumpy()",
    "nd.contrib.edge_id(X.tostype('default'), nd.array([0]), nd.array([0])).asnumpy()",
    "nd.contrib.edge_id(X, nd.array([]), nd.array([])).asnumpy()",
    "nd.contrib.getnnz(X, axis=0).asnumpy()",
    "nd.contrib.getnnz(X, axis=-1).asnumpy()",
    "nd.contrib.getnnz(X, axis=2).asnumpy()",
    "nd.contrib.getnnz(X.tostype('default')).asnumpy()",
    "nd.contrib.dgl_graph_compact(SAMPLED, ids(0, 1, 5, -1, -1, 3), graph_sizes=(2,), return_mapping=False).asnumpy()",
    "nd.contrib.dgl_graph_compact(SAMPLED, ids(0, 1, 5), graph_sizes=(3,), return_mapping=False).asnumpy()",
    "nd.contrib.dgl_graph_compact(SAMPLED, ids(0, 2, 5, -1, -1, 3), graph_sizes=(3,), return_mapping=False).asnumpy()",
    "nd.contrib.dgl_graph_compact(SAMPLED, ids(0, 1, 5, -1, -1, 3), graph_sizes=(6,), return_mapping=False).asnumpy()",
    "nd.contrib.dgl_graph_compact(SAMPLED, ids(0, 1, 5, -1, -1, 3), ids(0), graph_sizes=(3,), return_mapping=False)",
    "nd.contrib.dgl_graph_compact(SAMPLED.tostype('default'), ids(0, 1, 5, -1, -1, 3), graph_sizes=(3,), return_mapping=False).asnumpy()",
    "nd.contrib.dgl_graph_compact(SAMPLED, ids(0, 1, 5, -1, -1, 3), return_mapping=False)",
]


def _record(key: str, arrays: dict, out) -> list:
    outs = out if isinstance(out, (list, tuple)) else [out]
    meta = []
    for k, o in enumerate(outs):
        arrays[f"{key}/out{k}"] = o.asnumpy()
        m = {"stype": o.stype, "dtype": str(o.asnumpy().dtype), "cls": type(o).__name__}
        if o.stype == "csr":
            for part in ("data", "indices", "indptr"):
                arrays[f"{key}/out{k}/{part}"] = getattr(o, part).asnumpy()
        meta.append(m)
    return meta


def _refusal(code: str) -> str:
    script = f"import mxnet as mx\nfrom mxnet import nd\nassert 'regluon' not in open(mx.__file__).read(2000)\n{SETUP}\n{code}\n"
    env = dict(os.environ, PYTHONWARNINGS="ignore")
    res = subprocess.run(  # run outside the repository, whose root holds regluon's ``mxnet`` alias
        [sys.executable, "-c", script], capture_output=True, text=True, env=env, timeout=120, cwd=HERE
    )
    text = (res.stdout + res.stderr).splitlines()
    lines = [ln for ln in text if ("Check failed" in ln or "MXNetError:" in ln) and "Traceback" not in ln]
    if "import mxnet" in res.stderr and "regluon" in res.stderr:
        raise SystemExit("the refusal subprocess did not import MXNet 1.9.1")
    if res.returncode == 0 and not lines:
        raise SystemExit(f"MXNet accepted a case listed as refused: {code}")
    return re.sub(r"\[\d\d:\d\d:\d\d\] ", "", lines[0].strip()) if lines else f"exit code {res.returncode}"


def main():
    arrays, index = {}, []
    env = {"mx": mx, "nd": nd, "np": np}
    exec(SETUP, env)
    for i, c in enumerate(CASES):
        ns = dict(env)
        exec(c["code"], ns)
        index.append(c | {"key": f"c{i}", "outs": _record(f"c{i}", arrays, ns["out"])})
    refused = [{"code": code, "mxnet": _refusal(code)} for code in REFUSED]
    with open(os.path.join(GOLDEN, "graph_golden.json"), "w") as f:
        json.dump({"setup": SETUP, "cases": index, "refused": refused}, f, indent=1)
    np.savez_compressed(os.path.join(GOLDEN, "graph_golden.npz"), **arrays)
    print(f"wrote {len(index)} cases and {len(refused)} refused inputs")


if __name__ == "__main__":
    main()
