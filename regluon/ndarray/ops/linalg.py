"""Linear algebra on the last two axes, batched over the leading ones (``nd.linalg.*`` / ``linalg_*``)."""

from __future__ import annotations

import numpy as np
import torch

from ...base import MXNetError, shape_str
from ..params import Bool, Float, Int, Param
from ..register import OpDef, Sample, register
from ._common import rand


def _t(x, flag):
    return x.transpose(-1, -2) if flag else x


def _gemm2(A, B, transpose_a, transpose_b, alpha, axis):
    if axis != -2:
        raise MXNetError("linalg.gemm2: only axis=-2 is supported")
    a, b = _t(A, transpose_a), _t(B, transpose_b)
    if a.shape[-1] != b.shape[-2] or a.shape[:-2] != b.shape[:-2]:
        raise MXNetError(
            f"linalg.gemm2: shapes {shape_str(A.shape)} and {shape_str(B.shape)} do not match "
            f"(transpose_a={transpose_a}, transpose_b={transpose_b})"
        )
    return alpha * torch.matmul(a, b)


def _np_t(x, flag):
    return np.swapaxes(x, -1, -2) if flag else x


_TA = Param("transpose_a", Bool(), False, "Use the transpose of A.")
_TB = Param("transpose_b", Bool(), False, "Use the transpose of B.")
_ALPHA = Param("alpha", Float(), 1.0, "Scale of the product.")

register(
    OpDef(
        "_linalg_gemm2",
        impl=_gemm2,
        inputs=("A", "B"),
        params=(_TA, _TB, _ALPHA, Param("axis", Int(), -2)),
        aliases=("linalg_gemm2", "linalg.gemm2"),
        ref=lambda a, b, transpose_a=False, transpose_b=False, alpha=1.0, axis=-2: (
            alpha * np.matmul(_np_t(a, transpose_a), _np_t(b, transpose_b))
        ),
        samples=lambda: [
            Sample((rand(2, 3), rand(3, 4, seed=1))),
            Sample(
                (rand(2, 3, 2), rand(2, 4, 3, seed=1)),
                {"transpose_a": True, "transpose_b": True, "alpha": 2.0},
            ),
        ],
        errors=lambda: [((rand(2, 3), rand(2, 3)), {}, r"linalg.gemm2: shapes \(2, 3\) and \(2, 3\)")],
        doc="alpha * op(A) @ op(B) on the last two axes.",
    )
)


def _gemm(A, B, C, transpose_a, transpose_b, alpha, beta, axis):
    return _gemm2(A, B, transpose_a, transpose_b, alpha, axis) + beta * C


register(
    OpDef(
        "_linalg_gemm",
        impl=_gemm,
        inputs=("A", "B", "C"),
        params=(_TA, _TB, _ALPHA, Param("beta", Float(), 1.0, "Scale of C."), Param("axis", Int(), -2)),
        aliases=("linalg_gemm", "linalg.gemm"),
        ref=lambda a, b, c, transpose_a=False, transpose_b=False, alpha=1.0, beta=1.0, axis=-2: (
            alpha * np.matmul(_np_t(a, transpose_a), _np_t(b, transpose_b)) + beta * c
        ),
        samples=lambda: [
            Sample((rand(2, 3), rand(3, 4, seed=1), rand(2, 4, seed=2)), {"alpha": 0.5, "beta": 2.0})
        ],
        doc="alpha * op(A) @ op(B) + beta * C.",
    )
)


def _spd(n, seed):
    a = rand(n, n, seed=seed)
    return (a @ a.T + n * np.eye(n)).astype("float32")


register(
    OpDef(
        "_linalg_potrf",
        impl=lambda A: torch.linalg.cholesky(A),
        inputs=("A",),
        aliases=("linalg_potrf", "linalg.potrf"),
        ref=lambda a: np.linalg.cholesky(a),
        samples=lambda: [
            Sample((_spd(3, 0),), grad=False),
            Sample((np.stack([_spd(2, 1), _spd(2, 2)]),), grad=False),
        ],
        doc="Cholesky factor L (lower triangular) of symmetric positive-definite A = L L^T.",
    )
)


def _trsm(A, B, transpose, rightside, lower, alpha):
    a = _t(A, transpose)
    upper = (not lower) != transpose
    if rightside:
        x = torch.linalg.solve_triangular(a, alpha * B, upper=upper, left=False)
    else:
        x = torch.linalg.solve_triangular(a, alpha * B, upper=upper)
    return x


