"""``nd.contrib``'s graph operators (MXNet's ``contrib/dgl_graph.cc`` and ``getnnz``), for DGL.

A graph is a square CSR array whose value at ``(u, v)`` is the id of the edge ``u -> v`` (int64).
regluon stores CSR arrays densely, so an edge is an entry with a nonzero value: an edge whose id is 0
is not seen (MXNet lists such a stored zero), so number edges from 1, as MXNet's own examples do. The
subgraphs' renumbered edges start at 0 as in MXNet: their values match MXNet's, but that first edge is
not among the CSR parts (``data``/``indices``/``indptr``) nor seen by operators applied to the result.
The operators:

- ``dgl_csr_neighbor_uniform_sample`` / ``dgl_csr_neighbor_non_uniform_sample``: breadth-first
  neighbourhood sampling from each array of seed vertices (up to ``num_hops`` hops, at most
  ``num_neighbor`` neighbours per vertex, drawn uniformly or in proportion to ``probability``, without
  replacement; every neighbour when the vertex has no more than that). For each seed array they give
  the sampled vertex ids (sorted, padded with -1, the count last), a ``(max_num_vertices, N)`` CSR
  array whose row ``i`` holds the sampled edges of vertex ``ids[i]`` (columns are vertex ids, values
  edge ids), the hop at which each vertex was reached (and, non-uniform, its probability). MXNet
  1.9.1 leaves the padding uninitialised; here ids and layers are -1 and probabilities 0 there.
  Draws come from torch's CPU generator, so ``mx.random.seed`` makes them repeatable.
- ``dgl_subgraph``: the subgraph induced by sorted vertex ids, edges renumbered from 0 in CSR order
  (and, with ``return_mapping``, the same subgraph holding the original edge ids).
- ``dgl_graph_compact``: a sampler's CSR output shrunk to ``graph_sizes[i]`` rows and columns, columns
  renumbered to positions in the vertex list, edges renumbered from 0 in the input's CSR order. The
  mapping output of MXNet 1.9.1 holds no values; it is an all-zero CSR array here as well.
- ``dgl_adjacency``: 1.0 (float32) where there is an edge; ``edge_id``: the edge id of each ``(u, v)``
  pair, -1 where there is none; ``getnnz``: stored values in all (``axis=None``) or per row (``axis=1``).

The ``nd.contrib`` functions (in :data:`FUNCTIONS`) check that graphs are CSR arrays and return CSR
arrays where MXNet does; the op table's ``_contrib_*`` entries compute on the dense values.
"""

from __future__ import annotations

import inspect
from collections import deque

import numpy as np
import torch

from ...base import MXNetError, shape_str
from ..params import Bool, Int, Optional, Param, Shape
from ..register import OpDef, Sample, get_op, make_function, register

_I64 = torch.int64


def _dt(t: torch.Tensor) -> str:
    return str(t.dtype).replace("torch.", "")


def _desc(t: torch.Tensor) -> str:
    return f"{shape_str(t.shape)} {_dt(t)}"


def _need(op: str, what: str, t: torch.Tensor, dtype: torch.dtype | None = _I64, ndim: int = 1) -> None:
    if t.dim() != ndim or (dtype is not None and t.dtype != dtype):
        kind = f"{ndim}-D" + (f" {str(dtype)[6:]}" if dtype is not None else "")
        raise MXNetError(f"{op}: {what} must be a {kind} array, got {_desc(t)}")


def _graph(op: str, g: torch.Tensor, what: str = "csr_matrix", square: bool = True) -> None:
    _need(op, what, g, ndim=2)
    if square and g.shape[0] != g.shape[1]:
        raise MXNetError(f"{op}: {what} must be a square (vertices x vertices) graph, got {_desc(g)}")


def _num_args(op: str, num_args, n: int, least: int, what: str) -> None:
    if num_args is not None and num_args != n:
        raise MXNetError(f"{op}: num_args={num_args} but {n} inputs were given ({what})")
    if n < least:
        raise MXNetError(f"{op}: needs at least {least} inputs ({what}), got {n}")


# --------------------------------------------------------------------------------------- sampling
class _Csr:
    """The CSR parts (NumPy, row-major) of a dense graph tensor."""

    def __init__(self, g: torch.Tensor):
        a = g.detach().cpu().numpy()
        rows, self.cols = np.nonzero(a)
        self.vals = a[rows, self.cols]
        self.indptr = np.concatenate([[0], np.cumsum(np.bincount(rows, minlength=a.shape[0]))])
        self.shape, self.dtype = a.shape, a.dtype


