"""The edges the node-link drawing of :mod:`.graph` draws."""
from __future__ import annotations

import numpy as np
import torch

from ._common import check_graph
from .._option_rules import is_int
from ._values import check_flag


def select_edges(edge_index: np.ndarray | torch.Tensor,
                 edge_weight: np.ndarray | torch.Tensor, *,
                 top_k: int | None = None, directed: bool = False
                 ) -> tuple[np.ndarray, np.ndarray]:
    """The edges :func:`plot_relation_graph` draws: duplicate edges summed
    into one (as :func:`torch_geometric.utils.coalesce`, message passing and
    :func:`plot_adjacency` count them), then no self loops, no zero weights,
    the ``top_k`` strongest (by :math:`|w|`) into each node, and each
    unordered pair once (the entry with the larger :math:`|w|`); with
    ``directed``, each ordered pair.

    Args:
        edge_index (numpy.ndarray or torch.Tensor): ``[2, E]`` integer edge
            list (source, target).
        edge_weight (numpy.ndarray or torch.Tensor): ``[E]`` finite weights.
        top_k (int, optional): keep the ``top_k`` strongest edges (by
            :math:`|w|`) into each node (its row of the dense graph), self
            loops and zero weights left out first.
            (default: :obj:`None`, every edge)
        directed (bool, optional): keep each ordered pair (an edge and its
            reverse both) instead of each unordered pair once.
            (default: :obj:`False`)

    Returns:
        (numpy.ndarray, numpy.ndarray): ``(edges [E', 2] with i < j, weights
        [E'])``; with ``directed``, the rows of ``edges`` are
        ``(source, target)``.
    """
    # a public helper: its own checks (shapes, one finite weight per edge)
    edge_index, edge_weight, num_nodes = check_graph(edge_index, edge_weight, None)
    return selected_edges(edge_index, edge_weight, num_nodes, top_k=top_k, directed=directed)


def selected_edges(edge_index: np.ndarray, edge_weight: np.ndarray, num_nodes: int, *,
                   top_k: int | None = None, directed: bool = False
                   ) -> tuple[np.ndarray, np.ndarray]:
    """:func:`select_edges` of an edge list that :func:`check_graph` gave
    (``[2, E]`` int64 ids in ``[0, num_nodes)``, ``[E]`` weights): the
    drawing checks its graph once."""
    if top_k is not None and not (is_int(top_k) and top_k >= 1):
        raise ValueError(f"top_k must be a positive int or None, got {top_k!r}")
    check_flag("directed", directed)  # directed="no" kept both directions of each pair
    edge_index, edge_weight = _summed(edge_index, edge_weight, num_nodes)
    col, row = edge_index  # rank within a row of the dense graph: a node's in-edges
    keep = (row != col) & (edge_weight != 0)
    row, col, w = row[keep], col[keep], edge_weight[keep]
    if top_k is not None and len(w):
        # rank of each edge within its row, strongest first (stable on ties).
        order = np.lexsort((-np.abs(w), row))
        row, col, w = row[order], col[order], w[order]
        first = np.r_[0, np.flatnonzero(np.diff(row)) + 1]
        starts = np.repeat(first, np.diff(np.r_[first, len(row)]))
        rank = np.arange(len(row)) - starts
        keep = rank < top_k
        row, col, w = row[keep], col[keep], w[keep]
    lo, hi = (col, row) if directed else (np.minimum(row, col), np.maximum(row, col))
    order = np.lexsort((-np.abs(w), hi, lo))
    lo, hi, w = lo[order], hi[order], w[order]
    if len(w):
        first = np.r_[True, (np.diff(lo) != 0) | (np.diff(hi) != 0)]
        lo, hi, w = lo[first], hi[first], w[first]
    return np.stack([lo, hi], axis=1).astype(np.int64), w


def _summed(edge_index: np.ndarray, edge_weight: np.ndarray, num_nodes: int
            ) -> tuple[np.ndarray, np.ndarray]:
    # an edge given twice weighs their sum, as the heatmap of the same graph
    # shows it: +1 and -1 cancel, 0.5 twice weighs 1
    if edge_index.shape[1] < 2:
        return edge_index, edge_weight
    from torch_geometric.utils import coalesce
    ei, w = coalesce(torch.from_numpy(np.ascontiguousarray(edge_index, dtype=np.int64)),
                     torch.from_numpy(np.ascontiguousarray(edge_weight, dtype=np.float64)),
                     num_nodes, reduce="sum")
    return ei.numpy(), w.numpy()
