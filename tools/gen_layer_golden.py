"""Golden gluon.nn / gluon.contrib.nn layer behaviour from MXNet 1.9.1.

For every layer configuration in CASES, with fresh name counters (``mx.name.NameManager``):
the prefix, the ``collect_params()`` names and shapes and the repr before and after the first
forward (deferred shape inference), the initial values after ``initialize(init.Constant(0.37))``
(which parameters keep their own initializer), the structural names ``save_parameters`` writes, fixed
parameter values (set with ``set_data``), an input, the output and the input / parameter gradients
for a fixed head gradient (under ``autograd.record(train_mode=...)``), the running statistics after
that step and the predict-mode output afterwards. For ERRORS: the exception MXNet raises for a bad
constructor argument, at construction or (where MXNet only fails later) at first use.

Channels-last convolutions (NHWC, NDHWC) do not run on MXNet's CPU build; their golden values come
from the channels-first layer MXNet runs on transposed data and weights (``via`` in the case).

Writes tests/golden/layer_golden.npz (arrays) and tests/golden/layer_golden.json (text).
Run: .venv-oracle/bin/python tools/gen_layer_golden.py
"""

import inspect
import json
import os
import warnings
import zlib

from _oracle import GOLDEN, real_mxnet

warnings.filterwarnings("ignore")
mx = real_mxnet()
import numpy as np  # noqa: E402
from mxnet.gluon import nn  # noqa: E402
from mxnet.gluon.contrib import nn as cnn  # noqa: E402

from mxnet import autograd, init, nd  # noqa: E402

