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


class _Place(torch.autograd.Function):
    # One output [size, M] for M value vectors. The positions are saved as
    # int32 where they fit (index_copy's autograd would keep them int64):
    # they are held from the forward to the backward, for every power of
    # every source.
    @staticmethod
    def forward(ctx, positions, size, *values):
        dtype = torch.int32 if size < 2**31 else torch.long
        ctx.save_for_backward(*(pos.to(dtype) for pos in positions))
        out = values[0].new_zeros((size, len(values)))
        for m, (v, pos) in enumerate(zip(values, positions)):
            out[:, m].index_copy_(0, pos.long(), v)
        return out

    @staticmethod
    def backward(ctx, grad):
        # differentiable again (double backward): a gather per column
        return (None, None) + tuple(grad[:, m].index_select(0, pos)
                                    for m, pos in enumerate(ctx.saved_tensors))


def place(values: list[Tensor], positions: list[Tensor], size: int) -> Tensor:
    """The vectors ``values[m]`` at ``positions[m]`` (unique) of column
    ``m`` of a zero tensor ``[size, M]``; differentiable."""
    return _Place.apply(list(positions), size, *values)


def place_rows(values: Tensor, positions: Tensor, size: int) -> Tensor:
    """The rows of ``values`` ``[E, C]`` at ``positions`` (unique) of a zero
    tensor ``[size, C]``; differentiable."""
    return values.new_zeros((size, ) + tuple(values.shape[1:])).index_copy(0, positions, values)


def union_edges(edge_indices: list[Tensor], num_nodes: int,
                names: list[str] | None = None) -> tuple[Tensor, list[Tensor]]:
    """:func:`union` at the API edge: ``(source, target)`` edge lists ->
    their union (sorted by target, then source) and each input edge's
    position in it. Inputs in another order are sorted first; repeated edges
    are an error naming the argument (``names``, default ``edge_index``)."""
    ptr, col, positions = union_of_edges(edge_indices, num_nodes, names)
    return to_edge_index(ptr, col), positions


def union_of_edges(edge_indices: list[Tensor], num_nodes: int,
                   names: list[str] | None = None) -> tuple[Tensor, Tensor, list[Tensor]]:
    """:func:`union_edges` with the union as a CSR pattern ``(ptr, col)``."""
    patterns, perms = _sorted_patterns(edge_indices, num_nodes, names)
    ptr, col, positions = union(patterns, num_nodes)
    # An input sorted by `perm` has its k-th sorted entry at perm[k].
    positions = [pos if perm is None else torch.empty_like(pos).index_copy_(0, perm, pos)
                 for pos, perm in zip(positions, perms)]
    return ptr, col, positions


def _sorted_patterns(edge_indices, num_nodes, names):
    # Each edge list as a CSR pattern, sorted where it is not (with the
    # permutation that sorted it); repeated edges are an error.
    patterns, perms = [], []
    for t, ei in enumerate(edge_indices):
        row, col = ei[1], ei[0]
        name = names[t] if names is not None else "edge_index"
        perm = coalesced_order(row, col, num_nodes, name)
        if perm is not None:
            row, col = row.index_select(0, perm), col.index_select(0, perm)
        patterns.append((index2ptr(row, num_nodes), col))
        perms.append(perm)
    return patterns, perms


def common_of_union(positions: list[Tensor], size: int) -> tuple[Tensor, list[Tensor]]:
    """The entries of a union (``size`` slots) that every input has: their
    slots, ascending, and for each input the number of its own entry at
    each of them (``positions``: each input entry's slot, as
    :func:`union_of_edges` gives them)."""
    every, owners = None, []
    for pos in positions:
        owner = torch.full((size, ), -1, dtype=torch.long, device=pos.device)
        owner.index_copy_(0, pos, torch.arange(pos.numel(), device=pos.device))
        owners.append(owner)
        every = owner >= 0 if every is None else every & (owner >= 0)
    slots = every.nonzero().squeeze(1)
    return slots, [torch.gather(owner, 0, slots) for owner in owners]


