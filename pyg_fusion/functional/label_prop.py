r"""Differentiable label propagation over a (fused) graph: a graph-only
classifier, used to judge a relationship graph by how well it carries a few
known labels to the other nodes (Zhou et al., "Learning with Local and Global
Consistency", NIPS 2003, `paper
<https://proceedings.neurips.cc/paper/2003/hash/87682805257e619d49b8e0dfdc14affa-Abstract.html>`_):

.. math::
    F^{(0)} = Y, \qquad
    F^{(l+1)} = \alpha\, \tilde W F^{(l)} + (1 - \alpha)\, Y, \qquad
    \tilde W = D^{-1/2} W D^{-1/2},\ D_{ii} = \sum_j |W_{ij}|,

with :math:`Y` the one-hot labels of the seed nodes (zero rows elsewhere).
PyG's :class:`~torch_geometric.nn.models.LabelPropagation` runs under
``torch.no_grad`` and clamps to [0, 1] after each step, so no gradient
reaches the edge weights; here every step is linear in :math:`W` and
:math:`Y` and autograd differentiates it exactly, which lets a learnable graph
(LEGO's operator) be trained through it. Degrees use :math:`|W|` so that a
signed fused graph keeps :math:`\|\tilde W\|_2 \le 1` and the iteration stays
bounded; rows without edges get factor 0.
"""
from __future__ import annotations


import torch
from torch import Tensor
from torch_geometric.utils import coalesce

from .._scatter import scatter_sum
from ._autocast import float32_under_autocast
from .._option_rules import is_real
from ._checks import (check_batch, check_edge_index, check_edges, check_flag, check_index,
                      check_int, check_like, check_mask, check_tensor)
from .normalization import (_coalesced_weights, _dense_degrees, _inv_sqrt_degrees,
                            _sparse_degrees)

__all__ = ["label_propagation", "dense_label_propagation", "seed_labels", "seed_prior_logits"]


def seed_labels(y: Tensor, mask: Tensor, num_classes: int | None = None) -> Tensor:
    """One-hot rows of ``y`` ``[N]`` (long) at ``mask`` ``[N]`` (bool), zero
    rows elsewhere: ``[N, C]`` float.

    Args:
        y (torch.Tensor): ``[N]`` long class of each node.
        mask (torch.Tensor): ``[N]`` bool, the seed nodes.
        num_classes (int, optional): :math:`C`. (default: :obj:`None`,
            ``y.max() + 1``)

    Returns:
        torch.Tensor: ``[N, C]`` of torch's default dtype.
    """
    check_tensor("y", y, dims=(1, ))
    if y.dtype != torch.long:
        raise TypeError(f"y must hold class indices (torch.long), got {y.dtype}")
    check_mask("mask", mask, tuple(y.shape))
    check_like("mask", mask, "y", y)
    if num_classes is None:
        if y.numel() == 0:
            raise ValueError("y holds no nodes: pass num_classes, it cannot be read "
                             "from the labels")
        c = int(y.max()) + 1
    else:
        c = check_int("num_classes", num_classes, minimum=1)
    check_index("y[mask]", y[mask], c, "class indices")
    # torch's default dtype, so that set_default_dtype(torch.float64) holds
    out = torch.zeros(y.numel(), c, device=y.device)
    out[mask] = torch.nn.functional.one_hot(y[mask], c).to(out.dtype)
    return out


