"""AsymFusion's exchange on node features of aligned sources (this library's
extension beyond the paper).

Several sources describe the same ``N`` units (the snippets of a video from
several backbones, the views of a digit): their node features ``[N, d_s]``
play the part of AsymFusion's modalities. One block mirrors
:class:`~pyg_fusion.nn.asym.AsymFusionBottleneck` with shared linear layers in
place of shared convolutions, private normalisation per source, the
parameter-free channel shuffle between sources, and a shift along the temporal
order (:func:`~pyg_fusion.functional.temporal_shift`) or along graph edges
(:func:`~pyg_fusion.functional.edge_shift`) in place of the pixel shift.
"""
from __future__ import annotations

import math
from typing import Mapping

import torch.nn.functional as F
from torch import Tensor, nn

from ...functional._checks import (check_choice, check_dropout, check_edge_list, check_flag,
                                   check_edge_weight, check_int, check_like, check_module_input,
                                   check_sources, check_tensor)
from ...functional.asym import channel_shuffle, edge_shift, shift_groups, temporal_shift
from .._reset import reset_children
from .._source_order import SourceOrderState
from ..baselines.feature import combine
from .layers import ModalityNorm

__all__ = ["AsymGraphFusion"]


class AsymGraphFusion(SourceOrderState, nn.Module):
    r"""AsymFusion block(s) on aligned node features of several sources (the
    exchange of AsymFusion, Wang et al., ACM MM 2020,
    `paper <https://arxiv.org/abs/2108.05009>`_, on node features: this
    library's extension).

    Each source :math:`s` is first mapped by a private linear layer to the
    common width :math:`C` (sources differ in width). Then each of
    ``num_layers`` blocks computes, with shared :math:`W_1, W_2, W_3` and a
    private normalisation :math:`N^{(\cdot)}_s` per source:

    .. math::
        X_s &= \mathrm{ReLU}(N^1_s(h_s W_1)), \quad S = \mathrm{shuffle}(X) \\
        Y_s &= \mathrm{ReLU}(N^2_s(S_s W_2)) + \mathrm{shift}(X_{(s+1) \bmod M}),
        \quad Z = \mathrm{shuffle}(Y) \\
        h_s &\leftarrow \mathrm{ReLU}(N^3_s(Z_s W_3) + h_s)

    where shuffle is :func:`~pyg_fusion.functional.channel_shuffle` and shift
    is :func:`~pyg_fusion.functional.temporal_shift` (``shift="temporal"``,
    rows in temporal order per sequence of ``batch``),
    :func:`~pyg_fusion.functional.edge_shift` (``shift="edge"``, along
    ``edge_index``) or nothing (``shift="none"``).

    Interface (a node-feature fusion baseline beside LEGO, "asym-shuffle"):
    ``forward(xs, edge_index=None, batch=None, edge_weight=None)`` with
    ``xs`` a dict ``{source: [N, d_s]}`` (the same ``N`` rows, aligned) returns
    ``{source: [N, channels]}``, or one tensor if ``combine`` is set
    (``"mean"``/``"sum"``: ``[N, channels]``; ``"concat"``: ``[N, M * channels]``).

    Only the edge shift reads the graph: with ``shift="temporal"`` or
    ``"none"`` (or a single source, which has no exchange) ``edge_index`` and
    ``edge_weight`` are ignored, and ``batch`` is read by the temporal shift
    only. They are accepted so that a caller may pass the same arguments
    whatever the shift, and an ignored ``edge_index`` / ``edge_weight`` is
    still checked: a ``[2, E]`` long edge list on the sources' device, one
    weight per edge, no weight without an ``edge_index``.

    Under :class:`torch.autocast` the sources may be of autocast's 16-bit
    dtype beside the float32 parameters; the linear layers and the norms run
    as autocast runs them, the edge shift (a weighted mean) in float32.

    Args:
        in_channels (Mapping[str, int]): ``{source: d_s}``; its order fixes the exchange cycle
            (kept in the state dict: a model built in another order refuses it).
        channels (int): common width ``C`` (at least 5 so that ``g = C // 5 >= 1``).
        num_layers (int, optional): blocks. (default: :obj:`1`)
        shift (str, optional): ``"temporal"`` (default), ``"edge"`` or ``"none"``. (default:
            :obj:`"temporal"`)
        shuffle (bool, optional): channel shuffle on / off. (default: :obj:`True`)
        ratio (float, optional): ``g / C``; ``g = floor(C * ratio)`` must be at least 1
            (``ratio=0``: no exchange). (default: :obj:`0.2`)
        steps (int, optional): temporal shift distance. (default: :obj:`1`)
        norm (str, optional): private normalisation, ``"batch"`` (as AsymFusion's private BN,
            default; in training it needs more than one node), ``"layer"`` or ``"none"``.
            **[choice]**: the paper has no graph variant. (default: :obj:`"batch"`)
        dropout (float, optional): on the block outputs. (default: :obj:`0.0`)
        combine (str, optional): ``None`` (dict), ``"mean"``, ``"sum"`` or ``"concat"``.
            (default: :obj:`None`)

    Shapes:
        - **input**: ``xs`` ``{source: [N, d_s]}``, ``edge_index`` ``[2, E]``
          (optional), ``batch`` ``[N]`` (optional), ``edge_weight`` ``[E]``
          (optional); a batch of graphs is their rows stacked, PyG's layout
        - **output**: ``{source: [N, channels]}``, or with ``combine``
          ``[N, channels]`` (``"mean"``, ``"sum"``) / ``[N, M * channels]``
          (``"concat"``)
    """

    def __init__(self, in_channels: Mapping[str, int], channels: int, *,
                 num_layers: int = 1, shift: str = "temporal",
                 shuffle: bool = True, ratio: float = 0.2, steps: int = 1,
                 norm: str = "batch", dropout: float = 0.0,
                 combine: str | None = None):
        super().__init__()
        if not isinstance(in_channels, Mapping) or len(in_channels) == 0:
            raise ValueError("in_channels must map each source name to its "
                             f"feature width, got {in_channels!r}")
        in_channels = {name: check_int(f"in_channels[{name!r}]", d, minimum=1)
                       for name, d in in_channels.items()}
        channels = check_int("channels", channels, minimum=5)
        check_int("num_layers", num_layers, minimum=1)
        check_int("steps", steps, minimum=0)
        check_choice("shift", shift, ("temporal", "edge", "none"))
        check_choice("norm", norm, ("batch", "layer", "none"))
        check_choice("combine", combine, (None, "mean", "sum", "concat"))
        # a bad ratio fails here, not at the first step; channels >= 5 is there for
        # g >= 1, which a smaller ratio undid without a word (channels=8, ratio=0.1)
        if shift_groups(channels, ratio) == 0 and ratio > 0:
            raise ValueError(f"channels={channels} with ratio={ratio} gives groups of "
                             f"g = floor({channels} * {ratio}) = 0 channels: the blocks would "
                             f"exchange nothing; give channels >= {math.ceil(1 / ratio - 1e-9)} "
                             f"or a larger ratio (ratio=0, or shuffle=False and shift='none', "
                             f"for no exchange)")
        check_dropout("dropout", dropout)
        check_flag("shuffle", shuffle)  # "False" shuffled
        self.sources = list(in_channels)
        self.in_channels = dict(in_channels)
        self.channels, self.num_layers = channels, num_layers
        self.shift, self.shuffle, self.ratio, self.steps = shift, bool(shuffle), float(ratio), steps
        self.dropout, self.combine, self.norm = dropout, combine, norm
        m = len(self.sources)
        self.inputs = nn.ModuleDict({s: nn.Linear(d, channels)
                                     for s, d in in_channels.items()})
        self.lins = nn.ModuleList(
            nn.ModuleList(nn.Linear(channels, channels) for _ in range(3))
            for _ in range(num_layers))
        self.norms = nn.ModuleList(
            nn.ModuleList(ModalityNorm(channels, m, norm, input_dim=2) for _ in range(3))
            for _ in range(num_layers))

    def reset_parameters(self) -> None:
        reset_children(self)

    def _shifted(self, x: Tensor, edge_index, batch, edge_weight) -> Tensor:
        if self.shift == "temporal":
            return temporal_shift(x, self.steps, self.ratio, batch)
        return edge_shift(x, edge_index, self.ratio, edge_weight)

    def _check_unread_edges(self, edge_index, edge_weight, ref: Tensor) -> None:
        # edge_shift checks the graph it reads; one no shift reads was dropped
        # silently, even a malformed one. Shapes and device only: it costs no
        # pass over the edges
        why = (f"shift={self.shift!r} does not read it" if self.shift != "edge"
               else "a single source has no exchange")
        if edge_index is None:
            if edge_weight is not None:
                raise ValueError(f"edge_weight goes with an edge_index, none given ({why})")
            return
        try:
            check_like("edge_index", check_edge_list("edge_index", edge_index),
                       f"xs[{self.sources[0]!r}]", ref, dtype=False)
            if edge_weight is not None:
                check_edge_weight(edge_weight, edge_index)
        except (TypeError, ValueError) as e:
            raise type(e)(f"{e} ({why}, but it must still be well formed)") from None

    def forward(self, xs: Mapping[str, Tensor], edge_index: Tensor | None = None,
                batch: Tensor | None = None, edge_weight: Tensor | None = None):
        check_sources("xs", xs, self.sources)
        n = None
        for s in self.sources:
            check_tensor(f"xs[{s!r}]", xs[s], dims=(2, ), floating=True, finite=True)
            check_module_input(f"xs[{s!r}]", xs[s], self)
            if xs[s].size(1) != self.in_channels[s]:
                raise ValueError(f"xs[{s!r}] must have {self.in_channels[s]} "
                                 f"features, got {xs[s].size(1)}")
            if n is not None and xs[s].size(0) != n:
                raise ValueError(f"sources must be aligned (same rows): "
                                 f"{self.sources[0]} has {n}, {s} has {xs[s].size(0)}")
            n = xs[s].size(0)
        if self.norm == "batch" and self.training and n == 1:
            # torch said 'Expected more than 1 value per channel when training', naming no input
            raise ValueError(f"xs[{self.sources[0]!r}] has one row (node): norm='batch' in "
                             f"training needs more than one node to normalise over; give "
                             f"several nodes, or call .eval(), or build with norm='layer'")
        if self.shift == "edge" and edge_index is None:
            raise ValueError("shift='edge' needs edge_index")
        if self.shift != "edge" or len(self.sources) == 1:
            self._check_unread_edges(edge_index, edge_weight, xs[self.sources[0]])
        h = [self.inputs[s](xs[s]) for s in self.sources]
        m = len(h)
        for lins, norms in zip(self.lins, self.norms):
            x1 = [F.relu(v) for v in norms[0]([lins[0](v) for v in h])]
            s = channel_shuffle(x1, self.ratio) if self.shuffle else x1
            y = [F.relu(v) for v in norms[1]([lins[1](v) for v in s])]
            if self.shift != "none" and m > 1:
                y = [y[i] + self._shifted(x1[(i + 1) % m], edge_index, batch,
                                          edge_weight) for i in range(m)]
            z = channel_shuffle(y, self.ratio) if self.shuffle else y
            z = norms[2]([lins[2](v) for v in z])
            h = [F.dropout(F.relu(a + b), self.dropout, self.training)
                 for a, b in zip(z, h)]
        if self.combine is None:
            return dict(zip(self.sources, h))
        out = combine(h, "concat" if self.combine == "concat" else "add", "source")
        return out / m if self.combine == "mean" else out

    def __repr__(self) -> str:
        return (f"{self.__class__.__name__}({self.in_channels}, {self.channels}, "
                f"num_layers={self.num_layers}, shift={self.shift!r}, "
                f"shuffle={self.shuffle}, ratio={self.ratio}, steps={self.steps}, "
                f"norm={self.norm!r}, dropout={self.dropout}, combine={self.combine!r})")