# (case id, program that assigns `net`, input shape, options)
# options: train (bool, default True), int_input (indices in [0, n)), no_grad (skip backward),
# grad_atol (absolute tolerance of the gradients in the test, default 1e-6),
# via (program of the channels-first twin, for channels-last convolutions)
CASES = [
    ("dense", "net = nn.Dense(4)", (2, 3), {}),
    ("dense_act_in", "net = nn.Dense(3, activation='relu', in_units=5)", (2, 5), {}),
    ("dense_noflat", "net = nn.Dense(4, use_bias=False, flatten=False)", (2, 3, 5), {}),
    ("dense_flatten3d", "net = nn.Dense(3)", (2, 3, 4), {}),
    ("dropout_pred", "net = nn.Dropout(0.5)", (2, 3), {"train": False}),
    ("dropout_zero", "net = nn.Dropout(0.0)", (2, 3), {}),
    ("dropout_axes", "net = nn.Dropout(0.3, axes=(1,))", (2, 3, 4), {"train": False}),
    ("batchnorm", "net = nn.BatchNorm()", (4, 3, 5, 5), {}),
    ("batchnorm_last", "net = nn.BatchNorm(axis=-1, momentum=0.8, epsilon=1e-3, in_channels=4)", (6, 4), {}),
    ("batchnorm_nocs", "net = nn.BatchNorm(center=False, scale=False)", (4, 3, 6), {}),
    ("batchnorm_global", "net = nn.BatchNorm(use_global_stats=True)", (2, 3, 4, 4), {}),
    ("batchnorm_pred", "net = nn.BatchNorm()", (2, 3, 4), {"train": False}),
    ("batchnormrelu", "net = nn.BatchNormReLU()", (4, 3, 5, 5), {}),
    ("syncbatchnorm", "net = cnn.SyncBatchNorm(num_devices=1)", (4, 3, 4, 4), {}),
    ("syncbatchnorm_in", "net = cnn.SyncBatchNorm(in_channels=3, num_devices=1, scale=False)", (4, 3, 5), {}),
    ("batchnorm_axis2", "net = nn.BatchNorm(axis=2, momentum=0.5)", (2, 3, 4, 2, 2), {}),
    ("layernorm_axis0", "net = nn.LayerNorm(axis=0)", (4, 3), {}),
    ("instancenorm_5d", "net = nn.InstanceNorm(scale=True)", (2, 3, 2, 3, 2), {}),
    ("layernorm", "net = nn.LayerNorm()", (2, 3, 5), {}),
    ("layernorm_axis", "net = nn.LayerNorm(axis=1, epsilon=1e-3, center=False)", (2, 4, 3), {}),
    ("layernorm_in", "net = nn.LayerNorm(in_channels=5)", (3, 5), {}),
    ("instancenorm", "net = nn.InstanceNorm()", (2, 3, 5), {}),
    ("instancenorm_axis", "net = nn.InstanceNorm(axis=2, scale=True)", (2, 3, 4, 2), {}),
    (
        "instancenorm_in",
        "net = nn.InstanceNorm(in_channels=3, center=False, scale=True, epsilon=1e-3)",
        (2, 3, 4, 4),
        {},
    ),
    ("groupnorm", "net = nn.GroupNorm()", (2, 4, 3), {}),
    ("groupnorm_2", "net = nn.GroupNorm(num_groups=2, epsilon=1e-3)", (2, 4, 3, 3), {}),
    ("groupnorm_3", "net = nn.GroupNorm(3, center=False)", (2, 6, 5), {}),
    ("embedding", "net = nn.Embedding(10, 4)", (2, 3), {"int_input": 10}),
    ("embedding_sparse", "net = nn.Embedding(6, 3, sparse_grad=True)", (5,), {"int_input": 6}),
    ("flatten", "net = nn.Flatten()", (2, 3, 4), {}),
    ("lambda_name", "net = nn.Lambda('tanh')", (2, 3), {}),
    ("lambda_fn", "net = nn.Lambda(lambda x: x * 2)", (2, 3), {}),
    ("hybridlambda_name", "net = nn.HybridLambda('tanh')", (2, 3), {}),
    ("hybridlambda_fn", "net = nn.HybridLambda(lambda F, x: F.LeakyReLU(x, slope=0.1))", (2, 3), {}),
    ("act_relu", "net = nn.Activation('relu')", (2, 5), {}),
    ("act_sigmoid", "net = nn.Activation('sigmoid')", (2, 5), {}),
    ("act_tanh", "net = nn.Activation('tanh')", (2, 5), {}),
    ("act_softrelu", "net = nn.Activation('softrelu')", (2, 5), {}),
    ("act_softsign", "net = nn.Activation('softsign')", (2, 5), {}),
    ("leakyrelu", "net = nn.LeakyReLU(0.1)", (2, 5), {}),
    ("prelu", "net = nn.PReLU()", (2, 3, 4), {}),
    ("prelu_ch", "net = nn.PReLU(alpha_initializer=init.Constant(0.1), in_channels=3)", (2, 3, 4), {}),
    ("prelu_4d", "net = nn.PReLU(in_channels=3)", (2, 3, 2, 2), {}),
    ("elu", "net = nn.ELU()", (2, 5), {}),
    ("elu_alpha", "net = nn.ELU(alpha=0.5)", (2, 5), {}),
    ("selu", "net = nn.SELU()", (2, 5), {}),
    ("gelu", "net = nn.GELU()", (2, 5), {}),
    ("swish", "net = nn.Swish()", (2, 5), {}),
    ("swish_beta", "net = nn.Swish(beta=2.0)", (2, 5), {}),
    ("conv1d", "net = nn.Conv1D(4, 3)", (2, 3, 7), {}),
    (
        "conv1d_opts",
        "net = nn.Conv1D(4, 3, strides=2, padding=1, dilation=2, groups=2, activation='relu')",
        (2, 4, 9),
        {},
    ),
    ("conv2d", "net = nn.Conv2D(6, 3)", (2, 3, 7, 7), {}),
    (
        "conv2d_opts",
        "net = nn.Conv2D(4, (3, 2), strides=(2, 1), padding=(1, 0), dilation=(1, 2), groups=2, "
        "use_bias=False, in_channels=4)",
        (2, 4, 8, 7),
        {},
    ),
    # sequences are kept as given (MXNet's repr prints lists as lists)
    (
        "conv2d_lists",
        "net = nn.Conv2D(3, [3, 3], strides=[1, 1], padding=[0, 0], dilation=[1, 1])",
        (1, 2, 5, 5),
        {},
    ),
    (
        "conv2dt_lists",
        "net = nn.Conv2DTranspose(3, [3, 3], output_padding=[1, 1], strides=[2, 2])",
        (1, 2, 3, 3),
        {},
    ),
    ("maxpool2d_lists", "net = nn.MaxPool2D([2, 2], strides=[2, 2], padding=[1, 1])", (1, 2, 5, 5), {}),
    ("conv2d_act", "net = nn.Conv2D(5, 3, padding=1, activation='sigmoid')", (1, 2, 5, 5), {}),
    (
        "conv2d_nhwc",
        "net = nn.Conv2D(4, (3, 2), strides=(2, 1), padding=1, groups=2, layout='NHWC')",
        (2, 6, 5, 4),
        {"via": "net = nn.Conv2D(4, (3, 2), strides=(2, 1), padding=1, groups=2)"},
    ),
    (
        "conv3d_dil_groups",
        "net = nn.Conv3D(4, 2, dilation=(1, 2, 1), groups=2, use_bias=False)",
        (1, 4, 3, 5, 3),
        {},
    ),
    ("conv3d", "net = nn.Conv3D(2, 2)", (1, 2, 4, 4, 4), {}),
    (
        "conv3d_opts",
        "net = nn.Conv3D(4, (2, 3, 2), strides=(1, 2, 1), padding=1, groups=2)",
        (1, 2, 4, 5, 4),
        {},
    ),
    (
        "conv3d_ndhwc",
        "net = nn.Conv3D(3, 2, layout='NDHWC')",
        (1, 3, 4, 3, 2),
        {"via": "net = nn.Conv3D(3, 2)"},
    ),
    ("conv1dt", "net = nn.Conv1DTranspose(3, 3)", (2, 4, 5), {}),
    (
        "conv1dt_opts",
        "net = nn.Conv1DTranspose(4, 3, strides=2, padding=1, output_padding=1, groups=2, in_channels=4)",
        (2, 4, 5),
        {},
    ),
    (
        "conv1dt_dil",
        "net = nn.Conv1DTranspose(2, 3, strides=2, dilation=2, padding=2, output_padding=1, activation='relu')",
        (1, 3, 4),
        {},
    ),
    ("conv2dt", "net = nn.Conv2DTranspose(3, 3)", (2, 4, 5, 5), {}),
    (
        "conv2dt_opts",
        "net = nn.Conv2DTranspose(4, (3, 2), strides=2, padding=(1, 0), output_padding=(1, 1), "
        "dilation=(1, 2), in_channels=2, activation='tanh')",
        (2, 2, 4, 3),
        {},
    ),
    (
        "conv2dt_nhwc",
        "net = nn.Conv2DTranspose(6, 3, strides=2, padding=1, output_padding=1, groups=2, layout='NHWC', in_channels=4)",
        (1, 4, 3, 4),
        {
            "via": "net = nn.Conv2DTranspose(6, 3, strides=2, padding=1, output_padding=1, groups=2, in_channels=4)"
        },
    ),
    ("conv3dt", "net = nn.Conv3DTranspose(2, 2, strides=2)", (1, 3, 2, 3, 2), {}),
    (
        "conv3dt_ndhwc",
        "net = nn.Conv3DTranspose(2, (2, 1, 2), strides=(2, 1, 1), layout='NDHWC', in_channels=3)",
        (1, 2, 3, 2, 3),
        {"via": "net = nn.Conv3DTranspose(2, (2, 1, 2), strides=(2, 1, 1), in_channels=3)"},
    ),
    ("maxpool1d", "net = nn.MaxPool1D()", (2, 3, 8), {}),
    ("maxpool1d_opts", "net = nn.MaxPool1D(3, 2, 1, ceil_mode=True)", (2, 3, 8), {}),
    # ceil_mode where the last window lies wholly in the padding: MXNet keeps it (max -FLT_MAX, avg 0)
    ("maxpool1d_ceil_pad", "net = nn.MaxPool1D(2, 2, 1, ceil_mode=True)", (1, 2, 5), {}),
    ("avgpool1d_ceil_pad", "net = nn.AvgPool1D(2, 2, 1, ceil_mode=True)", (1, 2, 5), {}),
    ("maxpool1d_nwc", "net = nn.MaxPool1D(3, 1, layout='NWC')", (2, 6, 3), {}),
    ("maxpool2d", "net = nn.MaxPool2D()", (2, 3, 6, 6), {}),
    (
        "maxpool2d_opts",
        "net = nn.MaxPool2D((3, 2), strides=(2, 1), padding=(1, 0), ceil_mode=True)",
        (1, 2, 7, 6),
        {},
    ),
    ("maxpool2d_nhwc", "net = nn.MaxPool2D(layout='NHWC')", (1, 6, 6, 3), {}),
    ("maxpool3d", "net = nn.MaxPool3D()", (1, 2, 4, 4, 4), {}),
    ("maxpool3d_ndhwc", "net = nn.MaxPool3D(2, 1, layout='NDHWC')", (1, 3, 4, 3, 2), {}),
    ("maxpool3d_opts", "net = nn.MaxPool3D(3, 2, 1, ceil_mode=True)", (1, 1, 5, 6, 5), {}),
    ("avgpool1d", "net = nn.AvgPool1D(3, 2, 1)", (2, 3, 8), {}),
    ("avgpool1d_opts", "net = nn.AvgPool1D(3, 2, 1, count_include_pad=False, layout='NWC')", (2, 8, 3), {}),
    ("avgpool2d", "net = nn.AvgPool2D()", (2, 3, 6, 6), {}),
    ("avgpool2d_nopad", "net = nn.AvgPool2D(3, 1, 1, count_include_pad=False)", (1, 2, 5, 5), {}),
    ("avgpool2d_nhwc", "net = nn.AvgPool2D(2, ceil_mode=True, layout='NHWC')", (1, 5, 5, 2), {}),
    (
        "avgpool2d_ceil",
        "net = nn.AvgPool2D(3, 2, 1, ceil_mode=True, count_include_pad=False)",
        (1, 2, 6, 6),
        {},
    ),
    ("avgpool3d", "net = nn.AvgPool3D()", (1, 2, 4, 4, 4), {}),
    (
        "avgpool3d_opts",
        "net = nn.AvgPool3D(3, 2, 1, ceil_mode=True, count_include_pad=False)",
        (1, 1, 5, 5, 5),
        {},
    ),
    ("gmaxpool1d", "net = nn.GlobalMaxPool1D()", (2, 3, 5), {}),
    ("gmaxpool2d", "net = nn.GlobalMaxPool2D()", (2, 3, 4, 5), {}),
    ("gmaxpool2d_nhwc", "net = nn.GlobalMaxPool2D(layout='NHWC')", (2, 4, 5, 3), {}),
    ("gmaxpool3d", "net = nn.GlobalMaxPool3D()", (1, 2, 3, 4, 2), {}),
    ("gavgpool1d", "net = nn.GlobalAvgPool1D()", (2, 3, 5), {}),
    ("gavgpool1d_nwc", "net = nn.GlobalAvgPool1D(layout='NWC')", (2, 5, 3), {}),
    ("gavgpool2d", "net = nn.GlobalAvgPool2D()", (2, 3, 4, 5), {}),
    ("gavgpool3d", "net = nn.GlobalAvgPool3D()", (1, 2, 3, 4, 2), {}),
    ("gavgpool3d_ndhwc", "net = nn.GlobalAvgPool3D(layout='NDHWC')", (1, 3, 4, 2, 2), {}),
    (
        "avgpool3d_ndhwc",
        "net = nn.AvgPool3D(2, 1, 1, count_include_pad=False, layout='NDHWC')",
        (1, 3, 3, 2, 2),
        {},
    ),
    ("reflectionpad", "net = nn.ReflectionPad2D(1)", (1, 2, 4, 4), {}),
    ("reflectionpad_8", "net = nn.ReflectionPad2D((0, 0, 0, 0, 1, 2, 2, 1))", (1, 2, 5, 5), {}),
    (
        "hybridsequential",
        "net = nn.HybridSequential()\nwith net.name_scope():\n"
        "    net.add(nn.Conv2D(4, 3, activation='relu'), nn.BatchNorm(), nn.MaxPool2D(), nn.Dense(5))",
        (2, 3, 8, 8),
        {},
    ),
    # wide enough for regluon's channels-last CPU convolutions (>= 32 filters, >= 64 output positions),
    # then a 4x4 map convolved channels-first: both layouts and the switch between them
    # (their gradients sum hundreds of terms in another order than MXNet's kernels: grad_atol)
    ("conv2d_wide", "net = nn.Conv2D(32, 3, padding=1)", (2, 3, 9, 9), {"grad_atol": 1e-5}),
    (
        "conv2d_wide_groups",
        "net = nn.Conv2D(32, 3, strides=2, padding=1, groups=4)",
        (2, 8, 17, 16),
        {"grad_atol": 1e-5},
    ),
    (
        "hybridsequential_wide",
        "net = nn.HybridSequential()\nwith net.name_scope():\n"
        "    net.add(nn.Conv2D(32, 3, padding=1), nn.BatchNorm(), nn.Activation('relu'), nn.MaxPool2D(3, 2, 1),\n"
        "            nn.Conv2D(40, 3, padding=1), nn.BatchNorm(), nn.Activation('relu'), nn.AvgPool2D(),\n"
        "            nn.Flatten(), nn.Dense(5))",
        (2, 3, 8, 8),
        {},
    ),
    (
        "sequential",
        "net = nn.Sequential()\nwith net.name_scope():\n    net.add(nn.Dense(6, activation='tanh'), nn.Dropout(0.2), nn.Dense(2))",
        (3, 4),
        {"train": False},
    ),
    (
        "hybridconcurrent",
        "net = cnn.HybridConcurrent(axis=1)\nwith net.name_scope():\n"
        "    net.add(nn.Conv2D(2, 1), nn.Conv2D(3, 3, padding=1), cnn.Identity())",
        (1, 4, 5, 5),
        {},
    ),
    (
        "concurrent",
        "net = cnn.Concurrent()\nwith net.name_scope():\n    net.add(nn.Dense(2), nn.Dense(3))",
        (2, 4),
        {},
    ),
    ("identity", "net = cnn.Identity()", (2, 3), {"no_grad": True}),
    ("pixelshuffle1d", "net = cnn.PixelShuffle1D(2)", (1, 4, 3), {}),
    ("pixelshuffle2d", "net = cnn.PixelShuffle2D((2, 3))", (1, 12, 3, 5), {}),
    ("pixelshuffle3d", "net = cnn.PixelShuffle3D(2)", (1, 16, 2, 3, 2), {}),
]