def _uniform_pick(lo: int, hi: int, k: int, csr: _Csr, prob) -> np.ndarray:
    if k < 0 or hi - lo <= k:  # MXNet takes num_neighbor as unsigned: a negative value is no limit
        return np.arange(lo, hi)
    return lo + np.sort(torch.randperm(hi - lo)[:k].numpy())


def _weighted_pick(lo: int, hi: int, k: int, csr: _Csr, prob: np.ndarray) -> np.ndarray:
    if k < 0 or hi - lo <= k:
        return np.arange(lo, hi)
    w = prob[csr.cols[lo:hi]]
    positive = int(np.count_nonzero(w))
    if positive < k:
        raise MXNetError(
            f"contrib.dgl_csr_neighbor_non_uniform_sample: a vertex has {hi - lo} neighbours but only "
            f"{positive} with a positive probability, fewer than num_neighbor={k}"
        )
    # successive draws without replacement, each in proportion to the remaining weights
    return lo + np.sort(torch.multinomial(torch.from_numpy(w), k, replacement=False).numpy())


def _bfs(csr: _Csr, seeds: list, hops: int, k: int, max_nv: int, pick, prob) -> tuple[dict, dict]:
    """MXNet's sampling walk: vertices join (with their hop) when first met, the walk stops once
    ``max_nv`` have joined; a vertex below ``hops`` has its sampled edges kept (all of them, even to
    vertices that no longer fit). Returns ``{vertex: hop}`` and ``{vertex: edge positions}``."""
    layer = dict.fromkeys(seeds, 0)
    queue = deque(seeds)
    picked: dict = {}
    while queue and len(layer) < max_nv:
        v = queue.popleft()
        lv = layer[v]
        if lv >= hops or v in picked:
            continue
        pos = pick(int(csr.indptr[v]), int(csr.indptr[v + 1]), k, csr, prob)
        picked[v] = pos
        for u in csr.cols[pos].tolist():
            if u not in layer and len(layer) < max_nv:
                layer[u] = lv + 1
                queue.append(u)
    return layer, picked


def _sample_outputs(csr: _Csr, layer: dict, picked: dict, max_nv: int, prob) -> list[np.ndarray]:
    verts = sorted(layer)
    nv = len(verts)
    ids = np.full(max_nv + 1, -1, np.int64)
    ids[:nv] = verts
    ids[max_nv] = nv
    hops = np.full(max_nv, -1, np.int64)
    hops[:nv] = [layer[v] for v in verts]
    sub = np.zeros((max_nv, csr.shape[1]), csr.dtype)
    for i, v in enumerate(verts):
        pos = picked.get(v)
        if pos is not None:
            sub[i, csr.cols[pos]] = csr.vals[pos]
    res = [ids, sub, hops]
    if prob is not None:
        p = np.zeros(max_nv, np.float32)
        p[:nv] = prob[verts]
        res.insert(2, p)
    return res


def _neighbor_sample(op: str, g, prob, seed_arrays, num_hops, num_neighbor, max_num_vertices):
    _graph(op, g)
    n = g.shape[0]
    if max_num_vertices < 0:
        raise MXNetError(f"{op}: max_num_vertices must be >= 0, got {max_num_vertices}")
    if prob is not None:
        _need(op, "probability", prob, torch.float32)
        prob = prob.detach().cpu().numpy()
        if prob.shape[0] != n or not (np.isfinite(prob).all() and (prob >= 0).all()):
            raise MXNetError(
                f"{op}: probability {shape_str(prob.shape)} float32 must hold one finite, non-negative value "
                f"per vertex of csr_matrix {_desc(g)}"
            )
    csr = _Csr(g)
    pick = _uniform_pick if prob is None else _weighted_pick
    outs = []
    for i, s in enumerate(seed_arrays):
        _need(op, f"seed array {i}", s)
        seeds = s.detach().cpu().tolist()
        if seeds and (min(seeds) < 0 or max(seeds) >= n):
            raise MXNetError(f"{op}: seed array {i} holds vertex ids outside [0, {n}): {seeds}")
        if len(seeds) > max_num_vertices:
            raise MXNetError(
                f"{op}: seed array {i} {_desc(s)} has more seeds than max_num_vertices={max_num_vertices}"
            )
        layer, picked = _bfs(csr, seeds, num_hops, num_neighbor, max_num_vertices, pick, prob)
        outs.append(_sample_outputs(csr, layer, picked, max_num_vertices, prob))
    dev = g.device  # ids..., csr..., (probabilities...,) layers...
    return tuple(torch.from_numpy(o[j]).to(dev) for j in range(len(outs[0])) for o in outs)


