"""Golden gluon.data behaviour from MXNet 1.9.1: datasets, DataLoader batches, image ops and transforms.

Run under the oracle venv: ``.venv-oracle/bin/python tools/gen_data_golden.py``. Writes

* tests/golden/data/data_cases.json: Dataset.shard/take/filter/sample results, DataLoader batches
  (every last_batch mode, shuffled with fixed NumPy seeds, two passes) and default_batchify_fn
  output dtypes;
* tests/golden/data/transforms.npz: nd.image.* ops and gluon.data.vision.transforms outputs for
  fixed images (``<case>/in``, ``<case>/out``), with the case list in ``index``.

tests/test_data.py and tests/test_transforms.py replay them.
"""

import json
import os
import warnings

from _oracle import GOLDEN, real_mxnet

warnings.filterwarnings("ignore")
mx = real_mxnet()
import numpy as np  # noqa: E402
from mxnet.gluon import data as gdata  # noqa: E402
from mxnet.gluon.data.vision import transforms as T  # noqa: E402

from mxnet import nd  # noqa: E402

OUT = os.path.join(GOLDEN, "data")


def _tolist(x):
    if isinstance(x, nd.NDArray):
        return {"v": x.asnumpy().tolist(), "dtype": np.dtype(x.dtype).name}
    if isinstance(x, (list, tuple)):
        return [_tolist(v) for v in x]
    if isinstance(x, np.generic):
        return x.item()
    return x


def dataset_cases():
    ds = gdata.SimpleDataset(list(range(10)))
    out = {
        "shard": {f"{n}_{i}": list(ds.shard(n, i)) for n in (1, 3, 4) for i in range(n)},
        "take": {str(c): list(ds.take(c)) for c in (None, 0, 3, 20)},
        "filter_even": list(ds.filter(lambda x: x % 2 == 0)),
        "sample": list(ds.sample(gdata.FilterSampler(lambda x: x > 6, ds))),
        "shard_then_filter": list(ds.shard(3, 1).filter(lambda x: x != 5)),
    }
    return out


def loader_cases():
    x = np.arange(22, dtype="float32").reshape(11, 2)
    y = np.arange(11, dtype="int64")
    cases = {}
    for mode in ("keep", "discard", "rollover"):
        for shuffle in (False, True):
            loader = gdata.DataLoader(gdata.ArrayDataset(nd.array(x), y), 4, shuffle=shuffle, last_batch=mode)
            passes = []
            for seed in (1, 2):
                np.random.seed(seed)
                passes.append({"len": len(loader), "batches": [_tolist(b) for b in loader]})
            cases[f"{mode}_{'shuffle' if shuffle else 'seq'}"] = passes
    return cases


def batchify_cases():
    inputs = {
        "ints": [1, 2],
        "floats": [1.5, 2.5],
        "np_float32": [np.float32(1), np.float32(2)],
        "np_int32": [np.int32(3), np.int32(4)],
        "bools": [True, False],
        "np_arrays": [np.array([1, 2]), np.array([3, 4])],
        "nd_arrays": [nd.array([1]), nd.array([2])],
        "tuples": [(1, np.array([1.0])), (2, np.array([2.0]))],
        "nested_lists": [[1, 2], [3, 4]],
        "nested_tuples": [(1, (2, 3)), (4, (5, 6))],
        "uint8_images": [np.full((2, 2, 3), 7, "uint8"), np.full((2, 2, 3), 9, "uint8")],
    }
    fn = gdata.dataloader.default_batchify_fn
    return {k: _tolist(fn(v)) for k, v in inputs.items()}


def _images():
    rs = np.random.RandomState(7)
    u8 = rs.randint(0, 256, size=(7, 9, 3)).astype("uint8")
    return {
        "u8": u8,
        "f32": (u8.astype("float32") + rs.uniform(0, 1, size=u8.shape).astype("float32")),
        "u8b": rs.randint(0, 256, size=(2, 7, 9, 3)).astype("uint8"),
        "chw": rs.uniform(0, 1, size=(3, 7, 9)).astype("float32"),
        "nchw": rs.uniform(0, 1, size=(2, 3, 7, 9)).astype("float32"),
        "big": rs.randint(0, 256, size=(24, 30, 3)).astype("uint8"),
    }


