"""ResNet encoders in AsymFusion's shared form (one network, private BN).

Written here rather than wrapped from torchvision: torchvision has no wheel for
the CPU build of torch this library is tested on. Layer names follow
torchvision's ResNet (``conv1``, ``bn1``, ``layer1.0.conv1``, ...,
``layerX.0.downsample.0/1``), so :func:`load_torchvision_resnet` loads an
ImageNet checkpoint from a local file, copying each BN into every modality.

He et al., "Deep Residual Learning for Image Recognition", CVPR 2016,
https://arxiv.org/abs/1512.03385; AsymFusion, https://arxiv.org/abs/2108.05009.
"""
from __future__ import annotations

import os
from typing import Sequence

import torch.nn.functional as F
from torch import Tensor, nn

from ..._option_rules import is_int
from ...functional._checks import (check_channels, check_choice, check_flag, check_int,
                                   check_module_input)
from ...functional.asym import shift_groups
from ..._loading import load_checkpoint
from .bottleneck import AsymFusionBasicBlock, AsymFusionBottleneck, check_exchange_read
from .layers import ModalityBatchNorm2d, modality_list
from .modality import expand_state_dict

__all__ = ["ResNetEncoder", "resnet18", "resnet34", "resnet50", "resnet101",
           "resnet152", "load_torchvision_resnet", "RESNET_LAYERS"]

RESNET_LAYERS = {
    18: ("basic", (2, 2, 2, 2)),
    34: ("basic", (3, 4, 6, 3)),
    50: ("bottleneck", (3, 4, 6, 3)),
    101: ("bottleneck", (3, 4, 23, 3)),
    152: ("bottleneck", (3, 8, 36, 3)),
}
_BLOCKS = {"basic": AsymFusionBasicBlock, "bottleneck": AsymFusionBottleneck}


