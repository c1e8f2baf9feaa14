"""The seed notebook (d2l-zh, concise linear regression) runs verbatim and behaves as on MXNet 1.9.1."""

import ast
import contextlib
import io
import os
import re

import numpy as np
import pytest
from mxnet.gluon import data as gdata
from mxnet.gluon import loss as gloss
from mxnet.gluon import nn

from mxnet import autograd, gluon, init, nd

from .conftest import GOLDEN, ROOT

SEED_FILE = os.path.join(ROOT, "..", "shared", "seed", "000_db90226088aa8aa2.txt")
SEED_COPY = os.path.join(ROOT, "tests", "seed", "000_db90226088aa8aa2.txt")


def _seed_text() -> str:
    path = SEED_FILE if os.path.exists(SEED_FILE) else SEED_COPY
    with open(path, encoding="utf-8") as f:
        return f.read()


def notebook_cells(text: str) -> list[str]:
    """The code of each ``In [N]:`` cell.

    A cell runs from its marker to the next marker or Markdown heading; within it, blank-line
    separated chunks belong to the code until the first chunk that is not Python (the output).
    """
    cells = []
    for block in re.split(r"^In \[\d+\]:[ \t]*$", text, flags=re.M)[1:]:
        block = re.split(r"^##+ ", block, maxsplit=1, flags=re.M)[0]
        code: list[str] = []
        for chunk in re.split(r"\n\s*\n", block.strip("\n")):
            try:
                ast.parse("\n".join([*code, chunk]))
            except SyntaxError:
                break
            code.append(chunk)
        cells.append("\n\n".join(code))
    return cells


def run_cell(code: str, env: dict):
    """Run a cell as a notebook does: statements, then display the value of a final expression."""
    tree = ast.parse(code)
    last = tree.body[-1] if tree.body and isinstance(tree.body[-1], ast.Expr) else None
    if last is not None:
        tree.body = tree.body[:-1]
    exec(compile(tree, "<seed>", "exec"), env)
    if last is not None:
        return eval(compile(ast.Expression(last.value), "<seed>", "eval"), env)
    return None


def test_committed_copy_of_the_seed_is_identical():
    if os.path.exists(SEED_FILE):
        with open(SEED_COPY, encoding="utf-8") as f:
            assert f.read() == _seed_text()


def test_seed_runs_verbatim():
    cells = notebook_cells(_seed_text())
    assert len(cells) == 9
    env: dict = {"__name__": "__seed__"}
    outputs, displays = [], []
    for code in cells:
        buf = io.StringIO()
        with contextlib.redirect_stdout(buf):
            displays.append(run_cell(code, env))
        outputs.append(buf.getvalue())
    # In [3]: one batch printed in MXNet's format
    assert re.fullmatch(
        r"\n\[\[[-\d. e\n\[\]]+\]\]\n<NDArray 10x2 @cpu\(0\)> \n\[[-\d. e\n]+\]\n<NDArray 10 @cpu\(0\)>\n",
        outputs[2],
    ), outputs[2]
    # In [5]: three epochs, printed with %f, converging as on MXNet
    lines = outputs[4].strip().splitlines()
    assert [re.sub(r"[\d.]+$", "", s) for s in lines] == [f"epoch {i}, loss: " for i in (1, 2, 3)]
    losses = [float(s.rsplit(" ", 1)[1]) for s in lines]
    assert losses[2] < 1e-4 and losses[0] > losses[1] > 0
    # In [6] / [7]: the learned parameters
    true_w, w = displays[5]
    true_b, b = displays[6]
    assert np.abs(w.asnumpy() - np.array([true_w])).max() < 1e-3
    assert abs(b.asscalar() - true_b) < 1e-3
    assert re.fullmatch(r"\n\[\[ ?[-\d.]+ +[-\d.]+\]\]\n<NDArray 1x2 @cpu\(0\)>", repr(w))
    assert re.fullmatch(r"\n\[[-\d.]+\]\n<NDArray 1 @cpu\(0\)>", repr(b))
    # In [8] / [9]: the help texts explain what the notebook's comments say
    assert "1/batch_size" in outputs[7] and "batch_size" in outputs[7] and "step" in outputs[7]
    assert "grad_req" in outputs[8] and "'write'" in outputs[8] and "Parameter" in outputs[8]
    # the exercise: dense.weight.grad()
    assert env["dense"].weight.grad().shape == (1, 2)


