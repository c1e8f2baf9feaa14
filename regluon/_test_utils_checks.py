"""``mx.test_utils`` checks: numeric gradients, consistency across contexts and dtypes, optimizer
comparisons and statistical tests of random generators.

regluon has no Symbol or Executor yet, so the checks MXNet runs on a Symbol take a Python function
of NDArrays here (a Gluon Block is one); given a Symbol or an Executor they raise NotImplementedError.
Part of :mod:`regluon.test_utils`, which re-exports every public name here.
"""

from __future__ import annotations

import copy
import inspect
import traceback
from collections.abc import Callable

import numpy as np
import torch

from . import autograd, initializer
from . import ndarray as nd
from ._test_utils_compare import _np, assert_almost_equal, compare_ndarray_tuple, get_tols
from ._test_utils_sparse import rand_ndarray
from .context import current_context


def _needs_symbol(what: str, obj) -> None:
    if hasattr(obj, "list_arguments") or hasattr(obj, "arg_dict"):
        raise NotImplementedError(
            f"{what}: given a {type(obj).__name__}, which needs mx.sym and Executor (not in regluon yet); "
            "pass a Python function of NDArrays (or a Gluon Block) instead"
        )
    if not callable(obj):
        raise TypeError(f"{what}: expected a function of NDArrays, got {type(obj).__name__}")


def check_numeric_gradient(
    fn: Callable, location, numeric_eps: float | None = None, rtol=None, atol=None, **_ignored
) -> None:
    """Compare autograd's gradients of ``sum(fn(*location))`` with central finite differences.

    regluon has no symbols yet, so ``fn`` is a Python function of NDArrays (MXNet passes a Symbol).
    ``location`` is a list of NumPy arrays or NDArrays; the check runs in float64.

    Example:
        >>> check_numeric_gradient(lambda x: mx.nd.sigmoid(x), [np.random.rand(3, 4)])
    """
    _needs_symbol("check_numeric_gradient", fn)
    eps = numeric_eps or 1e-6
    xs = [np.array(_np(v), dtype=np.float64) for v in location]
    arrays = [nd.array(x, dtype="float64") for x in xs]
    for a in arrays:
        a.attach_grad()
    with autograd.record():
        out = fn(*arrays)
    out.backward()

    def value(vals):
        return float(_np(fn(*[nd.array(v, dtype="float64") for v in vals])).sum())

    for k, x in enumerate(xs):
        num = np.zeros_like(x)
        for idx in np.ndindex(x.shape):
            old = x[idx]
            x[idx] = old + eps
            hi = value(xs)
            x[idx] = old - eps
            lo = value(xs)
            x[idx] = old
            num[idx] = (hi - lo) / (2 * eps)
        assert_almost_equal(
            arrays[k].grad,
            num,
            rtol=rtol or 1e-4,
            atol=atol or 1e-6,
            names=(f"autograd gradient of input {k}", "numeric gradient"),
        )


def _first_output(res) -> np.ndarray:
    return _np(res[0] if isinstance(res, (list, tuple)) else res)


