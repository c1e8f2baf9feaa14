"""The op table and the one dispatcher every generated ``nd.*`` function goes through.

Each operator is declared once as an :class:`OpDef`: its MXNet name and aliases, its
tensor inputs, its typed parameters with MXNet defaults, the torch implementation,
a shape rule (used to check inputs and to finish deferred parameter initialisation),
and a NumPy reference plus sample inputs that the table-driven tests run. From the
table come the ``nd`` namespace (and its ``random``/``contrib``/``linalg`` parts),
the NDArray methods and the ``F`` that Gluon layers receive.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import torch

from ..base import MXNetError, shape_str
from .params import Param

#: name -> OpDef for every operator, keyed by its canonical MXNet name.
OPS: dict[str, OpDef] = {}


@dataclass
class Sample:
    """Inputs (NumPy arrays) and parameters for one table-driven test case."""

    inputs: tuple
    params: dict = field(default_factory=dict)
    grad: bool = True
    #: False where MXNet's gradient is not the exact derivative (checked against MXNet's golden only)
    numeric_grad: bool = True


@dataclass
class OpDef:
    """One operator of the table. See the module docstring."""

    name: str
    impl: Callable[..., Any]
    inputs: tuple[str, ...] = ("data",)
    params: tuple[Param, ...] = ()
    aliases: tuple[str, ...] = ()
    doc: str = ""
    method: str | None = None
    variadic: bool = False
    optional_inputs: tuple[str, ...] = ()
    #: Shape rule ``(op, input_shapes, params) -> full input shapes``: fills in the shapes of deferred
    #: Parameters and, when the implementation fails, raises the MXNet-style shape error. Cheap
    #: checks that torch would not catch belong in the implementation itself.
    infer_shape: Callable | None = None
    creates: bool = False
    differentiable: bool = True
    ref: Callable | None = None
    samples: Callable[[], Sequence[Sample]] | None = None
    errors: Callable[[], Sequence[tuple]] | None = None
    #: For ops whose values cannot match a reference (random, uninitialised): ``check(out, params,
    #: *inputs) -> bool`` validates a result instead; such ops have no golden values.
    check: Callable | None = None
    takes_out: bool = False
    #: Why the op has no MXNet golden cases (e.g. MXNet crashes on it here); empty means it must have them.
    no_golden: str = ""
    no_grad_inputs: tuple[str, ...] = ()
    #: For ops without parameters, a lean path that skips the implementation's checks: a torch
    #: function giving the op's result directly, for two input tensors of one dtype (not bool) or
    #: for one floating-point input tensor. It must raise (RuntimeError) where the op would fail;
    #: the general path then runs. The result must equal the implementation's, bit for bit, and be
    #: a new tensor, never a view.
    direct: Callable | None = None
    #: For ops with parameters whose commonest calls deserve a hand-written path:
    #: ``fast(general) -> function`` builds the public function, with the op's own signature (so
    #: no keyword arguments are repacked). It must hand every call it does not handle to
    #: ``general``, the generated function, with the same arguments, and give the same results.
    fast: Callable | None = None

    def __post_init__(self):
        self.param_map = {p.name: p for p in self.params}
        self.defaults = {p.name: p.default for p in self.params}
        self.required = tuple(p.name for p in self.params if p.required)
        # invoke adds entries to the params of creation and out-taking ops; the others may share defaults
        self.pure_params = not (self.creates or self.takes_out)
        self.parse_cache: dict = {}
        self.call_cache: dict = {}


def register(op: OpDef) -> OpDef:
    """Add an operator to the table; names and aliases must be unique."""
    for name in (op.name, *op.aliases):
        if name in _ALL_NAMES:
            raise ValueError(f"operator name {name} is declared twice")
        _ALL_NAMES[name] = op
    OPS[op.name] = op
    return op


_ALL_NAMES: dict[str, OpDef] = {}


def get_op(name: str) -> OpDef:
    """Look an operator up by its name or any alias."""
    try:
        return _ALL_NAMES[name]
    except KeyError:
        raise MXNetError(f"operator {name} is not in the op table") from None


# ----------------------------------------------------------------------------------------------
# dispatch


def _describe(op: OpDef, inputs) -> str:
    names = op.inputs if not op.variadic else [f"{op.inputs[0]}[{i}]" for i in range(len(inputs))]
    parts = []
    for n, x in zip(names, inputs):
        t = getattr(x, "_tensor", None)
        if t is not None:
            parts.append(f"{n} {shape_str(t.shape)} {str(t.dtype).replace('torch.', '')}")
    return ", ".join(parts)


def parse_params(op: OpDef, kwargs: dict) -> dict:
    """Turn user keyword arguments into converted parameter values (defaults filled in).

    The result may be shared between calls (for ops that do not add entries to it): callers must
    not modify it.
    """
    if not kwargs:
        if not op.required:
            return op.defaults if op.pure_params else dict(op.defaults)
    elif op.pure_params:  # the same attributes repeat call after call: cache the parsed set
        # the values' types are part of the key: 1, 1.0 and True are equal but may parse differently
        key = (*kwargs.items(), *map(type, kwargs.values()))
        try:
            return op.call_cache[key]
        except (KeyError, TypeError):
            params = _parse_params(op, kwargs)
            try:
                if len(op.call_cache) < 256:
                    op.call_cache[key] = params
            except TypeError:  # unhashable value, e.g. a list
                pass
            return params
    return _parse_params(op, kwargs)


_MISSING = object()


def _parse_params(op: OpDef, kwargs: dict) -> dict:
    params = dict(op.defaults)
    cache = op.parse_cache
    for key, value in kwargs.items():
        # most attributes repeat call after call: (name, type, value) -> parsed value; a list (e.g. the
        # learning rates of a multi-tensor update) is looked up by its items and their types
        if value.__class__ is list:
            ckey = (key, list, tuple(value), tuple(map(type, value)))
        else:
            ckey = (key, value.__class__, value)
        try:
            parsed = cache.get(ckey, _MISSING)
        except TypeError:  # unhashable value
            parsed = _MISSING
        if parsed is not _MISSING:
            params[key] = parsed
            continue
        spec = op.param_map.get(key)
        if spec is None:
            if key in ("name", "attr"):
                continue
            allowed = ", ".join(op.param_map) or "none"
            raise TypeError(f"{op.name}: unexpected argument '{key}' (parameters: {allowed})")
        if value is None and not spec.required:
            params[key] = None
            continue
        parsed = spec.convert(op.name, value)
        params[key] = parsed
        try:
            if len(cache) < 1024:
                cache[ckey] = parsed
        except TypeError:  # unhashable value
            pass
    for key in op.required:
        if params[key] is None:
            raise TypeError(f"{op.name}: required parameter '{key}' is missing")
    return params


# Bound by regluon.ndarray once NDArray exists (avoids an import cycle on the hot path).
_NDArray: Any = None
_Deferred: Any = None
_state: Any = None
_current_context: Any = None


def bind(ndarray_cls, deferred_cls, state, current_context) -> None:
    global _NDArray, _Deferred, _state, _current_context
    _NDArray, _Deferred, _state, _current_context = ndarray_cls, deferred_cls, state, current_context


def _classify(op: OpDef, inputs: Sequence):
    """Slow path of :func:`invoke`: inputs that are None (optional), deferred Parameters or wrong."""
    tensors, ctx, deferred = [], None, False
    for i, x in enumerate(inputs):
        name = op.inputs[0] if op.variadic else op.inputs[min(i, len(op.inputs) - 1)]
        if isinstance(x, _NDArray):
            tensors.append(x._tensor)
            ctx = ctx or x._ctx
        elif isinstance(x, _Deferred):
            tensors.append(None)
            deferred = True
        elif x is None and (name in op.optional_inputs or op.creates):
            tensors.append(None)
        elif x is None:
            raise TypeError(f"{op.name}: missing input '{name}'")
        else:
            raise TypeError(f"{op.name}: input '{name}' must be an NDArray, got {type(x).__name__}")
    return tensors, ctx, deferred


def invoke(op: OpDef, inputs: Sequence, params: dict, out=None):
    """Run ``op`` on NDArray ``inputs`` with converted ``params``; wrap the result(s)."""
    try:
        tensors = [x._tensor for x in inputs]
        ctx = inputs[0]._ctx if inputs else None
    except AttributeError:
        tensors, ctx, deferred = _classify(op, inputs)
        if deferred:
            tensors = _finish_deferred(op, inputs, tensors, params, ctx)
    if op.creates:
        ctx = params.get("ctx") or _current_context()
        params["ctx"] = ctx
    elif ctx is None:
        ctx = _current_context()
    if op.takes_out:
        params["_out"] = (
            None
            if out is None
            else ([o._tensor for o in out] if isinstance(out, (list, tuple)) else out._tensor)
        )
    guard = False
    if not _state.recording:  # outside record(): never build a graph, even from attached arrays
        for t in tensors:
            if t is not None and t.requires_grad:
                guard = True
                break
    try:
        if guard:  # torch.no_grad(), without its Python context-manager layers
            was = _is_grad_enabled()
            _set_grad_enabled(False)
            try:
                res = op.impl(*tensors, **params)
            finally:
                _set_grad_enabled(was)
        else:
            res = op.impl(*tensors, **params)
    except MXNetError:
        raise
    except (RuntimeError, ValueError, IndexError, TypeError, ArithmeticError) as err:
        if op.infer_shape is not None:  # the op's shape rule explains the failure in MXNet's terms
            try:
                op.infer_shape(op, [None if t is None else tuple(t.shape) for t in tensors], params)
            except MXNetError:
                raise
            except (ValueError, IndexError, TypeError, ArithmeticError):  # the rule chokes too: generic error
                pass
        msg = str(err).split("\n")[0]
        raise MXNetError(f"{op.name}: {msg} (inputs: {_describe(op, inputs)})") from None
    if res.__class__ is torch.Tensor:
        if res._base is not None:  # a view: MXNet's operators return new arrays, never aliases of inputs
            res = res.clone()
        if out is not None:
            _write_out(out, res)
            return out
        return _NDArray._wrap(res, ctx)
    if out is not None:
        for o, r in zip(out, res):
            _write_out(o, r)
        return out
    return [_NDArray._wrap(r.clone() if r._base is not None else r, ctx) for r in res]


def fast_call(op: OpDef, inputs: Sequence, params: dict):
    """``invoke`` for the common case (``a + b``, ``nd.relu(x)``, ``x.sum(axis=1)``): plain NDArray inputs
    on one context, no ``out``, no shape rule. Anything unusual (and every failure, so that errors are
    MXNet's) goes through ``invoke``.

    Unlike ``invoke`` it does not look at the recording flag before the call: when the result carries
    a graph although nothing is recorded (attached arrays used outside ``record()``), the graph is cut
    from the result afterwards, which gives the same values and costs nothing in the common case.
    """
    n = len(inputs)
    try:
        if n == 2:
            if params:
                res = op.impl(inputs[0]._tensor, inputs[1]._tensor, **params)
            else:
                res = op.impl(inputs[0]._tensor, inputs[1]._tensor)
        elif n == 1:
            res = op.impl(inputs[0]._tensor, **params) if params else op.impl(inputs[0]._tensor)
        elif n == 3:
            res = op.impl(inputs[0]._tensor, inputs[1]._tensor, inputs[2]._tensor, **params)
        else:
            res = op.impl(*[x._tensor for x in inputs], **params)
    except Exception:  # noqa: BLE001 - the general path raises the proper MXNetError
        return invoke(op, inputs, params)
    ctx = inputs[0]._ctx
    if res.__class__ is not torch.Tensor:  # several outputs
        return [_wrap_result(r, ctx) for r in res]
    if res._base is not None:  # a view: MXNet's operators return new arrays, never aliases of inputs
        res = res.clone()
    if res.requires_grad and not _state.recording:
        res = res.detach()
    out = _new(_NDArray)
    out._tensor = res
    out._ctx = ctx
    out._ag = None
    return out


def _wrap_result(r: torch.Tensor, ctx):
    if r._base is not None:
        r = r.clone()
    if r.requires_grad and not _state.recording:
        r = r.detach()
    return _NDArray._wrap(r, ctx)


def add_result_hook(wrap: Callable) -> None:
    """Send every later op call through ``wrap(fast_call)`` and ``wrap(invoke)`` (the generated functions
    look both up here at each call). nd.sparse does this once, when the first sparse array is made, to
    give results MXNet's storage types; programs without sparse arrays never pay for it."""
    global fast_call, invoke
    fast_call, invoke = wrap(fast_call), wrap(invoke)


_new = object.__new__
_BOOL = torch.bool
_set_grad_enabled = torch._C._set_grad_enabled
_is_grad_enabled = torch.is_grad_enabled


def _write_out(out, res: torch.Tensor) -> None:
    if res is out._tensor:
        return
    if tuple(res.shape) != tuple(out._tensor.shape):
        raise MXNetError(
            f"out= has shape {shape_str(out.shape)} but the result has shape {shape_str(res.shape)}"
        )
    if _state.recording:
        out._tensor.copy_(res)
    else:
        with torch.no_grad():
            out._tensor.copy_(res)


def _finish_deferred(op: OpDef, inputs, tensors, params, ctx):
    """Infer the shapes of deferred Parameters from the other inputs and initialise them."""
    if op.infer_shape is None:
        names = [x.param.name for x in inputs if isinstance(x, _Deferred)]
        raise MXNetError(f"{op.name}: cannot infer the shape of deferred parameter(s) {', '.join(names)}")
    shapes = [None if t is None else tuple(t.shape) for t in tensors]
    full = op.infer_shape(op, shapes, params)
    out = list(tensors)
    for i, x in enumerate(inputs):
        if isinstance(x, _Deferred):
            x.param._finish_deferred_init(tuple(full[i]))
            out[i] = x.param.data(ctx)._tensor
    return out


# ----------------------------------------------------------------------------------------------
# generated Python functions


def make_function(op: OpDef, public_name: str | None = None) -> Callable:
    """Build the ``nd`` function for ``op`` with a real signature and docstring."""
    n_in = len(op.inputs)
    input_names = op.inputs
    param_names = tuple(p.name for p in op.params)
    variadic = op.variadic
    # ops that need none of invoke's extra steps (creation, out-taking) can use fast_call, which hands
    # anything unusual (deferred or missing inputs, failures explained by a shape rule) to invoke
    simple = not op.creates and not op.takes_out and n_in > 0

    # with no keyword arguments the parameters are the defaults (shared, never modified by fast_call)
    no_kwargs_fast = simple and not op.required

    def fn(*args, out=None, **kwargs):
        # common case: all inputs positional, parameters by keyword (an input also given by keyword is
        # refused by parse_params, which takes only parameters)
        if len(args) == n_in and not variadic:
            if out is None:
                if not kwargs:
                    if no_kwargs_fast:
                        return fast_call(op, args, op.defaults)
                elif simple:
                    return fast_call(op, args, parse_params(op, kwargs))
            return invoke(op, args, parse_params(op, kwargs), out)
        if variadic:
            inputs = list(args)
            if not inputs and input_names[0] in kwargs:
                inputs = list(kwargs.pop(input_names[0]))
        else:
            inputs = list(args[:n_in])
            extra = args[n_in:]
            if extra:
                if len(extra) > len(param_names):
                    raise TypeError(f"{op.name}: too many positional arguments")
                for pname, value in zip(param_names, extra):
                    kwargs[pname] = value
            if len(inputs) < n_in:
                for name in input_names[len(inputs) :]:
                    inputs.append(kwargs.pop(name, None))
        params = parse_params(op, kwargs)
        return invoke(op, inputs, params, out)

    if op.direct is not None and n_in == 2 and not variadic:
        fn = _with_direct(fn, op.direct)
    elif op.direct is not None and n_in == 1 and not variadic and not op.params:
        fn = _with_direct_unary(fn, op.direct)
    if op.fast is not None:
        fn = op.fast(fn)
    fn.__name__ = public_name or op.name
    fn.__qualname__ = fn.__name__
    fn.__module__ = "regluon.ndarray"
    fn.__signature__ = _signature(op)
    fn.__doc__ = _docstring(op)
    fn.op = op
    return fn


def _with_direct(general: Callable, direct: Callable) -> Callable:
    """``general`` with a lean path for two NDArrays of one dtype (not bool) and no parameters:
    ``direct(lhs, rhs)`` wrapped in place. Anything else, and any failure, runs ``general``."""

    def fn(lhs=None, rhs=None, out=None, **kwargs):
        if lhs.__class__ is _NDArray and rhs.__class__ is _NDArray and out is None and not kwargs:
            a = lhs._tensor
            b = rhs._tensor
            dt = a.dtype
            if dt is b.dtype and dt is not _BOOL:
                try:
                    res = direct(a, b)
                except RuntimeError:  # the general path raises MXNet's error
                    return general(lhs, rhs)
                if res.requires_grad and not _state.recording:
                    res = res.detach()
                out = _new(_NDArray)
                out._tensor = res
                out._ctx = lhs._ctx
                out._ag = None
                return out
        return general(lhs, rhs, out=out, **kwargs)

    return fn


def _with_direct_unary(general: Callable, direct: Callable) -> Callable:
    """``general`` with a lean path for one floating-point NDArray and no other argument:
    ``direct(tensor)`` wrapped in place. Anything else, and any failure, runs ``general``."""

    def fn(data=None, out=None, **kwargs):
        if data.__class__ is _NDArray and out is None and not kwargs:
            t = data._tensor
            if t.is_floating_point():
                try:
                    res = direct(t)
                except RuntimeError:  # the general path raises MXNet's error
                    return general(data)
                if res.requires_grad and not _state.recording:
                    res = res.detach()
                out = _new(_NDArray)
                out._tensor = res
                out._ctx = data._ctx
                out._ag = None
                return out
        if data is None:  # the input given by its own name, or missing: the general path sorts it out
            return general(out=out, **kwargs)
        return general(data, out=out, **kwargs)

    return fn


def wrap_result(res: torch.Tensor, like):
    """A new NDArray on ``like``'s context holding ``res`` (a fresh tensor), with no graph outside
    ``record()``: the last step of the ops' lean paths."""
    if res.requires_grad and not _state.recording:
        res = res.detach()
    out = _new(_NDArray)
    out._tensor = res
    out._ctx = like._ctx
    out._ag = None
    return out


def _signature(op: OpDef) -> inspect.Signature:
    P = inspect.Parameter
    ps = []
    if op.variadic:
        ps.append(P(op.inputs[0], P.VAR_POSITIONAL))
    else:
        ps += [P(n, P.POSITIONAL_OR_KEYWORD, default=None) for n in op.inputs]
    kind = P.KEYWORD_ONLY if op.variadic else P.POSITIONAL_OR_KEYWORD
    for p in op.params:
        ps.append(P(p.name, kind, default=p.default))
    ps.append(P("out", P.KEYWORD_ONLY if op.variadic else P.POSITIONAL_OR_KEYWORD, default=None))
    return inspect.Signature(ps)


def _docstring(op: OpDef) -> str:
    lines = [op.doc.strip() or op.name, "", "Parameters", "----------"]
    for n in op.inputs:
        opt = ", optional" if n in op.optional_inputs else ""
        lines.append(f"{n} : NDArray{' (any number)' if op.variadic else ''}{opt}")
    for p in op.params:
        lines.append(f"{p.name} : {p.type.name}, {'required' if p.required else f'default={p.default!r}'}")
        if p.doc:
            lines.append(f"    {p.doc}")
    lines += ["out : NDArray, optional", "    Write the result into this array instead of a new one.", ""]
    lines += ["Returns", "-------", "NDArray or list of NDArrays"]
    if op.aliases:
        lines += ["", "Also available as: " + ", ".join(op.aliases) + "."]
    return "\n".join(lines)
