"""Benchmark: one training step (forward, softmax cross-entropy, backward, SGD) of the book's
LeNet and ResNet-18 on regluon, plain PyTorch and (if present) MXNet 1.9.1.

  regluon  - the networks of tests/book_models.py (the d2l book's code), gluon.loss and Trainer
  pytorch  - the same architectures written with torch.nn, nn.CrossEntropyLoss, optim.SGD
  mxnet    - the book's code on real MXNet 1.9.1 in the oracle venv (.venv-oracle), if it exists

LeNet runs with batch 256 on 1x28x28; ResNet-18 with batch 32 on 3x224x224 by default
(``--resnet-size 64`` or ``--resnet-batch 8`` for a quicker run). The contenders alternate in
chunks of steps (MXNet in a child process that stays up between chunks), with 1 thread and with
all cores; medians (and minima) of the per-step times are reported. ``--clock cpu`` times each
process's CPU time instead of the wall clock: steadier on a shared machine (a process waiting for a
core is not charged), meaningful with ``--threads 1`` (idle OpenMP workers spin). ``--torch-cl``
adds plain PyTorch with the model and input in channels-last memory, for reference (regluon picks
channels-last per convolution on CPU).

Run: ``.venv/bin/python benchmarks/train_step.py [--repeats N] [--resnet-size S] [--resnet-batch B]
[--clock cpu] [--threads 1]``
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
sys.path.insert(0, os.path.join(ROOT, "tests"))
LR = 0.1
#: wall time, or this process's CPU time with ``--clock cpu``
CLOCK = time.perf_counter


def shapes(model: str, args) -> tuple[tuple, int]:
    if model == "lenet":
        return (256, 1, 28, 28), 10
    return (args.resnet_batch, 3, args.resnet_size, args.resnet_size), 10


class GluonStep:
    """The book's training step on ``mx`` (regluon's alias or real MXNet)."""

    def __init__(self, mx, model: str, shape: tuple, classes: int):
        import book_models
        import numpy as np

        self.mx = mx
        net, _ = getattr(book_models, model if model == "lenet" else "resnet18")()
        net.initialize(mx.init.Xavier())
        rs = np.random.RandomState(0)
        self.x = mx.nd.array(rs.uniform(-1, 1, shape).astype("float32"))
        self.y = mx.nd.array(rs.randint(0, classes, shape[0]).astype("float32"))
        self.net = net
        self.loss = mx.gluon.loss.SoftmaxCrossEntropyLoss()
        net(self.x)
        self.trainer = mx.gluon.Trainer(net.collect_params(), "sgd", {"learning_rate": LR})

    def run(self, steps: int) -> float:
        mx = self.mx
        start = CLOCK()
        for _ in range(steps):
            with mx.autograd.record():
                l = self.loss(self.net(self.x), self.y)
            l.backward()
            self.trainer.step(self.x.shape[0])
        mx.nd.waitall()
        return (CLOCK() - start) / steps


def torch_net(model: str):
    import torch
    from torch import nn

    if model == "lenet":
        return nn.Sequential(
            nn.Conv2d(1, 6, 5), nn.Sigmoid(), nn.MaxPool2d(2, 2),
            nn.Conv2d(6, 16, 5), nn.Sigmoid(), nn.MaxPool2d(2, 2), nn.Flatten(),
            nn.Linear(256, 120), nn.Sigmoid(), nn.Linear(120, 84), nn.Sigmoid(), nn.Linear(84, 10),
        )  # fmt: skip

    class Residual(nn.Module):
        def __init__(self, cin, cout, use_1x1conv=False, strides=1):
            super().__init__()
            self.conv1 = nn.Conv2d(cin, cout, 3, padding=1, stride=strides)
            self.conv2 = nn.Conv2d(cout, cout, 3, padding=1)
            self.conv3 = nn.Conv2d(cin, cout, 1, stride=strides) if use_1x1conv else None
            self.bn1, self.bn2 = nn.BatchNorm2d(cout), nn.BatchNorm2d(cout)

        def forward(self, x):
            y = torch.relu(self.bn1(self.conv1(x)))
            y = self.bn2(self.conv2(y))
            return torch.relu(y + (self.conv3(x) if self.conv3 is not None else x))

    layers = [nn.Conv2d(3, 64, 7, stride=2, padding=3), nn.BatchNorm2d(64), nn.ReLU(), nn.MaxPool2d(3, 2, 1)]
    cin = 64
    for cout, first in ((64, True), (128, False), (256, False), (512, False)):
        for i in range(2):
            down = i == 0 and not first
            layers.append(Residual(cin, cout, use_1x1conv=down, strides=2 if down else 1))
            cin = cout
    layers += [nn.AdaptiveAvgPool2d(1), nn.Flatten(), nn.Linear(512, 10)]
    return nn.Sequential(*layers)


class TorchStep:
    def __init__(self, model: str, shape: tuple, classes: int, channels_last: bool = False):
        import torch

        torch.manual_seed(0)
        self.net = torch_net(model)
        self.x = torch.rand(shape) * 2 - 1
        if channels_last:
            self.net = self.net.to(memory_format=torch.channels_last)
            self.x = self.x.contiguous(memory_format=torch.channels_last)
        self.y = torch.randint(0, classes, (shape[0],))
        self.loss = torch.nn.CrossEntropyLoss()
        self.opt = torch.optim.SGD(self.net.parameters(), lr=LR)

    def run(self, steps: int) -> float:
        start = CLOCK()
        for _ in range(steps):
            l = self.loss(self.net(self.x), self.y)
            self.opt.zero_grad()
            l.backward()
            self.opt.step()
        return (CLOCK() - start) / steps


class MXNetChild:
    """Real MXNet in the oracle venv, kept running; each request runs a chunk of steps."""

    def __init__(self, model: str, shape: tuple, threads: int, clock: str):
        env = dict(os.environ, OMP_NUM_THREADS=str(threads))
        if threads == 1:
            env["MXNET_ENGINE_TYPE"] = "NaiveEngine"
        self.proc = subprocess.Popen(
            [ORACLE, "-P", os.path.abspath(__file__), "--clock", clock, "--mxnet-child", model, json.dumps(shape)],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True, env=env, cwd="/",
        )  # fmt: skip
        assert self.proc.stdout.readline().strip() == "ready"

    def run(self, steps: int) -> float:
        self.proc.stdin.write(f"{steps}\n")
        self.proc.stdin.flush()
        return float(self.proc.stdout.readline())

    def close(self) -> None:
        self.proc.stdin.close()
        self.proc.wait()


def mxnet_child(model: str, shape: list) -> None:
    import warnings

    warnings.filterwarnings("ignore")
    sys.path = [p for p in sys.path if os.path.abspath(p or ".") != ROOT]
    import mxnet

    step = GluonStep(mxnet, model, tuple(shape), 10)
    step.run(1)
    print("ready", flush=True)
    for line in sys.stdin:
        print(step.run(int(line)), flush=True)


def bench(model: str, threads: int, args) -> dict[str, list[float]]:
    import torch

    import mxnet as regluon

    torch.set_num_threads(threads)
    shape, classes = shapes(model, args)
    steps = 5 if model == "lenet" else 1
    contenders = {
        "regluon": GluonStep(regluon, model, shape, classes),
        "pytorch": TorchStep(model, shape, classes),
    }
    if args.torch_cl:
        contenders["torch_cl"] = TorchStep(model, shape, classes, channels_last=True)
    if os.path.exists(ORACLE) and not args.no_mxnet:
        contenders["mxnet"] = MXNetChild(model, shape, threads, args.clock)
    for c in contenders.values():
        c.run(steps)  # warm-up
    times: dict[str, list[float]] = {k: [] for k in contenders}
    for _ in range(args.repeats):
        for name, c in contenders.items():
            times[name].append(c.run(steps))
    if "mxnet" in contenders:
        contenders["mxnet"].close()
    return times


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--resnet-size", type=int, default=224)
    parser.add_argument("--resnet-batch", type=int, default=32)
    parser.add_argument("--models", default="lenet,resnet18")
    parser.add_argument("--no-mxnet", action="store_true")
    parser.add_argument("--torch-cl", action="store_true", help="also PyTorch in channels-last memory")
    parser.add_argument("--clock", choices=("wall", "cpu"), default="wall", help="wall or process CPU time")
    parser.add_argument("--threads", type=int, action="append", help="thread count(s) (default: 1 and all)")
    parser.add_argument("--mxnet-child", nargs=2, help=argparse.SUPPRESS)
    args = parser.parse_args()
    global CLOCK
    CLOCK = time.process_time if args.clock == "cpu" else time.perf_counter
    if args.mxnet_child:
        mxnet_child(args.mxnet_child[0], json.loads(args.mxnet_child[1]))
        return
    import torch

    cores = os.cpu_count() or 1
    print(
        f"train step, torch {torch.__version__}, {cores} cores, {args.clock} clock, "
        f"median (min) of {args.repeats} chunks"
    )
    for model in args.models.split(","):
        for threads in args.threads or sorted({1, cores}):
            times = bench(model, threads, args)
            med = {k: statistics.median(v) for k, v in times.items()}
            shape, _ = shapes(model, args)
            print(f"\n{model} batch {shape}  threads={threads}  (ms per step)")
            for name, t in med.items():
                print(f"  {name:8s} {t * 1000:9.1f}  ({min(times[name]) * 1000:.1f})")
            print(f"  regluon / pytorch = {med['regluon'] / med['pytorch']:.2f}x")
            if "mxnet" in med:
                print(f"  regluon / mxnet   = {med['regluon'] / med['mxnet']:.2f}x")


if __name__ == "__main__":
    main()
