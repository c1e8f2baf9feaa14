"""``nd.image.*`` operators on HWC / NHWC images: resize, crop, flips, colour jitter, lighting.

(``image.to_tensor`` and ``image.normalize`` live in misc.py.) Images have 1 or 3 channels in the
last axis, as MXNet requires. Integer images stay integer: resizing rounds to the nearest value
and the colour ops truncate, clamped to 0..255, as MXNet 1.9.1 does. Random ops draw from torch's
generator (``mx.random.seed``).
"""

from __future__ import annotations

import numpy as np
import torch
import torch.nn.functional as tF

from ...base import MXNetError, shape_str
from ..params import Bool, Float, FloatTuple, Int, Param, Shape
from ..register import OpDef, Sample, register
from . import _image_resize

_GOLDEN = "checked against MXNet 1.9.1 in tests/test_transforms.py (tests/golden/data/transforms.npz)"
_GRAY = (0.299, 0.587, 0.114)
# AlexNet-style PCA lighting: eigenvalues and eigenvectors (columns) of the RGB covariance.
_EIGVAL = (55.46, 4.794, 1.148)
_EIGVEC = ((-0.5675, 0.7192, 0.4009), (-0.5808, -0.0045, -0.8140), (-0.5836, -0.6948, 0.4203))


def _check_image(op: str, x: torch.Tensor) -> None:
    if x.dim() not in (3, 4):
        raise MXNetError(
            f"{op}: input image must have shape (height, width, channels) or (N, H, W, C), "
            f"got {shape_str(x.shape)}"
        )
    if x.shape[-1] not in (1, 3):
        raise MXNetError(
            f"{op}: the last dimension of input image must be the channel dimension with either 1 or 3 "
            f"elements, but got input with shape {shape_str(x.shape)}"
        )


def _cast_like(y: torch.Tensor, like: torch.Tensor) -> torch.Tensor:
    """``y`` (float) back to ``like``'s dtype: integer images are truncated and clamped to 0..255."""
    if like.dtype.is_floating_point:
        return y.to(like.dtype)
    return y.trunc().clamp(0, 255).to(like.dtype)


def _float(x: torch.Tensor) -> torch.Tensor:
    return x if x.dtype in (torch.float32, torch.float64) else x.to(torch.float32)


def _uniform(low: float, high: float) -> float:
    return low + (high - low) * float(torch.rand(()))


# ---------------------------------------------------------------------------------------- resize
def _resized(x: torch.Tensor, h: int, w: int, interp: int) -> torch.Tensor:
    """HWC / NHWC images resized on the host by the one OpenCV-rule kernel (_image_resize.py)."""
    out = torch.from_numpy(_image_resize.resize(x.detach().cpu().numpy(), h, w, interp))
    return out if x.device.type == "cpu" else out.to(x.device)


def _target_size(op: str, shape, size, keep_ratio: bool) -> tuple[int, int]:
    h, w = shape[-3], shape[-2]
    if len(size) == 2:
        return size[1], size[0]
    if len(size) != 1:
        raise MXNetError(f"{op}: size must be (width, height) or one int, got {size}")
    s = size[0]
    if not keep_ratio:
        return s, s
    if h > w:
        return int(h * s / w), s
    return s, int(w * s / h)


def _resize(data, size, keep_ratio, interp):
    _check_image("image.resize", data)
    if interp not in (0, 1, 2, 3, 4):
        raise MXNetError(
            f"image.resize: interp must be 0..4 (nearest, linear, cubic, area, lanczos4), got {interp}"
        )
    h, w = _target_size("image.resize", data.shape, size, keep_ratio)
    if h <= 0 or w <= 0:
        raise MXNetError(f"image.resize: the output size must be positive, got height {h} and width {w}")
    return _resized(data, h, w, interp)


def _nearest_ref(x, size, keep_ratio=False, interp=1):
    h, w = _target_size("ref", x.shape, size, keep_ratio)
    rows = np.floor(np.arange(h) * x.shape[-3] / h).astype(int)
    cols = np.floor(np.arange(w) * x.shape[-2] / w).astype(int)
    return x[..., rows, :, :][..., cols, :]


