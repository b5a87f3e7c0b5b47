"""Node-classification models of the method registry: every model maps one
graph of several sources (``x_<source>``) to class logits ``[N, C]`` with the
same head, so that only the fusion differs between methods: with
``features="concat"`` (or ``"none"``) :class:`~pyg_fusion.nn.GraphHead` over
the method's graph, with ``features="labels"`` the graph-only
:class:`~pyg_fusion.nn.LabelPropagationHead`, which propagates the seed labels
over the method's graph (the graph is then the only input, and methods are
compared by their graphs alone).

Relationship graphs and powers that do not depend on parameters (no learned
projection) are computed once per input and cached: the transductive task
trains on one fixed graph, and rebuilding a 2,000-node kNN graph and its
powers at every step would dominate the run time.
"""
from __future__ import annotations

import torch
from torch import Tensor, nn
from torch_geometric.data import Data

from ..functional import relation_graph
from ..functional.relation import check_graph_options
from ..nn import LEGO
from ..nn._lego_inputs import AUTOGRAD, refuse_torch_func
from ..nn._reset import reset_children
from ..nn._source_order import SourceOrderState
from ..functional._checks import check_choice, check_int
from ..nn.baselines import GCN, GRAPH_MODES, FeatureFusion, graph_fuse_sparse
from ._node_common import (NodeHead, _Cache, _width, follows_inputs, head_input, make_head,
                           node_features, options_repr, shared_build, shared_relation_graph)

__all__ = ["NodeHead", "NodeLEGO", "NodeFeatureFusion", "NodeGraphFusion", "NodeGCN",
           "NodeAsymShuffle",
           "node_features"]


def _checked_k(k: int | None) -> int | None:
    # a k < 1 failed in the first forward's relation_graph, not where it was
    # given: checked when built, as RelationGraph checks its options
    check_graph_options(k, None)
    return k


