"""Write .params files with regluon, for tools/gen_net_golden.py to load into real MXNet.

Run under regluon's venv: ``.venv/bin/python tools/save_regluon_nets.py``, then the generator
under the oracle venv. For the small book networks this saves regluon's freshly initialized
parameters (``regluon_<name>.params``) and regluon's output on the example input
(``regluon_outputs.npz``); the generator checks that MXNet 1.9.1 loads each file and computes
the same output.
"""

import os
import sys

import numpy as np

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, ROOT)
sys.path.insert(0, os.path.join(ROOT, "tests"))

import book_models  # noqa: E402

import mxnet as mx  # noqa: E402  (regluon's alias)

OUT = os.path.join(ROOT, "tests", "golden", "nets")


def main():
    outputs = {}
    for name, (builder, small) in book_models.MODELS.items():
        if not small:
            continue
        with mx.name.NameManager():
            net, shape = builder()
        mx.random.seed(1)
        net.initialize(mx.init.Xavier())
        x = book_models.example_input(shape)
        outputs[name] = net(x).asnumpy()
        net.save_parameters(os.path.join(OUT, f"regluon_{name}.params"))
        print("saved", name)
    np.savez(os.path.join(OUT, "regluon_outputs.npz"), **outputs)


if __name__ == "__main__":
    main()
