"""AsymFusion for multi-modal image-to-image translation: one pix2pix U-Net
generator shared by all input modalities.

AsymFusion (Wang et al., ACM MM 2020, https://arxiv.org/abs/2108.05009,
docs/methods.md §2.6) evaluates its shared network on Taskonomy translation
(e.g. shade + depth -> RGB) with the generator of its sister project CEN: a
pix2pix U-Net (Isola et al., CVPR 2017, https://arxiv.org/abs/1611.07004) whose
convolutions are shared and whose normalisation layers are private to each
modality.
"""
from __future__ import annotations

from typing import Callable, NamedTuple, Sequence

import torch
from torch import Tensor, nn

from ..._option_rules import is_int
from ...functional._checks import (check_dropout, check_flag, check_int, check_module_input,
                                   check_tensor)
from ...functional.asym import shift_groups
from .._reset import assign, reset_children
from .bottleneck import check_exchange_read
from .layers import ModalityNorm2d
# the exchange at each fusion point, importable from here as before
from .translation_fusion import AsymTranslationFusion, _check_norm

__all__ = ["AsymTranslationFusion", "AsymFusionTranslator",
           "TranslatorOutput"]

class TranslatorOutput(NamedTuple):
    """Outputs of :class:`AsymFusionTranslator`: ``branches`` (one image per
    input modality) and their learned ``ensemble``."""
    branches: list[Tensor]
    ensemble: Tensor


