"""``gluon.data.vision.transforms``: image transforms as Gluon blocks.

Images are HWC (or NHWC) NDArrays, uint8 or float, until :class:`ToTensor` makes them CHW float32
in [0, 1]. Deterministic transforms give MXNet 1.9.1's outputs; the random ones draw as MXNet does:
crops and ``RandomApply`` from Python's ``random``, rotations from NumPy's global generator, the
flips and colour jitters from ``mx.random`` (torch's generator).

Example:
    >>> from mxnet.gluon.data.vision import transforms
    >>> train_aug = transforms.Compose([
    ...     transforms.RandomResizedCrop(224),
    ...     transforms.RandomFlipLeftRight(),
    ...     transforms.ToTensor(),
    ...     transforms.Normalize((0.485, 0.456, 0.406), (0.229, 0.224, 0.225))])
"""

from __future__ import annotations

import math
import random
from collections.abc import Sequence

import numpy as np

from .... import image
from .... import ndarray as nd
from ....base import MXNetError
from ....ndarray import NDArray
from ....ndarray.ops import image_ops
from ....ndarray.params import FloatTuple
from ...block import Block, HybridBlock, _in_block
from ...nn import HybridSequential, Sequential

__all__ = [
    "Compose",
    "HybridCompose",
    "Cast",
    "ToTensor",
    "Normalize",
    "Rotate",
    "RandomRotation",
    "RandomResizedCrop",
    "CropResize",
    "CenterCrop",
    "RandomCrop",
    "Resize",
    "RandomFlipLeftRight",
    "RandomFlipTopBottom",
    "RandomBrightness",
    "RandomContrast",
    "RandomSaturation",
    "RandomHue",
    "RandomColorJitter",
    "RandomLighting",
    "RandomApply",
    "RandomGray",
]


class Compose(Sequential):
    """Apply transforms in order; runs of consecutive HybridBlocks are grouped into one hybridized
    HybridSequential, as MXNet does.

    A RandomResizedCrop or CenterCrop followed by ToTensor (alone, or grouped with a Normalize
    after it and/or a RandomFlipLeftRight before it), or such a ToTensor step on its own, is
    computed in one pass on a single HWC image: the crop is resized (and mirrored) straight into
    the channel-first float32 result. The random draws and the values are
    those of running the blocks one by one (which happens whenever a hook is registered on them).

    Example:
        >>> t = transforms.Compose([transforms.Resize(32), transforms.ToTensor()])
    """

    def __init__(self, transforms: Sequence):
        super().__init__()
        run: list = []
        for t in [*transforms, None]:
            if isinstance(t, HybridBlock):
                run.append(t)
                continue
            if len(run) == 1:
                self.add(run[0])
            elif run:
                group = HybridSequential()
                group.add(*run)
                group.hybridize()
                self.add(group)
            run = []
            if t is not None:
                self.add(t)

    def forward(self, x, *args):
        # Sequential's loop, with the one-pass steps of the docstring (see _fusion)
        blocks = tuple(self._children.values())
        i = 0
        while i < len(blocks):
            if not args and x.__class__ is NDArray:
                fused = _fusion(blocks, i, x)
                if fused is not None:
                    step, x = fused
                    i += step
                    continue
            x = blocks[i](x, *args)
            args = ()
            if isinstance(x, (tuple, list)):
                args, x = tuple(x[1:]), x[0]
            i += 1
        return (x, *args) if args else x


class HybridCompose(HybridSequential):
    """Like :class:`Compose`, for HybridBlock transforms only (as in MXNet 2).

    Example:
        >>> t = transforms.HybridCompose([transforms.ToTensor(), transforms.Normalize(0.5, 0.25)])
    """

    def __init__(self, transforms: Sequence):
        super().__init__()
        for t in transforms:
            if not isinstance(t, HybridBlock):
                raise ValueError(f"HybridCompose takes HybridBlocks only; {type(t).__name__} is not one")
            self.add(t)


class Cast(HybridBlock):
    """Cast to ``dtype``.

    Example:
        >>> transforms.Cast('float16')(mx.nd.ones((2, 2, 3), dtype='uint8')).dtype
        <class 'numpy.float16'>
    """

    def __init__(self, dtype: str = "float32"):
        super().__init__()
        self._dtype = dtype

    def hybrid_forward(self, F, x):
        return F.cast(x, self._dtype)


class ToTensor(HybridBlock):
    """HWC (or NHWC) images with values 0..255 to CHW (NCHW) float32 in [0, 1].

    Example:
        >>> transforms.ToTensor()(mx.nd.ones((4, 5, 3), dtype='uint8')).shape
        (3, 4, 5)
    """

    def hybrid_forward(self, F, x):
        return F.image.to_tensor(x)


