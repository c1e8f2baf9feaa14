"""Shared helpers for the golden-file generators in tools/ (run under the MXNet 1.9.1 oracle venv).

Every generator runs as ``.venv-oracle/bin/python tools/gen_<name>.py`` (``make golden`` runs all
of them). They import the real ``mxnet`` and write into ``tests/golden/``.
"""

import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
GOLDEN = os.path.join(ROOT, "tests", "golden")

# Never pick up regluon's ``mxnet`` alias from the repository root.
sys.path = [p for p in sys.path if os.path.abspath(p or os.getcwd()) != ROOT]


def real_mxnet():
    import mxnet

    if not mxnet.__file__ or "regluon" in open(mxnet.__file__).read(2000):
        raise SystemExit("tools/ generators must run under the MXNet 1.9.1 oracle venv (see README)")
    return mxnet
