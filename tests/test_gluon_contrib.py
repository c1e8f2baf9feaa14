"""gluon.contrib against MXNet 1.9.1: contrib.cnn's deformable convolutions, contrib.nn's
SparseEmbedding and SyncBatchNorm, contrib.data's IntervalSampler.

Golden files: tests/golden/contrib_golden.json / .npz and contrib_cnn_net.params (MXNet's own
save_parameters file), written by tools/gen_contrib_golden.py. MXNet's CPU build has no backward for
ModulatedDeformableConvolution, so those gradients are checked against central finite differences.
"""

import json
import os

import numpy as np
import pytest
from mxnet.gluon import contrib, nn
from mxnet.gluon.contrib import cnn as ccnn
from mxnet.gluon.contrib import nn as cnn

import mxnet as mx
from mxnet import autograd, gluon, init, nd

from .check_block import case_arrays, check_block, close, fresh, program_maker
from .conftest import GOLDEN

with open(os.path.join(GOLDEN, "contrib_golden.json")) as _f:
    _GOLDEN = json.load(_f)
_ARRAYS = np.load(os.path.join(GOLDEN, "contrib_golden.npz"))
ENV = {"mx": mx, "nd": nd, "nn": nn, "cnn": cnn, "ccnn": ccnn, "init": init, "np": np}


def _arrays(cid: str) -> dict:
    return case_arrays(_ARRAYS, cid)


def _maker(program: str):
    return program_maker(ENV, program)


@pytest.mark.parametrize("cid", sorted(_GOLDEN["cases"]))
def test_contrib_layer_matches_mxnet(cid, tmp_path):
    case = _GOLDEN["cases"][cid]
    arrays = _arrays(cid)
    check_block(_maker(case["program"]), arrays["x"], case, arrays, str(tmp_path), init=init.Constant(0.37))


@pytest.mark.parametrize("case", _GOLDEN["errors"], ids=lambda c: c["ctor"])
def test_bad_deformable_argument_fails(case):
    """MXNet's layout assertion is kept as is; every other bad argument (which MXNet rejects with an
    MXNetError or IndexError at construction, or only at the first forward) raises an MXNetError
    naming one of the arguments given: at construction, or at the first forward where only the
    input's channel count shows the mistake."""
    if case["error"] == "AssertionError":
        with pytest.raises(AssertionError, match=case["message"]):
            eval(case["ctor"], dict(ENV))
        return
    with pytest.raises(mx.base.MXNetError) as info:
        layer = eval(case["ctor"], dict(ENV))
        layer.initialize()
        layer(nd.ones(case["shape"]))
    assert any(name in str(info.value) for name in case["args"]), (case["args"], str(info.value))


def test_deformable_network_loads_mxnet_params():
    rec = _GOLDEN["net"]
    net = fresh(_maker(rec["program"]))
    path = os.path.join(GOLDEN, "contrib_cnn_net.params")
    assert sorted(nd.load(path)) == rec["structural"]
    net.load_parameters(path)
    close(net(nd.array(_ARRAYS["net/x"])), _ARRAYS["net/out"], "output with MXNet's saved parameters")
    net.hybridize()
    close(net(nd.array(_ARRAYS["net/x"])), _ARRAYS["net/out"], "hybridized output")


def test_modulated_deformable_gradients_match_finite_differences():
    rng = np.random.RandomState(3)
    net = ccnn.ModulatedDeformableConvolution(4, 3, padding=1, groups=2, num_deformable_group=2)
    net.initialize()
    net.cast("float64")
    x = nd.array(rng.uniform(-1, 1, (1, 4, 4, 5)), dtype="float64")
    net(x)
    params = dict(net.collect_params().items())
    for p in params.values():
        p.set_data(nd.array(rng.uniform(-0.5, 0.5, p.shape), dtype="float64"))
    head = rng.uniform(-1, 1, (1, 4, 4, 5))
    x.attach_grad()
    with autograd.record():
        out = net(x)
    out.backward(nd.array(head, dtype="float64"))
    arrays = {"data": x, **{k: p.data() for k, p in params.items()}}
    grads = {"data": x.grad.asnumpy(), **{k: p.grad().asnumpy() for k, p in params.items()}}
    eps = 1e-6
    for name, arr in arrays.items():
        for flat in rng.choice(arr.size, min(arr.size, 4), replace=False):
            index = np.unravel_index(flat, arr.shape)
            saved = float(arr[index].asscalar())
            sides = []
            for value in (saved + eps, saved - eps):
                arr[index] = value
                sides.append(float((net(x).asnumpy() * head).sum()))
            arr[index] = saved
            want = (sides[0] - sides[1]) / (2 * eps)
            got = grads[name][index]
            assert abs(got - want) < 1e-6 + 1e-5 * abs(want), (name, index, got, want)


