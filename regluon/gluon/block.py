"""Gluon Block and HybridBlock: containers of Parameters and child Blocks, with MXNet's naming."""

from __future__ import annotations

import json
import threading
import warnings
from collections import OrderedDict
from typing import Any

from .. import initializer
from .. import ndarray as nd
from ..base import MXNetError
from ..name import NameManager
from ..ndarray import NDArray
from . import _params_file, _summary
from .parameter import DeferredInitializationError, Parameter, ParameterDict
from .utils import HookHandle


class _BlockScope:
    """The naming scope opened by ``with block.name_scope():``."""

    _current = threading.local()

    def __init__(self, block: Block):
        self._block = block
        self._counter: dict[str, int] = {}
        self._old_scope = None

    @staticmethod
    def create(prefix: str | None, params: ParameterDict | None, hint: str) -> tuple[str, ParameterDict]:
        current = getattr(_BlockScope._current, "value", None)
        if current is None:
            if prefix is None:
                prefix = NameManager.current.get(None, hint) + "_"
            params = ParameterDict(prefix) if params is None else ParameterDict(params.prefix, params)
            return prefix, params
        if prefix is None:
            count = current._counter.get(hint, 0)
            prefix = f"{hint}{count}_"
            current._counter[hint] = count + 1
        if params is None:
            parent = current._block.params
            params = ParameterDict(parent.prefix + prefix, parent._shared)
        else:
            params = ParameterDict(params.prefix, params)
        return current._block.prefix + prefix, params

    def __enter__(self):
        if self._block._empty_prefix:
            return self
        self._old_scope = getattr(_BlockScope._current, "value", None)
        _BlockScope._current.value = self
        return self

    def __exit__(self, *exc):
        if self._block._empty_prefix:
            return
        _BlockScope._current.value = self._old_scope


def _indent(text: str, n: int) -> str:
    lines = text.split("\n")
    return "\n".join([lines[0]] + [" " * n + line for line in lines[1:]])