def seed_prior_logits(y: Tensor, batch: Tensor | None = None) -> Tensor:
    r"""The logits :math:`\log p_c` of the seed labels' class prior, Laplace
    smoothed: :math:`p_c = (n_c + 1) / (n + C)`, :math:`n_c` the seeds' label
    mass of class :math:`c` (column sums of ``y``) and :math:`n` their sum, so
    that every class keeps a finite logit. Their argmax is the seeds' majority
    class (ties: the smallest class id, as ``argmax``). With ``batch``, each
    graph's prior is of its own seeds, so that graphs of a batch stay apart.

    Args:
        y (torch.Tensor): seed labels ``[N, C]`` (one-hot rows at the seeds).
        batch (torch.Tensor, optional): ``[N]`` graph of each node, sorted.
            (default: :obj:`None`, one graph)

    Returns:
        torch.Tensor: ``[C]``, or with ``batch`` ``[N, C]``, the prior of each
        node's graph; float32, float64 for float64 ``y``.
    """
    check_tensor("y", y, dims=(2, ), floating=True, finite=True)
    # counted in at least float32 (a 16-bit count stops at 2048 / 256), in
    # float64 for float64 labels (a float64 model's prior was float32's)
    seeds = y.detach().to(torch.promote_types(y.dtype, torch.float32))
    if batch is None:
        counts = seeds.sum(0).clamp_min(0)
        return ((counts + 1) / (counts.sum() + y.size(-1))).log()
    check_batch("batch", batch, y.size(0), ref=("y", y))
    graphs = int(batch.max()) + 1 if batch.numel() else 0
    counts = scatter_sum(seeds, batch, graphs).clamp_min(0)
    return ((counts + 1) / (counts.sum(-1, keepdim=True) + y.size(-1))).log()[batch]


def _check(y: Tensor, num_layers: int, alpha: float, symmetric: bool) -> None:
    if isinstance(y, Tensor) and (y.dim() != 2 or not y.is_floating_point()):
        # class indices [N] (or a long one_hot) are the usual slip: name the helper
        raise (TypeError if y.dim() == 2 else ValueError)(
            f"y must be float seed labels [N, C] (one-hot rows at the seed nodes, zero "
            f"rows elsewhere), got {y.dtype} of shape {tuple(y.shape)}: from class "
            f"indices [N], pass pyg_fusion.functional.seed_labels(y, mask) (mask: the seeds)")
    check_tensor("y", y, dims=(2, ), floating=True, finite=True)
    check_propagation(num_layers, alpha, symmetric)


def check_propagation(num_layers: int, alpha: float, symmetric: bool = True) -> None:
    check_int("num_layers", num_layers, minimum=0)
    check_flag("symmetric", symmetric)  # "False" would propagate over the symmetrised graph
    if not (is_real(alpha) and 0.0 <= alpha < 1.0):
        raise ValueError(f"alpha must be in [0, 1), got {alpha!r}")


@float32_under_autocast
def label_propagation(y: Tensor, edge_index: Tensor, edge_weight: Tensor | None = None, *,
                      num_layers: int = 20, alpha: float = 0.9,
                      symmetric: bool = True) -> Tensor:
    """Label propagation over a sparse graph (see the module docstring).

    Args:
        y (torch.Tensor): seed labels ``[N, C]`` (e.g. :func:`seed_labels`).
        edge_index (torch.Tensor): ``[2, E]`` (source, target): node ``i``
            aggregates over its in-edges, :math:`W_{ij}` being the weight of
            the edge ``j -> i``.
        edge_weight (torch.Tensor, optional): ``[E]``, signed allowed.
            (default: :obj:`None`, ones)
        num_layers (int, optional): propagation steps :math:`L`.
            (default: :obj:`20`)
        alpha (float, optional): the weight of the propagated labels, in
            ``[0, 1)``. (default: :obj:`0.9`)
        symmetric (bool, optional): propagate over the symmetrised graph
            ``(W + W^T) / 2`` (a **[choice]**: kNN and fused graphs are
            directed, and label propagation is defined on undirected graphs).
            (default: :obj:`True`)

    Returns:
        ``F`` ``[N, C]``; its row argmax is the predicted class, except on the
        rows of nodes that no seed reaches within ``num_layers`` steps (e.g.
        isolated nodes): they are zero, and their argmax (class 0) predicts
        nothing; :class:`~pyg_fusion.nn.LabelPropagationHead` gives them the
        seeds' class prior, :func:`seed_prior_logits`.
    """
    _check(y, num_layers, alpha, symmetric)
    return _propagate(y, _propagation_graph(y, edge_index, edge_weight, symmetric),
                      num_layers, alpha)


