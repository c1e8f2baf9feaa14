"""Golden training-stack behaviour from MXNet 1.9.1: gluon losses, mx.metric and mx.lr_scheduler.

Run under the oracle venv: ``.venv-oracle/bin/python tools/gen_train_cases.py``. Writes

* tests/golden/train_cases.npz: the inputs of every loss and metric case, and for losses MXNet's
  outputs, the head gradients used and the input gradients;
* tests/golden/train_cases.json: the case index, metric values after every step, scheduler
  sequences and the error types MXNet raises.

tests/test_loss.py, tests/test_metric.py and tests/test_lr_scheduler.py replay the same cases.
"""

import json
import os
import warnings

from _oracle import GOLDEN, real_mxnet

warnings.filterwarnings("ignore")
mx = real_mxnet()
import numpy as np  # noqa: E402

from mxnet import autograd, gluon, nd  # noqa: E402

RNG = np.random.RandomState(20260)
ARRAYS = {}


def uni(*shape, low=-2.0, high=2.0, dtype="float32"):
    return RNG.uniform(low, high, size=shape).astype(dtype)


def ints(*shape, high):
    return RNG.randint(0, high, size=shape).astype("float32")


def signs(*shape):
    return (RNG.randint(0, 2, size=shape) * 2 - 1).astype("float32")


def probs(*shape):
    e = np.exp(RNG.uniform(-2, 2, size=shape))
    return (e / e.sum(axis=-1, keepdims=True)).astype("float32")


def ctc_labels(batch, length, classes, pad=-1):
    """Labels in [0, classes - 1) padded at the end with ``pad``; lengths 1..length."""
    out = np.full((batch, length), pad, "float32")
    for b in range(batch):
        n = 1 + b % length
        out[b, :n] = RNG.randint(0, classes - 1, size=n)
    return out


