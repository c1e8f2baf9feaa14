"""mx.operator custom ops: registration, forward, backward through autograd, kwargs as strings."""

import numpy as np
import pytest

import mxnet as mx
from mxnet import autograd, nd


class _Scale(mx.operator.CustomOp):
    def __init__(self, factor):
        self.factor = factor

    def forward(self, is_train, req, in_data, out_data, aux):
        self.assign(out_data[0], req[0], in_data[0] * self.factor)

    def backward(self, req, out_grad, in_data, out_data, in_grad, aux):
        self.assign(in_grad[0], req[0], out_grad[0] * self.factor)


@mx.operator.register("test_scale")
class _ScaleProp(mx.operator.CustomOpProp):
    def __init__(self, factor="2"):
        super().__init__(need_top_grad=True)
        self.factor = float(factor)

    def list_arguments(self):
        return ["data"]

    def list_outputs(self):
        return ["output"]

    def infer_shape(self, in_shape):
        return in_shape, [in_shape[0]], []

    def create_operator(self, ctx, shapes, dtypes):
        return _Scale(self.factor)


class _SoftmaxCE(mx.operator.CustomOp):
    """The classic MXNet custom-op example: softmax forward, (p - onehot) backward, label without grad."""

    def forward(self, is_train, req, in_data, out_data, aux):
        x = in_data[0].asnumpy()
        y = np.exp(x - x.max(axis=1, keepdims=True))
        self.assign(out_data[0], req[0], nd.array(y / y.sum(axis=1, keepdims=True)))

    def backward(self, req, out_grad, in_data, out_data, in_grad, aux):
        label = in_data[1].asnumpy().astype(int)
        y = out_data[0].asnumpy().copy()
        y[np.arange(label.shape[0]), label] -= 1.0
        self.assign(in_grad[0], req[0], nd.array(y))


@mx.operator.register("test_softmax_ce")
class _SoftmaxCEProp(mx.operator.CustomOpProp):
    def __init__(self):
        super().__init__(need_top_grad=False)

    def list_arguments(self):
        return ["data", "label"]

    def infer_shape(self, in_shape):
        return [in_shape[0], (in_shape[0][0],)], [in_shape[0]], []

    def create_operator(self, ctx, shapes, dtypes):
        return _SoftmaxCE()


def test_forward_and_kwargs_as_strings():
    x = nd.array([[1.0, 2.0]])
    assert nd.Custom(x, op_type="test_scale").asnumpy().tolist() == [[2, 4]]
    assert nd.Custom(x, op_type="test_scale", factor=3).asnumpy().tolist() == [[3, 6]]
    assert "test_scale" in mx.operator.get_all_registered_operators()


def test_backward_through_autograd():
    x = nd.array([[1.0, 2.0]])
    x.attach_grad()
    with autograd.record():
        y = nd.Custom(x, op_type="test_scale", factor=5) * 2
    y.backward()
    assert x.grad.asnumpy().tolist() == [[10, 10]]


def test_softmax_cross_entropy_example():
    x = nd.array([[1.0, 2.0, 3.0], [1.0, 1.0, 1.0]])
    label = nd.array([2, 0])
    x.attach_grad()
    with autograd.record():
        p = nd.Custom(x, label, op_type="test_softmax_ce")
    p.backward()
    e = np.exp(np.array([[1.0, 2, 3], [1, 1, 1]]))
    prob = e / e.sum(1, keepdims=True)
    np.testing.assert_allclose(p.asnumpy(), prob, rtol=1e-6)
    prob[[0, 1], [2, 0]] -= 1
    np.testing.assert_allclose(x.grad.asnumpy(), prob, rtol=1e-6)


def test_errors():
    with pytest.raises(mx.base.MXNetError, match="no custom operator registered as 'nope'"):
        nd.Custom(nd.ones((1,)), op_type="nope")
    with pytest.raises(mx.base.MXNetError, match=r"expected 2 arguments"):
        nd.Custom(nd.ones((2, 3)), op_type="test_softmax_ce")
    with pytest.raises(TypeError):
        mx.operator.register("bad")(int)
