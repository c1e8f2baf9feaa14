"""Golden gluon.contrib behaviour from MXNet 1.9.1: contrib.cnn's deformable convolutions,
contrib.nn's SparseEmbedding and more SyncBatchNorm configurations.

- CASES go through gen_layer_golden's ``run_case`` (names, shapes, repr, initial values, output and
  gradients with fixed parameter values, running statistics) and ERRORS through its ``run_error``.
- A small network of both deformable layers, saved by MXNet's ``save_parameters``
  (tests/golden/contrib_cnn_net.params), with its input and output.
- contrib.data.IntervalSampler's orders, lengths and errors; the public names of every
  gluon.contrib subpackage.
- SparseEmbedding (whose row-sparse weight MXNet only serves once a Trainer exists): names, repr,
  output, the (dense view of the) row-sparse gradient and the weight after one SGD step.

- MXNet's files with sparse arrays: the SparseEmbedding's save_parameters (a row_sparse weight) and
  an nd.save of row_sparse and csr arrays.

Writes tests/golden/contrib_golden.json / .npz, contrib_cnn_net.params, contrib_sparse_embedding.params
and contrib_sparse_arrays.nd.
Run: .venv-oracle/bin/python tools/gen_contrib_golden.py
"""

import json
import os
import warnings

from _oracle import GOLDEN, real_mxnet

warnings.filterwarnings("ignore")
mx = real_mxnet()
import numpy as np  # noqa: E402
from gen_layer_golden import run_case, run_error  # noqa: E402
from mxnet.gluon import nn  # noqa: E402
from mxnet.gluon.contrib import cnn as ccnn  # noqa: E402
from mxnet.gluon.contrib import nn as cnn  # noqa: E402

from mxnet import autograd, gluon, init, nd  # noqa: E402

# (case id, program assigning `net`, input shape, options as in gen_layer_golden)
CASES = [
    ("dcn", "net = ccnn.DeformableConvolution(4, 3, padding=1)", (2, 3, 6, 6), {}),
    (
        "dcn_opts",
        "net = ccnn.DeformableConvolution(6, (3, 2), strides=(2, 1), padding=(1, 0), dilation=(1, 2), "
        "groups=3, num_deformable_group=3, in_channels=6, activation='relu')",
        (2, 6, 7, 8),
        {},
    ),
    (
        "dcn_nobias",
        "net = ccnn.DeformableConvolution(3, 3, strides=2, use_bias=False, offset_use_bias=False, "
        "weight_initializer='ones')",
        (1, 2, 7, 7),
        {},
    ),
    (
        "dcn_lists",
        "net = ccnn.DeformableConvolution(2, [3, 3], strides=[1, 1], padding=[1, 1], dilation=[1, 1])",
        (1, 2, 5, 5),
        {},
    ),
    ("dcn_1x1_pred", "net = ccnn.DeformableConvolution(3)", (2, 4, 4, 5), {"train": False}),
    # MXNet 1.9.1's CPU build has no ModulatedDeformableConvolution backward ("only implemented in
    # GPU"): forward only here; tests/test_gluon_contrib.py checks those gradients numerically
    ("mdcn", "net = ccnn.ModulatedDeformableConvolution(4, 3, padding=1)", (2, 3, 6, 6), {"no_grad": True}),
    (
        "mdcn_opts",
        "net = ccnn.ModulatedDeformableConvolution(6, 3, strides=(1, 2), padding=2, dilation=2, groups=3, "
        "num_deformable_group=3, in_channels=6, activation='tanh')",
        (2, 6, 7, 8),
        {"no_grad": True},
    ),
    (
        "mdcn_nobias",
        "net = ccnn.ModulatedDeformableConvolution(2, (2, 3), use_bias=False, offset_use_bias=False, "
        "offset_weight_initializer='ones', bias_initializer='ones')",
        (1, 3, 5, 6),
        {"no_grad": True},
    ),
    (
        "dcn_in_sequential",
        "net = nn.HybridSequential()\nwith net.name_scope():\n"
        "    net.add(nn.Conv2D(4, 3, padding=1), ccnn.DeformableConvolution(4, 3, padding=1),\n"
        "            ccnn.ModulatedDeformableConvolution(2, 1), nn.Dense(3))",
        (2, 3, 6, 6),
        {"no_grad": True},
    ),
    (
        "syncbatchnorm_opts",
        "net = cnn.SyncBatchNorm(num_devices=1, momentum=0.7, epsilon=1e-3, center=False, prefix='sbn_a_')",
        (3, 4, 5),
        {},
    ),
    # MXNet's operator keeps state per key (the prefix) for the whole process: a later layer with the same
    # key but another channel count fails, so these cases get their own prefixes
    (
        "syncbatchnorm_global",
        "net = cnn.SyncBatchNorm(num_devices=1, use_global_stats=True)",
        (2, 3, 4, 4),
        {},
    ),
    (
        "syncbatchnorm_pred",
        "net = cnn.SyncBatchNorm(num_devices=1, in_channels=2, prefix='sbn_b_')",
        (3, 2, 4),
        {"train": False, "no_grad": True},  # MXNet's backward in predict mode gives NaN gradients
    ),
]