def _trsm_ref(a, b, transpose=False, rightside=False, lower=True, alpha=1.0):
    tri = np.tril(a) if lower else np.triu(a)
    op = np.swapaxes(tri, -1, -2) if transpose else tri
    return alpha * (np.matmul(b, np.linalg.inv(op)) if rightside else np.matmul(np.linalg.inv(op), b))


_TRI = (
    Param("transpose", Bool(), False),
    Param("rightside", Bool(), False),
    Param("lower", Bool(), True),
    _ALPHA,
)

register(
    OpDef(
        "_linalg_trsm",
        impl=_trsm,
        inputs=("A", "B"),
        params=_TRI,
        aliases=("linalg_trsm", "linalg.trsm"),
        ref=_trsm_ref,
        samples=lambda: [
            Sample((np.tril(_spd(3, 0)), rand(3, 2, seed=1))),
            Sample(
                (np.tril(_spd(3, 0)), rand(2, 3, seed=1)),
                {"rightside": True, "transpose": True, "alpha": 0.5},
            ),
        ],
        doc="Solve op(A) X = alpha * B (or X op(A) = alpha * B) for triangular A.",
    )
)


def _trmm(A, B, transpose, rightside, lower, alpha):
    tri = torch.tril(A) if lower else torch.triu(A)
    op = _t(tri, transpose)
    return alpha * (torch.matmul(B, op) if rightside else torch.matmul(op, B))


register(
    OpDef(
        "_linalg_trmm",
        impl=_trmm,
        inputs=("A", "B"),
        params=_TRI,
        aliases=("linalg_trmm", "linalg.trmm"),
        ref=lambda a, b, transpose=False, rightside=False, lower=True, alpha=1.0: (
            alpha
            * (
                np.matmul(b, _np_t(np.tril(a) if lower else np.triu(a), transpose))
                if rightside
                else np.matmul(_np_t(np.tril(a) if lower else np.triu(a), transpose), b)
            )
        ),
        samples=lambda: [
            Sample((np.tril(rand(3, 3)), rand(3, 2, seed=1))),
            Sample((np.triu(rand(3, 3)), rand(2, 3, seed=1)), {"lower": False, "rightside": True}),
        ],
        doc="Triangular matrix product op(A) B (or B op(A)) times alpha.",
    )
)

register(
    OpDef(
        "_linalg_syrk",
        impl=lambda A, transpose, alpha: (
            alpha
            * (torch.matmul(A.transpose(-1, -2), A) if transpose else torch.matmul(A, A.transpose(-1, -2)))
        ),
        inputs=("A",),
        params=(Param("transpose", Bool(), False), _ALPHA),
        aliases=("linalg_syrk", "linalg.syrk"),
        ref=lambda a, transpose=False, alpha=1.0: (
            alpha
            * (np.matmul(np.swapaxes(a, -1, -2), a) if transpose else np.matmul(a, np.swapaxes(a, -1, -2)))
        ),
        samples=lambda: [Sample((rand(2, 3),)), Sample((rand(2, 3),), {"transpose": True, "alpha": 3.0})],
        doc="alpha * A A^T (or A^T A with transpose=True).",
    )
)

register(
    OpDef(
        "_linalg_sumlogdiag",
        impl=lambda A: torch.log(torch.diagonal(A, dim1=-2, dim2=-1)).sum(-1).reshape(A.shape[:-2] or (1,)),
        inputs=("A",),
        aliases=("linalg_sumlogdiag", "linalg.sumlogdiag"),
        ref=lambda a: np.log(np.diagonal(a, axis1=-2, axis2=-1)).sum(-1).reshape(a.shape[:-2] or (1,)),
        samples=lambda: [Sample((_spd(3, 0),)), Sample((np.stack([_spd(2, 1), _spd(2, 2)]),))],
        doc="Sum of the logarithms of the diagonal (log-determinant of a Cholesky factor).",
    )
)


def _syevd(A):
    w, v = torch.linalg.eigh(A)
    u = v.transpose(-1, -2)
    # MXNet's convention: the largest-magnitude entry of each eigenvector (row of U) is positive
    idx = u.abs().argmax(dim=-1, keepdim=True)
    sign = torch.sign(torch.gather(u, -1, idx))
    sign = torch.where(sign == 0, torch.ones_like(sign), sign)
    return u * sign, w


