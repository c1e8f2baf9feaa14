"""mx.image: image decoding (Pillow), OpenCV-compatible resizing, crops and normalisation.

Example
-------
>>> img = mx.image.imread('cat.jpg')          # (H, W, 3) uint8, RGB
>>> small = mx.image.resize_short(img, 256)
>>> crop, box = mx.image.center_crop(small, (224, 224))
"""

from . import augment, detection, image
from . import detection as det
from .augment import (
    Augmenter,
    BrightnessJitterAug,
    CastAug,
    CenterCropAug,
    ColorJitterAug,
    ColorNormalizeAug,
    ContrastJitterAug,
    CreateAugmenter,
    ForceResizeAug,
    HorizontalFlipAug,
    HueJitterAug,
    LightingAug,
    RandomCropAug,
    RandomGrayAug,
    RandomOrderAug,
    RandomSizedCropAug,
    ResizeAug,
    SaturationJitterAug,
    SequentialAug,
)
from .detection import (
    CreateDetAugmenter,
    CreateMultiRandCropAugmenter,
    DetAugmenter,
    DetBorrowAug,
    DetHorizontalFlipAug,
    DetRandomCropAug,
    DetRandomPadAug,
    DetRandomSelectAug,
    ImageDetIter,
)
from .image import (
    center_crop,
    color_normalize,
    copyMakeBorder,
    fixed_crop,
    imdecode,
    imread,
    imresize,
    imrotate,
    random_crop,
    random_rotate,
    random_size_crop,
    resize_short,
    scale_down,
)
from .image_iter import ImageIter

# MXNet's module names: ``mx.image.det`` (= ``mx.image.detection``) holds the detection API, and
# ``mx.image.image`` holds, besides the functions, the augmenters and ImageIter.
for _name in ("ImageIter", "CreateAugmenter", "Augmenter") + tuple(
    n for n in dir(augment) if n.endswith("Aug")
):
    setattr(image, _name, globals()[_name])
del _name

__all__ = [
    "det",
    "detection",
    "image",
    "imread",
    "imdecode",
    "imresize",
    "resize_short",
    "fixed_crop",
    "random_crop",
    "center_crop",
    "random_size_crop",
    "color_normalize",
    "scale_down",
    "copyMakeBorder",
    "imrotate",
    "random_rotate",
    "ImageIter",
    "Augmenter",
    "SequentialAug",
    "RandomOrderAug",
    "ResizeAug",
    "ForceResizeAug",
    "RandomCropAug",
    "RandomSizedCropAug",
    "CenterCropAug",
    "BrightnessJitterAug",
    "ContrastJitterAug",
    "SaturationJitterAug",
    "HueJitterAug",
    "ColorJitterAug",
    "LightingAug",
    "ColorNormalizeAug",
    "RandomGrayAug",
    "HorizontalFlipAug",
    "CastAug",
    "CreateAugmenter",
    "ImageDetIter",
    "DetAugmenter",
    "DetBorrowAug",
    "DetRandomSelectAug",
    "DetHorizontalFlipAug",
    "DetRandomCropAug",
    "DetRandomPadAug",
    "CreateMultiRandCropAugmenter",
    "CreateDetAugmenter",
]
