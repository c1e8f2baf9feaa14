"""nd.contrib's graph operators (dgl_*, edge_id, getnnz) against MXNet 1.9.1 and by their properties.

Deterministic calls (the samplers asked for whole neighbourhoods, subgraphs, compaction, adjacency,
edge ids, counts) are compared with tests/golden/graph_golden.* (tools/gen_graph_golden.py). Random
sampling is checked by what must hold for any draw and by frequencies against hand-worked formulas.
"""

import collections
import inspect
import json
import os

import numpy as np
import pytest

import mxnet as mx
from mxnet import nd
from regluon.base import MXNetError

GOLDEN = os.path.join(os.path.dirname(__file__), "golden")
with open(os.path.join(GOLDEN, "graph_golden.json")) as _f:
    SPEC = json.load(_f)
VALUES = np.load(os.path.join(GOLDEN, "graph_golden.npz"))
U = nd.contrib.dgl_csr_neighbor_uniform_sample
N = nd.contrib.dgl_csr_neighbor_non_uniform_sample


def _run(code: str):
    ns = {"mx": mx, "nd": nd, "np": np}
    exec(SPEC["setup"], ns)
    exec(code, ns)
    return ns


def _stored(key: str):
    """MXNet's CSR parts without its stored zeros (regluon keeps CSR values densely: an entry whose
    value is 0, such as the edge numbered 0 of a subgraph, is not stored), columns ascending in each row."""
    data, indices, indptr = (VALUES[f"{key}/{p}"] for p in ("data", "indices", "indptr"))
    if indptr.size == 0:  # MXNet 1.9.1 leaves dgl_graph_compact's mapping output without parts
        return data, indices, None
    keep = data != 0
    rows = np.repeat(np.arange(len(indptr) - 1), np.diff(indptr))[keep]
    counts = np.bincount(rows, minlength=len(indptr) - 1)
    order = np.lexsort((indices[keep], rows))  # regluon's columns ascend within a row; MXNet's may not
    return data[keep][order], indices[keep][order], np.concatenate([[0], np.cumsum(counts)])


def _groups(case) -> int:
    return 4 if "non_uniform" in case["code"] else 3


def _compare_sampled(case, outs):
    """Sampler outputs: MXNet leaves the padding after the valid vertices uninitialised, so only the
    valid entries are compared; regluon pads ids and layers with -1 and probabilities with 0."""
    k = len(outs) // _groups(case)
    for j in range(k):
        want_ids = VALUES[f"{case['key']}/out{j}"]
        got_ids = outs[j].asnumpy()
        m = len(want_ids) - 1
        n = int(want_ids[-1])
        assert got_ids[-1] == n and got_ids[:n].tolist() == want_ids[:n].tolist()
        assert (got_ids[n:m] == -1).all()
        for g in range(2, _groups(case)):  # probabilities (non-uniform), then layers
            want = VALUES[f"{case['key']}/out{g * k + j}"][:n]
            got = outs[g * k + j].asnumpy()
            np.testing.assert_array_equal(got[:n], want)
            assert (got[n:] == (-1 if g == _groups(case) - 1 else 0)).all()


@pytest.mark.parametrize("case", SPEC["cases"], ids=[c["code"].split("\n")[-1][6:70] for c in SPEC["cases"]])
def test_matches_mxnet(case):
    out = _run(case["code"])["out"]
    outs = out if isinstance(out, list) else [out]
    assert isinstance(out, list) == (len(case["outs"]) > 1)
    assert len(outs) == len(case["outs"])
    for k, (got, meta) in enumerate(zip(outs, case["outs"])):
        key = f"{case['key']}/out{k}"
        assert (type(got).__name__, got.stype, str(got.dtype.__name__)) == (
            meta["cls"],
            meta["stype"],
            meta["dtype"],
        )
        want = VALUES[key]
        assert got.shape == want.shape
        if case["kind"] == "sample" and meta["stype"] != "csr":
            continue  # compared below, without MXNet's uninitialised padding
        np.testing.assert_array_equal(got.asnumpy(), want)
        if meta["stype"] == "csr":
            data, indices, indptr = _stored(key)
            np.testing.assert_array_equal(got.data.asnumpy(), data)
            np.testing.assert_array_equal(got.indices.asnumpy(), indices)
            if indptr is not None:
                np.testing.assert_array_equal(got.indptr.asnumpy(), indptr)
    if case["kind"] == "sample":
        _compare_sampled(case, outs)


def _misses_required(code: str) -> bool:
    return ("dgl_subgraph" in code and "return_mapping" not in code) or (
        "compact" in code and "graph_sizes" not in code
    )


