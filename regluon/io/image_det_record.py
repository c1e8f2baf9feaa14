"""mx.io.ImageDetRecordIter: batches of images and their boxes from a detection ``.rec`` file.

A record's label is stored flat, as ``im2rec --pack-label`` writes it: ``[header_width,
object_width, <header extras>, object rows...]``, each object ``[class, xmin, ymin, xmax, ymax,
...]`` in coordinates relative to the image (0..1). Each output label row is
``[channels, height, width, n, <the n stored values>]`` (height and width: the image's size in
the batch, before any zero padding), filled to a fixed width with ``label_pad_value``, as MXNet
1.9.1 does.

Augmentation, in this order: ``resize`` (shorter side), the SSD-style random crop
(``rand_crop_prob`` with ``num_crop_sampler`` samplers and their ranges, ``crop_emit_mode``), the
random pad (``rand_pad_prob``, ``max_pad_scale``, ``fill_value``), ``rand_mirror_prob`` (boxes
mirrored too), ``resize_mode`` ``'force'`` / ``'fit'`` / ``'shrink'``, and
``(x - mean) / std * scale`` (a zero std means no division). The deterministic steps give MXNet
1.9.1's pixels and labels; the random ones keep MXNet's contract but draw from NumPy's generator
seeded with ``seed``, so they choose differently image by image. The colour samplers
(``random_hue_prob``, ``random_saturation_prob``, ``random_illumination_prob``,
``random_contrast_prob``) are refused with an error rather than ignored.
"""

from __future__ import annotations

import numpy as np

from .. import recordio
from ..base import MXNetError
from ..image.image import resize_array as _resize
from .det_augment import _SAMPLER_KEYS, crop_samplers, random_crop, random_pad
from .image_record import ImageRecordIter
from .io import DataDesc

# MXNet's options with no effect here (threads, prefetching, the colour samplers' settings, which act
# only with their probabilities, refused below when set).
_ACCEPTED = {
    "verbose",
    "prefetch_buffer",
    "ctx",
    "shuffle_chunk_size",
    "shuffle_chunk_seed",
    "max_random_hue",
    "max_random_saturation",
    "max_random_illumination",
    "max_random_contrast",
    "mean_a",
    "std_a",
}
_UNSUPPORTED = (
    "random_hue_prob",
    "random_saturation_prob",
    "random_illumination_prob",
    "random_contrast_prob",
)