def numeric_grad(
    executor: Callable,
    location,
    aux_states=None,
    eps: float = 1e-4,
    use_forward_train: bool = True,
    dtype=np.float32,
):
    """Finite-difference gradients of the sum of the first output of ``executor`` at ``location``.

    ``executor`` is a function of NDArrays (MXNet's Executor needs the symbol API); ``location`` a
    dict from argument name to NumPy array (the function is called with keywords) or a list (called
    positionally). Each element moves by ``+-eps/2``; the result has the form of ``location``, in
    ``dtype``. Integer arguments get zero gradients.

    Example:
        >>> g = mx.test_utils.numeric_grad(lambda x: x * x, {'x': np.array([1.0, 2.0])}, dtype=np.float64)
        >>> np.round(g['x'], 4)
        array([2., 4.])
    """
    _needs_symbol("numeric_grad", executor)
    if aux_states is not None:
        raise NotImplementedError("numeric_grad: aux_states need an MXNet Executor, which regluon lacks")
    if dtype not in (np.float16, np.float32, np.float64):
        raise AssertionError(f"numeric_grad: dtype must be float16, float32 or float64, got {dtype}")
    named = isinstance(location, dict)
    items = list(location.items()) if named else list(enumerate(location))
    values = {k: np.array(v, order="C") for k, v in items}
    scope = autograd.train_mode if use_forward_train else autograd.predict_mode

    def run() -> np.ndarray:
        arrays = {k: nd.array(v, dtype=dtype) for k, v in values.items()}
        with scope():
            res = executor(**arrays) if named else executor(*arrays.values())
        return _first_output(res).astype(np.float64)

    grads = {k: np.zeros(v.shape, dtype=dtype) for k, v in values.items()}
    for k, v in values.items():
        if v.dtype.kind != "f":
            continue
        flat = v.reshape(-1)
        for i in range(flat.size):
            old = flat[i]
            flat[i] = old + eps / 2.0
            hi = run()
            flat[i] = old - eps / 2.0
            lo = run()
            flat[i] = old
            grads[k].reshape(-1)[i] = (hi - lo).sum() / eps
    return grads if named else [grads[k] for k, _ in items]


def _arg_names(fn: Callable) -> list[str]:
    target = fn.forward if hasattr(fn, "collect_params") else fn
    kinds = (inspect.Parameter.POSITIONAL_ONLY, inspect.Parameter.POSITIONAL_OR_KEYWORD)
    return [p.name for p in inspect.signature(target).parameters.values() if p.kind in kinds]


def _smaller_dtype(dt1, dt2):
    return dt1 if dt2 is None or np.dtype(dt1).itemsize < np.dtype(dt2).itemsize else dt2


class _Run:
    """One entry of check_consistency's ctx_list: the function, its inputs on one context, its results."""

    def __init__(self, fn: Callable, spec: dict, names: list[str], params: dict, grad_req: str):
        self.fn, self.ctx, self.names, self.grad_req = fn, spec["ctx"], names, grad_req
        types = spec.get("type_dict", {})
        self.args = [nd.array(params[n], ctx=self.ctx, dtype=types.get(n, np.float32)) for n in names]
        if grad_req != "null":
            for a in self.args:
                a.attach_grad(grad_req)
        self.outputs: list = []

    def forward(self, is_train: bool) -> None:
        if is_train:
            with autograd.record():
                res = self.fn(*self.args)
        else:
            res = self.fn(*self.args)
        self.outputs = list(res) if isinstance(res, (list, tuple)) else [res]

    def results(self, out_names: list[str]) -> dict:
        res = dict(zip(out_names, self.outputs))
        if self.grad_req != "null":
            res.update({n: a.grad for n, a in zip(self.names, self.args)})
        return res


def _compare(arr, gtarr, rtol, atol, equal_nan, raise_on_err: bool, what: str) -> None:
    try:
        assert_almost_equal(arr, gtarr, rtol=rtol, atol=atol, equal_nan=equal_nan)
    except AssertionError as err:
        print(what)
        traceback.print_exc()
        if raise_on_err:
            raise
        print(str(err))


