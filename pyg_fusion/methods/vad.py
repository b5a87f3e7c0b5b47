"""Video anomaly detection models of the method registry.

Every model takes a batch of videos (a :class:`torch_geometric.data.Batch` of
:class:`~pyg_fusion.data.MultiSourceData`, each video resampled to the same
``N`` segments) and returns ``(logits [B, N], G)``, where ``G`` is the
``[B, N, N]`` graph that the head scored (``None`` for feature-level models),
used by the degree-variance term of the loss.

* LEGO and graph-level fusion score the rows of a graph with the paper's
  :class:`~pyg_fusion.nn.RowHead` (``Linear(N, H) -> ReLU -> Linear(H, 1)``),
  each row divided by its largest entry first (``row_norm="max"``, a
  **[choice]**: it changes nothing on the cosine graphs of the baselines, and
  makes LEGO, with row-normalised powers, start exactly at graph-product).
* Feature-level fusion and the MTN-style network score each segment's
  (fused) feature vector with a head of the same form on features,
  ``Linear(d, H) -> ReLU -> Linear(H, 1)``.
"""
from __future__ import annotations

import torch
from torch import Tensor, nn

from ..functional._checks import check_choice, check_dropout, check_int
from ..nn import LEGO, GraphHead, RelationGraph, RowHead
from ..nn._reset import reset_children
from ..nn._source_order import SourceOrderState
from ..nn.baselines import GRAPH_MODES, MTN, FeatureFusion, graph_fuse_dense
from ._vad_inputs import center_videos, dense_sources

__all__ = ["VADLEGO", "VADGraphFusion", "VADFeatureFusion", "VADMTN", "dense_sources"]


def _feature_head(in_channels: int, hidden_channels: int | None, dropout: float) -> nn.Module:
    # (0 was read as None, a head of 32; dropout 2 was torch's "probability")
    if hidden_channels is not None:
        check_int("hidden_channels", hidden_channels, minimum=1)
    check_dropout("dropout", dropout)
    hidden_channels = hidden_channels or 32  # None: the feature heads' own width
    return nn.Sequential(nn.Linear(in_channels, hidden_channels), nn.ReLU(),
                         nn.Dropout(dropout), nn.Linear(hidden_channels, 1))


