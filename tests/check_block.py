"""``check_block``: the harness every Gluon layer goes through (DESIGN.md, Tests).

It builds a block with fresh name counters and checks, in order: parameter names, shapes, prefix
and repr before the first input (deferred shapes show as 0); deferred initialisation by one
forward pass; names, shapes, repr and initial values afterwards; then, with fixed parameter values
loaded by ``set_data``, the output, the input gradient and the parameter gradients for a fixed head
gradient under ``autograd.record`` (and the running statistics after that step); ``hybridize()``
giving the same output; and a ``save_parameters`` / ``load_parameters`` round trip into a freshly
built block (when Block has them) that writes MXNet's structural names. Expected values come from
MXNet 1.9.1 (tests/golden/layer_golden.*, written by tools/gen_layer_golden.py).
"""

from __future__ import annotations

import os
from collections.abc import Callable

import numpy as np

import mxnet as mx
from mxnet import autograd, nd

RTOL, ATOL = 1e-5, 1e-6


def fresh(make: Callable):
    """Build a block with fresh name counters (``conv0_``, ``dense0_``, ... as in a new MXNet process)."""
    with mx.name.NameManager():
        return make()


def names_shapes(net) -> list:
    return [[k, list(v.shape) if v.shape is not None else None] for k, v in net.collect_params().items()]


def close(got, want, what: str, atol: float = ATOL) -> None:
    got = got.asnumpy() if hasattr(got, "asnumpy") else np.asarray(got)
    assert got.shape == want.shape, f"{what}: shape {got.shape} != {want.shape}"
    np.testing.assert_allclose(got, want, rtol=RTOL, atol=atol, err_msg=what)


def case_arrays(arrays, cid: str) -> dict:
    """The golden arrays of case ``cid`` from an npz written as ``<case>/<kind>[/<name>]``."""
    out: dict = {"param": {}, "grad": {}, "after": {}, "init": {}}
    for key in arrays.files:
        case, _, rest = key.partition("/")
        if case != cid:
            continue
        kind, _, name = rest.partition("/")
        if name:
            out[kind][name] = arrays[key]
        else:
            out[kind] = arrays[key]
    return out


def program_maker(env: dict, program: str) -> Callable:
    """A function that runs ``program`` (which assigns ``net``) in a copy of ``env``; returns the net."""

    def make():
        scope = dict(env)
        exec(program, scope)
        return scope["net"]

    return make


def _step(net, x: np.ndarray, head: np.ndarray | None, train: bool, index_input: bool):
    xa = nd.array(x)
    if not index_input:
        xa.attach_grad()
    with autograd.record(train_mode=train):
        out = net(xa)
    if head is not None:
        out.backward(nd.array(head))
    return out, (None if index_input else xa.grad)


def check_block(
    make: Callable,
    x: np.ndarray,
    golden: dict | None = None,
    arrays: dict | None = None,
    tmp_dir: str | None = None,
    init=None,
) -> None:
    """Run ``make()``'s block through the checks above; ``golden``/``arrays`` hold MXNet's record of
    the same block (see tools/gen_layer_golden.py), initialised with ``init`` (the golden file's
    ``init.Constant(0.37)``). Without them only the self-consistency checks (deferred init,
    hybridize, save/load) run."""
    golden = golden or {}
    arrays = arrays or {}
    net = fresh(make)
    if golden:
        assert net.prefix == golden["prefix"], "prefix"
        assert names_shapes(net) == golden["params_before"], "parameter names/shapes before the first input"
        assert repr(net) == golden["repr_before"], "repr before the first input"
    net.initialize() if init is None else net.initialize(init)
    net(nd.array(x))  # predict mode: finishes deferred initialisation
    for name, p in net.collect_params().items():
        assert p.shape is not None and all(d > 0 for d in p.shape), f"{name} still has shape {p.shape}"
    if golden:
        assert names_shapes(net) == golden["params_after"], "parameter names/shapes after the first input"
        if "repr_after" in golden:
            assert repr(net) == golden["repr_after"], "repr after the first input"
        if "grad_req" in golden:
            assert {k: p.grad_req for k, p in net.collect_params().items()} == golden["grad_req"], "grad_req"
    for name, p in net.collect_params().items():
        if name in arrays.get("init", {}):
            close(p.data(), arrays["init"][name], f"initial value of {name}")
        if name in arrays.get("param", {}):
            p.set_data(nd.array(arrays["param"][name]))
    if "out" in arrays:
        _check_step(net, x, golden, arrays)
    pred = net(nd.array(x)).asnumpy()
    if "pred" in arrays:
        close(pred, arrays["pred"], "predict-mode output after the training step")
    net.hybridize()
    close(net(nd.array(x)), pred, "hybridized output")
    net.hybridize(active=False)
    if tmp_dir is not None and hasattr(net, "save_parameters"):
        _check_save_load(net, make, x, pred, golden, tmp_dir)


def _check_step(net, x, golden, arrays) -> None:
    index_input = bool(golden.get("int_input"))
    head = None if golden.get("no_grad") else arrays["head"]
    out, dx = _step(net, x, head, golden.get("train", True), index_input)
    # a case may widen the absolute tolerance of the gradients: sums of hundreds of terms that
    # cancel to ~1e-2 differ at ~1e-6 between summation orders (oneDNN's layouts sum differently)
    atol = golden.get("grad_atol", ATOL)
    close(out, arrays["out"], "output")
    if head is None:
        return
    if "dx" in arrays:
        close(dx, arrays["dx"], "input gradient", atol)
    for name, p in net.collect_params().items():
        if name in arrays.get("grad", {}):
            close(p.grad(), arrays["grad"][name], f"gradient of {name}", atol)
        if name in arrays.get("after", {}):
            close(p.data(), arrays["after"][name], f"{name} after the training step")


def _check_save_load(net, make, x, pred, golden, tmp_dir) -> None:
    path = os.path.join(tmp_dir, "block.params")
    net.save_parameters(path)
    if "structural" in golden:
        loaded = nd.load(path)  # a file without names (a block without parameters) loads as a list
        names = sorted(loaded.keys()) if isinstance(loaded, dict) else []
        assert names == golden["structural"], "structural names in the .params file"
    twin = fresh(make)
    twin.load_parameters(path)
    close(twin(nd.array(x)), pred, "output after save_parameters/load_parameters")