def _syevd_ref(a):
    w, v = np.linalg.eigh(a.astype(np.float64))
    u = np.swapaxes(v, -1, -2)
    big = np.take_along_axis(u, np.abs(u).argmax(-1)[..., None], -1)
    return [(u * np.sign(big)).astype(a.dtype), w.astype(a.dtype)]


register(
    OpDef(
        "_linalg_syevd",
        impl=_syevd,
        inputs=("A",),
        aliases=("linalg_syevd", "linalg.syevd"),
        ref=_syevd_ref,
        # the gradient is defined for symmetric perturbations (element-wise finite differences are not):
        # it is checked against MXNet's golden only
        samples=lambda: [
            Sample((_spd(3, 0),), numeric_grad=False),
            Sample((np.stack([_spd(3, 1), _spd(3, 2)]),), numeric_grad=False),
        ],
        doc="Eigen-decomposition of symmetric A = U^T diag(L) U: returns (U, L), eigenvalues ascending, "
        "eigenvectors as the rows of U with their largest-magnitude entry positive.",
    )
)


# ---------------------------------------------------------------------- det, inverse, potri, diag, trian
def _square(op: str, A) -> None:
    if A.dim() < 2 or A.shape[-1] != A.shape[-2]:
        raise MXNetError(f"{op}: A must be (..., n, n) square matrices, got {shape_str(A.shape)}")


def _det(A):
    _square("linalg.det", A)
    d = torch.linalg.det(A)
    return d.reshape(1) if d.dim() == 0 else d


def _slogdet(A):
    _square("linalg.slogdet", A)
    sign, logabs = torch.linalg.slogdet(A)
    return (sign.reshape(1), logabs.reshape(1)) if sign.dim() == 0 else (sign, logabs)


def _inverse(A):
    _square("linalg.inverse", A)
    return torch.linalg.inv(A)


def _potri(A):
    _square("linalg.potri", A)
    return torch.cholesky_inverse(A.tril())  # only the lower triangle is read (and gets gradients)


def _np_det(a):
    d = np.linalg.det(a.astype(np.float64)).astype(a.dtype)
    return d.reshape(np.shape(d) or (1,))


def _np_slogdet(a):
    s, la = np.linalg.slogdet(a.astype(np.float64))
    return [np.asarray(v, a.dtype).reshape(np.shape(v) or (1,)) for v in (s, la)]


def _general(n: int, seed: int) -> np.ndarray:
    """A well-conditioned non-symmetric matrix."""
    return (np.eye(n) * 3 + np.random.RandomState(seed).uniform(-1, 1, (n, n))).astype("float32")


def _lower(n: int, seed: int) -> np.ndarray:
    """A lower-triangular Cholesky factor with a positive diagonal."""
    return np.linalg.cholesky(_spd(n, seed).astype(np.float64)).astype("float32")


for _name, _impl, _ref, _doc in (
    ("det", _det, _np_det, "Determinant of each square matrix A."),
    ("inverse", _inverse, lambda a: np.linalg.inv(a.astype(np.float64)).astype(a.dtype), "Inverse of A."),
):
    register(
        OpDef(
            f"_linalg_{_name}",
            impl=_impl,
            inputs=("A",),
            aliases=(f"linalg_{_name}", f"linalg.{_name}"),
            ref=_ref,
            samples=lambda: [
                Sample((_general(3, 0),)),
                Sample((np.stack([_general(2, 1), -_general(2, 2)]),)),
            ],
            errors=lambda _n=_name: [((rand(2, 3),), {}, rf"linalg.{_n}: A must be \(..., n, n\) square")],
            doc=_doc + " Batched over the leading axes.",
        )
    )

