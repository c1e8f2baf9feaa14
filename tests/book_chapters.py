"""The d2l-zh book's softmax-regression and MLP chapters, on the 8x8 digits that scikit-learn ships.

The code is the book's (MXNet edition, chapters 3.6, 3.7, 3.9 and 3.10: ``evaluate_accuracy``,
``train_ch3``, the from-scratch and concise models), written once and run both under real MXNet
1.9.1 (tools/gen_chapter_golden.py, oracle venv) and under regluon (tests/test_book_chapters.py).
Only the ``mxnet`` API is used here. What differs from the book is made deterministic: the data
set (scikit-learn's digits file, read with NumPy; Fashion-MNIST needs a download), the initial
parameters (drawn from a seeded ``np.random.RandomState`` and put in with ``set_data`` /
``nd.array``) and the batch order (``DataLoader(shuffle=True)`` driven by ``np.random.seed``).
"""

import gzip
import importlib.util
import os

import numpy as np
from mxnet.gluon import data as gdata
from mxnet.gluon import loss as gloss
from mxnet.gluon import nn

from mxnet import autograd, gluon, init, nd

N_TRAIN, BATCH_SIZE, NUM_EPOCHS, SHUFFLE_SEED, PARAM_SEED = 1400, 64, 5, 17, 3
NUM_INPUTS, NUM_OUTPUTS, NUM_HIDDENS = 64, 10, 256


def digits_file() -> str:
    """Path of scikit-learn's ``digits.csv.gz`` (found without importing scikit-learn)."""
    spec = importlib.util.find_spec("sklearn")
    if spec is None or not spec.submodule_search_locations:
        raise RuntimeError(
            "the book-chapter check needs scikit-learn's digits file: pip install scikit-learn"
        )
    return os.path.join(list(spec.submodule_search_locations)[0], "datasets", "data", "digits.csv.gz")


def load_digits() -> tuple[np.ndarray, np.ndarray]:
    """1797 images 1x8x8 scaled to [0, 1] (float32) and their labels (int32), in file order."""
    with gzip.open(digits_file(), "rt") as f:
        table = np.loadtxt(f, delimiter=",", dtype=np.float64)
    images = (table[:, :-1] / 16.0).astype(np.float32).reshape(-1, 1, 8, 8)
    return images, table[:, -1].astype(np.int32)


def load_data_digits(batch_size):
    """The book's ``load_data_fashion_mnist`` for digits: a shuffled train and a fixed test loader."""
    images, labels = load_digits()
    train = gdata.ArrayDataset(nd.array(images[:N_TRAIN]), labels[:N_TRAIN])
    test = gdata.ArrayDataset(nd.array(images[N_TRAIN:]), labels[N_TRAIN:])
    return gdata.DataLoader(train, batch_size, shuffle=True), gdata.DataLoader(
        test, batch_size, shuffle=False
    )


def evaluate_accuracy(data_iter, net):
    acc_sum, n = 0.0, 0
    for X, y in data_iter:
        y = y.astype("float32")
        acc_sum += (net(X).argmax(axis=1) == y).sum().asscalar()
        n += y.size
    return acc_sum / n


def sgd(params, lr, batch_size):
    for param in params:
        param[:] = param - lr * param.grad / batch_size


def train_ch3(net, train_iter, test_iter, loss, num_epochs, batch_size, params=None, lr=None, trainer=None):
    """The book's loop; returns per epoch (train loss, train acc, test acc) and the label order seen."""
    history, order = [], []
    for _ in range(num_epochs):
        train_l_sum, train_acc_sum, n = 0.0, 0.0, 0
        for X, y in train_iter:
            with autograd.record():
                y_hat = net(X)
                l = loss(y_hat, y).sum()
            l.backward()
            if trainer is None:
                sgd(params, lr, batch_size)
            else:
                trainer.step(batch_size)
            order.append(y.asnumpy())
            y = y.astype("float32")
            train_l_sum += l.asscalar()
            train_acc_sum += (y_hat.argmax(axis=1) == y).sum().asscalar()
            n += y.size
        test_acc = evaluate_accuracy(test_iter, net)
        history.append((train_l_sum / n, train_acc_sum / n, test_acc))
    return np.array(history), np.concatenate(order)


def _normal(rs, shape):
    return rs.normal(scale=0.01, size=shape).astype(np.float32)


def softmax_scratch(rs):
    """Chapter 3.6: softmax regression from scratch."""
    W = nd.array(_normal(rs, (NUM_INPUTS, NUM_OUTPUTS)))
    b = nd.zeros(NUM_OUTPUTS)
    W.attach_grad()
    b.attach_grad()

    def softmax(X):
        X_exp = X.exp()
        partition = X_exp.sum(axis=1, keepdims=True)
        return X_exp / partition

    def net(X):
        return softmax(nd.dot(X.reshape((-1, NUM_INPUTS)), W) + b)

    def cross_entropy(y_hat, y):
        return -nd.pick(y_hat, y).log()

    return dict(net=net, loss=cross_entropy, params=[W, b], lr=0.1)


