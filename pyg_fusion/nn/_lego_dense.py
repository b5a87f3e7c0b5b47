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
from ._fixed_graph import FixedGraphCache
from .fused_graph import FusedGraph


class DenseBackend(FixedGraphCache):
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
                    mask: Tensor | None, searched: dict[str, tuple],
                    flags: dict[str, tuple] | None = None
                    ) -> tuple[dict[str, Tensor], dict[str, Tensor]]:
        # the edges of the node-level sources whose powers are pruned, and
        # the entries of each one's powers that are 0 with a gradient, as the
        # sparse backend keeps them (functional/_live.py); `searched`: the
        # support's searches that made the graphs (_dense_graphs); `flags`
        # gets each source's graphs that have such zeros and those of
        # negative weights (lists of bools: _live_modes)
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
            if flags is not None:
                flags[s] = (_per_graph(live, len(x)),
                            _per_graph(dense[s] < 0 if self._signed() else None, len(x)))
            if live is not None or (self._signed() and bool((dense[s] < 0).any())):
                on = dense[s].ne(0) if live is None else structure(s) & (dense[s].ne(0) | live)
                e = self.expansions[s]
                out[s] = dense_reach(on, e.num_powers, e.mode, mask)
        return edges, out

    def _live_modes(self, flags: list[dict[str, tuple]]) -> tuple:
        # how _dense_live reached each source's powers in a batch of graphs
        # of these flags: "live" where one of them has a zero with a
        # gradient, else "signed" where one has a negative weight, else None
        return tuple("live" if any(f[s][0] for f in flags)
                     else "signed" if any(f[s][1] for f in flags) else None
                     for s in flags[0])

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
        # each graph's powers and support are of its features alone, and of
        # the batch only by how _dense_live reaches the powers (_live_modes):
        # kept per graph (FixedGraphCache._kept_rows) and served in any batch
        # of the same modes (an epoch reshuffles the same videos, whose fixed
        # features make the same graphs and powers)
        e, f = self.expansions, self.fusion
        key = ("lego", self.support, tuple(self._graph_kw().items()), f.mode, f.zeroth,
               tuple(f.pairs), tuple((s, e[s].num_powers, e[s].norm, e[s].mode, e[s].prune_k)
                                     for s in xs))
        kept = self._kept_rows(key, [*xs.values()] + ([] if mask is None else [mask]))
        found = None
        if kept is not None and all("flags" in k for k in kept):
            modes = self._live_modes([k["flags"] for k in kept])
            if all(("support", modes) in k for k in kept):
                found = ({s: torch.stack([k["powers", s] for k in kept]) for s in xs},
                         torch.stack([k["support", modes] for k in kept]))
        if found is None:
            flags = None if kept is None else {}
            dense, searched = self._dense_graphs(xs, mask)
            edges, live = self._dense_live(xs, dense, mask, searched, flags)
        b, n = next(iter(xs.values())).shape[:2]
        full = mask
        if mask is None:
            full = torch.ones(b, n, dtype=torch.bool, device=next(iter(xs.values())).device)
        batch = torch.arange(b, device=full.device).repeat_interleave(full.sum(1))
        if found is not None:
            return self._fused(*found, full, batch, int(full.sum()))
        return self._fuse_dense(dense, full, batch, live, edges, kept, flags)

    def _keep_powers(self, kept: list[dict], flags: dict, powers: dict, support: Tensor):
        # each graph's powers and support, under the batch's modes
        per = [{s: (z[i], neg[i]) for s, (z, neg) in flags.items()} for i in range(len(kept))]
        modes = self._live_modes(per)
        for i, k in enumerate(kept):
            self._keep_row(k, {"flags": per[i], ("support", modes): support[i],
                               **{("powers", s): p[i] for s, p in powers.items()}})

    def _fuse_dense(self, dense, mask, batch, live, edges, kept: list[dict] | None = None,
                    flags: dict | None = None) -> FusedGraph:
        # read to the host before the powers: under torch.compile a graph
        # break after them would trace the powers and the fusion twice
        num_nodes = int(mask.sum())
        powers, support = self._powers_support(dense, mask, live, edges)
        if kept is not None and flags:  # kept per graph (_dense_padded)
            self._keep_powers(kept, flags, powers, support)
        return self._fused(powers, support, mask, batch, num_nodes)

    def _powers_support(self, dense, mask, live, edges) -> tuple[dict[str, Tensor], Tensor]:
        # each source's powers, and where G may be non-zero for some A, as
        # the sparse backend keeps it, and the diagonal: its zeros stay
        # edges of FusedGraph so that gradients reach the terms that are 0
        # at this A
        powers = {}
        for s, r in dense.items():
            powers[s], kept = self.expansions[s]._dense(r, mask, edges.get(s))
            if kept is not None and s in live:
                # the sparse backend keeps a zero of the powers on its (pruned)
                # support only: one that a path reaches but pruning dropped is 0
                # with a gradient of 0, no entry of the powers
                live[s] = live[s] & (kept | torch.eye(r.size(-1), dtype=torch.bool,
                                                       device=r.device))
        with torch.no_grad():
            f = self.fusion
            support = dense_fused_support(powers, f.zeroth, None if f.mode != "pairwise"
                                          else f.pairs, live)
            n = support.size(-1)
            support |= torch.eye(n, dtype=torch.bool, device=support.device)
        return powers, support

    def _fused(self, powers, support, mask, batch, num_nodes) -> FusedGraph:
        return FusedGraph(num_nodes=num_nodes, batch=batch, dense=self._fuse(powers), mask=mask,
                          support=support)


def _per_graph(entries: Tensor | None, b: int) -> list[bool]:
    # whether each graph of a batch has one of the entries ([B, N, N] bool)
    return [False] * b if entries is None else entries.flatten(1).any(1).tolist()
