"""RefineNet decoders for the shared AsymFusion network.

* full (``light=False``), the decoder of the AsymFusion release: per level a
  3x3 reduction, residual conv units (RCU), chained residual pooling (CRP)
  with 3x3 convs, more RCUs; Lin et al., "RefineNet: Multi-Path Refinement
  Networks for High-Resolution Semantic Segmentation", CVPR 2017,
  https://arxiv.org/abs/1611.06612.
* light (``light=True``): Light-Weight RefineNet, 1x1 reductions and CRP with
  1x1 convs, no RCU; Nekrasov et al., BMVC 2018,
  https://arxiv.org/abs/1810.03272.

The decoder has no BatchNorm; AsymFusion shares all of it between modalities
(:class:`~pyg_fusion.nn.asym.AsymFusionSegmenter` applies one decoder to each
modality's features).
"""
from __future__ import annotations

from collections.abc import Iterable
from typing import Sequence

import torch.nn.functional as F
from torch import Tensor, nn

from ..._option_rules import is_int
from ...functional._checks import (check_channels, check_dropout, check_flag, check_int,
                                   check_module_input)
from .._reset import reset_children
from .bottleneck import _conv

__all__ = ["RefineNetDecoder", "ResidualConvUnit", "ChainedResidualPooling"]


class ResidualConvUnit(nn.Module):
    r"""``blocks`` residual units, each
    :math:`x \leftarrow x + W_2 * \mathrm{ReLU}(W_1 * \mathrm{ReLU}(x))`
    (3x3 convs; the first of each unit has a bias, as in the release).

    Args:
        channels (int): input and output channels.
        blocks (int, optional): residual units. (default: :obj:`2`)

    Shapes:
        - **input**: ``[B, channels, H, W]``
        - **output**: ``[B, channels, H, W]``
    """

    def __init__(self, channels: int, blocks: int = 2):
        super().__init__()
        self.channels, self.blocks = channels, blocks
        self.convs = nn.ModuleList(
            nn.Sequential(nn.ReLU(), _conv(channels, channels, 3, bias=True),
                          nn.ReLU(), _conv(channels, channels, 3))
            for _ in range(blocks))

    def reset_parameters(self) -> None:
        reset_children(self)

    def forward(self, x: Tensor) -> Tensor:
        check_channels("x", x, self.channels, dims=(4, ), what="channels")
        check_module_input("x", x, self)
        for unit in self.convs:
            x = x + unit(x)
        return x

    def __repr__(self) -> str:
        return f"{self.__class__.__name__}({self.channels}, blocks={self.blocks})"


class ChainedResidualPooling(nn.Module):
    r"""Chained residual pooling: :math:`t_0 = x`,
    :math:`t_i = W_i * \mathrm{maxpool}_{5 \times 5}(t_{i-1})`,
    output :math:`x + \sum_i t_i`.

    Args:
        channels (int): input and output channels.
        stages (int, optional): pooling stages. (default: :obj:`4`)
        kernel_size (int, optional): side of each stage's convolution. (default: :obj:`3`)

    Shapes:
        - **input**: ``[B, channels, H, W]``
        - **output**: ``[B, channels, H, W]``
    """

    def __init__(self, channels: int, stages: int = 4, kernel_size: int = 3):
        super().__init__()
        self.channels, self.stages, self.kernel_size = channels, stages, kernel_size
        self.convs = nn.ModuleList(_conv(channels, channels, kernel_size)
                                   for _ in range(stages))

    def reset_parameters(self) -> None:
        reset_children(self)

    def forward(self, x: Tensor) -> Tensor:
        check_channels("x", x, self.channels, dims=(4, ), what="channels")
        check_module_input("x", x, self)
        top = x
        for conv in self.convs:
            top = conv(F.max_pool2d(top, 5, stride=1, padding=2))
            x = x + top
        return x

    def __repr__(self) -> str:
        return (f"{self.__class__.__name__}({self.channels}, stages={self.stages}, "
                f"kernel_size={self.kernel_size})")


class _Level(nn.Module):
    def __init__(self, cin, ch, cout, light, top):
        super().__init__()
        k = 1 if light else 3
        self.reduce = _conv(cin, ch, k)
        self.adapt = nn.Identity() if light else ResidualConvUnit(ch, 2)
        # the top level has nothing to join; the others project before adding
        self.join = None if top else _conv(ch, ch, k)
        self.pool = ChainedResidualPooling(ch, 4, k)
        self.post = nn.Identity() if light else ResidualConvUnit(ch, 3)
        self.out = None if cout is None else _conv(ch, cout, k)

    def reset_parameters(self) -> None:
        reset_children(self)

    def forward(self, x: Tensor, upper: Tensor | None) -> Tensor:
        x = self.adapt(self.reduce(x))
        if self.join is not None:
            x = self.join(x)
        if upper is not None:
            x = x + F.interpolate(upper, size=x.shape[-2:], mode="bilinear",
                                  align_corners=True)
        x = self.post(self.pool(F.relu(x)))
        return x if self.out is None else self.out(x)