class NodeLEGO(nn.Module):
    """LEGO's fused graph + :class:`GraphHead` on the concatenated sources.

    Args:
        in_channels (Dict[str, int]): ``{source: width}``.
        num_classes (int): classes :math:`C`.
        num_powers (int or Dict[str, int], optional): :math:`P` for every source (or a dict
            per source). (default: :obj:`2`)
        k (int, optional): neighbours per node of each relationship graph (its self loop not
            counted: ``k + 1`` in-edges per node, see
            :func:`~pyg_fusion.functional.relation_graph`). (default: :obj:`10`)
        fusion (str, optional): the operator, see :class:`~pyg_fusion.nn.LEGO` (as are
            ``rank``, ``prune_k``, ``norm`` and ``proj_channels``). (default: :obj:`"pairwise"`)
        rank (int, optional): CP rank. (default: :obj:`1`)
        prune_k (int, optional): entries kept per row after each product. (default: :obj:`None`)
        norm (str, optional): normalisation of the powers. (default: :obj:`"sym"`)
        proj_channels (int, optional): width of a per-source linear projection before the
            relationship graphs. (default: :obj:`None`)
        pairs (str, optional): :obj:`"sample"` (a random pair per training step, the paper) or
            :obj:`"all"`, see :class:`~pyg_fusion.nn.LEGOFusion`. (default: :obj:`"sample"`)
        hidden_channels (int, optional): width of the head (:class:`NodeHead`, as are
            ``num_layers`` and ``dropout``). (default: :obj:`64`)
        num_layers (int, optional): layers of the head. (default: :obj:`2`)
        dropout (float, optional): dropout of the head. (default: :obj:`0.5`)
        features (str, optional): :obj:`"concat"` (the head sees the concatenated sources),
            :obj:`"none"` (a featureless head, see :class:`NodeHead`) or :obj:`"labels"`
            (label propagation over G, see :func:`make_head`). (default: :obj:`"concat"`)
        num_nodes (int, optional): N, needed with ``features="none"``. (default: :obj:`None`)
        support (str, optional): :obj:`"shared"` builds every source's graph on one support,
            the union of the sources' kNN graphs, so that each pair's product keeps the entries
            of either view's graph instead of the few that both have; :obj:`"intersection"`
            keeps each source's own kNN graph and each pair's G on the entries both have (G is
            exactly 0 elsewhere); see :class:`~pyg_fusion.nn.LEGO`, as are ``zeroth``,
            ``init`` and ``lambda_anchor``. (default: :obj:`"shared"`)
        zeroth (str, optional): the operator's zeroth power. (default: :obj:`"identity"`)
        init (str, optional): the operator's start. (default: :obj:`"product"`)
        lambda_anchor (float, optional): weight of the anchor penalty. (default: :obj:`0.0`)
        **lego_options (optional): Additional arguments of :class:`~pyg_fusion.nn.LEGO`.
    """

    def __init__(self, in_channels: dict[str, int], num_classes: int, *, num_powers=2,
                 k: int = 10, fusion: str = "pairwise", rank: int = 1,
                 prune_k: int | None = None, norm="sym", proj_channels: int | None = None,
                 pairs: str = "sample", hidden_channels: int = 64, num_layers: int = 2,
                 dropout: float = 0.5, features: str = "concat", num_nodes: int | None = None,
                 support: str = "shared", zeroth: str = "identity",
                 init: str = "product", lambda_anchor: float = 0.0, **lego_options):
        super().__init__()
        self.features, self.num_classes = features, num_classes
        self.in_channels, self.num_nodes = dict(in_channels), num_nodes
        self.lego = LEGO(in_channels, num_powers, k=k, fusion=fusion, rank=rank,
                         prune_k=prune_k, norm=norm, proj_channels=proj_channels,
                         pairs=pairs, support=support, backend="sparse", zeroth=zeroth,
                         init=init, lambda_anchor=lambda_anchor, **lego_options)
        self.sources = self.lego.sources
        self.head = make_head(sum(in_channels.values()), hidden_channels, num_classes,
                              num_layers, dropout, features, num_nodes)
        self._cache = _Cache()

    def reset_parameters(self):
        reset_children(self)

    @property
    def fusion(self):
        return self.lego.fusion

    def extra_repr(self) -> str:
        return options_repr(self)

    def _powers(self, xs: dict[str, Tensor], n: int) -> dict:
        # lego and lego-cp, and each seed of compare, search the same graphs
        g = self.lego.graph
        options = ("lego.relation_graphs", tuple(xs), g.k, g.threshold, g.metric, g.nonneg,
                   g.gamma, g.knn, self.lego.support)
        graphs = shared_build(options, list(xs.values()), lambda: self.lego.relation_graphs(xs))
        return {s: self.lego.expansions[s](*graphs[s], n) for s in self.sources}

    def fused_graph(self, data: Data) -> tuple[Tensor, Tensor]:
        return self._fused_graph(node_features(data, self.sources, self))

    def _fused_graph(self, xs: dict[str, Tensor]) -> tuple[Tensor, Tensor]:
        n = next(iter(xs.values())).size(0)
        if self.lego.proj is not None or follows_inputs(list(xs.values())):
            # the graph follows learned features (LEGOFusion.plan holds none of
            # their gradients): LEGO itself, at every call
            g = self.lego(xs)
            return g.edge_index, g.edge_weight
        fusion = self.lego.fusion
        if fusion.mode != "pairwise" or fusion.term_scale != "none":
            powers = self._cache.get(list(xs.values()), lambda: self._powers(xs, n))
            return fusion(powers, n)
        # fixed powers: the pairs' supports are aligned once (LEGOFusion.plan)
        plan = self._cache.get(list(xs.values()),
                               lambda: fusion.plan(self._powers(xs, n), n))
        return fusion.fuse_planned(plan)

    def forward(self, data: Data, seed_mask: Tensor | None = None) -> Tensor:
        xs = node_features(data, self.sources, self)
        ei, w = self._fused_graph(xs)
        x = torch.cat([xs[s] for s in self.sources], -1)
        return self.head(head_input(x, self.features, data, seed_mask, self.num_classes),
                         ei, w)