# ------------------------------------------------------------------------------------------ losses
# (id, loss class, constructor kwargs, call inputs: arrays, None or a Python number)
LOSS_CASES = [
    ("l2", "L2Loss", {}, [uni(3, 4), uni(3, 4)]),
    ("l2_label_1d", "L2Loss", {}, [uni(3, 1), uni(3)]),
    ("l2_weight_axis1", "L2Loss", {"weight": 2.0, "batch_axis": 1}, [uni(3, 4), uni(3, 4)]),
    ("l2_sample_weight", "L2Loss", {}, [uni(3, 4), uni(3, 4), uni(3, 1, low=0, high=1)]),
    ("l2_f64", "L2Loss", {}, [uni(2, 3, dtype="float64"), uni(2, 3, dtype="float64")]),
    ("l1", "L1Loss", {}, [uni(4, 3), uni(4, 3)]),
    ("l1_weight_sw", "L1Loss", {"weight": 0.5}, [uni(2, 3, 2), uni(2, 3, 2), uni(2, 1, 2, low=0, high=1)]),
    ("bce_logits", "SigmoidBinaryCrossEntropyLoss", {}, [uni(4, 3, low=-4, high=4), ints(4, 3, high=2)]),
    (
        "bce_big_logits",
        "SigmoidBCELoss",
        {},
        [np.array([[-30.0, 30.0, 0.0, 50.0]], "float32"), np.array([[1, 0, 1, 1]], "float32")],
    ),
    ("bce_soft_labels", "SigmoidBCELoss", {"weight": 1.5}, [uni(3, 4), uni(3, 4, low=0, high=1)]),
    (
        "bce_pos_weight",
        "SigmoidBinaryCrossEntropyLoss",
        {},
        [uni(4, 3, low=-3, high=3), ints(4, 3, high=2), None, uni(3, low=0.5, high=3)],
    ),
    (
        "bce_from_sigmoid",
        "SigmoidBCELoss",
        {"from_sigmoid": True},
        [uni(4, 3, low=0.05, high=0.95), ints(4, 3, high=2)],
    ),
    (
        "bce_from_sigmoid_pos_weight",
        "SigmoidBCELoss",
        {"from_sigmoid": True},
        [
            uni(4, 3, low=0.05, high=0.95),
            ints(4, 3, high=2),
            uni(4, 1, low=0, high=1),
            uni(1, 3, low=0.5, high=3),
        ],
    ),
    ("sce", "SoftmaxCrossEntropyLoss", {}, [uni(4, 5), ints(4, high=5)]),
    ("sce_label_2d", "SoftmaxCELoss", {}, [uni(4, 5), ints(4, 1, high=5)]),
    ("sce_axis1", "SoftmaxCELoss", {"axis": 1}, [uni(2, 3, 4), ints(2, 4, high=3)]),
    ("sce_dense", "SoftmaxCELoss", {"sparse_label": False}, [uni(3, 4), probs(3, 4)]),
    ("sce_from_logits", "SoftmaxCELoss", {"from_logits": True}, [np.log(probs(3, 4)), ints(3, high=4)]),
    (
        "sce_weight_sw",
        "SoftmaxCELoss",
        {"weight": 0.25},
        [uni(3, 4), ints(3, high=4), uni(3, 1, low=0, high=2)],
    ),
    ("sce_batch_axis1", "SoftmaxCELoss", {"batch_axis": 1}, [uni(2, 3, 4), ints(2, 3, high=4)]),
    ("kl", "KLDivLoss", {}, [np.log(probs(3, 4)), probs(3, 4)]),
    ("kl_scores", "KLDivLoss", {"from_logits": False}, [uni(3, 4), probs(3, 4)]),
    (
        "kl_axis1",
        "KLDivLoss",
        {"from_logits": False, "axis": 1, "weight": 2.0},
        [uni(2, 3, 2), probs(2, 2, 3).transpose(0, 2, 1).copy()],
    ),
    ("kl_sw", "KLDivLoss", {}, [np.log(probs(3, 4)), probs(3, 4), uni(3, 1, low=0, high=1)]),
    ("ctc", "CTCLoss", {}, [uni(3, 6, 5), ctc_labels(3, 3, 5)]),
    ("ctc_tnc", "CTCLoss", {"layout": "TNC"}, [uni(6, 3, 5), ctc_labels(3, 3, 5)]),
    ("ctc_tn_labels", "CTCLoss", {"label_layout": "TN"}, [uni(3, 6, 5), ctc_labels(3, 4, 5).T.copy()]),
    (
        "ctc_lengths",
        "CTCLoss",
        {},
        [
            uni(3, 6, 5),
            ctc_labels(3, 3, 5, pad=0),
            np.array([6, 4, 5], "float32"),
            np.array([1, 2, 3], "float32"),
        ],
    ),
    ("ctc_pred_lengths", "CTCLoss", {}, [uni(3, 6, 5), ctc_labels(3, 3, 5), np.array([6, 3, 5], "float32")]),
    (
        "ctc_weight_sw",
        "CTCLoss",
        {"weight": 0.5},
        [uni(2, 5, 4), ctc_labels(2, 2, 4), None, None, uni(2, low=0, high=2)],
    ),
    ("huber", "HuberLoss", {}, [uni(3, 4, low=-3, high=3), uni(3, 4)]),
    ("huber_rho", "HuberLoss", {"rho": 0.5, "weight": 2.0}, [uni(3, 4), uni(3, 4), uni(3, 1, low=0, high=1)]),
    ("hinge", "HingeLoss", {}, [uni(4, 3), signs(4, 3)]),
    ("hinge_margin", "HingeLoss", {"margin": 2.0}, [uni(4, 3), signs(4, 3), uni(4, 1, low=0, high=1)]),
    ("sq_hinge", "SquaredHingeLoss", {}, [uni(4, 3), signs(4, 3)]),
    ("sq_hinge_margin", "SquaredHingeLoss", {"margin": 0.5, "weight": 3.0}, [uni(4, 3), signs(4, 3, 1)]),
    ("logistic_signed", "LogisticLoss", {}, [uni(4, 3, low=-5, high=5), signs(4, 3)]),
    (
        "logistic_binary",
        "LogisticLoss",
        {"label_format": "binary"},
        [uni(4, 3, low=-5, high=5), ints(4, 3, high=2)],
    ),
    ("triplet", "TripletLoss", {}, [uni(4, 3), uni(4, 3), uni(4, 3)]),
    (
        "triplet_margin",
        "TripletLoss",
        {"margin": 0.3, "weight": 2.0},
        [uni(2, 3, 2), uni(2, 3, 2), uni(2, 6)],
    ),
    ("poisson", "PoissonNLLLoss", {}, [uni(3, 4, low=-1, high=1), ints(3, 4, high=5)]),
    (
        "poisson_rates",
        "PoissonNLLLoss",
        {"from_logits": False},
        [uni(3, 4, low=0.1, high=3), ints(3, 4, high=5), None, 1e-4],
    ),
    (
        "poisson_full",
        "PoissonNLLLoss",
        {"compute_full": True, "weight": 0.5},
        [uni(3, 4, low=-1, high=1), ints(3, 4, high=5) + 1, uni(3, 1, low=0, high=1)],
    ),
    (
        "poisson_full_zero_target",
        "PoissonNLLLoss",
        {"compute_full": True},
        [uni(2, 3, low=-1, high=1), ints(2, 3, high=3)],
    ),
    ("cosine", "CosineEmbeddingLoss", {}, [uni(4, 3), uni(4, 3), signs(4)]),
    (
        "cosine_margin",
        "CosineEmbeddingLoss",
        {"margin": 0.2, "weight": 2.0},
        [uni(4, 3), uni(4, 3), signs(4, 1), uni(4, 1, low=0, high=1)],
    ),
    ("sdml", "SDMLLoss", {}, [uni(4, 3), uni(4, 3)]),
    (
        "sdml_smoothing",
        "SDMLLoss",
        {"smoothing_parameter": 0.1},
        [uni(5, 2, low=-1, high=1), uni(5, 2, low=-1, high=1)],
    ),
]

