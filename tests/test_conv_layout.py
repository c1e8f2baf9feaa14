"""Convolutions on CPU may hand back channels-last memory (regluon.ndarray.ops.conv._cpu_layout): the
array keeps its NCHW shape, only its strides change. Everything a user does with such an output must
see the same NCHW values. Expected values: NumPy (the direct convolution formula, then NumPy's own
reshape/indexing/transpose on that array); the layers' values against MXNet are in
tests/golden/layer_golden.* (cases conv2d_wide, conv2d_wide_groups, hybridsequential_wide).
"""

import numpy as np
import pytest
import torch

from mxnet import autograd, nd

RS = np.random.RandomState(7)
X = RS.uniform(-1, 1, (2, 3, 9, 9)).astype(np.float32)
W = RS.uniform(-0.5, 0.5, (32, 3, 3, 3)).astype(np.float32)
B = RS.uniform(-0.5, 0.5, (32,)).astype(np.float32)


def _conv_np(x, w, b):
    """Stride 1, pad 1 convolution by the formula, in float64."""
    xp = np.pad(x.astype(np.float64), ((0, 0), (0, 0), (1, 1), (1, 1)))
    h, v = x.shape[2:]
    out = np.zeros((x.shape[0], w.shape[0], h, v))
    for i in range(w.shape[2]):
        for j in range(w.shape[3]):
            out += np.einsum("nchw,oc->nohw", xp[:, :, i : i + h, j : j + v], w[:, :, i, j])
    return out + b.reshape(1, -1, 1, 1)


WANT = _conv_np(X, W, B)


def _conv():
    return nd.Convolution(nd.array(X), nd.array(W), nd.array(B), kernel=(3, 3), pad=(1, 1), num_filter=32)


def test_wide_convolution_runs_channels_last_on_cpu():
    y = _conv()
    if torch.backends.mkldnn.is_available():  # the fast path this file is about is taken
        t = y.to_torch()
        assert t.is_contiguous(memory_format=torch.channels_last) and not t.is_contiguous()
    assert y.shape == (2, 32, 9, 9)
    np.testing.assert_allclose(y.asnumpy(), WANT, rtol=1e-5, atol=1e-5)


def test_channels_last_output_reads_as_nchw():
    y = _conv()
    a = y.asnumpy()
    assert a.flags.c_contiguous
    np.testing.assert_allclose(a, WANT, rtol=1e-5, atol=1e-5)
    for got, want in [
        (y.reshape((0, -1)), WANT.reshape(2, -1)),
        (y.reshape((-1,)), WANT.reshape(-1)),
        (y.reshape((0, 0, -3)), WANT.reshape(2, 32, 81)),
        (nd.Flatten(y), WANT.reshape(2, -1)),
        (y[1], WANT[1]),
        (y[:, 3], WANT[:, 3]),
        (y[0, 5:9, 2], WANT[0, 5:9, 2]),
        (y.T, WANT.T),
        (nd.transpose(y, (0, 2, 3, 1)), WANT.transpose(0, 2, 3, 1)),
        (nd.concat(y, nd.array(X), dim=1), np.concatenate([WANT, X], axis=1)),
        (nd.sum(y, axis=(2, 3)), WANT.sum(axis=(2, 3))),
        (y.copy(), WANT),
    ]:
        np.testing.assert_allclose(got.asnumpy(), want, rtol=1e-5, atol=1e-4)


def test_channels_last_output_saves_and_writes_as_nchw(tmp_path):
    y = _conv()
    path = str(tmp_path / "y.nd")
    nd.save(path, {"y": y})
    np.testing.assert_allclose(nd.load(path)["y"].asnumpy(), WANT, rtol=1e-5, atol=1e-5)
    y[1] = 0.0  # writes go to the NCHW positions
    y[0, 2, 3, 4] = 7.0
    want = WANT.copy()
    want[1] = 0.0
    want[0, 2, 3, 4] = 7.0
    np.testing.assert_allclose(y.asnumpy(), want, rtol=1e-5, atol=1e-5)