class NodeFeatureFusion(nn.Module):
    """Feature-level fusion: the fused features F, the kNN relationship graph
    of F, and :class:`GraphHead` on F over it (``mode="single"`` with one
    source is the single-view model).

    Args:
        in_channels (Dict[str, int]): ``{source: width}``.
        num_classes (int): classes :math:`C`.
        mode (str, optional): the fusion of the features, see
            :class:`~pyg_fusion.nn.baselines.FeatureFusion`. (default: :obj:`"concat"`)
        k (int, optional): neighbours per node of each relationship graph (see
            :func:`~pyg_fusion.functional.relation_graph`). (default: :obj:`10`)
        proj_channels (int, optional): width of a per-source linear projection before the
            fusion (learned: the graph of F then follows it), ``mode="add"`` or
            ``"product"`` only. (default: :obj:`None`)
        hidden_channels (int, optional): width of the head (:class:`NodeHead`, as are
            ``num_layers`` and ``dropout``). (default: :obj:`64`)
        num_layers (int, optional): layers of the head. (default: :obj:`2`)
        dropout (float, optional): dropout of the head. (default: :obj:`0.5`)
        features (str, optional): :obj:`"concat"` (the head sees the concatenated sources),
            :obj:`"none"` (a featureless head, see :class:`NodeHead`) or :obj:`"labels"`
            (label propagation over the graph, see :func:`make_head`).
            (default: :obj:`"concat"`)
        num_nodes (int, optional): N, needed with ``features="none"``. (default: :obj:`None`)
    """

    def __init__(self, in_channels: dict[str, int], num_classes: int, *, mode: str = "concat",
                 k: int = 10, proj_channels: int | None = None, hidden_channels: int = 64,
                 num_layers: int = 2, dropout: float = 0.5, features: str = "concat",
                 num_nodes: int | None = None):
        super().__init__()
        self.features, self.num_classes = features, num_classes
        self.in_channels, self.num_nodes = dict(in_channels), num_nodes
        self.fuse = FeatureFusion(in_channels, mode, proj_channels)
        self.sources = list(in_channels)
        self.k = _checked_k(k)
        self.head = make_head(self.fuse.out_channels, hidden_channels, num_classes,
                              num_layers, dropout, features, num_nodes)
        self._cache = _Cache()

    def reset_parameters(self):
        reset_children(self)

    def extra_repr(self) -> str:
        return options_repr(self, k=self.k)

    def forward(self, data: Data, seed_mask: Tensor | None = None) -> Tensor:
        xs = node_features(data, self.sources, self)
        f = self.fuse(xs)
        if self.fuse.proj is None:
            ei, w = self._cache.get(list(xs.values()), lambda: shared_relation_graph(f, self.k))
        else:  # learned projections: the graph follows them (its weights stay differentiable)
            refuse_torch_func("NodeFeatureFusion's graph", AUTOGRAD)
            ei, w = relation_graph(f, k=self.k)
        return self.head(head_input(f, self.features, data, seed_mask, self.num_classes),
                         ei, w)