# MXNet 1.9.1 cannot record these (compute_full updates an array in place, which autograd refuses):
# forward values only; the tests check the gradient with respect to pred against the plain case.
FORWARD_ONLY = {"poisson_full", "poisson_full_zero_target"}

# CTCLoss as an operator: (id, inputs, kwargs). MXNet 1.9.1's CPU kernel is float32 only. Labels
# equal to the blank class are left out: MXNet and torch's kernel treat them differently.
CTC_OP_CASES = [
    ("first", [uni(5, 3, 4), np.array([[1, 2, 0], [3, 0, 0], [2, 2, 3]], "float32")], {}),
    (
        "last",
        [uni(5, 3, 4), np.array([[0, 1, -1], [2, -1, -1], [1, 1, 2]], "float32")],
        {"blank_label": "last"},
    ),
    (
        "lengths",
        [
            uni(6, 2, 3),
            np.array([[1, 2, 1], [2, 2, 0]], "float32"),
            np.array([6, 5], "float32"),
            np.array([3, 2], "float32"),
        ],
        {"use_data_lengths": True, "use_label_lengths": True},
    ),
    ("repeats", [uni(6, 2, 3), np.array([[1, 1, 1], [2, 2, 1]], "float32")], {}),
    (
        "label_lengths_last",
        [uni(5, 2, 4), np.array([[2, 1, 0], [0, 2, -1]], "float32"), np.array([2, 1], "float32")],
        {"blank_label": "last", "use_label_lengths": True},
    ),
]

# expressions whose error type MXNet records (evaluated with mx, nd, gluon in scope)
LOSS_ERRORS = [
    "gluon.loss.LogisticLoss(label_format='onehot')",
    "gluon.loss.CTCLoss(layout='NCT')",
    "gluon.loss.CTCLoss(label_layout='NTC')",
    "gluon.loss.L2Loss()(nd.ones((2, 3)), nd.ones((2, 4)))",
    "gluon.loss.L1Loss(weight='2')(nd.ones((2, 3)), nd.ones((2, 3)))",
    "gluon.loss.HuberLoss()(nd.ones((2, 3)), nd.ones((3, 3)))",
    "gluon.loss.CTCLoss()(nd.ones((2, 3, 4)), nd.ones((2, 5)))",
    "gluon.loss.CTCLoss()(nd.ones((2, 3)), nd.ones((2, 2)))",
    "nd.CTCLoss(nd.ones((3, 2, 4)), nd.ones((3, 2)))",
    "nd.CTCLoss(nd.ones((3, 2, 4)), nd.ones((2, 2)), nd.ones((2,)))",
]


def _key(case_id, name):
    key = f"{case_id}/{name}"
    assert key not in ARRAYS, key
    return key


def _store(case_id, name, x):
    key = _key(case_id, name)
    ARRAYS[key] = np.asarray(x)
    return key


