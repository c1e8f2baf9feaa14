"""Goldens for row-sparse Gluon Parameters (tests/test_sparse_params.py), from MXNet 1.9.1.

Run: .venv-oracle/bin/python tools/gen_sparse_param_golden.py

Writes tests/golden/sparse_param_golden.json: training trajectories of ``nn.Embedding(sparse_grad=True)``
(dense weight, row-sparse gradient) and ``contrib.nn.SparseEmbedding`` (row-sparse weight, updated on
the kvstore) under several optimizers, the gradients after one backward, and MXNet's messages for the
misuses of sparse Parameters.
"""

import json
import os
import warnings

import numpy as np
from _oracle import GOLDEN, real_mxnet

mx = real_mxnet()
from mxnet import autograd, gluon, nd  # noqa: E402

VOCAB, DIM = 8, 3
W0 = (np.arange(VOCAB * DIM, dtype=np.float32).reshape(VOCAB, DIM) / 10.0 - 1.0).round(3)
# each step looks up a different subset of the rows (row 7 never), with a repeat
BATCHES = [[[0, 2], [2, 5]], [[1, 3], [3, 3]], [[5, 6], [0, 4]], [[2, 2], [6, 1]]]
TARGET = np.linspace(-1, 1, 2 * 2 * DIM, dtype=np.float32).reshape(2, 2, DIM)

CASES = [
    ("sgd", {"learning_rate": 0.1}),
    ("sgd", {"learning_rate": 0.1, "wd": 0.05}),
    ("sgd", {"learning_rate": 0.1, "wd": 0.05, "lazy_update": False}),
    ("sgd", {"learning_rate": 0.1, "momentum": 0.9, "wd": 0.05}),
    ("sgd", {"learning_rate": 0.1, "momentum": 0.9, "wd": 0.05, "lazy_update": False}),
    ("adam", {"learning_rate": 0.05, "wd": 0.01}),
    ("adam", {"learning_rate": 0.05, "wd": 0.01, "lazy_update": False}),
    ("adagrad", {"learning_rate": 0.1}),
    ("adagrad", {"learning_rate": 0.1, "wd": 0.05}),
    ("ftrl", {"learning_rate": 0.1, "wd": 0.05}),
    ("rmsprop", {"learning_rate": 0.01, "wd": 0.05}),
    ("nag", {"learning_rate": 0.1, "momentum": 0.9, "wd": 0.05}),
    ("signum", {"learning_rate": 0.1, "wd": 0.05}),
    ("adadelta", {"wd": 0.05}),
]


def make_layer(kind):
    if kind == "embedding":
        layer = gluon.nn.Embedding(VOCAB, DIM, sparse_grad=True)
    else:
        layer = gluon.contrib.nn.SparseEmbedding(VOCAB, DIM)
    layer.initialize(mx.init.Constant(nd.array(W0)))
    return layer


def current_weight(layer, kind):
    if kind == "embedding":
        return layer.weight.data().asnumpy()
    return layer.weight.row_sparse_data(nd.arange(VOCAB)).asnumpy()


def trajectory(kind, opt, params):
    layer = make_layer(kind)
    trainer = gluon.Trainer(layer.collect_params(), opt, params)
    out = {"weights": [], "grad_indices": [], "grad_data": []}
    for batch in BATCHES:
        x = nd.array(batch)
        with autograd.record():
            loss = (layer(x) * nd.array(TARGET)).sum() + (layer(x) ** 2).sum()
        loss.backward()
        g = layer.weight.grad()
        out["grad_stype"] = g.stype
        out["grad_indices"].append(g.indices.asnumpy().tolist())
        out["grad_data"].append(g.data.asnumpy().tolist())
        trainer.step(2)
        out["weights"].append(current_weight(layer, kind).tolist())
    return out


def caught(fn):
    try:
        fn()
    except Exception as e:  # noqa: BLE001 - the point is to record what MXNet raises
        return [type(e).__name__, str(e)]
    return None


