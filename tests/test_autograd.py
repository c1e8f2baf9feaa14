"""autograd: recording scopes, grad_req, persistent gradient buffers, grad(), errors.

Expected gradients are worked by hand from the formulas in each test.
"""

import numpy as np
import pytest
from mxnet.base import MXNetError

import mxnet as mx
from mxnet import autograd, nd


def test_scopes_set_recording_and_training():
    assert not autograd.is_recording() and not autograd.is_training()
    with autograd.record():
        assert autograd.is_recording() and autograd.is_training()
        with autograd.pause():
            assert not autograd.is_recording() and not autograd.is_training()
        with autograd.predict_mode():
            assert autograd.is_recording() and not autograd.is_training()
    with autograd.record(train_mode=False):
        assert autograd.is_recording() and not autograd.is_training()
    with autograd.train_mode():
        assert autograd.is_training() and not autograd.is_recording()
    assert not autograd.is_recording() and not autograd.is_training()
    prev = autograd.set_recording(True)
    assert prev is False and autograd.is_recording()
    autograd.set_recording(False)
    assert autograd.set_training(True) is False
    autograd.set_training(False)


def test_scopes_restore_after_exceptions():
    with pytest.raises(ZeroDivisionError), autograd.record():
        1 / 0
    assert not autograd.is_recording()


def test_vector_head_uses_implicit_ones():
    x = nd.array([1.0, 2.0, 3.0])
    x.attach_grad()
    with autograd.record():
        y = x * x  # dy/dx = 2x, summed over an implicit head gradient of ones
    y.backward()
    assert x.grad.asnumpy().tolist() == [2, 4, 6]


def test_out_grad_weights_the_head():
    x = nd.array([1.0, 2.0])
    x.attach_grad()
    with autograd.record():
        y = 3 * x
    y.backward(nd.array([10.0, -1.0]))
    assert x.grad.asnumpy().tolist() == [30, -3]


def test_write_overwrites_and_add_accumulates_in_the_same_buffer():
    x = nd.array([1.0, 2.0])
    x.attach_grad()
    buf = x.grad
    for _ in range(2):
        with autograd.record():
            y = (x * x).sum()
        y.backward()
    assert x.grad is buf and buf.asnumpy().tolist() == [2, 4]
    z = nd.array([1.0, 2.0])
    z.attach_grad(grad_req="add")
    for _ in range(3):
        with autograd.record():
            y = (z * z).sum()
        y.backward()
    assert z.grad.asnumpy().tolist() == [6, 12]


def test_null_keeps_no_gradient():
    x = nd.array([1.0])
    x.attach_grad(grad_req="null")
    w = nd.array([2.0])
    w.attach_grad()
    with autograd.record():
        y = x * w
    y.backward()
    assert x.grad.asnumpy().tolist() == [0] and w.grad.asnumpy().tolist() == [1]


def test_variable_used_twice_gets_summed_gradient():
    x = nd.array([3.0])
    x.attach_grad()
    with autograd.record():
        y = x * x + 2 * x  # 2x + 2 = 8
    y.backward()
    assert x.grad.asnumpy().tolist() == [8]


def test_retain_graph_allows_second_backward():
    x = nd.array([1.0, 2.0])
    x.attach_grad(grad_req="add")
    with autograd.record():
        y = (x * x).sum()
    y.backward(retain_graph=True)
    y.backward()
    assert x.grad.asnumpy().tolist() == [4, 8]


def test_second_backward_without_retain_is_an_mxnet_error():
    x = nd.array([1.0])
    x.attach_grad()
    with autograd.record():
        y = x * 2
    y.backward()
    with pytest.raises(MXNetError, match="not in a computational graph"):
        y.backward()


def test_backward_on_unrecorded_array_is_an_mxnet_error():
    with pytest.raises(MXNetError, match="autograd.record"):
        nd.ones((2,)).backward()


def test_pause_stops_recording():
    x = nd.array([1.0])
    x.attach_grad()
    with autograd.record():
        y = x * 2
        with autograd.pause():
            z = y * 3
    assert not z._tensor.requires_grad


def test_mark_variables_uses_given_buffers():
    x = nd.array([1.0, 2.0])
    gx = nd.zeros((2,))
    autograd.mark_variables([x], [gx], grad_reqs="write")
    with autograd.record():
        y = (x * x * x).sum()  # 3x^2
    y.backward()
    assert gx.asnumpy().tolist() == [3, 12] and x.grad is gx
    with pytest.raises(ValueError, match="same length"):
        autograd.mark_variables([x], [gx, gx])


def test_autograd_grad_does_not_touch_buffers_and_supports_higher_order():
    x = nd.array([2.0])
    x.attach_grad()
    with autograd.record():
        y = x * x * x
        (dx,) = autograd.grad(y, [x], create_graph=True)  # 3x^2 = 12
        z = dx * 1
    assert dx.asnumpy().tolist() == [12]
    assert x.grad.asnumpy().tolist() == [0]
    z.backward()  # d(3x^2)/dx = 6x = 12
    assert x.grad.asnumpy().tolist() == [12]
    with autograd.record():
        y = x * 5
    assert autograd.grad(y, x).asnumpy().tolist() == [5]


def test_fresh_grad_flag_is_set_by_backward():
    x = nd.array([1.0])
    x.attach_grad()
    assert not x._fresh_grad
    with autograd.record():
        y = x * 2
    y.backward()
    assert x._fresh_grad
    x._fresh_grad = False
    assert not x._fresh_grad


def test_reductions_and_indexing_are_differentiable():
    x = nd.array([[1.0, 2.0], [3.0, 4.0]])
    x.attach_grad()
    with autograd.record():
        y = x[:, 1].sum() + x.mean()
    y.backward()
    np.testing.assert_allclose(x.grad.asnumpy(), [[0.25, 1.25], [0.25, 1.25]])


def test_attach_grad_rejects_bad_req():
    with pytest.raises(ValueError, match="grad_req"):
        nd.ones((1,)).attach_grad("sometimes")


def test_grad_on_other_context():
    x = nd.array([1.0, 2.0], ctx=mx.cpu(1))
    x.attach_grad()
    with autograd.record():
        y = x * 4
    y.backward()
    assert x.grad.context == mx.cpu(1) and x.grad.asnumpy().tolist() == [4, 4]
