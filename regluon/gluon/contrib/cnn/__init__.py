"""``gluon.contrib.cnn``: DeformableConvolution and ModulatedDeformableConvolution."""

from .conv_layers import DeformableConvolution, ModulatedDeformableConvolution

__all__ = ["DeformableConvolution", "ModulatedDeformableConvolution"]
