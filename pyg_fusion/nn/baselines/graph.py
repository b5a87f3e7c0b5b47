"""Graph-level fusion baselines: each source's relationship graph is built
first, then the graphs are combined directly, with no powers and no learned
operator (the graph-level competitors of LEGO's Table 2; Ding et al., ICLR
2025, https://arxiv.org/abs/2410.01506).
"""
from __future__ import annotations

import torch
from torch import Tensor, nn
from torch_geometric.utils import coalesce

from ...functional._autocast import float32_under_autocast
from ...functional._checks import (check_choice, check_edge_index, check_int, check_like,
                                   check_tensor)
from .feature import check_parts, combine

__all__ = ["GRAPH_MODES", "graph_fuse_dense", "graph_fuse_sparse", "GraphFusion"]

GRAPH_MODES = ("single", "concat", "add", "mean", "product")


@float32_under_autocast
def graph_fuse_dense(graphs: list[Tensor], mode: str) -> Tensor:
    r"""Combines dense relationship graphs ``graphs[m]: [..., N, N]``.

    * ``"add"``: :math:`\sum_m R_m`; ``"mean"``: :math:`\frac1M \sum_m R_m`;
    * ``"product"``: :math:`R_1 \odot \dots \odot R_M` (element-wise);
    * ``"concat"``: the rows side by side, ``[..., N, M N]`` (row i of the result
      is the concatenation of every source's row i, the input of a row head);
    * ``"single"``: ``graphs[0]`` (exactly one graph).

    Args:
        graphs (list[torch.Tensor]): the sources' graphs ``[..., N, N]``.
        mode (str): ``"add"``, ``"mean"``, ``"product"``, ``"concat"`` or ``"single"``.

    Returns:
        torch.Tensor: ``[..., N, N]`` (``"concat"``: ``[..., N, M N]``).
    """
    check_choice("mode", mode, GRAPH_MODES)
    check_parts("graphs", graphs)
    for i, g in enumerate(graphs):
        if g.dim() < 2 or g.size(-1) != g.size(-2):
            raise ValueError(f"graphs[{i}] must be [..., N, N], got {tuple(g.shape)}")
        if g.shape != graphs[0].shape:
            raise ValueError(f"graphs[{i}] has shape {tuple(g.shape)}, expected "
                             f"{tuple(graphs[0].shape)}")
    if mode not in ("add", "mean"):
        return combine(graphs, mode, "graph")
    out = torch.stack(list(graphs), 0).sum(0)
    return out / len(graphs) if mode == "mean" else out


@float32_under_autocast
def graph_fuse_sparse(graphs: list[tuple[Tensor, Tensor]], num_nodes: int,
                      mode: str) -> tuple[Tensor, Tensor]:
    r"""Sparse form of :func:`graph_fuse_dense` for ``(edge_index, edge_weight)``
    pairs on the same ``num_nodes`` nodes: ``"add"`` / ``"mean"`` sum the
    weights of the union of edges (mean divides by M); ``"product"`` keeps the
    edges present in every graph, with the product of their weights (a missing
    edge is a zero). ``"concat"`` has no single-graph sparse form.

    Args:
        graphs (list[tuple[torch.Tensor, torch.Tensor]]): the sources' ``(edge_index,
            edge_weight)``.
        num_nodes (int): ``N``.
        mode (str): ``"add"``, ``"mean"``, ``"product"`` or ``"single"``.

    Returns:
        (torch.Tensor, torch.Tensor): ``edge_index`` ``[2, E]`` and ``edge_weight`` ``[E]``.
    """
    check_choice("mode", mode, ("single", "add", "mean", "product"))
    check_int("num_nodes", num_nodes, minimum=1)
    if not graphs:
        raise ValueError("graphs must be a non-empty list of (edge_index, edge_weight)")
    graphs = list(graphs)
    for i, (ei, ew) in enumerate(graphs):
        ei = check_edge_index(f"graphs[{i}] edge_index", ei, num_nodes)  # a plain tensor
        graphs[i] = (ei, ew)
        check_tensor(f"graphs[{i}] edge_weight", ew, dims=(1, ), floating=True)
        check_like(f"graphs[{i}] edge_weight", ew, f"graphs[{i}] edge_index", ei, dtype=False)
        check_like(f"graphs[{i}] edge_index", ei, "graphs[0] edge_index", graphs[0][0])
        check_like(f"graphs[{i}] edge_weight", ew, "graphs[0] edge_weight", graphs[0][1])
        if ew.numel() != ei.size(1):
            raise ValueError(f"graphs[{i}]: edge_weight has {ew.numel()} entries for "
                             f"{ei.size(1)} edges")
    if mode == "single":
        return combine(graphs, mode, "graph")
    ei = torch.cat([g[0] for g in graphs], 1)
    ew = torch.cat([g[1] for g in graphs])
    if mode in ("add", "mean"):
        ei, ew = coalesce(ei, ew, num_nodes, reduce="sum")
        return ei, (ew / len(graphs) if mode == "mean" else ew)
    # product: an edge survives only if every graph has it; each graph is
    # coalesced first so that its duplicates do not count twice.
    parts = [coalesce(g[0], g[1], num_nodes, reduce="sum") for g in graphs]
    ei = torch.cat([p[0] for p in parts], 1)
    ew = torch.cat([p[1] for p in parts])
    ei_c, prod = coalesce(ei, ew, num_nodes, reduce="mul")
    _, count = coalesce(ei, torch.ones_like(ew), num_nodes, reduce="sum")
    keep = count == len(graphs)
    return ei_c[:, keep], prod[keep]


class GraphFusion(nn.Module):
    """Module form of :func:`graph_fuse_dense` / :func:`graph_fuse_sparse`
    (no parameters): ``forward(list of [B, N, N])`` or
    ``forward(list of (edge_index, edge_weight), num_nodes=N)``.

    Args:
        mode (str, optional): as :func:`graph_fuse_dense`. (default: :obj:`"mean"`)

    Shapes:
        - **input**: a list of ``M`` graphs ``[..., N, N]`` (e.g. ``[B, N, N]``
          for a batch), or of ``M`` pairs ``edge_index`` ``[2, E_m]``,
          ``edge_weight`` ``[E_m]`` with ``num_nodes``
        - **output**: ``[..., N, N]`` (``"concat"``: ``[..., N, M N]``), or the
          pair ``edge_index`` ``[2, E]``, ``edge_weight`` ``[E]``
    """

    def __init__(self, mode: str = "mean"):
        super().__init__()
        check_choice("mode", mode, GRAPH_MODES)
        self.mode = mode

    def reset_parameters(self):
        pass

    def forward(self, graphs, num_nodes: int | None = None):
        if not isinstance(graphs, (list, tuple)):
            # a stacked [M, B, N, N] tensor failed on its truth value
            raise TypeError(f"graphs must be a list of dense graphs [..., N, N] or of "
                            f"(edge_index, edge_weight) pairs, got {type(graphs).__name__}")
        if graphs and isinstance(graphs[0], (tuple, list)):
            if num_nodes is None:
                raise ValueError("num_nodes is required for sparse graphs")
            return graph_fuse_sparse(list(graphs), num_nodes, self.mode)
        if num_nodes is not None:
            raise ValueError("num_nodes goes with sparse (edge_index, edge_weight) graphs; "
                             "dense graphs [..., N, N] carry their N")
        return graph_fuse_dense(list(graphs), self.mode)

    def __repr__(self) -> str:
        return f"{self.__class__.__name__}(mode={self.mode!r})"