def check_consistency(
    sym,
    ctx_list: list,
    scale: float = 1.0,
    grad_req: str = "write",
    arg_params=None,
    aux_params=None,
    rtol=None,
    atol=None,
    raise_on_err: bool = True,
    ground_truth=None,
    equal_nan: bool = False,
    use_uniform: bool = False,
    rand_type=np.float64,
) -> dict:
    """Check that a computation gives the same outputs and gradients on several contexts / dtypes.

    ``sym`` is a function of NDArrays (or a Gluon Block, or a list of them, one per entry; MXNet's
    Symbol form needs mx.sym, which regluon lacks). Each ``ctx_list`` entry is a dict with ``'ctx'``,
    the shape of each argument by name and optionally ``'type_dict'`` (argument name -> dtype,
    float32 by default). Random inputs (normal with std ``scale``, or uniform in ``+-0.92*scale``)
    are drawn in sorted name order unless given in ``arg_params``. The entry with the widest first
    output is the reference: outputs are compared without recording, then outputs and gradients
    after a recorded forward and a backward from the first entry's outputs. Outputs are named
    ``output0``, ``output1``, ...; returns the reference's outputs and gradients by name.

    Example:
        >>> ctx_list = [{'ctx': mx.cpu(0), 'x': (2, 3), 'type_dict': {'x': np.float64}},
        ...             {'ctx': mx.cpu(0), 'x': (2, 3), 'type_dict': {'x': np.float32}}]
        >>> gt = mx.test_utils.check_consistency(lambda x: mx.nd.tanh(x) * 2, ctx_list)
    """
    if len(ctx_list) <= 1:
        raise AssertionError("check_consistency needs at least two entries in ctx_list")
    fns = list(sym) if isinstance(sym, (list, tuple)) else [sym] * len(ctx_list)
    if len(fns) != len(ctx_list):
        raise AssertionError(f"check_consistency: {len(fns)} functions for {len(ctx_list)} contexts")
    if aux_params:
        raise NotImplementedError("check_consistency: aux_params need mx.sym, which regluon lacks")
    for f in fns:
        _needs_symbol("check_consistency", f)
    names = _arg_names(fns[0])
    params = dict(arg_params or {})
    for n in sorted(names):
        if n not in params:
            shape = tuple(ctx_list[0][n])
            if use_uniform:
                params[n] = np.random.uniform(-0.92 * scale, 0.92 * scale, size=shape).astype(rand_type)
            else:
                params[n] = np.random.normal(size=shape, scale=scale).astype(rand_type)
    runs = [_Run(f, spec, names, params, grad_req) for f, spec in zip(fns, ctx_list)]
    for r in runs:
        r.forward(is_train=False)
    out_names = [f"output{i}" for i in range(len(runs[0].outputs))]
    dtypes = [np.dtype(r.outputs[0].dtype) for r in runs]
    gt_idx = int(np.argmax([d.itemsize for d in dtypes]))
    for i, r in enumerate(runs):
        if i != gt_idx:
            gt = ground_truth or runs[gt_idx].results(out_names)
            for name, arr in zip(out_names, r.outputs):
                _compare(
                    arr,
                    gt[name],
                    rtol,
                    atol,
                    equal_nan,
                    raise_on_err,
                    f"Predict Err: ctx {i} vs ctx {gt_idx} at {name}",
                )
    if grad_req != "null":
        _check_training(runs, gt_idx, out_names, dtypes, (rtol, atol, equal_nan, raise_on_err), ground_truth)
    return ground_truth or runs[gt_idx].results(out_names)


def _check_training(runs, gt_idx, out_names, dtypes, opts, ground_truth) -> None:
    rtol, atol, equal_nan, raise_on_err = opts
    for r in runs:
        r.forward(is_train=True)
    least = [o.dtype for o in runs[0].outputs]
    for r in runs:
        least = [_smaller_dtype(o.dtype, dt) for o, dt in zip(r.outputs, least)]
    heads = [o.astype(dt).asnumpy() for o, dt in zip(runs[0].outputs, least)]
    for r in runs:
        autograd.backward(
            r.outputs, [nd.array(h, ctx=r.ctx, dtype=o.dtype) for h, o in zip(heads, r.outputs)]
        )
    gt = ground_truth or runs[gt_idx].results(out_names)
    for i, r in enumerate(runs):
        if i == gt_idx:
            continue
        for name, arr in r.results(out_names).items():
            gtarr = gt[name]
            rt, at = rtol, atol
            small, small_gt = (
                _smaller_dtype(arr.dtype, dtypes[i]),
                _smaller_dtype(gtarr.dtype, dtypes[gt_idx]),
            )
            if small != arr.dtype or small_gt != gtarr.dtype:  # e.g. a float32 gradient of a float16 run
                rt, at = get_tols(arr.astype(small), gtarr.astype(small_gt), rtol, atol)
            what = f"Train Err: {np.dtype(arr.dtype).name} ctx {i} vs {np.dtype(gtarr.dtype).name} ctx {gt_idx} at {name}"
            _compare(arr, gtarr, rt, at, equal_nan, raise_on_err, what)


