"""Padded-row ("ELL") sparse algebra for graphs whose rows have similar
lengths, such as kNN graphs and their row-pruned powers.

A graph is held as ``col [N, W]`` and ``val [N, W]``: row ``i`` lists its
columns in ascending order, padded with the sentinel column ``N`` and value 0.
Every step of a product then runs along dim 1 of regular ``[N, W]`` tables
(one batched gather, per-row dedupe by a sort, and scatter-add), in blocks
of rows that stay in cache, with no ``repeat_interleave``; on the 2-core CPU
this is several times faster than the edge-list form in :mod:`._sparse`,
which stays the fallback for very uneven rows. :func:`_coalesce_rows` is the
one dedupe routine of the library: edge lists go through it as a table of
one row of keys (:func:`unique_keys`). Values go through ``index_select`` (also
as ``F.embedding``), ``*``, ``gather`` and ``scatter_add`` only, which
autograd differentiates exactly.
"""
from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import Tensor


def row_ptr(row: Tensor, num_nodes: int) -> Tensor:
    """CSR pointer of a row-sorted edge list: ``[num_nodes + 1]``."""
    counts = torch.bincount(row, minlength=num_nodes)
    return torch.cat([counts.new_zeros(1), counts.cumsum(0)])


def is_regular(edge_index: Tensor, num_nodes: int, slack: float = 2.0) -> bool:
    """True when padding every row to the longest one costs at most ``slack``
    times the entries (the ELL layout pays off)."""
    deg = torch.bincount(edge_index[0], minlength=num_nodes)
    return int(deg.max()) * num_nodes <= slack * edge_index.size(1) + 1024


def to_ell(edge_index: Tensor, value: Tensor, num_nodes: int) -> tuple[Tensor, Tensor]:
    """Coalesced edge list -> ``(col [N, W], val [N, W])``."""
    row, col = edge_index
    ptr = row_ptr(row, num_nodes)
    width = max(int((ptr[1:] - ptr[:-1]).max()), 1)
    pos = torch.arange(row.numel(), device=row.device) - ptr.index_select(0, row)
    table_col = torch.full((num_nodes, width), num_nodes, dtype=torch.long, device=row.device)
    table_col[row, pos] = col
    table_val = value.new_zeros((num_nodes, width)).index_put((row, pos), value)
    return table_col, table_val


def identity_ell(num_nodes: int, like: Tensor) -> tuple[Tensor, Tensor]:
    col = torch.arange(num_nodes, device=like.device).view(-1, 1)
    return col, like.new_ones((num_nodes, 1))


# Largest row-offset key kept in int32 by _coalesce_rows.
_INT32_KEYS = 2**31 - 1


def _coalesce_rows(cand_col: Tensor, num_nodes: int):
    """Per-row unique columns of a candidate table (entries ``num_nodes`` are
    padding): returns ``(out_col [rows, W], inverse, W)``, the ascending
    unique columns padded with ``num_nodes``, each candidate's output slot
    (padding candidates point at their row's last slot, or 0) and the output
    width.

    One sort of the candidates: the work is linear in the candidates (times
    a log), independent of N. (A per-row bitmap of the N + 1 columns did
    O(N) work per row; README, "Scaling", has the before/after.)"""
    rows, width = cand_col.shape
    # One flat sort of row-offset keys sorts every row at once (each row's
    # keys lie in their own range): int32 keys where they fit, 2.3x faster
    # than int64 and than a batched sort along dim 1 on the 2-core CPU. Which
    # of two equal keys comes first changes no output.
    stride = num_nodes + 1
    dtype = torch.int32 if rows * stride <= _INT32_KEYS else torch.long
    offset = torch.arange(rows, device=cand_col.device, dtype=dtype).mul_(stride)
    key = cand_col.to(dtype, copy=True).add_(offset.unsqueeze(1)).view(-1)
    sorted_key, perm = key.sort()
    sorted_col = sorted_key.view(rows, width).sub_(offset.unsqueeze(1)).long()
    perm = perm.view(rows, width).sub_(
        torch.arange(0, rows * width, width, device=cand_col.device).unsqueeze(1))
    new = sorted_col < num_nodes
    new[:, 1:] &= sorted_col[:, 1:] != sorted_col[:, :-1]
    slot = (new.cumsum(1) - 1).clamp_(min=0)
    # Host sync 1 of 1: the output width.
    width = max(int(new.sum(1).max()), 1)
    inverse = torch.empty_like(slot).scatter_(1, perm, slot)
    out_col = torch.full((cand_col.size(0), width + 1), num_nodes, dtype=torch.long,
                         device=cand_col.device)
    out_col.scatter_(1, torch.where(new, slot, width), sorted_col)
    return out_col[:, :width], inverse, width


