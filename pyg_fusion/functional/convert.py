r"""Conversions between the library's sparse and dense graph forms.

The edge convention (PyG's, used by every operator of the library): edge
``e`` goes from ``edge_index[0, e]`` (source :math:`j`) to
``edge_index[1, e]`` (target :math:`i`) and messages flow source -> target.
A dense graph is the *operator* that moves a signal along those edges:
``adj[i, j]`` is the weight of the edge :math:`j \to i`, so that one step of
propagation is ``adj @ x`` and row :math:`i` lists what node :math:`i`
receives. This is the transpose of :func:`torch_geometric.utils.to_dense_adj`
(which puts the edge :math:`j \to i` at ``[j, i]``) and the orientation of
PyG's ``adj_t``.
"""
from __future__ import annotations

import torch
from torch import Tensor

from ._autocast import float32_under_autocast
from ._checks import (check_batch, check_edge_index, check_edges, check_int, check_like,
                      check_tensor)


@float32_under_autocast
def edges_to_dense(edge_index: Tensor, edge_weight: Tensor | None = None,
                   batch: Tensor | None = None,
                   max_num_nodes: int | None = None,
                   batch_size: int | None = None) -> Tensor:
    r"""The dense operator of a sparse graph: ``adj[..., i, j]`` is the weight
    of the edge :math:`j \to i` (repeated edges are summed).

    Args:
        edge_index (torch.Tensor): ``[2, E]`` (source, target).
        edge_weight (torch.Tensor, optional): ``[E]`` or ``[E, C]``; a
            ``torch.long`` ``[E]`` weight that looks like a batch vector
            (non-decreasing from 0) needs ``batch``: without one it is refused,
            as ``batch`` given second, PyG's order. (default: :obj:`None`, ones)
        batch (torch.Tensor, optional): ``[N]`` graph of each node.
            (default: :obj:`None`, one graph)
        max_num_nodes (int, optional): nodes per graph. (default: :obj:`None`,
            the largest graph's)
        batch_size (int, optional): graphs, counting empty ones at the end of
            ``batch``. (default: :obj:`None`, ``batch.max() + 1``)

    Returns:
        ``[B, N_max, N_max]`` (``[..., C]`` with ``[E, C]`` weights), as
        :func:`~torch_geometric.utils.to_dense_adj` but transposed.
    """
    from torch_geometric.utils import to_dense_adj
    # PyG's to_dense_adj drops edges beyond max_num_nodes and fails on others
    # with torch's indexing errors: checked here, naming the argument
    # (without batch or max_num_nodes, any index >= 0 names a node)
    if batch is not None and not isinstance(batch, Tensor):
        # graph_powers and the fusions take the node count third; here it is a keyword
        raise TypeError(f"batch must be a torch.Tensor (the graph of each node), got "
                        f"{type(batch).__name__}; a node count is max_num_nodes=")
    if (isinstance(edge_weight, Tensor) and edge_weight.dtype == torch.long
            and edge_weight.dim() == 1 and batch is None and edge_weight.numel()
            and int(edge_weight[0]) == 0 and bool((edge_weight.diff() >= 0).all())):
        # PyG's to_dense_adj(edge_index, batch, edge_attr) takes batch second:
        # read as weights, a batch vector of E entries gives a wrong graph;
        # integer weights (counts, as coalesce sums them) are no such vector
        raise TypeError("edge_weight is a torch.long [E] tensor and batch is not given: "
                        "edges_to_dense takes (edge_index, edge_weight, batch), not PyG's "
                        "to_dense_adj order (edge_index, batch, edge_attr); pass a batch "
                        "as batch=, integer weights with their batch or as floats "
                        "(edge_weight.float())")
    # counts (a float or a string failed in torch.Size or a comparison, a
    # fraction was named a bound of edge_index's node indices)
    if max_num_nodes is not None:
        max_num_nodes = check_int("max_num_nodes", max_num_nodes, minimum=0)
    if batch_size is not None:
        batch_size = check_int("batch_size", batch_size, minimum=1)
    num_nodes = (batch.numel() if batch is not None else max_num_nodes
                 if max_num_nodes is not None else torch.iinfo(torch.long).max)
    if edge_weight is None:
        edge_index = check_edge_index("edge_index", edge_index, num_nodes)
    else:
        edge_index = check_edges(edge_index, edge_weight, num_nodes, weight_dims=(1, 2),
                                 floating=False)
    if batch is not None:
        # PyG's to_dense_adj places edges by the graph of their source and
        # trusts the rest: an unsorted batch or an edge between two graphs
        # would land silently in the wrong block
        check_batch("batch", batch, batch.numel(), ref=("edge_index", edge_index))
        if edge_index.numel() and bool((batch[edge_index[0]] != batch[edge_index[1]]).any()):
            raise ValueError("edge_index links nodes of different graphs of batch; the "
                             "edges of a batch stay within their graph")
        if batch.numel():
            sizes = torch.bincount(batch)
            if max_num_nodes is not None and int(sizes.max()) > max_num_nodes:
                raise ValueError(f"max_num_nodes={max_num_nodes} is smaller than a graph of "
                                 f"batch ({int(sizes.max())} nodes): its edges would be "
                                 f"dropped")
            if batch_size is not None and sizes.numel() > batch_size:
                raise ValueError(f"batch_size={batch_size} but batch holds graph "
                                 f"{sizes.numel() - 1}")
    return to_dense_adj(edge_index.flip(0), batch, edge_weight, max_num_nodes, batch_size)