def test_deformable_layers_learn_in_channels_and_reject_bad_input():
    layer = ccnn.DeformableConvolution(4, 3)
    assert layer.deformable_conv_weight.shape == (4, 0, 3, 3)
    layer.initialize()
    assert layer(nd.ones((1, 2, 5, 5))).shape == (1, 4, 3, 3)
    assert repr(layer).startswith("DeformableConvolution(2 -> 4, ")
    with pytest.raises(mx.base.MXNetError, match="DeformableConvolution"):
        layer(nd.ones((1, 3, 5, 5)))  # the channel count is fixed now
    modulated = ccnn.ModulatedDeformableConvolution(2, 3)
    modulated.initialize()
    with pytest.raises(mx.base.MXNetError, match="Convolution"):
        modulated(nd.ones((1, 2, 5)))  # 3-d data for a 2-d kernel


def test_sparse_embedding_matches_mxnet():
    rec = _GOLDEN["sparse_embedding"]
    net = fresh(lambda: cnn.SparseEmbedding(10, 3))
    assert net.prefix == rec["prefix"]
    assert [[k, list(p.shape)] for k, p in net.collect_params().items()] == rec["params"]
    assert repr(net) == rec["repr"]
    assert repr(cnn.SparseEmbedding(5, 2, dtype="float64")) == rec["repr_float64"]
    net.initialize()
    trainer = gluon.Trainer(net.collect_params(), "sgd", {"learning_rate": 0.5})
    net.weight.set_data(nd.array(_ARRAYS["sparse/weight"]))
    with autograd.record():
        out = net(nd.array(_ARRAYS["sparse/x"]))
    out.backward(nd.array(_ARRAYS["sparse/head"]))
    close(out, _ARRAYS["sparse/out"], "output")
    assert net.weight.grad().stype == "row_sparse"
    close(net.weight.grad(), _ARRAYS["sparse/grad"], "weight gradient (MXNet's row-sparse, as dense)")
    trainer.step(2)
    close(net.weight.row_sparse_data(nd.arange(10)), _ARRAYS["sparse/after"], "weight after one SGD step")


def test_sparse_embedding_loads_mxnet_params_with_a_row_sparse_weight():
    net = cnn.SparseEmbedding(10, 3)
    net.load_parameters(os.path.join(GOLDEN, "contrib_sparse_embedding.params"))
    trainer = gluon.Trainer(net.collect_params(), "sgd")  # noqa: F841 - it serves the row-sparse weight
    close(
        net.weight.row_sparse_data(nd.arange(10)), _ARRAYS["sparse/after"], "weight loaded from MXNet's file"
    )


def test_nd_load_reads_mxnet_sparse_arrays_as_dense(tmp_path):
    path = os.path.join(GOLDEN, "contrib_sparse_arrays.nd")
    loaded = nd.load(path)
    assert sorted(loaded) == ["csr", "dense", "rsp", "rsp_empty"]
    for name, value in loaded.items():
        want = _ARRAYS[f"sparse_arrays/{name}"]
        assert value.dtype == want.dtype, name
        close(value, want, name)
    with open(path, "rb") as f:
        blob = f.read()
    for cut in (30, 60, 100, len(blob) - 40):
        bad = tmp_path / f"cut{cut}.nd"
        bad.write_bytes(blob[:cut])
        with pytest.raises(mx.base.MXNetError, match="truncated|corrupt"):
            nd.load(str(bad))


