from __future__ import annotations

import numbers

import torch
from torch import Tensor

from ..functional._autocast import float32_under_autocast
from ..functional._checks import check_choice, check_int, check_tensor
from ..functional._csr import inverse_permutation, use_scipy
from ..functional._live import coarsened_live, kept_entries, pair_live_zeros
from ..functional.order import locality_order, permute_rows, relabel
from ..functional.support import _shared_support
from ._lego_dense import DenseBackend
from ._lego_fusion_options import check_fusion_options, check_source_names
from ._lego_inputs import (AUTOGRAD, check_graph_inputs, check_input_form, node_batch,
                           refuse_torch_func, refuse_torchscript, unpack_inputs)
from ._lego_overflow import check_fused, check_powers
from .fused_graph import FusedGraph
from .lego_fusion import LEGOFusion
from .power_expansion import GraphPowerExpansion
from .relation_graph import RelationGraph

# backend="auto" picks dense for batches whose largest graph has at most this many nodes:
# benchmarks/sparse_vs_dense.py on the 2-core CPU reference machine (docs/results/scaling.md,
# "Sparse against dense", CSR layout): dense faster at N = 768 (sparse 0.9x), sparse at 1024 (1.4x).
AUTO_DENSE_MAX_NODES = 768

# The sparse backend on CPU runs each source's similarities and powers in a locality order of that
# source's graph (pyg_fusion.functional.order), and the fusion in the first source's order, when
# the largest graph of the batch has at least this many nodes: the same edges (the weights to
# rounding: the sums run in another order), faster once the rows the products read fall out of
# the caches. In one process, one thread, interleaved with the caller's numbering (loaded
# machine, docs/results/scaling.md "Where the growth lives"), the sparse part of scaling.py's
# step took 0.89-0.91x its time at N = 16384 and 0.96x at 8192. One order per source, not one
# shared by all: the sources' graphs have their own neighbourhoods, and an order of their union
# gave the products no locality (N = 65536, two sources of independent clustered features,
# benchmarks/locality_orders.py: the powers took 1.12-1.14x their time in each source's own order,
# about as long as in the caller's numbering, 1.10-1.18x).
LOCALITY_MIN_NODES = 16384


