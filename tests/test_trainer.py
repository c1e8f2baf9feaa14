"""Optimizer and Trainer: MXNet's SGD rule (worked by hand), lr/wd multipliers, stale gradients, errors."""

import numpy as np
import pytest
from mxnet.base import MXNetError
from mxnet.gluon import nn

import mxnet as mx
from mxnet import autograd, gluon, nd


def _dense(in_units=2, units=1, w=(1.0, -1.0), b=0.5, ctx=None):
    net = nn.Dense(units, in_units=in_units)
    net.initialize(ctx=ctx)
    net.weight.set_data(nd.array([w]))
    net.bias.set_data(nd.array([b]))
    return net


def _backward(net, x, ctx=None):
    with autograd.record():
        y = net(nd.array(x, ctx=ctx)).sum()
    y.backward()


def test_sgd_step_follows_mxnet_rule_by_hand():
    net = _dense()
    trainer = gluon.Trainer(net.collect_params(), "sgd", {"learning_rate": 0.1, "wd": 0.01})
    x = [[1.0, 2.0], [3.0, 4.0]]
    _backward(net, x)  # dL/dw = column sums = [4, 6]; dL/db = 2
    trainer.step(2)  # rescale 1/2: g_w = [2, 3], g_b = 1
    # w = (1 - lr*wd) * w - lr * g
    np.testing.assert_allclose(net.weight.data().asnumpy(), [[0.999 * 1 - 0.2, 0.999 * -1 - 0.3]], rtol=1e-6)
    np.testing.assert_allclose(net.bias.data().asnumpy(), [0.999 * 0.5 - 0.1], rtol=1e-6)


def test_sgd_momentum_keeps_lr_inside_the_state():
    net = _dense()
    trainer = gluon.Trainer(net.collect_params(), "sgd", {"learning_rate": 0.1, "momentum": 0.5})
    w, mom = np.array([1.0, -1.0]), np.zeros(2)
    for _ in range(3):
        _backward(net, [[1.0, 2.0]])  # g = [1, 2]
        trainer.step(1)
        mom = 0.5 * mom - 0.1 * np.array([1.0, 2.0])
        w = w + mom
    np.testing.assert_allclose(net.weight.data().asnumpy()[0], w, rtol=1e-6)


def test_clip_gradient_applies_after_rescale():
    net = _dense()
    trainer = gluon.Trainer(net.collect_params(), "sgd", {"learning_rate": 1.0, "clip_gradient": 0.5})
    _backward(net, [[1.0, 4.0]])  # g = [1, 4] -> rescale 1/2 -> [0.5, 2] -> clip -> [0.5, 0.5]
    trainer.step(2)
    np.testing.assert_allclose(net.weight.data().asnumpy(), [[0.5, -1.5]], rtol=1e-6)


def test_lr_mult_and_wd_mult():
    net = _dense()
    net.weight.lr_mult = 0.0
    net.bias.wd_mult = 0.0
    trainer = gluon.Trainer(net.collect_params(), "sgd", {"learning_rate": 0.1, "wd": 0.5})
    _backward(net, [[1.0, 2.0]])
    trainer.step(1)
    np.testing.assert_allclose(net.weight.data().asnumpy(), [[1.0, -1.0]])
    np.testing.assert_allclose(net.bias.data().asnumpy(), [0.5 - 0.1 * 1.0], rtol=1e-6)


def test_grad_req_null_is_skipped_and_add_accumulates():
    net = _dense()
    net.bias.grad_req = "null"
    trainer = gluon.Trainer(net.collect_params(), "sgd", {"learning_rate": 0.1})
    _backward(net, [[1.0, 1.0]])
    trainer.step(1)
    assert net.bias.data().asscalar() == 0.5
    acc = _dense()
    acc.collect_params().setattr("grad_req", "add")
    _backward(acc, [[1.0, 1.0]])
    _backward(acc, [[1.0, 1.0]])
    assert acc.weight.grad().asnumpy().tolist() == [[2.0, 2.0]]
    acc.collect_params().zero_grad()
    assert acc.weight.grad().asnumpy().tolist() == [[0.0, 0.0]]