# (bad constructor, input shape for a first use when MXNet accepts the constructor; None where that
# first use kills the MXNet process)
ERRORS = [
    ("nn.Dense(-1)", (2, 3)),
    ("nn.Dense(0)", (2, 3)),
    ("nn.Dense(3, activation='foo')", (2, 3)),
    ("nn.Activation('foo')", (2, 3)),
    ("nn.Dropout(1.5)", (2, 3)),
    ("nn.Embedding(0, 3)", (2, 3)),
    ("nn.Embedding(4, -1)", (2, 3)),
    ("nn.LeakyReLU(-0.1)", (2, 3)),
    ("nn.GroupNorm(0)", None),  # MXNet dies with SIGFPE at first use
    ("nn.Lambda('nosuch')", (2, 3)),
    ("nn.Lambda(3)", (2, 3)),
    ("nn.HybridLambda('nosuch')", (2, 3)),
    ("nn.HybridLambda(None)", (2, 3)),
    ("nn.Conv2D(3, (3, 3, 3))", (1, 2, 5, 5)),
    ("nn.Conv2D(3, 3, strides=(1, 1, 1))", (1, 2, 5, 5)),
    ("nn.Conv2D(3, 3, padding=(1, 1, 1))", (1, 2, 5, 5)),
    ("nn.Conv2D(3, 3, dilation=(1, 1, 1))", (1, 2, 5, 5)),
    ("nn.Conv2D(-3, 3)", (1, 2, 5, 5)),
    ("nn.Conv2D(0, 3)", (1, 2, 5, 5)),
    ("nn.Conv2D(3, 0)", (1, 2, 5, 5)),
    ("nn.Conv2D(3, 3, strides=0)", (1, 2, 5, 5)),
    ("nn.Conv2D(3, 3, strides=-1)", (1, 2, 5, 5)),
    ("nn.Conv2D(3, 3, padding=-1)", (1, 2, 5, 5)),
    ("nn.Conv2D(3, 3, layout='NCW')", (1, 2, 5, 5)),
    ("nn.Conv1D(3, 3, layout='NWC')", (1, 5, 2)),
    ("nn.Conv3D(3, (3, 3))", (1, 2, 5, 5, 5)),
    ("nn.Conv2D(3, 3, groups=2, in_channels=3)", (1, 3, 5, 5)),
    ("nn.Conv2DTranspose(3, 3, output_padding=(1, 1, 1))", (1, 2, 5, 5)),
    ("nn.Conv2D(3, 3, activation='foo')", (1, 2, 5, 5)),
    ("nn.MaxPool2D((3, 3, 3))", (1, 2, 5, 5)),
    ("nn.MaxPool2D(layout='NCW')", (1, 2, 5, 5)),
    ("nn.MaxPool2D(0)", (1, 2, 5, 5)),
    ("nn.AvgPool1D(3, padding=-1)", (1, 2, 5)),
    ("nn.GlobalAvgPool2D(layout='NCDHW')", (1, 2, 5, 5)),
    ("nn.ReflectionPad2D((1, 2))", (1, 2, 5, 5)),
    ("nn.BatchNorm(in_channels=-1)", (2, 3)),
    ("nn.MaxPool2D(3, strides=(1, 1, 1))", (1, 2, 5, 5)),
]


