"""The ``mxnet`` import alias resolves to regluon's modules (the same objects, not copies)."""

import importlib
import subprocess
import sys

import regluon


def test_import_forms_resolve_to_regluon_modules():
    from mxnet.gluon import data as gdata
    from mxnet.gluon import loss as gloss
    from mxnet.gluon import nn

    import mxnet as mx
    from mxnet import autograd, gluon, init, nd

    assert nd is regluon.nd and autograd is regluon.autograd and gluon is regluon.gluon
    assert init is regluon.initializer
    assert gdata is regluon.gluon.data and gloss is regluon.gluon.loss and nn is regluon.gluon.nn
    assert importlib.import_module("mxnet.gluon.nn") is regluon.gluon.nn
    assert importlib.import_module("mxnet.ndarray") is regluon.ndarray
    assert mx.nd.NDArray is regluon.nd.NDArray
    import mxnet.base

    assert mxnet.base.MXNetError is regluon.base.MXNetError


def test_versions():
    import mxnet

    assert mxnet.__version__.startswith("1.9.")
    assert regluon.__version__ != mxnet.__version__
    assert tuple(int(p) for p in regluon.__version__.split(".")[:2]) >= (0, 1)


def test_unknown_submodule_still_fails():
    try:
        importlib.import_module("mxnet.no_such_module")
    except ModuleNotFoundError:
        return
    raise AssertionError("importing a missing mxnet submodule must fail")


def test_fresh_interpreter_imports_submodule_first():
    code = "import mxnet.gluon.nn as nn, regluon; assert nn is regluon.gluon.nn; print(nn.Dense(2).prefix)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd="/")
    assert out.stdout.strip() == "dense0_"
