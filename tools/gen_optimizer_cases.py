"""Golden optimizer trajectories from MXNet 1.9.1: every optimizer, several steps, through Trainer and Updater.

Run under the oracle venv: ``.venv-oracle/bin/python tools/gen_optimizer_cases.py``. Writes
tests/golden/optimizer_cases.npz:

* ``index``: JSON list of cases (the driver settings below, shared with tests/test_optimizer.py);
* ``<case>/init<k>``: the initial value of parameter k; ``<case>/grads<k>``: its gradient at each step
  (stacked); ``<case>/traj<k>``: its value after each step (stacked);
* ``<case>/sched``: for scheduler cases, the learning rate MXNet's scheduler returned for each
  ``num_update`` the optimizer asked about (-1 where it did not ask).

The drivers (tests/optimizer_programs.py, run by the test as well):

* ``trainer``: gluon Parameters (with ``lr_mult`` / ``wd_mult``, on ``ctxs`` CPU contexts) under
  ``gluon.Trainer``; gradients (times 1, 1.5, ... on the further contexts) are written into the Parameters' gradient arrays and marked fresh, then ``trainer.step(batch_size)``.
  At ``lr_step`` the learning rate is changed with ``trainer.set_learning_rate``.
* ``updater``: ``mx.optimizer.get_updater(opt)`` called once per parameter index (MXNet's
  single-weight code path), with ``param_idx2name`` (names decide the default weight decay);
  ``updater_sparse`` hands it row-sparse gradients.
* ``contrib``: an ``nd.contrib`` update op (``multi_lamb_update``, ``multi_mp_adamw_update``,
  ``group_adagrad_update``, ...) called directly for 10 steps with ``out=weights``; with mixed
  precision the trajectories of the float32 master copies follow those of the weights.
* ``resume``: a Trainer (with an ``lr_scheduler``, or LBSGD in mid-accumulation) saves its states
  after ``save_at`` steps, a new Trainer (with a fresh scheduler, or none) loads them and goes on.
"""

import json
import os
import sys
import warnings

from _oracle import GOLDEN, ROOT, real_mxnet

warnings.filterwarnings("ignore")
mx = real_mxnet()
import numpy as np  # noqa: E402

sys.path.insert(0, os.path.join(ROOT, "tests"))
from optimizer_programs import DRIVERS  # noqa: E402

STEPS = 30
PARAMS = [  # name, shape, lr_mult, wd_mult
    ["fc_weight", [3, 4], 1.0, 1.0],
    ["fc_bias", [4], 0.5, 1.0],
    ["bn_gamma", [2, 3], 1.0, 2.0],
]
ROWS = [["emb_weight", [5, 3], 1.0, 1.0], ["fc_weight", [2, 4], 0.5, 1.0]]  # 2-D only (GroupAdaGrad)
_LAMB_OP = {"lrs": [0.01, 0.02, 0.01], "wds": [0.01, 0.0, 0.1]}
_ADAMW_OP = {**_LAMB_OP, "etas": [1.0, 0.5, 0.8], "rescale_grad": 0.5}
_FACTOR = {"step": 3, "factor": 0.7, "base_lr": 0.1, "warmup_steps": 4, "warmup_begin_lr": 0.01}
_MULTI = {"step": [5, 12, 15], "factor": 0.5, "base_lr": 0.1, "warmup_steps": 3, "warmup_begin_lr": 0.02}
_POLY = {"max_update": 16, "base_lr": 0.02, "pwr": 2, "final_lr": 0.001, "warmup_steps": 3}
_COSINE = {"max_update": 15, "base_lr": 0.02, "final_lr": 0.002, "warmup_steps": 4, "warmup_begin_lr": 0.001}

_LBSGD_RESUME = {
    "learning_rate": 0.05,
    "momentum": 0.9,
    "wd": 0.01,
    "batch_scale": 3,
    "warmup_epochs": 2,
    "updates_per_epoch": 4,
}

