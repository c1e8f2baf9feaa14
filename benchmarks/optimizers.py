"""Benchmark: one optimizer update over ResNet-18's parameters (SGD-momentum, Adam, LAMB) on
regluon, torch.optim and (if present) MXNet 1.9.1.

The parameter set is the book's ResNet-18 (tests/book_models.py, 3 input channels, 10 classes):
the shapes of every Parameter a Trainer updates (BatchNorm running statistics excluded), built
once and handed to each contender. Gradients are already in place, as after ``backward()``:

  regluon  - ``gluon.Trainer(params, name, {...}).step(batch_size)`` over a ParameterDict
  pytorch  - ``torch.optim.SGD/Adam(..., foreach=True).step()``; torch has no LAMB, so LAMB is
             compared against torch's Adam (LAMB does Adam's work plus two norms per tensor)
  mxnet    - the same Trainer loop on real MXNet 1.9.1 in the oracle venv (.venv-oracle), in a
             child process that stays up between chunks, if the venv exists

Between steps each Parameter is marked as freshly back-propagated (what ``backward`` does), outside
the timed region. The contenders alternate in chunks of steps, with 1 thread and with all cores;
medians of the per-step times are reported, with the ratios. At the end regluon's and MXNet's
weights, which took the same steps from the same start, are compared (they must agree).

Run: ``.venv/bin/python benchmarks/optimizers.py [--repeats N] [--steps K] [--optimizers sgd,adam,lamb]
[--threads 1,2] [--clock cpu]`` (``--clock cpu``: CPU time of the process, steadier on a busy
machine, meaningful with 1 thread).
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
ORACLE = os.path.join(ROOT, ".venv-oracle", "bin", "python")
#: wall time, or (``--clock cpu``) the process's CPU time, which a busy machine disturbs less
CLOCK = time.perf_counter
BATCH = 32  # Trainer.step(BATCH): gradients are sums over a batch, scaled by 1/BATCH
WD = 1e-4
# MXNet name -> (its optimizer_params, the torch.optim class and arguments it is compared with)
OPTIMIZERS = {
    "sgd": ({"learning_rate": 0.1, "momentum": 0.9, "wd": WD}, "SGD", {"lr": 0.1, "momentum": 0.9}),
    "adam": ({"learning_rate": 1e-3, "wd": WD}, "Adam", {"lr": 1e-3}),
    "lamb": ({"learning_rate": 1e-3, "wd": WD}, "Adam", {"lr": 1e-3}),
}


def resnet18_shapes() -> list[tuple[int, ...]]:
    """Shapes of the Parameters a Trainer updates in the book's ResNet-18 with 3 input channels."""
    sys.path.insert(0, os.path.join(ROOT, "tests"))
    import book_models

    import mxnet as mx

    net, _ = book_models.resnet18()
    net.initialize()
    net(mx.nd.zeros((1, 3, 32, 32)))
    return [p.shape for p in net.collect_params().values() if p.grad_req != "null"]


def _values(shapes, seed=0):
    """Weights and gradients (float32 NumPy arrays), the same for every contender."""
    import numpy as np

    rs = np.random.RandomState(seed)
    weights = [rs.normal(scale=0.05, size=s).astype(np.float32) for s in shapes]
    grads = [rs.normal(scale=0.01, size=s).astype(np.float32) for s in shapes]
    return weights, grads


class TrainerStep:
    """``gluon.Trainer.step`` over a ParameterDict of ``shapes`` on ``mx`` (regluon or MXNet)."""

    def __init__(self, mx, shapes, name: str):
        weights, grads = _values(shapes)
        self.mx = mx
        params = mx.gluon.ParameterDict("resnet18_")
        for i, (shape, w, g) in enumerate(zip(shapes, weights, grads)):
            p = params.get(f"p{i}", shape=shape)
            p.initialize(init=mx.init.Zero())
            p.set_data(mx.nd.array(w))
            p.grad()[:] = mx.nd.array(g)
        self.datas = [p.data() for p in params.values()]
        self.trainer = mx.gluon.Trainer(params, name, dict(OPTIMIZERS[name][0]))
        mx.nd.waitall()

    def run(self, steps: int) -> float:
        total = 0.0
        for _ in range(steps):
            for d in self.datas:
                d._fresh_grad = True  # as backward() leaves it
            start = CLOCK()
            self.trainer.step(BATCH)
            self.mx.nd.waitall()
            total += CLOCK() - start
        return total / steps

    def weights(self) -> list:
        """The current weights as NumPy arrays."""
        return [d.asnumpy() for d in self.datas]


class TorchStep:
    """``torch.optim`` (foreach) over tensors of ``shapes`` with gradients in place."""

    def __init__(self, shapes, name: str):
        import torch

        weights, grads = _values(shapes)
        self.params = []
        for w, g in zip(weights, grads):
            p = torch.nn.Parameter(torch.from_numpy(w))
            p.grad = torch.from_numpy(g)
            self.params.append(p)
        _, cls, kwargs = OPTIMIZERS[name]
        self.opt = getattr(torch.optim, cls)(self.params, weight_decay=WD, foreach=True, **kwargs)

    def run(self, steps: int) -> float:
        total = 0.0
        for _ in range(steps):
            start = CLOCK()
            self.opt.step()
            total += CLOCK() - start
        return total / steps


