"""Small MXNet 1.9.1 names: mx.random.generalized_negative_binomial, mx.context.gpu_memory_info,
gluon.utils.HookHandle and shape_is_known. Expected behaviour as observed on MXNet 1.9.1 (noted per test)
or worked out by hand."""

import pickle
from collections import OrderedDict

import numpy as np
import pytest
from mxnet.base import MXNetError

import mxnet as mx
from mxnet import gluon, nd


def test_random_generalized_negative_binomial_is_the_nd_sampler():
    assert mx.random.generalized_negative_binomial is nd.random.generalized_negative_binomial
    mx.random.seed(3)
    x = mx.random.generalized_negative_binomial(mu=2.0, alpha=0.5, shape=(20000,)).asnumpy()
    # mean mu, variance mu + alpha * mu^2 = 4; the sample mean is within 5 standard errors
    assert abs(x.mean() - 2.0) < 5 * np.sqrt(4.0 / x.size)
    assert abs(x.var() - 4.0) < 0.3
    assert (x == np.round(x)).all() and x.min() >= 0


def test_gpu_memory_info():
    n = mx.context.num_gpus()
    with pytest.raises(MXNetError, match=f"no CUDA GPU {n} "):
        mx.context.gpu_memory_info(n)
    if n == 0:  # MXNet built without CUDA raises MXNetError too
        with pytest.raises(MXNetError, match="no CUDA GPU 0"):
            mx.context.gpu_memory_info()
    else:
        free, total = mx.context.gpu_memory_info(0)
        assert isinstance(free, int) and isinstance(total, int) and 0 < free <= total


def test_block_hooks_use_hook_handle_keyed_by_function():
    net = gluon.nn.Dense(2)
    net.initialize()
    calls = []

    def hook(block, inputs, output):
        calls.append(output.shape)

    h1 = net.register_forward_hook(hook)
    h2 = net.register_forward_hook(hook)
    assert isinstance(h1, gluon.utils.HookHandle)
    net(nd.ones((1, 3)))
    assert calls == [(1, 2)]  # one function registered twice runs once (MXNet 1.9.1 does the same)
    h2.detach()  # both handles name the same entry
    net(nd.ones((1, 3)))
    assert calls == [(1, 2)]
    h1.detach()  # detaching again is harmless


def test_hook_handle_attach_detach_and_pickle():
    hooks = OrderedDict()
    h = gluon.utils.HookHandle()
    h.attach(hooks, len)
    assert list(hooks.values()) == [len]
    with pytest.raises(AssertionError, match="cannot be attached twice"):
        h.attach(hooks, abs)
    assert list(hooks.values()) == [len]
    with h:
        pass
    assert not hooks
    with pytest.raises(TypeError):  # as in MXNet: the dict must be weakly referenceable
        gluon.utils.HookHandle().attach({}, len)
    h2 = gluon.utils.HookHandle()
    h2.attach(hooks, len)
    copy = pickle.loads(pickle.dumps(h2))
    copy.detach()  # its dict is a copy: the original keeps the hook
    assert list(hooks.values()) == [len]
    h2.detach()
    assert not hooks


def test_shape_is_known():
    # values observed on MXNet 1.9.1 (legacy shape semantics: 0 is an unknown size)
    su = gluon.utils.shape_is_known
    assert [su(None), su(()), su((2, 0)), su((2, 3)), su([1])] == [False, False, False, True, True]
    with pytest.raises(AssertionError, match="cannot be less than 0, while received -1"):
        su((2, -1))
