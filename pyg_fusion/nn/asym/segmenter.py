"""AsymFusion for RGB-D semantic segmentation (docs/methods.md §2.5).

Wang et al., ACM MM 2020, https://arxiv.org/abs/2108.05009.
"""
from __future__ import annotations

from contextlib import contextmanager, nullcontext
from typing import Callable, Sequence

import torch
import torch.nn.functional as F
from torch import Tensor, nn

from ..._option_rules import is_int
from ...functional._checks import (channel_count, check_choice, check_flag, check_int, check_like,
                                   check_module_input, check_names, check_tensor)
from .._reset import assign, reset_module
from .._source_order import SourceOrderState
from .bottleneck import check_exchange_read
from .layers import _ANY_BATCH_NORM
from .modality import SharedModalityNetwork
from .refinenet import RefineNetDecoder
from .resnet import RESNET_LAYERS, ResNetEncoder
from .separate_encoders import SeparateEncoders, _encode, _levels_of

__all__ = ["AsymFusionSegmenter", "SeparateEncoders", "asym_segmentation_loss",
           "asym_fusion_segmenter"]


@contextmanager
def _one_value_per_channel(model: nn.Module, message: Callable[[str, list], str]):
    """Refuses, naming the layer, a call of ``model`` that leaves a BatchNorm
    layer in need of batch statistics (training, or none kept) one value per
    channel: torch's 'Expected more than 1 value per channel when training'
    named neither the layer nor what to change. ``message(name, shape)`` words
    the ValueError. Only batches of one image can do that: callers enter it for
    those alone, the hooks are removed on exit."""

    def check(name):
        def hook(layer, args):
            x = args[0]
            if x.numel() == x.size(1) and (layer.training or layer.running_mean is None):
                raise ValueError(message(name, list(x.shape)))
        return hook

    handles = [m.register_forward_pre_hook(check(name))
               for name, m in model.named_modules() if isinstance(m, _ANY_BATCH_NORM)]
    try:
        yield
    finally:
        for h in handles:
            h.remove()


def _input_channels(encoder: nn.Module, m: int) -> list:
    """The channels of each modality's input where the encoder states them
    (``in_channels``; per branch of :class:`SeparateEncoders`), else ``None``: the
    first Conv2d among its modules need not be its stem, nor exist."""
    def stated(enc):
        c = getattr(enc, "in_channels", None)
        return int(c) if is_int(c) else None
    if isinstance(encoder, SeparateEncoders):
        return [stated(e) for e in encoder.encoders]
    return [stated(encoder)] * m


def _check_output_names(modalities: tuple[str, ...]) -> None:
    """The outputs are named by the modalities, then ``ensemble`` (or ``sum``):
    two of one name were logged and scored as one."""
    if len(set(modalities)) != len(modalities):
        raise ValueError(f"modalities must be distinct, got {list(modalities)}")
    taken = [n for n in ("ensemble", "sum") if n in modalities]
    if taken:
        raise ValueError(f"modalities: {taken[0]!r} names an output of the network (the "
                         f"branches' ensemble or sum); rename that modality")