class MXNetChild:
    """Real MXNet in the oracle venv, kept running; each request times a chunk of steps."""

    def __init__(self, shapes, name: str, threads: int, clock: str):
        env = dict(os.environ, OMP_NUM_THREADS=str(threads))
        if threads == 1:
            env["MXNET_ENGINE_TYPE"] = "NaiveEngine"
        self.shapes = shapes
        self.proc = subprocess.Popen(
            [ORACLE, "-P", os.path.abspath(__file__), "--clock", clock, "--mxnet-child", name, json.dumps(shapes)],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True, env=env, cwd="/",
        )  # fmt: skip
        line = self.proc.stdout.readline().strip()
        if line != "ready":
            raise RuntimeError(f"the MXNet child did not start ({line!r})")

    def run(self, steps: int) -> float:
        self.proc.stdin.write(f"{steps}\n")
        self.proc.stdin.flush()
        return float(self.proc.stdout.readline())

    def weights(self) -> list:
        import numpy as np

        with tempfile.TemporaryDirectory() as tmp:
            path = os.path.join(tmp, "weights.npy")
            self.proc.stdin.write(f"save {path}\n")
            self.proc.stdin.flush()
            self.proc.stdout.readline()
            flat = np.load(path)
        sizes = [int(np.prod(s)) for s in self.shapes]
        return [a.reshape(s) for a, s in zip(np.split(flat, np.cumsum(sizes)[:-1]), self.shapes)]

    def close(self) -> None:
        self.proc.stdin.close()
        self.proc.wait()


def mxnet_child(name: str, shapes: list) -> None:
    import warnings

    warnings.filterwarnings("ignore")
    sys.path = [p for p in sys.path if os.path.abspath(p or ".") != ROOT]
    import mxnet

    step = TrainerStep(mxnet, [tuple(s) for s in shapes], name)
    print("ready", flush=True)
    import numpy as np

    for line in sys.stdin:
        if line.startswith("save "):
            np.save(line[5:].strip(), np.concatenate([w.ravel() for w in step.weights()]))
            print("saved", flush=True)
        else:
            print(step.run(int(line)), flush=True)


def bench(name: str, threads: int, shapes, args) -> tuple[dict[str, float], float | None]:
    """Median seconds per step of each contender, and the largest difference between regluon's and
    MXNet's weights after the same steps, relative to the largest weight of the tensor (None without
    MXNet)."""
    import torch

    import mxnet as regluon

    torch.set_num_threads(threads)
    contenders = {"regluon": TrainerStep(regluon, shapes, name), "pytorch": TorchStep(shapes, name)}
    if os.path.exists(ORACLE) and not args.no_mxnet:
        contenders["mxnet"] = MXNetChild(shapes, name, threads, args.clock)
    for c in contenders.values():
        c.run(2)  # warm-up: optimizer states, first allocations
    times: dict[str, list[float]] = {k: [] for k in contenders}
    for _ in range(args.repeats):
        for key, c in contenders.items():
            times[key].append(c.run(args.steps))
    agreement = None
    if "mxnet" in contenders:
        ours, theirs = contenders["regluon"].weights(), contenders["mxnet"].weights()
        agreement = max(float(abs(a - b).max() / max(abs(b).max(), 1e-30)) for a, b in zip(ours, theirs))
        contenders["mxnet"].close()
    return {k: statistics.median(v) for k, v in times.items()}, agreement


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=7)
    parser.add_argument("--steps", type=int, default=5, help="steps per chunk")
    parser.add_argument("--optimizers", default="sgd,adam,lamb")
    parser.add_argument(
        "--threads", default=None, help="comma-separated thread counts (default: 1 and all cores)"
    )
    parser.add_argument("--clock", choices=("wall", "cpu"), default="wall")
    parser.add_argument("--no-mxnet", action="store_true")
    parser.add_argument("--mxnet-child", nargs=2, help=argparse.SUPPRESS)
    args = parser.parse_args()
    global CLOCK
    CLOCK = time.process_time if args.clock == "cpu" else time.perf_counter
    if args.mxnet_child:
        mxnet_child(args.mxnet_child[0], json.loads(args.mxnet_child[1]))
        return
    import torch

    cores = os.cpu_count() or 1
    thread_counts = [int(t) for t in args.threads.split(",")] if args.threads else sorted({1, cores})
    shapes = resnet18_shapes()
    n = sum(int(torch.Size(s).numel()) for s in shapes)
    print(
        f"optimizer step over ResNet-18 ({len(shapes)} tensors, {n / 1e6:.1f}M parameters), torch {torch.__version__}, "
        f"{cores} cores (load average {os.getloadavg()[0]:.1f}), {args.clock} clock, "
        f"median of {args.repeats} chunks of {args.steps} steps"
    )
    for name in args.optimizers.split(","):
        for threads in thread_counts:
            med, agreement = bench(name, threads, shapes, args)
            versus = OPTIMIZERS[name][1] + (" (torch has no LAMB)" if name == "lamb" else "")
            print(f"\n{name}  threads={threads}  (ms per step; pytorch = torch.optim.{versus}, foreach)")
            for key, t in med.items():
                print(f"  {key:8s} {t * 1000:9.2f}")
            print(f"  regluon / pytorch = {med['regluon'] / med['pytorch']:.2f}x")
            if "mxnet" in med:
                print(f"  regluon / mxnet   = {med['regluon'] / med['mxnet']:.2f}x")
                print(f"  weights after the same steps: regluon - mxnet = {agreement:.1e} (max, relative)")


if __name__ == "__main__":
    main()
