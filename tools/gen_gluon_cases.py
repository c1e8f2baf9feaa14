"""Golden Gluon behaviour from MXNet 1.9.1: parameter names, shapes, reprs and error types.

Each case is a small program (run in a fresh process state via a reset of the name counters is
not possible in MXNet, so cases run in order in one process, exactly as the test does). The last
line is an expression whose repr is recorded, or the error type it raises.
Writes tests/golden/gluon_cases.json.
"""

import json
import os
import warnings

from _oracle import GOLDEN, real_mxnet

warnings.filterwarnings("ignore")
mx = real_mxnet()
import numpy as np  # noqa: E402
from mxnet.gluon import nn  # noqa: E402

from mxnet import autograd, gluon, init, nd  # noqa: E402

CASES = [
    ("net = nn.Sequential()\nnet.add(nn.Dense(1))", "sorted(net.collect_params().keys())"),
    ("", "net.prefix, net[0].prefix, net[0].name"),
    ("", "[(k, v.shape) for k, v in net.collect_params().items()]"),
    ("net.initialize(init.Normal(sigma=0.01))\nnet(nd.ones((4, 2)))", "net[0].weight.shape"),
    ("", "net[0].bias.data()"),
    ("", "net"),
    ("", "net.collect_params()"),
    ("", "net[0].weight"),
    ("d = nn.Dense(3, in_units=4, activation='relu')", "(d.prefix, d.act.prefix, d)"),
    ("", "sorted(d.collect_params().keys())"),
    (
        "h = nn.HybridSequential()\nwith h.name_scope():\n    h.add(nn.Dense(5, activation='tanh'), nn.Dense(2))",
        "sorted(h.collect_params().keys())",
    ),
    ("", "h"),
    (
        "h2 = nn.HybridSequential(prefix='model_')\nwith h2.name_scope():\n    h2.add(nn.Dense(2), nn.Dense(2))",
        "sorted(h2.collect_params().keys())",
    ),
    ("", "sorted(h2.collect_params('.*bias').keys())"),
    ("shared = nn.Dense(2, params=h2[0].collect_params())", "sorted(shared.collect_params().keys())"),
    ("", "shared.weight is h2[0].weight"),
    ("nn.Dense(7)", "nn.Dense(7).prefix"),
    ("", "len(h), type(h[0:1]).__name__, len(h[0:1])"),
    ("p = gluon.Parameter('w', shape=(2, 3))", "p"),
    ("", "p.data()"),
    ("q = nn.Dense(4)\nq.initialize()", "q.weight.data()"),
    ("", "q.weight.list_ctx()"),
    ("q(nd.ones((2, 3)))", "q(nd.ones((2, 5)))"),
    ("pd = gluon.ParameterDict('pre_')\nw = pd.get('weight', shape=(2, 2))", "(w.name, list(pd.keys()))"),
    ("", "pd.get('weight') is w"),
    ("c = nn.Dense(2, in_units=3)\nc.initialize(init.One())", "c.weight.data()"),
    ("", "c.bias.data()"),
    (
        "c2 = nn.Dense(2, in_units=3, bias_initializer='ones', weight_initializer=init.Constant(0.5))\n"
        "c2.initialize(init.Zero())",
        "(c2.weight.data(), c2.bias.data())",
    ),
    ("c.initialize(init.Zero())", "c.weight.data()"),
    ("c.initialize(init.Zero(), force_reinit=True)", "c.weight.data()"),
    ("c.collect_params().setattr('lr_mult', 0.5)", "(c.weight.lr_mult, c.bias.lr_mult)"),
    ("c.weight.set_data(nd.ones((2, 3)) * 3)", "c(nd.ones((1, 3)))"),
    ("", "c.weight.set_data(nd.ones((3, 3)))"),
    ("", "init.Xavier().dumps()"),
    ("x = nd.ones((2, 3))\nc.weight.grad_req = 'null'", "c.weight.grad()"),
    ("loss = gluon.loss.L2Loss()", "loss(nd.array([[1.0], [2.0], [4.0]]), nd.array([0.0, 1.0, 1.0]))"),
    ("", "loss(nd.ones((2, 3)), nd.zeros((2, 3)), nd.array([[1.0], [0.5]]))"),
    ("", "gluon.loss.L1Loss()(nd.array([[1.0, -3.0]]), nd.zeros((1, 2)))"),
    ("", "gluon.loss.L2Loss(weight=4.0, batch_axis=1)(nd.ones((2, 3)), nd.zeros((2, 3)))"),
    ("", "loss"),
    ("t = gluon.Trainer(c.collect_params(), 'sgd', {'learning_rate': 0.1})", "t.learning_rate"),
    ("t.set_learning_rate(0.5)", "t.learning_rate"),
    ("", "gluon.Trainer([1, 2], 'sgd')"),
    ("", "gluon.Trainer(c.collect_params(), 'nosuchopt')"),
    (
        "e = nn.Dense(2, in_units=2)\ne.initialize()\nte = gluon.Trainer(e.collect_params(), 'sgd')",
        "te.step(1)",
    ),
    ("", "nn.Activation('relu')"),
    ("s = nn.Sequential()\nwith s.name_scope():\n    s.add(nn.Dense(3), nn.Activation('sigmoid'))", "s"),
]


def run(setup, expr, env):
    try:
        exec(setup, env)
    except Exception as err:  # noqa: BLE001
        return {"setup": setup, "expr": expr, "setup_error": type(err).__name__}
    try:
        value = eval(expr, env)
        return {"setup": setup, "expr": expr, "repr": repr(value)}
    except Exception as err:  # noqa: BLE001 - the error type is the golden value
        kind = type(err).__name__
        if kind == "DeferredInitializationError":
            kind = "DeferredInitializationError"
        return {"setup": setup, "expr": expr, "error": kind, "message": str(err)[:300]}


def main():
    env = {"mx": mx, "nd": nd, "np": np, "gluon": gluon, "nn": nn, "init": init, "autograd": autograd}
    out = [run(s, e, env) for s, e in CASES]
    path = os.path.join(GOLDEN, "gluon_cases.json")
    with open(path, "w") as f:
        json.dump({"mxnet": mx.__version__, "cases": out}, f, indent=1, ensure_ascii=False)
    print(f"wrote {len(out)} cases to {path}")


if __name__ == "__main__":
    main()