class AsymFusionSegmenter(SourceOrderState, nn.Module):
    r"""Shared encoder, shared decoder, one logit map per modality and the
    AsymFusion ensemble (docs/methods.md §2.5):

    .. math::
        \hat y_m = \mathrm{dec}(\mathrm{enc}(x)_m), \qquad
        \hat y_{\mathrm{ens}} = \sum_m \mathrm{softmax}(\alpha)_m\,
        \mathrm{sg}(\hat y_m)

    with :math:`\alpha` learnable (initialised to ones) and :math:`\mathrm{sg}`
    stop-gradient: the ensemble trains only :math:`\alpha`, the branches train
    on their own losses (:func:`asym_segmentation_loss`).

    ``head="sum"`` (a baseline, not AsymFusion) instead returns one map, the
    sum of the branch logits, trained end to end ("late sum").

    Args:
        encoder (nn.Module): maps ``M`` inputs to 4 levels of ``M`` feature maps
            (:class:`ResNetEncoder`, :class:`SeparateEncoders` or your own, e.g. your
            backbone returning its list of levels, or a dict of them taken in its order
            (torchvision's ``create_feature_extractor``), shared by
            :func:`share_across_modalities`: its per-modality lists are taken as levels of
            ``M`` maps); the inputs' channels are checked against its ``in_channels`` where it has one (per branch
            for SeparateEncoders), else left to its layers.
        decoder (nn.Module): maps 4 levels of one modality to logits
            (:class:`RefineNetDecoder`); shared by all modalities.
        modalities (Sequence[str], optional): names of the ``M`` inputs (used for output
            names). (default: :obj:`('rgb', 'depth')`)
        head (str, optional): ``"ensemble"`` (AsymFusion) or ``"sum"``. (default:
            :obj:`"ensemble"`)

    Shapes:
        input: list of ``M`` tensors ``[B, C_in, H, W]``, in the order of
        ``modalities`` (the private norms, branches and ensemble weights go by
        position; the order travels in the state dict, and a model built with
        ``modalities`` in another order refuses it in ``load_state_dict``);
        output: list of logits ``[B, K, H, W]``, named by
        :attr:`output_names`: one per modality then the ensemble (``M > 1``),
        or the single sum. The decoder predicts at 1/4 of the input
        resolution; the logits are upsampled bilinearly to the input size
        before the loss and the metrics. **[choice]**: the paper does not say
        where the labels and the logits meet.
    """

    def __init__(self, encoder: nn.Module, decoder: nn.Module,
                 modalities: Sequence[str] = ("rgb", "depth"), *,
                 head: str = "ensemble"):
        super().__init__()
        check_choice("head", head, ("ensemble", "sum"))
        # a string was taken letter by letter ('rgb': three modalities 'r', 'g', 'b')
        self.modalities = tuple(check_names("modalities", modalities))
        m = len(self.modalities)
        if m == 0:
            raise ValueError("modalities must name at least one input")
        _check_output_names(self.modalities)
        if getattr(encoder, "num_modalities", m) != m:
            raise ValueError(f"encoder has {encoder.num_modalities} modalities, "
                             f"modalities names {m}")
        self.encoder, self.decoder, self.head = encoder, decoder, head
        self.alpha = nn.Parameter(torch.ones(m))
        self._order_matters = m > 1  # one modality: no weight belongs to another

    _order_argument = _order_attribute = "modalities"

    @property
    def output_names(self) -> list[str]:
        if self.head == "sum":
            return ["sum"]
        if len(self.modalities) == 1:
            return list(self.modalities)
        return list(self.modalities) + ["ensemble"]

    def reset_parameters(self) -> None:
        # a part without reset_parameters (a user's encoder) is reset
        # through its children, so that none keeps its weights
        reset_module(self.encoder)
        reset_module(self.decoder)
        assign(self, "alpha", torch.ones_like(self.alpha))

    def extra_repr(self) -> str:
        return f"modalities={self.modalities}, head={self.head!r}"

    def forward(self, xs: Sequence[Tensor]) -> list[Tensor]:
        if isinstance(xs, Tensor) or not isinstance(xs, (list, tuple)):
            raise TypeError("xs must be a list of per-modality tensors, got "
                            f"{type(xs).__name__}")
        if len(xs) != len(self.modalities):
            raise ValueError(f"expected {len(self.modalities)} inputs "
                             f"{self.modalities}, got {len(xs)}")
        first = self.modalities[0]
        for name, x, in_channels in zip(self.modalities, xs, _input_channels(self.encoder,
                                                                              len(xs))):
            # checked here, where the input has its name: inside the blocks a
            # NaN would surface as a hidden feature map's, or not at all
            check_tensor(f"input {name!r}", x, dims=(4, ), floating=True, finite=True)
            check_module_input(f"input {name!r}", x, self)
            if in_channels is not None and x.size(1) != in_channels:
                # tiling fits a one-channel map only (of 4 channels it read as 'tile to 6')
                tile = (f" (e.g. a depth map tiled: depth.expand(-1, {in_channels}, -1, -1))"
                        if x.size(1) == 1 else "")
                raise ValueError(f"input {name!r} has {channel_count(x.size(1))}, the encoder takes "
                                 f"{in_channels}{tile}")
            if (x.size(0), *x.shape[-2:]) != (xs[0].size(0), *xs[0].shape[-2:]):
                raise ValueError(f"input {name!r} is {tuple(x.shape)} but input {first!r} is "
                                 f"{tuple(xs[0].shape)}: the modalities must share the batch "
                                 "size and the image size")
        size = xs[0].shape[-2:]
        # only a batch of one image can leave a BatchNorm one value per channel
        with (_one_value_per_channel(self, lambda name, shape: (
                f"a batch of 1 image of {size[0]}x{size[1]} in training mode leaves "
                f"BatchNorm layer {name} one value per channel (its input {shape}), and "
                f"batch statistics need more: give batches of >= 2 images, larger images"
                f" (a ResNetEncoder's deepest map is 1/32 of the image), frozen_stats="
                f"True, or call model.eval() to predict")) if xs[0].size(0) == 1 and
              self.training else nullcontext()):
            levels = _encode(self.encoder, list(xs), "encoder")
        if isinstance(self.encoder, SharedModalityNetwork):
            # per modality, each the backbone's levels: the decoder got one level's M maps
            levels = _levels_of(levels)
        logits = []
        for i in range(len(xs)):
            out = self.decoder([lv[i] for lv in levels])
            logits.append(F.interpolate(out, size=size, mode="bilinear",
                                        align_corners=False))
        if self.head == "sum":
            return [torch.stack(logits).sum(0)]
        if len(logits) == 1:
            return logits
        w = torch.softmax(self.alpha, dim=0)
        ens = sum(w[i] * lg.detach() for i, lg in enumerate(logits))
        return logits + [ens]