def run_loss_case(case_id, cls, kwargs, inputs):
    loss = getattr(gluon.loss, cls)(**kwargs)
    spec, args, grads = [], [], []
    for k, x in enumerate(inputs):
        if x is None:
            spec.append(None)
            args.append(None)
        elif isinstance(x, float):
            spec.append({"scalar": x})
            args.append(x)
        else:
            spec.append({"array": _store(case_id, f"in{k}", x)})
            a = nd.array(x, dtype=x.dtype)
            # labels, lengths and weights are inputs too; MXNet differentiates every float input
            a.attach_grad()
            args.append(a)
    if case_id in FORWARD_ONLY:
        out = loss(*args)
    else:
        with autograd.record():
            out = loss(*args)
        head = RNG.uniform(-1, 1, size=out.shape).astype(out.dtype)
        out.backward(nd.array(head, dtype=head.dtype))
        _store(case_id, "head", head)
        for k, a in enumerate(args):
            if isinstance(a, nd.NDArray):
                grads.append(k)
                _store(case_id, f"grad{k}", a.grad.asnumpy())
    _store(case_id, "out", out.asnumpy())
    return {
        "id": case_id,
        "loss": cls,
        "kwargs": kwargs,
        "inputs": spec,
        "grads": grads,
        "repr": repr(loss),
    }


def run_ctc_op_case(case_id, inputs, kwargs):
    case_id = f"ctc_op_{case_id}"
    arrays = [nd.array(x, dtype=x.dtype) for x in inputs]
    for k, x in enumerate(inputs):
        _store(case_id, f"in{k}", x)
    arrays[0].attach_grad()
    with autograd.record():
        out = nd.CTCLoss(*arrays, **kwargs)
    head = RNG.uniform(0, 1, size=out.shape).astype(out.dtype)
    out.backward(nd.array(head, dtype=head.dtype))
    _store(case_id, "out", out.asnumpy())
    _store(case_id, "head", head)
    _store(case_id, "grad0", arrays[0].grad.asnumpy())
    return {"id": case_id, "n_in": len(inputs), "kwargs": kwargs}


def error_of(expr, env):
    try:
        eval(expr, env)
    except Exception as err:  # noqa: BLE001  (recording which type MXNet raises)
        return {
            "expr": expr,
            "error": type(err).__name__,
            "message": (str(err).splitlines() or [""])[-1][:300],
        }
    raise SystemExit(f"expected an error from {expr}")


# ----------------------------------------------------------------------------------------- metrics
def max_abs(label, pred):
    return np.abs(label - pred).max()


def sum_and_count(label, pred):
    return float(np.abs(label.ravel() - pred.ravel()).sum()), label.size


FEVALS = {"max_abs": max_abs, "sum_and_count": sum_and_count}


def cls_batch(n, classes):
    return [ints(n, high=classes)], [uni(n, classes)]


def binary_batch(n):
    return [ints(n, high=2)], [uni(n, 2)]


def reg_batch(*shape):
    return [uni(*shape)], [uni(*shape)]


def prob_batch(n, classes):
    return [ints(n, high=classes)], [probs(n, classes)]


def up(labels_preds):
    labels, preds = labels_preds
    return ["update", labels, preds]


def up1(labels_preds):
    """An update with single arrays rather than lists."""
    labels, preds = labels_preds
    return ["update_single", labels[0], preds[0]]


RL, RS = ["reset_local"], ["reset"]
two_batches = ([ints(4, high=3), ints(5, high=3)], [uni(4, 3), uni(5, 3)])