def _propagation_graph(y: Tensor, edge_index: Tensor, edge_weight: Tensor | None,
                       symmetric: bool, order=None) -> tuple[Tensor, Tensor, Tensor]:
    """The graph :func:`label_propagation` propagates over, checked against
    ``y``: ``(col, row, w)``, the sources, targets and normalised weights
    ``[E', 1]`` of the (symmetrised) coalesced edges. A fixed graph's is the
    same at every call (:class:`~pyg_fusion.nn.LabelPropagationHead` keeps it);
    ``order`` (a function of the checked, symmetrised edges giving their
    :func:`~pyg_fusion.functional.normalization._coalesce_order`, e.g. a kept one) coalesces the weights of fixed
    edges without sorting them again."""
    n = y.size(0)
    if edge_weight is None:
        # edge_weight (made on y's device) and edge_index are compared
        # otherwise, naming an edge_weight that was not given
        check_like("edge_index", check_tensor("edge_index", edge_index), "y", y, dtype=False)
        edge_index = check_edge_index("edge_index", edge_index, n)
        edge_weight = y.new_ones(edge_index.size(1))
    else:
        edge_index = check_edges(edge_index, edge_weight, n)
    if symmetric:
        edge_index = torch.cat([edge_index, edge_index.flip(0)], 1)
        edge_weight = torch.cat([edge_weight, edge_weight]) / 2
    # Duplicates are summed first, as in the dense W: the degree takes |sum|,
    # not the sum of |.|, when signed duplicates meet.
    check_like("edge_weight", edge_weight, "y", y)
    if order is None:
        edge_index, edge_weight = coalesce(edge_index, edge_weight, n)
    else:
        order = order(edge_index)
        edge_index, edge_weight = order[0], _coalesced_weights(order, edge_weight)
    col, row = edge_index  # (source j, target i) holds W[i, j]
    d = _inv_sqrt_degrees(*_sparse_degrees(edge_index, edge_weight, n, coalesced=True))
    return col, row, (d[row] * edge_weight * d[col]).unsqueeze(-1)


def _propagate(y: Tensor, graph: tuple[Tensor, Tensor, Tensor], num_layers: int,
               alpha: float) -> Tensor:
    # the steps of label_propagation over its _propagation_graph
    (col, row, w), n = graph, y.size(0)
    out = y
    for _ in range(num_layers):
        out = alpha * scatter_sum(w * out.index_select(0, col), row, n) + (1 - alpha) * y
    return out


@float32_under_autocast
def dense_label_propagation(y: Tensor, adj: Tensor, *, num_layers: int = 20,
                            alpha: float = 0.9, symmetric: bool = True) -> Tensor:
    """The dense form of :func:`label_propagation`: ``adj`` ``[N, N]``.

    Args:
        y (torch.Tensor): seed labels ``[N, C]``.
        adj (torch.Tensor): ``[N, N]``, ``adj[i, j]`` the weight of the edge
            ``j -> i``.
        num_layers (int, optional): propagation steps. (default: :obj:`20`)
        alpha (float, optional): in ``[0, 1)``. (default: :obj:`0.9`)
        symmetric (bool, optional): propagate over ``(W + W^T) / 2``.
            (default: :obj:`True`)

    Returns:
        torch.Tensor: ``[N, C]`` (zero rows at the nodes no seed reaches, as
        :func:`label_propagation`).
    """
    _check(y, num_layers, alpha, symmetric)
    check_tensor("adj", adj, dims=(2, ), floating=True, finite=True)
    check_like("adj", adj, "y", y)
    if adj.shape != (y.size(0), y.size(0)):
        raise ValueError(f"adj must be [N, N] = [{y.size(0)}, {y.size(0)}] (N from y), got "
                         f"{tuple(adj.shape)}")
    if symmetric:  # halves first, as the sparse form: a sum of two finite
        adj = adj / 2 + adj.t() / 2  # entries may overflow, their mean does not
    d = _inv_sqrt_degrees(*_dense_degrees(adj))
    w = d.unsqueeze(-1) * adj * d.unsqueeze(0)
    out = y
    for _ in range(num_layers):
        out = alpha * (w @ out) + (1 - alpha) * y
    return out