class Normalize(HybridBlock):
    """Per-channel ``(x - mean) / std`` of CHW (NCHW) tensors.

    Example:
        >>> transforms.Normalize(0.5, 0.25)(mx.nd.ones((3, 2, 2))).asnumpy().max()
        2.0
    """

    def __init__(self, mean: float | Sequence[float] = 0.0, std: float | Sequence[float] = 1.0):
        super().__init__()
        self._mean, self._std = mean, std

    def hybrid_forward(self, F, x):
        return F.image.normalize(x, self._mean, self._std)


class Resize(HybridBlock):
    """Resize to ``size``: (width, height), or an int for a square (or for the short side when
    ``keep_ratio``). ``interpolation`` takes OpenCV's codes: 0 nearest, 1 bilinear (default),
    2 bicubic, 3 area, 4 Lanczos.

    Example:
        >>> transforms.Resize(4, keep_ratio=True)(mx.nd.ones((8, 12, 3), dtype='uint8')).shape
        (4, 6, 3)
    """

    def __init__(self, size: int | tuple[int, int], keep_ratio: bool = False, interpolation: int = 1):
        super().__init__()
        self._size, self._keep, self._interp = size, keep_ratio, interpolation

    def hybrid_forward(self, F, x):
        return F.image.resize(x, self._size, self._keep, self._interp)


class CropResize(HybridBlock):
    """Crop the area (x, y, width, height), then resize it to ``size`` if given.

    Example:
        >>> transforms.CropResize(0, 0, 4, 2)(mx.nd.ones((8, 8, 3))).shape
        (2, 4, 3)
    """

    def __init__(self, x: int, y: int, width: int, height: int, size=None, interpolation: int | None = None):
        super().__init__()
        self._box = (x, y, width, height)
        self._size, self._interp = size, 1 if interpolation is None else interpolation

    def hybrid_forward(self, F, x):
        out = F.image.crop(x, *self._box)
        if self._size:
            out = F.image.resize(out, self._size, False, self._interp)
        return out


# ----------------------------------------------------------------------------------------- crops
def _interp_for(interp: int, sizes: tuple[int, int, int, int]) -> int:
    """OpenCV code for ``interp``, resolving MXNet's 9 (by direction) and 10 (random)."""
    if interp == 9:
        oh, ow, nh, nw = sizes
        return 3 if nh < oh and nw < ow else 2 if nh > oh and nw > ow else 1
    if interp == 10:
        return random.randint(0, 4)
    if interp not in (0, 1, 2, 3, 4):
        raise ValueError(f"Unknown interp method {interp}")
    return interp


def _fixed_crop(img: NDArray, x0: int, y0: int, w: int, h: int, size=None, interp: int = 2) -> NDArray:
    out = img[y0 : y0 + h, x0 : x0 + w]
    if size is not None and (w, h) != tuple(size):
        out = nd.image.resize(out, tuple(size), interp=_interp_for(interp, (h, w, size[1], size[0])))
    return out


def _scale_down(src_size: tuple[int, int], size: tuple[int, int]) -> tuple[int, int]:
    """``size`` (w, h) shrunk, keeping its aspect ratio, until it fits in ``src_size``."""
    w, h = size
    sw, sh = src_size
    if sh < h:
        w, h = w * sh / h, sh
    if sw < w:
        w, h = sw, h * sw / w
    return int(w), int(h)


def _center_box(img: NDArray, size: tuple[int, int]) -> tuple[int, int, int, int]:
    h, w = img.shape[0], img.shape[1]
    new_w, new_h = _scale_down((w, h), size)
    return int((w - new_w) / 2), int((h - new_h) / 2), new_w, new_h


def _pair(size) -> tuple[int, int]:
    return (size, size) if isinstance(size, (int, float)) else tuple(size)


def _hwc(name: str, x: NDArray) -> None:
    if x.ndim != 3:
        raise ValueError(f"{name}: expects one HWC image, got shape {x.shape}")


class CenterCrop(Block):
    """Crop the centre ``size`` (int or (width, height)); an image too small is cropped to the
    largest area of that aspect ratio and resized up.

    Example:
        >>> transforms.CenterCrop(4)(mx.nd.ones((8, 10, 3), dtype='uint8')).shape
        (4, 4, 3)
    """

    def __init__(self, size: int | tuple[int, int], interpolation: int = 1):
        super().__init__()
        self._size, self._interp = _pair(size), interpolation

    def forward(self, x):
        return _fixed_crop(x, *self._plan(x))

    def _plan(self, x) -> tuple:
        """The crop's (x0, y0, width, height, size, interp)."""
        _hwc("CenterCrop", x)
        return (*_center_box(x, self._size), self._size, self._interp)


