"""Every optimizer against MXNet 1.9.1: 30-step trajectories through Trainer and Updater.

The trajectories (with weight decay, rescale_grad, clip_gradient, lr_mult / wd_mult, float16 with
multi_precision, a learning-rate change at step 10 and a warmup scheduler) come from
tools/gen_optimizer_cases.py run under the oracle; the drivers here mirror the generator's.
"""

import json
import os
import warnings

import numpy as np
import pytest

import mxnet as mx
from mxnet import gluon, nd

from .conftest import GOLDEN
from .optimizer_programs import DRIVERS, run_trainer

_DATA = np.load(os.path.join(GOLDEN, "optimizer_cases.npz"))
CASES = json.loads(bytes(_DATA["index"]).decode())


class TableScheduler:
    """The learning rates MXNet's scheduler gave, by num_update (any callable is a scheduler)."""

    def __init__(self, table):
        self.table = table
        self.base_lr = None

    def __call__(self, num_update):
        lr = self.table[num_update]
        assert lr >= 0, f"the optimizer asked for num_update={num_update}, which MXNet's optimizer did not"
        return float(lr)


def _inputs(case):
    n = len(case["params"])
    key = case["name"]
    return [_DATA[f"{key}/init{k}"] for k in range(n)], [_DATA[f"{key}/grads{k}"] for k in range(n)]


@pytest.mark.parametrize("case", CASES, ids=[c["name"] for c in CASES])
def test_trajectory_matches_mxnet(case):
    inits, grads = _inputs(case)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        if case["driver"] == "trainer":
            sched = TableScheduler(_DATA[f"{case['name']}/sched"]) if case["sched"] else None
            traj = DRIVERS["trainer"](case, inits, grads, sched)
        else:
            traj = DRIVERS[case["driver"]](case, inits, grads)
    assert len(traj) == sum(k.startswith(f"{case['name']}/traj") for k in _DATA.files)
    fp16 = case["dtype"] == "float16"
    for k, got in enumerate(traj):
        want = _DATA[f"{case['name']}/traj{k}"]
        got = np.stack(got)
        assert got.dtype == want.dtype
        for t in range(case["steps"]):
            np.testing.assert_allclose(
                got[t],
                want[t],
                rtol=1e-3 if fp16 else 1e-6,
                atol=1e-3 if fp16 else 1e-6,
                err_msg=f"parameter {case['params'][k % len(case['params'])][0]} after step {t + 1}",
            )


# ---------------------------------------------------------------------------------------------
# the Optimizer API (facts checked on MXNet 1.9.1, values worked by hand)

NAMES = {0: "fc_weight", 1: "fc_bias", 2: "bn_gamma", 3: "bn_beta", 4: "emb"}


def test_create_is_case_insensitive_and_unknown_names_list_the_known_ones():
    assert isinstance(mx.optimizer.create("SGD"), mx.optimizer.SGD)
    assert isinstance(mx.optimizer.create("rmsProp"), mx.optimizer.RMSProp)
    with pytest.raises(ValueError, match=r"Cannot find optimizer foo; registered optimizers: .*adam.*sgd"):
        mx.optimizer.create("foo")
    expected = {"sgd", "nag", "signum", "ftml", "dcasgd", "sgld", "adam", "adagrad", "rmsprop", "adadelta"}
    expected |= {"ftrl", "adamax", "nadam", "lamb", "lars", "test"}
    assert expected <= set(mx.optimizer.Optimizer.opt_registry)


def test_register_a_custom_optimizer_and_train_with_it():
    @mx.optimizer.register
    class HalfStep(mx.optimizer.Optimizer):
        def update(self, index, weight, grad, state):
            self._update_count(index)
            weight[:] -= 0.5 * self._get_lr(index) * grad * self.rescale_grad

    p = gluon.Parameter("w", shape=(2,))
    p.initialize(mx.init.One())
    trainer = gluon.Trainer([p], "halfstep", {"learning_rate": 1.0})
    p.grad()[:] = nd.array([2.0, 4.0])
    p.data()._fresh_grad = True
    trainer.step(2)  # w -= 0.5 * 1 * g / 2
    np.testing.assert_allclose(p.data().asnumpy(), [0.5, 0.0])