def unique_keys(keys: Tensor, bound: int) -> tuple[Tensor, Tensor]:
    """Sorted unique values of integer ``keys`` in ``[0, bound)`` and each
    key's slot among them: :func:`_coalesce_rows` of a table of one row,
    so that edge lists (keys ``row * N + col``) are deduplicated by the same
    routine as padded rows (int32 keys while ``bound`` fits)."""
    if keys.numel() == 0:
        return keys, keys
    out, inverse, _ = _coalesce_rows(keys.reshape(1, -1), bound)
    return out[0], inverse[0]


def ell_spspmm(col_a: Tensor, val_a: Tensor, col_b: Tensor, val_b: Tensor,
               num_nodes: int) -> tuple[Tensor, Tensor]:
    """``C = A @ B`` in the ELL layout; differentiable in both value tables."""
    n, wa = col_a.shape
    wb = col_b.size(1)
    # A sentinel row N in B turns A's padding into padding of C.
    col_b = torch.cat([col_b, col_b.new_full((1, wb), num_nodes)])
    val_b = torch.cat([val_b, val_b.new_zeros((1, wb))])
    flat = col_a.reshape(-1)
    with torch.no_grad():
        out_col, inverse, width = _product_support(col_a, col_b, num_nodes)
    # F.embedding is index_select; its CPU backward adds into the rows of B
    # in the same order (the same numbers), with threads split by rows of B.
    cand_val = (val_a.unsqueeze(-1) * F.embedding(flat, val_b).view(n, wa, wb)).view(n, -1)
    # In place on fresh zeros: saves the copy of an out-of-place scatter_add.
    return out_col, cand_val.new_zeros((n, width)).scatter_add_(1, inverse, cand_val)


# Candidates per block of _product_support (8 MiB of int64: reused by the
# allocator, and few blocks when N is large).
_PRODUCT_CELLS = 1 << 20


def _product_support(col_a: Tensor, col_b: Tensor, num_nodes: int):
    """:func:`_coalesce_rows` of the candidate columns ``col_b[col_a[i]]`` of
    each row, in blocks of rows whose candidate tables stay in cache; the
    same result as one call on the whole table."""
    n, wa = col_a.shape
    cand_width = wa * col_b.size(1)
    step = max(_PRODUCT_CELLS // cand_width, 1)
    if step >= n:
        cand = col_b.index_select(0, col_a.reshape(-1)).view(n, cand_width)
        return _coalesce_rows(cand, num_nodes)
    inverse = torch.empty((n, cand_width), dtype=torch.long, device=col_a.device)
    blocks = []
    for start in range(0, n, step):
        rows = col_a[start:start + step]
        cand = col_b.index_select(0, rows.reshape(-1)).view(rows.size(0), cand_width)
        out, inverse[start:start + step], _ = _coalesce_rows(cand, num_nodes)
        blocks.append(out)
    width = max(b.size(1) for b in blocks)
    out_col = torch.full((n, width), num_nodes, dtype=torch.long, device=col_a.device)
    for start, out in zip(range(0, n, step), blocks):
        out_col[start:start + out.size(0), :out.size(1)] = out
    return out_col, inverse, width



def ell_topk(col: Tensor, val: Tensor, k: int, num_nodes: int) -> tuple[Tensor, Tensor]:
    """Keeps the ``k`` entries of largest magnitude per row."""
    if col.size(1) <= k:
        return col, val
    with torch.no_grad():
        score = val.detach().abs().masked_fill_(col == num_nodes, -1.0)
        # Columns ascend along a row (padding last), so ascending positions
        # keep them sorted; which k are chosen does not depend on `sorted`.
        idx = score.topk(k, dim=1, sorted=False).indices.sort(dim=1).values
    return col.gather(1, idx), val.gather(1, idx)


def ell_union(tables: list[tuple[Tensor, Tensor]], num_nodes: int) -> tuple[Tensor, Tensor]:
    """The union of several ELL graphs as a coalesced edge list with one
    value column per input: ``(edge_index [2, E], attr [E, len(tables)])``."""
    cols = torch.cat([c for c, _ in tables], dim=1)
    num = len(tables)
    with torch.no_grad():
        out_col, inverse, width = _coalesce_rows(cols, num_nodes)
        # Entry (slot, t) of a row of one [N, width * T] table: one scatter
        # and one gather serve all inputs.
        channel = torch.cat([torch.full((c.size(1), ), t, dtype=torch.long,
                                        device=cols.device)
                             for t, (c, _) in enumerate(tables)])
        target = inverse.mul_(num).add_(channel)
        row, pos = (out_col < num_nodes).nonzero(as_tuple=True)
        flat = row * width + pos
    vals = torch.cat([v for _, v in tables], dim=1)
    attr = vals.new_zeros((num_nodes, width * num)).scatter_add_(1, target, vals)
    index = torch.stack([row, out_col[row, pos]])
    return index, attr.view(num_nodes * width, num).index_select(0, flat)
