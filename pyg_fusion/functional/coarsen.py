r"""Pooling a relationship graph to a coarser level of units.

Units come at several levels (clip -> frame -> patch or token); each finer
unit belongs to one parent. With the assignment matrix
:math:`S \in \{0, 1\}^{N_f \times N_c}`, :math:`S_{i, \mathrm{assign}[i]} = 1`,
the parent-level graph is

.. math::
    G' = S^\top G S, \qquad G'_{ab} = \sum_{i \in a} \sum_{j \in b} G_{ij},

(``reduce="mean"`` divides by :math:`|a|\,|b|`), computed by one scatter over
the edges rather than two sparse products.
"""
from __future__ import annotations

import torch
from torch import Tensor

from .._scatter import scatter_sum
from ._autocast import float32_under_autocast
from ._checks import check_choice, check_edges, check_index, check_int, check_like, check_tensor


def _check_assign(assign: Tensor, num_parents: int) -> None:
    check_int("num_parents", num_parents, minimum=1)
    check_index("assign", assign, num_parents, "parents")


@float32_under_autocast
def coarsen(edge_index: Tensor, edge_weight: Tensor, assign: Tensor, num_parents: int,
            reduce: str = "sum") -> tuple[Tensor, Tensor]:
    r""":math:`S^T G S` for a sparse graph ``G`` on ``assign.numel()`` fine units.

    Args:
        edge_index (torch.Tensor): ``[2, E]`` on the fine units.
        edge_weight (torch.Tensor): ``[E]`` (or ``[E, C]`` for several graphs on
            one support).
        assign (torch.Tensor): ``[N_f]`` long, parent of each fine unit, in
            ``[0, num_parents)``.
        num_parents (int): :math:`N_c`.
        reduce (str, optional): :obj:`"sum"` (:math:`S^T G S`) or
            :obj:`"mean"` (each entry divided by :math:`|a|\,|b|`, the unit
            counts of its two parents). (default: :obj:`"sum"`)

    Returns:
        ``(edge_index [2, E'], edge_weight [E'])`` on the parents, sorted by
        target, then source (the edge :math:`j \to i` pools to
        :math:`\mathrm{assign}[j] \to \mathrm{assign}[i]`).
    """
    check_like("assign", check_tensor("assign", assign), "edge_index",
               check_tensor("edge_index", edge_index), dtype=False)
    _check_assign(assign, num_parents)
    edge_index = check_edges(edge_index, edge_weight, assign.numel(), weight_dims=(1, 2))
    check_choice("reduce", reduce, ("sum", "mean"))
    with torch.no_grad():
        # Keyed by (target, source): the output is sorted by target, as
        # graph_powers expects its input.
        ps, pt = assign[edge_index[0]], assign[edge_index[1]]
        keys, inverse = torch.unique(pt * num_parents + ps, sorted=True, return_inverse=True)
    # a mean of 16-bit weights in float32, rounded once: |a| |b| passed
    # float16's range at 256 units per parent (the means became 0), and so
    # could the sums of means that are in it
    wide = torch.promote_types(edge_weight.dtype, torch.float32) if reduce == "mean" \
        else edge_weight.dtype
    out = scatter_sum(edge_weight.to(wide), inverse, keys.numel())
    index = torch.stack([keys % num_parents, keys // num_parents])
    if reduce == "mean":
        size = torch.bincount(assign, minlength=num_parents).to(wide)
        denom = size[index[0]] * size[index[1]]
        out = (out / (denom.view(-1, *([1] * (out.dim() - 1))))).to(edge_weight.dtype)
    return index, out


@float32_under_autocast
def dense_coarsen(adj: Tensor, assign: Tensor, num_parents: int,
                  reduce: str = "sum") -> Tensor:
    """Dense :math:`S^T G S` for ``adj`` ``[N_f, N_f]``: the reference twin of
    :func:`coarsen`.

    Args:
        adj (torch.Tensor): ``[N_f, N_f]``.
        assign (torch.Tensor): ``[N_f]`` long, parent of each fine unit.
        num_parents (int): :math:`N_c`.
        reduce (str, optional): :obj:`"sum"` or :obj:`"mean"` (see
            :func:`coarsen`). (default: :obj:`"sum"`)

    Returns:
        torch.Tensor: ``[N_c, N_c]``.
    """
    check_like("assign", check_tensor("assign", assign), "adj", check_tensor("adj", adj),
               dtype=False)
    _check_assign(assign, num_parents)
    check_tensor("adj", adj, dims=(2, ), floating=True, finite=True)
    n = assign.numel()
    if tuple(adj.shape) != (n, n):
        raise ValueError(f"adj must be [N_f, N_f] = [{n}, {n}] (N_f from assign), got "
                         f"{list(adj.shape)}")
    check_choice("reduce", reduce, ("sum", "mean"))
    # 16-bit means in float32, as coarsen's
    wide = torch.promote_types(adj.dtype, torch.float32) if reduce == "mean" else adj.dtype
    s = torch.nn.functional.one_hot(assign, num_parents).to(wide)
    out = s.t() @ adj.to(wide) @ s
    if reduce == "mean":
        size = s.sum(0)
        out = (out / (size.unsqueeze(1) * size.unsqueeze(0)).clamp(min=1)).to(adj.dtype)
    return out