def test_default_weight_decay_by_name_and_multipliers():
    opt = mx.optimizer.create("sgd", wd=0.1, learning_rate=1.0, param_idx2name=NAMES)
    assert [opt._get_wd(i) for i in range(6)] == [0.1, 0.0, 0.1, 0.0, 0.0, 0.1]  # only _weight/_gamma decay
    opt.set_lr_mult({"fc_bias": 0.5, 3: 2.0})
    opt.set_wd_mult({"emb": 3.0})
    assert [opt._get_lr(i) for i in range(6)] == [1.0, 0.5, 1.0, 2.0, 1.0, 1.0]
    np.testing.assert_allclose([opt._get_wd(i) for i in range(6)], [0.1, 0.0, 0.1, 0.0, 0.3, 0.1])
    lars = mx.optimizer.create("lars", wd=0.1, param_idx2name=NAMES)  # LARS: _weight only
    assert [lars._get_wd(i) for i in range(6)] == [0.1, 0.0, 0.0, 0.0, 0.0, 0.1]


def test_scheduler_drives_the_rate_and_blocks_set_learning_rate():
    opt = mx.optimizer.SGD(lr_scheduler=lambda n: 0.1 / (1 + n))
    assert opt.learning_rate == 0.1
    with pytest.raises(UserWarning, match="LRScheduler of the optimizer has already been defined"):
        opt.set_learning_rate(0.5)
    w = nd.ones((1,))
    mx.optimizer.get_updater(opt)(0, nd.ones((1,)), w)  # num_update 1 -> lr 0.05
    np.testing.assert_allclose(w.asnumpy(), [0.95], rtol=1e-6)


def test_begin_num_update_counts_from_there():
    opt = mx.optimizer.Adam(learning_rate=0.1, begin_num_update=5)
    w = nd.array([1.0])
    mx.optimizer.get_updater(opt)(0, nd.array([0.5]), w)
    assert opt.num_update == 6
    lr_t = 0.1 * np.sqrt(1 - 0.999**6) / (1 - 0.9**6)  # bias correction at t = 6
    m, v = 0.1 * 0.5, (1 - np.float32(0.999)) * 0.25
    np.testing.assert_allclose(w.asnumpy(), [1 - lr_t * m / (np.sqrt(v) + 1e-8)], rtol=1e-6)


def test_float16_without_multi_precision_warns_as_mxnet():
    with pytest.warns(UserWarning, match="multi_precision=True option of the SGD optimizer"):
        mx.optimizer.get_updater(mx.optimizer.SGD(momentum=0.9))(
            0, nd.ones(2, dtype="float16"), nd.ones(2, dtype="float16")
        )
    with pytest.warns(UserWarning, match="multi_precision=True option of the optimizer$"):
        mx.optimizer.get_updater(mx.optimizer.Adam())(
            0, nd.ones(2, dtype="float16"), nd.ones(2, dtype="float16")
        )


def test_multi_precision_keeps_a_float32_master():
    opt = mx.optimizer.SGD(learning_rate=1e-4, multi_precision=True)
    w = nd.ones((4,), dtype="float16")
    updater = mx.optimizer.get_updater(opt)
    for _ in range(10):  # 1e-4 steps vanish in float16 (spacing ~1e-3 at 1.0) but add up in the master
        updater(0, nd.ones((4,), dtype="float16"), w)
    master = updater.states[0][1]
    assert master.dtype == np.float32 and w.dtype == np.float16
    np.testing.assert_allclose(master.asnumpy(), 1 - 10 * 1e-4, rtol=1e-6)


def test_dcasgd_with_momentum_by_hand():
    # MXNet 1.9.1 itself fails here (truth value of an array); the rule is the documented one
    lr, mom, lam = 0.1, 0.9, 0.5
    opt = mx.optimizer.DCASGD(learning_rate=lr, momentum=mom, lamda=lam)
    w, updater = nd.array([1.0, -2.0]), mx.optimizer.get_updater(opt)
    ww, prev, m = np.array([1.0, -2.0]), np.array([1.0, -2.0]), np.zeros(2)
    for g in ([0.5, -1.0], [1.0, 2.0], [-0.3, 0.2]):
        updater(0, nd.array(g), w)
        g = np.array(g)
        m = mom * m - lr * (g + lam * g * g * (ww - prev))
        prev = ww.copy()
        ww = ww + m
    np.testing.assert_allclose(w.asnumpy(), ww, rtol=1e-6)