class LEGO(DenseBackend, torch.nn.Module):
    r"""LEGO fusion end to end (Ding et al., ICLR 2025,
    `paper <https://arxiv.org/abs/2410.01506>`_): per-source features ->
    relationship graphs -> graph powers -> one fused graph

    .. math::
        G = \sum_{p,q} A_{pq}\, R_a^p \circ R_b^q

    (or the M-way CP form). Sources may have different widths; an optional
    per-source linear projection to ``proj_channels`` comes first (a
    **[choice]**, off by default).

    Backends: ``"dense"`` (batched ``[B, N, N]`` matrices, masks for graphs
    of different sizes), ``"sparse"`` (edge lists, block-diagonal batches) or
    ``"auto"``: dense when the largest graph of the batch has at most
    :data:`AUTO_DENSE_MAX_NODES` nodes or when the graphs are full (neither
    ``k`` nor ``threshold``), sparse otherwise (the crossover measured by
    ``benchmarks/sparse_vs_dense.py``). Both give the same numbers:
    ``k``, ``threshold`` and ``prune_k`` act identically on dense matrices.
    Padded CPU inputs ``[B, N, d]`` that require no gradient (fixed
    features: a video's segments at every epoch) keep each graph's powers,
    found by its features' content in any later batch (not under
    torch.compile or torch.func): the same numbers, built once. The module
    keeps at most :data:`~pyg_fusion.nn._fixed_graph.KEPT_BYTES` (256 MiB)
    of them and 4096 graphs, those used last (a graph of :math:`N` nodes keeps
    :math:`\sum_s (P_s + 1)` matrices :math:`N \times N` of its features'
    dtype and a boolean one: 8.25 MiB at :math:`N = 512` in float32 with two
    sources and :math:`P = 3`); a graph larger than that is built at every
    call.

    Levels: a source whose units are finer than the nodes (frames or patches
    of clips) comes with an assignment ``assign[source]`` ``[N_source]`` of
    each unit to its node; its graph is built on its own units and pooled to
    the nodes by :math:`S^\top R S` (:func:`pyg_fusion.functional.coarsen`)
    before the powers (a node, or a whole batch, without units: no edges).

    Under :class:`torch.autocast` the projections run in autocast's 16-bit
    dtype, as torch's ``Linear`` does, and everything after them (similarities
    and the choice of neighbours, normalisation, powers, fusion) in float32
    with autocast disabled, 16-bit features promoted: sums of many small
    entries, divisions by degrees and rankings of near-equal similarities,
    autocast's float32 list (:mod:`pyg_fusion.functional`). :math:`G` is
    float32 and both backends agree as in float32; tested within a relative
    2e-2 of float32 eager (bfloat16 on CPU).

    Args:
        in_channels (Dict[str, int]): feature width of each source, by name
            (non-empty strings without ``.`` or ``|``).
        num_powers (int or Dict[str, int], optional): :math:`P`, for all sources
            or per source. (default: :obj:`3`)
        proj_channels (int, optional): width of an optional per-source linear
            projection before the relationship graphs. (default: :obj:`None`, no
            projection)
        k (int, optional): neighbours per node of each relationship graph
            (:class:`RelationGraph`). (default: :obj:`None`)
        threshold (float, optional): minimum similarity of a kept entry of the
            relationship graphs. (default: :obj:`None`)
        metric (str, optional): :obj:`"cosine"`, :obj:`"rbf"` or :obj:`"dot"`.
            (default: :obj:`"cosine"`)
        nonneg (str, optional): how negative similarities are made non-negative:
            :obj:`"clamp"`, :obj:`"shift"` or :obj:`None`
            (:func:`~pyg_fusion.functional.dense_relation_graph`).
            (default: :obj:`"clamp"`)
        gamma (float, optional): RBF width. (default: :obj:`None`, :obj:`1 / d`)
        norm (str, optional): normalisation of the powers, :obj:`"sym"`,
            :obj:`"row"` or :obj:`None` (:class:`GraphPowerExpansion`).
            (default: :obj:`"sym"`)
        mode (str, optional): :obj:`"matrix"` or :obj:`"hadamard"` powers.
            (default: :obj:`"matrix"`)
        fusion (str, optional): the operator, :obj:`"pairwise"`, :obj:`"cp"` or
            :obj:`"full"` (:class:`LEGOFusion`'s ``mode``). (default: :obj:`"pairwise"`)
        rank (int, optional): CP rank (``fusion="cp"`` only). (default: :obj:`1`)
        shared (bool, optional): one :math:`A` for all pairs
            (``fusion="pairwise"`` only). (default: :obj:`False`)
        pairs (str, optional): :obj:`"sample"` (the paper) or :obj:`"all"`: the
            pairs fused in training (:class:`LEGOFusion`). (default:
            :obj:`"sample"`)
        support (str, optional): :obj:`"union"` or :obj:`"intersection"`: how the
            per-source supports of the sparse powers are fused
            (:class:`LEGOFusion`); :obj:`"shared"` (ours): every source's graph is
            built on one support, the union of the sources' kNN / threshold
            graphs, with each source's similarity on every pair of it
            (:mod:`pyg_fusion.functional.support`), so that the products do not
            collapse to intersections. Both backends; node-level sources only (no
            ``assign``). (default: :obj:`"union"`)
        prune_k (int, optional): keep the ``k`` largest-magnitude entries per row
            after each sparse graph product. (default: :obj:`None`, exact powers)
        backend (str, optional): :obj:`"dense"`, :obj:`"sparse"` or
            :obj:`"auto"` (see above). (default: :obj:`"auto"`)
        knn (str, optional): the neighbour search of the sparse backend,
            :obj:`"exact"`, :obj:`"approx"` or :obj:`"auto"`
            (:func:`pyg_fusion.functional.relation_graph`; the dense backend ranks
            exactly, so the backends agree for :obj:`"exact"` and for graphs
            :obj:`"auto"` searches exactly). (default: :obj:`"auto"`)
        zeroth (str, optional): the operator's zeroth power, :obj:`"identity"` or
            :obj:`"ones"` (:class:`LEGOFusion`). (default: :obj:`"identity"`)
        init (str, optional): the operator's start, :obj:`"product"` or
            :obj:`"mean"` (:class:`LEGOFusion`). (default: :obj:`"product"`)
        lambda_anchor (float, optional): weight of the operator's anchor penalty
            (:meth:`LEGOFusion.penalty`). (default: :obj:`0.0`)
        term_scale (str, optional): each term of the operator brought to the
            per-graph scale of the product term, :obj:`"none"`, :obj:`"mean"`
            or :obj:`"rms"` (:class:`LEGOFusion`). (default: :obj:`"none"`)

    Shapes:
        - **input**: ``dict`` source -> ``[N, d_s]`` with ``batch`` ``[N]``
          (or ``[B, N, d_s]`` with ``mask`` ``[B, N]``), or a
          ``Data``/``Batch`` holding ``x_<source>`` (and ``assign_<source>``);
          empty graphs in a batch get no edges, an input of no units is refused
        - **output**: :class:`FusedGraph`
    """

    __prepare_scriptable__ = refuse_torchscript  # torch.jit.script: an error naming it

    def __init__(self, in_channels: dict[str, int], num_powers: int | dict[str, int] = 3, *,
                 proj_channels: int | None = None, k: int | None = None,
                 threshold: float | None = None, metric: str = "cosine", nonneg="clamp",
                 gamma: float | None = None, norm="sym", mode: str = "matrix",
                 fusion: str = "pairwise", rank: int = 1, shared: bool = False,
                 pairs: str = "sample", support: str = "union",
                 prune_k: int | None = None, backend: str = "auto", knn: str = "auto",
                 zeroth: str = "identity", init: str = "product",
                 lambda_anchor: float = 0.0, term_scale: str = "none"):
        super().__init__()
        if not in_channels:
            raise ValueError("in_channels must name at least one source")
        check_source_names("in_channels", in_channels)  # they key the module dicts
        check_choice("backend", backend, ("dense", "sparse", "auto"))
        self.in_channels = {s: check_int(f"in_channels[{s!r}]", d, minimum=1)
                            for s, d in sorted(in_channels.items())}
        if proj_channels is not None:
            proj_channels = check_int("proj_channels", proj_channels, minimum=1)
        self.sources = sorted(in_channels)
        self.backend = backend
        self.proj = None
        if proj_channels is not None:
            self.proj = torch.nn.ModuleDict({
                s: torch.nn.Linear(d, proj_channels) for s, d in self.in_channels.items()})
        self.graph = RelationGraph(k, threshold, metric, nonneg, gamma, knn)
        if isinstance(num_powers, numbers.Integral):  # numpy's too; a bool: refused below
            num_powers = {s: num_powers for s in self.sources}
        if not isinstance(num_powers, dict) or set(num_powers) != set(self.sources):
            raise ValueError(f"num_powers must be an int or give P for each of "
                             f"{self.sources}, got {num_powers!r}")
        self.expansions = torch.nn.ModuleDict({
            s: GraphPowerExpansion(num_powers[s], norm, mode, prune_k)
            for s in self.sources})
        # first, so that the errors name LEGO's fusion, not LEGOFusion's mode
        check_fusion_options(self.sources, fusion, rank, pairs, support, zeroth, init,
                             lambda_anchor, term_scale, shared=shared, mode_name="fusion")
        self.fusion = LEGOFusion(self.sources, num_powers, fusion, rank, shared, pairs,
                                 support, zeroth=zeroth, init=init,
                                 lambda_anchor=lambda_anchor, term_scale=term_scale)
        self.support = support

    def _graph_kw(self) -> dict:
        g = self.graph
        return dict(k=g.k, threshold=g.threshold, metric=g.metric, nonneg=g.nonneg,
                    gamma=g.gamma)

    def relation_graphs(self, xs: dict[str, Tensor], batch: Tensor | None = None
                        ) -> dict[str, tuple[Tensor, Tensor]]:
        """The sparse relationship graph of every (node-level) source, as
        :meth:`forward` builds it from the same features ``xs`` (projected
        first when ``proj_channels`` is set): each on its own support, or
        with ``support="shared"`` all on one."""
        check_graph_inputs(self, xs)
        # the projection as forward runs it (autocast's dtype), the graphs in float32
        return self._relation_graphs(self._project(xs), batch)

    @float32_under_autocast
    def _relation_graphs(self, xs: dict[str, Tensor], batch: Tensor | None
                         ) -> dict[str, tuple[Tensor, Tensor]]:
        pairs = self._pairs(xs, batch)
        return {s: (pairs[s], self.graph._weights(x, pairs[s])) for s, x in xs.items()}

    def _pairs(self, xs: dict[str, Tensor], batch: Tensor | None) -> dict[str, Tensor]:
        # the edges of relation_graphs (no weights: a caller may take them
        # in another numbering); with support="shared" one tensor for all
        if self.support == "shared":
            index = _shared_support(xs, batch, **self._graph_kw(), knn=self.graph.knn)
            return {s: index for s in xs}
        return {s: self.graph.pairs(x, batch) for s, x in xs.items()}

    def reset_parameters(self):
        if self.proj is not None:
            for lin in self.proj.values():
                lin.reset_parameters()
        self.fusion.reset_parameters()

    def _project(self, xs):
        if self.proj is None:
            return xs
        out = {s: self.proj[s](x) for s, x in xs.items()}
        for s, x in out.items():
            # finite inputs: NaN / Inf come from the projection (its weights after a
            # diverged step, a 16-bit overflow), named here, not as the similarities' "x"
            check_tensor(f"proj[{s!r}](xs[{s!r}]), the projected features,", x, finite=True)
        return out

    def choose_backend(self, max_nodes: int) -> str:
        """The backend used for a batch whose largest graph has ``max_nodes``
        nodes: dense up to :data:`AUTO_DENSE_MAX_NODES`, and always when the
        graphs are full (no ``k``, no ``threshold``: an edge list of every
        pair only adds overhead to the dense products)."""
        if self.backend != "auto":
            return self.backend
        full = self.graph.k is None and self.graph.threshold is None
        return "dense" if full or max_nodes <= AUTO_DENSE_MAX_NODES else "sparse"

    # -- forward ----------------------------------------------------------
    def forward(self, xs, batch: Tensor | None = None, *, mask: Tensor | None = None,
                assign: dict[str, Tensor] | None = None,
                batch_size: int | None = None) -> FusedGraph:
        r"""Fuses the sources of a batch into one graph per sample.

        Args:
            xs (dict or Data): ``{source: [N, d_s]}`` (all graphs of the
                batch stacked, PyG's layout), ``{source: [B, N, d_s]}``
                (padded), or a ``Data``/``Batch`` holding ``x_<source>``,
                optionally ``assign_<source>`` and ``batch``.
            batch (Tensor, optional): ``[N]`` graph of each node, sorted
                (default: ``None``, one graph; read from a ``Batch``).
            mask (Tensor, optional): ``[B, N]`` bool, the real nodes of padded
                inputs (default: the data's ``mask`` for a ``Data``/``Batch`` of
                padded sources, as PyG's ``DenseDataLoader`` batches them; else all).
            assign (dict, optional): ``{source: [N_source]}``, the node of
                each finer unit of a source, before a data's ``assign_<source>``
                (default: ``None``: a data's, else every source node-level).
            batch_size (int, optional): number of graphs of the ``[N, d]`` + ``batch`` form, as
                in PyG's pooling: empty graphs at the end of a batch count too
                (default: ``None``, ``batch.max() + 1``; read from a ``Batch``).

        Returns:
            :class:`FusedGraph`: :math:`G` on the backend chosen by
            :meth:`choose_backend`, with ``edge_index``/``edge_weight`` and
            :meth:`~FusedGraph.to_dense` available on either.
        """
        xs, batch, assign, ref, batch_size, mask = unpack_inputs(self, xs, batch, assign,
                                                                 batch_size, mask)
        xs = self._project(xs)
        x_ref = xs[ref]
        check_input_form(x_ref, batch, assign, batch_size, mask)
        if x_ref.dim() == 3:  # already padded [B, N, d]
            return self._dense_padded(xs, mask)
        n = x_ref.size(0)
        batch = node_batch(xs, ref, batch, assign, batch_size)
        counts = torch.bincount(batch, minlength=batch_size or 0)
        backend = self.choose_backend(int(counts.max()))
        if backend == "dense":
            return self._dense(xs, batch, assign, counts)
        refuse_torch_func("LEGO's sparse backend", f"use backend='dense', or {AUTOGRAD}")
        return self._sparse(xs, batch, assign, n, counts)

    @float32_under_autocast
    def _sparse(self, xs, batch, assign, n, counts) -> FusedGraph:
        """From :data:`LOCALITY_MIN_NODES` nodes on (CPU), each source's graph is
        chosen in the caller's numbering, then its similarities and powers
        run in a locality order of that graph (its features permuted once,
        differentiably), the other sources' powers are moved to the first
        source's order, the fusion runs there, and only the fused graph
        comes back to the caller's numbering and edge order."""
        local = int(counts.max()) >= LOCALITY_MIN_NODES and use_scipy(batch.device)
        pairs = self._pairs({s: xs[s] for s in self.sources if s not in assign}, batch)
        graphs, orders, moved_pairs, live = {}, {}, {}, {}
        for s, index in pairs.items():
            x = xs[s]
            if local:
                # a shared support is one tensor for all sources: one order
                # and one move of it
                if id(index) not in moved_pairs:
                    order = locality_order(index, n, batch)
                    moved_pairs[id(index)] = (order, relabel(index, order, n)[0])
                orders[s], index = moved_pairs[id(index)]
                x = permute_rows(x, orders[s])
            graphs[s] = (index, self.graph._weights(x, index))
            live[s] = pair_live_zeros(x, index[1], index[0], graphs[s][1], self.graph.metric)
        for s in assign:  # a source of no units at all: no edges (as a graph without any)
            index, weight, live[s] = (
                coarsened_live(*self.graph(xs[s], batch[assign[s]]), xs[s], assign[s], n,
                               self.graph.metric, self._signed())
                if len(xs[s]) else (batch.new_empty(2, 0), xs[s].new_empty(0), None))
            if local:
                orders[s] = locality_order(index, n, batch)
                index, moved = relabel(index, orders[s], n)
                weight = permute_rows(weight, moved)
                live[s] = None if live[s] is None else live[s][moved]
            graphs[s] = (index, weight)
        first = orders.get(self.sources[0])
        inv_first = None if first is None else inverse_permutation(first)
        powers, keep = {}, {}
        for s in self.sources:
            # from source s's order to the first source's (node i of s's
            # order is node orders[s][i] of the caller's numbering)
            restore = None if orders.get(s) is first else inv_first[orders[s]]
            # prune_k's ties settled in the caller's numbering, as the dense
            # backend does; both orders built above (no check of them)
            powers[s] = self.expansions[s]._powers(*graphs[s], n, restore, orders.get(s),
                                                   own_orders=True)
            e = self.expansions[s]
            keep[s] = kept_entries(*graphs[s], live[s], powers[s], n, e.num_powers, e.mode,
                                   restore, self._signed())
        keep = {s: k for s, k in keep.items() if k is not None}
        ei, w = self._fuse(powers, n, batch, keep_zeros=keep or False)
        if first is not None:
            ei, moved = relabel(ei, inv_first, n)
            w = permute_rows(w, moved)
        return FusedGraph(num_nodes=n, batch=batch, edge_index=ei, edge_weight=w,
                          num_graphs=counts.numel(), coalesced=True)

    def _signed(self) -> bool:
        # whether the graphs' weights may be negative (their sums may cancel)
        return self.graph.nonneg is None and self.graph.metric != "rbf"

    def _fuse(self, powers: dict, *args, **kwargs):
        # self.fusion, whose refusal of non-finite powers named its own
        # argument (powers_a, attr_a, attrs[0]: one per backend and form),
        # not the source whose powers overflowed, nor why
        try:
            out = self.fusion(powers, *args, **kwargs)
        except ValueError:
            check_powers(self, powers)
            raise
        if not torch.compiler.is_compiling():  # (the heads' checks still see it)
            check_fused(self, powers, out[1] if isinstance(out, tuple) else out)
        return out

    def __repr__(self) -> str:
        proj = "" if self.proj is None else \
            f", proj_channels={next(iter(self.proj.values())).out_features}"
        powers = {s: repr(e) for s, e in self.expansions.items()}
        powers = (next(iter(powers.values())) if len(set(powers.values())) == 1
                  else "{" + ", ".join(f"{s!r}: {r}" for s, r in powers.items()) + "}")
        return (f"{self.__class__.__name__}(sources={self.in_channels}{proj}, "
                f"graph={self.graph}, powers={powers}, fusion={self.fusion}, "
                f"backend={self.backend!r})")
