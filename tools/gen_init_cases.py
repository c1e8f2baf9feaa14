"""Golden initializer behaviour from MXNet 1.9.1 (``mx.init``): values, statistics, dumps, logs, errors.

Each case is ``(setup, expr, opts)``: ``setup`` is executed, then ``expr`` evaluated, in one shared
namespace, in order (tests/test_initializer.py replays them the same way). What is recorded:

* the value of ``expr`` (NDArrays as nested lists with their dtype, everything else as ``repr``),
  or, with ``opts['stats']``, the sample statistics of the NDArray (shape, mean, std, min, max);
* the error type and message if ``expr`` raises; ``opts['msg']`` says how much of MXNet's message
  regluon must reproduce (``'exact'``, or a prefix length);
* the warning categories and the ``logging`` messages emitted by setup and expr, with object
  addresses normalised.

Writes tests/golden/init_cases.json. Run: ``.venv-oracle/bin/python tools/gen_init_cases.py``.
"""

import json
import logging
import os
import re
import tempfile
import warnings

from _oracle import GOLDEN, real_mxnet

mx = real_mxnet()
import mxnet.registry  # noqa: E402,F401
import numpy as np  # noqa: E402
from mxnet.gluon import nn  # noqa: E402

from mxnet import gluon, init, nd  # noqa: E402

S, M = {"stats": True}, {"msg": "exact"}
FUSED_SETUP = """
class ByName(init.Initializer):
    def _init_weight(self, name, arr):
        arr[:] = sum(ord(c) * (i + 1) for i, c in enumerate(name)) % 997
    def _init_bias(self, name, arr):
        arr[:] = -(sum(ord(c) * (i + 1) for i, c in enumerate(name)) % 997)
"""
CUSTOM_SETUP = """
@init.register
class GoldenHalves(init.Initializer):
    def _init_weight(self, _, arr):
        arr[:] = 0.5
"""

