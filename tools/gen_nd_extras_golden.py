"""Golden facts for the smaller ``nd`` additions, from MXNet 1.9.1.

Run under the oracle venv: ``.venv-oracle/bin/python tools/gen_nd_extras_golden.py``. Writes
tests/golden/nd_extras_sparse.nd (MXNet's ``nd.save`` of a CSR, a row-sparse and a dense array) and
tests/golden/nd_extras.json (the arrays' values and storage types; ``erfinv`` on integer arrays).
tests/test_nd_extras.py checks regluon against both.
"""

import json
import os
import warnings

from _oracle import GOLDEN, real_mxnet

warnings.filterwarnings("ignore")
mx = real_mxnet()
import numpy as np  # noqa: E402

from mxnet import nd  # noqa: E402


def main():
    c = nd.array([[0, 1.5, 0], [2.0, 0, -3.0]]).tostype("csr")
    r = nd.array([[0, 0], [1.0, -2.0], [0, 0], [0.5, 0]], dtype="float64").tostype("row_sparse")
    d = nd.array([1, 2, 3], dtype="int32")
    path = os.path.join(GOLDEN, "nd_extras_sparse.nd")
    nd.save(path, {"c": c, "r": r, "d": d})
    loaded = nd.load_frombuffer(open(path, "rb").read())
    facts = {
        "saved": {
            k: {"stype": v.stype, "dtype": np.dtype(v.dtype).name, "values": v.asnumpy().tolist()}
            for k, v in loaded.items()
        }
    }
    erfinv = {}
    for dt in ("int8", "uint8", "int32", "int64"):
        vals = [0, 1, 2, 100, 255] if dt == "uint8" else [-100, -2, -1, 0, 1, 2, 5, 100]
        out = nd.erfinv(nd.array(vals, dtype=dt))
        erfinv[dt] = {"in": vals, "out": out.asnumpy().tolist(), "dtype": np.dtype(out.dtype).name}
    facts["erfinv"] = erfinv
    a, b = nd.ones((2, 3)), nd.ones((4,), dtype="float16")
    facts["reset_arrays_returns"] = repr(nd.reset_arrays(a, b, num_arrays=2))
    facts["reset_arrays_values"] = [a.asnumpy().tolist(), b.asnumpy().tolist()]
    facts["sparse_public"] = sorted(n for n in dir(nd.sparse) if not n.startswith("_"))
    facts["op_public"] = sorted(n for n in dir(nd.op) if not n.startswith("_"))
    s = c.asscipy()
    facts["asscipy"] = {"type": type(s).__name__, "dtype": s.dtype.name, "shape": list(s.shape)}
    with open(os.path.join(GOLDEN, "nd_extras.json"), "w") as f:
        json.dump(facts, f, indent=1)
    print("wrote nd_extras.json and nd_extras_sparse.nd")


if __name__ == "__main__":
    main()