class RandomResizedCrop(Block):
    """Crop a random area (a fraction ``scale`` of the image, aspect ratio in ``ratio``) and
    resize it to ``size``; after 10 failed draws, a centre crop. Draws from Python's ``random``
    exactly as MXNet does, so ``random.seed`` gives MXNet's crops.

    Example:
        >>> transforms.RandomResizedCrop(8)(mx.nd.ones((20, 30, 3), dtype='uint8')).shape
        (8, 8, 3)
    """

    def __init__(
        self,
        size: int | tuple[int, int],
        scale: tuple[float, float] = (0.08, 1.0),
        ratio: tuple[float, float] = (3.0 / 4.0, 4.0 / 3.0),
        interpolation: int = 1,
    ):
        super().__init__()
        self._size, self._scale, self._ratio, self._interp = _pair(size), scale, ratio, interpolation

    def forward(self, x):
        return _fixed_crop(x, *self._plan(x))

    def _plan(self, x) -> tuple:
        """The crop's (x0, y0, width, height, size, interp), drawn."""
        _hwc("RandomResizedCrop", x)
        h, w = x.shape[0], x.shape[1]
        area = (self._scale, 1.0) if isinstance(self._scale, (int, float)) else self._scale
        log_ratio = (math.log(self._ratio[0]), math.log(self._ratio[1]))
        for _ in range(10):
            target = random.uniform(area[0], area[1]) * h * w
            aspect = np.exp(random.uniform(*log_ratio))
            new_w = int(round(np.sqrt(target * aspect)))
            new_h = int(round(np.sqrt(target / aspect)))
            if new_w <= w and new_h <= h:
                x0 = random.randint(0, w - new_w)
                y0 = random.randint(0, h - new_h)
                return x0, y0, new_w, new_h, self._size, self._interp
        return (*_center_box(x, self._size), self._size, self._interp)


class RandomCrop(Block):
    """Pad the image (``pad``: int or (top/bottom, left/right) or (top, bottom, left, right),
    with ``pad_value``), then crop a random ``size`` (int or (width, height)) from it; an image
    smaller than ``size`` is resized up, as in MXNet 2.

    Example:
        >>> transforms.RandomCrop(28, pad=4)(mx.nd.ones((28, 28, 1), dtype='uint8')).shape
        (28, 28, 1)
    """

    def __init__(self, size, pad=None, pad_value: float = 0, interpolation: int = 1):
        super().__init__()
        self._size, self._pad, self._value, self._interp = _pair(size), pad, pad_value, interpolation

    def _padded(self, x: NDArray) -> NDArray:
        p = self._pad
        if not p:
            return x
        if isinstance(p, int):
            widths = ((p, p), (p, p))
        elif len(p) == 2:
            widths = ((p[0], p[0]), (p[1], p[1]))
        elif len(p) == 4:
            widths = ((p[0], p[1]), (p[2], p[3]))
        else:
            raise ValueError(f"RandomCrop: pad must be an int or a tuple of 2 or 4 ints, got {p!r}")
        a = np.pad(x.asnumpy(), (*widths, (0, 0)), constant_values=self._value)
        return nd.array(a, ctx=x.context, dtype=a.dtype)

    def forward(self, x):
        _hwc("RandomCrop", x)
        x = self._padded(x)
        h, w = x.shape[0], x.shape[1]
        new_w, new_h = _scale_down((w, h), self._size)
        x0, y0 = random.randint(0, w - new_w), random.randint(0, h - new_h)
        return _fixed_crop(x, x0, y0, new_w, new_h, self._size, self._interp)


# ----------------------------------------------------------------------------- rotations
def _float32_only(x: NDArray) -> None:
    if x.dtype != np.float32:
        raise TypeError("This transformation only supports float32. Consider calling it after ToTensor")


class Rotate(Block):
    """Rotate CHW / NCHW float32 images by ``rotation_degrees`` (counter-clockwise in the picture's
    coordinates, as MXNet), zero-filled; optionally zoomed in or out.

    Example:
        >>> transforms.Rotate(90)(mx.nd.ones((3, 4, 4))).shape
        (3, 4, 4)
    """

    def __init__(self, rotation_degrees: float, zoom_in: bool = False, zoom_out: bool = False):
        super().__init__()
        self._args = (rotation_degrees, zoom_in, zoom_out)

    def forward(self, x):
        _float32_only(x)
        return image.imrotate(x, *self._args)


