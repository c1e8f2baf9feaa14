"""Classification metrics of ``mx.metric``: Accuracy, TopKAccuracy, F1, MCC, PCC."""

from __future__ import annotations

import math

import numpy

from . import ndarray as nd
from .metric import EvalMetric, _host, alias, check_label_shapes, register
from .ndarray import NDArray


@register
@alias("acc")
class Accuracy(EvalMetric):
    """Fraction of samples whose predicted class equals the label (averaged per sample).

    Predictions whose shape differs from the label's are class scores: their argmax along
    ``axis`` is the predicted class. Labels and classes are compared as int32.

    Example:
        >>> acc = mx.metric.Accuracy()
        >>> acc.update([mx.nd.array([0, 1, 1])], [mx.nd.array([[0.3, 0.7], [0, 1.0], [0.4, 0.6]])])
        >>> acc.get()
        ('accuracy', 0.6666666666666666)
    """

    def __init__(self, axis: int = 1, name: str = "accuracy", output_names=None, label_names=None):
        super().__init__(
            name, axis=axis, output_names=output_names, label_names=label_names, has_global_stats=True
        )
        self.axis = axis

    def update(self, labels, preds) -> None:
        labels, preds = check_label_shapes(labels, preds, True)
        for label, pred in zip(labels, preds):
            if pred.shape != label.shape:  # class scores: argmax where they live (e.g. on the GPU)
                pred = (
                    nd.argmax(pred, axis=self.axis) if isinstance(pred, NDArray) else pred.argmax(self.axis)
                )
            pred, label = _host(pred), _host(label)
            pred = pred.astype("int32").ravel()
            label = label.astype("int32").ravel()
            check_label_shapes(label, pred)
            self._add(int((pred == label).sum()), len(pred))


@register
@alias("top_k_accuracy", "top_k_acc")
class TopKAccuracy(EvalMetric):
    """Fraction of samples whose label is among the ``top_k`` highest-scoring classes.

    Predictions are (batch, classes) scores; the name becomes ``top_k_accuracy_<k>``.

    Example:
        >>> m = mx.metric.TopKAccuracy(top_k=2)
        >>> m.update([mx.nd.array([2, 0])], [mx.nd.array([[0.1, 0.5, 0.4], [0.2, 0.3, 0.5]])])
        >>> m.get()
        ('top_k_accuracy_2', 0.5)
    """

    def __init__(self, top_k: int = 1, name: str = "top_k_accuracy", output_names=None, label_names=None):
        super().__init__(
            name, top_k=top_k, output_names=output_names, label_names=label_names, has_global_stats=True
        )
        self.top_k = top_k
        if self.top_k <= 1:
            raise AssertionError("Please use Accuracy if top_k is no more than 1")
        self.name += f"_{self.top_k}"

    def update(self, labels, preds) -> None:
        labels, preds = check_label_shapes(labels, preds, True)
        for label, pred in zip(labels, preds):
            scores = _host(pred).astype("float32")
            if scores.ndim > 2:
                raise AssertionError(f"Predictions should be no more than 2 dims, got shape {scores.shape}")
            order = numpy.argpartition(scores, -self.top_k)
            label = _host(label).astype("int32")
            check_label_shapes(label, order)
            samples = order.shape[0]
            if order.ndim == 1:  # MXNet counts this case locally only
                self.sum_metric += int((order.ravel() == label.ravel()).sum())
            else:
                classes = order.shape[1]
                for j in range(min(classes, self.top_k)):
                    hits = int((order[:, classes - 1 - j].ravel() == label.ravel()).sum())
                    self.sum_metric += hits
                    self.global_sum_metric += hits
            self.num_inst += samples
            self.global_num_inst += samples


