"""nd.random: MXNet's calling conventions over the sampling operators; values are checked by moments
in the table-driven tests (test_ops.py), here the shapes, dtypes, dispatch and seeding."""

import numpy as np
import pytest

import mxnet as mx
from mxnet import nd


def test_scalar_parameters_and_shapes():
    assert nd.random.normal(0, 1, shape=(2, 3)).shape == (2, 3)
    assert nd.random.uniform(shape=5).shape == (5,)
    assert nd.random.normal().shape == (1,)
    assert nd.random.randn(2, 4).shape == (2, 4)
    assert nd.random.gamma(2, 1, shape=(3,), dtype="float64").dtype == np.float64
    assert nd.random.poisson(3, shape=(4,)).dtype == np.float32
    assert nd.random.randint(0, 10, shape=(3,)).dtype == np.int32
    assert nd.random.normal(shape=(2,), ctx=mx.cpu(1)).context == mx.cpu(1)


def test_array_parameters_draw_per_element():
    mu, sigma = nd.array([0.0, 100.0]), nd.array([1.0, 0.001])
    x = nd.random.normal(mu, sigma, shape=(3,))
    assert x.shape == (2, 3)
    assert abs(x[1].asnumpy() - 100).max() < 0.1
    lo, hi = nd.array([[0.0], [5.0]]), nd.array([[1.0], [6.0]])
    u = nd.random.uniform(lo, hi, shape=(4,)).asnumpy()
    assert u.shape == (2, 1, 4) and (u[1] >= 5).all()
    with pytest.raises(ValueError, match="all numbers or all NDArrays"):
        nd.random.normal(nd.array([0.0]), 1.0)


def test_like_forms_multinomial_shuffle():
    base = nd.zeros((3, 4), dtype="float64", ctx=mx.cpu(2))
    y = nd.random.uniform_like(base, low=2, high=3)
    assert y.shape == (3, 4) and y.dtype == np.float64 and y.context == mx.cpu(2) and y.asnumpy().min() >= 2
    assert nd.random.normal_like(base).shape == (3, 4)
    s, logp = nd.random.multinomial(nd.array([[0.0, 1.0], [1.0, 0.0]]), shape=3, get_prob=True)
    assert s.asnumpy().tolist() == [[1, 1, 1], [0, 0, 0]] and logp.asnumpy().max() == 0
    data = nd.arange(10)
    assert sorted(nd.random.shuffle(data).asnumpy().tolist()) == list(range(10))


def test_seed_reproduces_every_sampler():
    draws = []
    for _ in range(2):
        mx.random.seed(11)
        draws.append(
            [
                f().asnumpy()
                for f in (
                    lambda: nd.random.gamma(2, 2, shape=(4,)),
                    lambda: nd.random.exponential(2, shape=(4,)),
                    lambda: nd.random.negative_binomial(3, 0.5, shape=(4,)),
                    lambda: nd.random.randint(0, 100, shape=(4,)),
                )
            ]
        )
    for a, b in zip(*draws):
        np.testing.assert_array_equal(a, b)


def test_randint_rejects_empty_range():
    with pytest.raises(mx.base.MXNetError, match="high .* must be greater than low"):
        nd.random.randint(5, 5, shape=(2,))