def errors():
    res = {}
    p = gluon.Parameter("w", shape=(5, 2), stype="row_sparse", grad_stype="row_sparse")
    p.initialize(ctx=mx.cpu())
    res["data"] = caught(lambda: p.data())
    res["list_data"] = caught(lambda: p.list_data())
    res["row_sparse_data_no_trainer"] = caught(lambda: p.row_sparse_data(nd.array([0, 1])))
    res["list_row_sparse_data_no_trainer"] = caught(lambda: p.list_row_sparse_data(nd.array([0, 1])))
    res["init_data_stype"] = p._data[0].stype
    res["init_grad_stype"] = p._grad[0].stype
    q = gluon.Parameter("q", shape=(5, 2))
    q.initialize()
    res["row_sparse_data_dense"] = caught(lambda: q.row_sparse_data(nd.array([0])))
    res["list_row_sparse_data_dense"] = caught(lambda: q.list_row_sparse_data(nd.array([0])))
    res["bad_stype"] = caught(lambda: gluon.Parameter("z", shape=(2, 2), stype="foo"))
    res["bad_grad_stype"] = caught(lambda: gluon.Parameter("z", shape=(2, 2), grad_stype="bar"))
    for name, kw in [
        ("kvstore_none", {"kvstore": None}),
        ("update_on_kvstore_false", {"update_on_kvstore": False}),
    ]:
        r = gluon.Parameter("r", shape=(5, 2), stype="row_sparse", grad_stype="row_sparse")
        r.initialize()
        t = gluon.Trainer([r], "sgd", **kw)
        res[name] = caught(lambda r=r: r.row_sparse_data(nd.array([0])))
    gluon.Trainer([p], "sgd", {"learning_rate": 0.1})
    res["second_trainer"] = caught(lambda: gluon.Trainer([p], "sgd"))
    pulled = p.row_sparse_data(nd.array([0, 3]))
    res["pulled_stype"] = pulled.stype
    res["pulled_rows_zero"] = [int(i) for i in np.nonzero(~pulled.asnumpy().any(axis=1))[0]]
    res["pulled_is_data"] = pulled is p._data[0]
    # a Trainer over a row-sparse weight updates on the kvstore: no separate allreduce/update
    r2 = gluon.Parameter("r2", shape=(4, 2), stype="row_sparse", grad_stype="row_sparse")
    r2.initialize()
    t = gluon.Trainer([r2], "sgd")
    with autograd.record():
        w = r2.row_sparse_data(nd.array([1]))
        y = nd.Embedding(nd.array([1]), w, input_dim=4, output_dim=2, sparse_grad=True)
    y.backward()
    res["allreduce_grads"] = caught(lambda: t.allreduce_grads())
    res["update"] = caught(lambda: t.update(1))
    res["update_on_kvstore"] = t._update_on_kvstore
    # dense weight, row-sparse grad on one context: no kvstore, separate allreduce/update allowed
    e = gluon.Parameter("e", shape=(4, 2), grad_stype="row_sparse")
    e.initialize()
    te = gluon.Trainer([e], "sgd")
    with autograd.record():
        y = nd.Embedding(nd.array([1]), e.data(), input_dim=4, output_dim=2, sparse_grad=True)
    y.backward()
    res["dense_weight_allreduce"] = caught(lambda: te.allreduce_grads())
    res["dense_weight_update_on_kvstore"] = te._update_on_kvstore
    res["dense_weight_kvstore"] = te._kvstore is not None
    return res


def saved_params():
    """A row-sparse Parameter saved by save_parameters: what nd.load reads back."""
    layer = make_layer("sparse_embedding")
    gluon.Trainer(layer.collect_params(), "sgd", {"learning_rate": 0.1})
    path = "/tmp/_sparse_param_golden.params"
    layer.save_parameters(path)
    loaded = nd.load(path)
    os.remove(path)
    return {k: [v.stype, v.asnumpy().tolist()] for k, v in loaded.items()}


def multi_context():
    """Two CPU contexts (gradients summed; a dense weight updated per context, a row-sparse one once on
    the kvstore) and a hybridized Embedding, trained with SGD momentum and weight decay."""
    res = {}
    for kind in ("embedding", "sparse_embedding", "hybrid"):
        ctxs = [mx.cpu(0), mx.cpu(1)] if kind != "hybrid" else [mx.cpu(0)]
        if kind == "sparse_embedding":
            layer = gluon.contrib.nn.SparseEmbedding(VOCAB, DIM)
        else:
            layer = gluon.nn.Embedding(VOCAB, DIM, sparse_grad=True)
        layer.initialize(mx.init.Constant(nd.array(W0)), ctx=ctxs)
        if kind == "hybrid":
            layer.hybridize()
        trainer = gluon.Trainer(
            layer.collect_params(), "sgd", {"learning_rate": 0.1, "momentum": 0.9, "wd": 0.05}
        )
        weights = []
        for batch in BATCHES:
            with autograd.record():
                losses = [((layer(nd.array(batch, ctx=c)) - k) ** 2).sum() for k, c in enumerate(ctxs)]
            autograd.backward(losses)
            trainer.step(2)
            if kind == "sparse_embedding":
                w = layer.weight.row_sparse_data(nd.arange(VOCAB, ctx=ctxs[-1]))
            else:
                w = layer.weight.data(ctxs[-1])
            weights.append(w.asnumpy().tolist())
        res[kind] = {
            "weights": weights,
            "grad_stype": layer.weight.grad(ctxs[0]).stype,
            "update_on_kvstore": trainer._update_on_kvstore,
        }
    return res


def set_data_resets():
    """set_data on a row-sparse weight whose Trainer has started: MXNet resets its kvstore (the
    weight is taken afresh from the Parameter, the momentum starts from zero)."""
    layer = make_layer("sparse_embedding")
    trainer = gluon.Trainer(layer.collect_params(), "sgd", {"learning_rate": 0.1, "momentum": 0.9})
    weights = []
    for i, batch in enumerate(([[0, 2]], [[0, 2]], [[0, 3]])):
        with autograd.record():
            loss = (layer(nd.array(batch)) ** 2).sum()
        loss.backward()
        trainer.step(1)
        if i == 0:
            layer.weight.set_data(nd.array(W0 * 2))
        weights.append(layer.weight.row_sparse_data(nd.arange(VOCAB)).asnumpy().tolist())
    return weights


def main():
    warnings.simplefilter("ignore")
    out = {"vocab": VOCAB, "dim": DIM, "w0": W0.tolist(), "batches": BATCHES, "target": TARGET.tolist()}
    out["cases"] = []
    for kind in ("embedding", "sparse_embedding"):
        for opt, params in CASES:
            try:
                res = trajectory(kind, opt, params)
            except Exception as e:  # noqa: BLE001
                res = {"error": [type(e).__name__, str(e)[:300]]}
            out["cases"].append({"layer": kind, "optimizer": opt, "params": params, **res})
    out["errors"] = errors()
    out["saved"] = saved_params()
    out["multi_context"] = multi_context()
    out["set_data"] = set_data_resets()
    with open(os.path.join(GOLDEN, "sparse_param_golden.json"), "w") as f:
        json.dump(out, f, indent=1)


if __name__ == "__main__":
    main()