def _values(rng, name, shape):
    low, high = (0.5, 1.5) if name.endswith(("running_var", "gamma")) else (-0.5, 0.5)
    return rng.uniform(low, high, shape).astype(np.float32)


def _build(program, env):
    with mx.name.NameManager():
        exec(program, env)
    return env["net"]


def _names_shapes(net):
    return [[k, list(v.shape) if v.shape is not None else None] for k, v in net.collect_params().items()]


def _channels_first(a, n):
    return np.transpose(a, (0, n + 1, *range(1, n + 1)))


def _channels_last(a, n):
    return np.transpose(a, (0, *range(2, n + 2), 1))


def _step(net, x, head, train, no_grad, int_input):
    """Forward (and backward) under record(); returns out, dx (None for index input), {param: grad}."""
    xa = nd.array(x)
    if not int_input:
        xa.attach_grad()
    with autograd.record(train_mode=train):
        out = net(xa)
    if no_grad:
        return out.asnumpy(), None, {}
    out.backward(nd.array(head))
    grads = {k: p.grad().asnumpy() for k, p in net.collect_params().items() if p.grad_req != "null"}
    return out.asnumpy(), None if int_input else xa.grad.asnumpy(), grads


def run_case(cid, program, shape, opts, env, arrays):
    rng = np.random.RandomState(zlib.crc32(cid.encode()))
    net = _build(program, env)
    rec = {
        "program": program,
        "shape": list(shape),
        "train": opts.get("train", True),
        "int_input": opts.get("int_input", 0),
        "no_grad": opts.get("no_grad", False),
        **({"grad_atol": opts["grad_atol"]} if "grad_atol" in opts else {}),
        "prefix": net.prefix,
        "params_before": _names_shapes(net),
        "repr_before": repr(net),
    }
    if opts.get("int_input"):
        x = rng.randint(0, opts["int_input"], shape).astype(np.float32)
    else:
        x = rng.uniform(-1, 1, shape).astype(np.float32)
    via = opts.get("via")
    n = len(shape) - 2
    run_net = net
    if via:  # channels-last: run MXNet's channels-first twin on transposed data
        run_net = _build(via, env)
    run_net.initialize(init.Constant(0.37))  # per-parameter initializers (zeros, ones, ...) win over it
    run_x = _channels_first(x, n) if via else x
    run_net(nd.array(run_x))  # predict mode: finishes deferred initialisation
    for k, p in run_net.collect_params().items():
        value = p.data().asnumpy()
        arrays[f"{cid}/init/{k}"] = _channels_last(value, n) if via and "weight" in k else value
    values = {}
    for k, p in run_net.collect_params().items():
        values[k] = _values(rng, k, p.shape)
        p.set_data(nd.array(values[k]))
    if via:  # the channels-last layer's parameters: same values, weight in channels-last shape
        rec["params_after"] = [
            [k, list(v.shape) if "weight" not in k else list(_channels_last(values[k], n).shape)]
            for k, v in run_net.collect_params().items()
        ]
        for k in values:
            if "weight" in k:
                values[k] = np.ascontiguousarray(_channels_last(values[k], n))
    else:
        rec["params_after"] = _names_shapes(net)
        rec["repr_after"] = repr(net)
    rec["structural"] = sorted(net._collect_params_with_prefix().keys())
    rec["grad_req"] = {k: p.grad_req for k, p in net.collect_params().items()}
    head = rng.uniform(-1, 1, run_net(nd.array(run_x)).shape).astype(np.float32)
    out, dx, grads = _step(run_net, run_x, head, rec["train"], rec["no_grad"], rec["int_input"])
    pred = run_net(nd.array(run_x)).asnumpy()
    after = {k: p.data().asnumpy() for k, p in run_net.collect_params().items() if "running" in k}
    if via:
        out, pred = _channels_last(out, n), _channels_last(pred, n)
        head = _channels_last(head, n)
        dx = None if dx is None else _channels_last(dx, n)
        grads = {k: (_channels_last(g, n) if "weight" in k else g) for k, g in grads.items()}
    arrays[f"{cid}/x"] = x
    arrays[f"{cid}/head"] = head
    arrays[f"{cid}/out"] = out
    arrays[f"{cid}/pred"] = pred
    if dx is not None:
        arrays[f"{cid}/dx"] = dx
    for k, v in values.items():
        arrays[f"{cid}/param/{k}"] = v
    for k, v in grads.items():
        arrays[f"{cid}/grad/{k}"] = v
    for k, v in after.items():
        arrays[f"{cid}/after/{k}"] = v
    return rec