class _Confusion:
    """True/false positive/negative counts of a binary classifier, local and global."""

    FIELDS = ("tp", "fp", "fn", "tn")

    def __init__(self):
        self.local = dict.fromkeys(self.FIELDS, 0)
        self.glob = dict.fromkeys(self.FIELDS, 0)

    def update(self, owner: str, label, pred) -> None:
        scores = _host(pred)
        label = _host(label).astype("int32")
        predicted = numpy.argmax(scores, axis=1)
        check_label_shapes(label, scores)
        if len(numpy.unique(label)) > 2:
            raise ValueError(f"{owner} currently only supports binary classification.")
        pred_true = predicted == 1
        pred_false = 1 - pred_true
        label_true = label == 1
        label_false = 1 - label_true
        counts = {
            "tp": (pred_true * label_true).sum(),
            "fp": (pred_true * label_false).sum(),
            "fn": (pred_false * label_true).sum(),
            "tn": (pred_false * label_false).sum(),
        }
        for key, value in counts.items():
            self.local[key] += int(value)
            self.glob[key] += int(value)

    def reset_local(self) -> None:
        self.local = dict.fromkeys(self.FIELDS, 0)

    def reset(self) -> None:
        self.reset_local()
        self.glob = dict.fromkeys(self.FIELDS, 0)

    @staticmethod
    def total(c: dict) -> int:
        return c["tp"] + c["fp"] + c["fn"] + c["tn"]

    @staticmethod
    def fscore(c: dict) -> float:
        precision = c["tp"] / (c["tp"] + c["fp"]) if c["tp"] + c["fp"] > 0 else 0.0
        recall = c["tp"] / (c["tp"] + c["fn"]) if c["tp"] + c["fn"] > 0 else 0.0
        if precision + recall > 0:
            return 2 * precision * recall / (precision + recall)
        return 0.0

    @classmethod
    def matthews(cls, c: dict) -> float:
        if not cls.total(c):
            return 0.0
        tp, fp, fn, tn = (float(c[k]) for k in cls.FIELDS)
        denom = 1.0
        for term in (tp + fp, tp + fn, tn + fp, tn + fn):
            if term != 0.0:  # a zero factor is left out, as MXNet does
                denom *= term
        return (tp * tn - fp * fn) / math.sqrt(denom)


class _BinaryMetric(EvalMetric):
    """F1 and MCC: a score of the confusion counts, averaged per batch ('macro') or pooled ('micro')."""

    def __init__(self, name, output_names, label_names, average):
        self.average = average
        self._counts = _Confusion()
        super().__init__(name, output_names=output_names, label_names=label_names, has_global_stats=True)

    def _score(self, counts: dict) -> float:
        raise NotImplementedError

    def update(self, labels, preds) -> None:
        labels, preds = check_label_shapes(labels, preds, True)
        for label, pred in zip(labels, preds):
            self._counts.update(self.__class__.__name__, label, pred)
        c = self._counts
        if self.average == "macro":
            self.sum_metric += self._score(c.local)
            self.global_sum_metric += self._score(c.glob)
            self.num_inst += 1
            self.global_num_inst += 1
            c.reset()  # as in MXNet, the global counts are cleared too: each batch is scored alone
        else:
            self.sum_metric = self._score(c.local) * c.total(c.local)
            self.global_sum_metric = self._score(c.glob) * c.total(c.glob)
            self.num_inst = c.total(c.local)
            self.global_num_inst = c.total(c.glob)

    def reset(self) -> None:
        self.sum_metric = 0.0
        self.num_inst = 0
        self.global_sum_metric = 0.0
        self.global_num_inst = 0
        self._counts.reset()

    def reset_local(self) -> None:
        self.sum_metric = 0.0
        self.num_inst = 0
        self._counts.reset_local()