def test_step_before_backward_raises_stale_gradient_error():
    net = _dense()
    trainer = gluon.Trainer(net.collect_params(), "sgd", {"learning_rate": 0.1})
    with pytest.raises(MXNetError, match=r"Gradient of Parameter `dense\d+_bias` on context cpu\(0\)"):
        trainer.step(1)
    with pytest.raises(UserWarning):  # MXNet raises it as a UserWarning; both catch it
        trainer.step(1)
    before = net.weight.data().asnumpy()
    trainer.step(1, ignore_stale_grad=True)
    np.testing.assert_array_equal(net.weight.data().asnumpy(), before)


def test_second_step_without_backward_is_stale():
    net = _dense()
    trainer = gluon.Trainer(net.collect_params(), "sgd", {"learning_rate": 0.1})
    _backward(net, [[1.0, 1.0]])
    trainer.step(1)
    with pytest.raises(UserWarning, match="ignore_stale_grad=True"):
        trainer.step(1)


@pytest.mark.parametrize("bad", [0, -3, None, "10"])
def test_bad_batch_size(bad):
    net = _dense()
    trainer = gluon.Trainer(net.collect_params(), "sgd", {"learning_rate": 0.1})
    _backward(net, [[1.0, 1.0]])
    before = net.weight.data().asnumpy()
    with pytest.raises(ValueError, match="batch_size must be a positive number"):
        trainer.step(bad)
    np.testing.assert_array_equal(net.weight.data().asnumpy(), before)


def test_learning_rate_and_optimizer_instances():
    net = _dense()
    sgd = mx.optimizer.SGD(learning_rate=0.2, momentum=0.9)
    trainer = gluon.Trainer(net.collect_params(), sgd)
    assert trainer.learning_rate == 0.2 and trainer.optimizer is sgd
    trainer.set_learning_rate(0.05)
    assert trainer.learning_rate == 0.05
    with pytest.raises(ValueError, match="optimizer_params must be None"):
        gluon.Trainer(net.collect_params(), sgd, {"learning_rate": 1})
    with pytest.raises(ValueError, match="Cannot find optimizer adamw2"):
        gluon.Trainer(net.collect_params(), "adamw2")
    assert isinstance(mx.optimizer.create("sgd"), mx.optimizer.SGD)


def test_allreduce_then_update_equals_step():
    a, b = _dense(), _dense()
    ta = gluon.Trainer(a.collect_params(), "sgd", {"learning_rate": 0.1})
    tb = gluon.Trainer(b.collect_params(), "sgd", {"learning_rate": 0.1})
    for net in (a, b):
        _backward(net, [[1.0, 3.0]])
    ta.step(4)
    tb.allreduce_grads()
    tb.update(4)
    np.testing.assert_array_equal(a.weight.data().asnumpy(), b.weight.data().asnumpy())


def test_two_contexts_sum_gradients_like_mxnet():
    ctxs = [mx.cpu(0), mx.cpu(1)]
    net = _dense(ctx=ctxs)
    trainer = gluon.Trainer(net.collect_params(), "sgd", {"learning_rate": 0.1})
    for ctx, x in zip(ctxs, ([[1.0, 2.0]], [[3.0, 4.0]])):
        _backward(net, x, ctx=ctx)
    trainer.step(2)  # summed g_w = [4, 6] -> /2 -> [2, 3]
    for ctx in ctxs:
        np.testing.assert_allclose(net.weight.data(ctx).asnumpy(), [[0.8, -1.3]], rtol=1e-6)
    assert net.weight.data(mx.cpu(1)).context == mx.cpu(1)


def test_multi_tensor_update_equals_single_updates():
    rng = np.random.RandomState(0)
    ws = [rng.randn(3, 2).astype("float32") for _ in range(5)]
    gs = [rng.randn(3, 2).astype("float32") for _ in range(5)]
    ms = [rng.randn(3, 2).astype("float32") for _ in range(5)]
    lrs, wds = [0.1, 0.2, 0.3, 0.4, 0.5], [0.0, 0.01, 0.02, 0.0, 0.1]
    single = [nd.array(w) for w in ws]
    moms1 = [nd.array(m) for m in ms]
    for w, g, m, lr, wd in zip(single, gs, moms1, lrs, wds):
        nd.sgd_mom_update(w, nd.array(g), m, out=w, lr=lr, wd=wd, momentum=0.9, rescale_grad=0.5)
    multi = [nd.array(w) for w in ws]
    moms2 = [nd.array(m) for m in ms]
    data = [a for w, g, m in zip(multi, gs, moms2) for a in (w, nd.array(g), m)]
    nd.multi_sgd_mom_update(*data, out=multi, lrs=lrs, wds=wds, momentum=0.9, rescale_grad=0.5, num_weights=5)
    for a, b in zip(single, multi):
        np.testing.assert_allclose(a.asnumpy(), b.asnumpy(), rtol=1e-6)
    plain = [nd.array(w) for w in ws]
    data = [a for w, g in zip(plain, gs) for a in (w, nd.array(g))]
    nd.multi_sgd_update(*data, out=plain, lrs=lrs, wds=wds, num_weights=5)
    for w0, g, lr, wd, got in zip(ws, gs, lrs, wds, plain):
        np.testing.assert_allclose(got.asnumpy(), (1 - lr * wd) * w0 - lr * g, rtol=1e-5, atol=1e-6)


