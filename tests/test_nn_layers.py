"""gluon.nn and gluon.contrib.nn layers against MXNet 1.9.1.

Golden files: tests/golden/layer_golden.json / .npz, written by tools/gen_layer_golden.py. Every layer
configuration there goes through check_block (names, shapes, repr, deferred init, output, gradients,
hybridize, save/load); every bad constructor argument there must fail at construction.
"""

import json
import os
import warnings

import numpy as np
import pytest
from mxnet.gluon import nn
from mxnet.gluon.contrib import nn as cnn

import mxnet as mx
from mxnet import autograd, init, nd

from .check_block import case_arrays, check_block, fresh, program_maker
from .conftest import GOLDEN

with open(os.path.join(GOLDEN, "layer_golden.json")) as _f:
    _GOLDEN = json.load(_f)
_ARRAYS = np.load(os.path.join(GOLDEN, "layer_golden.npz"))
ENV = {"mx": mx, "nd": nd, "nn": nn, "cnn": cnn, "init": init, "np": np}


def _arrays(cid: str) -> dict:
    return case_arrays(_ARRAYS, cid)


def _maker(program: str):
    return program_maker(ENV, program)


@pytest.mark.parametrize("cid", sorted(_GOLDEN["cases"]))
def test_layer_matches_mxnet(cid, tmp_path):
    case = _GOLDEN["cases"][cid]
    arrays = _arrays(cid)
    check_block(_maker(case["program"]), arrays["x"], case, arrays, str(tmp_path), init=init.Constant(0.37))


_ERRORS = {
    "AssertionError": AssertionError,
    "ValueError": ValueError,
    "MXNetError": mx.base.MXNetError,
}


@pytest.mark.parametrize("case", _GOLDEN["errors"], ids=lambda c: c["ctor"])
def test_bad_constructor_argument_fails_at_construction(case):
    """Where MXNet rejects the argument at construction we raise the same exception type; where it
    only fails at first use (or crashes, or never notices) we fail earlier, at construction, with an
    MXNetError that names the argument."""
    if case["at"] == "construction":
        with pytest.raises(_ERRORS[case["error"]]) as info:
            eval(case["ctor"], dict(ENV))
        if case["message"] and case["error"] == "AssertionError":
            assert str(info.value) == case["message"]
        if case["error"] == "MXNetError":  # ours names the argument (MXNet's names the operator parameter)
            assert any(name in str(info.value) for name in case["args"]), (case["args"], str(info.value))
        return
    with pytest.raises(mx.base.MXNetError) as info:
        eval(case["ctor"], dict(ENV))
    # the message names one of the arguments given (names from MXNet's signature, recorded by the generator)
    assert any(name in str(info.value) for name in case["args"]), (case["args"], str(info.value))


def test_conv_error_messages_name_the_argument():
    with pytest.raises(mx.base.MXNetError, match="strides"):
        nn.Conv2D(3, 3, strides=(1, 1, 1))
    with pytest.raises(mx.base.MXNetError, match="channels"):
        nn.Conv2D(0, 3)
    with pytest.raises(mx.base.MXNetError, match="groups"):
        nn.Conv2D(3, 3, groups=0)  # MXNet dies with SIGFPE here
    with pytest.raises(mx.base.MXNetError, match="activation"):
        nn.Dense(3, activation="foo")


def test_deferred_transposed_conv_with_groups():
    # MXNet cannot even construct this (its shape inference treats the unknown channel count as 1);
    # the layer is well defined, so regluon learns in_channels from the input.
    layer = nn.Conv2DTranspose(6, 3, groups=2)
    layer.initialize()
    assert layer(nd.ones((1, 4, 5, 5))).shape == (1, 6, 7, 7)
    assert layer.weight.shape == (4, 3, 3, 3)


def test_dropout_training_statistics():
    layer = nn.Dropout(0.25)
    x = nd.ones((400, 50))
    with autograd.record():
        y = layer(x).asnumpy()
    kept = y != 0
    assert abs(1 - kept.mean() - 0.25) < 0.02
    np.testing.assert_allclose(y[kept], 1 / 0.75, rtol=1e-6)
    shared = nn.Dropout(0.5, axes=(1,))
    with autograd.record():
        z = shared(nd.ones((20, 30, 4))).asnumpy()
    assert (z == z[:, :1, :]).all()  # one decision along axis 1
    assert (layer(x).asnumpy() == 1).all()  # predict mode: identity


def test_syncbatchnorm_warns_without_num_devices_and_is_not_in_nn():
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        bn = cnn.SyncBatchNorm()
    assert any(issubclass(w.category, UserWarning) for w in caught)
    assert "ndev=1" in repr(bn)
    assert not hasattr(nn, "SyncBatchNorm") and not hasattr(nn, "Identity")
    assert mx.gluon.contrib.nn.SyncBatchNorm is cnn.SyncBatchNorm


def test_batchnorm_cast_float16_keeps_float32():
    bn = nn.BatchNorm(in_channels=2)
    bn.initialize()
    bn.cast("float16")
    assert np.dtype(bn.gamma.data().dtype) == np.float32


def test_norm_layer_rejects_wrong_axis():
    bn = nn.BatchNorm(axis=5)
    bn.initialize()
    with pytest.raises(mx.base.MXNetError, match="axis"):
        bn(nd.ones((2, 3)))


def test_shared_parameters_between_conv_layers():
    a = fresh(lambda: nn.Conv2D(2, 3))
    b = nn.Conv2D(2, 3, params=a.collect_params())
    a.initialize()
    x = nd.ones((1, 3, 5, 5))
    np.testing.assert_array_equal(a(x).asnumpy(), b(x).asnumpy())
    assert b.weight is a.weight


def test_sequential_of_new_layers_without_golden(tmp_path):
    def make():
        net = nn.HybridSequential()
        with net.name_scope():
            net.add(
                nn.Conv2D(4, 3, padding=1, layout="NHWC"),
                nn.BatchNorm(axis=3),
                nn.Activation("relu"),
                nn.GlobalAvgPool2D(layout="NHWC"),
                nn.Flatten(),
                nn.Dense(3),
            )
        return net

    check_block(make, np.random.uniform(size=(2, 6, 6, 3)).astype("float32"), tmp_dir=str(tmp_path))


def test_docstring_examples_run():
    import doctest

    from mxnet.gluon import contrib

    from regluon.gluon.contrib.nn import basic_layers as contrib_layers
    from regluon.gluon.nn import activations, basic_layers, conv_layers, pooling_layers

    globs = {"mx": mx, "nd": nd, "nn": nn, "contrib": contrib, "init": init}
    for module in (activations, basic_layers, conv_layers, pooling_layers, contrib_layers):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            result = doctest.testmod(module, extraglobs=globs, optionflags=doctest.NORMALIZE_WHITESPACE)
        assert result.attempted > 0 and result.failed == 0, module.__name__


def test_every_layer_has_golden_cases():
    programs = " ".join(case["program"] for case in _GOLDEN["cases"].values())
    layers = [n for n in nn.__all__ if isinstance(getattr(nn, n), type) and n not in ("Block", "HybridBlock")]
    missing = [n for n in layers if f"nn.{n}(" not in programs]
    # SparseEmbedding's golden values are in tests/test_gluon_contrib.py (MXNet needs a Trainer for it)
    missing += [n for n in cnn.__all__ if f"cnn.{n}(" not in programs and n != "SparseEmbedding"]
    assert not missing, f"layers without MXNet golden cases: {missing}"
