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


def run_updater(case, inits, grads, stype="default"):
    names = {k: p[0] for k, p in enumerate(case["params"])}
    opt = mx.optimizer.create(case["optimizer"], param_idx2name=names, **case["kwargs"])
    updater = mx.optimizer.get_updater(opt)
    weights = [nd.array(x, dtype=x.dtype) for x in inits]
    traj = [[] for _ in weights]
    for t in range(case["steps"]):
        if t == case["lr_step"]:
            opt.set_learning_rate(opt.learning_rate * case["lr_factor"])
        for k, w in enumerate(weights):
            g = nd.array(grads[k][t], dtype=grads[k].dtype)
            updater(k, g if stype == "default" else g.tostype(stype), w)
            traj[k].append(w.asnumpy())
    return traj


def run_updater_sparse(case, inits, grads):
    """``run_updater`` with row-sparse gradients (rows of zeros are absent from them)."""
    return run_updater(case, inits, grads, stype="row_sparse")


def run_contrib_op(case, inits, grads):
    """Several steps of one ``nd.contrib`` update op over a list of weights (``out=weights``); the
    trajectory holds the weights (and, with mixed precision, the float32 master copies)."""
    kw = dict(case["kwargs"])
    op = case["op"]
    rescale = kw.pop("rescale_grad", 1.0) if op.endswith("adamw_update") else None
    weights = [nd.array(x, dtype=x.dtype) for x in inits]
    masters = [w.astype("float32") for w in weights]
    means = [nd.zeros(w.shape) for w in weights]
    variances = [nd.zeros(w.shape) for w in weights]
    history = [nd.zeros((w.shape[0], 1)) for w in weights]
    mp = "_mp_" in op
    traj = [[] for _ in range(len(weights) * (2 if mp else 1))]
    for t in range(case["steps"]):
        gs = [nd.array(g[t], dtype=g.dtype) for g in grads]
        states = [weights, gs, means, variances] + ([masters] if mp else [])
        if rescale is not None:
            getattr(nd.contrib, op)(*states, rescale, out=weights, **kw)
        elif op.endswith("lamb_update"):
            getattr(nd.contrib, op)(*states, step_count=[t + 1] * len(weights), out=weights, **kw)
        else:
            for w, g, h in zip(weights, gs, history):
                nd.contrib.group_adagrad_update(w, g.tostype("row_sparse"), h, out=w, **kw)
        for k, w in enumerate(weights + (masters if mp else [])):
            traj[k].append(w.asnumpy())
    return traj


def run_resume(case, inits, grads):
    """A Trainer (with an lr_scheduler where the case has one) trains ``save_at`` steps and saves its
    states; a new Trainer over new Parameters holding the same values (with a fresh scheduler of the
    same settings, or with none) loads them and takes the remaining steps. The trajectory covers all
    steps."""
    import os
    import tempfile

    def scheduler():
        spec = case.get("scheduler")
        return None if spec is None else getattr(mx.lr_scheduler, spec["class"])(**spec["kwargs"])

    def make(values, sched):
        params = []
        for (name, shape, lr_mult, wd_mult), v in zip(case["params"], values):
            p = gluon.Parameter(name, shape=tuple(shape), lr_mult=lr_mult, wd_mult=wd_mult)
            p.initialize(ctx=mx.cpu())
            p.set_data(nd.array(v))
            params.append(p)
        kwargs = dict(case["kwargs"])
        if sched is not None:
            kwargs["lr_scheduler"] = sched
        return params, gluon.Trainer(params, case["optimizer"], kwargs)

    params, trainer = make(inits, scheduler())
    traj = [[] for _ in params]
    with tempfile.TemporaryDirectory() as tmp:
        for t in range(case["steps"]):
            if t == case["save_at"]:
                fname = os.path.join(tmp, "trainer.states")
                trainer.save_states(fname)
                fresh = scheduler() if case["fresh_scheduler"] else None
                params, trainer = make([p.data().asnumpy() for p in params], fresh)
                trainer.load_states(fname)
            for p, g in zip(params, grads):
                p.grad()[:] = nd.array(g[t])
                p.data()._fresh_grad = True
            trainer.step(case["batch_size"])
            for k, p in enumerate(params):
                traj[k].append(p.data().asnumpy())
    return traj


#: the drivers by the name a case gives (``run_trainer`` also takes a scheduler)
DRIVERS = {
    "trainer": run_trainer,
    "updater": run_updater,
    "updater_sparse": run_updater_sparse,
    "contrib": run_contrib_op,
    "resume": run_resume,
}
