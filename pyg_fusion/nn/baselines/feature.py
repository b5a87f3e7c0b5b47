"""Feature-level fusion baselines: the sources' features are combined in
feature space, before any relationship graph is built.

The feature-level competitors of LEGO's Table 2 (single source, concat,
addition, product; Ding et al., ICLR 2025, https://arxiv.org/abs/2410.01506).
"""
from __future__ import annotations

import torch
from torch import Tensor, nn

from ...functional._checks import (check_choice, check_int, check_like, check_module_input,
                                   check_sources, check_tensor)
from .._source_order import SourceOrderState

__all__ = ["FEATURE_MODES", "feature_fuse", "FeatureFusion"]

FEATURE_MODES = ("single", "concat", "add", "product")


def feature_fuse(xs: list[Tensor], mode: str) -> Tensor:
    r"""Fuses aligned features ``xs[m]: [..., d_m]`` of M sources.

    * ``"concat"``: :math:`[x_1 \| \dots \| x_M]`, width :math:`\sum_m d_m`;
    * ``"add"``: :math:`\sum_m x_m`; ``"product"``: :math:`\prod_m x_m`
      (element-wise; all widths must agree);
    * ``"single"``: ``xs[0]`` (exactly one source).

    Args:
        xs (list[torch.Tensor]): the sources' aligned features ``[..., d_m]``.
        mode (str): ``"concat"``, ``"add"``, ``"product"`` or ``"single"``.

    Returns:
        torch.Tensor: ``[..., sum_m d_m]`` (``"concat"``), else ``[..., d]``.
    """
    check_choice("mode", mode, FEATURE_MODES)
    check_parts("xs", xs)
    for i, x in enumerate(xs):
        if x.shape[:-1] != xs[0].shape[:-1]:
            raise ValueError(f"xs[{i}] has leading shape {tuple(x.shape[:-1])}, expected "
                             f"{tuple(xs[0].shape[:-1])} (the same units in every source)")
    widths = {x.size(-1) for x in xs}
    if mode in ("add", "product") and len(widths) != 1:
        raise ValueError(f"mode={mode!r} needs equal widths, got {sorted(widths)}: "
                         "project the sources first (FeatureFusion does)")
    return combine(xs, mode, "source")


def check_parts(name: str, parts) -> None:
    """``parts`` (called ``name``) is a non-empty list of floating tensors
    on the device and of the dtype of the first (a mix was promoted
    silently, where LEGO refuses it; autocast's mix is taken)."""
    if not isinstance(parts, (list, tuple)) or len(parts) == 0:
        raise ValueError(f"{name} must be a non-empty list of tensors")
    for i, p in enumerate(parts):
        check_tensor(f"{name}[{i}]", p, floating=True)
        check_like(f"{name}[{i}]", p, f"{name}[0]", parts[0])


def combine(parts, mode: str, what: str):
    """``parts`` (checked, aligned) combined by ``mode``: ``"single"`` the one
    part, ``"concat"`` side by side in the last dimension, ``"add"`` /
    ``"product"`` element-wise, in the order of ``parts``; ``what`` names a
    part in the error."""
    if mode == "single":
        if len(parts) != 1:
            raise ValueError(f"mode='single' takes exactly one {what}, got {len(parts)}")
        return parts[0]
    if mode == "concat":
        return torch.cat(list(parts), dim=-1)
    out = parts[0]
    for p in parts[1:]:
        out = out + p if mode == "add" else out * p
    return out