class ImageDetRecordIter(ImageRecordIter):
    """Iterate over a detection RecordIO file: ``(batch_size,) + data_shape`` float32 images and
    ``(batch_size, 4 + label_pad_width)`` labels (see the module docstring for the layout).

    Parameters (MXNet's names and defaults)
    ---------------------------------------
    path_imgrec : str
    data_shape : tuple
        ``(C, H, W)``, C 1 or 3.
    batch_size : int
    label_width : int, default -1
        Values stored per record (-1: any; else every record must hold exactly this many).
    label_pad_width : int, default 0
        Width of the stored part of the output label; 0 or -1: the longest label of the file.
    label_pad_value : float, default -1
    resize_mode : str, default 'force'
        ``'force'``: resize to ``(H, W)``; ``'fit'``: scale to fit inside, keeping the aspect
        ratio; ``'shrink'``: as ``'fit'`` but only images larger than ``(H, W)``. The image sits at
        the top left of a zero batch slot.
    rand_mirror_prob : float, default 0
    rand_crop_prob : float, default 0
        Probability of a random crop; ``num_crop_sampler`` samplers (default 1) each try up to
        ``max_crop_trials`` crops of side ``scale`` in ``[min_crop_scales, max_crop_scales]`` and
        aspect ratio in ``[min_crop_aspect_ratios, max_crop_aspect_ratios]`` until one has a box
        whose IOU (``*_crop_overlaps``), intersection / crop area (``*_crop_sample_coverages``) and
        intersection / box area (``*_crop_object_coverages``) are in range; one of the found crops
        is used. Each option is one value or one per sampler. Boxes are dropped when their centre
        leaves the crop (``crop_emit_mode='center'``) or less than ``emit_overlap_thresh`` of them
        stays in (``'overlap'``).
    rand_pad_prob : float, default 0
        Probability of placing the image on a canvas up to ``max_pad_scale`` (default 1) times as
        large, filled with ``fill_value`` (default 127).
    shuffle, seed, resize, inter_method, round_batch, num_parts, part_index, preprocess_threads
    mean_r, mean_g, mean_b, std_r, std_g, std_b, scale : float

    Example
    -------
    >>> it = mx.io.ImageDetRecordIter(path_imgrec='train.rec', data_shape=(3, 300, 300), batch_size=32,
    ...                               rand_mirror_prob=0.5, mean_r=123, mean_g=117, mean_b=104)
    >>> batch = it.next()
    >>> batch.label[0][0, :4]  # channels, height, width, number of stored values
    """

    def __init__(
        self,
        path_imgrec: str,
        data_shape: tuple,
        batch_size: int,
        label_width: int = -1,
        label_pad_width: int = 0,
        label_pad_value: float = -1.0,
        resize_mode: str = "force",
        rand_mirror_prob: float = 0.0,
        mean_r: float = 0.0,
        mean_g: float = 0.0,
        mean_b: float = 0.0,
        std_r: float = 0.0,
        std_g: float = 0.0,
        std_b: float = 0.0,
        aug_seq: str = "det_aug_default",
        path_imglist: str = "",
        mean_img: str = "",
        dtype: str | None = None,
        rand_crop_prob: float = 0.0,
        num_crop_sampler: int = 1,
        crop_emit_mode: str = "center",
        emit_overlap_thresh: float = 0.3,
        rand_pad_prob: float = 0.0,
        max_pad_scale: float = 1.0,
        fill_value: int = 127,
        **kwargs,
    ) -> None:
        _check_options(kwargs, resize_mode, aug_seq, path_imglist, mean_img, dtype, crop_emit_mode)
        self._samplers = crop_samplers(
            int(num_crop_sampler), {k: kwargs.pop(k) for k in _SAMPLER_KEYS if k in kwargs}
        )
        self.rand_crop_prob, self.crop_emit_mode = float(rand_crop_prob), crop_emit_mode
        self.emit_overlap_thresh = float(emit_overlap_thresh)
        base = {k: kwargs.pop(k) for k in list(kwargs) if k not in _ACCEPTED}
        stds = [s if s > 0 else 1.0 for s in (std_r, std_g, std_b)]
        super().__init__(
            path_imgrec, data_shape, batch_size, mean_r=mean_r, mean_g=mean_g, mean_b=mean_b,
            std_r=stds[0], std_g=stds[1], std_b=stds[2], **base,
        )  # fmt: skip
        self.rand_pad_prob, self.max_pad_scale = float(rand_pad_prob), float(max_pad_scale)
        self.fill_value = int(fill_value)  # after the base class, which has a fill_value of its own
        self.resize_mode, self.rand_mirror_prob = resize_mode, float(rand_mirror_prob)
        self.label_width, self.label_pad_value = label_width, float(label_pad_value)
        longest = max(self._check_label(self._label_of(i), i) for i in range(len(self._offsets)))
        if label_pad_width > 0 and label_pad_width < longest:
            raise MXNetError(
                f"ImageDetRecordIter: a record holds {longest} label values, more than label_pad_width={label_pad_width}"
            )
        self.label_pad_width = label_pad_width if label_pad_width > 0 else longest
        label_name = self.provide_label[0].name
        self.provide_label = [DataDesc(label_name, (batch_size, 4 + self.label_pad_width))]

    def _label_of(self, i: int) -> np.ndarray:
        header, _ = recordio.unpack(self._read(i))
        return np.asarray(header.label, np.float32).reshape(-1)

    def _check_label(self, raw: np.ndarray, index: int) -> int:
        """The number of stored values of a valid detection label, else ``MXNetError``."""
        where = f'ImageDetRecordIter: record {index} of "{self._rec.uri}"'
        if self.label_width != -1 and raw.size != self.label_width:
            raise MXNetError(f"{where} holds a {raw.size}-value label, but label_width is {self.label_width}")
        if raw.size < 2 or int(raw[0]) < 2 or int(raw[1]) < 5 or (raw.size - int(raw[0])) % int(raw[1]):
            raise MXNetError(
                f"{where}: label of {raw.size} values is not [header_width >= 2, object_width >= 5, ...] "
                "followed by whole objects"
            )
        return raw.size

    def _fit(self, img: np.ndarray) -> np.ndarray:
        """Resize the image for its batch slot according to ``resize_mode``."""
        _, out_h, out_w = self.data_shape
        h, w = img.shape[:2]
        if self.resize_mode == "force":
            return _resize(img, out_w, out_h, self.inter_method)
        if self.resize_mode == "shrink" and h <= out_h and w <= out_w:
            return img
        ratio = min(out_h / h, out_w / w)
        return _resize(img, int(w * ratio), int(h * ratio), self.inter_method)

    def _draws(self):
        """Three uniform numbers (crop, pad, mirror) and a seed for the crop and pad samplers."""
        return (*self._rng.random_sample(3), self._rng.randint(2**31))

    def _process(self, job) -> tuple:
        raw, draws, index = job
        header, img = self._decode(raw, index)
        label = np.asarray(header.label, np.float32).reshape(-1).copy()
        self._check_label(label, index)
        if draws[0] < self.rand_crop_prob or draws[1] < self.rand_pad_prob:
            rs = np.random.RandomState(draws[3])
            if draws[0] < self.rand_crop_prob:
                img, label = random_crop(
                    rs, img, label, self._samplers, self.crop_emit_mode, self.emit_overlap_thresh
                )
            if draws[1] < self.rand_pad_prob:
                img, label = random_pad(rs, img, label, self.max_pad_scale, self.fill_value)
        if self.rand_mirror_prob > 0 and draws[2] < self.rand_mirror_prob:
            img = img[:, ::-1]
            boxes = label[int(label[0]) :].reshape(-1, int(label[1]))
            boxes[:, [1, 3]] = np.float32(1) - boxes[:, [3, 1]]
        img = self._fit(img)
        h, w = img.shape[:2]
        chans = self.data_shape[0]
        canvas = np.zeros(self.data_shape, np.uint8)
        canvas[:, :h, :w] = img.transpose(2, 0, 1)
        out = np.full(4 + self.label_pad_width, self.label_pad_value, np.float32)
        out[:4] = (chans, h, w, label.size)
        out[4 : 4 + label.size] = label
        return self._normalise(canvas), out


