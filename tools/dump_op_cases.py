"""Step 1 of the op goldens: dump every op's sample cases from regluon's op table.

Runs in the regluon venv (``.venv/bin/python tools/dump_op_cases.py``) and writes
tests/golden/op_cases.npz: the NumPy inputs of each case plus a JSON index (op, params, which
inputs get gradients). Step 2, tools/gen_op_golden.py, runs the same cases on MXNet 1.9.1.

Cases per op: its samples (``<op>-<i>``); its first sample again in float64 and float16
(``<op>-f64``, ``<op>-f16``); and its error inputs (``<op>-e<i>``), which MXNet must refuse too.
"""

import json
import os
import sys

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.dirname(HERE))

from regluon.ndarray.register import OPS, Sample  # noqa: E402

GOLDEN = os.path.join(os.path.dirname(HERE), "tests", "golden")


def op_cases(op):
    """(key, sample, extra index fields) for every golden case of one op."""
    samples = list(op.samples())
    cases = [(f"{op.name}-{i}", s, {}) for i, s in enumerate(samples)]
    first = samples[0] if samples else None
    if first is not None and any(x.dtype == np.float32 for x in first.inputs):
        for tag, dtype in (("f64", np.float64), ("f16", np.float16)):
            inputs = tuple(x.astype(dtype) if x.dtype == np.float32 else x for x in first.inputs)
            extra = {"variant": np.dtype(dtype).name, "base": f"{op.name}-0"}
            cases.append((f"{op.name}-{tag}", Sample(inputs, dict(first.params), first.grad), extra))
    for i, (inputs, params, _pattern) in enumerate(op.errors() if op.errors else []):
        cases.append((f"{op.name}-e{i}", Sample(tuple(inputs), dict(params), False), {"error": True}))
    return cases


def main():
    arrays, index = {}, []
    for op in OPS.values():
        if op.samples is None or op.check is not None or op.no_golden:
            continue  # random ops are checked by distribution, not against MXNet's stream
        names = [op.inputs[0]] * 99 if op.variadic else list(op.inputs)
        for key, sample, extra in op_cases(op):
            grads = []
            for k, (name, x) in enumerate(zip(names, sample.inputs)):
                arrays[f"{key}/in{k}"] = x
                wants = op.differentiable and sample.grad and x.dtype.kind == "f"
                grads.append(bool(wants and name not in op.no_grad_inputs))
            params = {k: _jsonable(v) for k, v in sample.params.items()}
            n_in = len(sample.inputs)
            index.append(
                {"key": key, "op": op.name, "aliases": list(op.aliases), "params": params, "n_in": n_in}
                | {"grads": grads}
                | extra
            )
    arrays["index"] = np.frombuffer(json.dumps(index).encode(), dtype=np.uint8)
    path = os.path.join(GOLDEN, "op_cases.npz")
    np.savez_compressed(path, **arrays)
    print(f"wrote {len(index)} cases to {path}")


def _jsonable(v):
    if isinstance(v, tuple):
        return {"tuple": list(v)}
    return v


if __name__ == "__main__":
    main()
