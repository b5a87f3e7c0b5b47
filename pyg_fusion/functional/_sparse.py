"""Edge-list sparse algebra with exact autograd.

torch's ``sparse @ sparse`` has no reliable backward (METHODS §3), so products
are written as gather -> multiply -> scatter-add on edge lists: the index work
runs without gradient, the value path is made of ``index_select``, ``*`` and
:func:`pyg_fusion._scatter.scatter_sum`, which autograd differentiates exactly.
Edge lists here are always coalesced: sorted by ``row * N + col``, no repeats.
"""
from __future__ import annotations

import torch
from torch import Tensor

from .._scatter import scatter_sum


def row_ptr(row: Tensor, num_nodes: int) -> Tensor:
    """CSR pointer of a row-sorted edge list: ``[num_nodes + 1]``."""
    counts = torch.bincount(row, minlength=num_nodes)
    return torch.cat([counts.new_zeros(1), counts.cumsum(0)])


def coalesce_keys(keys: Tensor) -> tuple[Tensor, Tensor]:
    """Unique sorted keys and, for each input key, its slot among them.

    Written out instead of ``torch.unique(return_inverse=True)``, which on CPU
    sorts twice; one argsort serves both outputs here."""
    if keys.numel() == 0:
        return keys, keys
    sorted_keys, perm = keys.sort()
    new = torch.ones_like(sorted_keys, dtype=torch.bool)
    new[1:] = sorted_keys[1:] != sorted_keys[:-1]
    slot_sorted = new.cumsum(0) - 1
    inverse = torch.empty_like(slot_sorted)
    inverse[perm] = slot_sorted
    return sorted_keys[new], inverse


def spspmm(index_a: Tensor, value_a: Tensor, index_b: Tensor, value_b: Tensor,
           num_nodes: int) -> tuple[Tensor, Tensor]:
    """``C = A @ B`` for square coalesced edge lists, differentiable in both
    value vectors. ``value_*`` may carry trailing dimensions (batched values
    over one support), which multiply element-wise."""
    row_a, col_a = index_a
    row_b, col_b = index_b
    with torch.no_grad():
        ptr_b = row_ptr(row_b, num_nodes)
        deg_b = ptr_b[1:] - ptr_b[:-1]
        cnt = deg_b[col_a]  # products contributed by each entry of A
        total = int(cnt.sum())
        pair_a = torch.repeat_interleave(torch.arange(col_a.numel(), device=col_a.device), cnt,
                                         output_size=total)
        start = torch.cumsum(cnt, 0) - cnt
        pair_b = (torch.arange(total, device=col_a.device) - start[pair_a]
                  + ptr_b[col_a][pair_a])
        keys = row_a[pair_a] * num_nodes + col_b[pair_b]
        out_keys, inverse = coalesce_keys(keys)
    prod = value_a.index_select(0, pair_a) * value_b.index_select(0, pair_b)
    out = scatter_sum(prod, inverse, out_keys.numel())
    return torch.stack([out_keys // num_nodes, out_keys % num_nodes]), out


def row_topk(index: Tensor, value: Tensor, k: int, num_nodes: int) -> tuple[Tensor, Tensor]:
    """Keeps the ``k`` entries of largest magnitude in each row of a coalesced
    edge list (ties broken by column); the result stays coalesced."""
    row = index[0]
    with torch.no_grad():
        score = value.detach().abs()
        if score.dim() > 1:
            score = score.flatten(1).amax(1)
        # Two stable sorts give (row ascending, magnitude descending) order.
        order = torch.sort(score, descending=True, stable=True).indices
        order = order[torch.sort(row[order], stable=True).indices]
        ptr = row_ptr(row, num_nodes)
        rank = torch.arange(row.numel(), device=row.device) - ptr[row[order]]
        keep = order[rank < k].sort().values  # back to coalesced order
    return index[:, keep], value[keep]


def union_support(indices: list[Tensor], num_nodes: int) -> tuple[Tensor, list[Tensor]]:
    """The union of several coalesced supports and, for each input, the
    position of each of its entries in the union."""
    keys = [ei[0] * num_nodes + ei[1] for ei in indices]
    with torch.no_grad():
        union, inverse = coalesce_keys(torch.cat(keys))
    positions = list(inverse.split([k.numel() for k in keys]))
    return torch.stack([union // num_nodes, union % num_nodes]), positions


def scatter_to(values: Tensor, positions: Tensor, size: int) -> Tensor:
    """Places ``values`` at ``positions`` of a zero vector of length ``size``
    (differentiable); positions are unique."""
    out = values.new_zeros((size, ) + tuple(values.shape[1:]))
    return out.index_copy(0, positions, values)