CASES = [
    # ---- dumps() and create()
    *[
        ("", f"{ctor}.dumps()", {})
        for ctor in [
            "init.Uniform()",
            "init.Uniform(0.1)",
            "init.Normal()",
            "init.Normal(sigma=0.5)",
            "init.Constant(3)",
            "init.Constant(2.5)",
            "init.Constant(nd.array([[1, 2], [3, 4]]))",
            "init.Constant(np.array([1.5, 2.0]))",
            "init.Zero()",
            "init.One()",
            "init.Xavier()",
            "init.Xavier(factor_type='in', magnitude=2.34)",
            "init.Xavier('gaussian', 'out', 2)",
            "init.MSRAPrelu()",
            "init.MSRAPrelu('in', 0.1)",
            "init.Orthogonal()",
            "init.Orthogonal(0.5, 'normal')",
            "init.Bilinear()",
            "init.LSTMBias()",
            "init.LSTMBias(forget_bias=2.0)",
            "init.FusedRNN(None, 4, 1, 'lstm')",
            "init.FusedRNN(init.Xavier(), 8, 2, 'gru', True, 0.5)",
        ]
    ],
    *[
        ("", f"type(init.create({name!r})).__name__", {})
        for name in [
            "xavier",
            "Xavier",
            "zeros",
            "ZEROS",
            "zero",
            "ones",
            "one",
            "normal",
            "uniform",
            "orthogonal",
            "msraprelu",
            "bilinear",
            "lstmbias",
        ]
    ],
    ("", "init.create('xavier', magnitude=2).dumps()", {}),
    ("", "init.create('normal', 0.3).dumps()", {}),
    (
        "",
        """init.create('["xavier", {"rnd_type": "gaussian", "factor_type": "in", "magnitude": 2}]').dumps()""",
        {},
    ),
    ("", """init.create('{"initializer": "normal", "sigma": 0.2}').dumps()""", {}),
    ("", "init.create({'initializer': 'uniform', 'scale': 0.3}).dumps()", {}),
    ("", "init.create(initializer='one').dumps()", {}),
    ("", "init.create(init.MSRAPrelu('in', 0.1).dumps()).magnitude", {}),
    ("", "init.create(init.Xavier().dumps()) == init.Xavier()", {}),
    ("x = init.Normal(0.2)", "init.create(x) is x", {}),
    ("", "init.create('nosuch')", {"msg": 57}),
    ("", "init.create(init.Normal(), sigma=1)", {"msg": 58}),
    ("", "init.create(3)", {"msg": 34}),
    ("", "init.create(init.Mixed(['.*'], [init.Zero()]))", {"msg": 34}),
    ("", "init.create(init.Load({}))", {"msg": 34}),
    ("", "init.create('xavier', 'gaussian', 'in', 2).dumps()", {}),
    # ---- equality, registry
    ("", "init.Uniform(0.1) == init.Uniform(0.1)", {}),
    ("", "init.Uniform(0.1) == init.Uniform(0.2)", {}),
    ("", "init.Uniform() == init.Normal()", {}),
    ("", "init.Zero() == 0", {}),
    ("", "hash(init.Zero())", {}),
    (
        "",
        "sorted(k for k, v in mx.registry.get_registry(init.Initializer).items() "
        "if v.__module__.split('.')[0] in ('mxnet', 'regluon'))",
        {},
    ),
    (CUSTOM_SETUP, "fill(init.create('goldenhalves'), 'fc_bias', (2,))", {}),
    ("", "type(init.create('GoldenHalves')).__name__", {}),
    (CUSTOM_SETUP, "type(init.create('goldenhalves')).__name__", {}),
    ("init.alias('golden_half')(GoldenHalves)", "type(init.create('golden_half')).__name__", {}),
    ("", "init.register(object)", {}),
    ("", "isinstance(init.Load({}), init.Initializer), isinstance(init.Mixed([], []), init.Initializer)", {}),
    # ---- dispatch by name: InitDesc names, and plain-string (deprecated) names
    *[
        ("", f"fill(init.Constant(3), {name!r}, {shape})", {"msg": 37})
        for name, shape in [
            ("fc_weight", (2, 2)),
            ("fc_bias", (2,)),
            ("bn_gamma", (2,)),
            ("bn_beta", (2,)),
            ("bn_moving_mean", (2,)),
            ("bn_moving_var", (2,)),
            ("bn_moving_inv_var", (2,)),
            ("bn_moving_avg", (2,)),
            ("bn_running_mean", (2,)),
            ("q_min", (2,)),
            ("q_max", (2,)),
            ("fc_bias_quantize", (2,)),
            ("upsampling0_weight", (1, 1, 4, 4)),
            ("stn_loc_weight", (6,)),
            ("stn_loc_bias", (6,)),
            ("foo", (2,)),
            ("weights", (2,)),
        ]
    ],
    *[
        ("", f"legacy(init.Constant(3), {name!r}, {shape})", {"msg": 37})
        for name, shape in [
            ("fc_weight", (2, 2)),
            ("fc_bias", (2,)),
            ("bn_gamma", (2,)),
            ("bn_beta", (2,)),
            ("bn_moving_mean", (2,)),
            ("bn_moving_var", (2,)),
            ("bn_moving_inv_var", (2,)),
            ("bn_moving_avg", (2,)),
            ("bn_running_mean", (2,)),
            ("q_min", (2,)),
            ("q_max", (2,)),
            ("fc_weight_quantize", (2,)),
            ("upsampling0_weight", (1, 1, 4, 4)),
            ("upsampling_x", (1, 2, 3, 6)),
            ("stn_loc_weight", (6,)),
            ("stn_loc_bias", (6,)),
            ("stn_loc_extra", (2,)),
            ("foo", (2,)),
        ]
    ],
    ("", "fill(init.Zero(), 'bn_moving_mean', (2,))", {"msg": 37}),
    ("", "fill(init.One(), 'bn_moving_var', (2,))", {"msg": 37}),
    ("", "legacy(init.Zero(), 'stn_loc_bias', (4,))", {}),
    ("", "init.Uniform()(3, nd.zeros((2,)))", {"msg": 19}),
    ("", "init.Uniform()('fc_weight', np.zeros((2,)))", {"msg": 19}),
    (
        "",
        "(lambda a: (len(set(a.ravel().tolist())), bool(((a >= -127) & (a < 127)).all()), bool(a.ravel()[0] % 1 == 0)))"
        "(fill(init.Uniform(), 'fc_weight_quantize', (3, 4)).asnumpy())",
        {},
    ),
    ("", "fill(init.Initializer(), 'fc_bias', (2,))", {}),
    ("", "fill(init.Initializer(), 'fc_weight', (2,))", {}),
    # ---- the '__init__' attribute: the named initializer's _init_weight, whatever the name
    ("", """fill(init.Zero(), 'fc_bias', (2, 3), {'__init__': '["constant", {"value": 4}]'})""", {}),
    ("", "fill(init.Zero(), 'foo', (2,), {'__init__': 'ones'})", {}),
    ("", "fill(init.Zero(), 'bn_moving_var', (2,), {'__init__': init.One()})", {}),
    ("", "fill(init.Zero(), 'bn_gamma', (2,), {'__init__': init.Constant(6)})", {}),
    ("", "fill(init.One(), 'fc_bias', (3,), {'__init__': init.Xavier()})", M),
    ("", "fill(init.Zero(), 'w', (2,), {'__init__': ''})", {"msg": 37}),
    ("", "fill(init.Zero(), 'fc_weight', (2, 2), {'__init__': 'nosuch'})", {"msg": 57}),
    (
        "d = init.InitDesc('fc_weight', {'a': '1'})",
        "(str(d), d.attrs, d.global_init, isinstance(d, str))",
        {},
    ),
    ("g = init.Zero()\ng(d, nd.zeros((2,)))", "d.global_init is g", {}),
    (
        "d2 = init.InitDesc('fc_weight', global_init=init.One())\ninit.Zero()(d2, nd.zeros((2,)))",
        "type(d2.global_init).__name__",
        {},
    ),
    # ---- deterministic initializers
    ("", "fill(init.Constant(2.5), 'fc_weight', (2, 3))", {}),
    ("", "fill(init.Constant(nd.array([[1, 2], [3, 4]])), 'fc_weight', (2, 2))", {}),
    ("", "fill(init.Constant([1.5, -2.0]), 'fc_weight', (3, 2))", {}),
    ("", "fill(init.Constant(np.arange(6).reshape(2, 3)), 'fc_weight', (2, 3))", {}),
    ("", "fill(init.Zero(), 'fc_weight', (2, 3))", {}),
    ("", "fill(init.One(), 'fc_weight', (3,), dtype='float64')", {}),
    ("", "fill(init.One(), 'fc_weight', (2, 2), dtype='int32')", {}),
    ("", "init.Constant()", {}),
    ("", "init.Zero(1)", {}),
    *[
        ("", f"fill(init.Bilinear(), 'up_weight', {shape})", {})
        for shape in [(1, 1, 4, 4), (2, 1, 3, 3), (1, 2, 4, 5), (1, 1, 5, 3), (1, 1, 2, 2), (1, 1, 1, 1)]
    ],
    ("", "fill(init.Zero(), 'up_weight', (1, 1, 6, 6), {'__init__': 'bilinear'})", {}),
    ("", "fill(init.LSTMBias(), 'i2h_bias', (8,))", {}),
    ("", "fill(init.Zero(), 'i2h_bias', (8,), {'__init__': init.LSTMBias()})", {}),
    ("", "fill(init.Zero(), 'i2h_bias', (12,), {'__init__': init.LSTMBias(2.5)})", {}),
    ("", "fill(init.Zero(), 'i2h_bias', (10,), {'__init__': init.LSTMBias()})", {}),
    ("", "fill(init.Zero(), 'i2h_bias', (4, 2), {'__init__': init.LSTMBias(-1)})", {}),
    ("", "fill(init.Zero(), 'i2h_bias', (8,), {'__init__': '[\"lstmbias\", {\"forget_bias\": 0.5}]'})", {}),
    # ---- FusedRNN: the cut of the flat vector, checked with a name-dependent fill
    (FUSED_SETUP, "fused(init.FusedRNN(ByName(), 2, 1, 'lstm'), (56,))", {}),
    ("", "fused(init.FusedRNN(ByName(), 2, 2, 'gru', True), (180,))", {}),
    ("", "fused(init.FusedRNN(ByName(), 3, 1, 'rnn_tanh'), (21,))", {}),
    ("", "fused(init.FusedRNN(ByName(), 2, 2, 'rnn_relu', True, 2.0), (64,))", {}),
    ("", "fused(init.FusedRNN(ByName(), 2, 1, 'lstm', False, 3.0), (56,))", {}),
    ("", "fused(init.FusedRNN(None, 2, 1, 'lstm', forget_bias=3.0), (56,), init.Constant(0.25))", {}),
    ("", "fused(init.FusedRNN(ByName(), 2, 1, 'lstm'), (57,))", {"msg": 40}),
    ("", "fill(init.FusedRNN(ByName(), 2, 1, 'lstm'), 'lstm_parameters', (56,))", {"msg": 37}),
    # ---- verbose logging
    (
        "v = init.Constant(2).set_verbosity(True)\nfill(v, 'fc_weight', (2, 3))",
        "v.set_verbosity(True) is v",
        {},
    ),
    ("fill(v, 'fc_bias', (2,), {'__init__': 'ones'})", "None", {}),
    ("fill(v, 'bn_gamma', (2,))\nfill(v, 'q_max', (2,))", "None", {}),
    (
        "v.set_verbosity(True, print_func=lambda a: 'shape=%s' % (a.shape,))\nfill(v, 'fc_weight', (2, 3))",
        "None",
        {},
    ),
    ("v.set_verbosity(False)\nfill(v, 'fc_weight', (2, 3))", "None", {}),
    ("legacy(init.Constant(2).set_verbosity(True), 'fc_weight', (2,))", "None", {}),
    (
        "vnet = nn.Dense(2, in_units=3, prefix='vfc_')\nvnet.initialize(init.Constant(0.5), verbose=True)",
        "(vnet.weight.data(), vnet.bias.data())",
        {},
    ),
    # ---- Load
    (
        "fname = os.path.join(TMP, 'load.params')\n"
        "nd.save(fname, {'arg:fc_weight': nd.array([[1, 2], [3, 4]]), 'aux:bn_moving_mean': nd.array([5, 6]),"
        " 'plain_bias': nd.array([7, 8])})\nld = init.Load(fname, default_init=init.Constant(9))",
        "sorted(ld.param)",
        {},
    ),
    ("", "fill(ld, 'fc_weight', (2, 2))", {}),
    ("", "fill(ld, 'bn_moving_mean', (2,))", {}),
    ("", "fill(ld, 'plain_bias', (2,))", {}),
    ("", "fill(ld, 'other_weight', (2,))", {}),
    ("", "fill(ld, 'other_bias', (2,))", {}),
    ("", "fill(ld, 'arg:fc_weight', (2, 2))", {}),
    ("", "legacy(ld, 'bn_moving_var', (2,))", {}),
    ("", "legacy(ld, 'fc_weight', (2, 2))", {}),
    ("", "fill(ld, 'fc_weight', (3, 2))", M),
    ("", "fill(init.Load({'a_weight': nd.ones((2,))}), 'b_weight', (2,))", M),
    ("", "fill(init.Load({'a_weight': nd.ones((2,))}, init.Xavier()), 'b_weight', (2,))", M),
    ("", "init.Load([nd.ones((2,))])", {}),
    ("fname2 = os.path.join(TMP, 'list.params')\nnd.save(fname2, [nd.ones((2,))])", "init.Load(fname2)", {}),
    (
        "ldv = init.Load({'a_weight': nd.ones((2,))}, default_init=init.Zero(), verbose=True)\n"
        "fill(ldv, 'a_weight', (2,))\nfill(ldv, 'b_weight', (2,))",
        "None",
        {},
    ),
    # ---- Mixed
    ("mixed = init.Mixed(['.*bias', 'fc.*', '.*'], [init.Zero(), init.Constant(2), init.One()])", "None", {}),
    ("", "fill(mixed, 'fc_bias', (2,))", {}),
    ("", "fill(mixed, 'fc_weight', (2,))", {}),
    ("", "fill(mixed, 'conv_weight', (2,))", {}),
    ("", "fill(mixed, 'xfc_weight', (2,))", {}),
    ("", "fill(mixed, 'fc_moving_mean', (2,))", {"msg": 37}),
    ("", "legacy(mixed, 'fc_moving_mean', (2,))", {}),
    ("", "fill(init.Mixed(['fc.*'], [init.One()]), 'bn_gamma', (2,))", {}),
    ("", "init.Mixed(['a', 'b'], [init.One()])", {}),
    # ---- errors of the random initializers
    ("", "fill(init.Xavier(), 'fc_weight', (4,))", M),
    ("", "fill(init.Xavier(factor_type='bad'), 'fc_weight', (4, 3))", {"msg": 21}),
    ("", "fill(init.Xavier(rnd_type='bad'), 'fc_weight', (4, 3))", {"msg": 19}),
    ("", "fill(init.MSRAPrelu(), 'fc_weight', (4,))", M),
    # ---- Gluon: own init= versus the global initializer
    (
        "p = gluon.Parameter('gp_bias', shape=(3, 2))\np.initialize(default_init=init.Constant(2))",
        "p.data()",
        {},
    ),
    (
        "p = gluon.Parameter('gp2_bias', shape=(3,), init='ones')\np.initialize(default_init=init.Constant(2))",
        "p.data()",
        {},
    ),
    (
        "p = gluon.Parameter('gp3', shape=(3,), init=init.Constant(5))\np.initialize(init=init.Zero(), default_init=init.One())",
        "p.data()",
        {},
    ),
    ("p = gluon.Parameter('gp4_weight', shape=(4,))", "p.initialize(default_init=init.Xavier())", M),
    (
        "p = gluon.Parameter('gp5_running_stuff', shape=(2, 2))\np.initialize(default_init='ones')",
        "p.data()",
        {},
    ),
    (
        "p = gluon.Parameter('gp6_weight', shape=(2, 2), init='[\"constant\", {\"value\": 0.75}]')\np.initialize()",
        "p.data()",
        {},
    ),
    ("p = gluon.Parameter('gp7_weight', shape=(200, 100))\np.initialize()", "p.data()", S),
    ("p = gluon.Parameter('gp8_weight', shape=(2,), init='nosuch')", "p.initialize()", {"msg": 57}),
    (
        "p = gluon.Parameter('gp9_weight', shape=(2, 2))",
        "p.initialize(default_init=init.Mixed(['.*'], [init.One()]))",
        {"msg": 34},
    ),
    (
        "net = nn.Dense(2, in_units=3, prefix='d1_')\nnet.initialize(init.One())",
        "(net.weight.data(), net.bias.data())",
        {},
    ),
    (
        "net = nn.Dense(2, in_units=3, prefix='d2_', weight_initializer='zeros', bias_initializer='ones')\n"
        "net.initialize(init.Constant(7))",
        "(net.weight.data(), net.bias.data())",
        {},
    ),
    (
        "net = nn.Dense(2, prefix='d3_')\nnet.initialize(init.Constant(0.5))\nnet(nd.ones((1, 3)))",
        "net.weight.data()",
        {},
    ),
    ("net = nn.Dense(300, in_units=200, prefix='d4_')\nnet.initialize('xavier')", "net.weight.data()", S),
    (
        "net = nn.Dense(2, in_units=3, prefix='d5_')",
        "net.initialize(init.Mixed(['.*'], [init.One()]))",
        {"msg": 34},
    ),
    (
        "net = nn.Dense(2, in_units=3, prefix='d6_')",
        "net.initialize(init.Load({'d6_weight': nd.ones((2, 3))}))",
        {"msg": 34},
    ),
    (
        "bn = nn.BatchNorm(in_channels=3, prefix='bn1_')\nbn.initialize(init.Constant(5))",
        "[(k, v.data()) for k, v in sorted(bn.collect_params().items())]",
        {},
    ),
    (
        "conv = nn.Conv2D(64, 3, in_channels=32, prefix='c1_')\nconv.initialize(init.MSRAPrelu('in', 0))",
        "conv.weight.data()",
        S,
    ),
    ("", "conv.bias.data()", {}),
    (
        "up = nn.Conv2DTranspose(2, 4, in_channels=2, prefix='up1_', weight_initializer='bilinear')\nup.initialize()",
        "up.weight.data()",
        {},
    ),
    # ---- sample statistics of the random initializers
    ("", "fill(init.Uniform(), 'fc_weight', (200, 300))", S),
    ("", "fill(init.Uniform(0.5), 'fc_weight', (100, 200))", S),
    ("", "fill(init.Uniform(0.3), 'fc_weight', (100, 200), dtype='float64')", S),
    ("", "fill(init.Normal(), 'fc_weight', (200, 300))", S),
    ("", "fill(init.Normal(2.0), 'fc_weight', (100, 200))", S),
    ("", "fill(init.Xavier(), 'fc_weight', (200, 300))", S),
    ("", "fill(init.Xavier(), 'conv_weight', (64, 32, 3, 3))", S),
    ("", "fill(init.Xavier('gaussian', 'in', 2), 'conv_weight', (64, 32, 3, 3))", S),
    ("", "fill(init.Xavier('uniform', 'out', 1), 'conv_weight', (32, 16, 5, 5))", S),
    ("", "fill(init.Xavier(), 'w_weight', (40, 30, 20))", S),
    ("", "fill(init.Xavier('gaussian', 'avg', 3), 'fc_weight', (300, 200))", S),
    ("", "fill(init.MSRAPrelu(), 'conv_weight', (64, 32, 3, 3))", S),
    ("", "fill(init.MSRAPrelu('in', 0), 'fc_weight', (256, 128))", S),
    ("", "fill(init.Orthogonal(), 'fc_weight', (256, 128))", S),
    ("", "fill(init.Orthogonal(0.5, 'normal'), 'fc_weight', (128, 256))", S),
    ("", "fill(init.Uniform(0.2), 'fc_bias', (200, 100), {'__init__': init.Uniform(0.2)})", S),
    # ---- Orthogonal: which side is orthonormal
    *[
        ("", f"orth(fill(init.Orthogonal({scale}, {rt!r}), 'fc_weight', {shape}))", {})
        for scale, rt, shape in [
            (1.414, "uniform", (6, 4)),
            (1.414, "uniform", (4, 6)),
            (0.5, "normal", (5, 5)),
            (1.0, "normal", (4, 2, 3, 3)),
        ]
    ],
]