# name, optimizer, kwargs, extra settings
_C = [
    ("sgd", "sgd", {"learning_rate": 0.1, "wd": 0.01}, {}),
    ("sgd_mom", "sgd", {"learning_rate": 0.1, "momentum": 0.9, "wd": 1e-3, "clip_gradient": 0.5}, {}),
    (
        "sgd_mom_fp16",
        "sgd",
        {"learning_rate": 0.1, "momentum": 0.9, "wd": 1e-3, "multi_precision": True},
        {"dtype": "float16"},
    ),
    ("sgd_fp16", "sgd", {"learning_rate": 0.1, "wd": 1e-3, "multi_precision": True}, {"dtype": "float16"}),
    ("sgd_sched", "sgd", {"momentum": 0.9}, {"sched": True}),
    ("nag", "nag", {"learning_rate": 0.1, "momentum": 0.9, "wd": 0.01, "clip_gradient": 0.8}, {}),
    (
        "nag_fp16",
        "nag",
        {"learning_rate": 0.1, "momentum": 0.9, "wd": 0.01, "multi_precision": True},
        {"dtype": "float16"},
    ),
    ("signum", "signum", {"learning_rate": 0.01, "momentum": 0.9, "wd": 0.01, "wd_lh": 0.01}, {}),
    ("signsgd", "signum", {"learning_rate": 0.01, "momentum": 0.0, "wd": 0.01}, {}),
    ("ftml", "ftml", {"learning_rate": 0.05, "wd": 0.01, "clip_gradient": 0.8}, {}),
    ("dcasgd", "dcasgd", {"learning_rate": 0.1, "wd": 0.01, "lamda": 0.1}, {}),
    ("adam", "adam", {"learning_rate": 0.01, "wd": 0.01, "clip_gradient": 0.8}, {}),
    ("adam_fp16", "adam", {"learning_rate": 0.01, "wd": 0.01, "multi_precision": True}, {"dtype": "float16"}),
    ("adam_sched", "adam", {"learning_rate": 0.02}, {"sched": True}),
    ("adagrad", "adagrad", {"learning_rate": 0.1, "wd": 0.01, "clip_gradient": 0.8}, {}),
    ("rmsprop", "rmsprop", {"learning_rate": 0.01, "wd": 0.01, "clip_gradient": 0.8}, {}),
    (
        "rmsprop_centered",
        "rmsprop",
        {"learning_rate": 0.01, "centered": True, "clip_weights": 1.5, "gamma2": 0.8},
        {},
    ),
    ("adadelta", "adadelta", {"rho": 0.9, "wd": 0.01, "clip_gradient": 0.8}, {}),
    ("ftrl", "ftrl", {"learning_rate": 0.1, "lamda1": 0.01, "wd": 0.01}, {}),
    ("adamax", "adamax", {"learning_rate": 0.01, "wd": 0.01, "clip_gradient": 0.8}, {}),
    ("nadam", "nadam", {"learning_rate": 0.01, "wd": 0.01}, {}),
    ("lamb", "lamb", {"learning_rate": 0.01, "wd": 0.01, "upper_bound": 2.0, "clip_gradient": 0.8}, {}),
    ("lamb_fp16", "lamb", {"learning_rate": 0.01, "wd": 0.01, "multi_precision": True}, {"dtype": "float16"}),
    ("lamb_nobc", "lamb", {"learning_rate": 0.01, "bias_correction": False, "lower_bound": 0.5}, {}),
    ("lars", "lars", {"learning_rate": 0.1, "momentum": 0.9, "wd": 0.01, "eta": 0.01}, {}),
    (
        "lars_fp16",
        "lars",
        {"learning_rate": 0.1, "momentum": 0.9, "eta": 0.01, "multi_precision": True},
        {"dtype": "float16"},
    ),
    ("test", "test", {}, {}),
    # the single-weight code paths (Updater called per index, names from param_idx2name)
    (
        "u_sgd_mom",
        "sgd",
        {"learning_rate": 0.1, "momentum": 0.9, "wd": 0.01, "rescale_grad": 0.5},
        {"driver": "updater"},
    ),
    (
        "u_sgd_fp16",
        "sgd",
        {"learning_rate": 0.1, "momentum": 0.9, "wd": 0.01, "multi_precision": True},
        {"driver": "updater", "dtype": "float16"},
    ),
    ("u_lamb", "lamb", {"learning_rate": 0.01, "wd": 0.01}, {"driver": "updater"}),
    (
        "u_lars",
        "lars",
        {"learning_rate": 0.1, "momentum": 0.9, "wd": 0.01, "eta": 0.01},
        {"driver": "updater"},
    ),
    ("u_adam", "adam", {"learning_rate": 0.01, "wd": 0.01, "rescale_grad": 0.25}, {"driver": "updater"}),
    (
        "u_adam_fp16",
        "adam",
        {"learning_rate": 0.01, "multi_precision": True},
        {"driver": "updater", "dtype": "float16"},
    ),
    # two contexts: gradients summed and one update copied to both (update_on_kvstore, MXNet's default),
    # summed and updated per copy, or (kvstore=None) each copy with its own gradient
    ("ctx2_adam", "adam", {"learning_rate": 0.01, "wd": 0.01}, {"ctxs": 2}),
    ("ctx2_nadam", "nadam", {"learning_rate": 0.01}, {"ctxs": 2}),
    ("ctx2_nadam_local", "nadam", {"learning_rate": 0.01}, {"ctxs": 2, "update_on_kvstore": False}),
    ("ctx2_sgd_nokv", "sgd", {"learning_rate": 0.1, "momentum": 0.9}, {"ctxs": 2, "kvstore": None}),
    (
        "ctx2_lars_local",
        "lars",
        {"learning_rate": 0.1, "momentum": 0.9, "eta": 0.01},
        {"ctxs": 2, "update_on_kvstore": False},
    ),
    # LBSGD: warm-up multipliers, LARS, accumulation over batch_scale updates, a scheduler
    ("lbsgd", "lbsgd", {"learning_rate": 0.1, "momentum": 0.9, "wd": 0.01}, {}),
    (
        "lbsgd_lars",
        "lbsgd",
        {"momentum": 0.9, "wd": 0.01, "warmup_strategy": "lars", "clip_gradient": 0.8},
        {},
    ),
    (
        "lbsgd_scale2",
        "lbsgd",
        {"momentum": 0.9, "batch_scale": 2, "warmup_epochs": 1, "updates_per_epoch": 8},
        {},
    ),
    ("lbsgd_sched", "lbsgd", {"momentum": 0.9}, {"sched": True}),
    (
        "u_lbsgd_linear",
        "lbsgd",
        {
            "learning_rate": 0.1,
            "momentum": 0.9,
            "wd": 0.01,
            "batch_scale": 2,
            "warmup_epochs": 2,
            "updates_per_epoch": 5,
        },
        {"driver": "updater"},
    ),
    (
        "u_lbsgd_power2",
        "lbsgd",
        {
            "learning_rate": 0.1,
            "warmup_strategy": "power2",
            "batch_scale": 3,
            "begin_epoch": 1,
            "updates_per_epoch": 6,
        },
        {"driver": "updater"},
    ),
    (
        "u_lbsgd_sqrt",
        "lbsgd",
        {
            "learning_rate": 0.1,
            "momentum": 0.5,
            "warmup_strategy": "sqrt",
            "batch_scale": 2,
            "warmup_epochs": 3,
        },
        {"driver": "updater"},
    ),
    (
        "u_lbsgd_fp16",
        "lbsgd",
        {
            "learning_rate": 0.1,
            "momentum": 0.9,
            "multi_precision": True,
            "batch_scale": 2,
            "warmup_epochs": 1,
        },
        {"driver": "updater", "dtype": "float16"},
    ),
    # GroupAdaGrad: dense gradients through Trainer, row-sparse ones (some rows absent) through Updater
    ("groupadagrad", "groupadagrad", {"learning_rate": 0.1, "clip_gradient": 0.8}, {"params": ROWS}),
    (
        "u_groupadagrad_sparse",
        "groupadagrad",
        {"learning_rate": 0.1, "rescale_grad": 0.5, "eps": 1e-3},
        {"params": ROWS, "driver": "updater_sparse", "sparse": True},
    ),
    # the nd.contrib multi-tensor ops, called directly for several steps (out=weights)
    ("op_multi_adamw", "", {**_ADAMW_OP, "clip_gradient": 0.8, "beta1": 0.85}, {"op": "multi_adamw_update"}),
    ("op_multi_mp_adamw", "", _ADAMW_OP, {"op": "multi_mp_adamw_update", "dtype": "float16"}),
    (
        "op_multi_lamb",
        "",
        {**_LAMB_OP, "rescale_grad": 0.5, "clip_gradient": 0.8, "upper_bound": 2.0, "lower_bound": 0.1},
        {"op": "multi_lamb_update"},
    ),
    (
        "op_multi_lamb_nobc",
        "",
        {**_LAMB_OP, "bias_correction": False, "beta2": 0.99, "epsilon": 1e-4},
        {"op": "multi_lamb_update"},
    ),
    ("op_multi_mp_lamb", "", _LAMB_OP, {"op": "multi_mp_lamb_update", "dtype": "float16"}),
    (
        "op_group_adagrad",
        "",
        {"lr": 0.1, "rescale_grad": 0.5, "clip_gradient": 0.6, "epsilon": 1e-4},
        {"op": "group_adagrad_update", "params": ROWS, "sparse": True},
    ),
    # Trainer.save_states / load_states mid-schedule: the schedule goes on where it was
    ("resume_factor", "sgd", {"momentum": 0.9, "wd": 0.01}, {"scheduler": ["FactorScheduler", _FACTOR]}),
    (
        "resume_multifactor",
        "sgd",
        {"momentum": 0.9},
        {
            "scheduler": ["MultiFactorScheduler", {**_MULTI, "warmup_mode": "constant"}],
            "fresh_scheduler": False,
        },
    ),
    ("resume_poly", "adam", {"learning_rate": 0.02}, {"scheduler": ["PolyScheduler", _POLY]}),
    (
        "resume_cosine",
        "adam",
        {"learning_rate": 0.02, "wd": 0.01},
        {"scheduler": ["CosineScheduler", _COSINE], "fresh_scheduler": False},
    ),
    # LBSGD saved in mid-accumulation: its accumulated gradients and counters go on where they were
    ("resume_lbsgd", "lbsgd", _LBSGD_RESUME, {"resume": {"save_at": 7}}),
    (
        "resume_lbsgd_first",
        "lbsgd",
        {**_LBSGD_RESUME, "warmup_strategy": "lars", "begin_epoch": 1},
        {"resume": {"save_at": 1}},
    ),
]


