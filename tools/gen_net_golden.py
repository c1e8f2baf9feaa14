"""Record MXNet 1.9.1's view of whole networks (tests/book_models.py) into tests/golden/nets/.

Run under the oracle venv: ``.venv-oracle/bin/python tools/gen_net_golden.py``. For each model:
the ``collect_params()`` names and shapes, the structural names ``save_parameters`` writes, the
``summary()`` text, and, for fixed parameter values, the output (predict and train mode) and the
input gradient. Small models also get the ``.params`` file MXNet itself saved (plus the two older
file layouts); large ones get their values from ``book_models.fill``.

If ``tools/save_regluon_nets.py`` has written regluon's own files (``regluon_<name>.params``),
they are loaded into MXNet here and MXNet's output must equal the one regluon recorded: the
check that files regluon saves load in MXNet.
"""

import contextlib
import io
import json
import os
import shutil
import sys
import tempfile

import numpy as np
from _oracle import GOLDEN, ROOT, real_mxnet

mx = real_mxnet()
sys.path.insert(0, os.path.join(ROOT, "tests"))
import book_models  # noqa: E402

OUT = os.path.join(GOLDEN, "nets")
HEAD_SEED = 11


def has_dropout(net) -> bool:
    found = []
    net.apply(lambda b: found.append(isinstance(b, mx.gluon.nn.Dropout)))
    return any(found)


def run(net, x):
    """Outputs in float32; the input gradient in float64.

    MXNet 1.9.1's float32 CPU kernels (oneDNN) return wrong gradients under
    ``record(train_mode=False)`` for these networks (checked against finite differences: even
    LeNet's weight gradients are off, and they change from run to run, as if a pooling workspace
    were left unset). Its float64 kernels agree with finite differences, so the gradient golden
    comes from a float64 copy of the network. It is taken in training mode where the network has
    no Dropout (batch statistics in BatchNorm), in predict mode where it has (Dropout is random
    in training mode).
    """
    out = net(x)
    ret = {"predict": out.asnumpy()}
    if not has_dropout(net):
        with mx.autograd.record(train_mode=True):
            ret["train"] = net(x).asnumpy()
    head = np.random.RandomState(HEAD_SEED).uniform(-1, 1, out.shape)
    net.cast("float64")
    x64 = x.astype("float64")
    x64.attach_grad()
    with mx.autograd.record(train_mode=not has_dropout(net)):
        out = net(x64)
    out.backward(mx.nd.array(head, dtype="float64"))
    ret["input_grad"] = x64.grad.asnumpy()
    net.cast("float32")
    return ret


def build(name):
    builder, _ = book_models.MODELS[name]
    with mx.name.NameManager():
        net, shape = builder()
    mx.random.seed(0)
    net.initialize(mx.init.Xavier())
    x = book_models.example_input(shape)
    net(x)  # finish deferred initialisation
    return net, x


def main():
    os.makedirs(OUT, exist_ok=True)
    cases, arrays = {}, {}
    for name, (_, ship_file) in book_models.MODELS.items():
        net, x = build(name)
        if ship_file:
            net.save_parameters(os.path.join(OUT, f"{name}.params"))
        else:
            book_models.fill(net)
        case = {
            "input_shape": list(x.shape),
            "params": [[k, list(v.shape)] for k, v in net.collect_params().items()],
            "structural": [[k, list(v.shape)] for k, v in net._collect_params_with_prefix().items()],
            "mxnet_file": ship_file,
        }
        if name in ("mlp", "lenet", "shared", "resnet18"):
            buf = io.StringIO()
            with contextlib.redirect_stdout(buf):
                net.summary(x)
            case["summary"] = buf.getvalue()
        if name == "mlp":
            net.save_params(os.path.join(OUT, "mlp_legacy.params"))
            net.collect_params().save(os.path.join(OUT, "mlp_fullnames.params"))
        if name in ("shared", "lenet"):  # MXNet 1.9's Block.save: the block tree as JSON
            with tempfile.TemporaryDirectory() as tmp:
                net.save(os.path.join(tmp, name))
                shutil.copy(os.path.join(tmp, f"{name}-model.json"), os.path.join(OUT, f"{name}-model.json"))
        if name == "shared":
            net.save_parameters(os.path.join(OUT, "shared_dedup.params"), deduplicate=True)
        for key, value in run(net, x).items():
            arrays[f"{name}/{key}"] = value
        cases[name] = case
        print(name, "ok")
    with open(os.path.join(OUT, "cases.json"), "w") as f:
        json.dump(cases, f, indent=1, sort_keys=True)
    np.savez_compressed(os.path.join(OUT, "io.npz"), **arrays)
    check_regluon_files()


def check_regluon_files():
    """Files regluon saved (tools/save_regluon_nets.py) must load in MXNet and give its outputs."""
    path = os.path.join(OUT, "regluon_outputs.npz")
    if not os.path.exists(path):
        print("no regluon files yet: run tools/save_regluon_nets.py under .venv, then this again")
        return
    expected = np.load(path)
    for name in book_models.MODELS:
        fname = os.path.join(OUT, f"regluon_{name}.params")
        if not os.path.exists(fname):
            continue
        net, x = build(name)
        net.load_parameters(fname)
        out = net(x).asnumpy()
        if not np.allclose(out, expected[name], rtol=1e-5, atol=1e-6):
            raise SystemExit(f"{fname}: MXNet's output differs from regluon's")
        print(name, "regluon file loads in MXNet, same output")


if __name__ == "__main__":
    main()
