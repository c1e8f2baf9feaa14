"""gluon.utils against MXNet 1.9.1 (tests/golden/utils_golden.npz, tools/gen_utils_golden.py),
including the book's multi-device chapter run on two CPU contexts."""

import hashlib
import os
import warnings

import numpy as np
import pytest
from mxnet.gluon import loss as gloss
from mxnet.gluon import nn

import mxnet as mx
from mxnet import autograd, gluon, init, nd

from .conftest import GOLDEN

G = np.load(os.path.join(GOLDEN, "utils_golden.npz"))
SPLITS = [((5, 2), 2, 0), ((5, 2), 3, 0), ((5, 2), 4, 0), ((5, 2), 6, 0), ((2, 6), 4, 1), ((6, 3), 3, 0)]


@pytest.mark.parametrize("shape, n, axis", SPLITS)
def test_split_data_uneven_as_mxnet(shape, n, axis):
    x = nd.arange(int(np.prod(shape))).reshape(shape)
    parts = gluon.utils.split_data(x, n, batch_axis=axis, even_split=False)
    assert [p.shape[axis] for p in parts] == G[f"split/{shape}/{n}/{axis}"].tolist()
    np.testing.assert_array_equal(np.concatenate([p.asnumpy() for p in parts], axis=axis), x.asnumpy())


def test_split_data_even_check_and_split_and_load():
    x = nd.arange(10).reshape((5, 2))
    with pytest.raises(ValueError, match=r"cannot be evenly split into 2 slices along axis 0"):
        gluon.utils.split_data(x, 2)
    parts = gluon.utils.split_and_load(x, [mx.cpu(0), mx.cpu(1)], even_split=False)
    assert [(p.shape, p.context) for p in parts] == [((3, 2), mx.cpu(0)), ((2, 2), mx.cpu(1))]
    one = gluon.utils.split_and_load(np.ones((4, 2)), [mx.cpu(1)])
    assert one[0].context == mx.cpu(1) and one[0].dtype == np.float32


@pytest.mark.parametrize("max_norm", [6.5, 20.0])
def test_clip_global_norm_as_mxnet(max_norm):
    arrays = [nd.array([3.0, 4.0]), nd.array([[12.0]])]
    norm = gluon.utils.clip_global_norm(arrays, max_norm)
    assert isinstance(norm, np.float32) and norm == G[f"clip/{max_norm}/norm"]
    np.testing.assert_allclose(arrays[0].asnumpy(), G[f"clip/{max_norm}/a0"], rtol=1e-6)
    np.testing.assert_allclose(arrays[1].asnumpy(), G[f"clip/{max_norm}/a1"], rtol=1e-6)


def test_clip_global_norm_nonfinite_and_unchecked():
    arrays = [nd.array([np.inf, 1.0])]
    with pytest.warns(UserWarning, match="nan or inf is detected"):
        norm = gluon.utils.clip_global_norm(arrays, 1.0)
    assert np.isinf(norm) and np.isinf(G["clip/inf/norm"])
    np.testing.assert_array_equal(arrays[0].asnumpy(), G["clip/inf/a0"])
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        out = gluon.utils.clip_global_norm([nd.array([3.0, 4.0])], 10, check_isfinite=False)
    assert isinstance(out, nd.NDArray) and out.shape == (1,) and out.asscalar() == 5
    with pytest.raises(AssertionError):
        gluon.utils.clip_global_norm([], 1.0)


def test_check_sha1_and_offline_download(tmp_path):
    f = tmp_path / "a.txt"
    f.write_bytes(b"hello")
    assert gluon.utils.check_sha1(str(f), hashlib.sha1(b"hello").hexdigest())
    assert not gluon.utils.check_sha1(str(f), "0" * 40)
    # an existing file with the right hash is not fetched again
    assert gluon.utils.download("http://127.0.0.1:9/a.txt", path=str(tmp_path)) == str(f)
    target = tmp_path / "sub" / "b.bin"
    with pytest.raises(mx.MXNetError) as info:
        gluon.utils.download("http://127.0.0.1:9/data/b.bin", path=str(target), retries=0)
    assert "http://127.0.0.1:9/data/b.bin" in str(info.value) and str(target) in str(info.value)
    assert not target.exists()


def test_book_multi_device_chapter_on_two_cpu_contexts():
    """split_and_load, one loss per context, Trainer summing gradients: MXNet's trajectory."""
    ctx = [mx.cpu(0), mx.cpu(1)]
    X, Y = G["md/X"], G["md/Y"]
    with mx.name.NameManager():
        net = nn.Sequential()
        net.add(nn.Conv2D(4, 3, activation="relu"), nn.BatchNorm(), nn.Dense(3))
    net.initialize(init.Constant(0.05), ctx=ctx)
    net(nd.array(X[:2], ctx=ctx[0]))
    trainer = gluon.Trainer(net.collect_params(), "sgd", {"learning_rate": 0.1})
    loss = gloss.SoftmaxCrossEntropyLoss()
    for step in range(3):
        gpu_Xs = gluon.utils.split_and_load(nd.array(X), ctx)
        gpu_ys = gluon.utils.split_and_load(nd.array(Y), ctx)
        with autograd.record():
            ls = [loss(net(gX), gy) for gX, gy in zip(gpu_Xs, gpu_ys)]
        for l in ls:
            l.backward()
        trainer.step(8)
        for i, l in enumerate(ls):
            assert l.context == ctx[i]
            np.testing.assert_allclose(l.asnumpy(), G["md/losses"][step][i], rtol=1e-5, atol=1e-6)
    for name, p in net._collect_params_with_prefix().items():
        for i, c in enumerate(ctx):
            np.testing.assert_allclose(p.data(c).asnumpy(), G[f"md/param/{name}/{i}"], rtol=1e-5, atol=1e-6)