register(
    OpDef(
        "_image_resize",
        impl=_resize,
        params=(
            Param("size", Shape(), (), "(width, height), or one int: the square side or the short side."),
            Param(
                "keep_ratio", Bool(), False, "With one int, resize the short side and keep the aspect ratio."
            ),
            Param(
                "interp", Int(), 1, "0 nearest, 1 bilinear, 2 bicubic, 3 area, 4 Lanczos (OpenCV's codes)."
            ),
        ),
        aliases=("image.resize",),
        differentiable=False,
        ref=_nearest_ref,
        samples=lambda: [
            Sample((np.arange(60, dtype="uint8").reshape(4, 5, 3),), {"size": (3, 7), "interp": 0}),
            Sample(
                (np.arange(60, dtype="float32").reshape(5, 4, 3),),
                {"size": 2, "keep_ratio": True, "interp": 0},
            ),
        ],
        errors=lambda: [
            ((np.zeros((4, 4, 3), "float32"),), {"size": (2, 2, 2)}, "size must be"),
            ((np.zeros((4, 4, 4), "float32"),), {"size": 2}, "either 1 or 3"),
        ],
        no_golden=_GOLDEN,
        doc="Resize HWC or NHWC images with OpenCV's interpolation rules.",
    )
)


def to_tensor_normalized(
    data: torch.Tensor,
    mean: tuple | None,
    std: tuple | None,
    size: tuple[int, int, int] | None = None,
    mirror: bool = False,
) -> torch.Tensor:
    """``image.normalize(image.to_tensor(image.flip_left_right(image.resize(data))))`` of one HWC
    image, bit for bit, as one new CHW float32 tensor (``transforms.Compose`` runs its crop, flip,
    ToTensor and Normalize steps through this when nothing can see the intermediate images).

    ``size`` is (height, width, interp) to resize first, or None; ``mirror`` whether to flip;
    ``mean``/``std`` tuples of 1 or C values, or None to skip the normalisation. The resized image
    is written channel-first (and mirrored) straight away; ToTensor's and Normalize's steps then
    run in place, the same operations in the same order as the operators.
    """
    height, width, chans = data.shape
    if size is None:
        out = torch.empty((chans, height, width), dtype=torch.float32, device=data.device)
        out.copy_((data.flip(-2) if mirror else data).movedim(-1, -3)).div_(255.0)
    else:  # (numpy's float32 division rounds as torch's)
        height, width, interp = size
        out = torch.empty((chans, height, width), dtype=torch.float32)
        src = data.detach().cpu().numpy()
        _image_resize.resize_chw(src, height, width, interp, out.numpy(), 255.0, mirror)
        out = out.to(data.device)
    if mean is not None:
        from .misc import _channel_constants  # (misc registers its operators after this module)

        out.sub_(_channel_constants(mean, chans, out.dtype, out.device))
        out.div_(_channel_constants(std, chans, out.dtype, out.device))
    return out


# ------------------------------------------------------------------------------------ crop, flips
def _crop(data, x, y, width, height):
    _check_image("image.crop", data)
    h, w = data.shape[-3], data.shape[-2]
    if x < 0 or y < 0 or width <= 0 or height <= 0 or x + width > w or y + height > h:
        raise MXNetError(
            f"image.crop: the area x={x}, y={y}, width={width}, height={height} does not fit in the "
            f"image of shape {shape_str(data.shape)} (height {h}, width {w})"
        )
    return data[..., y : y + height, x : x + width, :].clone()


register(
    OpDef(
        "_image_crop",
        impl=_crop,
        params=(
            Param("x", Int(), None, "Left edge.", required=True),
            Param("y", Int(), None, "Top edge.", required=True),
            Param("width", Int(), None, required=True),
            Param("height", Int(), None, required=True),
        ),
        aliases=("image.crop",),
        differentiable=False,
        ref=lambda d, x, y, width, height: d[..., y : y + height, x : x + width, :],
        samples=lambda: [
            Sample(
                (np.arange(60, dtype="uint8").reshape(4, 5, 3),), {"x": 1, "y": 2, "width": 3, "height": 2}
            ),
            Sample(
                (np.arange(120, dtype="float32").reshape(2, 4, 5, 3),),
                {"x": 0, "y": 1, "width": 5, "height": 3},
            ),
        ],
        errors=lambda: [
            ((np.zeros((4, 4, 3), "float32"),), {"x": 2, "y": 2, "width": 3, "height": 2}, "does not fit")
        ],
        no_golden=_GOLDEN,
        doc="Crop the area (x, y, width, height) of HWC or NHWC images.",
    )
)