class RefineNetDecoder(nn.Module):
    r"""Four-level RefineNet decoder: from the deepest level up, each level
    reduces its encoder features, adds the upsampled output of the level above
    and refines with chained residual pooling; a 3x3 classifier on the
    shallowest level gives the logits at 1/4 of the input resolution.

    Widths follow the release (512 on the deepest level, 256 elsewhere) scaled
    by ``features``: the deepest level has ``2 * features`` channels.

    Args:
        in_channels (Sequence[int] or int): channels of the 4 encoder levels (shallow to
            deep), or one int for every level (an encoder's ``out_channels`` in torchvision's
            ``BackboneWithFPN`` convention, as :class:`SeparateEncoders` keeps it).
        num_classes (int): output channels.
        features (int, optional): decoder width (256 in the release). (default: :obj:`256`)
        light (bool, optional): Light-Weight RefineNet instead of the full one. (default:
            :obj:`False`)
        dropout (float, optional): dropout on the two deepest inputs and before the classifier
            (0.5 in the release). (default: :obj:`0.5`)

    Shapes:
        input: list of 4 tensors ``[B, in_channels[s], H_s, W_s]``;
        output: ``[B, num_classes, H_0, W_0]``.
    """

    def __init__(self, in_channels: Sequence[int] | int, num_classes: int, *,
                 features: int = 256, light: bool = False,
                 dropout: float = 0.5):
        super().__init__()
        # an int: every level's width (SeparateEncoders' out_channels); anything
        # else but a sequence was Python's "'float' object is not iterable"
        if is_int(in_channels):
            in_channels = (check_int("in_channels", in_channels, minimum=1), ) * 4
        elif not isinstance(in_channels, Iterable) or isinstance(in_channels, str):
            raise TypeError(f"in_channels must be an int or 4 ints (the encoder levels' "
                            f"channels), got {type(in_channels).__name__}")
        in_channels = tuple(in_channels)
        if len(in_channels) != 4:
            raise ValueError(f"in_channels must list 4 levels, got {in_channels}")
        # Python ints, for the repr (it printed np.int64(8)) and configs; a
        # level of 0 channels failed in a conv naming no argument
        in_channels = tuple(check_int(f"in_channels[{i}]", c, minimum=1)
                            for i, c in enumerate(in_channels))
        num_classes = check_int("num_classes", num_classes, minimum=1)
        features = check_int("features", features, minimum=1)
        check_dropout("dropout", dropout)
        check_flag("light", light)  # "False" built the light decoder
        self.in_channels, self.num_classes = in_channels, num_classes
        self.features, self.light, self.p = features, bool(light), dropout
        f = features
        c1, c2, c3, c4 = in_channels
        self.level4 = _Level(c4, 2 * f, f, self.light, top=True)
        self.level3 = _Level(c3, f, f, self.light, top=False)
        self.level2 = _Level(c2, f, f, self.light, top=False)
        self.level1 = _Level(c1, f, None, self.light, top=False)
        self.classifier = _conv(f, num_classes, 3, bias=True)

    def reset_parameters(self) -> None:
        for mod in self.modules():
            if isinstance(mod, nn.Conv2d):
                mod.reset_parameters()

    def forward(self, feats: Sequence[Tensor]) -> Tensor:
        if len(feats) != 4:
            raise ValueError(f"feats must hold 4 levels, got {len(feats)}")
        for i, (f, c) in enumerate(zip(feats, self.in_channels)):
            check_channels(f"feats[{i}]", f, c, dims=(4, ), what=f"in_channels[{i}]")
            check_module_input(f"feats[{i}]", f, self)
        l1, l2, l3, l4 = feats
        drop = lambda x: F.dropout(x, self.p, self.training)  # noqa: E731
        x = self.level4(drop(l4), None)
        x = self.level3(drop(l3), x)
        x = self.level2(l2, x)
        x = self.level1(l1, x)
        return self.classifier(drop(x))

    def __repr__(self) -> str:
        return (f"{self.__class__.__name__}({list(self.in_channels)}, "
                f"num_classes={self.num_classes}, features={self.features}, "
                f"light={self.light}, dropout={self.p})")