class AsymFusionTranslator(nn.Module):
    r"""AsymFusion's multi-modal image translation generator (docs/methods.md §2.6): a pix2pix U-Net (https://arxiv.org/abs/1611.07004) run on
    every input modality with the SAME convolutions, private normalisation per
    modality, and asymmetric channel shuffle + pixel shift
    (:class:`AsymTranslationFusion`) at the encoder's fusion points.

    Encoder level :math:`l = 0..L-1` halves the resolution with a shared
    4x4 stride-2 convolution, :math:`h^l_m = \mathrm{norm}^l_m(W^l *
    \mathrm{LReLU}(h^{l-1}_m))` (no norm at the first and last level, as in
    pix2pix), with :math:`\min(2^l \cdot ngf, 8 \cdot ngf)` channels; the
    decoder mirrors it with shared transposed convolutions, private norms and
    skip connections, and ends in ``tanh``. Every modality :math:`m` gives its
    own output :math:`\hat y_m`, and the learned ensemble is

    .. math::
        \hat y = \sum_m \mathrm{softmax}(\alpha)_m\, \mathrm{sg}(\hat y_m),

    with :math:`\alpha` initialised to ones and :math:`\mathrm{sg}` a stop
    gradient (``detach_ensemble``), as in AsymFusion's segmentation ensemble.

    A second modality costs only its norm parameters; ``num_modalities=1``
    is the single-modality baseline: the same U-Net with nothing to exchange
    (each fusion level keeps its residual 3x3 block, so it is not pix2pix's
    plain U-Net; the two differ by the exchange, the norms and the ensemble
    weights only).

    Args:
        num_modalities (int, optional): ``M >= 1`` input modalities. (default: :obj:`2`)
        in_channels (int, optional): channels of each input; 1-channel inputs (depth, shade)
            are tiled to ``in_channels``, as AsymFusion tiles depth. (default: :obj:`3`)
        out_channels (int, optional): channels of the output image. (default: :obj:`3`)
        ngf (int, optional): width of the first level. A fusion level of fewer channels
            than ``1 / ratio`` (5 at ``ratio=0.2``: level 1, of ``2 * ngf``, for ``ngf <=
            2``, and level 2 too for ``ngf=1``) exchanges nothing (see
            :class:`AsymTranslationFusion`), without a notice: such widths are for
            CPU-sized test networks. (default: :obj:`64`)
        num_downs (int, optional): encoder levels ``L``; inputs must be divisible by
            :math:`2^L` (``5`` for 32x32, ``8`` for pix2pix's 256x256). (default: :obj:`8`)
        norm (str | Callable, optional): ``"batch"`` or ``"instance"`` (or a factory), private
            per modality. (default: :obj:`"batch"`)
        fusion_levels (Sequence[int], optional): encoder levels followed by a fusion block.
            Default **[choice]**: every level with a norm (``1 .. L-2``). ``ratio``,
            ``shift``, ``shuffle`` and ``use_shift`` set their exchange: given other than
            their defaults where there is none (no levels, one modality), they are an
            error. (default: :obj:`None`)
        ratio (float, optional): ``g / C`` of channel shuffle and pixel shift. (default:
            :obj:`0.2`)
        shift (int, optional): pixels of the pixel shift. (default: :obj:`1`)
        shuffle (bool, optional): apply the channel shuffle at the fusion points;
            :obj:`False` for the ablation without it. (default: :obj:`True`)
        use_shift (bool, optional): apply the pixel shift at the fusion points;
            :obj:`False` for the ablation without it. (default: :obj:`True`)
        dropout (float, optional): dropout after the decoder levels ``L - 4``, ``L - 3`` and
            ``L - 2`` (the three above the innermost ``L - 1``, never the outermost 0, with
            ``L = num_downs``: pix2pix's at ``num_downs = 8``; pix2pix uses
            0.5 as its noise; default 0.0 here, **[choice]**, for deterministic evaluation of
            small models). (default: :obj:`0.0`)
        detach_ensemble (bool, optional): stop gradients from the ensemble into the branches.
            (default: :obj:`True`)
        share_decoder_norm (bool, optional): ``False`` (default, as in CEN) gives the decoder
            private norms too; ``True`` shares the decoder's norms (the encoder's stay
            private): one layer, its scale and shift, applied to each modality's maps in
            turn, so a batch norm normalises each modality by its own batch statistics in
            training but, in evaluation, by running statistics that mix all modalities'
            (updated once per modality and step). **[choice]**: AsymFusion shares its
            segmentation decoder, which has no norm; the paper's translation keeps them
            private. (default: :obj:`False`)

    Shapes:
        input: list of ``M`` tensors ``[B, C_m, H, W]``, ``C_m`` in
        ``{1, in_channels}``, values in ``[-1, 1]`` as pix2pix scales images
        (:class:`~pyg_fusion.training.translation.TranslationModule` maps its
        ``[0, 1]`` scenes there and refuses others). The generator itself does
        not check the range: any finite values (e.g. images normalised by a
        mean and std) are taken as given;
        output: :class:`TranslatorOutput` with ``branches`` (``M`` tensors
        ``[B, out_channels, H, W]``) and ``ensemble`` ``[B, out_channels, H, W]``.
    """

    def __init__(self, num_modalities: int = 2, in_channels: int = 3,
                 out_channels: int = 3, ngf: int = 64, num_downs: int = 8, *,
                 norm: str | Callable = "batch",
                 fusion_levels: Sequence[int] | None = None,
                 ratio: float = 0.2, shift: int = 1, dropout: float = 0.0,
                 detach_ensemble: bool = True, share_decoder_norm: bool = False,
                 shuffle: bool = True, use_shift: bool = True):
        super().__init__()
        self.num_modalities = check_int("num_modalities", num_modalities,
                                        minimum=1)
        self.in_channels = check_int("in_channels", in_channels, minimum=1)
        self.out_channels = check_int("out_channels", out_channels, minimum=1)
        self.ngf = check_int("ngf", ngf, minimum=1)
        self.num_downs = check_int("num_downs", num_downs, minimum=2)
        check_dropout("dropout", dropout)
        self.norm_name = norm if isinstance(norm, str) else "custom"
        _check_norm(norm)  # validates the name early
        for flag, value in (("detach_ensemble", detach_ensemble),
                            ("share_decoder_norm", share_decoder_norm),
                            ("shuffle", shuffle), ("use_shift", use_shift)):
            check_flag(flag, value)  # "False" switched it on
        self.detach_ensemble = bool(detach_ensemble)
        self.share_decoder_norm = bool(share_decoder_norm)
        # checked without fusion levels too: they are kept (the repr, a module's
        # hyper-parameters) as if they were used
        shift_groups(4, ratio)
        check_int("shift", shift, minimum=0)
        # kept for the repr (the fusion blocks and dropouts hold them too)
        self.ratio, self.shift, self.dropout = float(ratio), shift, dropout
        self.shuffle, self.use_shift = bool(shuffle), bool(use_shift)
        L, M, levels_given = num_downs, num_modalities, fusion_levels is not None
        if fusion_levels is None:
            fusion_levels = list(range(1, L - 1))
        if isinstance(fusion_levels, (str, int)):  # '12' was the levels 1 and 2
            raise TypeError(f"fusion_levels must be a sequence of encoder levels, got "
                            f"{fusion_levels!r}")
        for f in fusion_levels:  # int() read 1.7 as level 1, True as 1
            if not is_int(f) or not 0 <= f < L:
                raise ValueError(f"fusion_levels must be integers in [0, {L}) (num_downs="
                                 f"{L}), got {f!r}")
        self.fusion_levels = sorted(set(int(f) for f in fusion_levels))
        # set where nothing is exchanged they changed nothing, without a word
        # (num_downs=2 leaves the default levels 1 .. L-2 empty: no fusion_levels given)
        check_exchange_read(
            ("fusion_levels=[]" if levels_given else f"num_downs={L} (whose default "
             "fusion_levels are empty)") if not self.fusion_levels else None if M > 1
            else "num_modalities=1", shuffle=(shuffle, True), use_shift=(use_shift, True),
            ratio=(ratio, 0.2), shift=(shift, 1))
        width = [min(ngf * 2 ** i, ngf * 8) for i in range(L)]
        self.widths = width

        self.down = nn.ModuleList()
        self.down_norm = nn.ModuleList()
        c_prev = in_channels
        for i in range(L):
            self.down.append(nn.Conv2d(c_prev, width[i], 4, 2, 1,
                                       bias=i in (0, L - 1)))
            has_norm = 0 < i < L - 1
            self.down_norm.append(ModalityNorm2d(width[i], M, norm)
                                  if has_norm else nn.Identity())
            c_prev = width[i]
        self.fusion = nn.ModuleDict({
            str(i): AsymTranslationFusion(width[i], M, norm=norm, ratio=ratio,
                                          shift=shift, shuffle=shuffle,
                                          use_shift=use_shift)
            for i in self.fusion_levels})

        # Decoder level i maps level i's features (concatenated with the skip
        # of level i, except at the innermost) back to level i-1's width.
        self.up = nn.ModuleList()
        self.up_norm = nn.ModuleList()
        self.up_drop = nn.ModuleList()
        for i in range(L):
            c_in = width[i] if i == L - 1 else 2 * width[i]
            c_out = out_channels if i == 0 else width[i - 1]
            self.up.append(nn.ConvTranspose2d(c_in, c_out, 4, 2, 1,
                                              bias=i == 0))
            if i == 0:
                self.up_norm.append(nn.Identity())
            else:
                self.up_norm.append(ModalityNorm2d(
                    c_out, 1 if share_decoder_norm else M, norm))
            # pix2pix's three: the levels just above the innermost, never the outermost
            self.up_drop.append(nn.Dropout(dropout) if dropout > 0 and
                                max(1, L - 4) <= i < L - 1 else nn.Identity())
        self.alpha = nn.Parameter(torch.ones(M))

    def reset_parameters(self) -> None:
        reset_children(self)
        assign(self, "alpha", torch.ones_like(self.alpha))

    def _check_inputs(self, xs) -> list[Tensor]:
        if isinstance(xs, Tensor) or not isinstance(xs, (list, tuple)):
            raise TypeError(f"xs must be a list of {self.num_modalities} "
                            f"modality images, got {type(xs).__name__}")
        if len(xs) != self.num_modalities:
            raise ValueError(f"xs must hold {self.num_modalities} modality "
                             f"images, got {len(xs)}")
        out = []
        factor = 2 ** self.num_downs
        for i, x in enumerate(xs):
            check_tensor(f"xs[{i}]", x, dims=(4, ), floating=True, finite=True)
            check_module_input(f"xs[{i}]", x, self)
            if x.size(1) == 1 and self.in_channels > 1:
                x = x.expand(-1, self.in_channels, -1, -1)
            if x.size(1) != self.in_channels:
                raise ValueError(f"xs[{i}] must have 1 or {self.in_channels} "
                                 f"channels, got shape {tuple(x.shape)}")
            if out and x.shape != out[0].shape:
                raise ValueError(f"xs[{i}] has shape {tuple(x.shape)}, "
                                 f"xs[0] {tuple(out[0].shape)}: all modality "
                                 f"images must share batch and size")
            if x.size(2) % factor or x.size(3) % factor:
                raise ValueError(f"xs[{i}] height and width must be divisible "
                                 f"by 2**num_downs = {factor}, got "
                                 f"{tuple(x.shape[2:])}")
            out.append(x)
        return out

    def _up_norm(self, i: int, hs: list[Tensor]) -> list[Tensor]:
        norm = self.up_norm[i]
        if isinstance(norm, nn.Identity):
            return hs
        if self.share_decoder_norm:
            return [norm([h])[0] for h in hs]
        return norm(hs)

    def _check_fusion_size(self, level: int, h: Tensor, x: Tensor) -> None:
        why = self.fusion[str(level)]._one_value(h)
        if why:
            raise ValueError(
                f"fusion_levels holds level {level}, whose features are "
                f"{h.size(-2)}x{h.size(-1)} for images of {x.size(-2)}x{x.size(-1)}: {why}; "
                f"give images larger than {2 ** (level + 1)}x{2 ** (level + 1)}"
                f"{' (or a batch of more than one)' if self.norm_name == 'batch' else ''}, "
                f"or leave level {level} out of fusion_levels")

    def forward(self, xs: Sequence[Tensor]) -> TranslatorOutput:
        hs = xs = self._check_inputs(xs)
        L = self.num_downs
        skips = []
        for i in range(L):
            if i > 0:
                hs = [nn.functional.leaky_relu(h, 0.2) for h in hs]
            hs = [self.down[i](h) for h in hs]
            if not isinstance(self.down_norm[i], nn.Identity):
                hs = self.down_norm[i](hs)
            if str(i) in self.fusion:
                self._check_fusion_size(i, hs[0], xs[0])
                hs = self.fusion[str(i)](hs)
            skips.append(hs)
        for i in reversed(range(L)):
            if i < L - 1:
                hs = [torch.cat([h, s], 1) for h, s in zip(hs, skips[i])]
            hs = [self.up[i](torch.relu(h)) for h in hs]
            hs = self._up_norm(i, hs)
            hs = [self.up_drop[i](h) for h in hs]
        branches = [torch.tanh(h) for h in hs]
        w = torch.softmax(self.alpha, 0)
        src = [b.detach() for b in branches] if self.detach_ensemble else branches
        ensemble = sum(w[m] * src[m] for m in range(self.num_modalities))
        return TranslatorOutput(branches, ensemble)

    def __repr__(self) -> str:
        return (f"{self.__class__.__name__}(num_modalities="
                f"{self.num_modalities}, in_channels={self.in_channels}, "
                f"out_channels={self.out_channels}, ngf={self.ngf}, "
                f"num_downs={self.num_downs}, norm={self.norm_name!r}, "
                f"fusion_levels={self.fusion_levels}, ratio={self.ratio}, "
                f"shift={self.shift}, dropout={self.dropout}, "
                f"detach_ensemble={self.detach_ensemble}, "
                f"share_decoder_norm={self.share_decoder_norm}, shuffle={self.shuffle}, "
                f"use_shift={self.use_shift})")