def asym_segmentation_loss(outputs: Sequence[Tensor], target: Tensor, *,
                           ignore_index: int = 255) -> Tensor:
    r"""AsymFusion's loss: the sum of the pixel-wise cross-entropies of every
    output, :math:`\mathcal{L} = \mathrm{CE}(\hat y_{rgb}) +
    \mathrm{CE}(\hat y_{depth}) + \mathrm{CE}(\hat y_{ens})`, ignoring
    ``ignore_index`` pixels (0, with zero gradients, when every pixel is
    ignored, as in a random crop of a sparsely labelled scene).

    Args:
        outputs (Sequence[torch.Tensor]): list of logits ``[B, K, H, W]``.
        target (torch.Tensor): ``[B, H, W]`` long labels.
        ignore_index (int, optional): label of unlabelled pixels. (default: :obj:`255`)

    Returns:
        torch.Tensor: the loss, a scalar.
    """
    if isinstance(outputs, Tensor) or not isinstance(outputs, (list, tuple)):
        # a tensor was read as a list of its batch's maps, 'outputs[0] has shape (K, H, W)'
        raise TypeError(f"outputs must be a list of logit maps [B, K, H, W], got "
                        f"{type(outputs).__name__}")
    if len(outputs) == 0:
        raise ValueError("outputs must hold at least one logit map")
    check_tensor("target", target, dims=(3, ))
    if target.dtype != torch.long:
        raise TypeError(f"target must be torch.long, got {target.dtype}")
    for i, out in enumerate(outputs):
        check_tensor(f"outputs[{i}]", out, floating=True)
        check_like("target", target, f"outputs[{i}]", out, dtype=False)
        if out.dim() != 4 or out.shape[0] != target.shape[0] \
                or out.shape[-2:] != target.shape[-2:]:
            raise ValueError(f"outputs[{i}] has shape {tuple(out.shape)}, "
                             f"expected [B, K, H, W] matching target "
                             f"{tuple(target.shape)}")
        if out.size(1) != outputs[0].size(1):
            # labels below both counts were scored against other classes, silently
            raise ValueError(f"outputs[{i}] has {out.size(1)} classes, outputs[0] "
                             f"{outputs[0].size(1)}: every output scores the same classes")
    labelled = target[target != ignore_index]
    if labelled.numel() == 0:  # cross_entropy's mean over no pixel is NaN
        return sum(out.sum() * 0 for out in outputs)
    num_classes = outputs[0].size(1)
    if labelled.numel() and not 0 <= int(labelled.min()) <= int(labelled.max()) < num_classes:
        raise ValueError(f"target holds labels in [{int(labelled.min())}, "
                         f"{int(labelled.max())}], the outputs have {num_classes} classes "
                         f"(labels 0..{num_classes - 1}, {ignore_index} = ignore_index)")
    return sum(F.cross_entropy(out, target, ignore_index=ignore_index)
               for out in outputs)


def _differs(value, default) -> bool:
    if isinstance(default, tuple):
        try:
            return tuple(value) != default
        except TypeError:  # not a sequence: ResNetEncoder names it
            return True
    return value != default


