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


def coalesce_rows(row: Tensor, col: Tensor, pos: Tensor, num_nodes: int
                  ) -> tuple[Tensor, Tensor]:
    """Coalesces entries ``(row, col)`` given each entry's position ``pos``
    within its row group (0, 1, ... per row, in any order of rows).

    Returns ``(index [2, U], inverse [T])``: the unique entries sorted by row
    then column, and the slot of each input entry. Rows are short and many
    (bounded by ``k * prune_k`` for kNN graphs), so a batched sort of the
    padded ``[N, max_row]`` column table is about twice as fast as a global
    sort of ``row * N + col`` on CPU; very uneven rows fall back to the
    global sort to keep memory linear."""
    total = row.numel()
    if total == 0:
        return torch.zeros(2, 0, dtype=torch.long, device=row.device), row
    width = int(pos.max()) + 1
    if num_nodes * width > 4 * total + 4096:
        keys, inverse = coalesce_keys(row * num_nodes + col)
        return torch.stack([keys // num_nodes, keys % num_nodes]), inverse
    table = torch.full((num_nodes, width), num_nodes, dtype=col.dtype, device=col.device)
    table[row, pos] = col
    sorted_cols, perm = table.sort(dim=1)
    new = sorted_cols < num_nodes
    new[:, 1:] &= sorted_cols[:, 1:] != sorted_cols[:, :-1]
    slot = new.view(-1).cumsum(0).view_as(new) - 1
    inverse = torch.empty_like(slot).scatter_(1, perm, slot)[row, pos]
    out_row, out_pos = new.nonzero(as_tuple=True)
    return torch.stack([out_row, sorted_cols[out_row, out_pos]]), inverse


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
        row_start = torch.zeros(num_nodes + 1, dtype=torch.long, device=row.device)
        row_start[1:] = torch.bincount(row, minlength=num_nodes).cumsum(0)
        pos = step - row_start.index_select(0, row)
        out_index, inverse = coalesce_rows(row, col_b.index_select(0, pair_b), pos,
                                           num_nodes)
    prod = value_a.index_select(0, pair_a) * value_b.index_select(0, pair_b)
    return out_index, scatter_sum(prod, inverse, out_index.size(1))


def row_topk(index: Tensor, value: Tensor, k: int, num_nodes: int) -> tuple[Tensor, Tensor]:
    """Keeps the ``k`` entries of largest magnitude in each row of a coalesced
    edge list; the result stays coalesced."""
    row = index[0]
    with torch.no_grad():
        score = value.detach().abs()
        if score.dim() > 1:
            score = score.flatten(1).amax(1)
        ptr = row_ptr(row, num_nodes)
        deg = ptr[1:] - ptr[:-1]
        if int(deg.max()) <= k:
            return index, value
        pos = torch.arange(row.numel(), device=row.device) - ptr.index_select(0, row)
        width = int(deg.max())
        # A padded [N, max_row] table and one batched topk beat sorting the
        # whole edge list by (row, magnitude).
        table = torch.full((num_nodes, width), -1.0, dtype=score.dtype, device=row.device)
        table[row, pos] = score
        top = table.topk(k, dim=1).indices.sort(dim=1).values
        valid = top < deg.unsqueeze(1)
        keep = (ptr[:-1].unsqueeze(1) + top)[valid]
    return index[:, keep], value[keep]


def union_support(indices: list[Tensor], num_nodes: int) -> tuple[Tensor, list[Tensor]]:
    """The union of several coalesced supports and, for each input, the
    position of each of its entries in the union."""
    with torch.no_grad():
        rows, cols, pos = [], [], []
        offset = torch.zeros(num_nodes, dtype=torch.long, device=indices[0].device)
        for ei in indices:
            ptr = row_ptr(ei[0], num_nodes)
            local = torch.arange(ei.size(1), device=ei.device) - ptr.index_select(0, ei[0])
            rows.append(ei[0])
            cols.append(ei[1])
            pos.append(offset.index_select(0, ei[0]) + local)
            offset = offset + (ptr[1:] - ptr[:-1])
        index, inverse = coalesce_rows(torch.cat(rows), torch.cat(cols), torch.cat(pos),
                                       num_nodes)
    return index, list(inverse.split([ei.size(1) for ei in indices]))


def scatter_to(values: Tensor, positions: Tensor, size: int) -> Tensor:
    """Places ``values`` at ``positions`` of a zero vector of length ``size``
    (differentiable); positions are unique."""
    out = values.new_zeros((size, ) + tuple(values.shape[1:]))
    return out.index_copy(0, positions, values)