def flip_drawn() -> bool:
    """The draw of ``image.random_flip_*``: flip with probability 0.5 (torch's generator)."""
    return float(torch.rand(())) < 0.5


def _flip_op(name: str, axis: int, doc: str):
    def impl(data):
        _check_image(f"image.{name}", data)
        return data.flip(axis)

    def random_impl(data):
        _check_image(f"image.random_{name}", data)
        return data.flip(axis) if flip_drawn() else data.clone()

    sample = lambda: [Sample((np.arange(24, dtype="uint8").reshape(2, 4, 3),))]  # noqa: E731
    register(
        OpDef(
            f"_image_{name}",
            impl=impl,
            aliases=(f"image.{name}",),
            differentiable=False,
            ref=lambda d: np.flip(d, axis),
            samples=sample,
            no_golden=_GOLDEN,
            doc=doc,
        )
    )
    register(
        OpDef(
            f"_image_random_{name}",
            impl=random_impl,
            aliases=(f"image.random_{name}",),
            differentiable=False,
            check=lambda out, p, d: np.array_equal(out, d) or np.array_equal(out, np.flip(d, axis)),
            samples=sample,
            doc=doc + " With probability 0.5; otherwise a copy.",
        )
    )


_flip_op("flip_left_right", -2, "Mirror HWC / NHWC images left to right.")
_flip_op("flip_top_bottom", -3, "Mirror HWC / NHWC images top to bottom.")


# ----------------------------------------------------------------------------------- colour ops
def _gray(x: torch.Tensor) -> torch.Tensor:
    """Per-pixel luma (..., H, W, 1) of an RGB float image; a 1-channel image is its own."""
    if x.shape[-1] == 1:
        return x
    coef = torch.tensor(_GRAY, dtype=x.dtype, device=x.device)
    return (x * coef).sum(-1, keepdim=True)


def _brightness(x, alpha):
    return x * alpha


def _contrast(x, alpha):
    mean = _gray(x).mean(dim=(-3, -2, -1), keepdim=True)
    return x * alpha + mean * (1 - alpha)


def _saturation(x, alpha):
    # MXNet 1.9.1 blends each pixel with 0.114 * blue, not with its full luma (its loop keeps only
    # the last channel's term); kept so that augmented images match MXNet's.
    gray = x[..., -1:] * _GRAY[2] if x.shape[-1] == 3 else x
    return x * alpha + gray * (1 - alpha)


def _rgb_to_hls(x):
    r, g, b = (x[..., i] / 255.0 for i in range(3))
    vmax, vmin = torch.maximum(torch.maximum(r, g), b), torch.minimum(torch.minimum(r, g), b)
    diff, total = vmax - vmin, vmax + vmin
    light = total / 2
    safe = torch.where(diff > 0, diff, torch.ones_like(diff))
    sat = torch.where(
        light < 0.5, diff / torch.where(total > 0, total, torch.ones_like(total)), diff / (2 - total)
    )
    hue = torch.where(
        vmax == r,
        (g - b) * 60 / safe,
        torch.where(vmax == g, (b - r) * 60 / safe + 120, (r - g) * 60 / safe + 240),
    )
    hue = torch.where(hue < 0, hue + 360, hue)
    zero = diff <= 0
    return torch.where(zero, 0.0, hue), light, torch.where(zero, 0.0, sat)


def _hls_to_rgb(hue, light, sat):
    p2 = torch.where(light <= 0.5, light * (1 + sat), light + sat - light * sat)
    p1 = 2 * light - p2
    h6 = torch.remainder(hue / 60.0, 6.0)
    sector = h6.floor().clamp(0, 5).long()
    f = h6 - sector
    tab = torch.stack([p2, p1, p1 + (p2 - p1) * (1 - f), p1 + (p2 - p1) * f], -1)
    # which tab entry is blue, green, red in each of the six hue sectors
    order = torch.tensor(
        [[1, 3, 0], [1, 0, 2], [3, 0, 1], [0, 2, 1], [0, 1, 3], [2, 1, 0]], device=hue.device
    )
    bgr = torch.gather(tab, -1, order[sector])
    rgb = torch.where((sat == 0).unsqueeze(-1), light.unsqueeze(-1).expand_as(bgr), bgr.flip(-1))
    return rgb * 255.0