def _given_args(ctor, env):
    """The names (in MXNet's signature) of the arguments the constructor call passes."""
    cls_expr, _, rest = ctor.partition("(")
    args, kwargs = eval(f"(lambda *a, **k: (a, k))({rest}", env)
    cls = eval(cls_expr, env)
    return list(inspect.signature(cls).bind_partial(*args, **kwargs).arguments)


def run_error(ctor, shape, env):
    print("error case", ctor, flush=True)
    rec = {"ctor": ctor, "args": _given_args(ctor, env)}
    try:
        with mx.name.NameManager():
            net = eval(ctor, env)
    except Exception as err:  # noqa: BLE001 - the error is the golden value
        rec.update(at="construction", error=type(err).__name__, message=str(err).split("\n")[-1][:300])
        return rec
    if shape is None:
        rec.update(at="use", error="crash")
        return rec
    try:
        net.initialize()
        net(nd.ones(shape)).wait_to_read()
        rec.update(at="never")
    except Exception as err:  # noqa: BLE001
        rec.update(at="use", error=type(err).__name__, message=str(err).strip().split("\n")[-1][:300])
    return rec


def main():
    env = {"mx": mx, "nd": nd, "nn": nn, "cnn": cnn, "init": init, "np": np}
    arrays, cases = {}, {}
    for cid, program, shape, opts in CASES:
        print("case", cid, flush=True)
        cases[cid] = run_case(cid, program, shape, opts, env, arrays)
    errors = [run_error(c, s, env) for c, s in ERRORS]
    with open(os.path.join(GOLDEN, "layer_golden.json"), "w") as f:
        json.dump({"mxnet": mx.__version__, "cases": cases, "errors": errors}, f, indent=1)
    np.savez_compressed(os.path.join(GOLDEN, "layer_golden.npz"), **arrays)
    print(f"wrote {len(cases)} layer cases, {len(errors)} error cases, {len(arrays)} arrays")


if __name__ == "__main__":
    main()
