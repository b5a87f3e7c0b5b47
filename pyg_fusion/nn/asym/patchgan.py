"""The PatchGAN discriminator of pix2pix (Isola et al., CVPR 2017,
`paper <https://arxiv.org/abs/1611.07004>`_) and its GAN losses, for
AsymFusion's image translation (docs/methods.md §2.6)."""
from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import Tensor, nn

from ...functional._checks import (check_choice, check_flag, check_int, check_like,
                                   check_module_input, check_tensor)
from .layers import _empty_instance_norm

__all__ = ["PatchGANDiscriminator", "gan_loss", "GAN_MODES"]

GAN_MODES = ("vanilla", "lsgan")


def gan_loss(logits: Tensor, real: bool, mode: str = "vanilla") -> Tensor:
    r"""GAN loss of a batch of patch logits against an all-real or all-fake
    label: ``"vanilla"`` is binary cross-entropy on logits (pix2pix's
    default), ``"lsgan"`` the least-squares loss :math:`(D(x) - t)^2`; 0
    (with zero gradients) for no logit, an empty batch.

    Args:
        logits (torch.Tensor): any shape, raw discriminator outputs.
        real (bool): the target label (1 if ``True``, else 0).
        mode (str, optional): ``"vanilla"`` or ``"lsgan"``. (default: :obj:`"vanilla"`)

    Returns:
        torch.Tensor: the mean loss, a scalar.
    """
    check_tensor("logits", logits, floating=True)
    check_choice("mode", mode, GAN_MODES)
    check_flag("real", real)  # "False" was the all-real target
    if logits.numel() == 0:  # torch's mean over no patch was NaN, and NaN weights after a step
        return logits.sum() * 0
    target = torch.full_like(logits, 1.0 if real else 0.0)
    if mode == "vanilla":
        return F.binary_cross_entropy_with_logits(logits, target)
    return F.mse_loss(logits, target)


class PatchGANDiscriminator(nn.Module):
    r"""The conditional PatchGAN of pix2pix (Isola et al., CVPR 2017,
    https://arxiv.org/abs/1611.07004): a fully convolutional network that
    scores every overlapping patch of ``[condition, image]`` as real or fake.

    Layers: ``Conv4x4(s2) -> LReLU``, then ``num_layers - 1`` blocks
    ``Conv4x4(s2) -> norm -> LReLU`` doubling the width (at most 8 ndf), one
    ``Conv4x4(s1) -> norm -> LReLU`` and a ``Conv4x4(s1)`` to one logit per
    patch. With ``num_layers=3`` each logit sees a 70x70 patch (pix2pix's
    default); ``num_layers=2`` a 34x34 patch, suited to 32x32 images.
    Inputs must be at least :meth:`min_input_size` pixels high and wide.

    Args:
        in_channels (int): channels of the condition and the image, concatenated (for
            translation: all input modalities plus the output image).
        ndf (int, optional): width of the first layer. (default: :obj:`64`)
        num_layers (int, optional): stride-2 layers. (default: :obj:`3`)
        norm (str, optional): ``"batch"``, ``"instance"`` or ``"none"``. (default:
            :obj:`"batch"`)

    Shapes:
        input: ``[B, in_channels, H, W]`` (or a condition and an image, which
        are concatenated along channels);
        output: ``[B, 1, H', W']`` patch logits.
    """

    def __init__(self, in_channels: int, ndf: int = 64, num_layers: int = 3,
                 norm: str = "batch"):
        super().__init__()
        self.in_channels = check_int("in_channels", in_channels, minimum=1)
        self.ndf = check_int("ndf", ndf, minimum=1)
        self.num_layers = check_int("num_layers", num_layers, minimum=1)
        check_choice("norm", norm, ("batch", "instance", "none"))
        self.norm = norm

        def make_norm(c: int) -> nn.Module:
            if norm == "batch":
                return nn.BatchNorm2d(c)
            if norm == "instance":
                return nn.InstanceNorm2d(c, affine=True)
            return nn.Identity()

        bias = norm != "batch"
        layers: list[nn.Module] = [nn.Conv2d(in_channels, ndf, 4, 2, 1),
                                   nn.LeakyReLU(0.2)]
        c = ndf
        for i in range(1, num_layers + 1):
            c_next = ndf * min(2 ** i, 8)
            stride = 2 if i < num_layers else 1
            layers += [nn.Conv2d(c, c_next, 4, stride, 1, bias=bias),
                       make_norm(c_next), nn.LeakyReLU(0.2)]
            c = c_next
        layers.append(nn.Conv2d(c, 1, 4, 1, 1))
        self.net = nn.Sequential(*layers)

    @staticmethod
    def min_input_size(num_layers: int) -> int:
        r"""The smallest input side the critic runs on, :math:`3 \cdot
        2^{L}`: each stride-2 layer halves the side (rounding down), and the
        two final 4x4 stride-1 layers (padding 1) each take one pixel off, so
        :math:`\lfloor H / 2^L \rfloor - 2` must be at least 1.

        Args:
            num_layers (int): stride-2 layers ``L``.
        """
        return 3 * 2 ** num_layers

    def reset_parameters(self) -> None:
        for m in self.net:
            if hasattr(m, "reset_parameters"):
                m.reset_parameters()

    def forward(self, x: Tensor, image: Tensor | None = None) -> Tensor:
        if image is not None:
            check_tensor("image", image, dims=(4, ))
            check_like("image", image, "x", check_tensor("x", x, dims=(4, )))  # cat would promote
            if (image.size(0), *image.shape[-2:]) != (x.size(0), *x.shape[-2:]):
                # torch.cat's error named 'tensor number 1' of a list the caller never made
                raise ValueError(f"image is {tuple(image.shape)} but the condition x is "
                                 f"{tuple(x.shape)}: they must share the batch size and the "
                                 f"image size")
            x = torch.cat([x, image], dim=1)
        check_tensor("x", x, dims=(4, ), floating=True)
        check_module_input("x", x, self)
        if x.size(1) != self.in_channels:
            raise ValueError(f"discriminator input must have {self.in_channels}"
                             f" channels (condition + image), got {x.size(1)}")
        need = self.min_input_size(self.num_layers)
        if min(x.shape[-2:]) < need:
            raise ValueError(f"x height and width must be >= {need} (3 * 2**num_layers, "
                             f"num_layers={self.num_layers}), got {tuple(x.shape[-2:])}")
        if x.size(0) == 0 and self.norm == "instance":  # see _empty_instance_norm
            for layer in self.net:
                x = _empty_instance_norm(layer, x) if isinstance(layer, nn.InstanceNorm2d) \
                    else layer(x)
            return x
        return self.net(x)

    def __repr__(self) -> str:
        return (f"{self.__class__.__name__}({self.in_channels}, ndf={self.ndf}, "
                f"num_layers={self.num_layers}, norm={self.norm!r})")