def _hue(x, alpha):
    if x.shape[-1] == 1:
        return x
    hue, light, sat = _rgb_to_hls(x)
    return _hls_to_rgb(hue + alpha * 360.0, light, sat)


_JITTERS = {"brightness": _brightness, "contrast": _contrast, "saturation": _saturation, "hue": _hue}


def _jitter_op(name: str, doc: str):
    fn = _JITTERS[name]

    def impl(data, min_factor, max_factor):
        _check_image(f"image.random_{name}", data)
        if min_factor > max_factor:
            raise MXNetError(
                f"image.random_{name}: min_factor {min_factor} is larger than max_factor {max_factor}"
            )
        return _cast_like(fn(_float(data), _uniform(min_factor, max_factor)), data)

    def check(out, p, d):
        return out.shape == d.shape and out.dtype == d.dtype and np.isfinite(out.astype("float64")).all()

    register(
        OpDef(
            f"_image_random_{name}",
            impl=impl,
            params=(
                Param("min_factor", Float(), None, "Smallest factor.", required=True),
                Param("max_factor", Float(), None, "Largest factor.", required=True),
            ),
            aliases=(f"image.random_{name}",),
            differentiable=False,
            check=check,
            samples=lambda: [
                Sample(
                    (np.arange(36, dtype="uint8").reshape(3, 4, 3) * 7,),
                    {"min_factor": 0.5, "max_factor": 1.5},
                )
            ],
            doc=doc,
        )
    )


_jitter_op("brightness", "Scale pixel values by a factor drawn from [min_factor, max_factor].")
_jitter_op(
    "contrast", "Blend with the mean luma of the image, by a factor drawn from [min_factor, max_factor]."
)
_jitter_op("saturation", "Blend with each pixel's luma, by a factor drawn from [min_factor, max_factor].")
_jitter_op(
    "hue", "Rotate the hue by factor * 360 degrees (HLS), the factor drawn from [min_factor, max_factor]."
)


def _color_jitter(data, brightness, contrast, saturation, hue):
    _check_image("image.random_color_jitter", data)
    x = _float(data)
    steps = [
        (fn, amount)
        for fn, amount in ((_brightness, brightness), (_contrast, contrast), (_saturation, saturation))
        if amount > 0
    ]
    for i in torch.randperm(len(steps)).tolist():
        fn, amount = steps[i]
        x = fn(x, _uniform(max(0.0, 1 - amount), 1 + amount))
    if hue > 0:
        x = _hue(x, _uniform(-hue, hue))
    return _cast_like(x, data)


register(
    OpDef(
        "_image_random_color_jitter",
        impl=_color_jitter,
        params=tuple(
            Param(n, Float(), None, f"How much to jitter {n}.", required=True)
            for n in ("brightness", "contrast", "saturation", "hue")
        ),
        aliases=("image.random_color_jitter",),
        differentiable=False,
        check=lambda out, p, d: out.shape == d.shape and out.dtype == d.dtype,
        samples=lambda: [
            Sample(
                (np.arange(36, dtype="float32").reshape(3, 4, 3),),
                {"brightness": 0.3, "contrast": 0.3, "saturation": 0.3, "hue": 0.1},
            )
        ],
        doc="Brightness, contrast and saturation jitter in random order, then hue jitter.",
    )
)


def _lighting_shift(alpha, like: torch.Tensor) -> torch.Tensor:
    vec = torch.tensor(_EIGVEC, dtype=torch.float64)
    val = torch.tensor(_EIGVAL, dtype=torch.float64)
    return (vec @ (torch.as_tensor(alpha, dtype=torch.float64) * val)).to(like.dtype)


def _adjust_lighting(data, alpha):
    _check_image("image.adjust_lighting", data)
    if data.shape[-1] != 3 or len(alpha) != 3:
        raise MXNetError(
            f"image.adjust_lighting: needs RGB images and 3 alphas, got {shape_str(data.shape)} and alpha={alpha}"
        )
    x = _float(data)
    return _cast_like(x + _lighting_shift(alpha, x), data)