# (id, how to create: ["create", args, kwargs] or ["class", name, kwargs] or ["np", feval name], steps)
METRIC_CASES = [
    ("acc", ["class", "Accuracy", {}], [up(cls_batch(6, 3)), up(cls_batch(5, 3)), RL, up(two_batches), RS]),
    ("acc_ids", ["create", ["acc"], {}], [up(([ints(5, high=3)], [ints(5, high=3)])), up1(cls_batch(4, 3))]),
    ("acc_axis0", ["class", "Accuracy", {"axis": 0}], [up(([ints(5, high=3)], [uni(3, 5)]))]),
    (
        "topk2",
        ["class", "TopKAccuracy", {"top_k": 2}],
        [up(cls_batch(6, 5)), up(cls_batch(6, 5)), RL, up(cls_batch(3, 5))],
    ),
    ("topk3", ["create", ["top_k_accuracy"], {"top_k": 3}], [up(cls_batch(8, 4)), up(cls_batch(4, 3))]),
    ("f1_macro", ["class", "F1", {}], [up(binary_batch(6)), up(binary_batch(7)), RL, up(binary_batch(5))]),
    (
        "f1_micro",
        ["class", "F1", {"average": "micro"}],
        [up(binary_batch(6)), up(binary_batch(7)), RL, up(binary_batch(5))],
    ),
    (
        "f1_two_arrays",
        ["create", ["f1"], {}],
        [up(([ints(4, high=2), ints(3, high=2)], [uni(4, 2), uni(3, 2)]))],
    ),
    ("mcc_macro", ["class", "MCC", {}], [up(binary_batch(8)), up(binary_batch(6)), RL, up(binary_batch(5))]),
    (
        "mcc_micro",
        ["class", "MCC", {"average": "micro"}],
        [up(binary_batch(8)), up(binary_batch(6)), RL, up(binary_batch(5))],
    ),
    ("mcc_one_class", ["class", "MCC", {}], [up(([np.ones(4, "float32")], [uni(4, 2)]))]),
    (
        "perplexity",
        ["class", "Perplexity", {"ignore_label": None}],
        [up(prob_batch(5, 4)), up(prob_batch(3, 4)), RL, up(prob_batch(4, 4))],
    ),
    (
        "perplexity_ignore",
        ["create", ["perplexity"], {"ignore_label": 0}],
        [up(prob_batch(6, 4)), up(prob_batch(6, 4))],
    ),
    (
        "perplexity_3d",
        ["class", "Perplexity", {"ignore_label": None}],
        [up(([ints(2, 3, high=4)], [probs(6, 4)]))],
    ),
    ("mae", ["class", "MAE", {}], [up(reg_batch(4)), up(reg_batch(3, 2)), RL, up(reg_batch(5))]),
    ("mse", ["class", "MSE", {}], [up(reg_batch(4)), up(([uni(4)], [uni(4, 1)])), RL, up(reg_batch(5, 2))]),
    ("rmse", ["create", ["rmse"], {}], [up(reg_batch(4)), up(reg_batch(3, 2)), RL, up(reg_batch(5))]),
    ("ce", ["create", ["ce"], {}], [up(prob_batch(5, 3)), up(prob_batch(4, 3)), RL, up(prob_batch(2, 3))]),
    ("ce_eps", ["class", "CrossEntropy", {"eps": 0.1}], [up(prob_batch(5, 3))]),
    ("nll", ["create", ["nll_loss"], {}], [up(prob_batch(5, 3)), up(prob_batch(4, 3))]),
    (
        "pearson_macro",
        ["class", "PearsonCorrelation", {}],
        [up(reg_batch(6)), up(reg_batch(5)), RL, up(reg_batch(4))],
    ),
    (
        "pearson_micro",
        ["class", "PearsonCorrelation", {"average": "micro"}],
        [up(reg_batch(6)), up(reg_batch(5)), RL, up(reg_batch(4)), RS, up(reg_batch(4))],
    ),
    (
        "pcc",
        ["class", "PCC", {}],
        [up(binary_batch(8)), up(([ints(6, high=4)], [ints(6, high=4)])), RL, up(cls_batch(7, 5))],
    ),
    (
        "loss",
        ["class", "Loss", {}],
        [
            ["update", [], [uni(3)]],
            ["update", None, [uni(2, 2), uni(4)]],
            RL,
            ["update_single", None, uni(3)],
        ],
    ),
    ("torch", ["create", ["torch"], {}], [["update", [], [uni(3)]]]),
    ("caffe", ["class", "Caffe", {}], [["update", [], [uni(3)]]]),
    (
        "custom",
        ["class", "CustomMetric", {"feval": "max_abs"}],
        [up(reg_batch(4)), up(reg_batch(3)), RL, up(reg_batch(2))],
    ),
    ("custom_tuple", ["create", ["sum_and_count"], {"name": "sac"}], [up(reg_batch(4)), up(reg_batch(3, 2))]),
    ("np", ["np", "max_abs"], [up(reg_batch(5))]),
    ("composite", ["create", [["acc", "ce"]], {}], [up(prob_batch(5, 3)), RL, up(prob_batch(4, 3))]),
    ("composite_json", ["create", ['["f1", {"average": "micro"}]'], {}], [up(binary_batch(6))]),
    (
        "composite_class",
        ["class", "CompositeEvalMetric", {"metrics": ["mae", "rmse"]}],
        [up(reg_batch(4)), RL],
    ),
]

