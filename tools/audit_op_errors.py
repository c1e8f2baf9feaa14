"""Audit: call every op of the table with systematically bad inputs and list the errors that leak.

Each op's first sample case is bent into bad calls: one input with one extra or one fewer
dimension, one more element along an axis, another dtype (int32, float16, bool, ...), an empty
array, and each parameter set to a bad value (an out-of-range axis, a negative size, an unknown
enum string, a non-numeric string, ...). Each call ends one of these ways:

``ok``      it ran (MXNet may run it too; the audit cannot tell)
``mxnet``   an MXNetError of the op's own, naming the op (good)
``wrapped`` an MXNetError from invoke's generic translation: torch's (or Python's) text, prefixed
            with the op name and the input shapes (not bare, but not in MXNet's terms)
``pyerr``   a ValueError/TypeError naming the op (parameter parsing, as MXNet's Python layer does)
``LEAK``    anything else: another exception type, an error without the op's name, inputs changed
            by a failed call, a hang (``--timeout`` seconds) or a crash of the interpreter

Usage (regluon venv)::

    .venv/bin/python tools/audit_op_errors.py                 # all ops, leaks by op
    .venv/bin/python tools/audit_op_errors.py --ops Convolution,dot --show wrapped
    .venv/bin/python tools/audit_op_errors.py --dump /tmp/leaks.npz   # the leaking calls, for the oracle

and MXNet 1.9.1's outcome for the dumped calls (oracle venv)::

    .venv-oracle/bin/python tools/audit_op_errors.py --oracle /tmp/leaks.npz

``tests/test_op_error_audit.py`` runs a cheap subset of the same calls (:func:`bad_calls`,
:func:`classify`) so that leaks do not come back.
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import subprocess
import sys
from collections import Counter, defaultdict

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)

# ------------------------------------------------------------------------------------------------
# the bad calls

_AXIS_NAMES = ("axis", "dim", "channel_axis", "axis1", "axis2", "begin_axis", "end_axis")


def _input_mutations(i: int, x: np.ndarray):
    """(label, bad array) for one input array."""
    if x.ndim == 0:
        return
    yield f"in{i}:+dim", x[np.newaxis]
    if x.ndim >= 2:
        yield f"in{i}:-dim", x[0]
    for a in sorted({0, x.ndim - 1}):
        if x.shape[a] > 0:
            yield f"in{i}:axis{a}+1", np.concatenate([x, x.take([0], axis=a)], axis=a)
        yield f"in{i}:axis{a}=0", x.take([], axis=a)
    kinds = {"f": ("int32", "float16", "bool"), "i": ("float32", "bool"), "u": ("float32", "bool")}
    for dt in kinds.get(x.dtype.kind, ("float32",)):
        yield f"in{i}:{dt}", x.astype(dt)


def _param_values(ptype, name: str, ndim: int):
    """Bad values for one parameter type (``ndim``: dimensions of the first input)."""
    from regluon.ndarray import params as P

    if isinstance(ptype, P.Optional):
        yield from _param_values(ptype.inner, name, ndim)
    elif isinstance(ptype, P.Enum):
        yield "bogus"
    elif isinstance(ptype, P.Bool):
        yield "maybe"
    elif isinstance(ptype, P.Int):
        yield from ("abc", -1, -7)
        if name in _AXIS_NAMES or name.endswith("axis"):
            yield from (ndim, -ndim - 1, 100)
    elif isinstance(ptype, P.Float):
        yield from ("abc", -1.0, float("nan"))
    elif isinstance(ptype, P.AxisArg):
        yield from ((ndim,), (-ndim - 1,), "abc")
    elif isinstance(ptype, P.Shape):
        yield from ("abc", (-2, 3), (), (1,) * 7)
    elif isinstance(ptype, P.FloatTuple):
        yield from ("abc", ())
    elif isinstance(ptype, P.DType):
        yield from ("complex64", "abc")


def bad_calls(op, sample):
    """(label, inputs, params) for the bad calls derived from one sample case of ``op``."""
    inputs, params = list(sample.inputs), dict(sample.params)
    for i, x in enumerate(inputs):
        for label, bad in _input_mutations(i, np.asarray(x)):
            yield label, inputs[:i] + [bad] + inputs[i + 1 :], params
    ndim = np.asarray(inputs[0]).ndim if inputs else 0
    for p in op.params:
        if p.name == "ctx":
            continue
        for value in _param_values(p.type, p.name, ndim):
            yield f"{p.name}={value!r}", inputs, {**params, p.name: value}


# ------------------------------------------------------------------------------------------------
# running one call


class _Timeout(Exception):
    pass


def _alarm(signum, frame):
    raise _Timeout()


_PREFIXES = ("_contrib_", "_image_", "_sparse_", "_random_", "_")


def op_names(op) -> tuple[str, ...]:
    """The names a message may call ``op`` by: its table name, aliases, and the public name
    (``_contrib_allclose`` is ``contrib.allclose`` to users)."""
    names = [op.name, *op.aliases]
    for name in list(names):
        for prefix in _PREFIXES:
            if name.startswith(prefix) and len(name) > len(prefix):
                names.append(name[len(prefix) :])
                break
    return tuple(names)


def classify(op, inputs, params, timeout: float = 0) -> tuple[str, str]:
    """Run one call of ``op``; return (outcome, message) as described in the module docstring."""
    import mxnet as mx
    from mxnet import nd

    names = op_names(op)
    try:
        arrays = [nd.array(x, dtype=x.dtype) for x in inputs]
    except Exception as err:  # noqa: BLE001 - an input MXNet cannot hold either
        return "skip", f"input not representable: {err}"
    before = [a.asnumpy().copy() for a in arrays]
    if timeout:
        old = signal.signal(signal.SIGALRM, _alarm)
        signal.setitimer(signal.ITIMER_REAL, timeout)
    try:
        res = getattr(nd, op.name)(*arrays, **params)
        for r in res if isinstance(res, list) else [res]:
            r.wait_to_read()
        return "ok", ""
    except _Timeout:
        return "LEAK", f"hang: no result after {timeout} s"
    except mx.base.MXNetError as err:
        msg = str(err)
        kind = "mxnet"
        if not any(n in msg for n in names):
            return "LEAK", f"MXNetError without the op name: {msg}"
        if " (inputs: " in msg:
            kind = "wrapped"
    except (ValueError, TypeError) as err:
        msg = str(err)
        if not any(n in msg for n in names):
            return "LEAK", f"{type(err).__name__} without the op name: {msg}"
        kind = "pyerr"
    except Exception as err:  # noqa: BLE001 - that is what the audit looks for
        return "LEAK", f"{type(err).__name__}: {err}"
    finally:
        if timeout:
            signal.setitimer(signal.ITIMER_REAL, 0)
            signal.signal(signal.SIGALRM, old)
    for k, (a, b) in enumerate(zip(arrays, before)):
        if not np.array_equal(a.asnumpy(), b, equal_nan=b.dtype.kind == "f"):
            return "LEAK", f"input {k} changed by a failed call ({msg.splitlines()[0]})"
    return kind, msg.splitlines()[0] if msg else ""


# ------------------------------------------------------------------------------------------------
# the whole table, crash-proof: a child process runs the calls, the parent restarts it after a crash


def _all_calls(only=None):
    import mxnet  # noqa: F401 - fills the op table
    from regluon.ndarray.register import OPS

    for op in OPS.values():
        if only and op.name not in only:
            continue
        samples = list(op.samples()) if op.samples else []
        if not samples:
            continue
        for label, inputs, params in bad_calls(op, samples[0]):
            yield op, label, inputs, params


def _child(start: int, only, timeout: float) -> None:
    import warnings

    warnings.filterwarnings("ignore")
    for k, (op, label, inputs, params) in enumerate(_all_calls(only)):
        if k < start:
            continue
        print(json.dumps({"start": k, "op": op.name, "label": label}), flush=True)
        kind, msg = classify(op, inputs, params, timeout)
        print(
            json.dumps({"done": k, "op": op.name, "label": label, "kind": kind, "msg": msg[:300]}), flush=True
        )


def run_all(only=None, timeout: float = 10.0) -> list[dict]:
    def cmd(start):
        extra = ["--ops", ",".join(only)] if only else []
        return [sys.executable, __file__, "--child", str(start), "--timeout", str(timeout), *extra]

    def crash(last, rc):
        msg = f"crash: the interpreter died (exit status {rc})"
        return {"done": last["start"], "op": last["op"], "label": last["label"], "kind": "LEAK", "msg": msg}

    return _restarting(cmd, crash)


def _dump(results, path: str, only, kinds) -> None:
    """Write the calls with the outcomes ``kinds`` (inputs and parameters) for ``--oracle``."""
    wanted = {(r["op"], r["label"]) for r in results if r["kind"] in kinds}
    arrays, index = {}, []
    for op, label, inputs, params in _all_calls(only):
        if (op.name, label) not in wanted:
            continue
        key = f"c{len(index)}"
        for k, x in enumerate(inputs):
            arrays[f"{key}/in{k}"] = np.asarray(x)
        jp = {k: {"tuple": list(v)} if isinstance(v, tuple) else v for k, v in params.items()}
        index.append({"key": key, "op": op.name, "aliases": list(op.aliases), "label": label})
        index[-1] |= {"params": jp, "n_in": len(inputs)}
    arrays["index"] = np.frombuffer(json.dumps(index).encode(), dtype=np.uint8)
    np.savez_compressed(path, **arrays)
    print(f"wrote {len(index)} calls to {path}")


def _mx_message(err: Exception) -> str:
    """The informative line of an MXNet error (its messages start with a C++ traceback)."""
    lines = [ln.strip() for ln in str(err).strip().splitlines() if ln.strip()]
    for ln in lines:
        if "Check failed" in ln or ln.startswith("MXNetError"):
            return ln
    return lines[-1] if lines else ""


def _oracle_child(path: str, start: int) -> None:
    sys.path.insert(0, HERE)
    from _oracle import real_mxnet
    from gen_op_golden import mx_function

    real_mxnet()
    from mxnet import nd

    data = np.load(path)
    for k, case in enumerate(json.loads(bytes(data["index"]).decode())):
        if k < start:
            continue
        print(json.dumps({"start": k, "op": case["op"], "label": case["label"]}), flush=True)
        key = case["key"]
        inputs = [data[f"{key}/in{j}"] for j in range(case["n_in"])]
        params = {n: tuple(v["tuple"]) if isinstance(v, dict) else v for n, v in case["params"].items()}
        try:
            arrays = [nd.array(x, dtype=x.dtype) for x in inputs]
            res = mx_function(case["op"], case["aliases"])(*arrays, **params)
            outs = res if isinstance(res, (list, tuple)) else [res]
            got = "ok " + " ".join(f"{o.shape}{o.dtype.__name__}" for o in outs if hasattr(o, "asnumpy"))
            for o in outs:
                o.asnumpy()
        except Exception as err:  # noqa: BLE001
            got = f"{type(err).__name__}: {_mx_message(err)[:250]}"
        print(json.dumps({"done": k, "op": case["op"], "label": case["label"], "kind": got}), flush=True)


def _restarting(cmd_for, on_crash) -> list[dict]:
    """Run ``cmd_for(start)`` (a child printing start/done JSON lines), restarting it after a crash."""
    results, start = [], 0
    while True:
        env = dict(os.environ, OMP_NUM_THREADS=os.environ.get("OMP_NUM_THREADS", "2"))
        proc = subprocess.Popen(cmd_for(start), stdout=subprocess.PIPE, text=True, cwd=ROOT, env=env)
        last = None
        for line in proc.stdout:
            if not line.startswith("{"):
                continue
            rec = json.loads(line)
            if "start" in rec:
                last = rec
            else:
                results.append(rec)
                last = None
        if proc.wait() == 0 or last is None:
            return results
        results.append(on_crash(last, proc.returncode))
        start = last["start"] + 1


def _oracle(path: str) -> None:
    """Run dumped calls on MXNet 1.9.1 and print what it does with each."""
    results = _restarting(
        lambda start: [sys.executable, __file__, "--oracle", path, "--child", str(start)],
        lambda last, rc: {"op": last["op"], "label": last["label"], "kind": f"crash (exit status {rc})"},
    )
    for r in results:
        print(f"{r['op']:28s} {r['label']:22s} {r['kind']}")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--ops", help="comma-separated op names (default: all)")
    ap.add_argument("--timeout", type=float, default=10.0, help="seconds before a call counts as a hang")
    ap.add_argument("--show", default="LEAK", help="outcomes to list call by call (comma-separated)")
    ap.add_argument("--json", help="write every result to this file")
    ap.add_argument("--dump", help="write the calls listed by --show to this .npz (for --oracle)")
    ap.add_argument("--oracle", help="run the calls of a --dump file on MXNet 1.9.1 (oracle venv)")
    ap.add_argument("--child", type=int, help=argparse.SUPPRESS)
    args = ap.parse_args()
    only = set(args.ops.split(",")) if args.ops else None
    if args.oracle:
        return _oracle(args.oracle) if args.child is None else _oracle_child(args.oracle, args.child)
    sys.path.insert(0, ROOT)
    if args.child is not None:
        return _child(args.child, only, args.timeout)
    results = run_all(only, args.timeout)
    show = set(args.show.split(","))
    by_op = defaultdict(list)
    for r in results:
        if r["kind"] in show:
            by_op[r["op"]].append(r)
    for name, rs in sorted(by_op.items()):
        print(f"{name}:")
        for r in rs:
            print(f"    {r['label']:22s} {r['kind']:8s} {r['msg']}")
    counts = Counter(r["kind"] for r in results)
    leaky = sorted({r["op"] for r in results if r["kind"] == "LEAK"})
    print(f"\n{len(results)} calls: " + ", ".join(f"{k} {v}" for k, v in sorted(counts.items())))
    print(f"{len(leaky)} ops leak: {', '.join(leaky)}")
    if args.json:
        with open(args.json, "w") as f:
            json.dump(results, f, indent=0)
    if args.dump:
        _dump(results, args.dump, only, show)


if __name__ == "__main__":
    main()
