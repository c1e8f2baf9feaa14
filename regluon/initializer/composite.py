"""Initializers that delegate: Load (from saved arrays) and Mixed (by name pattern).

Like MXNet's, these are plain callables ``init(name, arr)``, not :class:`Initializer` subclasses:
call them directly, or pass them where a callable is expected. ``create`` (and so Gluon's
``initialize``) does not accept them, as in MXNet.
"""

from __future__ import annotations

import logging
import re
from typing import Any

from .. import ndarray as nd
from ..ndarray import NDArray


class Load:
    """Fills arrays from saved values, by parameter name.

    Parameters
    ----------
    param : str or dict of str to NDArray
        A file written by ``nd.save`` (with names) or a dict. ``arg:`` and ``aux:`` prefixes of the
        names (as in Module checkpoints) are dropped.
    default_init : callable, optional
        Used for names that are not in ``param``; without it such names raise ``AssertionError``.
    verbose : bool, default False
        Log (``logging.info``) where each array came from.

    Example:
        >>> mx.nd.save('ckpt.params', {'arg:fc_weight': mx.nd.ones((2, 3))})
        >>> w = mx.nd.zeros((2, 3))
        >>> mx.init.Load('ckpt.params')(mx.init.InitDesc('fc_weight'), w)   # w is all ones
    """

    def __init__(self, param: str | dict, default_init: Any = None, verbose: bool = False) -> None:
        if isinstance(param, str):
            param = nd.load(param)
        if not isinstance(param, dict):
            raise AssertionError(
                f"Load needs a dict of name -> NDArray (or an nd.save file of one), got {type(param).__name__}"
            )
        self.param: dict[str, NDArray] = {}
        for name, arr in param.items():
            key = name[4:] if name.startswith("arg:") or name.startswith("aux:") else name
            self.param[key] = arr
        self.default_init = default_init
        self.verbose = verbose

    def __call__(self, name: str, arr: NDArray) -> None:
        if name in self.param:
            src = self.param[name]
            if arr.shape != src.shape:
                raise AssertionError(
                    f"Parameter {name} cannot be initialized from loading. "
                    f"Shape mismatch, target {arr.shape} vs loaded {src.shape}"
                )
            arr[:] = src
            if self.verbose:
                logging.info("Initialized %s by loading", name)
            return
        if self.default_init is None:
            raise AssertionError(
                f"Cannot Initialize {name}. Not found in loaded param and no default Initializer is provided."
            )
        self.default_init(name, arr)
        if self.verbose:
            logging.info("Initialized %s by default", name)


class Mixed:
    """Chooses an initializer by the first regular expression that matches the parameter's name.

    Parameters
    ----------
    patterns : list of str
        Regular expressions, tried in order with ``re.match`` (anchored at the start of the name).
    initializers : list of callables
        One initializer per pattern.

    Example:
        >>> init = mx.init.Mixed(['.*bias', '.*'], [mx.init.Zero(), mx.init.Uniform(0.1)])
        >>> init(mx.init.InitDesc('fc_bias'), mx.nd.ones((3,)))
    """

    def __init__(self, patterns: list[str], initializers: list[Any]) -> None:
        if len(patterns) != len(initializers):
            raise AssertionError(
                f"Mixed needs one initializer per pattern, got {len(patterns)} patterns "
                f"and {len(initializers)} initializers"
            )
        self.map = [(re.compile(p), init) for p, init in zip(patterns, initializers, strict=True)]

    def __call__(self, name: str, arr: NDArray) -> None:
        for prog, init in self.map:
            if prog.match(name):
                init(name, arr)
                return
        raise ValueError(
            f'Parameter name {name} did not match any pattern. Consider adding a ".*" pattern at the end '
            "with a default Initializer."
        )
