"""Record MXNet 1.9.1's gluon.utils behaviour and the book's multi-device training pattern.

Run under the oracle venv: ``.venv-oracle/bin/python tools/gen_utils_golden.py``. Writes
tests/golden/utils_golden.npz: split_data / split_and_load shapes, clip_global_norm results, and
three steps of the book's concise multi-GPU chapter (split_and_load over two contexts, a loss per
context, Trainer summing their gradients) run on mx.cpu(0) and mx.cpu(1).
"""

import os

import numpy as np
from _oracle import GOLDEN, real_mxnet

mx = real_mxnet()
from mxnet.gluon import loss as gloss  # noqa: E402
from mxnet.gluon import nn  # noqa: E402

from mxnet import autograd, gluon, init, nd  # noqa: E402

SPLITS = [((5, 2), 2, 0), ((5, 2), 3, 0), ((5, 2), 4, 0), ((5, 2), 6, 0), ((2, 6), 4, 1), ((6, 3), 3, 0)]


def multi_device(out):
    ctx = [mx.cpu(0), mx.cpu(1)]
    rs = np.random.RandomState(0)
    X = rs.uniform(-1, 1, (8, 1, 6, 6)).astype("float32")
    Y = rs.randint(0, 3, 8).astype("float32")
    out["md/X"], out["md/Y"] = X, Y
    with mx.name.NameManager():
        net = nn.Sequential()
        net.add(nn.Conv2D(4, 3, activation="relu"), nn.BatchNorm(), nn.Dense(3))
    net.initialize(init.Constant(0.05), ctx=ctx)
    net(nd.array(X[:2], ctx=ctx[0]))
    trainer = gluon.Trainer(net.collect_params(), "sgd", {"learning_rate": 0.1})
    loss = gloss.SoftmaxCrossEntropyLoss()
    losses = []
    for _ in range(3):
        gpu_Xs = gluon.utils.split_and_load(nd.array(X), ctx)
        gpu_ys = gluon.utils.split_and_load(nd.array(Y), ctx)
        with autograd.record():
            ls = [loss(net(gX), gy) for gX, gy in zip(gpu_Xs, gpu_ys)]
        for l in ls:
            l.backward()
        trainer.step(8)
        losses.append([l.asnumpy() for l in ls])
    out["md/losses"] = np.array(losses)
    for name, p in net._collect_params_with_prefix().items():
        for i, c in enumerate(ctx):
            out[f"md/param/{name}/{i}"] = p.data(c).asnumpy()


def main():
    out = {}
    for shape, n, axis in SPLITS:
        x = nd.arange(int(np.prod(shape))).reshape(shape)
        parts = gluon.utils.split_data(x, n, batch_axis=axis, even_split=False)
        out[f"split/{shape}/{n}/{axis}"] = np.array([p.shape[axis] for p in parts])
    for max_norm in (6.5, 20.0):
        arrays = [nd.array([3.0, 4.0]), nd.array([[12.0]])]
        norm = gluon.utils.clip_global_norm(arrays, max_norm)
        out[f"clip/{max_norm}/norm"] = np.array(norm)
        out[f"clip/{max_norm}/a0"] = arrays[0].asnumpy()
        out[f"clip/{max_norm}/a1"] = arrays[1].asnumpy()
    arrays = [nd.array([np.inf, 1.0])]
    out["clip/inf/norm"] = np.array(gluon.utils.clip_global_norm(arrays, 1.0))
    out["clip/inf/a0"] = arrays[0].asnumpy()
    multi_device(out)
    path = os.path.join(GOLDEN, "utils_golden.npz")
    np.savez(path, **out)
    print("wrote", path)


if __name__ == "__main__":
    main()