# (bad constructor, input shape for a first use when MXNet accepts the constructor)
ERRORS = [
    ("ccnn.DeformableConvolution(4, 3, layout='NCW')", (1, 2, 5)),
    ("ccnn.ModulatedDeformableConvolution(4, 3, layout='NCDHW')", (1, 2, 5, 5, 5)),
    ("ccnn.DeformableConvolution(4, 3, layout='NHWC')", (1, 5, 5, 2)),
    ("ccnn.ModulatedDeformableConvolution(4, 3, groups=2, num_deformable_group=3)", (1, 6, 5, 5)),
    ("ccnn.DeformableConvolution(3, 3, groups=2)", (1, 2, 5, 5)),
    ("ccnn.DeformableConvolution(4, 3, num_deformable_group=3)", (1, 2, 5, 5)),
    ("ccnn.DeformableConvolution(4, 3, adj=(1, 1))", (1, 2, 5, 5)),
    ("ccnn.DeformableConvolution(4, (3,))", (1, 2, 5, 5)),
    ("ccnn.ModulatedDeformableConvolution(4, 3, in_channels=3, groups=2)", (1, 3, 5, 5)),
]

NET = (
    "net = nn.HybridSequential()\nwith net.name_scope():\n"
    "    net.add(ccnn.DeformableConvolution(4, 3, padding=1, in_channels=3),\n"
    "            ccnn.ModulatedDeformableConvolution(2, 3, padding=1, activation='relu'))"
)


def saved_net(env, arrays):
    """MXNet's save_parameters file of a deformable network, and the network's output."""
    rng = np.random.RandomState(7)
    mx.random.seed(7)
    with mx.name.NameManager():
        exec(NET, env)
    net = env["net"]
    net.initialize(init.Xavier())
    x = rng.uniform(-1, 1, (2, 3, 6, 7)).astype(np.float32)
    net(nd.array(x))
    for name, p in net.collect_params().items():  # offsets start at zero: give them values
        if "offset" in name:
            p.set_data(nd.array(rng.uniform(-0.3, 0.3, p.shape).astype(np.float32)))
    net.save_parameters(os.path.join(GOLDEN, "contrib_cnn_net.params"))
    arrays["net/x"] = x
    arrays["net/out"] = net(nd.array(x)).asnumpy()
    return {"program": NET, "structural": sorted(net._collect_params_with_prefix())}