def _uniform_sample(*data, num_args, num_hops, num_neighbor, max_num_vertices):
    op = "contrib.dgl_csr_neighbor_uniform_sample"
    _num_args(op, num_args, len(data), 2, "the CSR graph, then one or more seed arrays")
    return _neighbor_sample(op, data[0], None, data[1:], num_hops, num_neighbor, max_num_vertices)


def _non_uniform_sample(*data, num_args, num_hops, num_neighbor, max_num_vertices):
    op = "contrib.dgl_csr_neighbor_non_uniform_sample"
    _num_args(op, num_args, len(data), 3, "the CSR graph, the probability, then one or more seed arrays")
    return _neighbor_sample(op, data[0], data[1], data[2:], num_hops, num_neighbor, max_num_vertices)


_SAMPLE_PARAMS = (
    Param("num_args", Optional(Int()), None, "Number of inputs (counted from the call when omitted)."),
    Param("num_hops", Int(), 1, "How many hops to walk from the seeds."),
    Param("num_neighbor", Int(), 2, "Most neighbours sampled per vertex (negative: all)."),
    Param("max_num_vertices", Int(), 100, "Most vertices in each sampled subgraph."),
)


# --------------------------------------------------------------------------------- sub-graphs
def _last_positions(vids: torch.Tensor, size: int) -> torch.Tensor:
    """``lookup[v]`` = the (last) position of vertex ``v`` in ``vids``, -1 if absent (``v < size``)."""
    lookup = torch.full((size,), -1, dtype=_I64, device=vids.device)
    ok = (vids >= 0) & (vids < size)
    pos = torch.arange(vids.shape[0], device=vids.device)
    return lookup.scatter_reduce_(0, vids[ok], pos[ok], reduce="amax")  # a repeated vertex: its last place


def _renumber(ids_at: torch.Tensor) -> torch.Tensor:
    """New edge ids 0, 1, ... in row-major order of the nonzero entries of ``ids_at`` (others 0)."""
    nz = ids_at != 0
    return torch.where(nz, nz.reshape(-1).cumsum(0).reshape(nz.shape) - 1, 0).to(ids_at.dtype)


def _subgraph(*data, num_args, return_mapping):
    op = "contrib.dgl_subgraph"
    _num_args(op, num_args, len(data), 2, "the CSR graph, then one or more vertex arrays")
    g = data[0]
    _graph(op, g, "graph", square=False)
    subs, maps = [], []
    for i, vids in enumerate(data[1:]):
        _need(op, f"vertex array {i}", vids)
        if vids.shape[0] == 0:
            raise MXNetError(f"{op}: vertex array {i} is empty")
        if bool((vids[1:] < vids[:-1]).any()):
            raise MXNetError(f"{op}: vertex array {i} must be sorted (ascending), got {vids.tolist()}")
        if int(vids[0]) < 0 or int(vids[-1]) >= g.shape[0]:
            raise MXNetError(
                f"{op}: vertex array {i} holds ids outside [0, {g.shape[0]}) for graph {_desc(g)}"
            )
        cols = _last_positions(vids, g.shape[1])
        keep = cols[vids.clamp(max=g.shape[1] - 1)] == torch.arange(vids.shape[0], device=g.device)
        keep &= vids < g.shape[1]
        orig = g[vids][:, vids.clamp(max=g.shape[1] - 1)] * keep.to(g.dtype)
        subs.append(_renumber(orig))
        maps.append(orig)
    res = subs + maps if return_mapping else subs
    return res[0] if len(res) == 1 else tuple(res)


