"""Gluon blocks, Parameters and initializers: behaviour and error messages."""

import numpy as np
import pytest
from mxnet.base import MXNetError
from mxnet.gluon import nn

import mxnet as mx
from mxnet import autograd, gluon, init, nd


def test_wrong_input_width_names_block_op_and_shapes():
    net = nn.Sequential()
    net.add(nn.Dense(1))
    net.initialize()
    net(nd.ones((4, 2)))
    w = net[0].weight.data().asnumpy()
    with pytest.raises(MXNetError) as info:
        net(nd.ones((4, 3)))
    msg = str(info.value)
    assert "FullyConnected" in msg and "(1, 2)" in msg and "(4, 3)" in msg and "(Dense)" in msg
    np.testing.assert_array_equal(net[0].weight.data().asnumpy(), w)


def test_mismatched_shapes_in_ops_name_the_op():
    with pytest.raises(MXNetError, match=r"broadcast_add.*lhs \(2, 3\) float32, rhs \(4,\) float32"):
        nd.ones((2, 3)) + nd.ones((4,))


def test_data_before_initialize_and_before_first_forward():
    d = nn.Dense(3)
    with pytest.raises(MXNetError, match=r"Parameter 'dense\d+_weight' has not been initialized"):
        d.weight.data()
    d.initialize()
    with pytest.raises(gluon.DeferredInitializationError, match="deferred"):
        d.weight.data()
    d(nd.ones((2, 5)))
    assert d.weight.shape == (3, 5) and d.weight.data().shape == (3, 5)


def test_in_units_initializes_immediately():
    d = nn.Dense(3, in_units=4)
    d.initialize(init.One())
    assert d.weight.data().asnumpy().tolist() == [[1] * 4] * 3


def test_flatten_false_acts_on_last_axis():
    d = nn.Dense(2, flatten=False)
    d.initialize()
    assert d(nd.ones((5, 3, 4))).shape == (5, 3, 2)
    assert d.weight.shape == (2, 4)


def test_activation_and_no_bias():
    d = nn.Dense(2, in_units=2, activation="relu", use_bias=False)
    d.initialize(init.Constant(-1.0))
    assert d.bias is None
    assert d(nd.ones((1, 2))).asnumpy().tolist() == [[0, 0]]
    assert sorted(d.collect_params().keys()) == [d.prefix + "weight"]


def test_layer_initializer_wins_over_global():
    d = nn.Dense(2, in_units=2, weight_initializer=init.Constant(3.0))
    d.initialize(init.Normal(sigma=100))
    assert d.weight.data().asnumpy().tolist() == [[3, 3], [3, 3]]
    assert d.bias.data().asnumpy().tolist() == [0, 0]


def test_initializers_by_name_and_statistics():
    p = gluon.Parameter("x_weight", shape=(200, 300))
    p.initialize(init="normal")
    assert abs(p.data().asnumpy().std() - 0.01) < 0.001
    p.initialize(init=init.Uniform(0.5), force_reinit=True)
    a = p.data().asnumpy()
    assert a.min() >= -0.5 and a.max() <= 0.5 and abs(a.std() - 0.5 / np.sqrt(3)) < 0.01
    p.initialize(init="xavier", force_reinit=True)
    bound = np.sqrt(3 / ((200 + 300) / 2))
    a = p.data().asnumpy()
    assert a.min() >= -bound and a.max() <= bound and a.max() > 0.9 * bound
    p.initialize(init="zeros", force_reinit=True)
    assert not p.data().asnumpy().any()
    p.initialize(init=init.Xavier(rnd_type="gaussian", factor_type="in", magnitude=2), force_reinit=True)
    assert abs(p.data().asnumpy().std() - np.sqrt(2 / 300)) < 0.005
    with pytest.raises(AssertionError, match="nosuch is not registered"):
        init.create("nosuch")


def test_initializer_name_rules_without_explicit_init():
    gamma, beta = nd.zeros((3,)), nd.ones((3,))
    init.Uniform()("bn_gamma", gamma)
    init.Uniform()("bn_beta", beta)
    assert gamma.asnumpy().tolist() == [1, 1, 1] and beta.asnumpy().tolist() == [0, 0, 0]
    with pytest.raises(ValueError, match="Unknown initialization pattern for something"):
        init.Uniform()("something", nd.zeros((2,)))
    with pytest.raises(ValueError, match="cannot be applied to vector v"):
        init.Xavier()(init.InitDesc("v", {"__init__": "xavier"}), nd.zeros((3,)))


def test_register_custom_initializer():
    @init.register
    class Halves(init.Initializer):
        def _init_weight(self, name, arr):
            arr[:] = 0.5

    d = nn.Dense(1, in_units=2)
    d.initialize("halves")
    assert d.weight.data().asnumpy().tolist() == [[0.5, 0.5]]
    assert init.create(init.Normal(0.1).dumps()).sigma == 0.1


