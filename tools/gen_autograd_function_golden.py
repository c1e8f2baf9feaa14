"""Record MXNet 1.9.1's ``autograd.Function``: outputs and gradients of custom-gradient functions.

Run under the oracle venv: ``.venv-oracle/bin/python tools/gen_autograd_function_golden.py``. Runs the
programs of tests/autograd_function_programs.py (a custom sigmoid with a head gradient, a
2-input/2-output function with both outputs used and with only the first, a Function computed in
NumPy and differentiated with ``autograd.grad``, and one inside a Gluon HybridBlock trained for two
SGD steps) and writes tests/golden/autograd_function.npz.
"""

import os
import sys

import numpy as np
from _oracle import GOLDEN, ROOT, real_mxnet

mx = real_mxnet()
sys.path.insert(0, os.path.join(ROOT, "tests"))
from autograd_function_programs import run_all  # noqa: E402


def main():
    out = run_all()
    path = os.path.join(GOLDEN, "autograd_function.npz")
    np.savez(path, **out)
    print(f"wrote {path} ({len(out)} arrays)")


if __name__ == "__main__":
    main()