@torch.compiler.disable
def common_edges(edge_indices: list[Tensor], num_nodes: int,
                 names: list[str] | None = None) -> list[Tensor]:
    """The edges that every edge list has (their intersection): for each
    input, the numbers of its own edges there, in the order of the
    intersection sorted by target, then source. Repeated edges are an error
    naming the argument (``names``).

    On CPU scipy's element-wise product of the patterns, input ``m``
    numbered (entry ``e`` holds ``e + 1``) and the others ones: the result
    lists the intersection in order with input ``m``'s numbers, and nothing
    of the size of the union is formed. Elsewhere through
    :func:`union_of_edges`."""
    if not use_scipy(edge_indices[0].device):
        ptr, col, positions = union_of_edges(edge_indices, num_nodes, names)
        return common_of_union(positions, col.numel())[1]
    patterns, perms = _sorted_patterns(edge_indices, num_nodes, names)

    def mat(m, numbered):
        p, c = patterns[m]
        data = (np.arange(1, c.numel() + 1, dtype=np.int64) if numbered
                else np.ones(c.numel(), dtype=np.int8))
        out = sp.csr_matrix((data, c.numpy(), p.numpy()), shape=(num_nodes, num_nodes))
        out.has_sorted_indices = True  # sorted and unique by contract
        out.has_canonical_format = True
        return out

    own = []
    for m, perm in enumerate(perms):
        out = mat(m, True)
        for o in range(len(patterns)):
            if o != m:
                out = out.multiply(mat(o, False)).tocsr()
        number = torch.from_numpy(np.asarray(out.data, dtype=np.int64)) - 1
        own.append(number if perm is None else torch.gather(perm, 0, number))
    return own


@torch.compiler.disable  # the kernel has no meta function for symbolic sizes
def to_edge_index(ptr: Tensor, col: Tensor) -> Tensor:
    """The API-edge form of a CSR pattern: ``[2, E]`` (source = column,
    target = row), in the pattern's order, int64 (``ptr`` and ``col`` may be
    int32). torch's CSR -> COO index kernel writes both rows at once (2-3x
    faster than expanding the pointer and stacking)."""
    return torch._convert_indices_from_csr_to_coo(ptr, col, out_int32=False, transpose=True)


def sample_scipy(mat: sp.csr_matrix, ptr: Tensor, col: Tensor) -> Tensor:
    """The values of scipy matrix ``mat`` (rows in any order, no repeats) at
    the entries of the CSR pattern ``(ptr, col)``, 0 where ``mat`` has none.

    Two element-wise products of ``mat`` (its values, then 1 where they are
    non-zero) with the pattern (1, then each entry's number): scipy merges
    the same index arrays the same way, so the two results list the same
    entries in the same order: values and where they go."""
    def pattern(data):  # (ptr, col) in mat's shape (a block of rows or square)
        return sp.csr_matrix((data, col.numpy(), ptr.numpy()), shape=mat.shape)
    values = mat.multiply(pattern(np.ones(col.numel()))).data
    nonzero = sp.csr_matrix(((mat.data != 0).astype(np.float64), mat.indices, mat.indptr),
                            shape=mat.shape)
    # Entry e of the pattern holds e + 1 (float64: exact up to 2^53 entries),
    # so that no entry is dropped as a zero by scipy's element-wise product.
    numbered = pattern(np.arange(1, col.numel() + 1, dtype=np.float64))
    where = torch.from_numpy(nonzero.multiply(numbered).data).long() - 1
    out = torch.zeros(col.numel(), dtype=torch.from_numpy(mat.data[:0]).dtype)
    return out.index_copy_(0, where, torch.from_numpy(values).to(out.dtype))


def sort_rows(ptr: Tensor, col: Tensor, val: Tensor, num_nodes: int
              ) -> tuple[Tensor, Tensor, Tensor]:
    """Columns ascending within every row (values along) by one sort of the
    row-major keys: the torch path (scipy sorts its products in place)."""
    order = torch.sort(ptr2index(ptr) * num_nodes + col).indices
    return ptr, col.index_select(0, order), val.index_select(0, order)


def inverse_permutation(perm: Tensor) -> Tensor:
    """``inv`` with ``inv[perm[i]] = i``, in ``perm``'s integer type."""
    return torch.empty_like(perm).index_copy_(
        0, perm.long(), torch.arange(perm.numel(), dtype=perm.dtype, device=perm.device))


