"""Golden training trajectories of the seed (concise linear regression) under MXNet 1.9.1.

Same data, same initial weights and NumPy-seeded shuffling as the test uses; records the batch
order MXNet's DataLoader produced, every step's per-sample losses, the epoch losses and the
final parameters. A second run uses SGD with momentum, weight decay and gradient clipping to pin
MXNet's exact update rule. Writes tests/golden/seed_linreg.npz.
"""

import os
import warnings

from _oracle import GOLDEN, real_mxnet

warnings.filterwarnings("ignore")
mx = real_mxnet()
import numpy as np  # noqa: E402
from mxnet.gluon import data as gdata  # noqa: E402
from mxnet.gluon import loss as gloss  # noqa: E402
from mxnet.gluon import nn  # noqa: E402

from mxnet import autograd, gluon, init, nd  # noqa: E402

SHUFFLE_SEED = 42


def make_data():
    rng = np.random.RandomState(1234)
    features = rng.normal(size=(1000, 2)).astype(np.float32)
    labels = (2 * features[:, 0] - 3.4 * features[:, 1] + 4.2).astype(np.float32)
    labels += rng.normal(scale=0.01, size=labels.shape).astype(np.float32)
    w0 = rng.normal(scale=0.01, size=(1, 2)).astype(np.float32)
    b0 = np.zeros((1,), np.float32)
    return features, labels, w0, b0


def train(features, labels, w0, b0, optimizer_params, epochs):
    f, l_ = nd.array(features), nd.array(labels)
    data_iter = gdata.DataLoader(gdata.ArrayDataset(f, l_), 10, shuffle=True)
    net = nn.Sequential()
    net.add(nn.Dense(1))
    net.initialize(init.Normal(sigma=0.01))
    net(f[:1])
    net[0].weight.set_data(nd.array(w0))
    net[0].bias.set_data(nd.array(b0))
    loss = gloss.L2Loss()
    trainer = gluon.Trainer(net.collect_params(), "sgd", optimizer_params)
    np.random.seed(SHUFFLE_SEED)
    step_losses, first_batches, epoch_losses, weights = [], [], [], []
    for _ in range(epochs):
        for i, (X, y) in enumerate(data_iter):
            if i == 0:
                first_batches.append(X.asnumpy())
            with autograd.record():
                l = loss(net(X), y)
            l.backward()
            trainer.step(10)
            step_losses.append(l.asnumpy())
            weights.append(
                np.concatenate([net[0].weight.data().asnumpy().ravel(), net[0].bias.data().asnumpy()])
            )
        epoch_losses.append(loss(net(f), l_).mean().asnumpy()[0])
    return dict(
        step_losses=np.stack(step_losses),
        first_batches=np.stack(first_batches),
        epoch_losses=np.array(epoch_losses),
        weights=np.stack(weights),
    )


def main():
    features, labels, w0, b0 = make_data()
    plain = train(features, labels, w0, b0, {"learning_rate": 0.03}, 3)
    mom = train(
        features,
        labels,
        w0,
        b0,
        {"learning_rate": 0.01, "momentum": 0.9, "wd": 0.001, "clip_gradient": 0.5},
        1,
    )
    path = os.path.join(GOLDEN, "seed_linreg.npz")
    np.savez_compressed(
        path,
        features=features,
        labels=labels,
        w0=w0,
        b0=b0,
        shuffle_seed=SHUFFLE_SEED,
        **{k: v for k, v in plain.items()},
        **{"mom_" + k: v for k, v in mom.items()},
    )
    print("wrote", path, "epoch losses", plain["epoch_losses"], "final", plain["weights"][-1])


if __name__ == "__main__":
    main()
