"""Benchmark: data loading on regluon, PyTorch and (if present) MXNet 1.9.1.

1. The seed's loader: ``DataLoader(ArrayDataset(features, labels), batch_size=10, shuffle=True)``
   over 1000x2 float32 features, in batches per second, against torch's ``DataLoader`` over a
   ``TensorDataset`` and MXNet 1.9.1's own loader (in the oracle venv, in a child process).
2. An image pipeline: ``ImageRecordDataset`` of JPEGs (256x320, written here) transformed by
   RandomResizedCrop(224) + ToTensor + Normalize, batch 32, at 0 and 2 workers, in images per
   second, against the same pipeline in plain torch (Pillow decode, crop, bilinear interpolate,
   scale, normalise; torchvision is not installed) over the same JPEG bytes.

Contenders alternate round by round; medians of the rounds are printed. At 0 workers the image
pipelines are also timed by CPU time (all their work runs on the timing thread), which a busy
machine disturbs much less than wall-clock time. Run:
``.venv/bin/python benchmarks/data.py [--rounds N] [--images N]``.
"""

from __future__ import annotations

import argparse
import io
import json
import math
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
ORACLE = os.path.join(ROOT, ".venv-oracle", "bin", "python")
MEAN, STD = (0.485, 0.456, 0.406), (0.229, 0.224, 0.225)


def features():
    import numpy as np

    rng = np.random.RandomState(0)
    x = rng.normal(size=(1000, 2)).astype(np.float32)
    return x, (2 * x[:, 0] - 3.4 * x[:, 1] + 4.2).astype(np.float32)


def array_rate(mx, epochs: int = 5) -> float:
    """Batches per second of the seed's loader on ``mx`` (regluon's alias or MXNet)."""
    x, y = features()
    loader = mx.gluon.data.DataLoader(
        mx.gluon.data.ArrayDataset(mx.nd.array(x), mx.nd.array(y)), 10, shuffle=True
    )
    start, n = time.perf_counter(), 0
    for _ in range(epochs):
        for _batch in loader:
            n += 1
    mx.nd.waitall()
    return n / (time.perf_counter() - start)


def torch_array_rate(epochs: int = 5) -> float:
    import torch
    from torch.utils.data import DataLoader, TensorDataset

    x, y = features()
    loader = DataLoader(TensorDataset(torch.from_numpy(x), torch.from_numpy(y)), batch_size=10, shuffle=True)
    start, n = time.perf_counter(), 0
    for _ in range(epochs):
        for _batch in loader:
            n += 1
    return n / (time.perf_counter() - start)


def mxnet_array_rate() -> float | None:
    """MXNet 1.9.1's rate, timed in the oracle venv (None when it is not there)."""
    if not os.path.exists(ORACLE):
        return None
    code = (
        f"import sys; sys.path = [p for p in sys.path if p not in ('', {ROOT!r})]\n"
        "import importlib.util, json\n"
        f"spec = importlib.util.spec_from_file_location('bench', {os.path.abspath(__file__)!r})\n"
        "bench = importlib.util.module_from_spec(spec); spec.loader.exec_module(bench)\n"
        "import mxnet; print(json.dumps(bench.array_rate(mxnet)))\n"
    )
    out = subprocess.run(
        [ORACLE, "-c", code],
        capture_output=True,
        text=True,
        cwd="/tmp",
        env={**os.environ, "OMP_NUM_THREADS": "1"},
    )
    if out.returncode:
        print("MXNet run failed:", out.stderr[-500:], file=sys.stderr)
        return None
    return json.loads(out.stdout.strip().splitlines()[-1])


# ------------------------------------------------------------------------------------ images
def write_images(folder: str, count: int) -> tuple[str, list[bytes]]:
    """``count`` JPEGs of smooth random content, as a .rec/.idx pair and as raw bytes."""
    import numpy as np
    from PIL import Image

    from regluon import recordio

    rng = np.random.RandomState(0)
    rec = os.path.join(folder, "images.rec")
    writer = recordio.MXIndexedRecordIO(os.path.join(folder, "images.idx"), rec, "w")
    blobs = []
    for i in range(count):
        small = rng.randint(0, 256, size=(16, 20, 3)).astype("uint8")
        img = Image.fromarray(small).resize((320, 256), Image.BILINEAR)
        buf = io.BytesIO()
        img.save(buf, format="JPEG", quality=90)
        blobs.append(buf.getvalue())
        writer.write_idx(i, recordio.pack(recordio.IRHeader(0, float(i % 10), i, 0), buf.getvalue()))
    writer.close()
    return rec, blobs


def regluon_images(rec: str, workers: int) -> tuple[float, float]:
    from mxnet.gluon.data.vision import ImageRecordDataset, transforms

    import mxnet as mx

    aug = transforms.Compose(
        [transforms.RandomResizedCrop(224), transforms.ToTensor(), transforms.Normalize(MEAN, STD)]
    )
    ds = ImageRecordDataset(rec).transform_first(aug)
    return _image_rates(mx.gluon.data.DataLoader(ds, 32, shuffle=True, num_workers=workers))