class RandomRotation(Block):
    """Rotate by an angle drawn from ``angle_limits`` (NumPy's generator, one per image), with
    probability ``rotate_with_proba``.

    Example:
        >>> transforms.RandomRotation((-10, 10))(mx.nd.ones((3, 4, 4))).shape
        (3, 4, 4)
    """

    def __init__(
        self, angle_limits, zoom_in: bool = False, zoom_out: bool = False, rotate_with_proba: float = 1.0
    ):
        super().__init__()
        lower, upper = angle_limits
        if lower >= upper:
            raise ValueError("`angle_limits` must be an ordered tuple")
        if not 0 <= rotate_with_proba <= 1:
            raise ValueError("Probability of rotating the image should be between 0 and 1")
        self._limits, self._zoom, self._proba = angle_limits, (zoom_in, zoom_out), rotate_with_proba

    def forward(self, x):
        if np.random.random() > self._proba:
            return x
        _float32_only(x)
        return image.random_rotate(x, self._limits, *self._zoom)


# ------------------------------------------------------------------------------- colour
class RandomFlipLeftRight(HybridBlock):
    """Mirror left to right with probability 0.5.

    Example:
        >>> transforms.RandomFlipLeftRight()(mx.nd.ones((2, 2, 3))).shape
        (2, 2, 3)
    """

    def hybrid_forward(self, F, x):
        return F.image.random_flip_left_right(x)


class RandomFlipTopBottom(HybridBlock):
    """Mirror top to bottom with probability 0.5.

    Example:
        >>> transforms.RandomFlipTopBottom()(mx.nd.ones((2, 2, 3))).shape
        (2, 2, 3)
    """

    def hybrid_forward(self, F, x):
        return F.image.random_flip_top_bottom(x)


class _RandomFactor(HybridBlock):
    _op = ""

    def __init__(self, amount: float):
        super().__init__()
        self._args = (max(0, 1 - amount), 1 + amount)

    def hybrid_forward(self, F, x):
        return getattr(F.image, self._op)(x, *self._args)


class RandomBrightness(_RandomFactor):
    """Scale pixel values by a factor from [max(0, 1 - brightness), 1 + brightness].

    Example:
        >>> transforms.RandomBrightness(0.2)(mx.nd.ones((2, 2, 3))).shape
        (2, 2, 3)
    """

    _op = "random_brightness"


class RandomContrast(_RandomFactor):
    """Blend with the image's mean luma, factor from [max(0, 1 - contrast), 1 + contrast].

    Example:
        >>> transforms.RandomContrast(0.2)(mx.nd.ones((2, 2, 3))).shape
        (2, 2, 3)
    """

    _op = "random_contrast"


class RandomSaturation(_RandomFactor):
    """Saturation jitter, factor from [max(0, 1 - saturation), 1 + saturation] (MXNet's op).

    Example:
        >>> transforms.RandomSaturation(0.2)(mx.nd.ones((2, 2, 3))).shape
        (2, 2, 3)
    """

    _op = "random_saturation"


class RandomHue(_RandomFactor):
    """Hue jitter: MXNet passes [max(0, 1 - hue), 1 + hue] to ``image.random_hue``, which turns
    the hue by factor * 360 degrees, i.e. by (factor - 1) * 360 modulo a full turn.

    Example:
        >>> transforms.RandomHue(0.1)(mx.nd.ones((2, 2, 3))).shape
        (2, 2, 3)
    """

    _op = "random_hue"


class RandomColorJitter(HybridBlock):
    """Brightness, contrast and saturation jitter in random order, then hue jitter.

    Example:
        >>> transforms.RandomColorJitter(0.1, 0.1, 0.1, 0.1)(mx.nd.ones((2, 2, 3))).shape
        (2, 2, 3)
    """

    def __init__(self, brightness: float = 0, contrast: float = 0, saturation: float = 0, hue: float = 0):
        super().__init__()
        self._args = (brightness, contrast, saturation, hue)

    def hybrid_forward(self, F, x):
        return F.image.random_color_jitter(x, *self._args)


class RandomLighting(HybridBlock):
    """AlexNet-style PCA lighting noise with alphas from N(0, alpha).

    Example:
        >>> transforms.RandomLighting(0.1)(mx.nd.ones((2, 2, 3))).shape
        (2, 2, 3)
    """

    def __init__(self, alpha: float):
        super().__init__()
        self._alpha = alpha

    def hybrid_forward(self, F, x):
        return F.image.random_lighting(x, self._alpha)