def _extra(extra):
    """Settings of the further drivers: contrib ops (10 steps) and save/load in mid-schedule (20 steps)."""
    if "op" in extra:
        return {"driver": "contrib", "op": extra["op"], "steps": 10, "sparse": extra.get("sparse", False)}
    if "sparse" in extra:
        return {"sparse": True}
    if "scheduler" in extra:
        cls, kwargs = extra["scheduler"]
        return {
            "driver": "resume",
            "scheduler": {"class": cls, "kwargs": kwargs},
            "fresh_scheduler": extra.get("fresh_scheduler", True),
            "save_at": 9,
            "steps": 20,
        }
    if "resume" in extra:
        return {
            "driver": "resume",
            "scheduler": None,
            "fresh_scheduler": False,
            "steps": 14,
            **extra["resume"],
        }
    return {}


CASES = [
    {
        "name": name,
        "optimizer": opt,
        "kwargs": kwargs,
        "driver": extra.get("driver", "trainer"),
        "dtype": extra.get("dtype", "float32"),
        "sched": extra.get("sched", False),
        "ctxs": extra.get("ctxs", 1),
        "kvstore": extra.get("kvstore", "device"),
        "update_on_kvstore": extra.get("update_on_kvstore"),
        "batch_size": 4,
        "lr_step": 10,
        "lr_factor": 0.5,
        "steps": STEPS,
        "params": extra.get("params", PARAMS),
        **_extra(extra),
    }
    for name, opt, kwargs, extra in _C
]