@pytest.mark.parametrize("case", SPEC["refused"], ids=[c["code"][12:80] for c in SPEC["refused"]])
def test_refuses_what_mxnet_refuses(case):
    ns = _run("")
    before = {k: v.asnumpy() for k, v in ns.items() if isinstance(v, nd.NDArray)}
    # a missing required parameter is a TypeError in every generated function of regluon
    missing_param = _misses_required(case["code"])
    with pytest.raises(TypeError if missing_param else MXNetError, match=r"contrib\.|required parameter"):
        eval(case["code"], ns)
    for k, v in before.items():
        np.testing.assert_array_equal(ns[k].asnumpy(), v)


def test_dense_graph_error_names_op_argument_and_shape():
    dense = nd.array([[0, 1], [2, 0]], dtype="int64")
    with pytest.raises(
        MXNetError, match=r"contrib.dgl_adjacency: data must be a CSR array .* default \(2, 2\)"
    ):
        nd.contrib.dgl_adjacency(dense)
    with pytest.raises(MXNetError, match=r"contrib.edge_id: data must be a CSR array .* default \(2, 2\)"):
        nd.contrib.edge_id(data=dense, u=nd.array([0]), v=nd.array([1]))
    seeds = nd.array([0], dtype="int64")
    with pytest.raises(MXNetError, match=r"uniform_sample: csr_matrix must be a CSR array"):
        U(dense, seeds)
    with pytest.raises(MXNetError, match=r"dgl_graph_compact: graph_data\[1\] must be a CSR array"):
        nd.contrib.dgl_graph_compact(
            dense.tostype("csr"), dense, seeds, seeds, graph_sizes=(1, 1), return_mapping=False
        )
    with pytest.raises(MXNetError, match=r"getnnz: data must be a CSR array .* row_sparse \(2, 2\)"):
        nd.contrib.getnnz(dense.tostype("row_sparse"))


# --------------------------------------------------------------------------------- random draws
def _random_graph(n=30, p=0.4, seed=3):
    rng = np.random.RandomState(seed)
    mask = (rng.rand(n, n) < p) & ~np.eye(n, dtype=bool)
    g = np.where(mask, np.cumsum(mask).reshape(n, n), 0).astype(np.int64)
    return g, nd.array(g, dtype="int64").tostype("csr")


def _check_draw(g, seeds, ids, sub, hops, num_hops, k, max_nv):
    ids, sub, hops = ids.asnumpy(), sub.asnumpy(), hops.asnumpy()
    n = int(ids[-1])
    verts = ids[:n]
    assert ids.shape == (max_nv + 1,) and (np.diff(verts) > 0).all() and (ids[n:-1] == -1).all()
    assert set(seeds) <= set(verts.tolist()) and (hops[n:] == -1).all()
    layer = dict(zip(verts.tolist(), hops[:n].tolist()))
    assert all(layer[s] == 0 for s in seeds)
    assert not sub[n:].any()  # rows past the valid vertices are empty
    reached = collections.defaultdict(list)
    for i, v in enumerate(verts):
        cols = np.flatnonzero(sub[i])
        # sampled edges are real edges with their own ids, and as many as asked for (or all)
        np.testing.assert_array_equal(sub[i, cols], g[v, cols])
        if cols.size:
            assert layer[v] < num_hops and cols.size == min(np.count_nonzero(g[v]), k)
        for c in cols:
            reached[int(c)].append(layer[v])
    for v in verts.tolist():  # every other vertex was reached from one a hop closer to the seeds
        if v not in seeds:
            assert layer[v] - 1 in reached[v]
    return verts, sub[:n]


def test_uniform_draws_are_neighbourhood_samples():
    g, G = _random_graph()
    for seed in range(4):
        mx.random.seed(seed)
        seeds = [seed, 10 + seed]
        ids, sub, hops = U(G, nd.array(seeds, dtype="int64"), num_hops=2, num_neighbor=3, max_num_vertices=40)
        verts, rows = _check_draw(g, seeds, ids, sub, hops, 2, 3, 40)
        # nothing was cut short (40 > what 2 hops of 3 neighbours reach): every vertex below two hops
        # was expanded and every sampled neighbour joined
        assert set(np.flatnonzero(rows.any(axis=0)).tolist()) <= set(verts.tolist())
        assert all(rows[i].any() for i, v in enumerate(verts) if hops.asnumpy()[i] < 2 and g[v].any())


def test_non_uniform_draws_and_several_seed_arrays():
    g, G = _random_graph(seed=5)
    prob = np.random.RandomState(0).uniform(0.1, 1, 30).astype(np.float32)
    mx.random.seed(11)
    out = N(
        G,
        nd.array(prob),
        nd.array([1], dtype="int64"),
        nd.array([4, 2], dtype="int64"),
        num_neighbor=2,
        num_hops=2,
        max_num_vertices=12,
    )
    assert len(out) == 8 and [type(o).__name__ for o in out[2:4]] == ["CSRNDArray"] * 2
    for j, seeds in enumerate(([1], [4, 2])):
        verts, _ = _check_draw(g, seeds, out[j], out[2 + j], out[6 + j], 2, 2, 12)
        np.testing.assert_array_equal(out[4 + j].asnumpy()[: len(verts)], prob[verts])