def _lighting_ref(d, alpha):
    shift = np.asarray(_EIGVEC) @ (np.asarray(alpha) * np.asarray(_EIGVAL))
    return (d + shift).astype(d.dtype)


register(
    OpDef(
        "_image_adjust_lighting",
        impl=_adjust_lighting,
        params=(
            Param("alpha", FloatTuple(), None, "The lighting alphas of the R, G, B channels.", required=True),
        ),
        aliases=("image.adjust_lighting",),
        differentiable=False,
        ref=_lighting_ref,
        samples=lambda: [
            Sample((np.arange(36, dtype="float32").reshape(3, 4, 3),), {"alpha": (0.1, -0.2, 0.05)})
        ],
        no_golden=_GOLDEN,
        doc="AlexNet-style PCA lighting: add eigvec @ (alpha * eigval) to every RGB pixel.",
    )
)


def _random_lighting(data, alpha_std):
    _check_image("image.random_lighting", data)
    alpha = (torch.randn(3, dtype=torch.float64) * alpha_std).tolist()
    return _adjust_lighting(data, alpha)


register(
    OpDef(
        "_image_random_lighting",
        impl=_random_lighting,
        params=(Param("alpha_std", Float(), 0.05, "Standard deviation of the lighting alphas."),),
        aliases=("image.random_lighting",),
        differentiable=False,
        check=lambda out, p, d: out.shape == d.shape and (p["alpha_std"] != 0 or np.array_equal(out, d)),
        samples=lambda: [
            Sample((np.arange(36, dtype="float32").reshape(3, 4, 3),), {"alpha_std": 0.0}),
            Sample((np.arange(36, dtype="float32").reshape(3, 4, 3),), {"alpha_std": 0.1}),
        ],
        doc="adjust_lighting with alphas drawn from N(0, alpha_std).",
    )
)


# ------------------------------------------------------------------------------ BilinearSampler
def _bilinear_sampler(data, grid, cudnn_off):
    if data.dim() != 4 or grid.dim() != 4 or grid.shape[1] != 2 or grid.shape[0] != data.shape[0]:
        raise MXNetError(
            f"BilinearSampler: data must be (N, C, H, W) and grid (N, 2, H', W'), got data "
            f"{shape_str(data.shape)} and grid {shape_str(grid.shape)}"
        )
    g = grid.permute(0, 2, 3, 1).to(data.dtype)
    return tF.grid_sample(data, g, mode="bilinear", padding_mode="zeros", align_corners=True)


def _bilinear_sampler_ref(data, grid, **_):
    n, c, h, w = data.shape
    xs = (grid[:, 0] + 1) * (w - 1) / 2
    ys = (grid[:, 1] + 1) * (h - 1) / 2
    out = np.zeros((n, c) + grid.shape[2:], dtype=np.float64)
    x0, y0 = np.floor(xs).astype(int), np.floor(ys).astype(int)
    for dy in (0, 1):
        for dx in (0, 1):
            xi, yi = x0 + dx, y0 + dy
            wgt = (1 - np.abs(xs - xi)) * (1 - np.abs(ys - yi))
            inside = (xi >= 0) & (xi < w) & (yi >= 0) & (yi < h)
            for b in range(n):
                vals = data[b][:, np.clip(yi[b], 0, h - 1), np.clip(xi[b], 0, w - 1)]
                out[b] += vals * np.where(inside[b], wgt[b], 0)
    return out.astype(data.dtype)


register(
    OpDef(
        "BilinearSampler",
        impl=_bilinear_sampler,
        inputs=("data", "grid"),
        params=(Param("cudnn_off", Bool(), False, "Accepted for compatibility."),),
        ref=_bilinear_sampler_ref,
        samples=lambda: [
            Sample(
                (
                    np.arange(2 * 2 * 3 * 4, dtype="float32").reshape(2, 2, 3, 4),
                    np.random.RandomState(1).uniform(-1.2, 1.2, size=(2, 2, 2, 5)).astype("float32"),
                ),
                grad=False,
            )
        ],
        no_golden=_GOLDEN + " (through the Rotate/RandomRotation transforms)",
        doc="Sample data (N, C, H, W) at the normalised coordinates of grid (N, 2, H', W'), -1 and 1 "
        "being the centres of the first and last pixels, bilinearly; points outside read zeros.",
    )
)