def _golden():
    return np.load(os.path.join(GOLDEN, "seed_linreg.npz"))


def _train(g, optimizer_params, epochs, mean_loss=False):
    f, l_ = nd.array(g["features"]), nd.array(g["labels"])
    data_iter = gdata.DataLoader(gdata.ArrayDataset(f, l_), 10, shuffle=True)
    net = nn.Sequential()
    net.add(nn.Dense(1))
    net.initialize(init.Normal(sigma=0.01))
    net(f[:1])
    net[0].weight.set_data(nd.array(g["w0"]))
    net[0].bias.set_data(nd.array(g["b0"]))
    loss = gloss.L2Loss()
    trainer = gluon.Trainer(net.collect_params(), "sgd", optimizer_params)
    np.random.seed(int(g["shuffle_seed"]))
    out = {"step_losses": [], "first_batches": [], "epoch_losses": [], "weights": []}
    for _ in range(epochs):
        for i, (X, y) in enumerate(data_iter):
            if i == 0:
                out["first_batches"].append(X.asnumpy())
            with autograd.record():
                l = loss(net(X), y)
                if mean_loss:
                    l_mean = l.mean()
            (l_mean if mean_loss else l).backward()
            trainer.step(1 if mean_loss else 10)
            out["step_losses"].append(l.asnumpy())
            w = net[0].weight.data().asnumpy().ravel()
            out["weights"].append(np.concatenate([w, net[0].bias.data().asnumpy()]))
        out["epoch_losses"].append(loss(net(f), l_).mean().asnumpy()[0])
    return {k: np.array(v) for k, v in out.items()}


def test_trajectory_matches_mxnet():
    g = _golden()
    got = _train(g, {"learning_rate": 0.03}, 3)
    # same batches in the same order: the shuffle follows NumPy's seeded generator as MXNet's does
    np.testing.assert_array_equal(got["first_batches"], g["first_batches"])
    np.testing.assert_allclose(got["step_losses"], g["step_losses"], rtol=1e-5, atol=1e-5)
    np.testing.assert_allclose(got["weights"], g["weights"], rtol=1e-5, atol=1e-5)
    np.testing.assert_allclose(got["epoch_losses"], g["epoch_losses"], rtol=1e-4, atol=1e-6)


def test_momentum_wd_clip_trajectory_matches_mxnet():
    g = _golden()
    params = {"learning_rate": 0.01, "momentum": 0.9, "wd": 0.001, "clip_gradient": 0.5}
    got = _train(g, params, 1)
    np.testing.assert_allclose(got["step_losses"], g["mom_step_losses"], rtol=1e-5, atol=1e-5)
    np.testing.assert_allclose(got["weights"], g["mom_weights"], rtol=1e-5, atol=1e-5)


def test_exercise_mean_loss_with_step_1_gives_the_same_trajectory():
    g = _golden()
    summed = _train(g, {"learning_rate": 0.03}, 2)
    averaged = _train(g, {"learning_rate": 0.03}, 2, mean_loss=True)
    np.testing.assert_allclose(averaged["weights"], summed["weights"], rtol=1e-6, atol=1e-6)
    np.testing.assert_allclose(averaged["step_losses"], summed["step_losses"], rtol=1e-6, atol=1e-6)


@pytest.mark.parametrize("script", sorted(os.listdir(os.path.join(ROOT, "examples"))))
def test_examples_run(script):
    path = os.path.join(ROOT, "examples", script)
    if not script.endswith(".py"):
        return
    buf = io.StringIO()
    with contextlib.redirect_stdout(buf), open(path, encoding="utf-8") as f:
        exec(compile(f.read(), path, "exec"), {"__name__": "__main__"})
    assert "epoch 3, loss:" in buf.getvalue() or script != "linear_regression_gluon.py"