class VADLEGO(nn.Module):
    r"""LEGO's fused graph (dense backend) scored by the paper's
    :class:`RowHead` on the rows of G (``head="row"``), or by that row head
    plus a :class:`~pyg_fusion.nn.GraphHead` branch (``head="graph"``, a
    **[choice]**: the concatenated sources propagated over G, so that the
    head sees the features as well as the graph).

    Both start exactly at the ``graph-product`` baseline
    (:class:`VADGraphFusion`) built with the same seed: the operator starts
    at :math:`A = e_{11}`, the powers are row-normalised (``norm="row"``, a
    **[choice]**) and the row head divides each row by its largest entry, so
    the rows it scores are those of :math:`R_a \circ R_b`; the row head is
    created first (the same random draws as the baseline's), and the
    GraphHead branch's last layer starts at zero.

    Args:
        in_channels (Dict[str, int]): ``{source: width}``.
        num_segments (int, optional): segments per video :math:`N`.
            (default: :obj:`32`)
        num_powers (int or Dict[str, int], optional): :math:`P` for every
            source (or a dict per source). (default: :obj:`3`)
        k (int, optional): neighbours per segment of each relationship graph;
            :obj:`None` keeps every pair (see :class:`~pyg_fusion.nn.LEGO`).
            (default: :obj:`None`)
        fusion (str, optional): the operator (see :class:`~pyg_fusion.nn.LEGO`).
            (default: :obj:`"pairwise"`)
        rank (int, optional): CP rank (see :class:`~pyg_fusion.nn.LEGO`).
            (default: :obj:`1`)
        norm (str, optional): normalisation of the powers (see
            :class:`~pyg_fusion.nn.LEGO`; ``"row"`` is a **[choice]**, see
            above). (default: :obj:`"row"`)
        proj_channels (int, optional): width of a per-source linear projection
            before the relationship graphs (see :class:`~pyg_fusion.nn.LEGO`).
            (default: :obj:`None`)
        hidden_channels (int, optional): hidden width of the row head and of
            the GraphHead branch; ``None`` is :math:`N` (``num_segments``), as
            the paper sizes its head. (default: :obj:`None`)
        dropout (float, optional): dropout of the row head, and of the
            GraphHead branch unless ``branch_dropout`` is given.
            (default: :obj:`0.0`)
        center (bool, optional): subtract each video's mean feature vector
            before the graphs (:func:`center_videos`). (default: :obj:`False`)
        head (str, optional): :obj:`"row"` or :obj:`"graph"` (see above).
            (default: :obj:`"row"`)
        row_order (str, optional): the row head's order of a row's entries
            (:class:`~pyg_fusion.nn.RowHead`). (default: :obj:`"position"`)
        branch_dropout (float, optional): dropout inside the GraphHead branch
            only (``head="graph"``), before each of its layers; ``None``
            takes ``dropout``. The branch reads every feature of every
            segment and can fit the weak video labels through a few of them
            without finding the anomalous segments, while the row head sees
            only the graph: this regularises the branch alone.
            (default: :obj:`None`)
        branch_detach (bool, optional): the branch reads G without
            back-propagating into it (``head="graph"``), so that the operator
            A is shaped by the row head alone and the branch cannot pull it
            toward graphs that fit the video labels through the features.
            (default: :obj:`False`)
        branch_scale (float, optional): a fixed factor on the branch's scores
            (``head="graph"``). Adam moves each parameter by about its
            learning rate whatever the gradient's size, so a factor below 1
            slows the branch's scores by that much (and weight decay weighs
            more against its smaller gradients): the branch, which sees every
            feature, would otherwise fit the training videos' labels before
            the row head has learned from the graph. (default: :obj:`1.0`)
        lambda_anchor (float, optional): weight of the operator's anchor
            penalty (see :class:`~pyg_fusion.nn.LEGO`). (default: :obj:`0.0`)
        zeroth (str, optional): the operator's zeroth power (see
            :class:`~pyg_fusion.nn.LEGO`). (default: :obj:`"identity"`)
        init (str, optional): the operator's start (see
            :class:`~pyg_fusion.nn.LEGO`). (default: :obj:`"product"`)
        support (str, optional): how the sources' supports are fused (see
            :class:`~pyg_fusion.nn.LEGO`). (default: :obj:`"union"`)
        **lego_options (optional): Additional arguments of
            :class:`~pyg_fusion.nn.LEGO`.

    With a branch, :attr:`branch_on` (default :obj:`True`) set to
    :obj:`False` skips it: the scores are the row head's alone, which is what
    the branch gives at its start (its last layer is zero), with no gradient
    or weight decay reaching the branch and no random draws of its dropout.
    The training task's branch warm-up (``branch_warmup``) uses it to train
    ``head="row"`` first (:class:`~pyg_fusion.training._task.TimedAdamTask`).
    """

    def __init__(self, in_channels: dict[str, int], num_segments: int = 32, *,
                 num_powers=3, k: int | None = None, fusion: str = "pairwise",
                 rank: int = 1, norm="row", proj_channels: int | None = None,
                 hidden_channels: int | None = None, dropout: float = 0.0,
                 center: bool = False, head: str = "row", row_order: str = "position",
                 branch_dropout: float | None = None, branch_detach: bool = False,
                 branch_scale: float = 1.0,
                 lambda_anchor: float = 0.0,
                 zeroth: str = "identity", init: str = "product",
                 support: str = "union", **lego_options):
        super().__init__()
        if head not in ("row", "graph"):
            raise ValueError(f"head must be 'row' or 'graph', got {head!r}")
        if branch_dropout is not None:
            check_dropout("branch_dropout", branch_dropout)
        if not branch_scale > 0:
            raise ValueError(f"branch_scale must be > 0, got {branch_scale!r}")
        self.center, self.head_kind = center, head
        self.branch_detach, self.branch_scale = bool(branch_detach), float(branch_scale)
        self.lego = LEGO(in_channels, num_powers, k=k, fusion=fusion, rank=rank, norm=norm,
                         proj_channels=proj_channels, backend="dense", support=support,
                         zeroth=zeroth, init=init, lambda_anchor=lambda_anchor,
                         **lego_options)
        self.sources = self.lego.sources
        self.num_segments = num_segments
        self.head = RowHead(num_segments, hidden_channels, dropout, row_norm="max",
                            row_order=row_order)
        self.graph_head = None
        self.branch_on = True
        if head == "graph":
            self.graph_head = GraphHead(sum(in_channels.values()),
                                        hidden_channels or num_segments, 1, num_layers=2,
                                        dropout=dropout if branch_dropout is None
                                        else branch_dropout)
            self._zero_branch_output()

    def _zero_branch_output(self):
        for p in self.graph_head.convs[-1].parameters():
            nn.init.zeros_(p)

    def reset_parameters(self):
        reset_children(self)
        if self.graph_head is not None:
            self._zero_branch_output()

    def extra_repr(self) -> str:
        # the options no sub-module's printout shows
        shown = ["center=True"] if self.center else []
        if self.graph_head is not None:
            shown += ["branch_detach=True"] if self.branch_detach else []
            shown += [f"branch_scale={self.branch_scale}"] if self.branch_scale != 1.0 else []
        return ", ".join(shown)

    @property
    def fusion(self):
        return self.lego.fusion

    def forward(self, data) -> tuple[Tensor, Tensor]:
        xs = center_videos(dense_sources(data, self.sources, self.num_segments), self.center)
        fused = self.lego(xs)
        g = fused.to_dense()
        logits = self.head(g)
        if self.graph_head is None or not self.branch_on:
            return logits, g
        b, n = g.shape[:2]
        x = torch.cat([xs[s] for s in self.sources], -1)
        # each segment's deviation from its video: what a feature says about an
        # anomaly is relative to its stream (an absolute feature learns which
        # streams, not which segments, are abnormal)
        x = (x - x.mean(1, keepdim=True)).abs().reshape(b * n, -1)
        ei, w = fused.to_sparse()
        if self.branch_detach:
            w = w.detach()
        return logits + self.branch_scale * self.graph_head(x, ei, w).view(b, n), g