def dense_to_edges(adj: Tensor, mask: Tensor | None = None,
                   support: Tensor | None = None) -> tuple[Tensor, Tensor]:
    r"""The non-zero entries of dense operators ``[B, N, N]`` (or ``[N, N]``)
    as ``(edge_index, edge_weight)`` over the global numbering of the real
    nodes (``mask`` ``[B, N]``, True for real nodes; default: all): the entry
    ``adj[b, i, j]`` becomes the edge :math:`j \to i`. Edges come sorted by
    target, then source; weights stay differentiable in ``adj``.

    Args:
        adj (torch.Tensor): ``[B, N, N]`` or ``[N, N]``.
        mask (torch.Tensor, optional): ``[B, N]`` bool, :obj:`True` for real
            nodes. (default: :obj:`None`, all)
        support (torch.Tensor, optional): bool of ``adj``'s shape: entries
            kept even where ``adj`` is 0 (where it depends on parameters that
            make it 0 now, so that their gradients reach it). (default:
            :obj:`None`, the non-zero entries only)

    Returns:
        (torch.Tensor, torch.Tensor): ``(edge_index [2, E], edge_weight [E])``.
    """
    check_tensor("adj", adj, dims=(2, 3))
    if adj.size(-1) != adj.size(-2):
        raise ValueError(f"adj must be square [N, N] or [B, N, N], got {tuple(adj.shape)}")
    for name, m in (("mask", mask), ("support", support)):
        if m is not None:
            check_tensor(name, m)
            check_like(name, m, "adj", adj, dtype=False)
            if m.dtype != torch.bool:
                raise TypeError(f"{name} must be a bool tensor, got {m.dtype}")
    if support is not None and support.shape != adj.shape:
        raise ValueError(f"support must have the shape of adj {tuple(adj.shape)}, got "
                         f"{tuple(support.shape)}")
    if adj.dim() == 2:
        adj = adj.unsqueeze(0)
        mask = None if mask is None else mask.view(1, -1)
        support = None if support is None else support.unsqueeze(0)
    if mask is None:
        mask = torch.ones(adj.shape[:2], dtype=torch.bool, device=adj.device)
    if mask.shape != adj.shape[:2]:
        raise ValueError(f"mask must have shape [B, N] = {tuple(adj.shape[:2])}, got "
                         f"{tuple(mask.shape)}")
    keep = adj != 0
    if support is not None:
        keep = keep | support
    keep = keep & mask.unsqueeze(2) & mask.unsqueeze(1)
    b, i, j = keep.nonzero(as_tuple=True)
    # Global number of each real node: real nodes are counted in graph order.
    number = mask.flatten().cumsum(0).view_as(mask) - 1
    index = torch.stack([number[b, j], number[b, i]])
    return index, adj[b, i, j]