class ResNetEncoder(nn.Module):
    r"""ResNet encoder for ``M`` modalities: shared convolutions, private BN,
    and AsymFusion's exchange in the last block of each of the four stages
    (docs/methods.md §2.2). The released code does the same in stages of two
    or more blocks; it never fuses a stage's first block, so its one-block
    stages do not fuse, where this encoder fuses that block (**[choice]**: a
    strided one as :class:`AsymFusionBottleneck`'s ``stride`` says).

    The stem (7x7 conv, stride 2, max-pool) and the four stages are
    torchvision's. ``width`` scales every channel count (``64`` is the
    standard ResNet; small widths make CPU-sized networks).

    Args:
        block (str, optional): ``"basic"`` or ``"bottleneck"``. (default: :obj:`"bottleneck"`)
        layers (Sequence[int], optional): blocks per stage (4 entries). (default: :obj:`(3, 4,
            6, 3)`)
        num_modalities (int, optional): ``M``. (default: :obj:`2`)
        in_channels (int, optional): input channels (3; 6 for early concatenation of RGB-D).
            (default: :obj:`3`)
        width (int, optional): channels of the stem; stage ``s`` has ``width * 2**s`` planes.
            A fusion block exchanges groups of :math:`g = \lfloor \mathrm{ratio} \cdot
            \mathrm{planes} \rfloor` channels: a stage of fewer planes than ``1 / ratio``
            (5 at ``ratio=0.2``: ``width < 5`` for the first stage, ``< 3`` for the second)
            has :math:`g = 0` and its fusion block exchanges nothing (see
            :func:`~pyg_fusion.functional.channel_shuffle`), without a notice: small
            widths are for CPU-sized test networks. (default: :obj:`64`)
        fusion (bool, optional): exchange features at the last block of each stage (with
            ``num_modalities >= 2``). ``shuffle``, ``shift``, ``ratio`` and ``shift_pixels``
            set the exchange: given other than their defaults where there is none, they are
            an error. (default: :obj:`True`)
        shuffle (bool, optional): see :class:`AsymFusionBottleneck`. (default: :obj:`True`)
        shift (bool, optional): see :class:`AsymFusionBottleneck`. (default: :obj:`True`)
        ratio (float, optional): see :class:`AsymFusionBottleneck`. (default: :obj:`0.2`)
        shift_pixels (int, optional): see :class:`AsymFusionBottleneck`. (default: :obj:`1`)
        frozen_stats (bool, optional): see :class:`ModalityBatchNorm2d`. (default:
            :obj:`False`)

    Shapes:
        input: list of ``M`` tensors ``[B, in_channels, H, W]``;
        output: list of the 4 stages, each a list of ``M`` tensors
        ``[B, out_channels[s], H / 2**(s+2), W / 2**(s+2)]``.
    """

    def __init__(self, block: str = "bottleneck",
                 layers: Sequence[int] = (3, 4, 6, 3), num_modalities: int = 2,
                 *, in_channels: int = 3, width: int = 64, fusion: bool = True,
                 shuffle: bool = True, shift: bool = True, ratio: float = 0.2,
                 shift_pixels: int = 1, frozen_stats: bool = False):
        super().__init__()
        check_choice("block", block, _BLOCKS)
        layers = tuple(layers)
        if len(layers) != 4 or any(not is_int(n) or n < 1 for n in layers):
            raise ValueError(f"layers must be 4 positive ints, got {layers}")
        layers = tuple(int(n) for n in layers)
        check_int("num_modalities", num_modalities, minimum=1)
        check_int("in_channels", in_channels, minimum=1)
        check_int("width", width, minimum=1)
        # read here as `fusion and i == n - 1`: the blocks see a bool; the
        # norms check frozen_stats
        for name, value in (("fusion", fusion), ("shuffle", shuffle), ("shift", shift)):
            check_flag(name, value)
        shift_groups(4, ratio)  # checked before float() reads it
        check_int("shift_pixels", shift_pixels, minimum=0)
        # set beside fusion=False (or one modality) they changed nothing, without a word
        check_exchange_read(
            "fusion=False" if not fusion else None if num_modalities > 1 else "num_modalities=1",
            shuffle=(shuffle, True), shift=(shift, True), ratio=(ratio, 0.2),
            shift_pixels=(shift_pixels, 1))
        self.block, self.layers = block, layers
        self.num_modalities, self.width = num_modalities, width
        self.in_channels, self.fusion = in_channels, bool(fusion)
        # kept for the repr (the blocks hold them too)
        self.shuffle, self.shift, self.ratio = bool(shuffle), bool(shift), float(ratio)
        self.shift_pixels, self.frozen_stats = shift_pixels, bool(frozen_stats)
        cls = _BLOCKS[block]
        m = num_modalities
        self.conv1 = nn.Conv2d(in_channels, width, 7, stride=2, padding=3,
                               bias=False)
        self.bn1 = ModalityBatchNorm2d(width, m, frozen_stats=frozen_stats)
        inplanes = width
        kw = dict(shuffle=shuffle, shift=shift, ratio=ratio,
                  shift_pixels=shift_pixels, frozen_stats=frozen_stats)
        self.out_channels = []
        for s, n in enumerate(layers):
            planes = width * 2 ** s
            blocks = []
            for i in range(n):
                stride = 2 if (s > 0 and i == 0) else 1
                blocks.append(cls(inplanes, planes, m, stride,
                                  fusion=fusion and i == n - 1, **kw))
                inplanes = planes * cls.expansion
            setattr(self, f"layer{s + 1}", nn.Sequential(*blocks))
            self.out_channels.append(inplanes)
        self._init_weights()

    def reset_parameters(self) -> None:
        # A fresh build draws each convolution's default initialisation (in
        # nn.Conv2d's constructor) before torchvision's: a reset draws both,
        # to give a fresh build's weights under one seed.
        for mod in self.modules():
            if isinstance(mod, nn.Conv2d):
                mod.reset_parameters()
        self._init_weights()

    def _init_weights(self) -> None:
        # torchvision's initialisation: He-normal convs, unit BN
        for mod in self.modules():
            if isinstance(mod, nn.Conv2d):
                nn.init.kaiming_normal_(mod.weight, mode="fan_out",
                                        nonlinearity="relu")
            elif isinstance(mod, nn.BatchNorm2d):
                mod.reset_parameters()

    def forward(self, xs: Sequence[Tensor]) -> list[list[Tensor]]:
        xs = modality_list(xs, self.num_modalities)
        for i, x in enumerate(xs):
            # the stem's own errors name its weight
            check_channels(f"xs[{i}]", x, self.in_channels, dims=(4, ))
            check_module_input(f"xs[{i}]", x, self)
        h = self.bn1([self.conv1(x) for x in xs])
        h = [F.max_pool2d(F.relu(x), 3, 2, 1) for x in h]
        feats = []
        for s in range(4):
            h = getattr(self, f"layer{s + 1}")(h)
            feats.append(h)
        return feats

    def __repr__(self) -> str:
        return (f"{self.__class__.__name__}(block={self.block!r}, "
                f"layers={self.layers}, num_modalities={self.num_modalities}, "
                f"in_channels={self.in_channels}, width={self.width}, fusion={self.fusion}, "
                f"shuffle={self.shuffle}, shift={self.shift}, ratio={self.ratio}, "
                f"shift_pixels={self.shift_pixels}, frozen_stats={self.frozen_stats})")