class VADGraphFusion(SourceOrderState, nn.Module):
    """Graph-level fusion: one dense cosine relationship graph per source,
    combined without powers or a learned operator, scored by
    :class:`RowHead` (``"concat"``: rows side by side, width ``M N``).

    Args:
        in_channels (Dict[str, int]): ``{source: width}``.
        num_segments (int, optional): segments per video :math:`N`.
            (default: :obj:`32`)
        mode (str, optional): :obj:`"single"`, :obj:`"mean"`, :obj:`"add"`,
            :obj:`"product"` or :obj:`"concat"` (see
            :func:`~pyg_fusion.nn.baselines.graph_fuse_dense`). (default: :obj:`"mean"`)
        hidden_channels (int, optional): hidden width of the row head; :obj:`None` is
            :math:`N`. (default: :obj:`None`)
        dropout (float, optional): dropout of the row head. (default: :obj:`0.0`)
        center (bool, optional): subtract each video's mean feature vector before the
            graphs (:func:`center_videos`). (default: :obj:`False`)
        row_order (str, optional): the row head's order of a row's entries
            (:class:`~pyg_fusion.nn.RowHead`). (default: :obj:`"position"`)
        k (int, optional): neighbours per segment of each relationship graph (its self
            loop kept); :obj:`None` keeps every pair. (default: :obj:`None`)
    """

    def __init__(self, in_channels: dict[str, int], num_segments: int = 32, *,
                 mode: str = "mean", hidden_channels: int | None = None,
                 dropout: float = 0.0, center: bool = False, row_order: str = "position",
                 k: int | None = None):
        super().__init__()
        # LEGO's graphs: with k, each segment's k nearest (self loop kept), so
        # that LEGO started at this graph's fusion is still this baseline
        check_choice("mode", mode, GRAPH_MODES)  # (else an error at the first forward)
        self.graph = RelationGraph(k=k)
        self.center = center
        self.sources = list(in_channels)
        self.mode = mode
        self._order_matters = mode == "concat"  # the head reads the graphs side by side
        self.num_segments = num_segments
        width = num_segments * (len(self.sources) if mode == "concat" else 1)
        if hidden_channels is not None:  # (0 was read as None: a head of width N)
            check_int("hidden_channels", hidden_channels, minimum=1)
        self.head = RowHead(width, hidden_channels or num_segments, dropout, row_norm="max",
                            row_order=row_order)

    def reset_parameters(self):
        reset_children(self)

    def extra_repr(self) -> str:
        return f"mode={self.mode!r}" + (", center=True" if self.center else "")

    def forward(self, data) -> tuple[Tensor, Tensor | None]:
        xs = center_videos(dense_sources(data, self.sources, self.num_segments), self.center)
        g = graph_fuse_dense([self.graph.dense(xs[s]) for s in self.sources], self.mode)
        return self.head(g), (g if g.size(-1) == g.size(-2) else None)


