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
from ..functional._live import dense_live_zeros, dense_reach
from ..functional.support import dense_shared_support_graphs, dense_support_mask
from .fused_graph import FusedGraph


class DenseBackend:
    """The dense methods of :class:`~pyg_fusion.nn.LEGO` (``self.sources``,
    ``self.graph``, ``self.expansions``, ``self.fusion``, ``self.support``
    are the module's)."""

    def _dense_graphs(self, xs: dict[str, Tensor], mask: Tensor | None) -> dict[str, Tensor]:
        if self.support == "shared":
            return dense_shared_support_graphs(xs, mask, **self._graph_kw())
        return {s: self.graph.dense(x, mask) for s, x in xs.items()}

    @float32_under_autocast
    def _dense(self, xs, batch, assign, counts) -> FusedGraph:
        b = counts.numel()
        padded, mask = {}, None
        for s in self.sources:
            if s not in assign:
                padded[s], mask = to_dense_batch(xs[s], batch, batch_size=b)
        dense = self._dense_graphs(padded, mask)
        live = self._dense_live(padded, dense, mask)
        for s in assign:
            dense[s], paths = self._dense_coarsened(xs[s], assign[s], batch, counts)
            if paths is not None:  # the pooled entries that are 0 with a gradient
                e = self.expansions[s]
                live[s] = dense_reach(paths, e.num_powers, e.mode, mask)
        return self._fuse_dense(dense, mask, batch, live)

    def _dense_live(self, xs: dict[str, Tensor], dense: dict[str, Tensor],
                    mask: Tensor | None) -> dict[str, Tensor]:
        # the entries of each node-level source's powers that are 0 with a
        # gradient, as the sparse backend keeps them (functional/_live.py)
        kw, shared = self._graph_kw(), []
        if torch.compiler.is_compiling():  # host syncs; G and its gradients are the same
            return {}

        def structure(s):
            if self.support != "shared":
                return dense_support_mask(xs[s], mask=mask, **kw)
            if not shared:
                keep = None
                for x in xs.values():
                    m = dense_support_mask(x, mask=mask, **kw)
                    keep = m if keep is None else keep | m
                shared.append(keep)
            return shared[0]
        out = {}
        for s, x in xs.items():
            live = dense_live_zeros(x, dense[s], mask, kw["metric"], kw["nonneg"])
            if live is not None:
                e = self.expansions[s]
                out[s] = dense_reach(structure(s) & (dense[s].ne(0) | live), e.num_powers,
                                     e.mode, mask)
        return out

    def _dense_coarsened(self, x, assign, batch, counts) -> tuple[Tensor, Tensor | None]:
        # the pooled graph, and where it is reached by fine entries that are
        # non-zero or 0 with a gradient when some pooled entry is 0 with one
        # (None otherwise), as the sparse backend's coarsened_live
        b, n_max = counts.numel(), int(counts.max())
        if len(x) == 0:  # a source of no units at all: no edges (as a graph without any)
            return x.new_zeros(b, n_max, n_max), None
        ptr = torch.cat([counts.new_zeros(1), counts.cumsum(0)])
        batch_f = batch[assign]  # sorted (forward checks it)
        xf, mask_f = to_dense_batch(x, batch_f, batch_size=b)
        rf = self.graph.dense(xf, mask_f)
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
        if torch.compiler.is_compiling():
            return out, None
        kw = self._graph_kw()
        live = dense_live_zeros(xf, rf, mask_f, kw["metric"], kw["nonneg"])
        if live is None and not (self._signed() and bool((rf < 0).any())):
            return out, None
        with torch.no_grad():
            on = dense_support_mask(xf, mask=mask_f, **kw) & (
                rf.ne(0) if live is None else rf.ne(0) | live)
            paths = pool(on.to(rf.dtype)).ne(0)
        return out, paths if bool((out.eq(0) & paths).any()) else None

    @float32_under_autocast
    def _dense_padded(self, xs, mask) -> FusedGraph:
        dense = self._dense_graphs(xs, mask)
        live = self._dense_live(xs, dense, mask)
        b, n = next(iter(xs.values())).shape[:2]
        if mask is None:
            mask = torch.ones(b, n, dtype=torch.bool, device=next(iter(xs.values())).device)
        batch = torch.arange(b, device=mask.device).repeat_interleave(mask.sum(1))
        return self._fuse_dense(dense, mask, batch, live)

    def _fuse_dense(self, dense, mask, batch, live) -> FusedGraph:
        # read to the host before the powers: under torch.compile a graph
        # break after them would trace the powers and the fusion twice
        num_nodes = int(mask.sum())
        powers = {s: self.expansions[s].dense(r, mask) for s, r in dense.items()}
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
