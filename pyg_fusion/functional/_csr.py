"""Compressed sparse rows (CSR): the one sparse layout of the graph algebra.

A square matrix of N rows is ``(ptr [N+1], col [E], val [E])``: the entries
of row ``i`` are ``col[ptr[i]:ptr[i+1]]``, ascending, without repeats. There
is no padding, so memory is linear in the entries whatever the degrees (a
star graph costs its E entries, not N x its largest degree). Edge lists
(``edge_index``, PyG's direction) exist only at the API edge: row = target,
column = source, so a CSR pattern read row by row is an edge list sorted by
target, then source, the order of every sparse output of the library.

Which entries a product, a union or a lookup has comes from libraries:
scipy.sparse on CPU (C++ row merges and the SMMP product with a dense
accumulator: linear in the work, no sort), torch elsewhere (sorts, and
cuSPARSE products on CUDA). ``BACKEND = "torch"`` runs the device path on
CPU (tests compare the two). Values are differentiable: ``index_select`` /
``index_copy`` here, and the product's autograd Function in :mod:`._spgemm`.
"""
from __future__ import annotations

import numpy as np
import scipy.sparse as sp
import torch
from torch import Tensor
# PyG's CSR pointer <-> row index conversions (torch's COO/CSR index kernels).
from torch_geometric.utils.sparse import index2ptr, ptr2index

# "auto": scipy on CPU, torch on other devices; "torch": torch everywhere.
BACKEND = "auto"


def use_scipy(device: torch.device) -> bool:
    return BACKEND == "auto" and device.type == "cpu"


def to_scipy(ptr: Tensor, col: Tensor, val: Tensor | None, num_nodes: int) -> sp.csr_matrix:
    """A view (no copy of the values) as a scipy CSR matrix; ``val=None``
    gives ones (a pattern)."""
    data = np.ones(col.numel()) if val is None else val.detach().numpy()
    out = sp.csr_matrix((data, col.numpy(), ptr.numpy()), shape=(num_nodes, num_nodes))
    # Built from CSR rows that are sorted and unique by contract: tell scipy,
    # so that its merges take the linear canonical path without checking.
    out.has_sorted_indices = True
    out.has_canonical_format = True
    return out


def coalesced_order(row: Tensor, col: Tensor, num_nodes: int, name: str) -> Tensor | None:
    """``None`` when the entries are sorted by (row, column) without repeats,
    else the permutation that sorts them; repeated entries are an error
    (``name`` names the argument)."""
    key = row * num_nodes + col
    if key.numel() < 2 or bool((key[1:] > key[:-1]).all()):  # host sync: 1
        return None
    key, perm = torch.sort(key, stable=True)
    if bool((key[1:] == key[:-1]).any()):
        raise ValueError(f"{name} holds repeated edges; coalesce it first "
                         "(torch_geometric.utils.coalesce)")
    return perm


# The CPU union marks input m by bit m of an integer: at most this many inputs
# per merge (int64 holds 62 bits besides the sign with room to spare);
# longer lists are merged in groups.
UNION_GROUP = 62


@torch.compiler.disable
def union(patterns: list[tuple[Tensor, Tensor]], num_nodes: int
          ) -> tuple[Tensor, Tensor, list[Tensor]]:
    """The union of CSR patterns ``(ptr, col)`` and, for each input, the
    position of each of its entries in the union: ``(ptr, col, positions)``.

    On CPU one merge of sorted rows: scipy's sum of the patterns, input
    ``m`` holding the value ``2^m`` on its entries, so that each entry of the
    union carries the set of inputs that have it as bits; an input's entries
    are then the union's entries with its bit, in the same row-major order
    (both are sorted), so its positions are those entries' numbers. Linear
    in the entries. Elsewhere one sort of the row-major keys
    (``torch.unique``)."""
    device = patterns[0][1].device
    if use_scipy(device):
        if len(patterns) > UNION_GROUP:
            return _grouped_union(patterns, num_nodes)
        bits = np.min_scalar_type(-(1 << len(patterns)))  # holds the sum of all bits
        total = None
        for m, (p, c) in enumerate(patterns):
            mat = sp.csr_matrix((np.full(c.numel(), 1 << m, dtype=bits), c.numpy(),
                                 p.numpy()), shape=(num_nodes, num_nodes))
            mat.has_sorted_indices = True  # sorted and unique by contract: the
            mat.has_canonical_format = True  # merge takes scipy's linear path
            total = mat if total is None else total + mat
        ptr = torch.from_numpy(total.indptr).long()
        col = torch.from_numpy(total.indices).long()
        positions = [torch.from_numpy(np.flatnonzero(total.data & bits.type(1 << m)))
                     for m in range(len(patterns))]
        return ptr, col, positions
    keys = torch.cat([ptr2index(p) * num_nodes + c for p, c in patterns])
    keys, inverse = torch.unique(keys, sorted=True, return_inverse=True)
    ptr = index2ptr(torch.div(keys, num_nodes, rounding_mode="floor"), num_nodes)
    return ptr, keys % num_nodes, list(inverse.split([c.numel() for _, c in patterns]))