def test_sparse_embedding_refuses_out_of_bound_indices():
    # MXNet's row-sparse lookup fails for any index outside [0, input_dim - 1] (even 9.2 here)
    net = cnn.SparseEmbedding(10, 3)
    net.initialize()
    trainer = gluon.Trainer(net.collect_params(), "sgd")  # noqa: F841 - it serves the row-sparse weight
    for bad in ([-1.0], [9.2], [3.0, 10.0]):
        x = nd.array(bad)
        with pytest.raises(mx.base.MXNetError, match=r"out of bound.*\[0, 9\]"):
            net(x)
        assert x.asnumpy().tolist() == np.array(bad, np.float32).tolist()
    assert net(nd.array([9.0, 0.0])).shape == (2, 3)
    assert net(nd.zeros((0,))).shape == (0, 3)
    with pytest.raises(mx.base.MXNetError, match="input_dim"):
        cnn.SparseEmbedding(0, 3)


class _RecordingF:
    """An ``F`` that records which operators a block calls (and runs them with nd)."""

    def __init__(self):
        self.calls = []

    @property
    def contrib(self):
        return self

    def SyncBatchNorm(self, *args, **kwargs):
        self.calls.append(("contrib.SyncBatchNorm", kwargs))
        return nd.contrib.SyncBatchNorm(*args, **kwargs)

    def __getattr__(self, name):
        raise AssertionError(f"SyncBatchNorm called F.{name}")


def test_syncbatchnorm_calls_the_contrib_operator():
    bn = cnn.SyncBatchNorm(num_devices=2, momentum=0.8, epsilon=1e-4, scale=False, prefix="sbn_")
    bn.initialize()
    x = nd.array(np.arange(24).reshape(2, 3, 4))
    want = nn.BatchNorm(momentum=0.8, epsilon=1e-4, scale=False)
    want.initialize()
    F = _RecordingF()
    bn(x)  # finishes deferred initialisation
    params = {k: getattr(bn, k).data() for k in ("gamma", "beta", "running_mean", "running_var")}
    out = bn.hybrid_forward(F, x, **params)
    assert F.calls == [
        (
            "contrib.SyncBatchNorm",
            {
                "name": "fwd",
                "eps": 1e-4,
                "momentum": 0.8,
                "fix_gamma": True,
                "use_global_stats": False,
                "ndev": 2,
                "key": "sbn_",
            },
        )
    ]
    close(out, want(x).asnumpy(), "SyncBatchNorm output (one device) equals BatchNorm's")


@pytest.mark.parametrize("case", _GOLDEN["interval_sampler"], ids=lambda c: str(c["args"]))
def test_interval_sampler_matches_mxnet(case):
    if "error" in case:
        with pytest.raises(AssertionError, match=case["message"]):
            contrib.data.IntervalSampler(*case["args"])
        return
    sampler = contrib.data.IntervalSampler(*case["args"])
    assert list(sampler) == case["order"]
    assert len(sampler) == case["len"]


def test_interval_sampler_refuses_non_positive_interval():
    for interval in (0, -2):
        with pytest.raises(ValueError, match="interval"):
            contrib.data.IntervalSampler(5, interval)


def test_interval_sampler_drives_a_dataloader():
    data = gluon.data.ArrayDataset(np.arange(7, dtype=np.float32))
    loader = gluon.data.DataLoader(data, batch_size=3, sampler=contrib.data.IntervalSampler(7, 3))
    assert [b.asnumpy().tolist() for b in loader] == [[0, 3, 6], [1, 4, 2], [5]]


# gluon.contrib subpackages regluon does not provide yet (see the report of the session that added
# contrib.cnn): contrib.rnn (cells), contrib.estimator, contrib.data.text (WikiText downloads)
_NOT_YET = {"rnn", "estimator", "data.text", "data.sampler"}


@pytest.mark.parametrize("sub", sorted(set(_GOLDEN["public_names"]) - _NOT_YET))
def test_public_names_of_mxnet_contrib_exist(sub):
    module = contrib
    for part in sub.split("."):
        module = getattr(module, part)
    missing = [n for n in _GOLDEN["public_names"][sub] if not hasattr(module, n) and n != "text"]
    assert not missing, f"gluon.contrib.{sub} lacks {missing}"
