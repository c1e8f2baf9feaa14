"""``autograd.Function`` programs, written once against the ``mxnet`` API and run both under real
MXNet 1.9.1 (tools/gen_autograd_function_golden.py) and under regluon (tests/test_autograd_function.py).

Each program takes a NumPy RandomState and returns a dict of NumPy arrays (inputs, outputs, gradients).
"""

import numpy as np

import mxnet as mx
from mxnet import autograd, gluon, nd


class Sigmoid(autograd.Function):
    def forward(self, x):
        y = 1 / (1 + nd.exp(-x))
        self.save_for_backward(y)
        return y

    def backward(self, dy):
        (y,) = self.saved_tensors
        return dy * y * (1 - y)


class ProdSin(autograd.Function):
    """(a, b) -> (a * b, sin(a) + b)."""

    def forward(self, a, b):
        self.save_for_backward(a, b)
        return a * b, nd.sin(a) + b

    def backward(self, dp, ds):
        a, b = self.saved_tensors
        return dp * b + ds * nd.cos(a), dp * a + ds


class NumpyCube(autograd.Function):
    """x ** 3 computed in NumPy and brought back, as MXNet's documentation allows."""

    def forward(self, x):
        self.save_for_backward(x)
        return nd.array(x.asnumpy() ** 3)

    def backward(self, dy):
        (x,) = self.saved_tensors
        return nd.array(3 * x.asnumpy() ** 2) * dy


class ScaledTanh(autograd.Function):
    """1.7159 * tanh(2x / 3)."""

    def forward(self, x):
        t = nd.tanh(x * (2.0 / 3))
        self.save_for_backward(t)
        return 1.7159 * t

    def backward(self, dy):
        (t,) = self.saved_tensors
        return dy * 1.7159 * (2.0 / 3) * (1 - t * t)


def sigmoid_case(rs):
    x_np = rs.uniform(-3, 3, (4, 5)).astype("float32")
    head = rs.uniform(-1, 1, (4, 5)).astype("float32")
    x = nd.array(x_np)
    x.attach_grad()
    with autograd.record():
        y = Sigmoid()(x)
    y.backward(nd.array(head))
    return {"x": x_np, "head": head, "y": y.asnumpy(), "dx": x.grad.asnumpy()}


def pair_case(rs):
    a_np = rs.uniform(-2, 2, (3, 4)).astype("float32")
    b_np = rs.uniform(-2, 2, (3, 4)).astype("float32")
    a, b = nd.array(a_np), nd.array(b_np)
    a.attach_grad()
    b.attach_grad()
    with autograd.record():
        p, s = ProdSin()(a, b)
        loss = (p * 2 + s * s).sum()
    loss.backward()
    res = {"a": a_np, "b": b_np, "p": p.asnumpy(), "s": s.asnumpy()}
    res.update({"da": a.grad.asnumpy(), "db": b.grad.asnumpy()})
    with autograd.record():
        p, _s = ProdSin()(a, b)  # the second output does not reach the loss: its gradient is zero
        loss = (p * 3).sum()
    loss.backward()
    res.update({"da_first_only": a.grad.asnumpy(), "db_first_only": b.grad.asnumpy()})
    return res


def numpy_case(rs):
    x_np = rs.uniform(-2, 2, (6,)).astype("float32")
    x = nd.array(x_np)
    x.attach_grad()
    with autograd.record():
        y = NumpyCube()(x)
        z = (y * x).sum()
    z.backward()
    res = {"x": x_np, "y": y.asnumpy(), "dx": x.grad.asnumpy()}
    x2 = nd.array(x_np)
    x2.attach_grad()
    with autograd.record():
        y2 = NumpyCube()(x2)
    (g,) = autograd.grad(y2, [x2], head_grads=nd.ones((6,)) * 0.5)
    res["grad_api"] = g.asnumpy()
    return res


class Net(gluon.HybridBlock):
    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        with self.name_scope():
            self.dense = gluon.nn.Dense(3, in_units=4)

    def hybrid_forward(self, F, x):
        return ScaledTanh()(self.dense(x))


def block_case(rs):
    """A Function inside a Gluon block's hybrid_forward (imperative), trained for two SGD steps."""
    x_np = rs.uniform(-1, 1, (5, 4)).astype("float32")
    w_np = rs.uniform(-0.5, 0.5, (3, 4)).astype("float32")
    net = Net()
    net.initialize()
    net.dense.weight.set_data(nd.array(w_np))
    net.dense.bias.set_data(nd.array([0.1, -0.2, 0.3]))
    trainer = gluon.Trainer(net.collect_params(), "sgd", {"learning_rate": 0.5})
    res = {"x": x_np, "w": w_np}
    for step in range(2):
        with autograd.record():
            y = net(nd.array(x_np))
            loss = (y * y).sum()
        loss.backward()
        res[f"y{step}"] = y.asnumpy()
        res[f"dw{step}"] = net.dense.weight.grad().asnumpy()
        trainer.step(5)
    res["w_final"] = net.dense.weight.data().asnumpy()
    res["b_final"] = net.dense.bias.data().asnumpy()
    return res


PROGRAMS = {"sigmoid": sigmoid_case, "pair": pair_case, "numpy": numpy_case, "block": block_case}


def run_all(seed: int = 7) -> dict:
    """Every program, in a fixed order from one seed; keys are ``program/name``."""
    rs = np.random.RandomState(seed)
    out = {}
    for name, prog in PROGRAMS.items():
        with mx.name.NameManager():
            for key, val in prog(rs).items():
                out[f"{name}/{key}"] = np.asarray(val)
    return out
