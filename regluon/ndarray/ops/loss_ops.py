"""Loss operators: CTCLoss (connectionist temporal classification) on torch's ctc_loss kernel."""

from __future__ import annotations

import numpy as np
import torch
import torch.nn.functional as tF

from ...base import MXNetError, shape_str
from ..params import Bool, Enum, Param
from ..register import OpDef, Sample, register
from ._common import rand


def _ctc_check(data, label, data_lengths, label_lengths, use_data_lengths, use_label_lengths):
    if data.dim() != 3:
        raise MXNetError(
            f"CTCLoss: data must be 3-D (sequence length, batch, alphabet size), got {shape_str(data.shape)}"
        )
    if label.dim() != 2:
        raise MXNetError(f"CTCLoss: label must be 2-D (batch, label length), got {shape_str(label.shape)}")
    steps, batch = data.shape[0], data.shape[1]
    if label.shape[0] != batch:
        raise MXNetError(
            f"CTCLoss: the batch size of label {shape_str(label.shape)} and data "
            f"{shape_str(data.shape)} must be the same"
        )
    if label.shape[1] > steps:
        raise MXNetError(
            f"CTCLoss: the max number of labels ({label.shape[1]}) cannot exceed the maximum sequence "
            f"length of the data ({steps}); label {shape_str(label.shape)}, data {shape_str(data.shape)}"
        )
    for name, flag, arr in (
        ("data_lengths", use_data_lengths, data_lengths),
        ("label_lengths", use_label_lengths, label_lengths),
    ):
        if flag and arr is None:
            raise MXNetError(f"CTCLoss: use_{name}=True needs the {name} input")
        if not flag and arr is not None:
            raise MXNetError(f"CTCLoss: {name} is given but use_{name}=False; set use_{name}=True")
        if arr is not None and tuple(arr.shape) != (batch,):
            raise MXNetError(
                f"CTCLoss: {name} must have shape ({batch},) for data {shape_str(data.shape)}, "
                f"got {shape_str(arr.shape)}"
            )


def _ctc_check_classes(targets, target_lengths, alphabet, label):
    """Labels must be classes of the alphabet (torch's kernel would read out of bounds otherwise)."""
    used = torch.arange(targets.shape[1], device=targets.device) < target_lengths[:, None]
    bad = used & ((targets < 0) | (targets >= alphabet))
    if bool(bad.any()):  # one host sync per call, the price of a clear error
        value = int(targets[bad][0])
        raise MXNetError(
            f"CTCLoss: label value {value} is not a class of the alphabet of size {alphabet} "
            f"(label {shape_str(label.shape)}); pad labels at the end with the padding value"
        )


def _ctc_loss(data, label, data_lengths, label_lengths, use_data_lengths, use_label_lengths, blank_label):
    if label_lengths is None and use_label_lengths and not use_data_lengths:
        # MXNet numbers the inputs after the flags: without data lengths the third is label_lengths
        data_lengths, label_lengths = None, data_lengths
    _ctc_check(data, label, data_lengths, label_lengths, use_data_lengths, use_label_lengths)
    steps, batch, alphabet = data.shape
    # 'first': blank is class 0 and labels are padded with 0; 'last': blank is the last class, padding -1
    blank, pad = (0, 0) if blank_label == "first" else (alphabet - 1, -1)
    targets = label.to(torch.long)
    if use_label_lengths:
        target_lengths = label_lengths.to(torch.long)
    else:  # a label ends at its first padding value
        target_lengths = (targets != pad).to(torch.long).cumprod(dim=1).sum(dim=1)
    _ctc_check_classes(targets, target_lengths, alphabet, label)
    if use_data_lengths:
        input_lengths = data_lengths.to(torch.long)
    else:
        input_lengths = torch.full((batch,), steps, dtype=torch.long, device=data.device)
    x = data if data.dtype in (torch.float32, torch.float64) else data.float()
    loss = tF.ctc_loss(
        torch.log_softmax(x, dim=2),
        targets.clamp(min=0),
        input_lengths,
        target_lengths,
        blank=blank,
        reduction="none",
        zero_infinity=True,  # an impossible alignment costs 0, as in MXNet
    )
    return loss.to(data.dtype)


