"""Operator declarations. Importing this package fills the op table."""

from . import (
    conv,
    detection,
    elemwise,
    indexing,
    init_ops,
    linalg,
    matrix,
    misc,
    nn,
    norm,
    optimizer_ops,
    random_ops,
    reduce,
    resize,
    sequence,
    shape_ops,
)

__all__ = [
    "conv",
    "detection",
    "elemwise",
    "indexing",
    "init_ops",
    "linalg",
    "matrix",
    "misc",
    "nn",
    "norm",
    "optimizer_ops",
    "random_ops",
    "reduce",
    "resize",
    "sequence",
    "shape_ops",
]