def _compact(*data, num_args, return_mapping, graph_sizes):
    op = "contrib.dgl_graph_compact"
    n = len(data)
    _num_args(op, num_args, n, 2, "the CSR graphs, then one vertex array each")
    if n % 2:
        raise MXNetError(f"{op}: needs one vertex array per graph (an even number of inputs), got {n} inputs")
    k = n // 2
    if len(graph_sizes) < k:
        raise MXNetError(f"{op}: graph_sizes {graph_sizes} needs one size for each of the {k} graphs")
    subs = []
    for i, (g, vids) in enumerate(zip(data[:k], data[k:])):
        _graph(op, g, f"graph {i}", square=False)
        _need(op, f"vertex array {i}", vids)
        size = graph_sizes[i]
        if vids.shape[0] != g.shape[0] + 1 or not 0 <= size <= g.shape[0] or int(vids[-1]) != size:
            raise MXNetError(
                f"{op}: graph {i} {_desc(g)} needs a vertex array of {g.shape[0] + 1} ids ending with the "
                f"vertex count graph_sizes[{i}]={size} (a sampler's output), got {_desc(vids)} ending with "
                f"{int(vids[-1]) if vids.shape[0] else None}"
            )
        rows = g[:size]
        lookup = _last_positions(vids[:size], g.shape[1])
        r, c = rows.nonzero(as_tuple=True)
        pos = lookup[c]
        if bool((pos < 0).any()):
            missing = sorted(set(c[pos < 0].tolist()))
            raise MXNetError(
                f"{op}: graph {i} has edges to vertices {missing} that are not in its vertex list"
            )
        out = torch.zeros((size, size), dtype=g.dtype, device=g.device)
        out[r, pos] = torch.arange(r.shape[0], dtype=g.dtype, device=g.device)
        subs.append(out)
    maps = [torch.zeros_like(s) for s in subs] if return_mapping else []
    res = subs + maps
    return res[0] if len(res) == 1 else tuple(res)


# ------------------------------------------------------------------------------ single graphs
def _adjacency(data):
    _graph("contrib.dgl_adjacency", data, "data", square=False)
    return (data != 0).to(torch.float32)


def _edge_id(data, u, v):
    op = "contrib.edge_id"
    if data.dim() != 2:
        raise MXNetError(f"{op}: data must be a 2-D graph, got {_desc(data)}")
    if u.dim() != 1 or v.dim() != 1 or u.shape != v.shape or u.shape[0] == 0 or u.dtype != v.dtype:
        raise MXNetError(
            f"{op}: u {_desc(u)} and v {_desc(v)} must be non-empty 1-D arrays of one length and dtype"
        )
    rows, cols = u.to(_I64), v.to(_I64)  # fractions are truncated, as MXNet casts them
    ok = (rows >= 0) & (rows < data.shape[0]) & (cols >= 0) & (cols < data.shape[1])
    vals = data[rows.clamp(0, data.shape[0] - 1), cols.clamp(0, data.shape[1] - 1)]
    return torch.where(ok & (vals != 0), vals, torch.full_like(vals, -1))


def _getnnz(data, axis):
    op = "contrib.getnnz"
    if data.dim() != 2:
        raise MXNetError(f"{op}: data must be a 2-D (CSR) array, got {_desc(data)}")
    if axis is None:
        return torch.count_nonzero(data).reshape(1)
    if axis == 1:
        return torch.count_nonzero(data, dim=1)
    if axis == 0:
        raise MXNetError(f"{op}: getnnz with axis = 0 is not supported yet (data {_desc(data)})")
    raise MXNetError(f"{op}: Unexpected value for axis({axis}). Candidates are None, 0, and 1")


# ------------------------------------------------------------------------ references and samples
def _g5() -> np.ndarray:
    """The complete graph on 5 vertices with edge ids 1..20 in CSR order (MXNet's doc example)."""
    g = np.zeros((5, 5), np.int64)
    g[~np.eye(5, dtype=bool)] = np.arange(1, 21)
    return g


def _g6() -> np.ndarray:
    g = np.zeros((6, 6), np.int64)
    for eid, (u, v) in enumerate([(0, 1), (0, 3), (1, 2), (2, 0), (2, 5), (3, 4), (4, 1), (5, 3)], start=1):
        g[u, v] = eid
    return g


def _i64(*v) -> np.ndarray:
    return np.array(v, np.int64)


def _check_sample(out, params, g, *rest) -> bool:
    """The first output (vertex ids of the first seed array) is well formed: sorted ids of the graph,
    the seeds among them, -1 padding, the count last."""
    seeds = rest[0] if rest[0].dtype == np.int64 else rest[1]
    m = params.get("max_num_vertices", 100)
    n = int(out[m])
    ids = out[:n]
    return (
        out.shape == (m + 1,)
        and len(set(seeds.tolist())) <= n <= m
        and bool((np.diff(ids) > 0).all() and (ids >= 0).all() and (ids < g.shape[0]).all())
        and set(seeds.tolist()) <= set(ids.tolist())
        and bool((out[n:m] == -1).all())
    )