METRIC_ERRORS = [
    "mx.metric.create('nosuchmetric')",
    "mx.metric.TopKAccuracy(top_k=1)",
    "mx.metric.Accuracy().update([nd.ones(3)], [nd.ones((3, 2)), nd.ones((3, 2))])",
    "mx.metric.Accuracy().update([nd.ones(3)], [nd.ones((4, 2))])",
    "mx.metric.F1().update([nd.array([0, 1, 2])], [nd.ones((3, 2))])",
    "mx.metric.PearsonCorrelation().update([nd.ones(3)], [nd.ones(4)])",
    "mx.metric.CustomMetric(max_abs).get_config()",
    "mx.metric.create(mx.metric.Accuracy(), axis=0)",
]


def make_metric(how):
    kind = how[0]
    if kind == "np":
        return mx.metric.np(FEVALS[how[1]])
    if kind == "class":
        kwargs = dict(how[2])
        if "feval" in kwargs:
            kwargs["feval"] = FEVALS[kwargs["feval"]]
        return getattr(mx.metric, how[1])(**kwargs)
    args = [FEVALS.get(a, a) if isinstance(a, str) else a for a in how[1]]
    return mx.metric.create(*args, **how[2])


def _jsonable(v):
    if isinstance(v, list):
        return [_jsonable(x) for x in v]
    if isinstance(v, tuple):
        return [_jsonable(x) for x in v]
    if isinstance(v, (np.floating, np.integer)):
        return v.item()
    return v


def run_metric_case(case_id, how, steps):
    metric = make_metric(how)
    snapshots, spec = [], []
    for s, step in enumerate(steps):
        if step[0] in ("update", "update_single"):
            single = step[0] == "update_single"
            labels = step[1] if (single or step[1] is None) else list(step[1])
            preds = step[2]
            if single:
                lkey = None if labels is None else _store(case_id, f"s{s}/label", labels)
                pkey = _store(case_id, f"s{s}/pred", preds)
                metric.update(None if labels is None else nd.array(labels), nd.array(preds))
            else:
                lkey = (
                    None
                    if labels is None
                    else [_store(case_id, f"s{s}/label{i}", x) for i, x in enumerate(labels)]
                )
                pkey = [_store(case_id, f"s{s}/pred{i}", x) for i, x in enumerate(preds)]
                metric.update(
                    None if labels is None else [nd.array(x) for x in labels], [nd.array(x) for x in preds]
                )
            spec.append([step[0], lkey, pkey])
        else:
            getattr(metric, step[0])()
            spec.append([step[0]])
        snapshots.append(
            {
                "get": _jsonable(metric.get()),
                "get_global": _jsonable(metric.get_global()),
                "name_value": _jsonable(metric.get_name_value()),
                "global_name_value": _jsonable(metric.get_global_name_value()),
                "num_inst": _jsonable(getattr(metric, "num_inst", None)),
                "global_num_inst": _jsonable(getattr(metric, "global_num_inst", None)),
            }
        )
    return {"id": case_id, "how": how, "steps": spec, "snapshots": snapshots, "str": str(metric)}


def metric_extras():
    """get_config, update_dict and names of a few metrics."""
    out = {}
    acc = mx.metric.Accuracy(axis=1, output_names=["softmax_output"], label_names=["softmax_label"])
    out["acc_config"] = acc.get_config()
    out["topk_config"] = mx.metric.TopKAccuracy(top_k=3).get_config()
    out["composite_config"] = mx.metric.create(["acc", "mse"]).get_config()
    d_label = {"softmax_label": nd.array([0, 1, 1]), "other_label": nd.array([1, 1, 1])}
    d_pred = {
        "other": nd.array([[0.9, 0.1]] * 3),
        "softmax_output": nd.array([[0.9, 0.1], [0.2, 0.8], [0.6, 0.4]]),
    }
    acc.update_dict(d_label, d_pred)
    out["acc_update_dict"] = _jsonable(acc.get())
    comp = mx.metric.CompositeEvalMetric(
        ["acc"], output_names=["softmax_output"], label_names=["softmax_label"]
    )
    comp.update_dict(d_label, d_pred)
    out["composite_update_dict"] = _jsonable(comp.get())
    out["names"] = {
        k: mx.metric.create(k).name
        for k in [
            "acc",
            "accuracy",
            "f1",
            "mcc",
            "mae",
            "mse",
            "rmse",
            "ce",
            "crossentropy",
            "nll_loss",
            "negativeloglikelihood",
            "pearsonr",
            "pearsoncorrelation",
            "pcc",
            "loss",
            "torch",
            "caffe",
            "composite",
            "compositeevalmetric",
        ]
    }
    out["custom_names"] = [
        mx.metric.CustomMetric(max_abs).name,
        mx.metric.CustomMetric(lambda a, b: 0.0).name,
        mx.metric.np(sum_and_count).name,
        mx.metric.np(lambda a, b: 0.0, name="zero").name,
    ]
    return out