def compare_optimizer(
    opt1,
    opt2,
    shape,
    dtype,
    w_stype: str = "default",
    g_stype: str = "default",
    rtol: float = 1e-4,
    atol: float = 1e-5,
    compare_states: bool = True,
    ntensors: int = 1,
) -> None:
    """Check that two optimizers make the same update (and states) from the same random weight and
    gradient. A list of shapes compares ``opt1`` updating ``ntensors`` weights one by one with
    ``opt2`` updating them in one aggregated call.

    Example:
        >>> mx.test_utils.compare_optimizer(mx.optimizer.SGD(learning_rate=0.1, momentum=0.9),
        ...                                 mx.optimizer.SGD(learning_rate=0.1, momentum=0.9), (3, 4), 'float32')
    """
    ctx = current_context()
    if isinstance(shape, list):
        _compare_aggregated(opt1, opt2, shape, dtype, rtol, atol, compare_states, ntensors, ctx)
        return
    if ntensors != 1:
        raise AssertionError("compare_optimizer: ntensors > 1 needs a list of shapes")
    w2, w1 = _start_pair(shape, dtype, w_stype, ctx, density=1)
    g2, g1 = _start_pair(shape, dtype, g_stype, ctx, density=None)
    state1 = opt1.create_state_multi_precision(0, w1)
    state2 = opt2.create_state_multi_precision(0, w2)
    if compare_states:
        compare_ndarray_tuple(state1, state2)
    opt1.update_multi_precision(0, w1, g1, state1)
    opt2.update_multi_precision(0, w2, g2, state2)
    if compare_states:
        compare_ndarray_tuple(state1, state2, rtol=rtol, atol=atol)
    assert_almost_equal(w1, w2, rtol=rtol, atol=atol)


def _start_pair(shape, dtype, stype: str, ctx, density):
    """An array of ``stype`` for opt2 and its dense copy for opt1."""
    if stype == "default":
        a = nd.random.uniform(shape=shape, ctx=ctx, dtype=dtype)
        return a, a.copyto(ctx)
    if stype in ("row_sparse", "csr"):
        a = rand_ndarray(shape, stype, density=density, dtype=dtype)
        return a, a.copyto(ctx).tostype("default")
    raise TypeError(f"compare_optimizer: storage type {stype!r} is not supported")


def _compare_aggregated(opt1, opt2, shapes, dtype, rtol, atol, compare_states, ntensors, ctx) -> None:
    w1 = tuple(nd.random.uniform(shape=s, ctx=ctx, dtype=dtype) for s in shapes)
    g1 = tuple(nd.random.uniform(shape=s, ctx=ctx, dtype=dtype) for s in shapes)
    w2, g2 = copy.deepcopy(w1), copy.deepcopy(g1)
    state2 = [opt2.create_state_multi_precision(0, w2[i]) for i in range(ntensors)]
    opt2.update_multi_precision(list(range(ntensors)), w2, g2, state2)
    for i in range(ntensors):
        state1 = opt1.create_state_multi_precision(i, w1[i])
        opt1.update_multi_precision(i, w1[i], g1[i], state1)
        if compare_states:
            compare_ndarray_tuple(state1, state2[i], rtol, atol)
        compare_ndarray_tuple(w1[i], w2[i], rtol, atol)


def _chi_square_p(observed: np.ndarray, expected: np.ndarray) -> float:
    """p-value of Pearson's chi-square statistic with ``k - 1`` degrees of freedom."""
    stat = float(np.sum((observed - expected) ** 2 / expected))
    dof = len(observed) - 1
    return float(
        torch.special.gammaincc(
            torch.tensor(dof / 2.0, dtype=torch.float64), torch.tensor(stat / 2.0, dtype=torch.float64)
        )
    )