def _sample_samples(with_prob: bool):
    def samples():
        p = (np.array([0.9, 0.8, 0.2, 0.4, 0.1], np.float32),) if with_prob else ()
        p6 = (np.full(6, 0.5, np.float32),) if with_prob else ()
        return [
            Sample((_g5(), *p, _i64(0, 1)), {"num_neighbor": 2, "max_num_vertices": 5}, grad=False),
            Sample((_g6(), *p6, _i64(2), _i64(0, 4)), {"num_hops": 2, "max_num_vertices": 6}, grad=False),
        ]

    return samples


def _subgraph_ref(g, *vids, num_args=None, return_mapping):
    subs, maps = [], []
    for v in vids:
        place = {int(x): i for i, x in enumerate(v)}  # a repeated vertex keeps its last place
        new, orig = np.zeros((len(v), len(v)), g.dtype), np.zeros((len(v), len(v)), g.dtype)
        eid = 0
        for i, x in enumerate(v):
            for c in np.flatnonzero(g[x]):
                if int(c) in place:
                    new[i, place[int(c)]], orig[i, place[int(c)]] = eid, g[x, c]
                    eid += 1
        subs.append(new)
        maps.append(orig)
    res = subs + maps if return_mapping else subs
    return res[0] if len(res) == 1 else res


def _compact_ref(*data, num_args=None, return_mapping, graph_sizes):
    k = len(data) // 2
    subs = []
    for g, v, size in zip(data[:k], data[k:], graph_sizes):
        place = {int(x): i for i, x in enumerate(v[:size])}
        out, eid = np.zeros((size, size), g.dtype), 0
        for r in range(size):
            for c in np.flatnonzero(g[r]):
                out[r, place[int(c)]] = eid
                eid += 1
        subs.append(out)
    res = subs + ([np.zeros_like(s) for s in subs] if return_mapping else [])
    return res[0] if len(res) == 1 else res


def _edge_id_ref(g, u, v):
    out = np.full(u.shape, -1, g.dtype)
    for i, (a, b) in enumerate(zip(u.astype(np.int64), v.astype(np.int64))):
        if 0 <= a < g.shape[0] and 0 <= b < g.shape[1] and g[a, b] != 0:
            out[i] = g[a, b]
    return out


def _sampled_graph() -> tuple[np.ndarray, np.ndarray]:
    """A sampler-style CSR output (rows = positions in the vertex list, columns = vertex ids) and its
    vertex list (padded, count last)."""
    g = np.zeros((5, 7), np.int64)
    g[0, [2, 6]] = [4, 9]
    g[2, [0, 2]] = [3, 8]
    return g, _i64(0, 2, 6, -1, -1, 3)


_NEEDS_CSR = (
    "MXNet 1.9.1 runs it on CSR arrays only, which the generic golden generator does not make; "
    "tests/test_graph_ops.py checks it against MXNet (tests/golden/graph_golden.npz)"
)


def _contrib(name: str, **kw) -> OpDef:
    return register(OpDef(f"_contrib_{name}", aliases=(f"contrib.{name}",), differentiable=False, **kw))


_contrib(
    "dgl_csr_neighbor_uniform_sample",
    impl=_uniform_sample,
    inputs=("csr_matrix",),
    variadic=True,
    params=_SAMPLE_PARAMS,
    check=_check_sample,
    samples=_sample_samples(False),
    errors=lambda: [
        (
            (_g5().astype(np.float32), _i64(0)),
            {},
            r"uniform_sample: csr_matrix must be a 2-D int64 array, got \(5, 5\) float32",
        ),
        ((_g5()[:3], _i64(0)), {}, r"uniform_sample: csr_matrix must be a square .* got \(3, 5\) int64"),
        (
            (_g5(), _i64(0, 1, 2)),
            {"max_num_vertices": 2},
            r"seed array 0 \(3,\) int64 has more seeds than max_num_vertices=2",
        ),
        ((_g5(), _i64(0)), {"num_args": 3}, r"uniform_sample: num_args=3 but 2 inputs were given"),
    ],
    doc="Sample a neighbourhood of each array of seed vertices in a CSR graph, picking up to num_neighbor "
    "neighbours per vertex uniformly at random, for num_hops hops, until max_num_vertices vertices are "
    "reached. Returns, for k seed arrays, k vertex-id arrays (sorted, -1 padding, the count last), k CSR "
    "arrays of sampled edges (row i: the edges of vertex ids[i]) and k arrays of the hop each vertex was "
    "reached at.\n\nExample:\n    >>> ids, edges, hops = mx.nd.contrib.dgl_csr_neighbor_uniform_sample("
    "graph, mx.nd.array([0], dtype='int64'), num_hops=1, num_neighbor=2, max_num_vertices=5)",
)