# -------------------------------------------------------------------------------------- schedulers
# (id, class, kwargs, steps: update numbers, or ["set", attribute, value])
SCHEDULER_CASES = [
    (
        "factor",
        "FactorScheduler",
        {"step": 3, "factor": 0.5, "base_lr": 1.0},
        list(range(0, 14)) + [5, 2, 20],
    ),
    (
        "factor_stop",
        "FactorScheduler",
        {"step": 2, "factor": 0.3, "stop_factor_lr": 0.05, "base_lr": 1.0},
        list(range(0, 12)),
    ),
    ("factor_jump", "FactorScheduler", {"step": 2, "factor": 0.5}, [1, 9, 4, 30]),
    (
        "factor_warmup",
        "FactorScheduler",
        {"step": 4, "factor": 0.5, "base_lr": 0.8, "warmup_steps": 5, "warmup_begin_lr": 0.1},
        list(range(0, 16)),
    ),
    (
        "factor_warmup_constant",
        "FactorScheduler",
        {
            "step": 4,
            "factor": 0.5,
            "base_lr": 0.8,
            "warmup_steps": 3,
            "warmup_begin_lr": 0.2,
            "warmup_mode": "constant",
        },
        list(range(0, 10)),
    ),
    (
        "factor_set_base_lr",
        "FactorScheduler",
        {"step": 2, "factor": 0.5},
        [["set", "base_lr", 0.4], 1, 2, 3, 5, ["set", "base_lr", 1.0], 6, 7],
    ),
    (
        "multifactor",
        "MultiFactorScheduler",
        {"step": [3, 6, 9], "factor": 0.5, "base_lr": 1.0},
        list(range(0, 13)) + [4, 1],
    ),
    (
        "multifactor_jump",
        "MultiFactorScheduler",
        {"step": [2, 5, 7], "factor": 0.1, "base_lr": 1.0},
        [1, 8, 3, 20],
    ),
    (
        "multifactor_warmup",
        "MultiFactorScheduler",
        {"step": [6, 8], "factor": 0.5, "base_lr": 0.5, "warmup_steps": 4, "warmup_begin_lr": 0.05},
        list(range(0, 11)),
    ),
    ("poly", "PolyScheduler", {"max_update": 10, "base_lr": 0.5, "pwr": 2}, list(range(0, 13)) + [3]),
    (
        "poly_warmup",
        "PolyScheduler",
        {
            "max_update": 12,
            "base_lr": 0.5,
            "pwr": 1.5,
            "final_lr": 0.01,
            "warmup_steps": 3,
            "warmup_begin_lr": 0.1,
        },
        list(range(0, 15)) + [5],
    ),
    (
        "poly_set_base_lr",
        "PolyScheduler",
        {"max_update": 5, "base_lr": 0.5},
        [["set", "base_lr", 2.0], 1, 3, 6, 7],
    ),
    (
        "cosine",
        "CosineScheduler",
        {"max_update": 10, "base_lr": 1.0, "final_lr": 0.1},
        list(range(0, 13)) + [4],
    ),
    (
        "cosine_warmup",
        "CosineScheduler",
        {
            "max_update": 9,
            "base_lr": 0.6,
            "warmup_steps": 3,
            "warmup_begin_lr": 0.2,
            "warmup_mode": "constant",
        },
        list(range(0, 12)),
    ),
]

SCHEDULER_ERRORS = [
    "mx.lr_scheduler.FactorScheduler(step=0)",
    "mx.lr_scheduler.FactorScheduler(step=2, factor=1.5)",
    "mx.lr_scheduler.FactorScheduler(step=2, base_lr=0.1, warmup_begin_lr=0.2)",
    "mx.lr_scheduler.FactorScheduler(step=2, warmup_steps=-1)",
    "mx.lr_scheduler.FactorScheduler(step=2, warmup_steps=2.0)",
    "mx.lr_scheduler.FactorScheduler(step=2, warmup_mode='cosine')",
    "mx.lr_scheduler.MultiFactorScheduler(step=[3, 2])",
    "mx.lr_scheduler.MultiFactorScheduler(step=[0, 2])",
    "mx.lr_scheduler.MultiFactorScheduler(step=(1, 2))",
    "mx.lr_scheduler.MultiFactorScheduler(step=[1, 2], factor=2)",
    "mx.lr_scheduler.PolyScheduler(max_update=0)",
    "mx.lr_scheduler.PolyScheduler(max_update=5.0)",
    "mx.lr_scheduler.CosineScheduler(max_update=-3)",
    "mx.lr_scheduler.LRScheduler()(3)",
]


