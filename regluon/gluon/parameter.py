"""Gluon Parameters: named weights held per Context, with gradients and deferred initialisation."""

from __future__ import annotations

import re
import warnings
import weakref
from collections import OrderedDict
from typing import Any

import numpy as np

from .. import autograd, initializer
from .. import ndarray as nd
from ..base import MXNetError
from ..context import Context, cpu, current_context
from ..ndarray import DeferredData, NDArray
from ..ndarray import sparse as _sparse
from . import _params_file


class DeferredInitializationError(MXNetError):
    """A Parameter's value was requested before its deferred initialisation could run."""


class ParameterError(MXNetError, AssertionError):
    """A Parameter request that contradicts what is stored (an AssertionError in MXNet)."""


class IncompatibleShapeError(ParameterError):
    """A new shape contradicts a Parameter's known shape."""


_STYPES = ("default", "row_sparse", "csr")


def _shape_known(shape) -> bool:
    return shape is not None and all(d > 0 for d in shape)


def _merge_shapes(wanted: tuple, stored: tuple) -> tuple | None:
    """Combine two shapes whose unknown (0 or -1) dimensions fill each other; None if they clash."""
    if len(wanted) != len(stored):
        return None
    merged = []
    for a, b in zip(wanted, stored):
        if a > 0 and b > 0 and a != b:
            return None
        merged.append(b if a <= 0 else a)
    return tuple(merged)