_contrib(
    "dgl_csr_neighbor_non_uniform_sample",
    impl=_non_uniform_sample,
    inputs=("csr_matrix",),
    variadic=True,
    params=_SAMPLE_PARAMS,
    check=_check_sample,
    samples=_sample_samples(True),
    errors=lambda: [
        (
            (_g5(), np.ones(5, np.float64), _i64(0)),
            {},
            r"non_uniform_sample: probability must be a 1-D float32 array, got \(5,\) float64",
        ),
        (
            (_g5(), np.ones(4, np.float32), _i64(0)),
            {},
            r"probability \(4,\) float32 must hold one .* per vertex of csr_matrix \(5, 5\) int64",
        ),
    ],
    doc="Like dgl_csr_neighbor_uniform_sample, but neighbours are drawn (without replacement) in "
    "proportion to probability[vertex]. Returns k vertex-id arrays, k CSR edge arrays, k arrays with the "
    "probability of each sampled vertex, and k hop arrays.\n\nExample:\n    >>> ids, edges, prob, hops = "
    "mx.nd.contrib.dgl_csr_neighbor_non_uniform_sample(graph, mx.nd.array([.9, .8, .2, .4, .1]), "
    "mx.nd.array([0], dtype='int64'), num_neighbor=2, max_num_vertices=5)",
)

_contrib(
    "dgl_subgraph",
    impl=_subgraph,
    inputs=("graph",),
    variadic=True,
    params=(
        Param("num_args", Optional(Int()), None, "Number of inputs (counted from the call when omitted)."),
        Param(
            "return_mapping",
            Bool(),
            None,
            "Also return the subgraphs with the original edge ids.",
            required=True,
        ),
    ),
    ref=_subgraph_ref,
    samples=lambda: [
        Sample((_g6(), _i64(0, 1, 2)), {"return_mapping": True}, grad=False),
        Sample((_g6(), _i64(1, 2, 5), _i64(0, 3, 4)), {"return_mapping": False}, grad=False),
        Sample((_g5()[:, :4], _i64(1, 3, 4), _i64(2, 2, 3)), {"return_mapping": True}, grad=False),
    ],
    errors=lambda: [
        ((_g6(), _i64(3, 1)), {"return_mapping": True}, r"dgl_subgraph: vertex array 0 must be sorted"),
        (
            (_g6(), _i64(1, 6)),
            {"return_mapping": True},
            r"vertex array 0 holds ids outside \[0, 6\) for graph \(6, 6\)",
        ),
        (
            (_g6(), np.array([0.0, 1.0], np.float32)),
            {"return_mapping": True},
            r"vertex array 0 must be a 1-D int64 array, got \(2,\) float32",
        ),
    ],
    no_golden=_NEEDS_CSR,
    doc="The subgraph induced by each sorted array of vertex ids: row/column i is vertex ids[i], edges "
    "renumbered 0, 1, ... in CSR order; with return_mapping=True the same subgraphs holding the "
    "original edge ids follow.\n\nExample:\n    >>> new, orig = mx.nd.contrib.dgl_subgraph(graph, "
    "mx.nd.array([0, 1, 2], dtype='int64'), return_mapping=True)",
)

