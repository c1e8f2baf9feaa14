"""Step 1 of the op goldens: dump every op's sample cases from regluon's op table.

Runs in the regluon venv (``.venv/bin/python tools/dump_op_cases.py``) and writes
tests/golden/op_cases.npz: the NumPy inputs of each case plus a JSON index (op, params, which
inputs get gradients). Step 2, tools/gen_op_golden.py, runs the same cases on MXNet 1.9.1.
"""

import json
import os
import sys

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.dirname(HERE))

from regluon.ndarray.register import OPS, Sample  # noqa: E402

GOLDEN = os.path.join(os.path.dirname(HERE), "tests", "golden")


def main():
    arrays, index = {}, []
    for op in OPS.values():
        if op.samples is None or op.check is not None or op.no_golden:
            continue  # random ops are checked by distribution, not against MXNet's stream
        names = [op.inputs[0]] * 99 if op.variadic else list(op.inputs)
        samples = list(op.samples())
        # each op's first sample also runs in float64 (a dtype variant of the same case)
        if samples and any(x.dtype == np.float32 for x in samples[0].inputs):
            first = samples[0]
            samples.append(
                type(first)(
                    tuple(x.astype(np.float64) if x.dtype == np.float32 else x for x in first.inputs),
                    dict(first.params),
                    first.grad,
                )
            )
        cases = [(f"{op.name}-{i}", s) for i, s in enumerate(samples)]
        # the error inputs too: MXNet must refuse them as well (the golden records its error)
        cases += [
            (f"{op.name}-e{i}", Sample(e[0], e[1], False))
            for i, e in enumerate(op.errors() if op.errors else [])
        ]
        for key, sample in cases:
            grads = []
            for k, (name, x) in enumerate(zip(names, sample.inputs)):
                arrays[f"{key}/in{k}"] = x
                grads.append(
                    bool(
                        op.differentiable
                        and sample.grad
                        and x.dtype.kind == "f"
                        and name not in op.no_grad_inputs
                    )
                )
            index.append(
                {
                    "key": key,
                    "op": op.name,
                    "aliases": list(op.aliases),
                    "params": {k: _jsonable(v) for k, v in sample.params.items()},
                    "n_in": len(sample.inputs),
                    "grads": grads,
                    "error": "-e" in key,
                }
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