def test_update_op_without_out_leaves_weight_alone():
    w = nd.ones((2,))
    new = nd.sgd_update(w, nd.ones((2,)), lr=0.5)
    assert w.asnumpy().tolist() == [1, 1] and new.asnumpy().tolist() == [0.5, 0.5]


def test_trainer_rejects_non_parameters():
    with pytest.raises(ValueError, match="list or dict of Parameters"):
        gluon.Trainer([nd.ones((1,))], "sgd")


def _step(net, trainer, x=((1.0, 2.0),), batch=1):
    _backward(net, [list(r) for r in x])
    trainer.step(batch)


def test_save_and_load_states_continue_the_same_trajectory(tmp_path):
    a = _dense()
    ta = gluon.Trainer(a.collect_params(), "adam", {"learning_rate": 0.1, "wd": 0.01})
    for _ in range(3):
        _step(a, ta)
    fname = str(tmp_path / "t.states")
    ta.save_states(fname)
    b = _dense(w=a.weight.data().asnumpy()[0], b=float(a.bias.data().asscalar()))
    tb = gluon.Trainer(b.collect_params(), "adam", {"learning_rate": 0.5})
    tb.load_states(fname)
    assert tb.learning_rate == 0.1 and tb.optimizer.num_update == 3  # the optimizer's settings come back
    for _ in range(2):
        _step(a, ta)
        _step(b, tb)
    np.testing.assert_array_equal(a.weight.data().asnumpy(), b.weight.data().asnumpy())
    # the file is an nd.save dict with a JSON header: readable without unpickling anything
    content = nd.load(fname)
    header = bytes(content.pop("__regluon_states__").asnumpy()).decode()
    assert '"format": "regluon.optimizer.states"' in header and len(content) == 4  # mean, var x 2


def test_load_states_checks_the_model_and_changes_nothing_on_failure(tmp_path):
    a = _dense()
    ta = gluon.Trainer(a.collect_params(), "sgd", {"learning_rate": 0.1, "momentum": 0.9})
    _step(a, ta)
    fname = str(tmp_path / "a.states")
    ta.save_states(fname)
    other = nn.Dense(1, in_units=3, prefix="other_")
    other.initialize()
    to = gluon.Trainer(other.collect_params(), "sgd", {"learning_rate": 0.2, "momentum": 0.9})
    with pytest.raises(MXNetError, match=r"saved for Parameter 'dense\d+_bias' at position 0.*another model"):
        to.load_states(fname)
    assert to.learning_rate == 0.2 and to.optimizer.num_update == 0
    wrong_opt = gluon.Trainer(a.collect_params(), "adam")
    with pytest.raises(MXNetError, match="holds SGD states but this Trainer uses Adam"):
        wrong_opt.load_states(fname)
    with open(tmp_path / "mx.states", "wb") as f:
        f.write(b"\x80\x04\x95 an MXNet pickle")
    with pytest.raises(MXNetError, match="never unpickles"):
        ta.load_states(str(tmp_path / "mx.states"))


_SCHEDULES = {
    "factor": ("FactorScheduler", {"step": 2, "factor": 0.5, "base_lr": 0.2, "warmup_steps": 2}),
    "multifactor": (
        "MultiFactorScheduler",
        {"step": [3, 5], "factor": 0.3, "base_lr": 0.2, "warmup_steps": 2},
    ),
    "poly": ("PolyScheduler", {"max_update": 7, "base_lr": 0.2, "pwr": 2, "warmup_steps": 2}),
    "cosine": ("CosineScheduler", {"max_update": 7, "base_lr": 0.2, "final_lr": 0.01, "warmup_steps": 3}),
}