def fill(initializer, name, shape, attrs=None, dtype="float32"):
    arr = nd.full(shape, 7, dtype=dtype)
    initializer(init.InitDesc(name, attrs), arr)
    return arr


def legacy(initializer, name, shape):
    arr = nd.full(shape, 7)
    initializer(name, arr)
    return arr


def fused(initializer, shape, global_init=None):
    """Fill a flat fused-RNN vector the way Gluon/Module do: the initializer rides in '__init__'."""
    return fill(global_init or init.Zero(), "lstm_parameters", shape, {"__init__": initializer})


def orth(arr):
    """(rows orthonormal?, columns orthonormal?, scale) of the 2-d view of a weight."""
    a = arr.asnumpy().astype(np.float64)
    a = a.reshape(a.shape[0], -1)
    s = float(np.linalg.norm(a, 2))
    rows = bool(np.allclose(a @ a.T, s * s * np.eye(a.shape[0]), atol=1e-4))
    cols = bool(np.allclose(a.T @ a, s * s * np.eye(a.shape[1]), atol=1e-4))
    return rows, cols, round(s, 4)


def encode(value):
    """JSON-able form of a result: arrays as lists (with dtype), containers recursively, else repr."""
    if isinstance(value, nd.NDArray):
        return {"array": value.asnumpy().tolist(), "dtype": np.dtype(value.dtype).name}
    if isinstance(value, tuple | list):
        return {"seq": [encode(v) for v in value]}
    return {"repr": repr(value)}


