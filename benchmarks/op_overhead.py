"""Benchmark: microseconds per operator call on regluon, plain torch and (if present) MXNet 1.9.1.

Cases: a small elementwise add (10x2), a product with a Python number, a broadcast add, a reduction, dot 256x256, Convolution
32x64x56x56 with 64 3x3 filters, BatchNorm (inference) on the same activations, and a small recorded
forward+backward (dot + sum under autograd.record). The contenders alternate round by round (MXNet in
a child process that times one round when asked), so all see the same machine load; the table shows
medians over the rounds; small ops are timed over many calls per round. Threads: 1 and all cores.

Run: ``.venv/bin/python benchmarks/op_overhead.py [--quick]``.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
ORACLE = os.path.join(ROOT, ".venv-oracle", "bin", "python")


def cases(mx, nd, autograd, np):
    """(name, calls per timing, function) for an MXNet-like module (regluon's alias or real MXNet)."""
    rng = np.random.RandomState(0)
    a, b = nd.array(rng.rand(10, 2)), nd.array(rng.rand(10, 2))
    row = nd.array(rng.rand(1, 2))
    m1, m2 = nd.array(rng.rand(256, 256)), nd.array(rng.rand(256, 256))
    x = nd.array(rng.rand(32, 64, 56, 56))
    w = nd.array(rng.rand(64, 64, 3, 3))
    g, be, mm, mv = nd.ones((64,)), nd.zeros((64,)), nd.zeros((64,)), nd.ones((64,))
    v = nd.array(rng.rand(8, 8))
    v.attach_grad()

    def fwd_bwd():
        with autograd.record():
            y = nd.dot(v, v).sum()
        y.backward()
        return v.grad

    return [
        ("add 10x2", 2000, lambda: a + b),
        ("multiply by 2.0, 10x2", 2000, lambda: a * 2.0),
        ("broadcast_add 10x2 + 1x2", 2000, lambda: nd.broadcast_add(a, row)),
        ("sum(axis=1) 10x2", 2000, lambda: nd.sum(a, axis=1)),
        ("dot 256x256", 50, lambda: nd.dot(m1, m2)),
        (
            "Convolution 32x64x56x56 3x3",
            1,
            lambda: nd.Convolution(x, w, kernel=(3, 3), pad=(1, 1), num_filter=64, no_bias=True),
        ),
        ("BatchNorm 32x64x56x56", 3, lambda: nd.BatchNorm(x, g, be, mm, mv, use_global_stats=True)),
        ("record dot+sum, backward 8x8", 500, fwd_bwd),
    ]


def torch_cases(torch, np):
    rng = np.random.RandomState(0)
    t = lambda arr: torch.from_numpy(arr.astype(np.float32))  # noqa: E731
    a, b, row = t(rng.rand(10, 2)), t(rng.rand(10, 2)), t(rng.rand(1, 2))
    m1, m2 = t(rng.rand(256, 256)), t(rng.rand(256, 256))
    x, w = t(rng.rand(32, 64, 56, 56)), t(rng.rand(64, 64, 3, 3))
    g, be, mm, mv = torch.ones(64), torch.zeros(64), torch.zeros(64), torch.ones(64)
    v = t(rng.rand(8, 8)).requires_grad_()

    def fwd_bwd():
        v.grad = None
        (v @ v).sum().backward()
        return v.grad

    F = torch.nn.functional
    return [
        ("add 10x2", 2000, lambda: a + b),
        ("multiply by 2.0, 10x2", 2000, lambda: a * 2.0),
        ("broadcast_add 10x2 + 1x2", 2000, lambda: a + row),
        ("sum(axis=1) 10x2", 2000, lambda: a.sum(1)),
        ("dot 256x256", 50, lambda: m1 @ m2),
        ("Convolution 32x64x56x56 3x3", 1, lambda: F.conv2d(x, w, padding=1)),
        ("BatchNorm 32x64x56x56", 3, lambda: F.batch_norm(x, mm, mv, g, be, training=False, eps=1e-3)),
        ("record dot+sum, backward 8x8", 500, fwd_bwd),
    ]


#: The clock: wall time by default; ``--clock cpu`` counts this process's CPU time (all its threads),
#: which a busy machine disturbs less (a process waiting for a core is not charged), for 1 thread.
CLOCK = time.perf_counter
CLOCK_NAME = "wall"


def time_case(fn, calls, sync):
    fn()
    start = CLOCK()
    for _ in range(calls):
        out = fn()
    sync(out)
    return (CLOCK() - start) / calls * 1e6


def one_round(table, sync) -> dict:
    """One timing of every case (microseconds per call)."""
    return {name: time_case(fn, calls, sync) for name, calls, fn in table}


class MXNetChild:
    """MXNet 1.9.1 in the oracle venv, timing one round each time it is asked (so its rounds
    alternate with ours and all contenders see the same machine load)."""

    def __init__(self, threads: int):
        env = dict(os.environ, OMP_NUM_THREADS=str(threads))
        self.proc = subprocess.Popen(
            [ORACLE, "-P", os.path.abspath(__file__), "--mxnet-child", str(threads), "--clock", CLOCK_NAME],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            text=True,
            env=env,
            cwd="/",
        )
        if self.proc.stdout.readline().strip() != "ready":
            raise RuntimeError("the MXNet child did not start")

    def round(self) -> dict:
        self.proc.stdin.write("go\n")
        self.proc.stdin.flush()
        return json.loads(self.proc.stdout.readline())

    def close(self) -> None:
        self.proc.stdin.close()
        self.proc.wait()


def mxnet_child(threads: int) -> None:
    import warnings

    warnings.filterwarnings("ignore")
    sys.path = [p for p in sys.path if os.path.abspath(p or ".") != ROOT]
    import numpy as np

    import mxnet as mx

    table = cases(mx, mx.nd, mx.autograd, np)
    print("ready", flush=True)
    for _ in sys.stdin:
        print(json.dumps(one_round(table, lambda o: o.wait_to_read())), flush=True)


def measure(threads: int, repeats: int) -> dict:
    """{side: {case: [us per call, one per round]}}, the contenders alternating round by round."""
    import numpy as np
    import torch

    import mxnet as mx

    torch.set_num_threads(threads)
    tables = {
        "regluon": (cases(mx, mx.nd, mx.autograd, np), lambda out: out.wait_to_read()),
        "torch": (torch_cases(torch, np), lambda out: None),
    }
    child = None
    if os.path.exists(ORACLE):
        try:
            child = MXNetChild(threads)
        except (OSError, RuntimeError) as err:
            print(f"(MXNet not measured: {err})", file=sys.stderr)
    res: dict = {side: {} for side in (*tables, *(["mxnet"] if child else []))}
    for _ in range(repeats):
        rounds = {side: one_round(table, sync) for side, (table, sync) in tables.items()}
        if child:
            rounds["mxnet"] = child.round()
        for side, times in rounds.items():
            for name, us in times.items():
                res[side].setdefault(name, []).append(us)
    if child:
        child.close()
    return res


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="fewer repeats")
    parser.add_argument("--repeats", type=int, default=None, help="rounds per thread count (default 9)")
    parser.add_argument(
        "--clock",
        choices=("wall", "cpu"),
        default="wall",
        help="wall time, or this process's CPU time (steadier on a busy machine; meaningful with --threads 1, "
        "since idle OpenMP workers spin)",
    )
    parser.add_argument(
        "--threads", type=int, action="append", help="thread count(s) to run (default: 1 and all)"
    )
    parser.add_argument("--mxnet-child", nargs=1, type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    global CLOCK, CLOCK_NAME
    CLOCK_NAME = args.clock
    CLOCK = time.process_time if args.clock == "cpu" else time.perf_counter
    if args.mxnet_child:
        mxnet_child(*args.mxnet_child)
        return
    repeats = args.repeats or (3 if args.quick else 9)
    import torch

    cores = os.cpu_count() or 1
    print(
        f"op overhead, microseconds per call ({CLOCK_NAME} clock, median of {repeats} interleaved rounds); "
        f"torch {torch.__version__}, {cores} cores, load average {os.getloadavg()[0]:.1f}"
    )
    for threads in sorted(set(args.threads or (1, cores))):
        sides = measure(threads, repeats)
        med = {side: {k: statistics.median(v) for k, v in times.items()} for side, times in sides.items()}
        mx_med = med.get("mxnet", {})
        print(f"\nthreads={threads}")
        print(
            f"  {'case':32s} {'regluon':>10s} {'torch':>10s} {'mxnet':>10s} "
            f"{'regluon/torch':>14s} {'mxnet/torch':>12s}"
        )
        for name, r in med["regluon"].items():
            t = med["torch"][name]
            m = mx_med.get(name, float("nan"))
            print(f"  {name:32s} {r:10.1f} {t:10.1f} {m:10.1f} {r / t:13.2f}x {m / t:11.2f}x")


if __name__ == "__main__":
    main()
