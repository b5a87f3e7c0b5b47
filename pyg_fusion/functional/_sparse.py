"""Edge-list sparse algebra with exact autograd.

torch's ``sparse @ sparse`` has no reliable backward (docs/methods.md §3), so products
are written as gather -> multiply -> scatter-add on edge lists: the index work
runs without gradient, the value path is made of ``index_select``, ``*`` and
:func:`pyg_fusion._scatter.scatter_sum`, which autograd differentiates exactly.
Edge lists here are always coalesced: sorted by ``row * N + col``, no repeats.
"""
from __future__ import annotations

import torch
from torch import Tensor

from .._scatter import scatter_sum
from ._ell import row_ptr, unique_keys


def coalesce_entries(row: Tensor, col: Tensor, num_nodes: int) -> tuple[Tensor, Tensor]:
    """The unique entries ``(row, col)`` as ``index [2, U]`` sorted by row then
    column, and the slot of each input entry: one :func:`._ell.unique_keys`."""
    keys, inverse = unique_keys(row * num_nodes + col, num_nodes * num_nodes)
    return torch.stack([keys // num_nodes, keys % num_nodes]), inverse


def spspmm(index_a: Tensor, value_a: Tensor, index_b: Tensor, value_b: Tensor,
           num_nodes: int) -> tuple[Tensor, Tensor]:
    """``C = A @ B`` for square coalesced edge lists, differentiable in both
    value vectors. ``value_*`` may carry trailing dimensions (batched values
    over one support), which multiply element-wise."""
    row_a, col_a = index_a
    col_b = index_b[1]
    with torch.no_grad():
        ptr_b = row_ptr(index_b[0], num_nodes)
        cnt = (ptr_b[1:] - ptr_b[:-1])[col_a]  # products contributed by each entry of A
        total = int(cnt.sum())
        arange = torch.arange(col_a.numel(), device=col_a.device)
        pair_a = torch.repeat_interleave(arange, cnt, output_size=total)
        # Position of each product among those of entry e, then within its row
        # of C: A is row-sorted, so products come grouped by row.
        first = torch.cumsum(cnt, 0) - cnt
        step = torch.arange(total, device=col_a.device)
        pair_b = step - first.index_select(0, pair_a) + ptr_b.index_select(
            0, col_a).index_select(0, pair_a)
        row = row_a.index_select(0, pair_a)
        out_index, inverse = coalesce_entries(row, col_b.index_select(0, pair_b), num_nodes)
    prod = value_a.index_select(0, pair_a) * value_b.index_select(0, pair_b)
    return out_index, scatter_sum(prod, inverse, out_index.size(1))


def union_support(indices: list[Tensor], num_nodes: int) -> tuple[Tensor, list[Tensor]]:
    """The union of several coalesced supports and, for each input, the
    position of each of its entries in the union."""
    with torch.no_grad():
        index, inverse = coalesce_entries(torch.cat([ei[0] for ei in indices]),
                                          torch.cat([ei[1] for ei in indices]), num_nodes)
    return index, list(inverse.split([ei.size(1) for ei in indices]))


def union_edges(edge_indices: list[Tensor], num_nodes: int) -> tuple[Tensor, list[Tensor]]:
    """:func:`union_support` of (source, target) edge lists sorted by target,
    then source (the library's API order): the union comes sorted the same way."""
    index, positions = union_support([ei.flip(0) for ei in edge_indices], num_nodes)
    return index.flip(0), positions


def scatter_to(values: Tensor, positions: Tensor, size: int) -> Tensor:
    """Places ``values`` at ``positions`` of a zero vector of length ``size``
    (differentiable); positions are unique."""
    out = values.new_zeros((size, ) + tuple(values.shape[1:]))
    return out.index_copy(0, positions, values)