def stats(value):
    a = value.asnumpy()
    f = a.astype(np.float64)
    return {
        "shape": list(a.shape),
        "dtype": np.dtype(a.dtype).name,
        "mean": float(f.mean()),
        "std": float(f.std()),
        "min": float(f.min()),
        "max": float(f.max()),
    }


_OBJ = re.compile(r"<(?:mxnet|regluon)\.initializer(?:\.\w+)*\.(\w+) object at 0x[0-9a-fA-F]+>")


def normalise_log(msg):
    return _OBJ.sub(r"<\1>", msg)


class Capture(logging.Handler):
    def __init__(self):
        super().__init__(logging.INFO)
        self.messages = []

    def emit(self, record):
        self.messages.append(normalise_log(record.getMessage()))


def run(setup, expr, opts, env, capture):
    capture.messages = []
    out = {"setup": setup, "expr": expr, **opts}
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        exec(setup, env)
        try:
            value = eval(expr, env)
            out.update(stats(value) if opts.get("stats") else encode(value))
        except Exception as err:  # noqa: BLE001 - the error is the golden value
            out.update(error=type(err).__name__, message=str(err))
    out["warnings"] = sorted({w.category.__name__ for w in caught})
    out["logs"] = list(capture.messages)
    return out


def main():
    capture = Capture()
    root = logging.getLogger()
    root.addHandler(capture)
    root.setLevel(logging.INFO)
    mx.random.seed(0)
    with tempfile.TemporaryDirectory() as tmp:
        env = {
            "mx": mx, "nd": nd, "np": np, "os": os, "gluon": gluon, "nn": nn, "init": init, "TMP": tmp,
            "fill": fill, "legacy": legacy, "orth": orth, "fused": fused,
        }  # fmt: skip
        out = [run(s, e, o, env, capture) for s, e, o in CASES]
    path = os.path.join(GOLDEN, "init_cases.json")
    with open(path, "w") as f:
        json.dump({"mxnet": mx.__version__, "cases": out}, f, indent=1)
    print(f"wrote {len(out)} cases to {path}")


if __name__ == "__main__":
    main()