class RandomGray(HybridBlock):
    """Turn RGB images gray (luma in all three channels) with probability ``p`` (MXNet 2).

    Example:
        >>> transforms.RandomGray(1.0)(mx.nd.ones((2, 2, 3))).shape
        (2, 2, 3)
    """

    def __init__(self, p: float = 0.5):
        super().__init__()
        self._p = p

    def hybrid_forward(self, F, x):
        if random.random() >= self._p:
            return x
        coef = F.array([0.299, 0.587, 0.114], dtype="float32")
        gray = F.sum(F.cast(x, "float32") * coef, axis=-1, keepdims=True)
        return F.cast(F.repeat(gray, 3, axis=-1), x.dtype)


class RandomApply(Sequential):
    """Apply ``transforms`` with probability ``p`` (Python's ``random``, as MXNet).

    Example:
        >>> t = transforms.RandomApply(transforms.RandomBrightness(0.1), p=0.3)
    """

    def __init__(self, transforms, p: float = 0.5):
        super().__init__()
        self.transforms, self.p = transforms, p

    def forward(self, x):
        if self.p < random.random():
            return x
        return self.transforms(x)


# ------------------------------------------------------------------ Compose's one-pass pipelines
_CROPS = (RandomResizedCrop, CenterCrop)
_INTERPS = (0, 1, 2, 3, 4, 9, 10)


def _unhooked(block: Block) -> bool:
    return not block._forward_hooks and not block._forward_pre_hooks


def _tensor_steps(block: Block, chans: int) -> tuple | None:
    """``(flip, mean, std)`` when ``block`` is a ToTensor or a group of exactly [RandomFlipLeftRight,]
    ToTensor[, Normalize] with usable constants (``flip``: whether the group flips; ``mean`` and
    ``std`` None without a Normalize); None otherwise."""
    if type(block) is ToTensor:
        return (False, None, None) if _unhooked(block) else None
    if type(block) is not HybridSequential or not _unhooked(block):
        return None
    children = list(block._children.values())
    if not all(_unhooked(c) for c in children):
        return None
    flip = bool(children) and type(children[0]) is RandomFlipLeftRight
    kinds = [type(c) for c in children[flip:]]
    if kinds == [ToTensor]:
        return (True, None, None) if flip else None  # (a lone ToTensor is not grouped)
    if kinds != [ToTensor, Normalize]:
        return None
    try:
        mean, std = FloatTuple().parse(children[-1]._mean), FloatTuple().parse(children[-1]._std)
    except (ValueError, TypeError, SyntaxError):
        return None  # the operator reports it
    return (flip, mean, std) if len(mean) in (1, chans) and len(std) in (1, chans) else None


def _plain_crop(block: Block) -> bool:
    size = block._size
    return _unhooked(block) and all(v.__class__ is int and v > 0 for v in size) and block._interp in _INTERPS


def _fusion(blocks: tuple, i: int, x: NDArray) -> tuple[int, NDArray] | None:
    """``(blocks consumed, result)`` of a [crop +] ToTensor step (see _tensor_steps) starting at
    ``blocks[i]``, computed in one pass; None when the blocks must run one by one."""
    t = x._tensor
    if t.dim() != 3 or t.shape[-1] not in (1, 3) or t.device.type != "cpu":
        return None
    if t.requires_grad or x._ag is not None:
        return None
    block, chans = blocks[i], t.shape[-1]
    if type(block) not in _CROPS:
        steps = _tensor_steps(block, chans)
        if steps is None:
            return None
        flip, mean, std = steps
        out = image_ops.to_tensor_normalized(t, mean, std, None, flip and image_ops.flip_drawn())
        return 1, NDArray._wrap(out, x._ctx)
    if i + 1 == len(blocks) or not _plain_crop(block):
        return None
    steps = _tensor_steps(blocks[i + 1], chans)
    if steps is None:
        return None
    plan = block._plan(x)
    x0, y0, w, h, size, interp = plan
    if w <= 0 or h <= 0:  # an empty crop: as on its own (an error), then the next block
        try:
            return 1, _fixed_crop(x, *plan)
        except MXNetError as err:
            raise _in_block(err, block) from None
    resize = None
    if (w, h) != size:
        resize = (size[1], size[0], _interp_for(interp, (h, w, size[1], size[0])))
    flip, mean, std = steps
    region = t[y0 : y0 + h, x0 : x0 + w]
    out = image_ops.to_tensor_normalized(region, mean, std, resize, flip and image_ops.flip_drawn())
    return 2, NDArray._wrap(out, x._ctx)