def asym_fusion_segmenter(num_classes: int, *, depth: int | None = 50,
                          block: str = "bottleneck",
                          layers: Sequence[int] = (3, 4, 6, 3),
                          modalities: Sequence[str] = ("rgb", "depth"),
                          in_channels: int = 3, width: int = 64,
                          decoder_features: int = 256, light: bool = False,
                          dropout: float = 0.5, share: bool = True,
                          fusion: bool | None = None, shuffle: bool = True,
                          shift: bool = True, ratio: float = 0.2,
                          frozen_stats: bool = False,
                          head: str = "ensemble") -> AsymFusionSegmenter:
    """Builds an :class:`AsymFusionSegmenter`.

    Args:
        num_classes (int): classes ``K``.
        depth (int | None, optional): 18, 34, 50, 101 or 152 (sets ``block`` and ``layers``:
            others given beside it are an error); ``None`` to give ``block`` and ``layers``
            yourself (small networks). (default: :obj:`50`)
        modalities (Sequence[str], optional): input names (``M`` of them). (default:
            :obj:`('rgb', 'depth')`)
        in_channels (int, optional): see :class:`ResNetEncoder`. (default: :obj:`3`)
        width (int, optional): see :class:`ResNetEncoder` (below 5, its first stage's
            fusion block exchanges nothing). (default: :obj:`64`)
        fusion (bool | None, optional): see :class:`ResNetEncoder`; ``None`` fuses in the
            shared encoder and not in separate ones (``share=False``), where ``True`` is an
            error: their modalities never meet. (default: :obj:`None`)
        shuffle (bool, optional): see :class:`ResNetEncoder` (an error where nothing is
            exchanged: ``share=False``, ``fusion=False``, one modality). (default: :obj:`True`)
        shift (bool, optional): as ``shuffle``. (default: :obj:`True`)
        ratio (float, optional): as ``shuffle``. (default: :obj:`0.2`)
        frozen_stats (bool, optional): see :class:`ResNetEncoder`. (default: :obj:`False`)
        decoder_features (int, optional): see :class:`RefineNetDecoder`. (default: :obj:`256`)
        light (bool, optional): see :class:`RefineNetDecoder`. (default: :obj:`False`)
        dropout (float, optional): see :class:`RefineNetDecoder`. (default: :obj:`0.5`)
        share (bool, optional): one shared encoder with private BN (AsymFusion); ``False``:
            :class:`SeparateEncoders` (no exchange). (default: :obj:`True`)
        head (str, optional): see :class:`AsymFusionSegmenter`. (default: :obj:`"ensemble"`)
        block (str, optional): ``"basic"`` or ``"bottleneck"`` (with ``depth=None``).
            (default: :obj:`"bottleneck"`)
        layers (Sequence[int], optional): blocks per stage (with ``depth=None``).
            (default: :obj:`(3, 4, 6, 3)`)

    Returns:
        :class:`AsymFusionSegmenter`: the network.
    """
    check_int("num_classes", num_classes, minimum=1)
    modalities = tuple(check_names("modalities", modalities))  # sizes the encoder below
    if depth is not None:
        if depth not in RESNET_LAYERS:
            raise ValueError(f"depth must be one of {sorted(RESNET_LAYERS)} or "
                             f"None, got {depth}")
        # block / layers given beside depth were replaced by depth's, without a
        # word (layers=(1, 1, 1, 1) built a ResNet-50); segment train refuses the same
        given = [f"{n}={v!r}" for n, v, default in (("block", block, "bottleneck"),
                                                     ("layers", layers, (3, 4, 6, 3)))
                 if _differs(v, default) and _differs(v, RESNET_LAYERS[depth][n == "layers"])]
        if given:
            raise ValueError(f"{', '.join(given)}: not read with depth={depth}, which sets "
                             f"the ResNet's block and blocks per stage "
                             f"{RESNET_LAYERS[depth]}; give depth=None to build them")
        block, layers = RESNET_LAYERS[depth]
    m = len(tuple(modalities))
    check_flag("share", share)  # "False" built the shared encoder
    check_flag("fusion", fusion, optional=True)
    if fusion and not share:  # was built without fusion, without a word
        raise ValueError("fusion=True with share=False: separate encoders exchange no "
                         "features; give share=True to fuse, or leave fusion out")
    # named as given here (the encoder names its own num_modalities and fusion)
    off = ("share=False" if not share else "fusion=False" if fusion is False
           else f"modalities={modalities!r}" if m == 1 else None)
    check_exchange_read(off, shuffle=(shuffle, True), shift=(shift, True), ratio=(ratio, 0.2))
    kw = dict(in_channels=in_channels, width=width, frozen_stats=frozen_stats)
    if share:
        encoder = ResNetEncoder(block, layers, m, fusion=fusion is None or bool(fusion),
                                shuffle=shuffle, shift=shift, ratio=ratio, **kw)
    else:
        encoder = SeparateEncoders([ResNetEncoder(block, layers, 1, fusion=False, **kw)
                                    for _ in range(m)])
    decoder = RefineNetDecoder(encoder.out_channels, num_classes, features=decoder_features,
                               light=light, dropout=dropout)
    return AsymFusionSegmenter(encoder, decoder, modalities, head=head)