_contrib(
    "dgl_graph_compact",
    impl=_compact,
    inputs=("graph_data",),
    variadic=True,
    params=(
        Param("num_args", Optional(Int()), None, "Number of inputs (counted from the call when omitted)."),
        Param(
            "return_mapping",
            Bool(),
            None,
            "Also return a mapping output (all zeros, as in MXNet).",
            required=True,
        ),
        Param("graph_sizes", Shape(), None, "The number of vertices of each graph.", required=True),
    ),
    ref=_compact_ref,
    samples=lambda: [
        Sample(_sampled_graph(), {"graph_sizes": (3,), "return_mapping": False}, grad=False),
        Sample(
            (_sampled_graph()[0], _sampled_graph()[0], *[_sampled_graph()[1]] * 2),
            {"graph_sizes": (3, 3), "return_mapping": True},
            grad=False,
        ),
    ],
    errors=lambda: [
        (
            (*_sampled_graph(),),
            {"graph_sizes": (2,), "return_mapping": False},
            r"graph_compact: graph 0 \(5, 7\) int64 needs a vertex array of 6 ids ending with the vertex count graph_sizes\[0\]=2",
        ),
        (
            (_sampled_graph()[0], _i64(0, 2, 5, -1, -1, 3)),
            {"graph_sizes": (3,), "return_mapping": False},
            r"graph 0 has edges to vertices \[6\] that are not in its vertex list",
        ),
        (
            (*_sampled_graph(), _i64(0)),
            {"graph_sizes": (3,), "return_mapping": False},
            r"an even number of inputs",
        ),
    ],
    no_golden=_NEEDS_CSR,
    doc="Shrink CSR arrays made by the neighbour samplers to their graph_sizes[i] vertices: columns "
    "(vertex ids) become positions in the vertex list, edges are renumbered 0, 1, ... in the input's CSR "
    "order. With return_mapping=True, all-zero arrays of the same shapes follow (MXNet 1.9.1 fills no "
    "values there).\n\nExample:\n    >>> ids, edges, hops = mx.nd.contrib.dgl_csr_neighbor_uniform_sample("
    "graph, seeds, max_num_vertices=6)\n    >>> small = mx.nd.contrib.dgl_graph_compact(edges, ids, "
    "graph_sizes=(int(ids[-1].asscalar()),), return_mapping=False)",
)

_contrib(
    "dgl_adjacency",
    impl=_adjacency,
    ref=lambda x: (x != 0).astype(np.float32),
    samples=lambda: [Sample((_g6(),), grad=False), Sample((_g5()[:3],), grad=False)],
    errors=lambda: [
        (
            (np.ones((2, 2), np.float32),),
            {},
            r"dgl_adjacency: data must be a 2-D int64 array, got \(2, 2\) float32",
        )
    ],
    no_golden=_NEEDS_CSR,
    doc="The adjacency matrix of a CSR graph of edge ids: 1.0 (float32) where there is an edge.\n\n"
    "Example:\n    >>> mx.nd.contrib.dgl_adjacency(graph).asnumpy()  # graph: int64 CSR of edge ids",
)

_contrib(
    "edge_id",
    impl=_edge_id,
    inputs=("data", "u", "v"),
    ref=_edge_id_ref,
    samples=lambda: [
        Sample((_g6(), _i64(0, 0, 2, 5, 9, -1), _i64(1, 2, 5, 3, 0, 3)), grad=False),
        Sample(
            (
                _g6().astype(np.float32) * 0.5,
                np.array([0.7, 2.0], np.float32),
                np.array([3.9, 0], np.float32),
            ),
            grad=False,
        ),
    ],
    errors=lambda: [
        (
            (_g6(), _i64(0, 1), _i64(1)),
            {},
            r"edge_id: u \(2,\) int64 and v \(1,\) int64 must be non-empty 1-D arrays",
        ),
        ((_g6(), _i64(0), np.zeros(1, np.float32)), {}, r"edge_id: u \(1,\) int64 and v \(1,\) float32"),
    ],
    no_golden=_NEEDS_CSR,
    doc="The value stored at (u[i], v[i]) of a CSR graph (the edge id), or -1 where there is no edge; the "
    "result has the graph's dtype.\n\nExample:\n    >>> mx.nd.contrib.edge_id(graph, mx.nd.array([0, 1]), "
    "mx.nd.array([1, 1]))  # [edge id of 0->1, -1 if 1->1 is absent]",
)