def _check_options(kwargs, resize_mode, aug_seq, path_imglist, mean_img, dtype, crop_emit_mode) -> None:
    """Refuse what regluon does not do (popping the colour samplers' probabilities from kwargs)."""
    for key in _UNSUPPORTED:
        if float(kwargs.pop(key, 0) or 0) > 0:
            raise MXNetError(
                f"ImageDetRecordIter: {key} is not supported by regluon (random colour sampling); use "
                "mx.image.ImageDetIter with its colour augmenters instead"
            )
    if resize_mode not in ("force", "fit", "shrink"):
        raise MXNetError(
            f"ImageDetRecordIter: resize_mode must be 'force', 'fit' or 'shrink', got {resize_mode!r}"
        )
    if aug_seq != "det_aug_default" or path_imglist or mean_img:
        raise MXNetError(
            "ImageDetRecordIter: aug_seq, path_imglist and mean_img are not supported by regluon"
        )
    if dtype not in (None, "float32", np.float32):
        raise MXNetError(f"ImageDetRecordIter: dtype must be float32, got {dtype!r}")
    if crop_emit_mode not in ("center", "overlap"):
        raise MXNetError(
            f"ImageDetRecordIter: crop_emit_mode must be 'center' or 'overlap', got {crop_emit_mode!r}"
        )