register(
    OpDef(
        "_linalg_slogdet",
        impl=_slogdet,
        inputs=("A",),
        aliases=("linalg_slogdet", "linalg.slogdet"),
        ref=_np_slogdet,
        samples=lambda: [Sample((-_general(3, 0),)), Sample((np.stack([_general(2, 1), -_general(2, 2)]),))],
        doc="Sign and log of the absolute determinant of A: returns (sign, logabsdet).",
    )
)
register(
    OpDef(
        "_linalg_potri",
        impl=_potri,
        inputs=("A",),
        aliases=("linalg_potri", "linalg.potri"),
        ref=lambda a: np.linalg.inv(a.astype(np.float64) @ np.swapaxes(a, -1, -2)).astype(a.dtype),
        # the gradient flows through the lower triangle only (MXNet's convention): golden-checked only
        samples=lambda: [
            Sample((_lower(3, 0),), numeric_grad=False),
            Sample((np.stack([_lower(2, 1), _lower(2, 2)]),), numeric_grad=False),
        ],
        doc="Inverse of L L^T from its lower Cholesky factor L (the output of potrf).",
    )
)


def _extractdiag(A, offset):
    _square("linalg.extractdiag", A)
    if abs(offset) >= A.shape[-1]:
        raise MXNetError(f"linalg.extractdiag: offset={offset} leaves no diagonal in {shape_str(A.shape)}")
    return torch.diagonal(A, offset, -2, -1).clone()


def _makediag(A, offset):
    return torch.diag_embed(A, offset, -2, -1)


def _trian_index(n: int, offset: int, lower: bool):
    """Row-major positions of the triangle MXNet packs: the lower one (column-major upper one)."""
    low = offset < 0 or (offset == 0 and lower)
    rows, cols = torch.tril_indices(n, n, offset=-abs(offset))
    return (rows, cols) if low else (cols, rows)


def _extracttrian(A, offset, lower):
    _square("linalg.extracttrian", A)
    rows, cols = _trian_index(A.shape[-1], offset, lower)
    return A[..., rows.to(A.device), cols.to(A.device)]


def _maketrian(A, offset, lower):
    k = A.shape[-1]
    m = int(round((np.sqrt(8 * k + 1) - 1) / 2))
    if m * (m + 1) // 2 != k:
        raise MXNetError(f"linalg.maketrian: the last axis ({k}) is not a triangular number m(m+1)/2")
    n = m + abs(offset)
    rows, cols = _trian_index(n, offset, lower)
    out = A.new_zeros(A.shape[:-1] + (n, n))
    out[..., rows.to(A.device), cols.to(A.device)] = A
    return out


def _np_trian_index(n, offset, lower):
    rows, cols = np.tril_indices(n, -abs(offset))
    return (rows, cols) if offset < 0 or (offset == 0 and lower) else (cols, rows)


def _np_extracttrian(a, offset=0, lower=True):
    rows, cols = _np_trian_index(a.shape[-1], offset, lower)
    return a[..., rows, cols]


def _np_maketrian(a, offset=0, lower=True):
    m = int(round((np.sqrt(8 * a.shape[-1] + 1) - 1) / 2))
    n = m + abs(offset)
    out = np.zeros(a.shape[:-1] + (n, n), a.dtype)
    rows, cols = _np_trian_index(n, offset, lower)
    out[..., rows, cols] = a
    return out


_OFFSET = Param("offset", Int(), 0, "Diagonal offset: > 0 above the main diagonal, < 0 below.")
_LOWER = Param("lower", Bool(), True, "With offset 0: the lower (True) or upper triangle.")