def test_sgld_is_half_a_gradient_step_plus_gaussian_noise():
    lr = 0.04
    opt = mx.optimizer.SGLD(learning_rate=lr, wd=0.5)
    w = nd.ones((20000,))
    mx.optimizer.get_updater(opt)(0, nd.ones((20000,)), w)
    noise = w.asnumpy() - (1 - lr / 2 * (1 + 0.5))
    assert abs(noise.mean()) < 0.01 and abs(noise.std() - np.sqrt(lr)) < 0.01


def test_updater_states_round_trip_without_pickle():
    opt = mx.optimizer.Adam(learning_rate=0.1)
    updater = mx.optimizer.get_updater(opt)
    w = nd.array([1.0, 2.0])
    updater(3, nd.array([0.5, -0.5]), w)
    blob = updater.get_states(dump_optimizer=True)
    assert not blob.startswith(b"\x80")
    other = mx.optimizer.get_updater(mx.optimizer.Adam(learning_rate=0.7))
    other.set_states(blob)
    assert other.optimizer.lr == 0.1 and other.optimizer._index_update_count == {3: 1}
    for a, b in zip(updater.states[3], other.states[3]):
        np.testing.assert_array_equal(a.asnumpy(), b.asnumpy())
    with pytest.raises(
        mx.base.MXNetError, match="pickled MXNet optimizer-states file; regluon never unpickles"
    ):
        other.set_states(b"\x80\x04\x95 pickled")
    with pytest.raises(mx.base.MXNetError, match="not an optimizer states file"):
        other.set_states(b"garbage")


def test_lbsgd_states_keep_the_accumulated_gradients_and_reject_malformed_ones(tmp_path):
    # LBSGD keeps {index: {"cum_grad": array or 0, "num_cums": n}}: saved and restored as such
    opt = mx.optimizer.LBSGD(learning_rate=0.1, batch_scale=3)
    updater = mx.optimizer.get_updater(opt)
    w = nd.array([1.0, 2.0])
    for g in ([0.5, -0.5], [1.0, 1.0]):
        updater(0, nd.array(g), w)
    updater(1, nd.array([2.0]), nd.array([0.0]))
    blob = updater.get_states(dump_optimizer=True)
    other = mx.optimizer.get_updater(mx.optimizer.LBSGD(learning_rate=0.1, batch_scale=3))
    other.set_states(blob)
    got = other.optimizer.cumgrads
    assert sorted(got) == [0, 1] and got[0]["num_cums"] == 2 and got[1]["num_cums"] == 1
    np.testing.assert_array_equal(got[0]["cum_grad"].asnumpy(), [1.5, 0.5])
    header, arrays = mx.optimizer.updater.read_states(blob)
    header["optimizer"]["attrs"]["cumgrads"] = {"tree": {"d": [[0.5, None]]}}
    bad = {"__regluon_states__": np.frombuffer(json.dumps(header).encode(), np.uint8), **arrays}
    fname = str(tmp_path / "bad.states")
    nd.save(fname, {k: nd.array(v, dtype=v.dtype) for k, v in bad.items()})
    with open(fname, "rb") as f, pytest.raises(mx.base.MXNetError, match="malformed state entry"):
        other.set_states(f.read())
    assert other.optimizer.cumgrads is got  # unchanged


def test_mixed_precision_ops_want_a_float32_master():
    w = nd.ones((2,), dtype="float16")
    with pytest.raises(mx.base.MXNetError, match="mp_sgd_update: weight32 must be float32, got float64"):
        nd.mp_sgd_update(w, w, nd.ones((2,), dtype="float64"), lr=0.1)


def test_multi_adam_equals_adam_update_per_weight():
    rng = np.random.RandomState(0)
    ws, gs = (
        [rng.randn(3, 2).astype("float32") for _ in range(3)],
        [rng.randn(3, 2).astype("float32") for _ in range(3)],
    )
    single = [nd.array(w) for w in ws]
    states1 = [(nd.zeros((3, 2)), nd.zeros((3, 2))) for _ in ws]
    for w, g, (m, v), lr in zip(single, gs, states1, (0.1, 0.2, 0.3)):
        nd.adam_update(w, nd.array(g), m, v, out=w, lr=lr, wd=0.01, rescale_grad=0.5)
    multi = [nd.array(w) for w in ws]
    states2 = [(nd.zeros((3, 2)), nd.zeros((3, 2))) for _ in ws]
    data = [a for w, g, (m, v) in zip(multi, gs, states2) for a in (w, nd.array(g), m, v)]
    nd._internal._multi_adam_update(
        *data, out=multi, lrs=(0.1, 0.2, 0.3), wds=(0.01,) * 3, rescale_grad=0.5, num_weights=3
    )
    for a, b in zip(single, multi):
        np.testing.assert_array_equal(a.asnumpy(), b.asnumpy())