def _image_rates(loader) -> tuple[float, float]:
    """Images per second of wall-clock time, and per second of this thread's CPU time (all of
    the work at 0 workers; steadier than wall-clock time on a busy machine)."""
    start, cpu, n = time.perf_counter(), time.thread_time(), 0
    for x, _y in loader:
        n += x.shape[0]
    return n / (time.perf_counter() - start), n / (time.thread_time() - cpu)


class TorchJPEGs:
    """The same pipeline in plain torch: Pillow decode, random-resized crop (the same drawing rule),
    bilinear resize, scale to [0, 1], normalise."""

    def __init__(self, blobs: list[bytes]):
        self.blobs = blobs

    def __len__(self):
        return len(self.blobs)

    def __getitem__(self, i):
        import numpy as np
        import torch
        import torch.nn.functional as F
        from PIL import Image

        img = torch.from_numpy(np.array(Image.open(io.BytesIO(self.blobs[i])).convert("RGB")))
        h, w = img.shape[:2]
        for _ in range(10):
            area = random.uniform(0.08, 1.0) * h * w
            ratio = math.exp(random.uniform(math.log(3 / 4), math.log(4 / 3)))
            cw, ch = int(round(math.sqrt(area * ratio))), int(round(math.sqrt(area / ratio)))
            if cw <= w and ch <= h:
                x0, y0 = random.randint(0, w - cw), random.randint(0, h - ch)
                break
        else:
            cw, ch, x0, y0 = min(w, h), min(w, h), (w - min(w, h)) // 2, (h - min(w, h)) // 2
        crop = img[y0 : y0 + ch, x0 : x0 + cw].permute(2, 0, 1).unsqueeze(0).float()
        out = F.interpolate(crop, size=(224, 224), mode="bilinear", align_corners=False)[0] / 255
        mean, std = torch.tensor(MEAN).view(3, 1, 1), torch.tensor(STD).view(3, 1, 1)
        return (out - mean) / std, i % 10


def torch_images(blobs: list[bytes], workers: int) -> tuple[float, float]:
    from torch.utils.data import DataLoader

    return _image_rates(DataLoader(TorchJPEGs(blobs), batch_size=32, shuffle=True, num_workers=workers))


def run(rounds: int, images: int) -> None:
    import torch

    import mxnet as mx

    rates: dict[str, list[float]] = {}

    def add(name, value):
        if value is not None:
            rates.setdefault(name, []).append(value)

    for threads in (1, os.cpu_count() or 1):
        torch.set_num_threads(threads)
        for _ in range(rounds):
            add(f"array regluon [{threads} thr]", array_rate(mx))
            add(f"array torch [{threads} thr]", torch_array_rate())
        if threads == 1:
            for _ in range(max(1, rounds // 2)):
                add("array mxnet [1 thr]", mxnet_array_rate())
    with tempfile.TemporaryDirectory() as tmp:
        rec, blobs = write_images(tmp, images)
        torch.set_num_threads(1)
        for _ in range(rounds):
            for workers in (0, 2):
                for name, (wall, cpu) in (
                    ("regluon", regluon_images(rec, workers)),
                    ("torch", torch_images(blobs, workers)),
                ):
                    add(f"images {name}, {workers} workers", wall)
                    if workers == 0:
                        add(f"images {name}, 0 workers, CPU time", cpu)
    print(f"{'contender':34s} {'median':>10s}  (per second; rounds)")
    for name, values in rates.items():
        unit = "batches" if name.startswith("array") else "images"
        print(f"{name:34s} {statistics.median(values):10.0f}  {unit}; {len(values)}")
    med = {k: statistics.median(v) for k, v in rates.items()}
    print("\nratios (regluon / other):")
    for threads in (1, os.cpu_count() or 1):
        r = med[f"array regluon [{threads} thr]"]
        print(f"  array loader vs torch [{threads} thr]: {r / med[f'array torch [{threads} thr]']:.2f}x")
    if "array mxnet [1 thr]" in med:
        print(
            f"  array loader vs MXNet 1.9.1 [1 thr]: {med['array regluon [1 thr]'] / med['array mxnet [1 thr]']:.2f}x"
        )
    for workers in ("0 workers", "2 workers", "0 workers, CPU time"):
        ratio = med[f"images regluon, {workers}"] / med[f"images torch, {workers}"]
        print(f"  image pipeline vs torch, {workers}: {ratio:.2f}x")
    print(f"  (load average {os.getloadavg()[0]:.2f})")


if __name__ == "__main__":
    sys.path.insert(0, ROOT)
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--images", type=int, default=256)
    args = parser.parse_args()
    run(args.rounds, args.images)
