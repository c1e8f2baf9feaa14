"""Benchmark: microseconds per operator call on regluon, plain torch and (if present) MXNet 1.9.1.

Cases: a small elementwise add (10x2), a product with a Python number, a broadcast add, a unary op, a
reduction, dot 256x256, Convolution 32x64x56x56 with 64 3x3 filters, BatchNorm (inference) on the same
activations, and a small recorded forward+backward (dot + sum under autograd.record).

The contenders alternate case by case (MXNet in a child process that times one case when asked), in an
order that rotates every round, so all see the same machine load; small ops are timed over many calls
per round. The table shows each contender's median over the rounds, and the ratio column is the median
of the per-round ratios (each taken between timings made moments apart, which is what keeps it steady
on a busy machine). Threads: 1 and all cores.

Run: ``.venv/bin/python benchmarks/op_overhead.py [--quick] [--cases add,sum]``.
"""

from __future__ import annotations

import argparse
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
        ("exp 10x2", 2000, lambda: nd.exp(a)),
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
        ("exp 10x2", 2000, lambda: torch.exp(a)),
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


class MXNetChild:
    """MXNet 1.9.1 in the oracle venv, timing one case each time it is asked (so that its timings
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

    def time(self, name: str) -> float:
        self.proc.stdin.write(name + "\n")
        self.proc.stdin.flush()
        return float(self.proc.stdout.readline())

    def close(self) -> None:
        self.proc.stdin.close()
        self.proc.wait()


def mxnet_child(threads: int) -> None:
    import warnings

    warnings.filterwarnings("ignore")
    sys.path = [p for p in sys.path if os.path.abspath(p or ".") != ROOT]
    import numpy as np

    import mxnet as mx

    table = {name: (calls, fn) for name, calls, fn in cases(mx, mx.nd, mx.autograd, np)}
    print("ready", flush=True)
    for line in sys.stdin:
        calls, fn = table[line.strip()]
        print(time_case(fn, calls, lambda o: o.wait_to_read()), flush=True)


def measure(threads: int, repeats: int, wanted) -> dict:
    """{side: {case: [us per call, one per round]}}: the contenders alternate case by case."""
    import numpy as np
    import torch

    import mxnet as mx

    torch.set_num_threads(threads)
    tables = {
        "regluon": (cases(mx, mx.nd, mx.autograd, np), lambda out: out.wait_to_read()),
        "torch": (torch_cases(torch, np), lambda out: None),
    }
    names = [name for name, _, _ in tables["torch"][0] if wanted(name)]
    child = None
    if os.path.exists(ORACLE):
        try:
            child = MXNetChild(threads)
        except (OSError, RuntimeError) as err:
            print(f"(MXNet not measured: {err})", file=sys.stderr)
    timers = {side: {n: (c, f, sync) for n, c, f in table} for side, (table, sync) in tables.items()}
    sides = [*tables, *(["mxnet"] if child else [])]
    res: dict = {side: {name: [] for name in names} for side in sides}
    for r in range(repeats):
        order = sides[r % len(sides) :] + sides[: r % len(sides)]  # nobody always goes first
        for name in names:
            for side in order:
                if side == "mxnet":
                    res[side][name].append(child.time(name))
                else:
                    calls, fn, sync = timers[side][name]
                    res[side][name].append(time_case(fn, calls, sync))
    if child:
        child.close()
    return res


def ratio(num: list, den: list) -> float:
    """The median of the per-round ratios."""
    return statistics.median(a / b for a, b in zip(num, den)) if num and den else float("nan")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="fewer repeats")
    parser.add_argument("--repeats", type=int, default=None, help="rounds per thread count (default 15)")
    parser.add_argument(
        "--cases", default="", help="comma-separated parts of the case names to run (default all)"
    )
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
    repeats = args.repeats or (3 if args.quick else 15)
    parts = [c.strip() for c in args.cases.split(",") if c.strip()]

    def wanted(name: str) -> bool:
        return not parts or any(p in name for p in parts)

    import torch

    cores = os.cpu_count() or 1
    print(
        f"op overhead, microseconds per call ({CLOCK_NAME} clock, median of {repeats} interleaved rounds; "
        "ratios: median of the per-round ratios); "
        f"torch {torch.__version__}, {cores} cores, load average {os.getloadavg()[0]:.1f}"
    )
    for threads in sorted(set(args.threads or (1, cores))):
        sides = measure(threads, repeats, wanted)
        reg, tor, mxn = sides["regluon"], sides["torch"], sides.get("mxnet", {})
        print(f"\nthreads={threads}")
        print(
            f"  {'case':32s} {'regluon':>10s} {'torch':>10s} {'mxnet':>10s} "
            f"{'regluon/torch':>14s} {'mxnet/torch':>12s}"
        )
        for name in reg:
            r, t = statistics.median(reg[name]), statistics.median(tor[name])
            m = statistics.median(mxn[name]) if name in mxn else float("nan")
            print(
                f"  {name:32s} {r:10.1f} {t:10.1f} {m:10.1f} {ratio(reg[name], tor[name]):13.2f}x "
                f"{ratio(mxn.get(name, []), tor[name]):11.2f}x"
            )


if __name__ == "__main__":
    main()