def _grouped_union(patterns, num_nodes):
    parts = [union(patterns[i:i + UNION_GROUP], num_nodes)
             for i in range(0, len(patterns), UNION_GROUP)]
    ptr, col, outer = union([(p, c) for p, c, _ in parts], num_nodes)
    return ptr, col, [torch.gather(where, 0, pos)
                      for where, (_, _, inner) in zip(outer, parts) for pos in inner]


def place(values: Tensor, positions: Tensor, size: int) -> Tensor:
    """``values`` at ``positions`` (unique) of a zero tensor of ``size`` rows;
    differentiable."""
    out = values.new_zeros((size, ) + tuple(values.shape[1:]))
    return out.index_copy(0, positions, values)


def union_edges(edge_indices: list[Tensor], num_nodes: int,
                names: list[str] | None = None) -> tuple[Tensor, list[Tensor]]:
    """:func:`union` at the API edge: ``(source, target)`` edge lists ->
    their union (sorted by target, then source) and each input edge's
    position in it. Inputs in another order are sorted first; repeated edges
    are an error naming the argument (``names``, default ``edge_index``)."""
    patterns, perms = [], []
    for t, ei in enumerate(edge_indices):
        row, col = ei[1], ei[0]
        name = names[t] if names is not None else "edge_index"
        perm = coalesced_order(row, col, num_nodes, name)
        if perm is not None:
            row, col = row.index_select(0, perm), col.index_select(0, perm)
        patterns.append((index2ptr(row, num_nodes), col))
        perms.append(perm)
    ptr, col, positions = union(patterns, num_nodes)
    # An input sorted by `perm` has its k-th sorted entry at perm[k].
    positions = [pos if perm is None else torch.empty_like(pos).index_copy_(0, perm, pos)
                 for pos, perm in zip(positions, perms)]
    return to_edge_index(ptr, col), positions


@torch.compiler.disable  # the kernel has no meta function for symbolic sizes
def to_edge_index(ptr: Tensor, col: Tensor) -> Tensor:
    """The API-edge form of a CSR pattern: ``[2, E]`` (source = column,
    target = row), in the pattern's order. torch's CSR -> COO index kernel
    writes both rows at once (2-3x faster than expanding the pointer and
    stacking)."""
    return torch._convert_indices_from_csr_to_coo(ptr, col, transpose=True)


def _numbered(ptr: Tensor, col: Tensor, num_nodes: int) -> sp.csr_matrix:
    # Entry e of the pattern holds e + 1 (float64: exact up to 2^53 entries),
    # so that no entry is dropped as a zero by scipy's element-wise product.
    return sp.csr_matrix((np.arange(1, col.numel() + 1, dtype=np.float64), col.numpy(),
                          ptr.numpy()), shape=(num_nodes, num_nodes))


def sample_scipy(mat: sp.csr_matrix, ptr: Tensor, col: Tensor, num_nodes: int) -> Tensor:
    """The values of scipy matrix ``mat`` (rows in any order, no repeats) at
    the entries of the CSR pattern ``(ptr, col)``, 0 where ``mat`` has none.

    Two element-wise products of ``mat`` (its values, then 1 where they are
    non-zero) with the pattern (1, then each entry's number): scipy merges
    the same index arrays the same way, so the two results list the same
    entries in the same order: values and where they go."""
    values = mat.multiply(to_scipy(ptr, col, None, num_nodes)).data
    nonzero = sp.csr_matrix(((mat.data != 0).astype(np.float64), mat.indices, mat.indptr),
                            shape=mat.shape)
    where = torch.from_numpy(nonzero.multiply(_numbered(ptr, col, num_nodes)).data).long() - 1
    out = torch.zeros(col.numel(), dtype=torch.from_numpy(mat.data[:0]).dtype)
    return out.index_copy_(0, where, torch.from_numpy(values).to(out.dtype))


