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


def transform_cases():
    pass


def main():
    os.makedirs(OUT, exist_ok=True)
    cases = {"dataset": dataset_cases(), "loader": loader_cases(), "batchify": batchify_cases()}
    with open(os.path.join(OUT, "data_cases.json"), "w") as f:
        json.dump(cases, f, sort_keys=True)
        f.write("\n")
    transform_cases()


if __name__ == "__main__":
    main()