class Block:
    """Base class of all layers and models.

    Subclass it, create child blocks and Parameters in ``__init__`` inside
    ``with self.name_scope():``, and implement :meth:`forward`.

    Example:
        >>> class Model(gluon.Block):
        ...     def __init__(self, **kwargs):
        ...         super().__init__(**kwargs)
        ...         with self.name_scope():
        ...             self.dense = nn.Dense(3)
        ...     def forward(self, x):
        ...         return self.dense(x).relu()
        >>> model = Model(); model.initialize()
        >>> model(mx.nd.ones((2, 5))).shape
        (2, 3)
    """

    def __init__(self, prefix: str | None = None, params: ParameterDict | None = None):
        self._empty_prefix = prefix == ""
        self._prefix, self._params = _BlockScope.create(prefix, params, self._alias())
        self._name = self._prefix[:-1] if self._prefix.endswith("_") else self._prefix
        self._scope = _BlockScope(self)
        self._children: OrderedDict[str, Block] = OrderedDict()
        self._reg_params: dict[str, Parameter] = {}
        self._forward_hooks: OrderedDict = OrderedDict()
        self._forward_pre_hooks: OrderedDict = OrderedDict()

    def __repr__(self) -> str:
        mods = "\n".join(
            f"  ({key}): {_indent(repr(block), 2)}"
            for key, block in self.__dict__.items()
            if isinstance(block, Block)
        )
        return f"{self.__class__.__name__}(\n{mods}\n)"

    def __setattr__(self, name: str, value: Any) -> None:
        if hasattr(self, name):
            existing = getattr(self, name)
            if isinstance(existing, (Parameter, Block)) and not isinstance(value, type(existing)):
                raise TypeError(
                    f"Changing attribute type for {name} from {type(existing)} to {type(value)} "
                    "is not allowed."
                )
        if isinstance(value, Block):
            self.register_child(value, name)
        elif isinstance(value, Parameter):
            self._reg_params[name] = value
        super().__setattr__(name, value)

    def _alias(self) -> str:
        return self.__class__.__name__.lower()

    @property
    def prefix(self) -> str:
        """The prefix of this block's parameter names, e.g. ``dense0_``."""
        return self._prefix

    @property
    def name(self) -> str:
        """The block's name: its prefix without the trailing underscore."""
        return self._name

    @property
    def params(self) -> ParameterDict:
        """This block's own Parameters (not its children's; see :meth:`collect_params`)."""
        return self._params

    def name_scope(self) -> _BlockScope:
        """A ``with`` block in which new child blocks get this block's prefix."""
        return self._scope

    def register_child(self, block: Block, name: str | None = None) -> None:
        """Add a child block (done automatically for attributes)."""
        if name is None:
            name = str(len(self._children))
        self._children[name] = block

    def collect_params(self, select: str | None = None) -> ParameterDict:
        """A ParameterDict with this block's and all descendants' Parameters.

        ``select`` is a regular expression on the names, e.g. ``'.*weight|.*bias'``.
        """
        self._check_container_with_block()
        ret = ParameterDict(self._params.prefix)
        ret.update(self.params if select is None else self.params.select(select))
        for child in self._children.values():
            ret.update(child.collect_params(select=select))
        return ret

    def _collect_params_with_prefix(self, prefix: str = "") -> dict[str, Parameter]:
        """Parameters under their structural names: ``0.weight``, ``features.3.bias``."""
        if prefix:
            prefix += "."
        ret = {prefix + key: p for key, p in self._reg_params.items() if p is not None}
        for name, child in self._children.items():
            ret.update(child._collect_params_with_prefix(prefix + name))
        return ret

    def _check_container_with_block(self) -> None:
        """Warn about Blocks kept in a plain list/tuple/dict attribute: they are not children."""
        registered = {id(c) for c in self._children.values()}

        def blocks_in(value) -> list:
            if isinstance(value, Block):
                return [value]
            items = value.values() if isinstance(value, dict) else value
            if isinstance(value, (list, tuple, dict)):
                return [b for v in items for b in blocks_in(v)]
            return []

        for name, value in self.__dict__.items():
            if isinstance(value, (list, tuple, dict)) and not name.startswith("_"):
                if any(id(b) not in registered for b in blocks_in(value)):
                    warnings.warn(
                        f'"{type(self).__name__}.{name}" is an unregistered container with Blocks. Note that '
                        "Blocks inside the list, tuple or dict will not be registered automatically. Make sure "
                        "to register them using register_child() or switching to nn.Sequential/"
                        "nn.HybridSequential instead.",
                        stacklevel=3,
                    )

    def save_parameters(self, filename: str, deduplicate: bool = False) -> None:
        """Save the parameters under their structural names (``0.weight``), as MXNet 1.x does.

        With ``deduplicate=True`` a Parameter shared by several blocks is saved once, under the
        last of its names.

        Example:
            >>> net.save_parameters('net.params')
            >>> net2.load_parameters('net.params', ctx=mx.cpu())
        """
        params = self._collect_params_with_prefix()
        if deduplicate:
            last = {id(p): name for name, p in params.items()}
            params = {last[id(p)]: p for p in params.values()}
        _params_file.write(filename, params)

    def load_parameters(
        self,
        filename: str,
        ctx=None,
        allow_missing: bool = False,
        ignore_extra: bool = False,
        cast_dtype: bool = False,
        dtype_source: str = "current",
    ) -> None:
        """Load a file written by :meth:`save_parameters` (here or by MXNet).

        Files from the older ``save_params`` (names without dots, block prefix stripped) load too.
        Nothing changes unless the whole file fits: names, shapes and dtypes are checked first.
        Uninitialized parameters are initialized from the file (on ``ctx``, default CPU).

        Example:
            >>> net.load_parameters('net.params', ctx=mx.cpu())
        """
        loaded = _params_file.read(filename)
        params = self._collect_params_with_prefix()
        if not loaded and not params:
            return
        if not any("." in name for name in loaded):
            self.collect_params().load_dict(
                loaded, ctx, allow_missing, ignore_extra, self.prefix, filename, cast_dtype, dtype_source
            )
            return
        _params_file.load_into(
            params, loaded, filename, ctx, allow_missing, ignore_extra, cast_dtype, dtype_source
        )

    def save(self, prefix: str) -> None:
        """Save the block tree and the parameters: ``<prefix>-model.json`` and ``<prefix>-model.params``.

        The JSON describes each block (its name, whether it is hybridized, its children) as
        MXNet 1.9 writes it; :meth:`load` checks a model built the same way against it.

        Example:
            >>> net.save('checkpoint')   # checkpoint-model.json, checkpoint-model.params
            >>> net2.load('checkpoint')
        """
        with open(prefix + "-model.json", "w") as f:
            json.dump(_model_tree(self), f)
        self.save_parameters(prefix + "-model.params")

    def load(self, prefix: str) -> None:
        """Load what :meth:`save` wrote into a model built the same way."""
        fname = prefix + "-model.json"
        with open(fname) as f:
            saved = json.load(f)
        mine = _model_tree(self)

        def compare(a: dict, b: dict, where: str) -> None:
            for key, value in a.items():
                if isinstance(value, dict):
                    if key not in b:
                        raise _params_file.ModelMismatchError(
                            f"'{fname}' has no block '{key}' under '{where}': the model is not built the way "
                            "the saved one was"
                        )
                    compare(value, b[key], key)

        compare(mine, saved, "(top)")
        self.load_parameters(prefix + "-model.params")

    def save_params(self, filename: str) -> None:
        """Older form of :meth:`save_parameters`: full names without this block's prefix."""
        self.collect_params().save(filename, strip_prefix=self.prefix)

    def load_params(self, filename: str, ctx=None, allow_missing: bool = False, ignore_extra: bool = False):
        """Older name of :meth:`load_parameters`."""
        self.load_parameters(filename, ctx, allow_missing, ignore_extra)

    def initialize(
        self, init: Any = initializer.Uniform(), ctx=None, verbose: bool = False, force_reinit: bool = False
    ) -> None:
        """Initialize all Parameters of this block and its children.

        Example:
            >>> net.initialize(mx.init.Normal(sigma=0.01), ctx=mx.cpu())
        """
        self.collect_params().initialize(init, ctx, verbose, force_reinit)

    def hybridize(self, active: bool = True, **kwargs) -> None:
        """Accepted on every block; children that are HybridBlocks are hybridized too."""
        for child in self._children.values():
            child.hybridize(active, **kwargs)

    def cast(self, dtype) -> None:
        """Convert all Parameters to ``dtype``."""
        for child in self._children.values():
            child.cast(dtype)
        for p in self.params.values():
            p.cast(dtype)

    def apply(self, fn) -> Block:
        """Call ``fn`` on every child (recursively) and then on this block."""
        for child in self._children.values():
            child.apply(fn)
        fn(self)
        return self

    def summary(self, *inputs) -> None:
        """Print a table of the layers run on ``inputs``: output shapes and parameter counts.

        The block must be initialized and not hybridized. Sequential containers are not rows
        of their own; their children are.

        Example:
            >>> net.initialize()
            >>> net.summary(mx.nd.ones((1, 1, 28, 28)))
        """
        _summary.print_summary(self, inputs)

    def zero_grad(self) -> None:
        self.collect_params().zero_grad()

    def reset_ctx(self, ctx) -> None:
        self.collect_params().reset_ctx(ctx)

    def register_forward_pre_hook(self, hook):
        """Call ``hook(block, inputs)`` before each forward; returns a handle with ``detach()``."""
        handle = HookHandle()
        handle.attach(self._forward_pre_hooks, hook)
        return handle

    def register_forward_hook(self, hook):
        """Call ``hook(block, inputs, outputs)`` after each forward; returns a handle with ``detach()``."""
        handle = HookHandle()
        handle.attach(self._forward_hooks, hook)
        return handle

    def __call__(self, *args):
        if self._forward_pre_hooks:
            for hook in self._forward_pre_hooks.values():
                hook(self, args)
        try:
            out = self.forward(*args)
        except MXNetError as err:
            raise _in_block(err, self) from None
        if self._forward_hooks:
            for hook in self._forward_hooks.values():
                hook(self, args, out)
        return out

    def forward(self, *args):
        """Compute the output; override in subclasses."""
        raise NotImplementedError(f"{self.__class__.__name__} must implement forward()")