@pytest.mark.parametrize("op", ["multi_sgd_mom_update", "_multi_adam_update", "_multi_lamb_update"])
def test_multi_tensor_ops_write_other_out_arrays_and_leave_the_weights(op):
    # out= arrays other than the weights receive the updated weights; the weights stay as they were,
    # and the values are those of the in-place update
    rng = np.random.RandomState(1)
    ws = [rng.randn(3, 2).astype("float32"), rng.randn(4).astype("float32")]
    gs = [rng.randn(*w.shape).astype("float32") for w in ws]
    params = {
        "multi_sgd_mom_update": {"lrs": (0.1, 0.2), "wds": (0.01, 0.0), "momentum": 0.9, "num_weights": 2},
        "_multi_adam_update": {"lrs": (0.1, 0.2), "wds": (0.01, 0.0), "num_weights": 2},
        "_multi_lamb_update": {"learning_rates": (0.1, 0.2), "wds": (0.01, 0.0), "step_count": (1, 1)},
    }[op]
    n_states = 1 if op == "multi_sgd_mom_update" else 2
    fn = getattr(nd, op) if hasattr(nd, op) else getattr(nd._internal, op)
    results = []
    for in_place in (True, False):
        weights = [nd.array(w) for w in ws]
        data = []
        for w, g in zip(weights, gs):
            data += [w, nd.array(g)] + [nd.zeros(w.shape) for _ in range(n_states)]
        out = weights if in_place else [nd.zeros(w.shape) for w in ws]
        fn(*data, out=out, **params)
        if not in_place:
            for w, original in zip(weights, ws):
                np.testing.assert_array_equal(w.asnumpy(), original)
        results.append([o.asnumpy() for o in out])
    for a, b in zip(*results):
        assert not np.array_equal(a, np.zeros_like(a))
        np.testing.assert_array_equal(a, b)


def test_scratch_buffers_are_reused_and_never_results():
    # the update kernels' temporaries come from per-thread buffers kept between calls; results are new
    from regluon.ndarray.ops.optimizer_ops import scratch

    like = [nd.zeros((3, 2))._tensor, nd.zeros((5,))._tensor]
    first = scratch(like, slot=7)
    assert [tuple(t.shape) for t in first] == [(3, 2), (5,)]
    assert scratch(like, slot=7)[0].data_ptr() == first[0].data_ptr()
    assert scratch(like, slot=8)[0].data_ptr() != first[0].data_ptr()
    w, m, v = nd.ones((3, 2)), nd.zeros((3, 2)), nd.zeros((3, 2))
    a = nd.lamb_update_phase1(w, nd.ones((3, 2)), m, v, t=1, wd=0.5)
    before = a.asnumpy()
    b = nd.lamb_update_phase1(w, -3 * nd.ones((3, 2)), m, v, t=2, wd=0.5)
    np.testing.assert_array_equal(a.asnumpy(), before)  # the second call did not write into the first result
    assert not np.array_equal(a.asnumpy(), b.asnumpy())


@pytest.mark.parametrize("name", ["sgd_sched", "adam_sched"])
def test_trajectory_with_mxnets_factor_scheduler(name, capsys):
    # the same cases as above, driven by regluon's own FactorScheduler (warmup, then halving every 7)
    case = next(c for c in CASES if c["name"] == name)
    sched = mx.lr_scheduler.FactorScheduler(
        step=7, factor=0.5, base_lr=0.05, warmup_steps=4, warmup_begin_lr=0.005, warmup_mode="linear"
    )
    traj = run_trainer(case, *_inputs(case), sched)
    if "learning_rate" in case["kwargs"]:  # Adam's learning_rate replaces the scheduler's base_lr
        assert "overwritten by ``learning_rate`` in optimizer" in capsys.readouterr().out
    for k, got in enumerate(traj):
        np.testing.assert_allclose(np.stack(got), _DATA[f"{name}/traj{k}"], rtol=1e-6, atol=1e-6)