def test_channels_last_gradients_are_the_formula():
    """d/dW and d/dx of sum(conv(x, W) * head) by the formula."""
    head = RS.uniform(-1, 1, WANT.shape).astype(np.float32)
    x, w, b = nd.array(X), nd.array(W), nd.array(B)
    for a in (x, w, b):
        a.attach_grad()
    with autograd.record():
        y = nd.Convolution(x, w, b, kernel=(3, 3), pad=(1, 1), num_filter=32)
    y.backward(nd.array(head))
    xp = np.pad(X.astype(np.float64), ((0, 0), (0, 0), (1, 1), (1, 1)))
    dw = np.zeros(W.shape)
    dxp = np.zeros(xp.shape)
    for i in range(3):
        for j in range(3):
            dw[:, :, i, j] = np.einsum("nohw,nchw->oc", head, xp[:, :, i : i + 9, j : j + 9])
            dxp[:, :, i : i + 9, j : j + 9] += np.einsum("nohw,oc->nchw", head, W[:, :, i, j])
    np.testing.assert_allclose(w.grad.asnumpy(), dw, rtol=1e-4, atol=1e-4)
    np.testing.assert_allclose(x.grad.asnumpy(), dxp[:, :, 1:-1, 1:-1], rtol=1e-4, atol=1e-4)
    np.testing.assert_allclose(b.grad.asnumpy(), head.sum(axis=(0, 2, 3)), rtol=1e-4, atol=1e-4)
    assert w.grad.asnumpy().flags.c_contiguous


@pytest.mark.parametrize("fmt", ["channels_last", "nchw"])
def test_batchnorm_pooling_take_either_layout(fmt):
    """BatchNorm (training, with its backward) and pooling on a channels-last input give the NCHW
    formula's values: normalise per channel over (N, H, W); max over 3x3 windows, stride 2, pad 1."""
    y = _conv()
    if fmt == "nchw":
        y = nd.array(y.asnumpy())
    gamma, beta = nd.ones((32,)), nd.zeros((32,))
    mm, mv = nd.zeros((32,)), nd.ones((32,))
    for a in (y, gamma, beta):
        a.attach_grad()
    with autograd.record():
        z = nd.BatchNorm(y, gamma, beta, mm, mv, eps=1e-5, fix_gamma=False)
        p = nd.Pooling(z, kernel=(3, 3), stride=(2, 2), pad=(1, 1), pool_type="max")
    p.backward()
    a = y.asnumpy().astype(np.float64)
    mean, var = a.mean(axis=(0, 2, 3), keepdims=True), a.var(axis=(0, 2, 3), keepdims=True)
    zn = (a - mean) / np.sqrt(var + 1e-5)
    np.testing.assert_allclose(z.asnumpy(), zn, rtol=1e-4, atol=1e-4)
    zp = np.pad(zn, ((0, 0), (0, 0), (1, 1), (1, 1)), constant_values=-np.inf)
    pooled = np.stack(
        [
            np.stack([zp[:, :, 2 * r : 2 * r + 3, 2 * c : 2 * c + 3].max(axis=(2, 3)) for c in range(5)], -1)
            for r in range(5)
        ],
        -2,
    )
    np.testing.assert_allclose(p.asnumpy(), pooled, rtol=1e-4, atol=1e-4)
    # beta's gradient: how many times each channel's values are a window's maximum
    np.testing.assert_allclose(beta.grad.asnumpy(), np.full(32, 2 * 25.0), rtol=1e-5)
    np.testing.assert_allclose(mm.asnumpy(), 0.1 * mean.ravel(), rtol=1e-4, atol=1e-6)


def test_reshape_and_row_views_of_a_channels_last_output_write_through():
    # MXNet: x.reshape(...) and x[i] share storage with x, so writes through them change x
    y = _conv()
    z = y.reshape((2, -1))
    z[:] = 0
    assert np.all(y.asnumpy() == 0)
    y = _conv()
    y[1][:] = 5
    want = WANT.astype(np.float32).copy()
    want[1] = 5
    np.testing.assert_allclose(y.asnumpy(), want, rtol=1e-5, atol=1e-5)