def test_same_seed_same_sample():
    g, G = _random_graph()
    seeds = nd.array([0, 7], dtype="int64")

    def draw(s, fn=U, *extra):
        mx.random.seed(s)
        return [o.asnumpy() for o in fn(G, *extra, seeds, num_hops=2, num_neighbor=2, max_num_vertices=25)]

    for fn, extra in ((U, ()), (N, (nd.ones(30),))):
        a, b = draw(42, fn, *extra), draw(42, fn, *extra)
        assert all((x == y).all() for x, y in zip(a, b))
        others = [draw(s, fn, *extra) for s in (1, 2, 3)]
        assert any(not (x[1] == o[1]).all() for x, o in [(a, o) for o in others])


def _star(weights):
    """Vertex 0 with an edge to each of 1..len(weights); probability 0 for vertex 0."""
    d = len(weights)
    g = np.zeros((d + 1, d + 1), np.int64)
    g[0, 1:] = np.arange(1, d + 1)
    return nd.array(g, dtype="int64").tostype("csr"), nd.array([0.0, *weights])


def _picks(G, prob, k, draws):
    seed = nd.array([0], dtype="int64")
    counts = collections.Counter()
    for _ in range(draws):
        row = N(G, prob, seed, num_neighbor=k, max_num_vertices=8)[1].asnumpy()[0]
        counts[tuple(np.flatnonzero(row).tolist())] += 1
    return counts


def test_non_uniform_frequencies_follow_the_probabilities():
    mx.random.seed(0)
    w = np.array([0.5, 0.3, 0.1, 0.1])
    G, prob = _star(w * 2)  # unnormalised weights
    draws = 600
    one = _picks(G, prob, 1, draws)
    for v in range(1, 5):
        assert abs(one[(v,)] / draws - w[v - 1]) < 0.07
    # two draws without replacement: P({a, b}) = w_a w_b / (1 - w_a) + w_b w_a / (1 - w_b)
    two = _picks(G, prob, 2, draws)
    for (a, b), c in two.items():
        pa, pb = w[a - 1], w[b - 1]
        assert abs(c / draws - (pa * pb / (1 - pa) + pb * pa / (1 - pb))) < 0.07
    assert sum(two.values()) == draws


def test_uniform_frequencies_and_zero_probability():
    G, prob = _star([1.0, 0.0, 1.0, 1.0, 0.0])
    mx.random.seed(1)
    picks = _picks(G, prob, 3, 50)  # zero-probability neighbours are never drawn while others remain
    assert set(picks) == {(1, 3, 4)}
    with pytest.raises(MXNetError, match=r"only 3 with a positive probability, fewer than num_neighbor=4"):
        N(G, prob, nd.array([0], dtype="int64"), num_neighbor=4, max_num_vertices=8)
    seed = nd.array([0], dtype="int64")
    counts = np.zeros(6)
    for _ in range(300):
        counts += U(G, seed, num_neighbor=2, max_num_vertices=8)[1].asnumpy()[0] != 0
    np.testing.assert_allclose(counts[1:] / 300, 2 / 5, atol=0.1)  # each of 5 neighbours: 2/5


# ------------------------------------------------------------------------------ the namespace
def test_names_signatures_and_docs():
    sig = inspect.signature(N)
    assert list(sig.parameters)[:3] == ["csr_matrix", "probability", "seed_arrays"]
    assert sig.parameters["num_neighbor"].default == 2 and sig.parameters["max_num_vertices"].default == 100
    assert list(inspect.signature(nd.contrib.edge_id).parameters)[:3] == ["data", "u", "v"]
    assert inspect.signature(nd.contrib.getnnz).parameters["axis"].default is None
    assert inspect.signature(nd.contrib.dgl_graph_compact).parameters["graph_sizes"].default is None
    for name in (
        "dgl_csr_neighbor_uniform_sample",
        "dgl_csr_neighbor_non_uniform_sample",
        "dgl_subgraph",
        "dgl_adjacency",
        "dgl_graph_compact",
        "edge_id",
        "getnnz",
    ):
        fn = getattr(nd.contrib, name)
        assert "Example" in fn.__doc__ and fn.op is getattr(nd, f"_contrib_{name}").op


def test_string_attributes_and_num_args():
    x = nd.array([[0, 3], [4, 0]], dtype="int64").tostype("csr")
    assert nd.contrib.getnnz(x, axis="1").asnumpy().tolist() == [1, 1]
    s = nd.array([0], dtype="int64")
    ids, _, _ = U(x, s, num_args="2", num_hops="1", num_neighbor="5", max_num_vertices="3")
    assert ids.asnumpy().tolist() == [0, 1, -1, 2]
    sub = nd.contrib.dgl_subgraph(x, nd.array([0, 1], dtype="int64"), return_mapping="False")
    assert sub.stype == "csr" and sub.asnumpy().tolist() == [[0, 0], [1, 0]]