def softmax_concise(rs):
    """Chapter 3.7: concise softmax regression."""
    net = nn.Sequential()
    net.add(nn.Dense(NUM_OUTPUTS))
    net.initialize(init.Normal(sigma=0.01))
    _set_initial(net, rs)
    loss = gloss.SoftmaxCrossEntropyLoss()
    trainer = gluon.Trainer(net.collect_params(), "sgd", {"learning_rate": 0.1})
    return dict(net=net, loss=loss, trainer=trainer)


def mlp_scratch(rs):
    """Chapter 3.9: multilayer perceptron from scratch."""
    W1 = nd.array(_normal(rs, (NUM_INPUTS, NUM_HIDDENS)))
    b1 = nd.zeros(NUM_HIDDENS)
    W2 = nd.array(_normal(rs, (NUM_HIDDENS, NUM_OUTPUTS)))
    b2 = nd.zeros(NUM_OUTPUTS)
    params = [W1, b1, W2, b2]
    for param in params:
        param.attach_grad()

    def relu(X):
        return nd.maximum(X, 0)

    def net(X):
        X = X.reshape((-1, NUM_INPUTS))
        H = relu(nd.dot(X, W1) + b1)
        return nd.dot(H, W2) + b2

    return dict(net=net, loss=gloss.SoftmaxCrossEntropyLoss(), params=params, lr=0.5)


def mlp_concise(rs):
    """Chapter 3.10: concise multilayer perceptron."""
    net = nn.Sequential()
    net.add(nn.Dense(NUM_HIDDENS, activation="relu"), nn.Dense(NUM_OUTPUTS))
    net.initialize(init.Normal(sigma=0.01))
    _set_initial(net, rs)
    loss = gloss.SoftmaxCrossEntropyLoss()
    trainer = gluon.Trainer(net.collect_params(), "sgd", {"learning_rate": 0.5})
    return dict(net=net, loss=loss, trainer=trainer)


def _set_initial(net, rs):
    """Run the deferred initialisation, then put seeded weights (zero biases) in place."""
    net(nd.zeros((1, 1, 8, 8)))
    for name, param in net.collect_params().items():
        shape = param.shape
        param.set_data(nd.zeros(shape) if name.endswith("bias") else nd.array(_normal(rs, shape)))


CHAPTERS = {
    "softmax_scratch": softmax_scratch,
    "softmax_concise": softmax_concise,
    "mlp_scratch": mlp_scratch,
    "mlp_concise": mlp_concise,
}


def run_chapter(name):
    """Train one chapter from its fixed start; returns (history, label order, final parameters)."""
    train_iter, test_iter = load_data_digits(BATCH_SIZE)
    parts = CHAPTERS[name](np.random.RandomState(PARAM_SEED))
    np.random.seed(SHUFFLE_SEED)
    history, order = train_ch3(
        parts["net"],
        train_iter,
        test_iter,
        parts["loss"],
        NUM_EPOCHS,
        BATCH_SIZE,
        parts.get("params"),
        parts.get("lr"),
        parts.get("trainer"),
    )
    if "params" in parts:
        final = [p.asnumpy() for p in parts["params"]]
    else:
        final = [p.data().asnumpy() for p in parts["net"].collect_params().values()]
    return history, order, final


# ---------------------------------------------------------------- the book's own data set
FASHION_DEBIAN = "/usr/share/datasets/fashion-mnist"  # Debian's dataset-fashion-mnist package
FASHION_FILES = (
    "train-images-idx3-ubyte.gz",
    "train-labels-idx1-ubyte.gz",
    "t10k-images-idx3-ubyte.gz",
    "t10k-labels-idx1-ubyte.gz",
)
FASHION_EPOCHS, FASHION_BATCH = 2, 256


def fashion_softmax_concise(train_set, test_set):
    """Chapter 3.7 as the book runs it on Fashion-MNIST: ``transform_first(ToTensor())``, batch 256,
    ``Dense(10)``, SoftmaxCrossEntropyLoss, sgd 0.1; seeded initial weights and batch order.

    ``train_set``/``test_set`` yield (uint8 image 28x28x1, label) as ``vision.FashionMNIST`` does.
    Returns the per-epoch (train loss, train acc, test acc).
    """
    transformer = gdata.vision.transforms.ToTensor()
    train_iter = gdata.DataLoader(train_set.transform_first(transformer), FASHION_BATCH, shuffle=True)
    test_iter = gdata.DataLoader(test_set.transform_first(transformer), FASHION_BATCH, shuffle=False)
    net = nn.Sequential()
    net.add(nn.Dense(10))
    net.initialize(init.Normal(sigma=0.01))
    net(nd.zeros((1, 1, 28, 28)))
    rs = np.random.RandomState(PARAM_SEED)
    net[0].weight.set_data(nd.array(_normal(rs, (10, 784))))
    loss = gloss.SoftmaxCrossEntropyLoss()
    trainer = gluon.Trainer(net.collect_params(), "sgd", {"learning_rate": 0.1})
    np.random.seed(SHUFFLE_SEED)
    history, _ = train_ch3(net, train_iter, test_iter, loss, FASHION_EPOCHS, FASHION_BATCH, trainer=trainer)
    return history