_contrib(
    "getnnz",
    impl=_getnnz,
    params=(
        Param(
            "axis", Optional(Int()), None, "None: all stored values; 1: per row (0 is refused, as in MXNet)."
        ),
    ),
    ref=lambda x, axis=None: np.array([np.count_nonzero(x)]) if axis is None else np.count_nonzero(x, axis=1),
    samples=lambda: [
        Sample((_g6(),), grad=False),
        Sample((_g6().astype(np.float32),), {"axis": 1}, grad=False),
    ],
    errors=lambda: [
        ((_g6(),), {"axis": 0}, r"getnnz: getnnz with axis = 0 is not supported yet"),
        ((_g6(),), {"axis": -1}, r"getnnz: Unexpected value for axis\(-1\). Candidates are None, 0, and 1"),
    ],
    no_golden=_NEEDS_CSR,
    doc="The number of stored values of a CSR array (int64): in all (axis=None, shape (1,)) or in each "
    "row (axis=1). regluon stores only nonzero values, so explicit zeros MXNet keeps are not counted."
    "\n\nExample:\n    >>> mx.nd.contrib.getnnz(x.tostype('csr'), axis=1)",
)


# ---------------------------------------------------------------------- nd.contrib functions
def _csr_cls():
    from ..sparse import CSRNDArray  # imported late: nd.sparse needs the filled op table

    return CSRNDArray


def _signature(op: OpDef, spec: tuple[str, ...]) -> inspect.Signature:
    P = inspect.Parameter
    ps = [P(s[1:], P.VAR_POSITIONAL) if s[0] == "*" else P(s, P.POSITIONAL_OR_KEYWORD) for s in spec]
    kind = P.KEYWORD_ONLY if spec[-1][0] == "*" else P.POSITIONAL_OR_KEYWORD
    ps += [P(p.name, kind, default=p.default) for p in op.params]
    return inspect.Signature([*ps, P("out", P.KEYWORD_ONLY, default=None)])


def _public(short: str, spec: tuple[str, ...], n_graphs, csr_outputs):
    """The ``nd.contrib`` function ``short``: the table's op, refusing graph inputs (the first
    ``n_graphs(number of inputs)``) that are not CSR arrays, and tagging outputs ``csr_outputs(n)`` CSR."""
    op = get_op(f"_contrib_{short}")
    base = make_function(op, short)
    variadic = spec[-1][0] == "*"
    fixed = [s for s in spec if s[0] != "*"]
    label = [*fixed, *(f"{spec[-1][1:]}[{i}]" for i in range(64))] if variadic else list(op.inputs)

    def fn(*args, **kwargs):
        csr = _csr_cls()
        inputs = list(args) + ([] if variadic else [kwargs[n] for n in op.inputs[len(args) :] if n in kwargs])
        for what, x in zip(label, inputs[: n_graphs(len(inputs))]):
            if not isinstance(x, csr):
                stype = getattr(x, "stype", type(x).__name__)
                shape = shape_str(x.shape) if hasattr(x, "shape") else ""
                raise MXNetError(
                    f"contrib.{short}: {what} must be a CSR array (storage type 'csr'), got {stype} {shape}; "
                    "convert it with x.tostype('csr')"
                )
        res = base(*args, **kwargs)
        if kwargs.get("out") is None:
            outs = res if isinstance(res, list) else [res]
            for i in csr_outputs(len(outs)):
                outs[i].__class__ = csr
        return res

    fn.__name__ = fn.__qualname__ = short
    fn.__module__ = "regluon.ndarray.contrib"
    fn.__signature__ = _signature(op, spec)
    fn.__doc__ = base.__doc__
    fn.op = op
    return fn


def _one(n: int) -> int:
    return 1


_FUNCTION_SPECS = (
    # name, inputs as MXNet's function takes them, how many are graphs, which outputs are CSR
    (
        "dgl_csr_neighbor_uniform_sample",
        ("csr_matrix", "*seed_arrays"),
        _one,
        lambda n: range(n // 3, 2 * n // 3),
    ),
    (
        "dgl_csr_neighbor_non_uniform_sample",
        ("csr_matrix", "probability", "*seed_arrays"),
        _one,
        lambda n: range(n // 4, n // 2),
    ),
    ("dgl_subgraph", ("graph", "*data"), _one, range),
    ("dgl_graph_compact", ("*graph_data",), lambda n: n // 2, range),
    ("dgl_adjacency", ("data",), _one, range),
    ("edge_id", ("data", "u", "v"), _one, lambda n: ()),
    ("getnnz", ("data",), _one, lambda n: ()),
)

#: The ``nd.contrib`` functions of this module (public name -> function).
FUNCTIONS = {f"contrib.{name}": _public(name, *rest) for name, *rest in _FUNCTION_SPECS}