def _ctc_nll_ref(logits, labels, blank):
    """Negative log-likelihood of one label sequence by the CTC forward recursion (NumPy)."""
    z = logits - logits.max(axis=1, keepdims=True)
    logp = z - np.log(np.exp(z).sum(axis=1, keepdims=True))
    ext = [blank]
    for lab in labels:
        ext += [int(lab), blank]
    ext = np.array(ext)
    skip = np.zeros(len(ext), bool)
    skip[2:] = (ext[2:] != blank) & (ext[2:] != ext[:-2])
    alpha = np.full(len(ext), -np.inf)
    alpha[:2] = logp[0, ext[:2]]
    for t in range(1, len(logp)):
        prev1 = np.concatenate(([-np.inf], alpha[:-1]))
        prev2 = np.where(skip, np.concatenate(([-np.inf, -np.inf], alpha[:-2])), -np.inf)
        alpha = np.logaddexp(np.logaddexp(alpha, prev1), prev2) + logp[t, ext]
    nll = -np.logaddexp(alpha[-1], alpha[-2] if len(ext) > 1 else -np.inf)
    return 0.0 if np.isinf(nll) else nll


def _ctc_ref(
    data,
    label,
    data_lengths=None,
    label_lengths=None,
    use_data_lengths=False,
    use_label_lengths=False,
    blank_label="first",
):
    if label_lengths is None and use_label_lengths and not use_data_lengths:
        data_lengths, label_lengths = None, data_lengths
    steps, batch, alphabet = data.shape
    blank, pad = (0, 0) if blank_label == "first" else (alphabet - 1, -1)
    out = []
    for b in range(batch):
        row = label[b].astype(int)
        if use_label_lengths:
            n = int(label_lengths[b])
        else:
            n = int(np.argmax(row == pad)) if (row == pad).any() else len(row)
        t = int(data_lengths[b]) if use_data_lengths else steps
        out.append(_ctc_nll_ref(data[:t, b], row[:n], blank))
    return np.array(out, dtype=data.dtype)


def _ctc_samples():
    first = np.array([[1, 2, 0], [3, 0, 0], [2, 2, 3]], "float32")
    last = np.array([[0, 1, -1], [2, -1, -1], [1, 1, 2]], "float32")
    lens = np.array([5, 3, 4], "float32")
    return [
        Sample((rand(5, 3, 4), first)),
        Sample((rand(5, 3, 4, seed=1), last), {"blank_label": "last"}),
        Sample((rand(5, 3, 4, seed=2), last, lens), {"blank_label": "last", "use_data_lengths": True}),
        Sample(
            (rand(5, 3, 4, seed=3), first, lens, np.array([2, 1, 2], "float32")),
            {"use_data_lengths": True, "use_label_lengths": True},
        ),
    ]


_CTC_DOC = """Connectionist temporal classification loss, one value per sequence.

``data`` holds unnormalised scores of shape (sequence length, batch, alphabet size) (a softmax is
applied inside); ``label`` has shape (batch, label length). With ``blank_label='first'`` class 0
is the blank and labels are padded with 0; with ``'last'`` the last class is the blank and labels
are padded with -1. ``data_lengths`` / ``label_lengths`` (with ``use_data_lengths`` /
``use_label_lengths``) give each sequence's true lengths. An impossible alignment costs 0.

Example:
    >>> x = mx.nd.zeros((2, 1, 2))          # two steps, classes {blank, 1}, uniform scores
    >>> mx.nd.CTCLoss(x, mx.nd.array([[1]]))  # paths 1-1, 1-blank, blank-1: -log(3/4)
    <BLANKLINE>
    [0.2876821]
    <NDArray 1 @cpu(0)>
"""

register(
    OpDef(
        "CTCLoss",
        impl=_ctc_loss,
        inputs=("data", "label", "data_lengths", "label_lengths"),
        optional_inputs=("data_lengths", "label_lengths"),
        no_grad_inputs=("label", "data_lengths", "label_lengths"),
        aliases=("ctc_loss", "_contrib_CTCLoss", "_contrib_ctc_loss", "contrib.CTCLoss", "contrib.ctc_loss"),
        params=(
            Param("use_data_lengths", Bool(), False, "Read each sequence's length from data_lengths."),
            Param("use_label_lengths", Bool(), False, "Read each label's length from label_lengths."),
            Param(
                "blank_label", Enum("first", "last"), "first", "Whether the blank is the first or last class."
            ),
        ),
        ref=_ctc_ref,
        samples=_ctc_samples,
        errors=lambda: [
            ((rand(5, 3), np.zeros((3, 2), "float32")), {}, r"CTCLoss: data must be 3-D"),
            ((rand(2, 3, 4), np.zeros((3, 3), "float32")), {}, r"max number of labels \(3\) cannot exceed"),
            ((rand(5, 3, 4), np.zeros((2, 2), "float32")), {}, r"batch size of label \(2, 2\)"),
            (
                (rand(5, 3, 4), np.zeros((3, 2), "float32"), np.ones(3, "float32")),
                {},
                r"use_data_lengths=False",
            ),
        ],
        no_golden="checked against MXNet in tests/test_loss.py (tests/golden/train_cases.npz)",
        doc=_CTC_DOC,
    )
)