def sparse_embedding(arrays):
    rng = np.random.RandomState(11)
    with mx.name.NameManager():
        net = cnn.SparseEmbedding(10, 3)
    rec = {
        "prefix": net.prefix,
        "params": [[k, list(p.shape)] for k, p in net.collect_params().items()],
        "repr": repr(net),
        "repr_float64": repr(cnn.SparseEmbedding(5, 2, dtype="float64")),
    }
    net.initialize()
    trainer = gluon.Trainer(net.collect_params(), "sgd", {"learning_rate": 0.5})
    weight = rng.uniform(-1, 1, (10, 3)).astype(np.float32)
    net.weight.set_data(nd.array(weight))
    x = np.array([[1, 2, 2, 9], [0, 9, 4, 4]], np.float32)
    head = rng.uniform(-1, 1, (2, 4, 3)).astype(np.float32)
    with autograd.record():
        out = net(nd.array(x))
    out.backward(nd.array(head))
    arrays["sparse/weight"] = weight
    arrays["sparse/x"] = x
    arrays["sparse/head"] = head
    arrays["sparse/out"] = out.asnumpy()
    arrays["sparse/grad"] = net.weight.grad().asnumpy()
    trainer.step(2)
    arrays["sparse/after"] = net.weight.row_sparse_data(nd.arange(10)).asnumpy()
    net.save_parameters(os.path.join(GOLDEN, "contrib_sparse_embedding.params"))  # a row_sparse weight
    rec["grad_stype"] = net.weight.grad().stype
    return rec


SAMPLERS = [(13, 3), (13, 3, False), (5, 1), (5, 5), (6, 4), (6, 4, False), (1, 1, False), (4, 10), (0, 2)]
SUBPACKAGES = ("nn", "cnn", "rnn", "data", "data.sampler", "data.text", "estimator")


def sparse_arrays(arrays):
    """nd.save of row_sparse and csr arrays (MXNet's sparse storage in its NDArray file format)."""
    rsp = nd.sparse.row_sparse_array(
        (np.array([[1, 2, 3], [4, 5, 6]], "float32"), np.array([1, 4])), shape=(6, 3)
    )
    csr = nd.sparse.csr_matrix(
        (np.array([1.5, 2, 3], "float64"), np.array([0, 2, 1]), np.array([0, 2, 2, 3])), shape=(3, 3)
    )
    saved = {
        "rsp": rsp,
        "csr": csr,
        "rsp_empty": nd.sparse.zeros("row_sparse", (4, 2)),
        "dense": nd.ones((2,)),
    }
    nd.save(os.path.join(GOLDEN, "contrib_sparse_arrays.nd"), saved)
    for name, value in saved.items():
        arrays[f"sparse_arrays/{name}"] = value.asnumpy()


def interval_sampler():
    from mxnet.gluon.contrib.data import IntervalSampler

    out = []
    for args in SAMPLERS:
        try:
            sampler = IntervalSampler(*args)
            out.append({"args": list(args), "order": list(sampler), "len": len(sampler)})
        except AssertionError as err:
            out.append({"args": list(args), "error": "AssertionError", "message": str(err)})
    return out


def public_names():
    """The public names of each gluon.contrib subpackage (modules included)."""
    import importlib

    names = {}
    for sub in SUBPACKAGES:
        module = importlib.import_module("mxnet.gluon.contrib." + sub)
        names[sub] = sorted(n for n in dir(module) if not n.startswith("_"))
    return names


def main():
    env = {"mx": mx, "nd": nd, "nn": nn, "cnn": cnn, "ccnn": ccnn, "init": init, "np": np}
    arrays, cases = {}, {}
    for cid, program, shape, opts in CASES:
        print("case", cid, flush=True)
        cases[cid] = run_case(cid, program, shape, opts, env, arrays)
    errors = [dict(run_error(c, s, env), shape=list(s)) for c, s in ERRORS]
    record = {
        "mxnet": mx.__version__,
        "cases": cases,
        "errors": errors,
        "net": saved_net(env, arrays),
        "sparse_embedding": sparse_embedding(arrays),
        "interval_sampler": interval_sampler(),
        "sparse_arrays": sparse_arrays(arrays),
        "public_names": public_names(),
    }
    with open(os.path.join(GOLDEN, "contrib_golden.json"), "w") as f:
        json.dump(record, f, indent=1)
    np.savez_compressed(os.path.join(GOLDEN, "contrib_golden.npz"), **arrays)
    print(f"wrote {len(cases)} contrib cases, {len(errors)} error cases, {len(arrays)} arrays")


if __name__ == "__main__":
    main()
