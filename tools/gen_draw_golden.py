"""Record what MXNet 1.9.1's ``ImageDetIter.draw_next`` (and the ``cv2.rectangle`` under it) draws.

MXNet draws with the ``cv2`` module, which its wheel does not bring, so this generator needs
OpenCV next to the oracle. Do not change ``.venv-oracle`` itself; use a throw-away venv that sees
its packages:

    python3.11 -m venv /tmp/oracle-cv
    echo "$PWD/.venv-oracle/lib/python3.11/site-packages" > /tmp/oracle-cv/lib/python3.11/site-packages/oracle.pth
    /tmp/oracle-cv/bin/pip install --no-deps opencv-python-headless==4.8.1.78
    /tmp/oracle-cv/bin/python tools/gen_draw_golden.py

Writes ``tests/golden/io/draw.npz`` and ``draw.json``:
- ``rect/<i>``: ``cv2.rectangle`` on a zero image for random sizes, corners (also outside the
  image, in either order), thicknesses (-1 fills) and colours (floats, out of range);
- ``draw/<case>/<k>``: the k-th image ``draw_next`` yields for ``tests/golden/io/det.rec`` (written
  by ``gen_io_golden.py``) under each case's iterator and ``draw_next`` arguments.
"""

import json
import os

import numpy as np
from _oracle import GOLDEN, real_mxnet

try:
    import cv2
except ImportError:
    raise SystemExit("tools/gen_draw_golden.py needs cv2 beside the oracle: see its docstring") from None

mx = real_mxnet()
OUT = os.path.join(GOLDEN, "io")

# (iterator keywords, draw_next keywords, how many images to take, NumPy seed before drawing).
# A given colour is palindromic where more than one image is taken: MXNet reverses it again on
# every image (regluon keeps it RGB throughout), so only a first image tells the channel order.
DRAW_CASES = {
    "thick2_all": (dict(), dict(color=(200, 60, 200)), 4, None),
    "rgb_first": (dict(), dict(color=(255, 40, 0), thickness=1), 1, None),
    "random_color": (dict(), dict(thickness=3), 4, 3),
    "filled": (dict(), dict(color=(10, 250, 10), thickness=-1), 2, None),
    "normalised": (dict(mean=True, std=True), dict(mean=True, std=True, thickness=4), 4, 5),
    "normalised_arrays": (
        dict(mean=np.array([100.0, 90.0, 80.0]), std=np.array([50.0, 40.0, 30.0])),
        dict(mean=np.array([100.0, 90.0, 80.0]), std=np.array([50.0, 40.0, 30.0]), color=(1, 2, 1)),
        2,
        None,
    ),
    "no_clip_mean_only": (
        dict(mean=np.array([10.0, 20.0, 30.0])),
        dict(mean=np.array([10.0, 20.0, 30.0]), clip=False, color=(9, 9, 9), thickness=7),
        2,
        None,
    ),
}


def rect_cases():
    rs = np.random.RandomState(0)
    out, params = {}, []
    for i in range(400):
        h, w = (int(v) for v in rs.randint(4, 40, 2))
        t = int(rs.choice([0, 1, 2, 3, 4, 5, 6, 9, 12, 17, -1]))
        p1 = (int(rs.randint(-8, w + 8)), int(rs.randint(-8, h + 8)))
        p2 = (int(rs.randint(-8, w + 8)), int(rs.randint(-8, h + 8)))
        color = [float(v) for v in np.round(rs.uniform(-20, 280, 3), 1)]
        img = np.zeros((h, w, 3), np.uint8)
        cv2.rectangle(img, p1, p2, tuple(color), t)
        out[f"rect/{i}"] = img
        params.append([h, w, list(p1), list(p2), t, color])
    return out, params


def draw_cases():
    import random

    out, taken = {}, {}
    for name, (iter_kw, draw_kw, count, seed) in DRAW_CASES.items():
        random.seed(1)
        it = mx.image.ImageDetIter(
            batch_size=2,
            data_shape=(3, 40, 48),
            path_imgrec=os.path.join(OUT, "det.rec"),
            inter_method=1,
            **iter_kw,
        )
        if seed is not None:
            np.random.seed(seed)
        images = []
        for img in it.draw_next(**draw_kw):
            images.append(img)
            if len(images) == count:
                break
        for k, img in enumerate(images):
            out[f"draw/{name}/{k}"] = img
        taken[name] = len(images)
    return out, taken


def listify(v):
    return v.tolist() if isinstance(v, np.ndarray) else v


def main():
    rects, params = rect_cases()
    draws, taken = draw_cases()
    np.savez_compressed(os.path.join(OUT, "draw.npz"), **rects, **draws)
    cases = {
        name: {
            "iter": {k: listify(v) for k, v in it.items()},
            "draw": {k: listify(v) for k, v in dr.items()},
            "seed": seed,
            "count": taken[name],
        }
        for name, (it, dr, _, seed) in DRAW_CASES.items()
    }
    with open(os.path.join(OUT, "draw.json"), "w") as f:
        json.dump({"opencv": cv2.__version__, "rect": params, "draw": cases}, f)


if __name__ == "__main__":
    main()