class VADFeatureFusion(nn.Module):
    """Feature-level fusion (single / concat / add / product, with
    projections where widths differ) scored per segment by
    ``Linear -> ReLU -> Dropout -> Linear`` of width ``hidden_channels``
    (``None``: 32).

    Args:
        in_channels (Dict[str, int]): ``{source: width}``.
        num_segments (int, optional): segments per video :math:`N` (the registry's
            common signature: each segment is scored alone). (default: :obj:`32`)
        mode (str, optional): :obj:`"single"`, :obj:`"concat"`, :obj:`"add"` or
            :obj:`"product"` (see :class:`~pyg_fusion.nn.baselines.FeatureFusion`).
            (default: :obj:`"concat"`)
        proj_channels (int, optional): width of a per-source linear projection before the
            fusion, ``mode="add"`` or ``"product"`` only. (default: :obj:`None`)
        hidden_channels (int, optional): width of the head; :obj:`None` is 32.
            (default: :obj:`None`)
        dropout (float, optional): dropout of the head. (default: :obj:`0.0`)
    """

    def __init__(self, in_channels: dict[str, int], num_segments: int = 32, *,
                 mode: str = "concat", proj_channels: int | None = None,
                 hidden_channels: int | None = None, dropout: float = 0.0):
        super().__init__()
        self.fuse = FeatureFusion(in_channels, mode, proj_channels)
        self.sources = list(in_channels)
        self.head = _feature_head(self.fuse.out_channels, hidden_channels, dropout)

    def reset_parameters(self):
        reset_children(self)

    def forward(self, data) -> tuple[Tensor, None]:
        f = self.fuse(dense_sources(data, self.sources, model=self))
        return self.head(f).squeeze(-1), None


class VADMTN(SourceOrderState, nn.Module):
    """The compact MTN-style network (:class:`~pyg_fusion.nn.baselines.MTN`)
    on the concatenated sources, scored per segment by the feature head of
    :class:`VADFeatureFusion` (width ``hidden_channels``, ``None``: 32).

    Args:
        in_channels (Dict[str, int]): ``{source: width}``.
        num_segments (int, optional): segments per video :math:`N` (the registry's
            common signature: each segment is scored alone). (default: :obj:`32`)
        mtn_channels (int, optional): width of the MTN. (default: :obj:`64`)
        hidden_channels (int, optional): width of the head; :obj:`None` is 32.
            (default: :obj:`None`)
        dropout (float, optional): dropout of the head. (default: :obj:`0.0`)
        mtn_dropout (float, optional): the MTN's own dropout. (default: :obj:`0.1`)
    """

    def __init__(self, in_channels: dict[str, int], num_segments: int = 32, *,
                 mtn_channels: int = 64, hidden_channels: int | None = None,
                 dropout: float = 0.0,
                 mtn_dropout: float = 0.1):
        super().__init__()
        self.sources = list(in_channels)
        check_int("mtn_channels", mtn_channels, minimum=1)  # (MTN names it hidden_channels)
        self.mtn = MTN(sum(in_channels.values()), mtn_channels, dropout=mtn_dropout)
        # dropout: the head's, as every VAD baseline's; the MTN keeps its own
        self.head = _feature_head(mtn_channels, hidden_channels, dropout)

    def reset_parameters(self):
        reset_children(self)

    def forward(self, data) -> tuple[Tensor, None]:
        xs = dense_sources(data, self.sources, model=self)
        h = self.mtn(torch.cat([xs[s] for s in self.sources], -1))
        return self.head(h).squeeze(-1), None
