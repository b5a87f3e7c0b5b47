from __future__ import annotations

from dataclasses import dataclass

import torch
from torch import Tensor


@dataclass
class FusedGraph:
    """The output of :class:`pyg_fusion.nn.LEGO`: the fused graph of a batch,
    in whichever form its backend produced, convertible to the other.

    Attributes:
        num_nodes: total number of nodes ``N`` (all graphs of the batch).
        batch: ``[N]`` graph of each node, or ``None`` for a single graph.
        edge_index, edge_weight: the sparse form (``[2, E]``, ``[E]``).
        dense: the dense form ``[B, N_max, N_max]``.
        mask: ``[B, N_max]`` bool, the real (non-padded) nodes of ``dense``.
    """
    num_nodes: int
    batch: Tensor | None = None
    edge_index: Tensor | None = None
    edge_weight: Tensor | None = None
    dense: Tensor | None = None
    mask: Tensor | None = None

    @property
    def backend(self) -> str:
        return "dense" if self.dense is not None else "sparse"

    @property
    def num_graphs(self) -> int:
        if self.dense is not None:
            return self.dense.size(0)
        return 1 if self.batch is None or self.batch.numel() == 0 else int(self.batch.max()) + 1

    def to_dense(self) -> Tensor:
        """``[B, N_max, N_max]`` (padded nodes are 0)."""
        if self.dense is not None:
            return self.dense
        from ..functional.convert import edges_to_dense
        return edges_to_dense(self.edge_index, self.edge_weight, self.batch)

    def dense_mask(self) -> Tensor:
        if self.mask is not None:
            return self.mask
        from torch_geometric.utils import to_dense_batch
        batch = self.batch if self.batch is not None else torch.zeros(
            self.num_nodes, dtype=torch.long, device=self.edge_index.device)
        return to_dense_batch(torch.ones(self.num_nodes, device=batch.device), batch)[1]

    def to_sparse(self) -> tuple[Tensor, Tensor]:
        """``(edge_index, edge_weight)`` over the global node numbering: every
        pair of real nodes of a graph on the dense backend."""
        if self.edge_index is not None:
            return self.edge_index, self.edge_weight
        from ..functional.convert import dense_to_edges
        return dense_to_edges(self.dense, self.mask)