def sort_rows(ptr: Tensor, col: Tensor, val: Tensor, num_nodes: int
              ) -> tuple[Tensor, Tensor, Tensor]:
    """Columns ascending within every row (values along): scipy's per-row
    sort on CPU, one sort of the row-major keys elsewhere."""
    if use_scipy(col.device):
        mat = sp.csr_matrix((val.numpy().copy(), col.numpy().copy(), ptr.numpy()),
                            shape=(num_nodes, num_nodes))
        mat.has_sorted_indices = False
        mat.sort_indices()
        return ptr, torch.from_numpy(mat.indices).long(), torch.from_numpy(mat.data)
    order = torch.sort(ptr2index(ptr) * num_nodes + col).indices
    return ptr, col.index_select(0, order), val.index_select(0, order)


def _row_block(ptr: Tensor, rows: Tensor, width: int) -> tuple[Tensor, Tensor]:
    """Entry numbers of the given rows padded to ``width`` (``[len(rows),
    width]``, padding points at the row's first entry) and the valid mask.
    The only padded table of the layout: :func:`topk_rows` calls it per
    bucket of rows whose lengths are within 2x of ``width``."""
    start = ptr.index_select(0, rows)
    length = ptr.index_select(0, rows + 1) - start
    step = torch.arange(width, device=ptr.device)
    valid = step.unsqueeze(0) < length.unsqueeze(1)
    return start.unsqueeze(1) + torch.where(valid, step, 0), valid


@torch.compiler.disable
def topk_rows(ptr: Tensor, col: Tensor, val: Tensor, k: int) -> tuple[Tensor, Tensor | None]:
    """Keeps the ``k`` entries of largest magnitude in every row (whose
    columns may come in any order): returns the new pointer and the kept
    entries' numbers (ascending: the rows keep their order of columns), or
    ``None`` when no row is longer than ``k``. Ties go to the smaller
    column, so the choice is reproducible bit for bit.

    Rows longer than ``k`` are bucketed by length (``k 2^(b-1) < length <=
    k 2^b``) and each bucket is one padded block ``[rows, k 2^b]``: cells
    at most twice the entries, whatever the degrees. Per block, the k-th
    largest magnitude (``torch.topk``) is the threshold; entries above it
    are kept, and of those equal to it the smallest columns that complete k.

    Host synchronisations: 1 (any long row), 1 (the buckets), then 2 per
    bucket (the nonzero listing its rows, whether a tie needs columns), then
    1 (the kept entries)."""
    length = ptr[1:] - ptr[:-1]
    long_row = length > k
    if not bool(long_row.any()):
        return ptr, None
    keep = torch.ones(val.numel(), dtype=torch.bool, device=val.device)
    score = val.detach().abs()
    # ceil(log2(length / k)) >= 1 for long rows, exact for integers < 2^53.
    bucket = torch.where(long_row, (length.double() / k).log2().ceil().long(), 0)
    for b in torch.unique(bucket).tolist():
        if b == 0:
            continue
        rows = (bucket == b).nonzero().squeeze(1)
        entry, valid = _row_block(ptr, rows, k << b)
        block = torch.where(valid, score[entry], -1.0)
        kth = block.topk(k, dim=1).values[:, -1:]
        above = block > kth
        tied = block == kth
        need = k - above.sum(1, keepdim=True)  # >= 1: the k-th is tied
        # Of the tied entries, the `need` smallest columns: their largest is
        # the need-th smallest tied column (a sort only where ties exceed it).
        last = torch.full_like(need, 2**62)  # above every column: all tied kept
        over = (tied.sum(1, keepdim=True) > need).squeeze(1)
        if bool(over.any()):
            tied_col = torch.where(tied[over], col[entry[over]], last[over])
            last[over] = tied_col.sort(dim=1).values.gather(1, need[over] - 1)
        chosen = above | (tied & (col[entry] <= last))
        keep.index_fill_(0, entry[valid & ~chosen], False)
    new_ptr = torch.cat([ptr.new_zeros(1), length.clamp(max=k).cumsum(0)])
    return new_ptr, keep.nonzero().squeeze(1)
