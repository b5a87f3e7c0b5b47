"""ResNet blocks in AsymFusion's shared form, with the asymmetric exchange.

Wang et al., "Learning Deep Multimodal Feature Representation with Asymmetric
Multi-layer Fusion", ACM MM 2020, https://arxiv.org/abs/2108.05009
(docs/methods.md §2.1-2.4). Convolutions are shared by all modalities,
BatchNorms are private (:class:`ModalityBatchNorm2d`); a block with
``fusion=True`` exchanges features between modalities with the parameter-free
:func:`~pyg_fusion.functional.channel_shuffle` and
:func:`~pyg_fusion.functional.pixel_shift`.
"""
from __future__ import annotations

from typing import Sequence

import torch.nn.functional as F
from torch import Tensor, nn

from ...functional._checks import check_channels, check_flag, check_int, check_module_input
from ...functional.asym import channel_shuffle, pixel_shift, shift_groups
from .._reset import reset_children
from .layers import ModalityBatchNorm2d, modality_list

__all__ = ["AsymFusionBottleneck", "AsymFusionBasicBlock"]


def _conv(cin: int, cout: int, k: int, stride: int = 1, *, bias: bool = False) -> nn.Conv2d:
    # "same" padding (odd k): the blocks' and the RefineNet decoder's convolutions
    return nn.Conv2d(cin, cout, k, stride=stride, padding=k // 2, bias=bias)


def _each(module: nn.Module, xs: Sequence[Tensor]) -> list[Tensor]:
    # A plain shared layer applied to each modality: kept as an nn.Conv2d (not
    # wrapped) so that state_dict keys equal torchvision's.
    return [module(x) for x in xs]


def _relu(xs: Sequence[Tensor]) -> list[Tensor]:
    return [F.relu(x) for x in xs]


def check_exchange_read(off: str | None, **given) -> None:
    """Refuses settings of the exchange given where no block exchanges.

    ``given`` maps a setting's name to ``(value, default)``; a value other
    than its default beside ``off`` (what turns the exchange off, as the
    caller's arguments name it: ``"fusion=False"``), or :obj:`None` where
    the exchange is on, is a ValueError naming both: the setting changed
    nothing, without a word.

    Args:
        off (str | None): the argument that turns the exchange off, or :obj:`None`.
        **given (tuple): ``name=(value, default)`` of each setting of the exchange.
    """
    named = _unread(off, given)
    if named:
        raise ValueError(f"{', '.join(named)}: not read with {off}, where no block exchanges "
                         f"features; leave {' and '.join(n.split('=')[0] for n in named)} "
                         f"out, or turn the exchange on")


def _unread(off: str | None, given: dict) -> list[str]:
    return [] if off is None else [f"{n}={v!r}" for n, (v, d) in given.items() if v != d]


def drop_unread_exchange(settings: dict, off: str | None, defaults: dict,
                         what: str) -> dict:
    """``settings`` without the exchange's settings that
    :func:`check_exchange_read` refuses, with a notice naming them: a
    checkpoint saved before they were refused holds them (its network was
    built without reading them, so its weights are the same without them).

    Args:
        settings (dict): the saved arguments (a module's hyper-parameters).
        off (str | None): the argument that turns the exchange off, or :obj:`None`.
        defaults (dict): each setting of the exchange and its default.
        what (str): where the settings come from (the checkpoint), for the notice.
    """
    named = _unread(off, {n: (settings[n], d) for n, d in defaults.items() if n in settings})
    if not named:
        return settings
    from ..._notices import notice
    notice(f"{what}: {', '.join(named)} not read with {off}, where no block exchanges "
           f"features (saved before such settings were refused): dropped; the network is "
           f"the one that was trained", stacklevel=3)
    dropped = {n.split("=")[0] for n in named}
    return {k: v for k, v in settings.items() if k not in dropped}


class _AsymBlock(nn.Module):
    @staticmethod
    def _sizes(inplanes, planes, stride) -> tuple[int, int, int]:
        # a stride of 0 or 2.0 (or planes of 2.0) was taken and failed at the
        # first step, or in a BatchNorm, with torch's error naming no argument
        return (check_int("inplanes", inplanes, minimum=1),
                check_int("planes", planes, minimum=1),
                check_int("stride", stride, minimum=1))

    def _init_fusion(self, num_modalities, stride, fusion, shuffle, shift,
                     ratio, shift_pixels):
        check_int("num_modalities", num_modalities, minimum=1)
        self.num_modalities = num_modalities
        for flag, value in (("fusion", fusion), ("shuffle", shuffle), ("shift", shift)):
            check_flag(flag, value)  # "False" switched it on
        self.fusion = bool(fusion) and num_modalities > 1
        self.shuffle = bool(shuffle)
        self.shift = bool(shift)
        shift_groups(4, ratio)  # a bad ratio fails here, not at the first step
        self.ratio = float(ratio)
        self.shift_pixels = check_int("shift_pixels", shift_pixels, minimum=0)
        # The paper fuses only stride-1 blocks. In a strided bottleneck (a
        # one-block stage) the pre-conv features are subsampled by the stride
        # before the shift so that they meet the post-conv grid.
        self.stride = stride

    def _shuffled(self, xs: list[Tensor]) -> list[Tensor]:
        if self.fusion and self.shuffle:
            return channel_shuffle(xs, self.ratio)
        return xs

    def _add_shift(self, ys: list[Tensor], xs: list[Tensor]) -> list[Tensor]:
        if not (self.fusion and self.shift):
            return ys
        m, s = len(xs), self.stride
        if s != 1:
            xs = [x[..., ::s, ::s] for x in xs]
        # modality i receives the shifted features of modality (i + 1) mod M
        return [ys[i] + pixel_shift(xs[(i + 1) % m], self.shift_pixels,
                                    self.ratio) for i in range(m)]

    def _residual(self, xs: list[Tensor]) -> list[Tensor]:
        if self.downsample is None:
            return xs
        conv, bn = self.downsample
        return bn(_each(conv, xs))

    def _check(self, xs) -> list[Tensor]:
        xs = modality_list(xs, self.num_modalities)
        for i, x in enumerate(xs):
            check_channels(f"xs[{i}]", x, self.conv1.in_channels, dims=(4, ),
                           what="inplanes")
            check_module_input(f"xs[{i}]", x, self)
            if self.fusion and x.shape != xs[0].shape:
                # named here: the exchange's own error showed the mid-width
                # features' shapes, which are not what the caller passed
                raise ValueError(f"xs[{i}] is {tuple(x.shape)} but xs[0] is "
                                 f"{tuple(xs[0].shape)}: a fusion block exchanges features "
                                 f"between the modalities, which must share the batch size "
                                 f"and the image size")
        return list(xs)

    def extra_repr(self) -> str:
        return (f"num_modalities={self.num_modalities}, fusion={self.fusion}, "
                f"shuffle={self.shuffle}, shift={self.shift}, ratio={self.ratio}, "
                f"shift_pixels={self.shift_pixels}")


def _downsample(cin, cout, stride, m, frozen):
    if stride == 1 and cin == cout:
        return None
    # Sequential keeps torchvision's keys: downsample.0 (conv), downsample.1 (BN)
    return nn.Sequential(_conv(cin, cout, 1, stride),
                         ModalityBatchNorm2d(cout, m, frozen_stats=frozen))


class AsymFusionBottleneck(_AsymBlock):
    r"""ResNet bottleneck (torchvision's v1.5 layout: stride on the 3x3 conv)
    with shared convolutions, private BatchNorm and, with ``fusion=True``, the
    asymmetric exchange of AsymFusion on the mid-width features (docs/methods.md §2.4):

    .. math::
        X_m &= \mathrm{ReLU}(\mathrm{BN}^1_m(W_1 * x_m)), \quad
        S = \mathrm{shuffle}(X) \\
        Y_m &= \mathrm{ReLU}(\mathrm{BN}^2_m(W_2 * S_m))
              + \mathrm{shift}(X_{(m+1) \bmod M}), \quad
        Z = \mathrm{shuffle}(Y) \\
        \mathrm{out}_m &= \mathrm{ReLU}(\mathrm{BN}^3_m(W_3 * Z_m)
              + \mathrm{residual}(x_m))

    With two modalities, :math:`(m + 1) \bmod 2` is "the other modality" of the
    paper: RGB -> depth and depth -> RGB at every fusion block.

    Args:
        inplanes (int): input channels.
        planes (int): bottleneck channels; the output has ``4 * planes``.
        num_modalities (int, optional): ``M``. (default: :obj:`2`)
        stride (int, optional): of the 3x3 convolution. The paper fuses stride-1 blocks only;
            in a strided fusion block (a one-block stage) the shifted features are subsampled
            by the stride to meet the output grid (this library's choice). (default: :obj:`1`)
        fusion (bool, optional): exchange features between modalities in this block. (default:
            :obj:`False`)
        shuffle (bool, optional): apply the channel shuffle (with ``fusion``);
            :obj:`False` for the ablation without it. (default: :obj:`True`)
        shift (bool, optional): add the pixel-shifted features of modality
            :math:`(m+1) \bmod M` (with ``fusion``); :obj:`False` for the ablation
            without them. (default: :obj:`True`)
        ratio (float, optional): ``g / C`` of the exchanges (``0.2``: ``g = C // 5``).
            (default: :obj:`0.2`)
        shift_pixels (int, optional): pixel-shift distance. (default: :obj:`1`)
        frozen_stats (bool, optional): see :class:`ModalityBatchNorm2d`. (default:
            :obj:`False`)

    Shapes:
        input: list of ``M`` tensors ``[B, inplanes, H, W]``;
        output: list of ``M`` tensors ``[B, 4 * planes, H / stride, W / stride]``.
    """
    expansion = 4

    def __init__(self, inplanes: int, planes: int, num_modalities: int = 2,
                 stride: int = 1, *, fusion: bool = False, shuffle: bool = True,
                 shift: bool = True, ratio: float = 0.2, shift_pixels: int = 1,
                 frozen_stats: bool = False):
        super().__init__()
        inplanes, planes, stride = self._sizes(inplanes, planes, stride)
        self._init_fusion(num_modalities, stride, fusion, shuffle, shift,
                          ratio, shift_pixels)
        m, out = num_modalities, planes * self.expansion
        self.conv1 = _conv(inplanes, planes, 1)
        self.bn1 = ModalityBatchNorm2d(planes, m, frozen_stats=frozen_stats)
        self.conv2 = _conv(planes, planes, 3, stride)
        self.bn2 = ModalityBatchNorm2d(planes, m, frozen_stats=frozen_stats)
        self.conv3 = _conv(planes, out, 1)
        self.bn3 = ModalityBatchNorm2d(out, m, frozen_stats=frozen_stats)
        self.downsample = _downsample(inplanes, out, stride, m, frozen_stats)

    def reset_parameters(self) -> None:
        reset_children(self)

    def forward(self, xs: Sequence[Tensor]) -> list[Tensor]:
        xs = self._check(xs)
        x1 = _relu(self.bn1(_each(self.conv1, xs)))
        y = _relu(self.bn2(_each(self.conv2, self._shuffled(x1))))
        y = self._shuffled(self._add_shift(y, x1))
        y = self.bn3(_each(self.conv3, y))
        res = self._residual(xs)
        return [F.relu(a + b) for a, b in zip(y, res)]


class AsymFusionBasicBlock(_AsymBlock):
    r"""ResNet basic block (ResNet-18/34) in the shared form.

    A basic block has no mid-width 1x1 structure, so the exchange acts on the
    features between its two 3x3 convolutions (this library's placement; the
    paper fuses bottlenecks only):

    .. math::
        X_m &= \mathrm{ReLU}(\mathrm{BN}^1_m(W_1 * x_m)), \quad
        S = \mathrm{shuffle}(X) \\
        Y_m &= \mathrm{BN}^2_m(W_2 * S_m) + \mathrm{shift}(X_{(m+1) \bmod M}),
        \quad Z = \mathrm{shuffle}(Y) \\
        \mathrm{out}_m &= \mathrm{ReLU}(Z_m + \mathrm{residual}(x_m))

    Args:
        inplanes (int): input channels.
        planes (int): channels of the block and of its output (not ``4 * planes``, as
            :class:`AsymFusionBottleneck`'s).
        num_modalities (int, optional): ``M``. (default: :obj:`2`)
        stride (int, optional): of the first 3x3 convolution (see
            :class:`AsymFusionBottleneck`). (default: :obj:`1`)
        fusion (bool, optional): exchange features between modalities in this block.
            (default: :obj:`False`)
        shuffle (bool, optional): the channel shuffle (ablations). (default: :obj:`True`)
        shift (bool, optional): the pixel shift (ablations). (default: :obj:`True`)
        ratio (float, optional): ``g / C`` of the exchanges. (default: :obj:`0.2`)
        shift_pixels (int, optional): pixels of the pixel shift. (default: :obj:`1`)
        frozen_stats (bool, optional): keep the BatchNorms' running statistics fixed
            (see :class:`ModalityBatchNorm2d`). (default: :obj:`False`)

    Shapes:
        input: list of ``M`` tensors ``[B, inplanes, H, W]``;
        output: list of ``M`` tensors ``[B, planes, H / stride, W / stride]``.
    """
    expansion = 1

    def __init__(self, inplanes: int, planes: int, num_modalities: int = 2,
                 stride: int = 1, *, fusion: bool = False, shuffle: bool = True,
                 shift: bool = True, ratio: float = 0.2, shift_pixels: int = 1,
                 frozen_stats: bool = False):
        super().__init__()
        inplanes, planes, stride = self._sizes(inplanes, planes, stride)
        # the exchange follows conv1, which already carries the stride
        self._init_fusion(num_modalities, 1, fusion, shuffle, shift, ratio,
                          shift_pixels)
        m = num_modalities
        self.conv1 = _conv(inplanes, planes, 3, stride)
        self.bn1 = ModalityBatchNorm2d(planes, m, frozen_stats=frozen_stats)
        self.conv2 = _conv(planes, planes, 3)
        self.bn2 = ModalityBatchNorm2d(planes, m, frozen_stats=frozen_stats)
        self.downsample = _downsample(inplanes, planes, stride, m, frozen_stats)

    reset_parameters = AsymFusionBottleneck.reset_parameters

    def forward(self, xs: Sequence[Tensor]) -> list[Tensor]:
        xs = self._check(xs)
        x1 = _relu(self.bn1(_each(self.conv1, xs)))
        y = self.bn2(_each(self.conv2, self._shuffled(x1)))
        y = self._shuffled(self._add_shift(y, x1))
        res = self._residual(xs)
        return [F.relu(a + b) for a, b in zip(y, res)]