def test_parameter_api():
    p = gluon.Parameter("fc_weight", shape=(2, 3), lr_mult=2.0, wd_mult=0.5)
    p.initialize(init=init.One(), ctx=[mx.cpu(0), mx.cpu(1)])
    assert p.list_ctx() == [mx.cpu(0), mx.cpu(1)]
    assert [d.context for d in p.list_data()] == [mx.cpu(0), mx.cpu(1)]
    assert p.data(mx.cpu(1)).context == mx.cpu(1) and p.grad(mx.cpu(1)).shape == (2, 3)
    with pytest.raises(MXNetError, match=r"was not initialized on context cpu\(5\)"):
        p.data(mx.cpu(5))
    p.set_data(nd.ones((2, 3)) * 4)
    assert p.data(mx.cpu(1)).asnumpy().max() == 4
    p.grad_req = "null"
    with pytest.raises(MXNetError, match="grad_req='null'"):
        p.grad()
    with pytest.raises(AssertionError, match="grad_req must be one of"):
        p.grad_req = "sometimes"
    with pytest.raises(RuntimeError, match="storage type is default. Please use data"):  # MXNet's message
        p.row_sparse_data(nd.array([0]))
    q = gluon.Parameter("v", shape=(2, 0))
    with pytest.raises(ValueError, match="invalid shape"):
        q.initialize()


def test_parameterdict_api():
    pd = gluon.ParameterDict("net_")
    w = pd.get("weight", shape=(2, 3))
    b = pd.get("bias", shape=(2,), init="zeros")
    assert list(pd.keys()) == ["net_weight", "net_bias"] and len(pd) == 2 and "net_bias" in pd
    assert pd.get("weight") is w and pd["net_bias"] is b
    pd.initialize(init.One())
    assert w.data().asnumpy().sum() == 6 and b.data().asnumpy().sum() == 0
    pd.setattr("wd_mult", 0.0)
    assert w.wd_mult == 0 and b.wd_mult == 0
    with pytest.raises(AssertionError, match="different Parameters with the same name 'net_weight'"):
        other = gluon.ParameterDict("net_")
        other.get("weight", shape=(2, 3))
        pd.update(other)
    with pytest.raises(KeyError, match="specify value"):
        pd.get_constant("c")
    c = pd.get_constant("c", [1, 2])
    assert c.grad_req == "null"


def test_grad_buffers_filled_by_backward():
    net = nn.Sequential()
    net.add(nn.Dense(1, in_units=2))
    net.initialize(init.One())
    with autograd.record():
        y = net(nd.array([[1.0, 2.0], [3.0, 5.0]]))
    y.backward()
    assert net[0].weight.grad().asnumpy().tolist() == [[4, 7]]
    assert net[0].bias.grad().asnumpy().tolist() == [2]


def test_custom_block_and_hybrid_block():
    class Scale(gluon.HybridBlock):
        def __init__(self, **kwargs):
            super().__init__(**kwargs)
            with self.name_scope():
                self.alpha = self.params.get("alpha", shape=(1,), init="ones")
                self.inner = nn.Dense(2, in_units=2)

        def hybrid_forward(self, F, x, alpha):
            return F.broadcast_mul(self.inner(x), alpha)

    blk = Scale(prefix="scale_")
    assert sorted(blk.collect_params().keys()) == ["scale_alpha", "scale_dense0_bias", "scale_dense0_weight"]
    blk.initialize(init.One())
    out = blk(nd.ones((1, 2)))
    blk.hybridize()
    assert blk(nd.ones((1, 2))).asnumpy().tolist() == out.asnumpy().tolist() == [[2, 2]]

    class Plain(gluon.Block):
        def __init__(self, **kwargs):
            super().__init__(**kwargs)
            with self.name_scope():
                self.dense = nn.Dense(3)

        def forward(self, x):
            return self.dense(x).relu()

    m = Plain()
    m.initialize()
    assert m(nd.ones((2, 5))).shape == (2, 3)
    assert m.dense.prefix == m.prefix + "dense0_"


def test_hooks_apply_and_indexing():
    net = nn.HybridSequential()
    with net.name_scope():
        net.add(nn.Dense(2), nn.Dense(1))
    net.initialize()
    seen = []
    h = net.register_forward_pre_hook(lambda blk, args: seen.append(("pre", blk.name)))
    net.register_forward_hook(lambda blk, args, out: seen.append(("post", out.shape)))
    net(nd.ones((3, 4)))
    assert seen == [("pre", net.name), ("post", (3, 1))]
    h.detach()
    names = []
    net.apply(lambda b: names.append(type(b).__name__))
    assert names == ["Dense", "Dense", "HybridSequential"]
    assert isinstance(net[-1], nn.Dense) and len(net[:1]) == 1


def test_hybrid_forward_requires_ndarray():
    d = nn.Dense(1)
    d.initialize()
    with pytest.raises(TypeError, match="must be an NDArray"):
        d([[1.0, 2.0]])