class Parameter:
    """A named weight of a Block (for example ``dense0_weight``), with its gradient.

    A Parameter keeps one copy of its value on each Context it was initialised on and, unless
    ``grad_req`` is ``'null'``, a gradient array next to each copy. Blocks create their
    Parameters with ``self.params.get(...)``; you read them with :meth:`data` and
    :meth:`grad`.

    Parameters
    ----------
    name : str
        The full name, e.g. ``dense0_weight``.
    grad_req : {'write', 'add', 'null'}, default 'write'
        How ``backward`` updates the gradient: ``'write'`` overwrites it, ``'add'``
        accumulates into it (call :meth:`zero_grad` yourself), ``'null'`` keeps none.
    shape : tuple of int, optional
        The shape; 0 marks a dimension learned from the first input (deferred init).
    dtype : numpy dtype or str, default 'float32'
    lr_mult : float, default 1.0
        This parameter's learning rate is the optimizer's rate times ``lr_mult``.
    wd_mult : float, default 1.0
        This parameter's weight decay is the optimizer's times ``wd_mult``.
    init : Initializer or str, optional
        This parameter's own initializer; it wins over the one given to ``initialize``.
    allow_deferred_init : bool, default False
        Allow ``initialize`` before the shape is known.
    differentiable : bool, default True
        False forces ``grad_req='null'``.
    stype : {'default', 'row_sparse', 'csr'}, default 'default'
        Storage type of the value. A ``'row_sparse'`` value lives in the Trainer (MXNet's kvstore):
        read the rows you need with :meth:`row_sparse_data` (:meth:`data` refuses, as in MXNet).
    grad_stype : {'default', 'row_sparse', 'csr'}, default 'default'
        Storage type of the gradient. A ``'row_sparse'`` gradient holds the rows an
        ``Embedding(sparse_grad=True)`` looked up, and optimizers update lazily (only those rows).
        Values are stored densely, so the rows held are those with a nonzero gradient: a row looked
        up but given an all-zero gradient is left out, where MXNet keeps it (and its lazy update
        still applies weight decay and momentum to it).

    Example:
        >>> w = mx.gluon.Parameter('fc_weight', shape=(4, 3), init=mx.init.Xavier())
        >>> w.initialize(ctx=mx.cpu())
        >>> w.data().shape, w.grad().shape
        ((4, 3), (4, 3))
    """

    def __init__(
        self,
        name: str,
        grad_req: str = "write",
        shape: tuple | int | None = None,
        dtype: Any = np.float32,
        lr_mult: float = 1.0,
        wd_mult: float = 1.0,
        init: Any = None,
        allow_deferred_init: bool = False,
        differentiable: bool = True,
        stype: str = "default",
        grad_stype: str = "default",
    ):
        self._var = None
        self._data: list[NDArray] | None = None
        self._grad: list[NDArray] | None = None
        self._ctx_list: list[Context] | None = None
        self._deferred_init: tuple = ()
        self._differentiable = differentiable
        self._allow_deferred_init = allow_deferred_init
        self._grad_req = "null"
        if isinstance(shape, int):
            shape = (shape,)
        self._shape = tuple(shape) if shape is not None else None
        self.name = name
        self.dtype = dtype
        self.lr_mult = lr_mult
        self.wd_mult = wd_mult
        self.init = init
        for what, value in (("grad_stype", grad_stype), ("stype", stype)):
            if value not in _STYPES:
                raise ParameterError(
                    f"{what} for Parameter '{name}' must be one of 'default', 'row_sparse', or 'csr', "
                    f"but got '{value}'"
                )
        self._stype = stype
        self._grad_stype = grad_stype
        self._trainer = None
        self.grad_req = grad_req

    def __repr__(self) -> str:
        return f"{self.__class__.__name__} {self.name} (shape={self.shape}, dtype={self.dtype})"

    # ------------------------------------------------------------------ attributes
    @property
    def grad_req(self) -> str:
        return self._grad_req

    @grad_req.setter
    def grad_req(self, req: str) -> None:
        if req not in ("write", "add", "null"):
            raise ParameterError(
                f"Parameter '{self.name}': grad_req must be one of 'write', 'add', or 'null', but got {req!r}"
            )
        if not self._differentiable:
            req = "null"
        if self._grad_req == req:
            return
        self._grad_req = req
        if req == "null" and self._grad is not None:
            self._grad = None
            self._data = [d.detach() for d in self._data]
        elif self._data is not None:
            self._init_grad()

    @property
    def shape(self) -> tuple | None:
        return self._shape

    @shape.setter
    def shape(self, new_shape) -> None:
        new_shape = tuple(new_shape)
        if self._shape is None:
            self._shape = new_shape
            return
        if len(self._shape) != len(new_shape) or any(
            j not in (0, -1, i) for i, j in zip(new_shape, self._shape)
        ):
            raise IncompatibleShapeError(
                f"Parameter '{self.name}': shape {new_shape} is incompatible with its shape {self._shape}"
            )
        self._shape = new_shape

    # ------------------------------------------------------------------ initialisation
    def initialize(
        self,
        init: Any = None,
        ctx: Context | list | None = None,
        default_init: Any = initializer.Uniform(),
        force_reinit: bool = False,
    ) -> None:
        """Allocate and fill the value (and gradient) on ``ctx`` (a Context or a list).

        ``init`` overrides both this parameter's own ``init`` and ``default_init``; the own
        ``init`` overrides ``default_init`` (the initializer given to ``Block.initialize``).
        If the shape is still unknown the work is deferred to the first forward pass.
        """
        if self._data is not None and not force_reinit:
            warnings.warn(
                f"Parameter '{self.name}' is already initialized, ignoring. Set force_reinit=True to "
                "re-initialize.",
                stacklevel=2,
            )
            return
        self._data = self._grad = None
        if ctx is None:
            ctx = [current_context()]
        if isinstance(ctx, Context):
            ctx = [ctx]
        if init is None:
            init = default_init if self.init is None else self.init
        if not _shape_known(self.shape):
            if self._allow_deferred_init:
                self._deferred_init = (init, list(ctx), default_init, None)
                return
            raise ValueError(
                f"Cannot initialize Parameter '{self.name}' because it has invalid shape: {self.shape}. "
                "Give the layer its input size (in_units, in_channels, ...) or allow deferred init."
            )
        self._deferred_init = (init, list(ctx), default_init, None)
        self._finish_deferred_init()

    def _finish_deferred_init(self, shape: tuple | None = None) -> None:
        if shape is not None:
            self.shape = shape
        if not self._deferred_init:
            return
        init, ctx, default_init, data = self._deferred_init
        self._deferred_init = ()
        if not _shape_known(self.shape):
            raise MXNetError(f"Parameter '{self.name}': cannot initialize with unknown shape {self.shape}")
        with autograd.pause():
            if data is None:
                data = nd.zeros(self.shape, dtype=self.dtype, ctx=cpu())
                initializer.create(default_init)(initializer.InitDesc(self.name, {"__init__": init}), data)
            self._init_impl(data, ctx)

    def _init_impl(self, data: NDArray, ctx_list: list[Context]) -> None:
        self._ctx_list = list(ctx_list)
        self._data = [data.copyto(c) for c in self._ctx_list]
        if self._stype != "default":
            self._data = [_sparse._tag(d, self._stype) for d in self._data]
        self._init_grad()

    def _init_grad(self) -> None:
        if self.grad_req == "null":
            self._grad = None
            return
        self._grad = [nd.zeros(d.shape, dtype=d.dtype, ctx=d.context) for d in self._data]
        if self._grad_stype != "default":
            self._grad = [_sparse._tag(g, self._grad_stype) for g in self._grad]
        autograd.mark_variables(self._data, self._grad, self.grad_req)

    def reset_ctx(self, ctx: Context | list) -> None:
        """Move the value to other Context(s), keeping its content."""
        if isinstance(ctx, Context):
            ctx = [ctx]
        if self._data is not None:
            # a row-sparse value holds only the rows last fetched: take every row from the Trainer
            data = self._reduce() if self._stype != "default" else self._data[0].copyto(cpu())
            self._init_impl(data, ctx)
        elif self._deferred_init:
            init, _, default_init, data = self._deferred_init
            self._deferred_init = (init, list(ctx), default_init, data)
        else:
            raise ValueError(
                f"Cannot reset context for Parameter '{self.name}' because it has not been initialized."
            )

    # ------------------------------------------------------------------ access
    def _check_initialized(self) -> None:
        if self._data is not None:
            return
        if self._deferred_init:
            raise DeferredInitializationError(
                f"Parameter '{self.name}' has not been initialized yet because initialization was deferred: its "
                "shape is learned from the first input. Run one batch through the network before reading it, or "
                "give the layer its input size (in_units, in_channels, ...) to initialize right away."
            )
        raise MXNetError(
            f"Parameter '{self.name}' has not been initialized. Call initialize() on the block (or on "
            "block.collect_params(), which includes nested children; block.params does not) first."
        )

    def _index(self, ctx: Context | None) -> int:
        self._check_initialized()
        if ctx is None:
            if len(self._ctx_list) == 1:
                return 0
            ctx = current_context()
        try:
            return self._ctx_list.index(ctx)
        except ValueError:
            raise MXNetError(
                f"Parameter '{self.name}' was not initialized on context {ctx}. "
                f"It was only initialized on {self._ctx_list}."
            ) from None

    def data(self, ctx: Context | None = None) -> NDArray:
        """The value on ``ctx`` (the only Context, or the current one, by default).

        Example:
            >>> net[0].weight.data()
        """
        if self._stype != "default":
            raise RuntimeError(
                f"Cannot return a copy of Parameter '{self.name}' on ctx {ctx} via data() because its "
                f"storage type is {self._stype}. Please use row_sparse_data() instead."
            )
        return self._data[self._index(ctx)]

    def list_data(self) -> list[NDArray]:
        """The values on every Context, in the order of :meth:`list_ctx`."""
        if self._stype != "default":
            raise RuntimeError(
                f"Cannot return copies of Parameter '{self.name}' on all contexts via list_data() because "
                f"its storage type is {self._stype}. Please use row_sparse_data() instead."
            )
        self._check_initialized()
        return list(self._data)

    def row_sparse_data(self, row_id: NDArray) -> NDArray:
        """The value on ``row_id``'s Context holding the rows listed in ``row_id`` (the others zero),
        fetched from the Trainer; for Parameters with ``stype='row_sparse'``.

        The array returned is the one the gradient is recorded for, so use it in the forward pass.

        Example:
            >>> w = mx.gluon.Parameter('emb', shape=(100, 8), stype='row_sparse', grad_stype='row_sparse')
            >>> w.initialize()
            >>> trainer = mx.gluon.Trainer([w], 'sgd')
            >>> w.row_sparse_data(mx.nd.array([3, 7])).stype
            'row_sparse'
        """
        if self._stype != "row_sparse":
            raise RuntimeError(
                f"Cannot return a copy of Parameter {self.name} via row_sparse_data() because its storage "
                f"type is {self._stype}. Please use data() instead."
            )
        return self._get_row_sparse([self._data[self._index(_context_of(row_id))]], row_id)[0]

    def list_row_sparse_data(self, row_id: NDArray) -> list[NDArray]:
        """:meth:`row_sparse_data` on every Context, in the order of :meth:`list_ctx`."""
        if self._stype != "row_sparse":
            raise RuntimeError(
                f"Cannot return copies of Parameter '{self.name}' on all contexts via list_row_sparse_data() "
                f"because its storage type is {self._stype}. Please use data() instead."
            )
        self._check_initialized()
        return self._get_row_sparse(list(self._data), row_id)

    def _get_row_sparse(self, arrays: list[NDArray], row_id: NDArray) -> list[NDArray]:
        if not isinstance(row_id, NDArray):
            raise TypeError(f"row_id must have NDArray type, but {type(row_id)} is given")
        trainer = self._trainer() if self._trainer is not None else None
        if trainer is None:
            raise RuntimeError(
                f"Cannot get row_sparse data for Parameter '{self.name}' when no Trainer is created with it."
            )
        trainer._row_sparse_pull(self, arrays, row_id)
        return arrays

    def _set_trainer(self, trainer) -> None:
        """Remember the Trainer that updates this Parameter (only one for a sparse one, as in MXNet)."""
        current = self._trainer() if self._trainer is not None else None
        if (
            self._stype != "default"
            and current is not None
            and trainer is not None
            and current is not trainer
        ):
            raise RuntimeError(
                f"Failed to set the trainer for Parameter '{self.name}' because it was already set. More than "
                f"one trainers for a {self._stype} Parameter is not supported."
            )
        self._trainer = weakref.ref(trainer) if trainer is not None else None

    def _reduce(self) -> NDArray:
        """The value to save: on the CPU, averaged over the Contexts; all rows of a row-sparse one,
        fetched from its Trainer."""
        if self._stype == "default":
            return _params_file.reduced(self)
        trainer = self._trainer() if self._trainer is not None else None
        if trainer is None:
            raise RuntimeError(
                f"Cannot reduce row_sparse data for Parameter '{self.name}' when no Trainer is created with it."
            )
        self._check_initialized()
        out = _sparse.zeros("row_sparse", self.shape, ctx=cpu(), dtype=self.dtype)
        trainer._row_sparse_pull(self, [out], nd.arange(self.shape[0], dtype="int64", ctx=cpu()))
        return out

    def grad(self, ctx: Context | None = None) -> NDArray:
        """The gradient buffer on ``ctx``, filled by ``backward``."""
        i = self._index(ctx)
        if self._grad is None:
            raise MXNetError(f"Cannot get gradient array for Parameter '{self.name}' because grad_req='null'")
        return self._grad[i]

    def list_grad(self) -> list[NDArray]:
        self._check_initialized()
        if self._grad is None:
            raise MXNetError(f"Cannot get gradient array for Parameter '{self.name}' because grad_req='null'")
        return list(self._grad)

    def list_ctx(self) -> list[Context]:
        """The Contexts this parameter lives on."""
        if self._data is None:
            if self._deferred_init:
                return list(self._deferred_init[1])
            raise MXNetError(f"Parameter '{self.name}' has not been initialized")
        return list(self._ctx_list)

    def set_data(self, data: NDArray | Any) -> None:
        """Overwrite the value on every Context with ``data`` (its shape must match)."""
        data = data if isinstance(data, NDArray) else nd.array(data, dtype=self.dtype)
        self.shape = data.shape
        if self._data is None:
            if not self._deferred_init:
                raise MXNetError(f"Parameter '{self.name}' has not been initialized")
            init, ctx, default_init, _ = self._deferred_init
            self._deferred_init = (init, ctx, default_init, data)
            self._finish_deferred_init()
            return
        trainer = self._trainer() if self._trainer is not None else None
        if trainer is not None:
            trainer._param_value_set(self)
        for arr in self._data:
            arr[:] = data.as_in_context(arr.context)

    def zero_grad(self) -> None:
        """Set the gradient buffers to zero (needed with ``grad_req='add'``)."""
        for g in self._grad or ():
            g[:] = 0

    def cast(self, dtype) -> None:
        """Convert the value and gradient to ``dtype``."""
        self.dtype = dtype
        if self._data is None:
            return
        self._data = [d.astype(dtype) for d in self._data]
        self._init_grad()

    def _load_init(self, data: NDArray, ctx=None, cast_dtype: bool = False, dtype_source: str = "current"):
        """Set the value from a loaded array, initializing the Parameter if needed."""
        _params_file.load_into(
            {self.name: self}, {self.name: data}, "<array>", ctx, False, False, cast_dtype, dtype_source
        )

    def var(self):
        raise MXNetError("Parameter.var() needs the symbol API, which regluon does not provide yet")

    def _deferred_or_data(self, ctx: Context) -> NDArray | DeferredData:
        """What a block hands to ``hybrid_forward``: the value, or a placeholder to infer the shape."""
        data = self._data
        if data is not None:
            if len(data) == 1 and (self._ctx_list[0] is ctx or self._ctx_list[0] == ctx):
                return data[0]
            return self.data(ctx)
        if self._deferred_init:
            return DeferredData(self)
        self._check_initialized()
        return None