register(
    OpDef(
        "_linalg_extractdiag",
        impl=_extractdiag,
        inputs=("A",),
        params=(_OFFSET,),
        aliases=("linalg_extractdiag", "linalg.extractdiag"),
        ref=lambda a, offset=0: np.diagonal(a, offset, -2, -1).copy(),
        samples=lambda: [Sample((rand(3, 3),)), Sample((rand(2, 3, 3),), {"offset": -1})],
        errors=lambda: [
            ((rand(3, 4),), {}, r"linalg.extractdiag: A must be \(..., n, n\) square matrices, got \(3, 4\)"),
            ((rand(3, 3),), {"offset": 3}, r"linalg.extractdiag: offset=3 leaves no diagonal"),
        ],
        doc="The diagonal (at offset) of each matrix A.",
    )
)
register(
    OpDef(
        "_linalg_makediag",
        impl=_makediag,
        inputs=("A",),
        params=(_OFFSET,),
        aliases=("linalg_makediag", "linalg.makediag"),
        ref=lambda a, offset=0: np.stack([np.diag(v, offset) for v in a.reshape(-1, a.shape[-1])]).reshape(
            a.shape[:-1] + (a.shape[-1] + abs(offset),) * 2
        ),
        samples=lambda: [Sample((rand(3),)), Sample((rand(2, 3),), {"offset": 1})],
        doc="Square matrices with the last axis of A on the diagonal at offset.",
    )
)
register(
    OpDef(
        "_linalg_extracttrian",
        impl=_extracttrian,
        inputs=("A",),
        params=(_OFFSET, _LOWER),
        aliases=("linalg_extracttrian", "linalg.extracttrian"),
        ref=_np_extracttrian,
        samples=lambda: [
            Sample((rand(3, 3),)),
            Sample((rand(2, 3, 3),), {"lower": False}),
            Sample((rand(4, 4),), {"offset": 1}),
            Sample((rand(4, 4),), {"offset": -2}),
        ],
        doc="The lower (or upper) triangle of each square matrix at offset, packed into the last axis "
        "(lower: row by row; upper: column by column).",
    )
)
register(
    OpDef(
        "_linalg_maketrian",
        impl=_maketrian,
        inputs=("A",),
        params=(_OFFSET, _LOWER),
        aliases=("linalg_maketrian", "linalg.maketrian"),
        ref=_np_maketrian,
        samples=lambda: [
            Sample((rand(6),)),
            Sample((rand(2, 3),), {"lower": False}),
            Sample((rand(3),), {"offset": 1}),
            Sample((rand(3),), {"offset": -1}),
        ],
        errors=lambda: [
            ((rand(4),), {}, r"linalg.maketrian: the last axis \(4\) is not a triangular number")
        ],
        doc="The inverse of extracttrian: square matrices with the packed values in their triangle.",
    )
)


def _khatri_rao(*args):
    if not args or any(a.dim() != 2 or a.shape[1] != args[0].shape[1] for a in args):
        shapes = ", ".join(shape_str(a.shape) for a in args)
        raise MXNetError(f"khatri_rao: inputs must be 2-d with the same number of columns, got {shapes}")
    out = args[0]
    for a in args[1:]:
        out = (out[:, None, :] * a[None, :, :]).reshape(-1, out.shape[1])
    return out


def _np_khatri_rao(*args):
    out = args[0]
    for a in args[1:]:
        out = np.einsum("ik,jk->ijk", out, a).reshape(-1, out.shape[1])
    return out


register(
    OpDef(
        "khatri_rao",
        impl=_khatri_rao,
        inputs=("args",),
        variadic=True,
        ref=_np_khatri_rao,
        samples=lambda: [
            Sample((rand(2, 3), rand(4, 3, seed=1))),
            Sample((rand(2, 2), rand(1, 2, seed=1), rand(3, 2, seed=2))),
        ],
        errors=lambda: [
            ((rand(2, 3), rand(2, 2)), {}, r"khatri_rao: inputs must be 2-d with the same number")
        ],
        doc="Column-wise Kronecker product of matrices with the same number of columns: (m1*m2*..., n).",
    )
)


def _gelqf(A):
    if A.dim() < 2 or A.shape[-2] > A.shape[-1]:
        raise MXNetError(f"linalg.gelqf: A must be (..., m, n) with m <= n, got {shape_str(A.shape)}")
    q, r = torch.linalg.qr(A.transpose(-1, -2))  # A^T = Q R, so A = R^T Q^T (Householder signs, as LAPACK)
    return q.transpose(-1, -2), r.transpose(-1, -2)


def _np_gelqf(a):
    q, r = np.linalg.qr(np.swapaxes(a, -1, -2).astype(np.float64))
    return [np.swapaxes(q, -1, -2).astype(a.dtype), np.swapaxes(r, -1, -2).astype(a.dtype)]


register(
    OpDef(
        "_linalg_gelqf",
        impl=_gelqf,
        inputs=("A",),
        aliases=("linalg_gelqf", "linalg.gelqf"),
        ref=_np_gelqf,
        # the factors are unique only up to signs: gradients are checked against MXNet's golden
        samples=lambda: [
            Sample((_general(3, 0)[:2],), numeric_grad=False),
            Sample((np.stack([_general(3, 1), _general(3, 2)]),), numeric_grad=False),
        ],
        errors=lambda: [((rand(3, 2),), {}, r"linalg.gelqf: A must be \(..., m, n\) with m <= n")],
        doc="LQ factorisation A = L Q of (..., m, n) matrices with m <= n: returns (Q, L), Q with orthonormal "
        "rows and L lower triangular.",
    )
)
