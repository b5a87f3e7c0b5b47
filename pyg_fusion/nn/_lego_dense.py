"""The dense backend of :class:`~pyg_fusion.nn.LEGO`: the sources of a
batch padded to ``[B, N, N]`` matrices (masks for graphs of different sizes),
their powers and the fused graph with the support the sparse backend keeps."""
from __future__ import annotations

import torch
from torch import Tensor
from torch_geometric.utils import to_dense_batch

from ..functional._autocast import float32_under_autocast
from ..functional.coarsen import dense_coarsen
from ..functional.fuse import dense_fused_support
from ..functional._live import dense_live_zeros, dense_reach, zeros_may_move
from ..functional.support import _search_scores, _support_of, dense_shared_support_graphs
from .fused_graph import FusedGraph


class DenseBackend:
    """The dense methods of :class:`~pyg_fusion.nn.LEGO` (``self.sources``,
    ``self.graph``, ``self.expansions``, ``self.fusion``, ``self.support``
    are the module's)."""

    def _dense_graphs(self, xs: dict[str, Tensor], mask: Tensor | None
                      ) -> tuple[dict[str, Tensor], dict[str, tuple]]:
        # the graphs, and the support's search of each where it ran one
        # (_search_scores' tuple), which _dense_live reads
        if self.support == "shared":
            return dense_shared_support_graphs(xs, mask, **self._graph_kw()), {}
        made = {s: self.graph._dense_searched(x, mask) for s, x in xs.items()}
        return ({s: g for s, (g, _) in made.items()},
                {s: found for s, (_, found) in made.items() if found is not None})

    @float32_under_autocast
    def _dense(self, xs, batch, assign, counts) -> FusedGraph:
        b = counts.numel()
        padded, mask = {}, None
        for s in self.sources:
            if s not in assign:
                padded[s], mask = to_dense_batch(xs[s], batch, batch_size=b)
        dense, searched = self._dense_graphs(padded, mask)
        edges, live = self._dense_live(padded, dense, mask, searched)
        for s in assign:
            dense[s], paths, edges[s] = self._dense_coarsened(xs[s], assign[s], batch, counts,
                                                              self._pruned(s))
            if paths is not None:  # the pooled entries that are 0 with a gradient
                e = self.expansions[s]
                live[s] = dense_reach(paths, e.num_powers, e.mode, mask)
        return self._fuse_dense(dense, mask, batch, live, edges)

    def _pruned(self, s: str) -> bool:
        # whether source s's products are pruned: its powers then need the
        # graph's edges (zero weights included), as the sparse product has them
        e = self.expansions[s]
        return e.prune_k is not None and e.mode == "matrix" and e.num_powers > 1

    def _dense_live(self, xs: dict[str, Tensor], dense: dict[str, Tensor],
                    mask: Tensor | None, searched: dict[str, tuple]
                    ) -> tuple[dict[str, Tensor], dict[str, Tensor]]:
        # the edges of the node-level sources whose powers are pruned, and
        # the entries of each one's powers that are 0 with a gradient, as the
        # sparse backend keeps them (functional/_live.py); `searched`: the
        # support's searches that made the graphs (_dense_graphs)
        kw, searched, found = self._graph_kw(), dict(searched), {}

        def search(s):  # the scores of the support's search of s
            if s not in searched:
                searched[s] = _search_scores(xs[s], kw["threshold"], kw["metric"],
                                             kw["nonneg"], kw["gamma"], mask)
            return searched[s]

        def own(s):
            if s not in found:
                found[s] = _support_of(search(s), kw["k"], mask)
            return found[s]

        def structure(s):
            if self.support != "shared":
                return own(s)
            if "shared" not in found:
                keep = None
                for t in xs:
                    keep = own(t) if keep is None else keep | own(t)
                found["shared"] = keep
            return found["shared"]
        edges = {s: structure(s) for s in xs if self._pruned(s)}
        if torch.compiler.is_compiling():  # host syncs; G and its gradients are the same
            return edges, {}
        out = {}
        for s, x in xs.items():
            live = None
            # (the support's search only where its scores are read)
            if zeros_may_move(kw["metric"], kw["nonneg"]) and bool(dense[s].eq(0).any()):
                live = dense_live_zeros(x, dense[s], mask, kw["metric"], kw["nonneg"],
                                        search(s)[0])
            # signed weights: a power's sum of them may cancel to a 0 with a
            # gradient, which the paths of the graph's entries find (as the
            # sparse backend's kept_entries)
            if live is not None or (self._signed() and bool((dense[s] < 0).any())):
                on = dense[s].ne(0) if live is None else structure(s) & (dense[s].ne(0) | live)
                e = self.expansions[s]
                out[s] = dense_reach(on, e.num_powers, e.mode, mask)
        return edges, out

    def _dense_coarsened(self, x, assign, batch, counts, pruned: bool
                         ) -> tuple[Tensor, Tensor | None, Tensor | None]:
        # the pooled graph; where it is reached by fine entries that are
        # non-zero or 0 with a gradient when some pooled entry is 0 with one
        # (None otherwise), as the sparse backend's coarsened_live; and with
        # `pruned` its edges (the pooled fine edges, zero weights included)
        b, n_max = counts.numel(), int(counts.max())
        if len(x) == 0:  # a source of no units at all: no edges (as a graph without any)
            out = x.new_zeros(b, n_max, n_max)
            return out, None, out.ne(0) if pruned else None
        ptr = torch.cat([counts.new_zeros(1), counts.cumsum(0)])
        batch_f = batch[assign]  # sorted (forward checks it)
        xf, mask_f = to_dense_batch(x, batch_f, batch_size=b)
        rf, searched = self.graph._dense_searched(xf, mask_f)
        local = assign - ptr[batch_f]  # each fine unit's parent within its graph
        sizes = list(zip(counts.tolist(), torch.bincount(batch_f, minlength=b).tolist()))

        def pool(fine):
            out, start = fine.new_zeros(b, n_max, n_max), 0
            for i, (n, n_f) in enumerate(sizes):
                if n > 0:
                    out[i, :n, :n] = dense_coarsen(fine[i, :n_f, :n_f],
                                                   local[start:start + n_f], n)
                start += n_f
            return out
        out = pool(rf)
        kw, fine = self._graph_kw(), {} if searched is None else {"scores": searched}

        def search():  # the scores of the fine graph's support search
            if "scores" not in fine:
                fine["scores"] = _search_scores(xf, kw["threshold"], kw["metric"],
                                                kw["nonneg"], kw["gamma"], mask_f)
            return fine["scores"]

        def fine_edges():
            if "edges" not in fine:
                fine["edges"] = _support_of(search(), kw["k"], mask_f)
            return fine["edges"]
        edges = None
        if pruned:
            with torch.no_grad():
                edges = pool(fine_edges().to(rf.dtype)).ne(0)
        if torch.compiler.is_compiling():
            return out, None, edges
        live = None
        if zeros_may_move(kw["metric"], kw["nonneg"]) and bool(rf.eq(0).any()):
            live = dense_live_zeros(xf, rf, mask_f, kw["metric"], kw["nonneg"], search()[0])
        if live is None and not (self._signed() and bool((rf < 0).any())):
            return out, None, edges
        with torch.no_grad():
            on = fine_edges() & (rf.ne(0) if live is None else rf.ne(0) | live)
            paths = pool(on.to(rf.dtype)).ne(0)
        return out, paths if bool((out.eq(0) & paths).any()) else None, edges

    @float32_under_autocast
    def _dense_padded(self, xs, mask) -> FusedGraph:
        dense, searched = self._dense_graphs(xs, mask)
        edges, live = self._dense_live(xs, dense, mask, searched)
        b, n = next(iter(xs.values())).shape[:2]
        if mask is None:
            mask = torch.ones(b, n, dtype=torch.bool, device=next(iter(xs.values())).device)
        batch = torch.arange(b, device=mask.device).repeat_interleave(mask.sum(1))
        return self._fuse_dense(dense, mask, batch, live, edges)

    def _fuse_dense(self, dense, mask, batch, live, edges) -> FusedGraph:
        # read to the host before the powers: under torch.compile a graph
        # break after them would trace the powers and the fusion twice
        num_nodes = int(mask.sum())
        powers = {}
        for s, r in dense.items():
            powers[s], kept = self.expansions[s]._dense(r, mask, edges.get(s))
            if kept is not None and s in live:
                # the sparse backend keeps a zero of the powers on its (pruned)
                # support only: one that a path reaches but pruning dropped is 0
                # with a gradient of 0, no entry of the powers
                live[s] = live[s] & (kept | torch.eye(r.size(-1), dtype=torch.bool,
                                                       device=r.device))
        g = self._fuse(powers)
        # where G may be non-zero for some A, as the sparse backend keeps it,
        # and the diagonal: its zeros stay edges of FusedGraph so that
        # gradients reach the terms that are 0 at this A
        with torch.no_grad():
            f = self.fusion
            support = dense_fused_support(powers, f.zeroth, None if f.mode != "pairwise"
                                          else f.pairs, live)
            support |= torch.eye(g.size(-1), dtype=torch.bool, device=g.device)
        return FusedGraph(num_nodes=num_nodes, batch=batch, dense=g, mask=mask,
                          support=support)
