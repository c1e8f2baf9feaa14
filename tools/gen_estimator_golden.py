"""Record MXNet 1.9.1's gluon.contrib.estimator behaviour (tests/estimator_programs.py).

Run under the oracle venv: ``.venv-oracle/bin/python tools/gen_estimator_golden.py``. Writes
tests/golden/estimator_golden.json: per-epoch metrics, final weights, log lines (times masked),
checkpoint file names before/after resuming, early-stopping epochs, warnings and error messages.
"""

import json
import os
import sys
import tempfile

from _oracle import GOLDEN, ROOT, real_mxnet

real_mxnet()
sys.path.insert(0, os.path.join(ROOT, "tests"))
from estimator_programs import run_all  # noqa: E402

with tempfile.TemporaryDirectory() as tmp:
    result = run_all(tmp)
with open(os.path.join(GOLDEN, "estimator_golden.json"), "w") as f:
    json.dump(result, f, indent=1, sort_keys=True)
print("wrote estimator_golden.json")