class NodeGraphFusion(SourceOrderState, nn.Module):
    """Graph-level fusion: one kNN relationship graph per source, combined
    directly (``"single"``, ``"mean"``, ``"add"``, ``"product"``; no powers, no
    learned operator), and :class:`GraphHead` on the concatenated sources over
    it. ``"concat"`` (graphs side by side) has no single-graph form for a
    message-passing head: each graph gets its own :class:`GraphHead` and their
    outputs are concatenated before a linear classifier (a **[choice]**).

    Args:
        in_channels (Dict[str, int]): ``{source: width}``.
        num_classes (int): classes :math:`C`.
        mode (str, optional): :obj:`"single"`, :obj:`"mean"`, :obj:`"add"`,
            :obj:`"product"` or :obj:`"concat"` (see above). (default: :obj:`"mean"`)
        graph_sources (List[str], optional): the sources whose graphs are fused; :obj:`None`
            is every source. (default: :obj:`None`)
        k (int, optional): neighbours per node of each relationship graph (see
            :func:`~pyg_fusion.functional.relation_graph`). (default: :obj:`10`)
        hidden_channels (int, optional): width of the head (:class:`NodeHead`, as are
            ``num_layers`` and ``dropout``). (default: :obj:`64`)
        num_layers (int, optional): layers of the head. (default: :obj:`2`)
        dropout (float, optional): dropout of the head. (default: :obj:`0.5`)
        features (str, optional): :obj:`"concat"` (the head sees the concatenated sources),
            :obj:`"none"` (a featureless head, see :class:`NodeHead`) or :obj:`"labels"`
            (label propagation over the graph, see :func:`make_head`).
            (default: :obj:`"concat"`)
        num_nodes (int, optional): N, needed with ``features="none"``. (default: :obj:`None`)
    """

    def __init__(self, in_channels: dict[str, int], num_classes: int, *, mode: str = "mean",
                 graph_sources: list[str] | None = None, k: int = 10,
                 hidden_channels: int = 64, num_layers: int = 2, dropout: float = 0.5,
                 features: str = "concat", num_nodes: int | None = None):
        super().__init__()
        self.features, self.num_classes = features, num_classes
        self.in_channels, self.num_nodes = dict(in_channels), num_nodes
        self.sources = list(in_channels)
        self.graph_sources = list(graph_sources or self.sources)
        check_choice("mode", mode, GRAPH_MODES)  # (else errors at the first forward)
        unknown = [s for s in self.graph_sources if s not in self.sources]
        if unknown:
            raise ValueError(f"graph_sources {unknown} are not sources of in_channels "
                             f"{self.sources}")
        self.mode, self.k = mode, _checked_k(k)
        # the head reads the sources' features side by side, or one head per graph
        self._order_matters = features == "concat" or mode == "concat"
        width = sum(in_channels.values())
        if mode == "concat":
            self.heads = nn.ModuleList([make_head(width, hidden_channels, hidden_channels,
                                                  num_layers, dropout, features, num_nodes)
                                        for _ in self.graph_sources])
            per_head = num_classes if features == "labels" else hidden_channels
            self.lin = nn.Linear(per_head * len(self.graph_sources), num_classes)
        else:
            self.head = make_head(width, hidden_channels, num_classes, num_layers, dropout,
                                  features, num_nodes)
        self._cache = _Cache()

    def reset_parameters(self):
        reset_children(self)

    def extra_repr(self) -> str:
        shown = {} if self.graph_sources == self.sources else \
            {"graph_sources": self.graph_sources}
        return options_repr(self, mode=self.mode, k=self.k, **shown)

    def _source_order(self):
        if self.graph_sources == self.sources:
            return list(self.sources)
        return {"sources": self.sources, "graph_sources": self.graph_sources}

    def _graphs(self, xs, n):
        graphs = [shared_relation_graph(xs[s], self.k) for s in self.graph_sources]
        if self.mode == "concat":
            return graphs
        return graph_fuse_sparse(graphs, n, self.mode)

    def forward(self, data: Data, seed_mask: Tensor | None = None) -> Tensor:
        xs = node_features(data, self.sources, self)
        x = torch.cat([xs[s] for s in self.sources], -1)
        g = self._cache.get(list(xs.values()), lambda: self._graphs(xs, x.size(0)))
        x = head_input(x, self.features, data, seed_mask, self.num_classes)
        if self.mode == "concat":
            h = torch.cat([head(x, *gi) for head, gi in zip(self.heads, g)], -1)
            return self.lin(torch.relu(h))
        return self.head(x, *g)


