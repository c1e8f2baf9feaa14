"""Benchmark: microseconds per operator call on regluon, plain torch and (if present) MXNet 1.9.1.

Cases: a small elementwise add (10x2), a broadcast add, a reduction, dot 256x256, Convolution
32x64x56x56 with 64 3x3 filters, BatchNorm (inference) on the same activations, and a small recorded
forward+backward (dot + sum under autograd.record). Each case alternates the contenders, repeats, and
reports medians; small ops are timed over many calls per repeat. Threads: 1 and all cores.

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
        ("broadcast_add 10x2 + 1x2", 2000, lambda: a + row),
        ("sum(axis=1) 10x2", 2000, lambda: a.sum(1)),
        ("dot 256x256", 50, lambda: m1 @ m2),
        ("Convolution 32x64x56x56 3x3", 1, lambda: F.conv2d(x, w, padding=1)),
        ("BatchNorm 32x64x56x56", 3, lambda: F.batch_norm(x, mm, mv, g, be, training=False, eps=1e-3)),
        ("record dot+sum, backward 8x8", 500, fwd_bwd),
    ]


def time_case(fn, calls, sync):
    fn()
    start = time.perf_counter()
    for _ in range(calls):
        out = fn()
    sync(out)
    return (time.perf_counter() - start) / calls * 1e6


def run_side(side: str, threads: int, repeats: int) -> dict:
    import numpy as np
    import torch

    torch.set_num_threads(threads)
    if side == "torch":
        table = torch_cases(torch, np)
        sync = lambda out: None  # noqa: E731
    else:
        import mxnet as mx

        table = cases(mx, mx.nd, mx.autograd, np)
        sync = lambda out: out.wait_to_read()  # noqa: E731
    return {name: [time_case(fn, calls, sync) for _ in range(repeats)] for name, calls, fn in table}


def run_mxnet(threads: int, repeats: int) -> dict | None:
    if not os.path.exists(ORACLE):
        return None
    env = {k: v for k, v in os.environ.items()}
    env["OMP_NUM_THREADS"] = str(threads)
    out = subprocess.run(
        [ORACLE, "-P", os.path.abspath(__file__), "--mxnet-child", str(threads), str(repeats)],
        capture_output=True,
        text=True,
        env=env,
        cwd="/",
    )
    if out.returncode != 0:
        print("mxnet run failed:", out.stderr[-400:], file=sys.stderr)
        return None
    return json.loads(out.stdout.strip().splitlines()[-1])


def mxnet_child(threads: int, repeats: int) -> None:
    import warnings

    warnings.filterwarnings("ignore")
    sys.path = [p for p in sys.path if os.path.abspath(p or ".") != ROOT]
    import numpy as np

    import mxnet as mx

    table = cases(mx, mx.nd, mx.autograd, np)
    res = {
        name: [time_case(fn, calls, lambda o: o.wait_to_read()) for _ in range(repeats)]
        for name, calls, fn in table
    }
    print(json.dumps(res))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="fewer repeats")
    parser.add_argument("--mxnet-child", nargs=2, type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.mxnet_child:
        mxnet_child(*args.mxnet_child)
        return
    repeats = 3 if args.quick else 7
    import torch

    cores = os.cpu_count() or 1
    print(
        f"op overhead, microseconds per call (median of {repeats}); torch {torch.__version__}, {cores} cores"
    )
    for threads in sorted({1, cores}):
        sides = {
            "regluon": run_side("regluon", threads, repeats),
            "torch": run_side("torch", threads, repeats),
        }
        mxr = run_mxnet(threads, repeats)
        if mxr:
            sides["mxnet"] = mxr
        print(f"\nthreads={threads}")
        print(f"  {'case':32s} {'regluon':>10s} {'torch':>10s} {'mxnet':>10s} {'regluon/torch':>14s}")
        for name in sides["regluon"]:
            r = statistics.median(sides["regluon"][name])
            t = statistics.median(sides["torch"][name])
            m = statistics.median(sides["mxnet"][name]) if "mxnet" in sides else float("nan")
            print(f"  {name:32s} {r:10.1f} {t:10.1f} {m:10.1f} {r / t:13.2f}x")


if __name__ == "__main__":
    main()