class FeatureFusion(SourceOrderState, nn.Module):
    r"""Feature-level fusion of several sources (:func:`feature_fuse`).

    For ``"add"`` and ``"product"`` with sources of different widths, each
    source first goes through its own learnable projection
    :math:`W_m: d_m \to d'` (``proj_channels``, default the smallest width),
    since element-wise operations need one width.

    Args:
        in_channels (dict[str, int]): ``{source: d_m}``; the order of the keys is the order of
            concatenation (kept in the state dict: a model built in another order refuses it).
        mode (str, optional): ``"single"``, ``"concat"``, ``"add"`` or ``"product"``. (default:
            :obj:`"concat"`)
        proj_channels (int, optional): width :math:`d'` of the projections (add / product
            only: refused with ``"single"`` and ``"concat"``, which do not project);
            ``None`` projects only when widths differ, to the smallest. (default:
            :obj:`None`)

    Shapes:
        input ``{source: [..., d_m]}`` -> output ``[..., out_channels]``.
    """

    def __init__(self, in_channels: dict[str, int], mode: str = "concat",
                 proj_channels: int | None = None):
        super().__init__()
        check_choice("mode", mode, FEATURE_MODES)
        if not isinstance(in_channels, dict) or not in_channels:
            raise ValueError("in_channels must be a non-empty dict {source: width}")
        in_channels = {s: check_int(f"in_channels[{s!r}]", d, minimum=1)
                       for s, d in in_channels.items()}
        if mode == "single" and len(in_channels) != 1:
            raise ValueError(f"mode='single' takes one source, got {list(in_channels)}")
        self.in_channels = in_channels
        self.sources = list(in_channels)
        self.mode = mode
        # the order of the concatenation, which the caller's next layer reads
        self._order_matters = mode == "concat"
        widths = set(in_channels.values())
        if proj_channels is not None and mode not in ("add", "product"):
            # it was dropped without a word: the output kept the sources' widths
            raise ValueError(f"proj_channels={proj_channels!r} sets the width of the "
                             f"projections of mode='add' / 'product'; mode={mode!r} fuses the "
                             f"sources as they are (no projection): leave proj_channels unset")
        project = mode in ("add", "product") and (proj_channels is not None or len(widths) > 1)
        if project:
            d = proj_channels if proj_channels is not None else min(widths)
            check_int("proj_channels", d, minimum=1)
            self.proj = nn.ModuleDict({s: nn.Linear(w, d) for s, w in in_channels.items()})
            self.out_channels = d
        else:
            self.proj = None
            self.out_channels = (sum(in_channels.values()) if mode == "concat"
                                 else next(iter(widths)))
        self._init_proj()

    def _init_proj(self):
        if self.proj is not None:
            for lin in self.proj.values():
                lin.reset_parameters()

    def reset_parameters(self):
        # A fresh build draws the projections twice (nn.Linear's constructor,
        # then _init_proj, kept so that seeded runs keep their weights): a
        # reset draws both, to give a fresh build's weights under one seed.
        self._init_proj()
        self._init_proj()

    def forward(self, xs: dict[str, Tensor]) -> Tensor:
        check_sources("xs", xs, self.sources, shape="[..., d]")
        feats = [xs[s] for s in self.sources]
        for s, x in zip(self.sources, feats):
            # a wrong width failed later in the caller's layer, naming neither
            check_tensor(f"xs[{s!r}]", x, floating=True)
            if x.dim() < 2:
                # a 1-D x's last dimension is its nodes: read as the width, a
                # concat or sum would mix the nodes of the sources
                raise ValueError(f"xs[{s!r}] must be [..., N, {self.in_channels[s]}] (features "
                                 f"in the last dimension), got shape {tuple(x.shape)}")
            if x.size(-1) != self.in_channels[s]:
                raise ValueError(f"xs[{s!r}] has width {x.size(-1)}, the model was built "
                                 f"for {self.in_channels[s]}")
            # named as LEGO names them (a mix was promoted, or failed in a projection)
            check_like(f"xs[{s!r}]", x, f"xs[{self.sources[0]!r}]", feats[0])
            if self.proj is not None:
                check_module_input(f"xs[{s!r}]", x, self)
        if self.proj is not None:
            feats = [self.proj[s](x) for s, x in zip(self.sources, feats)]
        return feature_fuse(feats, self.mode)

    def __repr__(self) -> str:
        # the constructor's arguments, as PyG's layers print them: out_channels
        # (derived) was printed as if it were one, and such a repr built nothing
        proj = "" if self.proj is None else f", proj_channels={self.out_channels}"
        return f"{self.__class__.__name__}({self.in_channels}, mode={self.mode!r}{proj})"
