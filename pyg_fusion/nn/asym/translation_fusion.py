"""AsymFusion's exchange at one fusion point of the translation generator
(:class:`~pyg_fusion.nn.asym.AsymFusionTranslator`): a residual block whose
convolution is shared and whose normalisation is private to each modality,
wrapped in channel shuffle and pixel shift.

AsymFusion: Wang et al., ACM MM 2020, https://arxiv.org/abs/2108.05009
(docs/methods.md §2.4, §2.6)."""
from __future__ import annotations

from typing import Callable, Sequence

import torch
from torch import Tensor, nn

from ...functional._checks import (check_channels, check_choice, check_flag, check_int,
                                   check_module_input)
from ...functional.asym import channel_shuffle, pixel_shift, shift_groups
from .layers import ModalityNorm2d, modality_list

__all__ = ["AsymTranslationFusion"]

NORMS = ("batch", "instance")


def _check_norm(norm: str | Callable[[int], nn.Module]) -> None:
    if not callable(norm):
        check_choice("norm", norm, NORMS)


class AsymTranslationFusion(nn.Module):
    r"""AsymFusion's exchange at one fusion point of the U-Net encoder: a
    residual 3x3 block (shared convolution, private norm) wrapped in channel
    shuffle and pixel shift, following the bottleneck data flow of
    docs/methods.md §2.4:

    .. math::
        S &= \mathrm{shuffle}(X), \\
        Y_m &= \mathrm{ReLU}(\mathrm{norm}_m(W * S_m))
              + \mathrm{shift}(X_{(m-1) \bmod M}), \\
        \mathrm{out}_m &= X_m + \mathrm{shuffle}(Y)_m .

    Modality :math:`m` takes channels :math:`[4g, C)` from modality
    :math:`(m+1) \bmod M` (see :func:`~pyg_fusion.functional.asym.channel_shuffle`)
    and the shifted features of modality :math:`(m-1) \bmod M`; with two
    modalities both are "the other one", as in the paper. **[choice]** the
    :math:`(m-1)` partner for the shift with :math:`M > 2` (each modality
    then hears from two others at every point) and the residual connection
    (the U-Net has no bottleneck to host one) are this library's choices.
    With one modality the shuffle and shift are skipped and the block is a
    plain residual block, so a single-modality generator has the same
    parameters.

    Args:
        channels (int): ``C``. Below ``1 / ratio`` (5 at ``ratio=0.2``) the groups have
            :math:`g = \lfloor \mathrm{ratio} \cdot C \rfloor = 0` channels and the
            block exchanges nothing (see
            :func:`~pyg_fusion.functional.asym.channel_shuffle`): a plain residual block.
        num_modalities (int, optional): ``M``. (default: :obj:`2`)
        norm (str | Callable, optional): see :class:`ModalityNorm2d`. (default: :obj:`"batch"`)
        ratio (float, optional): ``g / C`` of shuffle and shift (``0.2`` in the paper).
            (default: :obj:`0.2`)
        shift (int, optional): pixels of the shift (``1`` in the paper). (default: :obj:`1`)
        shuffle (bool, optional): apply the channel shuffle (before the convolution and
            after the block); :obj:`False` for the ablation without it. (default: :obj:`True`)
        use_shift (bool, optional): add the pixel-shifted features of modality
            :math:`(m-1) \bmod M`; :obj:`False` for the ablation without them.
            (default: :obj:`True`)

    Shapes:
        - **input**: list of ``M`` tensors ``[B, channels, H, W]``
        - **output**: list of ``M`` tensors ``[B, channels, H, W]``
    """

    def __init__(self, channels: int, num_modalities: int = 2, *,
                 norm: str | Callable = "batch", ratio: float = 0.2,
                 shift: int = 1, shuffle: bool = True, use_shift: bool = True):
        super().__init__()
        self.channels = check_int("channels", channels, minimum=1)
        self.num_modalities = check_int("num_modalities", num_modalities,
                                        minimum=1)
        shift_groups(channels, ratio)  # a bad ratio fails here, not at the first step
        self.ratio, self.shift = float(ratio), check_int("shift", shift, minimum=0)
        check_flag("shuffle", shuffle)  # "False" shuffled
        check_flag("use_shift", use_shift)
        self.shuffle, self.use_shift = bool(shuffle), bool(use_shift)
        self.conv = nn.Conv2d(channels, channels, 3, padding=1, bias=False)
        self.norm = ModalityNorm2d(channels, num_modalities, norm)

    def reset_parameters(self) -> None:
        self.conv.reset_parameters()
        self.norm.reset_parameters()

    def _shuffle(self, xs: list[Tensor]) -> list[Tensor]:
        if self.shuffle and self.num_modalities > 1:
            return channel_shuffle(xs, self.ratio)
        return xs

    def _one_value(self, x: Tensor) -> str | None:
        # Why the private norm cannot normalise maps of x's size: torch said
        # 'Expected more than 1 spatial element when training' (in evaluation
        # too) or 'more than 1 value per channel', naming no level or argument.
        pixels = x.size(-2) * x.size(-1)
        if self.norm.norm == "instance" and pixels == 1:
            return "an instance norm needs more than one pixel per map"
        if self.norm.norm == "batch" and self.training and pixels * x.size(0) == 1:
            return "a batch norm in training needs more than one value per channel"
        return None

    def forward(self, xs: Sequence[Tensor]) -> list[Tensor]:
        xs = modality_list(xs, self.num_modalities)
        for i, x in enumerate(xs):
            # named here: the shared conv's error names its weight, not the input
            check_channels(f"xs[{i}]", x, self.channels, dims=(4, ), what="channels")
            check_module_input(f"xs[{i}]", x, self)
            if (self.shuffle or self.use_shift) and x.shape != xs[0].shape:
                # the shift's sum said 'The size of tensor a (4) must match the size of
                # tensor b (3)' (shuffle=False), naming no input
                raise ValueError(f"xs[{i}] is {tuple(x.shape)} but xs[0] is "
                                 f"{tuple(xs[0].shape)}: the exchange moves features between "
                                 f"the modalities, which must share the batch size and the "
                                 f"image size")
        why = self._one_value(xs[0])
        if why:
            raise ValueError(f"xs[0] is {tuple(xs[0].shape)}: {why}; give larger feature maps"
                             f" (or a batch of more than one)")
        m = len(xs)
        s = self._shuffle(xs)
        ys = [torch.relu(y) for y in self.norm([self.conv(x) for x in s])]
        if self.use_shift and m > 1:
            ys = [y + pixel_shift(xs[(i - 1) % m], self.shift, self.ratio)
                  for i, y in enumerate(ys)]
        ys = self._shuffle(ys)
        return [x + y for x, y in zip(xs, ys)]

    def __repr__(self) -> str:
        return (f"{self.__class__.__name__}({self.channels}, num_modalities="
                f"{self.num_modalities}, norm={self.norm.norm!r}, ratio={self.ratio}, "
                f"shift={self.shift}, shuffle={self.shuffle}, use_shift={self.use_shift})")