class NodeGCN(SourceOrderState, nn.Module):
    """The classic GCN (:class:`~pyg_fusion.nn.baselines.GCN`) on one source's
    kNN graph with that source's features, or (``in_channels`` of several
    sources) on the uniform mean of the sources' graphs with the concatenated
    features; it has no ``graph_sources``.

    Args:
        in_channels (Dict[str, int]): ``{source: width}``.
        num_classes (int): classes :math:`C`.
        k (int, optional): neighbours per node of each relationship graph (see
            :func:`~pyg_fusion.functional.relation_graph`). (default: :obj:`10`)
        hidden_channels (int, optional): width of the GCN. (default: :obj:`64`)
        num_layers (int, optional): layers of the GCN. (default: :obj:`2`)
        dropout (float, optional): dropout of the GCN. (default: :obj:`0.5`)
        features (str, optional): :obj:`"concat"` (the concatenated sources) or :obj:`"none"`
            (one-hot node ids, the graph as the only input). (default: :obj:`"concat"`)
        num_nodes (int, optional): N, needed with ``features="none"``. (default: :obj:`None`)
    """

    def __init__(self, in_channels: dict[str, int], num_classes: int, *, k: int = 10,
                 hidden_channels: int = 64, num_layers: int = 2, dropout: float = 0.5,
                 features: str = "concat", num_nodes: int | None = None):
        super().__init__()
        if features == "labels":
            raise ValueError("the GCN baselines learn from node features; features='labels' "
                             "(label propagation) has no GCN form")
        self.features = features
        self.in_channels, self.num_nodes = dict(in_channels), num_nodes
        self.sources = list(in_channels)
        self.k = _checked_k(k)
        self.gcn = GCN(_width(sum(in_channels.values()), features, num_nodes), hidden_channels,
                       num_classes, num_layers, dropout)
        self._cache = _Cache()

    def reset_parameters(self):
        reset_children(self)

    def extra_repr(self) -> str:
        return options_repr(self, k=self.k)

    def _graph(self, xs, n):
        graphs = [shared_relation_graph(xs[s], self.k) for s in self.sources]
        return graph_fuse_sparse(graphs, n, "mean") if len(graphs) > 1 else graphs[0]

    def forward(self, data: Data) -> Tensor:
        xs = node_features(data, self.sources, self)
        x = torch.cat([xs[s] for s in self.sources], -1)
        ei, w = self._cache.get(list(xs.values()), lambda: self._graph(xs, x.size(0)))
        return self.gcn(head_input(x, self.features), ei, w)


class NodeAsymShuffle(nn.Module):
    """AsymFusion's asymmetric exchange as a node-feature fusion
    (:class:`~pyg_fusion.nn.asym.graph.AsymGraphFusion`, channel shuffle and a
    shift along the edges of the kNN graph of the concatenated sources); the
    exchanged features, concatenated, go to the shared head over that graph.

    Args:
        in_channels (Dict[str, int]): ``{source: width}``.
        num_classes (int): classes :math:`C`.
        k (int, optional): neighbours per node of each relationship graph (see
            :func:`~pyg_fusion.functional.relation_graph`). (default: :obj:`10`)
        hidden_channels (int, optional): width of each source's exchanged features
            (:class:`~pyg_fusion.nn.asym.graph.AsymGraphFusion`'s ``channels``, at least 5)
            and of the head. (default: :obj:`64`)
        num_layers (int, optional): layers of the head. (default: :obj:`2`)
        dropout (float, optional): dropout of the head. (default: :obj:`0.5`)
        features (str, optional): only :obj:`"concat"`: the exchange needs the node
            features. (default: :obj:`"concat"`)
        num_nodes (int, optional): unused (the node models' common signature).
            (default: :obj:`None`)
    """

    def __init__(self, in_channels: dict[str, int], num_classes: int, *, k: int = 10,
                 hidden_channels: int = 64, num_layers: int = 2, dropout: float = 0.5,
                 features: str = "concat", num_nodes: int | None = None):
        super().__init__()
        from ..nn.asym.graph import AsymGraphFusion
        if features != "concat":
            raise ValueError(f"asym-shuffle exchanges node features; features={features!r} "
                             f"(the graph alone) has no form of it")
        self.sources = list(in_channels)
        self.in_channels = dict(in_channels)
        self.k = _checked_k(k)
        # AsymGraphFusion's own check names its "channels"
        check_int("hidden_channels", hidden_channels, minimum=5)
        self.exchange = AsymGraphFusion(in_channels, hidden_channels, shift="edge",
                                        combine="concat")
        self.head = NodeHead(hidden_channels * len(self.sources), hidden_channels,
                             num_classes, num_layers, dropout)
        self._cache = _Cache()

    def reset_parameters(self):
        reset_children(self)

    def extra_repr(self) -> str:
        return options_repr(self, k=self.k)

    def forward(self, data: Data) -> Tensor:
        xs = node_features(data, self.sources, self)
        x = torch.cat([xs[s] for s in self.sources], -1)
        ei, w = self._cache.get(list(xs.values()), lambda: shared_relation_graph(x, self.k))
        h = self.exchange(xs, ei, edge_weight=w)
        return self.head(h, ei, w)