def _named(depth: int):
    block, layers = RESNET_LAYERS[depth]

    def build(num_modalities: int = 2, **kwargs) -> ResNetEncoder:
        return ResNetEncoder(block, layers, num_modalities, **kwargs)

    build.__name__ = f"resnet{depth}"
    build.__doc__ = (f"ResNet-{depth} encoder ({block} blocks, layers "
                     f"{layers}) in AsymFusion's shared form.\n\n"
                     "Args:\n"
                     "    num_modalities (int, optional): ``M``. (default: :obj:`2`)\n"
                     "    **kwargs (optional): Additional arguments of :class:`ResNetEncoder`.\n"
                     "\nReturns:\n"
                     "    :class:`ResNetEncoder`: the encoder.\n")
    return build


resnet18, resnet34, resnet50 = _named(18), _named(34), _named(50)
resnet101, resnet152 = _named(101), _named(152)


def load_torchvision_resnet(encoder: ResNetEncoder, checkpoint, *,
                            strict: bool = True):
    """Loads a torchvision ImageNet ResNet checkpoint into ``encoder``.

    Shared convolutions take torchvision's weights; every modality's private
    BN takes a copy of torchvision's BN (affine and running statistics). The
    classifier (``fc.*``) is skipped.

    Args:
        encoder (ResNetEncoder): a :class:`ResNetEncoder` with the checkpoint's depth and
            ``width=64``.
        checkpoint (dict or str): a ``state_dict`` or the path of a local ``.pth``
            file (nothing is downloaded).
        strict (bool, optional): see :func:`~pyg_fusion.nn.asym.modality.expand_state_dict`.
            (default: :obj:`True`)

    Returns:
        ``(missing, unexpected)`` keys.
    """
    if not isinstance(checkpoint, (str, os.PathLike)):
        return expand_state_dict(encoder, checkpoint, strict=strict)
    path = os.fspath(checkpoint)
    state = load_checkpoint(path, what="ResNet checkpoint")
    try:
        return expand_state_dict(encoder, state, strict=strict)
    except (KeyError, ValueError) as exc:  # named the keys, not the file that holds them
        msg = exc.args[0] if exc.args else str(exc)
        arch = (f" ({encoder.block} blocks, layers {encoder.layers}, width {encoder.width}; "
                f"a torchvision ResNet-N needs RESNET_LAYERS[N] and width 64)"
                if isinstance(encoder, ResNetEncoder) else "")
        raise type(exc)(f"ResNet checkpoint: {path} does not fit the encoder{arch}: "
                        f"{msg}") from None