def chi_square_check(generator: Callable, buckets: list, probs, nsamples: int = 1000000):
    """Pearson's chi-square test of ``generator(n)`` (n i.i.d. samples) against bucket probabilities.

    ``buckets`` lists ``(low, high)`` ranges in ascending order for a continuous distribution, or the
    possible values of a discrete one. Returns ``(p, observed_counts, expected_counts)``; a small p
    (below 0.05, say) rejects the distribution.

    Example:
        >>> buckets, probs = mx.test_utils.gen_buckets_probs_with_ppf(lambda q: q, 5)
        >>> p, obs, exp = mx.test_utils.chi_square_check(lambda n: np.random.uniform(size=n), buckets, probs)
    """
    if not isinstance(buckets, list):
        raise AssertionError("chi_square_check: buckets must be a list")
    if len(probs) != len(buckets):
        raise AssertionError(f"chi_square_check: {len(probs)} probabilities for {len(buckets)} buckets")
    samples = np.asarray(generator(nsamples))
    expected = (nsamples * np.array(probs, dtype=np.float32)).astype(np.int32)
    observed = np.zeros(len(buckets), dtype=np.int64)
    if isinstance(buckets[0], (list, tuple)):
        edges = np.zeros(2 * len(buckets), dtype=np.float32)
        for i, (lo, hi) in enumerate(buckets):
            if lo > hi or (i + 1 < len(buckets) and hi > buckets[i + 1][0]):
                raise AssertionError(
                    f"chi_square_check: buckets must be ascending and disjoint, see {buckets[i]}"
                )
            edges[2 * i], edges[2 * i + 1] = lo, hi
        ids = np.searchsorted(edges, samples, side="right") // 2
        for i in range(len(buckets)):
            observed[i] = np.count_nonzero(ids == i)
    else:
        for i, value in enumerate(buckets):
            observed[i] = np.count_nonzero(samples == value)
    return _chi_square_p(observed.astype(np.float64), expected.astype(np.float64)), observed, expected


def mean_check(generator: Callable, mu: float, sigma: float, nsamples: int = 1000000) -> bool:
    """Whether the mean of ``generator(nsamples)`` lies within ``mu +- 3 sigma / sqrt(nsamples)``."""
    mean = np.array(generator(nsamples)).mean()
    bound = 3 * sigma / np.sqrt(nsamples)
    return bool(mu - bound < mean < mu + bound)


def var_check(generator: Callable, sigma: float, nsamples: int = 1000000) -> bool:
    """Whether the sample variance of ``generator(nsamples)`` lies within
    ``sigma**2 +- 3 sqrt(2 sigma**4 / (nsamples - 1))``."""
    var = np.array(generator(nsamples)).var(ddof=1)
    bound = 3 * np.sqrt(2 * sigma**4 / (nsamples - 1))
    return bool(sigma**2 - bound < var < sigma**2 + bound)


def gen_buckets_probs_with_ppf(ppf: Callable, nbuckets: int):
    """``nbuckets`` equally likely buckets ``(ppf(i/n), ppf((i+1)/n))`` from a quantile function, and
    their probabilities ``1/n``.

    Example:
        >>> mx.test_utils.gen_buckets_probs_with_ppf(lambda q: 10 * q, 2)
        ([(0.0, 5.0), (5.0, 10.0)], [0.5, 0.5])
    """
    if nbuckets <= 0:
        raise AssertionError(f"gen_buckets_probs_with_ppf: nbuckets must be positive, got {nbuckets}")
    probs = [1.0 / nbuckets] * nbuckets
    buckets = [(ppf(i / float(nbuckets)), ppf((i + 1) / float(nbuckets))) for i in range(nbuckets)]
    return buckets, probs