def _bucket_widths(k: int) -> list[int]:
    """Table widths of :func:`topk_rows`: ``k``, then each about 1.2 times
    the one before (``w + ceil(w / 5)``) up to 2^48, so a row of ``length``
    entries (the smallest width that holds it) pads at most ~1.2x (finer
    steps than doubling: ``topk`` works on every cell; measured on kNN
    powers at N = 65536, doubling made 1.45-1.67 cells per entry)."""
    widths = [k]
    while widths[-1] < 1 << 48:
        widths.append(widths[-1] + -(-widths[-1] // 5))
    return widths


def _bucket_layout(length: Tensor, k: int, widths: list[int]
                   ) -> tuple[Tensor, Tensor, list[tuple[int, int, int, int]], int]:
    """Where each row's magnitudes go in the padded tables of
    :func:`topk_rows`.

    Rows longer than ``k`` are bucketed by the smallest of ``widths``
    (:func:`_bucket_widths`) that holds them; each bucket is one table
    ``[rows, width]`` (cells at most ~1.2x its entries, whatever the
    degrees), the tables one after the other in one buffer. Returns each
    row's first cell (rows of at most ``k`` entries: a dump of ``k`` cells
    at the end of the buffer), the rows ordered by bucket, the tables
    ``(first cell, first of their rows in that order, rows, width)`` and the
    buffer's size.

    Host synchronisations: 1 (the bucket sizes)."""
    width = torch.tensor(widths, device=length.device)
    bucket = torch.searchsorted(width, length)  # 0: at most k entries
    size = torch.bincount(bucket)
    cells = size * width[:size.numel()]
    cells[0] = 0  # rows of bucket 0 have no table
    span = torch.cat([cells.new_zeros(1), cells.cumsum(0)])
    first_row = torch.cat([size.new_zeros(1), size.cumsum(0)])
    # The rows ordered by bucket (stable); each one's rank within its bucket.
    order = torch.sort(bucket, stable=True).indices
    rank = inverse_permutation(order) - first_row.gather(0, bucket)
    start = torch.where(bucket > 0, span.gather(0, bucket) + rank * width.gather(0, bucket),
                        span[-1])
    sizes = size.tolist()
    tables, cell, row = [], 0, sizes[0]
    for b in range(1, len(sizes)):
        if sizes[b]:
            tables.append((cell, row, sizes[b], widths[b]))
        cell, row = cell + sizes[b] * widths[b], row + sizes[b]
    return start, order, tables, cell + k


# Entries per block of rows in topk_rows: its temporaries (the padded tables,
# cells and thresholds, a few bytes per entry each) stay a few MiB, which the
# allocator reuses from block to block; whole-product temporaries of 10^7
# entries cost more in fresh pages than in the passes over them (measured:
# a fresh int64 arange of 23M entries ~8x the same arange into a reused
# buffer, one thread). Module constant so that tests can force many blocks.
TOPK_BLOCK = 1 << 20


@torch.compiler.disable
def topk_rows(ptr: Tensor, col: Tensor, val: Tensor, k: int) -> tuple[Tensor, Tensor | None]:
    """Keeps the ``k`` entries of largest magnitude in every row of a CSR
    matrix (columns in any order within a row; ``ptr`` and ``col`` of
    any integer type): returns the new pointer and the mask of the kept
    entries, or ``None`` when no row is longer than ``k``. Ties go to the
    smaller column, so the choice is reproducible bit for bit.

    Rows are taken in blocks of at most :data:`TOPK_BLOCK` entries (at
    least one row). In a block, the magnitudes of the rows longer than
    ``k`` are scattered into padded tables, one per bucket of lengths
    (:func:`_bucket_layout`: cells at most ~1.2x the entries);
    :func:`_kth_largest` per table row gives the row's k-th largest
    magnitude, the threshold, and whether more entries than needed tie with
    it. Every entry
    at or above its row's threshold is kept (passes over the entries, no
    padded index tables), except, in the rows with surplus ties, the tied
    entries of the largest columns (:func:`_drop_surplus_ties`).

    Host synchronisations: 1 (any long row), 1 (the pointer, which sizes
    the blocks), then per block 1 (the bucket sizes) and 1 (rows with
    surplus ties; 2 more where there are some)."""
    ptr = ptr.long()
    length = ptr[1:] - ptr[:-1]
    if not bool((length > k).any()):
        return ptr, None
    device = val.device
    keep = torch.ones(val.numel(), dtype=torch.bool, device=device)
    ptr_h = ptr.cpu().numpy()
    widths = _bucket_widths(k)
    r0, n = 0, ptr.numel() - 1
    while r0 < n:
        # The longest run of rows from r0 with at most TOPK_BLOCK entries.
        r1 = int(np.searchsorted(ptr_h, ptr_h[r0] + TOPK_BLOCK, side="right")) - 1
        r1 = min(n, max(r1, r0 + 1))
        e0, e1 = int(ptr_h[r0]), int(ptr_h[r1])
        local = ptr[r0:r1 + 1] - e0
        _topk_block(local, col[e0:e1], val[e0:e1].detach(), keep[e0:e1], k, widths)
        r0 = r1
    return torch.cat([ptr.new_zeros(1), length.clamp(max=k).cumsum(0)]), keep


def _topk_block(ptr: Tensor, col: Tensor, val: Tensor, keep: Tensor, k: int,
                widths: list[int]) -> None:
    # topk_rows on one block of rows (`ptr` from 0): writes `keep`.
    length = ptr[1:] - ptr[:-1]
    start, order, tables, cells = _bucket_layout(length, k, widths)
    if not tables:
        return
    score = val.abs()
    row = ptr2index(ptr, score.numel())
    # Each entry's cell: its row's first cell plus its position in the row.
    cell = (start - ptr[:-1]).gather(0, row).add_(torch.arange(score.numel(), device=score.device))
    table = score.new_full((cells, ), -1.0).scatter_(0, cell, score)
    # Rows of at most k entries keep all: a threshold below every magnitude.
    threshold = score.new_full((length.numel(), ), -1.0)
    surplus = torch.zeros(length.numel(), dtype=torch.bool, device=score.device)
    for first, row0, rows, width in tables:
        kth, tie = _kth_largest(table[first:first + rows * width].view(rows, width), k)
        index = order[row0:row0 + rows]
        threshold.index_copy_(0, index, kth)
        surplus.index_copy_(0, index, tie)
    torch.ge(score, threshold.gather(0, row), out=keep)
    _drop_surplus_ties(ptr, col, score, threshold, surplus, keep, k)


def _kth_largest(block: Tensor, k: int) -> tuple[Tensor, Tensor]:
    """Per row of ``block`` (at least ``k + 1`` wide, its own buffer: it is
    reordered), the k-th largest value and whether the (k+1)-th equals it.

    On CPU numpy's in-place ``partition`` (introselect; measured ~5x faster
    than ``torch.topk`` of ``k + 1`` per cell, one thread): the k-th largest
    lands at ``width - k`` with the smaller ones before it, whose maximum is
    the (k+1)-th. Elsewhere ``torch.topk`` of ``k + 1``, unordered (faster
    than sorted): their minimum is the (k+1)-th largest, and the k-th is the
    same value when that occurs twice among them, else the next larger."""
    if use_scipy(block.device):
        table, width = block.numpy(), block.size(1)
        table.partition(width - k, axis=1)
        kth = torch.from_numpy(table[:, width - k].copy())
        return kth, torch.from_numpy(table[:, :width - k].max(1)) == kth
    top = block.topk(k + 1, dim=1, sorted=False).values
    least = top.min(1, keepdim=True).values
    is_least = top == least
    tie = is_least.sum(1) > 1
    kth = torch.where(tie, least.squeeze(1), torch.where(is_least, torch.inf, top).min(1).values)
    return kth, tie


def _drop_surplus_ties(ptr: Tensor, col: Tensor, score: Tensor, threshold: Tensor,
                       surplus: Tensor, keep: Tensor, k: int) -> None:
    """In the rows where more entries tie at the threshold than complete k,
    un-keeps the tied entries beyond the ones of the smallest columns: a
    sort of those rows' tied entries by (row, column), no padding."""
    rows = surplus.nonzero().squeeze(1)
    if rows.numel() == 0:
        return
    device = score.device
    length = ptr.index_select(0, rows + 1) - ptr.index_select(0, rows)
    seg = torch.repeat_interleave(torch.arange(rows.numel(), device=device), length)
    offset = ptr.index_select(0, rows) - (length.cumsum(0) - length)
    entry = torch.arange(seg.numel(), device=device) + offset.gather(0, seg)
    s, t = score.gather(0, entry), threshold.index_select(0, rows).gather(0, seg)
    need = k - torch.zeros_like(rows).index_add_(0, seg, (s > t).long())
    tied = (s == t).nonzero().squeeze(1)
    entry, seg = entry.gather(0, tied), seg.gather(0, tied)
    # Sorted by (row, column): a tied entry's rank in its row is its place
    # after the row's first tied entry.
    tied_col = col.gather(0, entry).long()
    by_col = torch.sort(seg * (tied_col.max() + 1) + tied_col).indices
    entry, seg = entry.gather(0, by_col), seg.gather(0, by_col)
    count = torch.zeros_like(rows).index_add_(0, seg, torch.ones_like(seg))
    rank = torch.arange(seg.numel(), device=device) - (count.cumsum(0) - count).gather(0, seg)
    keep.index_fill_(0, entry[rank >= need.gather(0, seg)], False)