def _context_of(row_id) -> Context | None:
    return row_id.context if isinstance(row_id, NDArray) else None


class Constant(Parameter):
    """A Parameter whose value never changes (``grad_req='null'``), e.g. a fixed lookup table."""

    def __init__(self, name: str, value: Any):
        value = value if isinstance(value, NDArray) else nd.array(value)
        self.value = value
        super().__init__(
            name, grad_req="null", shape=value.shape, dtype=value.dtype, init=initializer.Constant(value)
        )


class ParameterDict:
    """An ordered dictionary of Parameters sharing a name prefix.

    Example:
        >>> params = mx.gluon.ParameterDict('net_')
        >>> w = params.get('weight', shape=(2, 3))
        >>> w.name
        'net_weight'
    """

    def __init__(self, prefix: str = "", shared: ParameterDict | None = None):
        self._prefix = prefix
        self._params: OrderedDict[str, Parameter] = OrderedDict()
        self._shared = shared

    def __repr__(self) -> str:
        name = self._prefix + " " if self._prefix else ""
        body = "\n".join("  " + repr(v) for v in self.values())
        return f"{name}(\n{body}\n)"

    def __getitem__(self, key: str) -> Parameter:
        return self._params[key]

    def __iter__(self):
        return iter(self._params)

    def __len__(self) -> int:
        return len(self._params)

    def __contains__(self, key) -> bool:
        return key in self._params

    def items(self):
        return self._params.items()

    def keys(self):
        return self._params.keys()

    def values(self):
        return self._params.values()

    @property
    def prefix(self) -> str:
        return self._prefix

    def _get_impl(self, name: str) -> Parameter | None:
        if name in self._params:
            return self._params[name]
        if self._shared is not None and name in self._shared._params:
            self._params[name] = self._shared._params[name]
            return self._params[name]
        return None

    def get(self, name: str, **kwargs) -> Parameter:
        """The Parameter ``prefix + name``, created with ``kwargs`` if it does not exist yet."""
        name = self._prefix + name
        param = self._get_impl(name)
        if param is None:
            param = Parameter(name, **kwargs)
            self._params[name] = param
            return param
        for k, v in kwargs.items():
            if v is None or not hasattr(param, k):
                continue
            stored = getattr(param, k)
            if k == "shape":
                v = (v,) if isinstance(v, int) else tuple(v)
                merged = _merge_shapes(v, stored) if stored is not None else v
                if merged is not None:
                    param._shape = merged
                    continue
            elif k == "dtype" and np.dtype(v) == np.dtype(stored):
                continue
            elif k == "init" or v == stored:
                continue
            raise ParameterError(
                f"Cannot retrieve Parameter '{name}' because desired attribute does not match with stored for "
                f"attribute '{k}': desired '{v}' vs stored '{stored}'."
            )
        return param

    def get_constant(self, name: str, value: Any = None) -> Constant:
        """The Constant ``prefix + name``, created from ``value`` if it does not exist yet."""
        name = self._prefix + name
        param = self._get_impl(name)
        if param is None:
            if value is None:
                raise KeyError(
                    f"No constant named '{name}'. Please specify value if you want to create a new constant."
                )
            param = Constant(name, value)
            self._params[name] = param
        return param

    def update(self, other: ParameterDict) -> None:
        """Add the Parameters of ``other`` (a name may not refer to two different Parameters)."""
        for k, v in other.items():
            if k in self._params and self._params[k] is not v:
                raise ParameterError(
                    "Cannot update self with other because they have different Parameters with the same "
                    f"name '{k}'"
                )
            self._params[k] = v

    def initialize(
        self,
        init: Any = initializer.Uniform(),
        ctx: Context | list | None = None,
        verbose: bool = False,
        force_reinit: bool = False,
    ) -> None:
        """Initialize every Parameter; each one's own ``init`` wins over ``init``."""
        init = initializer.create(init)
        if verbose:
            init.set_verbosity(verbose=verbose)
        for v in self.values():
            v.initialize(None, ctx, init, force_reinit=force_reinit)

    def zero_grad(self) -> None:
        for v in self.values():
            v.zero_grad()

    def reset_ctx(self, ctx) -> None:
        for v in self.values():
            v.reset_ctx(ctx)

    def list_ctx(self) -> list[Context]:
        out: list[Context] = []
        for v in self.values():
            for c in v.list_ctx():
                if c not in out:
                    out.append(c)
        return out

    def setattr(self, name: str, value: Any) -> None:
        """Set an attribute (``grad_req``, ``lr_mult``, ...) on every Parameter."""
        for v in self.values():
            setattr(v, name, value)

    def save(self, filename: str, strip_prefix: str = "") -> None:
        """Save every Parameter under its full name (minus ``strip_prefix``) in MXNet's format.

        Example:
            >>> net.collect_params().save('net.params', strip_prefix=net.prefix)
        """
        named = {}
        for param in self.values():
            if not param.name.startswith(strip_prefix):
                raise ValueError(
                    f"Prefix '{strip_prefix}' is to be striped before saving, but Parameter's name "
                    f"'{param.name}' does not start with '{strip_prefix}'."
                )
            named[param.name[len(strip_prefix) :]] = param
        _params_file.write(filename, named)

    def load(
        self,
        filename: str,
        ctx=None,
        allow_missing: bool = False,
        ignore_extra: bool = False,
        restore_prefix: str = "",
        cast_dtype: bool = False,
        dtype_source: str = "current",
    ) -> None:
        """Load a file written by :meth:`save` (or MXNet's), names prefixed with ``restore_prefix``.

        Names stored with MXNet's ``arg:``/``aux:`` prefixes (Module checkpoints) are accepted.

        Example:
            >>> net.collect_params().load('net.params', restore_prefix=net.prefix)
        """
        self.load_dict(
            _params_file.read(filename),
            ctx,
            allow_missing,
            ignore_extra,
            restore_prefix,
            filename,
            cast_dtype,
            dtype_source,
        )

    def load_dict(
        self,
        param_dict: dict,
        ctx=None,
        allow_missing: bool = False,
        ignore_extra: bool = False,
        restore_prefix: str = "",
        filename: str | None = None,
        cast_dtype: bool = False,
        dtype_source: str = "current",
    ) -> None:
        """Load from a name -> NDArray dict, as :meth:`load` does from a file."""
        if restore_prefix:
            for name in self.keys():
                if not name.startswith(restore_prefix):
                    raise _params_file.ParameterLoadError(
                        f"restore_prefix is '{restore_prefix}' but Parameters name '{name}' does not "
                        f"start with '{restore_prefix}'."
                    )
        loaded = {
            restore_prefix + (k[4:] if k.startswith(("arg:", "aux:")) else k): v
            for k, v in param_dict.items()
        }
        _params_file.load_into(
            dict(self.items()),
            loaded,
            filename or "<dict>",
            ctx,
            allow_missing,
            ignore_extra,
            cast_dtype,
            dtype_source,
            hint=" Please make sure source and target networks have the same prefix.",
        )

    def select(self, pattern: str) -> ParameterDict:
        ret = ParameterDict(self._prefix)
        rx = re.compile(pattern)
        for k, v in self.items():
            if rx.match(k):
                ret._params[k] = v
        return ret
