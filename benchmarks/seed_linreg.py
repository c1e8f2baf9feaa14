"""Benchmark: the seed's 3-epoch training loop on regluon, plain PyTorch and (if present) MXNet 1.9.1.

Each contender trains the same model on the same 1000x2 data with batch size 10 (300 steps):
  regluon  - the seed notebook's code, unchanged (Gluon DataLoader, nn.Dense, L2Loss, Trainer 'sgd')
  pytorch  - the same model as the book's PyTorch edition writes it (TensorDataset + DataLoader,
             nn.Linear, nn.MSELoss, optim.SGD)
  mxnet    - the seed's code on real MXNet 1.9.1, run in the oracle venv (.venv-oracle) if it exists

The contenders alternate in an order that rotates every round; each time is a median over the
rounds and each ratio the median of the per-round ratios, with 1 thread and with all cores.
Run: ``make bench`` or ``.venv/bin/python benchmarks/seed_linreg.py [--repeats N] [--no-mxnet]``.
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
N, BATCH, EPOCHS, LR = 1000, 10, 3, 0.03


def make_data():
    import numpy as np

    rng = np.random.RandomState(0)
    features = rng.normal(size=(N, 2)).astype(np.float32)
    labels = (2 * features[:, 0] - 3.4 * features[:, 1] + 4.2).astype(np.float32)
    labels += rng.normal(scale=0.01, size=N).astype(np.float32)
    return features, labels


def seed_loop(mx_module, features, labels) -> tuple[float, float]:
    """The seed notebook's cells 2-5 on ``mx_module`` (regluon's alias or real MXNet)."""
    nd, autograd, gluon, init = mx_module.nd, mx_module.autograd, mx_module.gluon, mx_module.init
    gdata, gloss, nn = gluon.data, gluon.loss, gluon.nn
    features, labels = nd.array(features), nd.array(labels)
    start = time.perf_counter()
    dataset = gdata.ArrayDataset(features, labels)
    data_iter = gdata.DataLoader(dataset, BATCH, shuffle=True)
    net = nn.Sequential()
    net.add(nn.Dense(1))
    net.initialize(init.Normal(sigma=0.01))
    loss = gloss.L2Loss()
    trainer = gluon.Trainer(net.collect_params(), "sgd", {"learning_rate": LR})
    for _ in range(EPOCHS):
        for X, y in data_iter:
            with autograd.record():
                l = loss(net(X), y)
            l.backward()
            trainer.step(BATCH)
        final = loss(net(features), labels).mean().asnumpy()
    nd.waitall()
    return time.perf_counter() - start, float(final[0])


def torch_loop(features, labels) -> tuple[float, float]:
    import torch
    from torch.utils.data import DataLoader, TensorDataset

    X_all, y_all = torch.from_numpy(features), torch.from_numpy(labels).reshape(-1, 1)
    start = time.perf_counter()
    loader = DataLoader(TensorDataset(X_all, y_all), batch_size=BATCH, shuffle=True)
    net = torch.nn.Linear(2, 1)
    torch.nn.init.normal_(net.weight, std=0.01)
    torch.nn.init.zeros_(net.bias)
    loss_fn = torch.nn.MSELoss()
    opt = torch.optim.SGD(net.parameters(), lr=LR)
    for _ in range(EPOCHS):
        for X, y in loader:
            l = loss_fn(net(X), y)
            opt.zero_grad()
            l.backward()
            opt.step()
        with torch.no_grad():
            final = loss_fn(net(X_all), y_all).item() / 2  # MSE/2 = MXNet's L2Loss, for the printout
    return time.perf_counter() - start, final


def run_inprocess(name: str, threads: int) -> tuple[float, float]:
    import torch

    torch.set_num_threads(threads)
    features, labels = make_data()
    if name == "pytorch":
        return torch_loop(features, labels)
    import mxnet

    return seed_loop(mxnet, features, labels)


def run_mxnet(threads: int) -> tuple[float, float] | None:
    if not os.path.exists(ORACLE):
        return None
    env = dict(
        os.environ, OMP_NUM_THREADS=str(threads), MXNET_ENGINE_TYPE="NaiveEngine" if threads == 1 else ""
    )
    env = {k: v for k, v in env.items() if v != ""}
    out = subprocess.run(
        [ORACLE, "-P", os.path.abspath(__file__), "--mxnet-child"],
        capture_output=True,
        text=True,
        env=env,
        cwd="/",
    )
    if out.returncode != 0:
        print("mxnet run failed:", out.stderr[-500:], file=sys.stderr)
        return None
    res = json.loads(out.stdout.strip().splitlines()[-1])
    return res["seconds"], res["loss"]


def mxnet_child() -> None:
    import warnings

    warnings.filterwarnings("ignore")
    sys.path = [p for p in sys.path if os.path.abspath(p or ".") != ROOT]
    import mxnet

    features, labels = make_data()
    seconds, loss = seed_loop(mxnet, features, labels)
    print(json.dumps({"seconds": seconds, "loss": loss}))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=11)
    parser.add_argument(
        "--no-mxnet", action="store_true", help="leave MXNet out even if the oracle venv exists"
    )
    parser.add_argument("--mxnet-child", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.mxnet_child:
        mxnet_child()
        return
    import torch

    cores = os.cpu_count() or 1
    print(
        f"seed loop: {EPOCHS} epochs x {N // BATCH} steps, torch {torch.__version__}, {cores} cores, "
        f"load average {os.getloadavg()[0]:.1f}"
    )
    names = ["regluon", "pytorch"] + ([] if args.no_mxnet else ["mxnet"])
    for threads in sorted({1, cores}):
        times: dict[str, list[float]] = {name: [] for name in names}
        losses: dict[str, float] = {}
        for _ in range(3):  # warm-up: imports, first allocations, caches
            run_inprocess("regluon", threads)
            run_inprocess("pytorch", threads)
        for r in range(args.repeats):
            for name in names[r % len(names) :] + names[: r % len(names)]:  # nobody always goes first
                res = run_mxnet(threads) if name == "mxnet" else run_inprocess(name, threads)
                times[name].append(res[0] if res is not None else float("nan"))
                if res is not None:
                    losses[name] = res[1]
        print(f"\nthreads={threads}  (median of {args.repeats} runs, seconds; final loss)")
        for name in losses:
            print(f"  {name:8s} {statistics.median(times[name]) * 1000:8.1f} ms   loss {losses[name]:.6f}")
        # ratios: the median of the per-round ratios (runs moments apart see the same machine load)
        print(f"  regluon / pytorch = {_ratio(times['regluon'], times['pytorch']):.2f}x")
        if "mxnet" in losses:
            print(f"  regluon / mxnet   = {_ratio(times['regluon'], times['mxnet']):.2f}x")


def _ratio(num: list[float], den: list[float]) -> float:
    pairs = [a / b for a, b in zip(num, den) if a == a and b == b]  # skip failed (NaN) runs
    return statistics.median(pairs) if pairs else float("nan")


if __name__ == "__main__":
    main()
