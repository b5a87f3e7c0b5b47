from __future__ import annotations

import torch
from torch import Tensor

from ..functional._checks import check_int
from ..functional.loss import (check_alpha, degree_variance_loss, dense_graph_degrees,
                               graph_degrees)
from ._lego_inputs import refuse_torchscript
from .fused_graph import FusedGraph


class DegreeVarianceLoss(torch.nn.Module):
    r"""The degree-variance regulariser of LEGO (docs/methods.md §1.6, a
    reconstruction: see :mod:`pyg_fusion.functional.loss`;
    `paper <https://arxiv.org/abs/2410.01506>`_),

    .. math::
        \mathcal{L}_{deg} = \big(\mathrm{Var}(d_{normal}) -
        \mathrm{Var}(\text{top-}k\ d_{anomalous})\big)^2,

    on either backend's :class:`FusedGraph` (same numbers on both).

    Args:
        alpha (float, optional): degrees sum the entries ``>= alpha``.
            (default: :obj:`None`, all entries)
        k (int, optional): degrees taken from each anomalous video (the ``k``
            largest). (default: :obj:`3`)

    Shapes:
        - **input**: a :class:`FusedGraph` of ``B`` videos and labels ``[B]``
        - **output**: scalar
    """

    __prepare_scriptable__ = refuse_torchscript  # torch.jit.script: an error naming it

    def __init__(self, alpha: float | None = None, k: int = 3):
        super().__init__()
        check_alpha(alpha)
        check_int("k", k, minimum=1)
        self.alpha, self.k = alpha, k

    def forward(self, graph: FusedGraph, labels: Tensor) -> Tensor:
        if not isinstance(graph, FusedGraph):
            raise TypeError(f"graph must be a FusedGraph (the output of LEGO), got "
                            f"{type(graph).__name__}; for degrees of your own graphs use "
                            f"pyg_fusion.functional.degree_variance_loss")
        if graph.backend == "dense":
            mask = graph.dense_mask()
            deg = dense_graph_degrees(graph.to_dense(), self.alpha)[mask]
            batch = torch.arange(mask.size(0), device=mask.device).repeat_interleave(
                mask.sum(1))
        else:
            deg = graph_degrees(graph.edge_index, graph.edge_weight, graph.num_nodes,
                                self.alpha, coalesced=True)  # a FusedGraph's pairs are unique
            batch = graph.batch if graph.batch is not None else torch.zeros(
                graph.num_nodes, dtype=torch.long, device=deg.device)
        return degree_variance_loss(deg, batch, labels, self.k, graph.num_graphs)

    def __repr__(self) -> str:
        return f"{self.__class__.__name__}(alpha={self.alpha}, k={self.k})"