@pytest.mark.parametrize("fresh", [True, False], ids=["fresh_scheduler", "no_scheduler"])
@pytest.mark.parametrize("kind", list(_SCHEDULES))
def test_states_resume_the_learning_rate_schedule(tmp_path, kind, fresh):
    # 4 steps, save, load into a new Trainer (with a scheduler in its initial state, or none), 4 more
    # steps: the rates and weights are those of 8 uninterrupted steps
    cls, kwargs = _SCHEDULES[kind]

    def trainer(net, sched=True):
        extra = {"lr_scheduler": getattr(mx.lr_scheduler, cls)(**kwargs)} if sched else {"learning_rate": 0.7}
        return gluon.Trainer(net.collect_params(), "sgd", {"momentum": 0.9, **extra})

    ref = _dense()
    t_ref = trainer(ref)
    a = _dense()
    ta = trainer(a)
    lrs_ref, lrs = [], []
    for k in range(8):
        if k == 4:
            ta.save_states(str(tmp_path / "s.states"))
            a = _dense(w=a.weight.data().asnumpy()[0], b=float(a.bias.data().asscalar()))
            ta = trainer(a, sched=fresh)
            ta.load_states(str(tmp_path / "s.states"))
        x = ((1.0, 2.0 + k),)
        _step(ref, t_ref, x)
        _step(a, ta, x)
        lrs_ref.append(t_ref.learning_rate)
        lrs.append(ta.learning_rate)
    assert lrs == lrs_ref and len(set(lrs)) > 2  # the schedule moved, before and after the reload
    assert type(ta.optimizer.lr_scheduler).__name__ == cls
    np.testing.assert_array_equal(a.weight.data().asnumpy(), ref.weight.data().asnumpy())
    np.testing.assert_array_equal(a.bias.data().asnumpy(), ref.bias.data().asnumpy())