class RecordingScheduler:
    """MXNet's FactorScheduler with linear warmup, recording what the optimizer asks it."""

    def __init__(self):
        self.inner = mx.lr_scheduler.FactorScheduler(
            step=7, factor=0.5, base_lr=0.05, warmup_steps=4, warmup_begin_lr=0.005, warmup_mode="linear"
        )
        self.asked = {}

    @property
    def base_lr(self):
        return self.inner.base_lr

    @base_lr.setter
    def base_lr(self, value):
        self.inner.base_lr = value

    def __call__(self, num_update):
        lr = self.inner(num_update)
        self.asked[num_update] = lr
        return lr


def _data(case, rng):
    dtype = case["dtype"]
    inits = [rng.uniform(-1, 1, size=shape).astype(dtype) for _, shape, _, _ in case["params"]]
    grads = [
        (rng.normal(size=(case["steps"], *shape)) * 1.5).astype(dtype) for _, shape, _, _ in case["params"]
    ]
    if case.get("sparse"):  # row-sparse gradients: every third row (a different one each step) is absent
        for g in grads:
            for t in range(len(g)):
                g[t, (np.arange(len(g[t])) + t) % 3 == 0] = 0
    return inits, grads


def main():
    rng = np.random.RandomState(42)
    out = {}
    for case in CASES:
        inits, grads = _data(case, rng)
        sched = RecordingScheduler() if case["sched"] else None
        if case["driver"] == "trainer":
            traj = DRIVERS["trainer"](case, inits, grads, sched)
        else:
            traj = DRIVERS[case["driver"]](case, inits, grads)
        key = case["name"]
        for k in range(len(inits)):
            out[f"{key}/init{k}"] = inits[k]
            out[f"{key}/grads{k}"] = grads[k]
        for k in range(len(traj)):  # with mixed precision, the contrib ops' master copies follow the weights
            out[f"{key}/traj{k}"] = np.stack(traj[k])
        if sched is not None:
            table = np.full(max(sched.asked) + 2, -1.0)
            for n, lr in sched.asked.items():
                table[n] = lr
            out[f"{key}/sched"] = table
    out["index"] = np.frombuffer(json.dumps(CASES).encode(), dtype=np.uint8)
    path = os.path.join(GOLDEN, "optimizer_cases.npz")
    np.savez_compressed(path, **out)
    print(f"wrote {len(CASES)} optimizer trajectories to {path}")


if __name__ == "__main__":
    main()