@register
class F1(_BinaryMetric):
    """F1 score ``2 * precision * recall / (precision + recall)`` of a binary classifier.

    Predictions are (batch, 2) scores; class 1 is the positive class. ``average='macro'`` averages
    the per-batch scores, ``'micro'`` scores the pooled counts.

    Example:
        >>> f1 = mx.metric.F1()
        >>> f1.update([mx.nd.array([1, 0, 1])], [mx.nd.array([[0.2, 0.8], [0.6, 0.4], [0.7, 0.3]])])
        >>> f1.get()
        ('f1', 0.6666666666666666)
    """

    def __init__(self, name: str = "f1", output_names=None, label_names=None, average: str = "macro"):
        super().__init__(name, output_names, label_names, average)

    def _score(self, counts: dict) -> float:
        return _Confusion.fscore(counts)


@register
class MCC(_BinaryMetric):
    """Matthews correlation coefficient of a binary classifier (from -1 to 1).

    Predictions are (batch, 2) scores; ``average`` as in :class:`F1`.

    Example:
        >>> m = mx.metric.MCC()
        >>> m.update([mx.nd.array([1, 0])], [mx.nd.array([[0.2, 0.8], [0.6, 0.4]])])
        >>> m.get()
        ('mcc', 1.0)
    """

    def __init__(self, name: str = "mcc", output_names=None, label_names=None, average: str = "macro"):
        super().__init__(name, output_names, label_names, average)

    def _score(self, counts: dict) -> float:
        return _Confusion.matthews(counts)


@register
class PCC(EvalMetric):
    """Multi-class Matthews correlation coefficient (Pearson correlation of the confusion matrix).

    Classes are counted in a confusion matrix that grows with the largest class seen; labels
    are class indices, predictions class scores (argmax taken) or class indices.

    Example:
        >>> m = mx.metric.PCC()
        >>> m.update([mx.nd.array([0, 1, 2])], [mx.nd.array([0, 1, 2])])
        >>> m.get()
        ('pcc', 1.0)
    """

    def __init__(self, name: str = "pcc", output_names=None, label_names=None, has_global_stats: bool = True):
        self.k = 2
        super().__init__(
            name=name, output_names=output_names, label_names=label_names, has_global_stats=has_global_stats
        )

    def _grow(self, inc: int) -> None:
        self.lcm = numpy.pad(self.lcm, ((0, inc), (0, inc)), "constant")
        self.gcm = numpy.pad(self.gcm, ((0, inc), (0, inc)), "constant")
        self.k += inc

    @staticmethod
    def _calc_mcc(cmat: numpy.ndarray) -> float:
        n = cmat.sum()
        x = cmat.sum(axis=1)
        y = cmat.sum(axis=0)
        cov_xx = numpy.sum(x * (n - x))
        cov_yy = numpy.sum(y * (n - y))
        if cov_xx == 0 or cov_yy == 0:
            return float("nan")
        cov_xy = numpy.sum(cmat.diagonal() * n - x * y)
        return float(cov_xy / (cov_xx * cov_yy) ** 0.5)

    def update(self, labels, preds) -> None:
        labels, preds = check_label_shapes(labels, preds, True)
        for label, pred in zip(labels, preds):
            label = _host(label).astype("int32")
            pred = _host(pred)
            pred = pred.argmax(axis=1) if pred.shape != label.shape else pred.astype("int32")
            top = max(pred.max(), label.max())
            if top >= self.k:
                self._grow(int(top) + 1 - self.k)
            p, t = pred.ravel(), label.ravel()
            m = min(len(p), len(t))
            batch = numpy.zeros((self.k, self.k))
            numpy.add.at(batch, (p[:m], t[:m]), 1)
            self.lcm += batch
            self.gcm += batch
        self.num_inst += 1
        self.global_num_inst += 1

    @property
    def sum_metric(self) -> float:
        return self._calc_mcc(self.lcm) * self.num_inst

    @property
    def global_sum_metric(self) -> float:
        return self._calc_mcc(self.gcm) * self.global_num_inst

    def reset(self) -> None:
        self.global_num_inst = 0.0
        self.gcm = numpy.zeros((self.k, self.k))
        self.reset_local()

    def reset_local(self) -> None:
        self.num_inst = 0.0
        self.lcm = numpy.zeros((self.k, self.k))