def verify_generator(
    generator: Callable,
    buckets: list,
    probs,
    nsamples: int = 1000000,
    nrepeat: int = 5,
    success_rate: float = 0.2,
    alpha: float = 0.05,
) -> list:
    """Run :func:`chi_square_check` ``nrepeat`` times; raise AssertionError unless at least
    ``success_rate`` of the runs have ``p > alpha``. Returns the p-values."""
    runs = [chi_square_check(generator, buckets, probs, nsamples) for _ in range(nrepeat)]
    ps = [r[0] for r in runs]
    if sum(p > alpha for p in ps) < nrepeat * success_rate:
        raise AssertionError(
            f"Generator test fails, Chi-square p={ps}, obs_freq={[r[1] for r in runs]}, "
            f"expected_freq={[r[2] for r in runs]}.\nbuckets={buckets}, probs={probs}"
        )
    return ps


def _symbol_only(name: str):
    def missing(*args, **kwargs):
        raise NotImplementedError(
            f"test_utils.{name} runs MXNet Symbols through Executors; regluon has no mx.sym yet. "
            "Write the check with NDArrays and autograd (check_numeric_gradient, check_consistency and "
            "numeric_grad take functions of NDArrays)"
        )

    missing.__name__ = missing.__qualname__ = name
    missing.__doc__ = f"MXNet's Symbol-based ``{name}``: raises NotImplementedError until regluon has mx.sym."
    return missing


check_symbolic_forward = _symbol_only("check_symbolic_forward")
check_symbolic_backward = _symbol_only("check_symbolic_backward")
check_speed = _symbol_only("check_speed")
simple_forward = _symbol_only("simple_forward")
same_symbol_structure = _symbol_only("same_symbol_structure")


class _CopyInit(initializer.Initializer):
    """Fills each parameter with a saved value, by name (others as the default initializer would)."""

    def __init__(self, values: dict):
        super().__init__()
        self._values = values

    def __call__(self, desc, arr) -> None:
        value = self._values.get(str(desc))
        if value is None:
            super().__call__(desc, arr)
        else:
            arr[:] = value


def check_gluon_hybridize_consistency(
    net_builder: Callable, data_l: list, numpy_func=None, test_grad: bool = True, rtol=1e-4, atol=1e-4
) -> None:
    """Check that a HybridBlock gives the same output (and input gradients, after
    ``out.backward(out)``) with and without ``hybridize()``, and optionally the output of
    ``numpy_func`` on the inputs. ``net_builder(prefix='net_')`` builds the block; every build gets
    the first build's parameter values. The block must not draw random numbers.

    Example:
        >>> mx.test_utils.check_gluon_hybridize_consistency(
        ...     lambda prefix: gluon.nn.Dense(3, prefix=prefix), [mx.nd.ones((2, 4))])
    """
    saved_out, saved_grads, values = None, None, None
    for hybridize in (False, True):
        for use_autograd in (False, True) if test_grad else (False,):
            net = net_builder(prefix="net_")
            if values is None:
                net.initialize()
            else:
                net.initialize(_CopyInit(values))
            if hybridize:
                net.hybridize()
            inputs = [x.copy() for x in data_l]
            if use_autograd:
                for x in inputs:
                    x.attach_grad()
                with autograd.record():
                    out = net(*inputs)
                out.backward(out)
            else:
                out = net(*inputs)
            if values is None:
                values = {k: v.data().asnumpy() for k, v in net.collect_params().items()}
            if saved_out is None:
                saved_out = out.asnumpy()
            else:
                assert_almost_equal(out.asnumpy(), saved_out, rtol=rtol, atol=atol)
            if use_autograd:
                grads = [x.grad.asnumpy() for x in inputs]
                if saved_grads is None:
                    saved_grads = grads
                for g, ref in zip(grads, saved_grads):
                    assert_almost_equal(g, ref, rtol=rtol, atol=atol)
    if numpy_func is not None:
        expected = numpy_func(*[x.asnumpy() for x in data_l])
        assert_almost_equal(saved_out, expected, rtol=rtol, atol=atol)
