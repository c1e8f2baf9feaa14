"""nd.contrib.foreach / while_loop / cond: results as MXNet 1.9.1 gives them (values worked by hand)."""

from mxnet import autograd, nd


def test_foreach_stacks_outputs_and_threads_states():
    out, total = nd.contrib.foreach(lambda x, s: (x * 2, s + x), nd.arange(6).reshape((3, 2)), nd.zeros((2,)))
    assert out.asnumpy().tolist() == [[0, 2], [4, 6], [8, 10]] and total.asnumpy().tolist() == [6, 9]
    outs, states = nd.contrib.foreach(
        lambda x, s: ([x, x + 1], [s[0] + x]), nd.arange(4).reshape((2, 2)), [nd.zeros((2,))]
    )
    assert [o.asnumpy().tolist() for o in outs] == [[[0, 1], [2, 3]], [[1, 2], [3, 4]]]
    assert states[0].asnumpy().tolist() == [2, 4]


def test_while_loop_pads_to_max_iterations():
    out, states = nd.contrib.while_loop(
        lambda i, s: i < 3,
        lambda i, s: (i * 10, (i + 1, s + i)),
        (nd.array([0]), nd.array([0])),
        max_iterations=5,
    )
    assert out.shape == (5, 1) and out.asnumpy()[:3, 0].tolist() == [0, 10, 20]
    assert [s.asscalar() for s in states] == [3, 3]


def test_cond_and_gradients_through_foreach():
    assert nd.contrib.cond(nd.array([1]), lambda: nd.array([5]), lambda: nd.array([7])).asscalar() == 5
    assert nd.contrib.cond(nd.array([0]), lambda: nd.array([5]), lambda: nd.array([7])).asscalar() == 7
    w = nd.array([2.0])
    w.attach_grad()
    with autograd.record():
        _, s = nd.contrib.foreach(lambda x, s: (x, s * w + x), nd.array([[1.0], [1.0]]), nd.zeros((1,)))
    s.backward()  # s = (0*w + 1)*w + 1 = w + 1 -> ds/dw = 1
    assert w.grad.asscalar() == 1
