"""Goldens for operator behaviour the table-driven op test cannot express (tests/test_ops_more.py).

Runs under the oracle venv: ``.venv-oracle/bin/python tools/gen_ops_more_golden.py``. Writes
tests/golden/ops_more_golden.npz:

* ``kl/<case>/...``: IdentityAttachKLSparseReg over several training steps (MXNet's nd function cannot
  pass its moving_avg auxiliary state, so this runs through a bound symbol): per step the head gradient,
  the input gradient and the moving average after the backward pass.
"""

import json
import os
import warnings

from _oracle import GOLDEN, real_mxnet

warnings.filterwarnings("ignore")
mx = real_mxnet()
import numpy as np  # noqa: E402

KL_CASES = {
    "default": {},
    "custom": {"sparseness_target": 0.2, "penalty": 0.01, "momentum": 0.5},
}


def kl_cases(out: dict) -> None:
    rng = np.random.RandomState(3)
    for name, params in KL_CASES.items():
        x = rng.uniform(0.05, 0.95, size=(3, 4)).astype(np.float32)
        avg = np.array([0.5, 0.3, 0.2, 0.1], np.float32)
        out[f"kl/{name}/x"], out[f"kl/{name}/avg0"] = x, avg
        out[f"kl/{name}/params"] = np.frombuffer(json.dumps(params).encode(), np.uint8)
        sym = mx.sym.IdentityAttachKLSparseReg(mx.sym.var("data"), name="kl", **params)
        grad = mx.nd.zeros(x.shape)
        aux = mx.nd.array(avg)
        ex = sym.bind(mx.cpu(), args={"data": mx.nd.array(x)}, args_grad={"data": grad}, aux_states=[aux])
        for step in range(3):
            y = ex.forward(is_train=True)[0]
            assert np.array_equal(y.asnumpy(), x)
            head = rng.uniform(-1, 1, size=x.shape).astype(np.float32)
            ex.backward(mx.nd.array(head))
            out[f"kl/{name}/head{step}"] = head
            out[f"kl/{name}/grad{step}"] = grad.asnumpy()
            out[f"kl/{name}/avg{step + 1}"] = ex.aux_arrays[0].asnumpy()


def main():
    out: dict = {}
    kl_cases(out)
    path = os.path.join(GOLDEN, "ops_more_golden.npz")
    np.savez_compressed(path, **out)
    print(f"wrote {len(out)} arrays to {path}")


if __name__ == "__main__":
    main()
