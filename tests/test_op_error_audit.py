"""A cheap subset of tools/audit_op_errors.py: bad calls (wrong shapes, dtypes, empty arrays, bad
parameter values) derived from the ops' own samples must fail with MXNet-style errors naming the op,
leaving the inputs intact, never with a bare torch/Python exception."""

import importlib.util
import os

import numpy as np
import pytest

import mxnet as mx
from regluon.ndarray.register import OPS

from .conftest import ROOT

_spec = importlib.util.spec_from_file_location(
    "audit_op_errors", os.path.join(ROOT, "tools", "audit_op_errors.py")
)
audit = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(audit)

#: ops whose bad calls used to leak (update ops mutated their states before a torch error; BatchNorm wrote
#: gamma first), and a few of the commonest ops
OPS_CHECKED = [
    "sgd_mom_update",
    "mp_sgd_mom_update",
    "nag_mom_update",
    "signum_update",
    "adam_update",
    "rmspropalex_update",
    "ftml_update",
    "ftrl_update",
    "lamb_update_phase1",
    "mp_lamb_update_phase2",
    "multi_sgd_mom_update",
    "preloaded_multi_mp_sgd_mom_update",
    "_multi_adam_update",
    "_multi_mp_lamb_update",
    "_mp_adamw_update",
    "_contrib_group_adagrad_update",
    "FullyConnected",
    "dot",
    "broadcast_add",
    "sum",
    "concat",
    "take",
    "softmin",
    "_random_pdf_normal",
    "_random_pdf_dirichlet",
    "UpSampling",
    "RNN",
    "_contrib_MultiBoxPrior",
]


@pytest.mark.parametrize("name", OPS_CHECKED)
def test_bad_calls_do_not_leak(name):
    op = OPS[name]
    leaks = []
    for label, inputs, params in audit.bad_calls(op, op.samples()[0]):
        kind, msg = audit.classify(op, inputs, params)
        if kind == "LEAK":
            leaks.append(f"{label}: {msg}")
    assert leaks == []


def test_the_audit_sees_a_leak():
    """classify flags an error without the op's name and inputs changed by a failed call."""

    class Op:
        name, aliases = "fake_op", ()

    def bad(x):
        raise mx.base.MXNetError("something failed")

    def writes(x):
        x[:] = 7
        raise mx.base.MXNetError("fake_op: refused")

    for fn, want in ((bad, "without the op name"), (writes, "input 0 changed")):
        mx.nd.fake_op = fn
        try:
            kind, msg = audit.classify(Op, [np.zeros((2,), np.float32)], {})
        finally:
            del mx.nd.fake_op
        assert kind == "LEAK" and want in msg