def _model_tree(block: Block) -> dict:
    """The block tree as MXNet 1.9's ``Block.save`` describes it (pre-order numbered class names)."""
    counter = [0]

    def uid(b: Block) -> str:
        counter[0] += 1
        return f"{type(b).__name__.lower()}{counter[0] - 1}"

    def describe(b: Block) -> dict:
        entry: dict = {"orig_name": b.name}
        if isinstance(b, HybridBlock):
            entry["hybridized"] = b._active
        entry["children"] = {child.name: key for key, child in b._children.items()}
        for child in b._children.values():
            key = uid(child)  # numbered before its own children
            entry[key] = describe(child)
        return entry

    return {uid(block): describe(block)}


def _in_block(err: MXNetError, block: Block) -> MXNetError:
    if getattr(err, "_block", None) is not None:
        return err
    new = type(err)(f"{err} [in block {block.name} ({block.__class__.__name__})]")
    new._block = block.name
    return new


class HybridBlock(Block):
    """A Block whose computation is written once, in ``hybrid_forward(F, x, ...)``.

    ``F`` is the operator namespace (``mx.nd`` when run eagerly); Parameters registered on the
    block arrive as keyword arguments named after their attributes. Parameters with unknown
    shapes are initialised on the first call, their shapes inferred from the input.

    Example:
        >>> class Scale(gluon.HybridBlock):
        ...     def __init__(self, **kwargs):
        ...         super().__init__(**kwargs)
        ...         with self.name_scope():
        ...             self.alpha = self.params.get('alpha', shape=(1,), init='ones')
        ...     def hybrid_forward(self, F, x, alpha):
        ...         return F.broadcast_mul(x, alpha)
    """

    def __init__(self, prefix: str | None = None, params: ParameterDict | None = None):
        super().__init__(prefix=prefix, params=params)
        self._active = False
        self._flags: dict = {}

    def hybridize(
        self, active: bool = True, static_alloc: bool = False, static_shape: bool = False, **kwargs
    ) -> None:
        """Mark the block for graph execution; results never change (eager execution here)."""
        self._active = active
        self._flags = {"static_alloc": static_alloc, "static_shape": static_shape, **kwargs}
        super().hybridize(active, static_alloc=static_alloc, static_shape=static_shape, **kwargs)

    def forward(self, x, *args):
        if x.__class__ is not NDArray and not isinstance(x, NDArray):
            raise TypeError(f"{self.name}: HybridBlock input must be an NDArray, got {type(x).__name__}")
        if not self._reg_params:
            return self.hybrid_forward(nd, x, *args)
        ctx = x._ctx
        params = {}
        for name, p in self._reg_params.items():
            data = p._data  # the commonest case inline: initialised on this one context
            if data is not None and len(data) == 1 and p._ctx_list[0] is ctx:
                params[name] = data[0]
            else:
                params[name] = p._deferred_or_data(ctx)
        return self.hybrid_forward(nd, x, *args, **params)

    def hybrid_forward(self, F, x, *args, **kwargs):
        """Compute the output with the operators of ``F``; override in subclasses."""
        raise NotImplementedError(f"{self.__class__.__name__} must implement hybrid_forward()")

    def infer_shape(self, *args) -> None:
        """Finish deferred initialisation of this block's Parameters from example inputs."""
        self(*args)


__all__ = ["Block", "HybridBlock", "DeferredInitializationError"]