def test_states_with_an_unknown_scheduler_class_change_nothing(tmp_path):
    class Halving(mx.lr_scheduler.LRScheduler):
        def __call__(self, num_update):
            return self.base_lr / 2 ** (num_update // 2)

    a = _dense()
    ta = gluon.Trainer(a.collect_params(), "sgd", {"lr_scheduler": Halving(base_lr=1.0), "momentum": 0.5})
    for _ in range(3):
        _step(a, ta)
    fname = str(tmp_path / "h.states")
    ta.save_states(fname)
    plain = gluon.Trainer(a.collect_params(), "sgd", {"learning_rate": 0.3})
    with pytest.raises(MXNetError, match="lr_scheduler of class 'Halving'.*attach an instance"):
        plain.load_states(fname)
    assert plain.learning_rate == 0.3 and plain.optimizer.num_update == 0
    own = gluon.Trainer(a.collect_params(), "sgd", {"lr_scheduler": Halving(base_lr=0.8)})
    own.load_states(fname)  # a scheduler of that class takes the saved attributes (base_lr=1.0)
    assert own.learning_rate == 1.0 / 2 ** (3 // 2) and own.optimizer.num_update == 3


def test_states_whose_shapes_differ_from_the_parameter_load(tmp_path):
    # GroupAdaGrad keeps one history value per row: its (4, 1) state loads back for a (4, 3) weight;
    # a weight of another row count is refused
    def trainer(rows):
        p = gluon.Parameter("emb_weight", shape=(rows, 3))
        p.initialize(init=mx.init.One())
        return p, gluon.Trainer([p], "groupadagrad", {"learning_rate": 0.1})

    p, t = trainer(4)
    p.grad()[:] = nd.arange(12).reshape((4, 3))
    p.data()._fresh_grad = True
    t.step(1)
    t.save_states(str(tmp_path / "g.states"))
    q, u = trainer(4)
    u.load_states(str(tmp_path / "g.states"))
    history = u._updaters[0].states[0] if u._updaters else None
    assert history is not None and history.shape == (4, 1)
    np.testing.assert_allclose(
        history.asnumpy().ravel(), (np.arange(12).reshape(4, 3) ** 2).mean(1), rtol=1e-6
    )
    _, wrong = trainer(5)
    with pytest.raises(
        MXNetError,
        match=r"have shapes \[\(4, 1\)\], but the Parameter has shape \(5, 3\) and GroupAdaGrad keeps .*\(5, 1\)",
    ):
        wrong.load_states(str(tmp_path / "g.states"))


def test_update_on_kvstore_with_two_contexts_like_mxnet():
    ctxs = [mx.cpu(0), mx.cpu(1)]
    net = _dense(ctx=ctxs)
    trainer = gluon.Trainer(net.collect_params(), "sgd", {"learning_rate": 0.1})
    msg = r"allreduce_grads\(\) when parameters are updated on kvstore is not supported"
    with pytest.raises(AssertionError, match=msg):
        trainer.allreduce_grads()
    with pytest.raises(AssertionError, match=r"update\(\) when parameters are updated on kvstore"):
        trainer.update(1)
    local = gluon.Trainer(net.collect_params(), "sgd", {"learning_rate": 0.1}, update_on_kvstore=False)
    for ctx, x in zip(ctxs, ([[1.0, 2.0]], [[3.0, 4.0]])):
        _backward(net, x, ctx=ctx)
    local.allreduce_grads()
    local.update(2)
    for ctx in ctxs:
        np.testing.assert_allclose(net.weight.data(ctx).asnumpy(), [[0.8, -1.3]], rtol=1e-6)


def test_kvstore_none_keeps_each_copy_on_its_own_gradient():
    ctxs = [mx.cpu(0), mx.cpu(1)]
    net = _dense(ctx=ctxs)
    trainer = gluon.Trainer(net.collect_params(), "sgd", {"learning_rate": 0.1}, kvstore=None)
    for ctx, x in zip(ctxs, ([[1.0, 2.0]], [[3.0, 4.0]])):
        _backward(net, x, ctx=ctx)
    trainer.step(1)
    np.testing.assert_allclose(net.weight.data(ctxs[0]).asnumpy(), [[0.9, -1.2]], rtol=1e-6)
    np.testing.assert_allclose(net.weight.data(ctxs[1]).asnumpy(), [[0.7, -1.4]], rtol=1e-6)


def test_trainer_arguments():
    net = _dense()
    with pytest.raises(TypeError, match="kvstore must be KVStore, str or None"):
        gluon.Trainer(net.collect_params(), "sgd", kvstore=3)
    t = gluon.Trainer(
        net.collect_params(),
        "Adam",
        {"learning_rate": 0.01},
        kvstore="local",
        compression_params={"type": "2bit"},
    )
    assert isinstance(t.optimizer, mx.optimizer.Adam) and t.learning_rate == 0.01
    with pytest.raises(AssertionError, match="optimizer_params must be None"):
        gluon.Trainer(net.collect_params(), mx.optimizer.SGD(), {"learning_rate": 1})
    sched = gluon.Trainer(net.collect_params(), "sgd", {"lr_scheduler": lambda n: 0.5})
    with pytest.raises(UserWarning, match="LRScheduler of the optimizer has already been defined"):
        sched.set_learning_rate(0.1)


def test_states_of_a_two_context_trainer_load_into_every_copy(tmp_path):
    ctxs = [mx.cpu(0), mx.cpu(1)]

    def run(net, trainer, steps):
        for _ in range(steps):
            for ctx, x in zip(ctxs, ([[1.0, 2.0]], [[3.0, -4.0]])):
                _backward(net, x, ctx=ctx)
            trainer.step(2)

    a = _dense(ctx=ctxs)
    ta = gluon.Trainer(a.collect_params(), "adam", {"learning_rate": 0.1}, update_on_kvstore=False)
    run(a, ta, 2)
    fname = str(tmp_path / "two.states")
    ta.save_states(fname)
    b = _dense(w=a.weight.data().asnumpy()[0], b=float(a.bias.data().asscalar()), ctx=ctxs)
    tb = gluon.Trainer(b.collect_params(), "adam", {"learning_rate": 0.1}, update_on_kvstore=False)
    tb.load_states(fname)
    run(a, ta, 2)
    run(b, tb, 2)
    for ctx in ctxs:
        np.testing.assert_array_equal(a.weight.data(ctx).asnumpy(), b.weight.data(ctx).asnumpy())
        assert b.weight.data(ctx).context == ctx
