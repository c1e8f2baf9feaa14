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


def run_trainer(case, inits, grads, sched=None):
    """Several contexts get the gradient scaled by 1, 1.5, ...; the trajectory stacks every copy."""
    ctxs = [mx.cpu(k) for k in range(case["ctxs"])]
    params = []
    for (name, shape, lr_mult, wd_mult), init in zip(case["params"], inits):
        p = gluon.Parameter(name, shape=tuple(shape), dtype=case["dtype"], lr_mult=lr_mult, wd_mult=wd_mult)
        p.initialize(ctx=ctxs)
        p.set_data(nd.array(init, dtype=init.dtype))
        params.append(p)
    kwargs = dict(case["kwargs"])
    if sched is not None:
        kwargs["lr_scheduler"] = sched
    kv = {"kvstore": case["kvstore"], "update_on_kvstore": case["update_on_kvstore"]}
    trainer = gluon.Trainer(params, case["optimizer"], kwargs, **kv)
    traj = [[] for _ in params]
    for t in range(case["steps"]):
        if t == case["lr_step"] and sched is None:
            trainer.set_learning_rate(trainer.learning_rate * case["lr_factor"])
        for p, g in zip(params, grads):
            for c, ctx in enumerate(ctxs):
                p.grad(ctx)[:] = nd.array(g[t] * (1 + 0.5 * c), dtype=g.dtype)
                p.data(ctx)._fresh_grad = True
        trainer.step(case["batch_size"])
        for k, p in enumerate(params):
            traj[k].append(np.stack([d.asnumpy() for d in p.list_data()]))
    return traj


def run_updater(case, inits, grads):
    names = {k: p[0] for k, p in enumerate(case["params"])}
    opt = mx.optimizer.create(case["optimizer"], param_idx2name=names, **case["kwargs"])
    updater = mx.optimizer.get_updater(opt)
    weights = [nd.array(x, dtype=x.dtype) for x in inits]
    traj = [[] for _ in weights]
    for t in range(case["steps"]):
        if t == case["lr_step"]:
            opt.set_learning_rate(opt.learning_rate * case["lr_factor"])
        for k, w in enumerate(weights):
            updater(k, nd.array(grads[k][t], dtype=grads[k].dtype), w)
            traj[k].append(w.asnumpy())
    return traj


@pytest.mark.parametrize("case", CASES, ids=[c["name"] for c in CASES])
def test_trajectory_matches_mxnet(case):
    inits, grads = _inputs(case)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        if case["driver"] == "trainer":
            sched = TableScheduler(_DATA[f"{case['name']}/sched"]) if case["sched"] else None
            traj = run_trainer(case, inits, grads, sched)
        else:
            traj = run_updater(case, inits, grads)
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
                err_msg=f"parameter {case['params'][k][0]} after step {t + 1}",
            )