def _op_cases():
    """(case id, input image key, nd.image op name, kwargs)."""
    cases = [
        ("to_tensor_u8", "u8", "to_tensor", {}),
        ("to_tensor_batch", "u8b", "to_tensor", {}),
        ("to_tensor_f32", "f32", "to_tensor", {}),
        ("normalize", "chw", "normalize", {"mean": (0.1, 0.2, 0.3), "std": (0.5, 1.0, 2.0)}),
        ("normalize_batch", "nchw", "normalize", {"mean": (0.5,), "std": (0.25,)}),
        ("crop", "u8", "crop", {"x": 1, "y": 2, "width": 4, "height": 3}),
        ("crop_batch", "u8b", "crop", {"x": 3, "y": 0, "width": 5, "height": 6}),
        ("flip_lr", "big", "flip_left_right", {}),
        ("flip_tb", "big", "flip_top_bottom", {}),
        ("flip_lr_odd", "u8", "flip_left_right", {}),  # MXNet 1.9.1 zeroes the middle column here
        ("flip_tb_odd", "f32", "flip_top_bottom", {}),
        ("flip_lr_chw", "chw", "flip_left_right", {}),
        ("lighting_u8", "u8", "adjust_lighting", {"alpha": (0.1, -0.2, 0.05)}),
        ("lighting_f32", "f32", "adjust_lighting", {"alpha": (-0.3, 0.2, 0.1)}),
        ("random_lighting_0", "f32", "random_lighting", {"alpha_std": 0.0}),
    ]
    for name in ("brightness", "contrast", "saturation"):
        for a in (0.4, 1.6):
            for img in ("u8", "f32"):
                cases.append((f"{name}_{a}_{img}", img, f"random_{name}", {"min_factor": a, "max_factor": a}))
    for a in (0.0, 0.2, 0.75, 1.3):
        for img in ("u8", "f32"):
            cases.append((f"hue_{a}_{img}", img, "random_hue", {"min_factor": a, "max_factor": a}))
    for interp in range(5):
        for img in ("u8", "f32", "big"):
            cases.append((f"resize_down_{interp}_{img}", img, "resize", {"size": (5, 4), "interp": interp}))
            cases.append((f"resize_up_{interp}_{img}", img, "resize", {"size": (13, 11), "interp": interp}))
        cases.append((f"resize_half_{interp}", "big", "resize", {"size": (15, 12), "interp": interp}))
    cases += [
        ("resize_int", "u8", "resize", {"size": 6}),
        ("resize_keep", "u8", "resize", {"size": 6, "keep_ratio": True}),
        ("resize_keep_big", "big", "resize", {"size": 10, "keep_ratio": True}),
        ("resize_batch", "u8b", "resize", {"size": (4, 5)}),
    ]
    return cases


def _block_cases():
    """(case id, input key, transform constructor, seed for Python's and NumPy's generators)."""
    norm = {"mean": (0.485, 0.456, 0.406), "std": (0.229, 0.224, 0.225)}
    return [
        ("T_ToTensor", "u8", lambda: T.ToTensor(), None),
        ("T_Normalize", "chw", lambda: T.Normalize(**norm), None),
        ("T_Cast", "u8", lambda: T.Cast("float16"), None),
        ("T_Resize_int", "big", lambda: T.Resize(12), None),
        ("T_Resize_wh", "big", lambda: T.Resize((8, 5)), None),
        ("T_Resize_keep", "big", lambda: T.Resize(12, keep_ratio=True), None),
        ("T_Resize_nearest", "big", lambda: T.Resize(7, interpolation=0), None),
        ("T_CenterCrop", "big", lambda: T.CenterCrop(10), None),
        ("T_CenterCrop_wh", "big", lambda: T.CenterCrop((12, 8)), None),
        ("T_CenterCrop_larger", "u8", lambda: T.CenterCrop(12), None),
        ("T_CropResize", "big", lambda: T.CropResize(3, 2, 10, 8), None),
        ("T_CropResize_size", "big", lambda: T.CropResize(3, 2, 10, 8, size=(6, 5), interpolation=1), None),
        (
            "T_Compose",
            "big",
            lambda: T.Compose([T.Resize(16), T.CenterCrop(12), T.ToTensor(), T.Normalize(**norm)]),
            None,
        ),
        ("T_Rotate", "chw", lambda: T.Rotate(30), None),
        ("T_Rotate_zoom_in", "nchw", lambda: T.Rotate(-45, zoom_in=True), None),
        ("T_Rotate_zoom_out", "chw", lambda: T.Rotate(60, zoom_out=True), None),
        ("T_RandomRotation", "chw", lambda: T.RandomRotation((-40, 40)), 5),
        ("T_RandomRotation_batch", "nchw", lambda: T.RandomRotation((-40, 40), zoom_out=True), 6),
        ("T_RandomResizedCrop", "big", lambda: T.RandomResizedCrop((10, 8)), 3),
        ("T_RandomResizedCrop_sq", "big", lambda: T.RandomResizedCrop(9, scale=(0.3, 0.6)), 11),
        ("T_RandomApply", "big", lambda: T.RandomApply(T.Resize(5), p=0.5), 4),
    ]


def transform_cases():
    import random

    images = _images()
    arrays, index = {}, []

    def run(key, img, fn, seed=None):
        if seed is not None:
            random.seed(seed)
            np.random.seed(seed)
        try:
            out = fn(nd.array(images[img], dtype=images[img].dtype))
        except Exception as e:  # noqa: BLE001  (recorded: regluon must refuse it too)
            index.append({"key": key, "img": img, "error": type(e).__name__})
            return
        arrays[f"{key}/out"] = out.asnumpy()
        index.append({"key": key, "img": img})

    for key, img, op, kw in _op_cases():
        run(key, img, lambda x, op=op, kw=kw: getattr(nd.image, op)(x, **kw))
        index[-1].update(op=op, kwargs={k: list(v) if isinstance(v, tuple) else v for k, v in kw.items()})
    for key, img, make, seed in _block_cases():
        run(key, img, lambda x, make=make: make()(x), seed)
        index[-1]["seed"] = seed
    for name, arr in images.items():
        arrays[f"image/{name}"] = arr
    arrays["index"] = np.frombuffer(json.dumps(index).encode(), dtype=np.uint8)
    np.savez_compressed(os.path.join(OUT, "transforms.npz"), **arrays)


def main():
    os.makedirs(OUT, exist_ok=True)
    cases = {"dataset": dataset_cases(), "loader": loader_cases(), "batchify": batchify_cases()}
    with open(os.path.join(OUT, "data_cases.json"), "w") as f:
        json.dump(cases, f, sort_keys=True)
        f.write("\n")
    transform_cases()


if __name__ == "__main__":
    main()
