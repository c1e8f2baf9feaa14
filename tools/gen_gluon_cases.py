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
    # ---- Block / Parameter API (issue 4)
    (
        "class Net(gluon.Block):\n"
        "    def __init__(self, **kw):\n"
        "        super().__init__(**kw)\n"
        "        with self.name_scope():\n"
        "            self.body = nn.HybridSequential()\n"
        "            with self.body.name_scope():\n"
        "                self.body.add(nn.Dense(4), nn.Dense(3))\n"
        "            self.out = nn.Dense(2)\n"
        "    def forward(self, x):\n"
        "        return self.out(self.body(x))\n"
        "net2 = Net()",
        "(net2.prefix, net2.body.prefix, net2.body[1].prefix, net2.out.name)",
    ),
    ("", "list(net2.collect_params().keys())"),
    ("", "net2"),
    ("", "list(net2._collect_params_with_prefix().keys())"),
    ("", "net2.collect_params().prefix, net2.params.prefix, list(net2.params.keys())"),
    ("net2.initialize()", "net2.out.weight.data()"),
    ("", "net2.body[0].weight.list_ctx()"),
    ("y2 = net2(nd.ones((2, 5)))", "[(k, v.shape) for k, v in net2.collect_params().items()]"),
    ("", "net2.body[0].weight.data().shape, net2.body[0].weight.grad().shape"),
    ("net3 = Net(prefix='mynet_')", "list(net3.collect_params().keys())"),
    ("net4 = Net(prefix='')", "list(net4.collect_params().keys())"),
    ("net5 = Net(params=net2.collect_params())", "list(net5.collect_params().keys())"),
    ("", "net5.out.weight is net2.out.weight"),
    ("pd2 = gluon.ParameterDict('a_')", "pd2"),
    ("c0 = pd2.get_constant('c', [[1, 2], [3, 4]])", "(c0, c0.grad_req)"),
    ("pd2.initialize()", "pd2.get_constant('c').data()"),
    ("", "pd2.get_constant('nope')"),
    ("w2 = pd2.get('w', shape=(2, 3), lr_mult=2.0)", "pd2"),
    ("", "pd2.get('w', lr_mult=3.0)"),
    ("", "pd2.get('w', shape=(2, 4))"),
    ("", "pd2.get('w', shape=(2, 0)).shape"),
    ("pd3 = gluon.ParameterDict('a_')\npd3.get('w', shape=(1,))", "pd2.update(pd3)"),
    ("", "w2.data()"),
    ("w2.initialize()", "w2.data().shape, w2.grad_req, w2.lr_mult, w2.wd_mult"),
    ("w2.grad_req = 'add'", "w2.grad_req"),
    ("", "w2.list_grad()[0].shape"),
    ("", "gluon.Parameter('v', grad_req='nope')"),
    ("dd = nn.Dense(3)\ndd.initialize()", "dd.weight.data()"),
    ("", "dd.weight.shape, dd.weight._deferred_init != ()"),
    ("", "dd(nd.ones((2, 4))).shape, dd.weight.shape"),
    ("nd0 = nn.Dense(3, in_units=4)", "nd0.weight.data()"),
    ("nd1 = nn.Dense(3, in_units=4)\nnd1.initialize(ctx=[mx.cpu(0), mx.cpu(1)])", "nd1.weight.list_ctx()"),
    ("", "nd1.weight.data(mx.cpu(2))"),
    ("", "len(nd1.weight.list_data()), nd1.weight.data(mx.cpu(1)).context"),
    ("nd1.collect_params().reset_ctx(mx.cpu(3))", "nd1.weight.list_ctx(), nd1.weight.data().context"),
    ("nd1.cast('float64')", "nd1.weight.data().dtype, nd1.weight.dtype, nd1.weight.grad().dtype"),
    ("", "nd1(nd.ones((1, 4), dtype='float64', ctx=mx.cpu(3))).dtype"),
    (
        "seen = []\nnd2 = nn.Dense(2, in_units=2)\nnd2.initialize()",
        "nd2.apply(lambda b: seen.append(b.name)) is nd2, seen",
    ),
    (
        "calls = []\nhk1 = nd2.register_forward_pre_hook(lambda b, i: calls.append(('pre', b.name, len(i))))\n"
        "hk2 = nd2.register_forward_hook(lambda b, i, o: calls.append(('post', b.name, o.shape)))\nnd2(nd.ones((1, 2)))",
        "calls",
    ),
    ("hk1.detach()\nnd2(nd.ones((1, 2)))", "calls"),
    (
        "class Fwd(gluon.HybridBlock):\n"
        "    def __init__(self, **kw):\n"
        "        super().__init__(**kw)\n"
        "        with self.name_scope():\n"
        "            self.w = self.params.get('w', shape=(1, 3), init=init.One())\n"
        "    def hybrid_forward(self, F, x, w):\n"
        "        return F.broadcast_mul(x, w)\n"
        "fw = Fwd()\nfw.initialize()",
        "(fw.prefix, list(fw.collect_params().keys()), fw(nd.ones((2, 3)) * 2))",
    ),
    ("fw.hybridize(static_alloc=True, static_shape=True)", "fw(nd.ones((2, 3)) * 3)"),
    ("", "fw(nd.ones((2, 4)))"),
    ("", "list(fw._collect_params_with_prefix().keys())"),
    ("r = nn.HybridSequential()\nr.add(nn.Dense(2), nn.Dense(3))", "r[1], r[-1].name, len(r[:1])"),
    ("", "[b.name for b in r]"),
    (
        "sq = nn.Sequential()\nsq.register_child(nn.Dense(2))\nsq.register_child(nn.Dense(2), 'extra')",
        "list(sq._children.keys())",
    ),
    ("", "nn.Dense(2).weight.data()"),
    ("zz = nn.Dense(2, in_units=2)\nzz.initialize()\nzz.weight.grad_req = 'add'", "zz.weight.grad()"),
    (
        "xx = nd.ones((1, 2))\nfor _ in range(2):\n    with autograd.record():\n        zz(xx).sum().backward()",
        "zz.weight.grad()",
    ),
    ("zz.collect_params().zero_grad()", "zz.weight.grad()"),
    ("zz.weight.grad_req = 'null'", "zz.weight.grad()"),
    ("", "gluon.Parameter('q', shape=(2,)).data()"),
    ("", "nn.Dense(2).collect_params().list_ctx()"),
    ("ic = nn.Dense(2, in_units=3)\nic.initialize()", "ic.collect_params().list_ctx()"),
    ("", "ic.weight.row_sparse_data(nd.array([0]))"),
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
