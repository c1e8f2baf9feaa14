"""Optimizer trajectory programs, written once against the ``mxnet`` API and run both under real
MXNet 1.9.1 (tools/gen_optimizer_cases.py) and under regluon (tests/test_optimizer.py)."""

import numpy as np

import mxnet as mx
from mxnet import gluon, nd


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