def run_scheduler_case(case_id, cls, kwargs, steps):
    sched = getattr(mx.lr_scheduler, cls)(**kwargs)
    values = []
    for step in steps:
        if isinstance(step, list):
            setattr(sched, step[1], step[2])
            values.append(None)
        else:
            values.append(sched(step))
    state = {k: v for k, v in vars(sched).items() if isinstance(v, (int, float, list, str))}
    return {"id": case_id, "class": cls, "kwargs": kwargs, "steps": steps, "values": values, "state": state}


# ------------------------------------------------------------------------------- a training loop
def training_loop():
    """Softmax regression trained by hand (no Trainer): loss, metrics and a scheduler together.

    Each step records a SoftmaxCELoss, updates Accuracy / CrossEntropy / Loss metrics, asks a
    warm-up FactorScheduler for the rate and applies plain SGD; per-epoch metric values and the
    final weights are recorded.
    """
    rng = np.random.RandomState(7)
    x = rng.randn(30, 4).astype("float32")
    y = rng.randint(0, 3, size=30).astype("float32")
    w0 = (0.1 * rng.randn(4, 3)).astype("float32")
    _store("loop", "x", x)
    _store("loop", "y", y)
    _store("loop", "w0", w0)
    w, b = nd.array(w0), nd.zeros((3,))
    w.attach_grad()
    b.attach_grad()
    loss = gluon.loss.SoftmaxCrossEntropyLoss()
    sched = mx.lr_scheduler.FactorScheduler(
        step=4, factor=0.7, base_lr=0.5, warmup_steps=3, warmup_begin_lr=0.1
    )
    metric, loss_metric = mx.metric.create(["acc", "ce"]), mx.metric.Loss()
    epochs, rates, step = [], [], 0
    for _ in range(3):
        for start in range(0, 30, 6):
            xb, yb = nd.array(x[start : start + 6]), nd.array(y[start : start + 6])
            with autograd.record():
                out = nd.dot(xb, w) + b
                l = loss(out, yb)
            l.backward()
            step += 1
            lr = sched(step)
            rates.append(lr)
            w -= lr / 6 * w.grad
            b -= lr / 6 * b.grad
            metric.update([yb], [nd.softmax(out)])
            loss_metric.update(None, [l])
        epochs.append(_jsonable([metric.get(), loss_metric.get()]))
        metric.reset_local()
        loss_metric.reset_local()
    _store("loop", "w", w.asnumpy())
    _store("loop", "b", b.asnumpy())
    final = [metric.get_global(), loss_metric.get_global()]
    return {"epochs": epochs, "global": _jsonable(final), "rates": rates}


def main():
    env = {"mx": mx, "nd": nd, "gluon": gluon, "max_abs": max_abs}
    losses = [run_loss_case(*c) for c in LOSS_CASES]
    ctc_ops = [run_ctc_op_case(*c) for c in CTC_OP_CASES]
    metrics = [run_metric_case(*c) for c in METRIC_CASES]
    schedulers = [run_scheduler_case(*c) for c in SCHEDULER_CASES]
    doc = {
        "losses": losses,
        "ctc_ops": ctc_ops,
        "loss_errors": [error_of(e, env) for e in LOSS_ERRORS],
        "metrics": metrics,
        "metric_extras": metric_extras(),
        "metric_errors": [error_of(e, env) for e in METRIC_ERRORS],
        "schedulers": schedulers,
        "scheduler_errors": [error_of(e, env) for e in SCHEDULER_ERRORS],
        "loop": training_loop(),
    }
    np.savez_compressed(os.path.join(GOLDEN, "train_cases.npz"), **ARRAYS)
    with open(os.path.join(GOLDEN, "train_cases.json"), "w") as f:
        json.dump(doc, f, indent=1, sort_keys=True)
    print(
        f"wrote {len(losses)} loss, {len(ctc_ops)} CTC operator, {len(metrics)} metric and "
        f"{len(schedulers)} scheduler cases to {GOLDEN}/train_cases.*"
    )


if __name__ == "__main__":
    main()
