r"""The degree-variance regulariser of LEGO for weakly supervised VAD
(docs/methods.md §1.6; `paper <https://arxiv.org/abs/2410.01506>`_).

Known only from secondary summaries; this reconstruction is a **[choice]**:
with node degrees :math:`d_i = \sum_j G_{ij} [G_{ij} \geq \alpha]` of the fused
graph,

.. math::
    \mathcal{L}_{deg} = \big(\mathrm{Var}(d \text{ of normal videos})
    - \mathrm{Var}(\text{top-}k\ d \text{ of anomalous videos})\big)^2,

variances pooled over the videos of a batch. The aim is that anomalous
snippets end up weakly connected. A batch without normal or without anomalous
videos gives 0.
"""
from __future__ import annotations

import math

import torch
from torch import Tensor

from .._scatter import scatter_sum
from ._autocast import float32_under_autocast
from .._option_rules import is_finite_real, is_real
from ._checks import check_batch, check_edges, check_flag, check_int, check_like, check_tensor

# the public names (the other functions without a leading _ serve the
# package's modules)
__all__ = ["graph_degrees", "dense_graph_degrees", "degree_variance_loss"]


@float32_under_autocast
def graph_degrees(edge_index: Tensor, edge_weight: Tensor, num_nodes: int,
                  alpha: float | None = None, *, coalesced: bool = False) -> Tensor:
    """Row sums of a sparse graph (each node's in-edges, the rows of the
    dense graph, repeated edges one entry) over the entries ``>= alpha`` (all
    with ``alpha=None``): ``[N]``, differentiable in the kept weights.

    Args:
        edge_index (torch.Tensor): ``[2, E]`` (source, target).
        edge_weight (torch.Tensor): ``[E]``.
        num_nodes (int): :math:`N`.
        alpha (float, optional): sum only the entries ``>= alpha``.
            (default: :obj:`None`, all)
        coalesced (bool, optional): :obj:`True` when each (source, target)
            pair occurs once (as in :func:`~pyg_fusion.functional.normalization.abs_degrees`).
            (default: :obj:`False`)

    Returns:
        torch.Tensor: ``[N]``.
    """
    check_int("num_nodes", num_nodes, minimum=0)
    edge_index = check_edges(edge_index, edge_weight, num_nodes)
    check_alpha(alpha)
    check_flag("coalesced", coalesced)  # "False" skipped the summing of repeated edges
    if not coalesced:  # repeated edges are one entry (summed) before alpha applies
        from torch_geometric.utils import coalesce
        edge_index, edge_weight = coalesce(edge_index, edge_weight, num_nodes)
    if alpha is not None:
        edge_weight = edge_weight * (edge_weight.detach() >= alpha)
    return scatter_sum(edge_weight, edge_index[1], num_nodes)


def check_alpha(alpha) -> None:
    # a NaN threshold would drop every entry: degrees 0, a loss of 0, silently;
    # +-inf is a threshold, an int beyond a float's range failed in torch's compare
    if alpha is not None and not (is_finite_real(alpha) or (is_real(alpha)
                                                            and abs(alpha) == math.inf)):
        raise ValueError(f"alpha must be a number (or None), got {alpha!r}")


@float32_under_autocast
def dense_graph_degrees(adj: Tensor, alpha: float | None = None) -> Tensor:
    """Row sums of dense graphs ``[..., N, N]`` over the entries ``>= alpha``.

    Args:
        adj (torch.Tensor): ``[..., N, N]``.
        alpha (float, optional): sum only the entries ``>= alpha``.
            (default: :obj:`None`, all)

    Returns:
        torch.Tensor: ``[..., N]``.
    """
    check_tensor("adj", adj, floating=True, finite=True)  # as graph_degrees' weights
    if adj.dim() < 2 or adj.size(-1) != adj.size(-2):
        raise ValueError(f"adj must be square [..., N, N], got {tuple(adj.shape)}")
    check_alpha(alpha)
    return _dense_graph_degrees(adj, alpha)


def _dense_graph_degrees(adj: Tensor, alpha: float | None = None) -> Tensor:
    """:func:`dense_graph_degrees` without the input checks, for a graph its
    caller made (the VAD step's fused G, checked by the head that read it:
    the finiteness check reads the whole graph and syncs a GPU every step)."""
    if alpha is not None:
        adj = adj * (adj.detach() >= alpha)
    return adj.sum(-1)


@float32_under_autocast
def degree_variance_loss(degrees: Tensor, batch: Tensor, labels: Tensor, k: int = 3,
                         num_graphs: int | None = None) -> Tensor:
    """Degree-variance loss from node degrees.

    Args:
        degrees (torch.Tensor): ``[N]`` node degrees (:func:`graph_degrees`,
            or ``dense_graph_degrees(G)[mask]`` on the dense backend).
        batch (torch.Tensor): ``[N]`` video of each node.
        labels (torch.Tensor): ``[B]`` video labels, 1 anomalous, 0 normal.
        k (int, optional): degrees taken from each anomalous video (the ``k``
            largest). (default: :obj:`3`)
        num_graphs (int, optional): :math:`B`. (default: :obj:`None`,
            ``batch.max() + 1``)

    Returns:
        torch.Tensor: the scalar loss; float32 for 16-bit ``degrees``, as
        under autocast (a squared difference of variances falls below
        float16's range, or past it).
    """
    check_tensor("degrees", degrees, dims=(1, ), floating=True, finite=True)
    if degrees.numel() == 0:
        raise ValueError("degrees holds no nodes (N = 0): the degree-variance loss "
                         "needs at least one node")
    check_int("k", k, minimum=1)
    check_batch("batch", batch, degrees.numel(), ref=("degrees", degrees))
    if num_graphs is None:
        num_graphs = int(batch.max()) + 1
    else:
        check_int("num_graphs", num_graphs, minimum=int(batch.max()) + 1)
    check_tensor("labels", labels)
    check_like("labels", labels, "degrees", degrees, dtype=False)
    if labels.numel() != num_graphs:
        raise ValueError(f"labels must have one entry per video ({num_graphs}), "
                         f"got {labels.numel()}")
    if labels.numel() and not bool(((labels == 0) | (labels == 1)).all()):
        raise ValueError("labels must be video labels 0 (normal) or 1 (anomalous)")
    labels = labels.view(-1).bool()
    # 16-bit degrees in float32: the loss (4e-8 for degrees of spread 0.015)
    # rounded to float16's smallest step, 6e-8, and overflowed past 65504
    degrees = degrees.to(torch.promote_types(degrees.dtype, torch.float32))
    node_abn = labels[batch]
    normal = degrees[~node_abn]
    if normal.numel() < 2 or not bool(labels.any()):
        return degrees.sum() * 0
    from torch_geometric.utils import to_dense_batch
    dense, mask = to_dense_batch(degrees, batch, fill_value=float("-inf"),
                                 batch_size=num_graphs)
    abn = dense[labels]
    top = abn.topk(min(k, abn.size(1)), dim=1).values
    top = top[torch.isfinite(top)]
    if top.numel() < 2:
        return degrees.sum() * 0
    return (normal.var() - top.var()) ** 2
