"""The backward of the CSR product ``C = topk_rows(A @ B)`` (:mod:`._spgemm`):
the two sampled products

.. math::
    \\partial L / \\partial A = (G B^\\top)|_{A}, \\qquad
    \\partial L / \\partial B = (A^\\top G)|_{B},

with :math:`G` the gradient on the entries of :math:`C` that were kept
(pruned entries do not reach the output: their gradient is 0) and
:math:`|_X` the values at the entries of :math:`X`. Neither product is
formed: both are sums over the triples ``(i, l, j)`` with ``A[i, l]``,
``B[l, j]`` and ``G[i, j]`` not 0 (the forward's candidates that reach the
loss), enumerated from A's entries (each times its row of B, looked up in
G) or from G's non-zero entries (each times its column of B, looked up in
A), whichever has fewer candidates: a loss that reaches few of the kept
entries, as LEGO's sparse output does, makes the second far cheaper.
Libraries offer no sampled product of two sparse operands on CPU (scipy
none; torch's ``sampled_addmm`` takes dense operands; GraphBLAS' masked
product was measured no faster than the whole products), hence this loop
in torch: the same code on every device.
"""
from __future__ import annotations

import numpy as np
import scipy.sparse as sp
import torch
from torch import Tensor

from ._csr import index2ptr, take_at, use_scipy


# Workspace of the backward (:func:`_triples`): blocks of up to ROWS rows,
# fewer where a block's table [rows, most entries of a block + 1] would
# pass WORKSPACE cells (64 MiB of int32); candidates enumerated in chunks of
# about CHUNK cells (at least one segment). SIDE picks the side the triples
# are enumerated from ("auto": the one with less work, candidates plus the
# entries of its lookup table; "a" or "g" force one). Module constants so
# that tests can force many blocks and chunks, and each side.
ROWS = 256
WORKSPACE = 1 << 24
CHUNK = 1 << 20
SIDE = "auto"


def _take(src: Tensor, index: Tensor) -> Tensor:
    # 1-D torch.gather: for int64 values it is several times faster than
    # index_select on CPU (torch 2.13, measured: ~1 against ~5-10 ns/entry).
    return torch.gather(src, 0, index)


def _int32_fits(entries: int) -> bool:
    # whether int32 numbers `entries` entries (the rule of _segments' tables)
    return entries < torch.iinfo(torch.int32).max


def _transpose(ptr: Tensor, col: Tensor, num_nodes: int) -> tuple[Tensor, Tensor, Tensor]:
    """CSR of the transpose: ``(ptr, col, entry)``, ``entry`` numbering each
    of its entries in the matrix, rows ascending within each of its rows
    (``ptr`` int64; ``col`` and ``entry`` int64, or on CPU int32 where they
    fit). On CPU scipy's CSR -> CSC conversion (a counting sort: linear in
    the entries, which keeps the rows in order); elsewhere a stable sort."""
    if use_scipy(col.device):
        # entry numbers, rows and columns as scipy keeps them (int32 where
        # they fit): :func:`_segments` reads them in its own type, and int64
        # copies were 8 bytes per entry of fresh pages at every backward
        entry = np.arange(col.numel(), dtype=np.int32 if _int32_fits(col.numel()) else np.int64)
        t = sp.csr_matrix((entry, col.numpy(), ptr.numpy()), shape=(num_nodes, num_nodes)).tocsc()
        return (torch.from_numpy(t.indptr).long(), torch.from_numpy(t.indices),
                torch.from_numpy(t.data))
    entry = torch.sort(col, stable=True).indices
    return (index2ptr(_take(col, entry), num_nodes),
            _take(torch.repeat_interleave(ptr[1:] - ptr[:-1], output_size=col.numel()), entry),
            entry)


def _segments(ptr: Tensor, col: Tensor, entry: Tensor, num_nodes: int, dtype):
    """Y's rows cut into segments of ``w`` entries (``w``: the mean length
    of a non-empty row, rounded up), as one padded table ``[segments, w]``
    of columns (padding: column N, in no block of the workspace) and one of
    entry numbers: cells < 2x entries whatever the degrees, and none wasted
    on rows of one length (a kNN graph's). Returns ``w``, the segments of
    every row (count, first) and the two tables.

    Host synchronisations: 2 (the width, the segments).

    The tables, and the cells they are read at, are made in ``dtype`` where
    Y's entry numbers fit it (int32 in most products: half the fresh bytes
    of int64 tables, which at N = 262144 were ~1 GiB of new pages per
    step), read through :func:`take_at`, which takes an int32 index as it
    is; the entries they hold are the same."""
    device = ptr.device
    if col.numel() >= torch.iinfo(dtype).max:
        dtype = torch.long
    length = ptr[1:] - ptr[:-1]
    w = max(1, -(-col.numel() // max(1, int((length > 0).sum()))))
    count = torch.div(length + w - 1, w, rounding_mode="floor")
    first = torch.cumsum(count, 0) - count
    total = int(first[-1] + count[-1])
    row = torch.repeat_interleave(count, output_size=total)
    start = _take(ptr, row) + (torch.arange(total, device=device) - _take(first, row)) * w
    step = torch.arange(w, device=device)
    valid = step < (_take(ptr[1:], row) - start).unsqueeze(1)
    cell = torch.where(valid, start.to(dtype).unsqueeze(1) + step.to(dtype), 0).view(-1)
    valid = valid.view(-1)
    col_tab = torch.where(valid, take_at(col.to(dtype), cell), num_nodes).view(total, w)
    return w, count, first, col_tab, torch.where(valid, take_at(entry.to(dtype), cell), 0)


def _blocks(ptr_z: Tensor, num_nodes: int) -> tuple[list[int], list[int], int]:
    """Row boundaries of the blocks, Z's entry boundaries at them and the
    most entries of Z in a block: ROWS rows per block, fewer when a block
    has so many entries that its table would pass WORKSPACE cells.

    Host synchronisations: 1, or 2 when the blocks shrink."""
    rows = min(num_nodes, ROWS)
    while True:
        bound = list(range(0, num_nodes, rows)) + [num_nodes]
        at = ptr_z[torch.tensor(bound, device=ptr_z.device)].tolist()
        most = max(e1 - e0 for e0, e1 in zip(at, at[1:]))
        if rows == 1 or rows * (most + 1) <= WORKSPACE:
            return bound, at, most
        rows = max(1, WORKSPACE // (most + 1))


def _triples(x: tuple, y: tuple, z: tuple, num_nodes: int):
    """Every triple ``(i, m, j)`` with entries ``(i, m)`` in X, ``(m, j)``
    in Y and ``(i, j)`` in Z, as three vectors of entry numbers, in chunks.

    X, Z: ``(ptr, col)`` CSR patterns; Y: ``(ptr, col, entry)`` (the entry
    numbers to report). Per block of rows, Z's entries go into two tables:
    a map from column to slot (``[N + 1]``, shared by the rows of the
    block) and a dense ``[rows, slots + 1]`` table of entry numbers + 1
    (0: no entry); both are small next to a dense ``[rows, N]`` one, so
    the reads stay in cache. Each entry of X is paired with the segments of
    its row of Y (:func:`_segments`), a pair expands to its segment's
    columns by a broadcast (no per-candidate index arithmetic), every
    candidate is read through both tables and the hits are kept. Work: the
    candidates (the sum over X's entries of their row lengths in Y, < 2x
    with padding), Z's entries a few times, ``N / rows`` blocks.

    Host synchronisations: 4 (5 when the blocks shrink: the blocks 1-2, the
    segments 2, where the blocks start among the pairs 1), then 1 per chunk
    (the hits)."""
    n = num_nodes
    device = x[1].device
    ptr_z, col_z = z
    bound, at, most = _blocks(ptr_z, n)
    rows, width = bound[1], most + 1
    # int32 halves the traffic of the candidates; int64 only where entry
    # numbers or cells would not fit.
    big = max(col_z.numel(), rows * width, n) >= 2**31 - 1
    dtype = torch.long if big else torch.int32
    w, count, first, col_tab, entry_tab = _segments(*y, n, dtype)
    ptr_x, col_x = x[0], x[1].long()
    # Offset of each row in its block's table (blocks start at multiples of
    # `rows`), repeated over the row's entries of X (Z's: block by block).
    offset = (torch.arange(n, device=device) % rows).mul_(width)
    # (entry of X, segment of its row of Y) pairs, by rows of X.
    count = _take(count, col_x)
    pair_ptr = torch.cat([count.new_zeros(1), torch.cumsum(count, 0)])
    start = _take(pair_ptr, _take(ptr_x, torch.tensor(bound, device=device))).tolist()
    pair_x = torch.repeat_interleave(count, output_size=start[-1])
    pair_seg = torch.arange(start[-1], device=device).add_(
        _take(_take(first, col_x) - pair_ptr[:-1], pair_x))
    pair_off = _take(torch.repeat_interleave(offset, ptr_x[1:] - ptr_x[:-1],
                                             output_size=col_x.numel()), pair_x)
    pair_off = pair_off.to(dtype).unsqueeze(1)
    # Z's entries are numbered + 1 block by block: nothing of Z's size is
    # made (Z may be a large product's output, with int32 columns).
    number = torch.arange(1, most + 1, dtype=dtype, device=device)
    slot_of = torch.zeros(n + 1, dtype=dtype, device=device)  # column n: padding, never set
    work = torch.zeros(rows * width, dtype=dtype, device=device)
    step = max(1, CHUNK // w)
    for blk in range(len(bound) - 1):
        z0, z1 = at[blk], at[blk + 1]
        if z0 == z1 or start[blk] == start[blk + 1]:
            continue
        cz = col_z[z0:z1].long()
        # A slot per column of the block: the largest of its entries'
        # numbers within the block (a deterministic choice on every device).
        slot_of.scatter_reduce_(0, cz, number[:z1 - z0], "amax")
        r0, r1 = bound[blk], bound[blk + 1]
        cell = torch.repeat_interleave(offset[r0:r1], ptr_z[r0 + 1:r1 + 1] - ptr_z[r0:r1],
                                       output_size=z1 - z0).add_(slot_of.index_select(0, cz))
        work.index_copy_(0, cell, number[:z1 - z0] + z0)
        for s in range(start[blk], start[blk + 1], step):
            t = min(s + step, start[blk + 1])
            seg = pair_seg[s:t]
            key = slot_of.index_select(0, col_tab.index_select(0, seg).view(-1)).view(-1, w)
            found = work.index_select(0, key.add_(pair_off[s:t]).view(-1))
            hit = found.nonzero().squeeze(1)
            q = torch.div(hit, w, rounding_mode="floor")
            iy = _take(entry_tab, _take(seg, q).mul_(w).add_(hit - q * w))
            yield _take(pair_x[s:t], q), iy, found.index_select(0, hit).long() - 1
        work.index_fill_(0, cell, 0)
        slot_of.index_fill_(0, cz, 0)


def _entries_ptr(ptr: Tensor, entries: Tensor) -> Tensor:
    """The CSR pointer of the ``entries`` (ascending) of a pattern with
    pointer ``ptr``, numbered among themselves: the number of them before
    each row's start, one binary search per row (nothing of the pattern's
    size, nor a row for each entry)."""
    return torch.searchsorted(entries, ptr)


def _candidate_backward(val_a, val_b, ptr_a, col_a, ptr_b, col_b, ptr, col, grad, num_nodes,
                        need_a, need_b):
    """Exact gradients of ``C = topk_rows(A @ B)``: over the product's
    candidates ``(i, l, j)`` (entry ``(i, l)`` of A times entry ``(l, j)``
    of B) whose ``G[i, j]`` is not 0 (pruned entries have none),
    ``dA[i, l] += G[i, j] B[l, j]`` and ``dB[l, j] += G[i, j] A[i, l]``.

    Those triples are enumerated from one of two sides (:func:`_triples`):
    from A's entries, each expanded by its row of B and looked up in C's
    entries with ``G != 0``; or from those entries of C, each expanded by
    its column of B (a row of B's transpose) and looked up in A. The side
    with less work (candidates plus the entries of its lookup table) is
    taken: a loss that reaches few of C's entries (LEGO's sparse output)
    makes the second far cheaper, a dense gradient the first.
    ``index_add_`` is deterministic on CPU.

    Host synchronisations: 2 (G's non-zero entries, the work of each side),
    then those of :func:`_triples`: 6 (7 when the blocks shrink) + 1 per
    chunk in all (1 when the loss does not reach C)."""
    n = num_nodes
    # The index arrays may be int32 (scipy's); the enumeration indexes with
    # int64: the pointers and B's columns are widened here, the columns of A
    # and C (the products' outputs, the largest) only where they are read.
    ptr_a, ptr_b, ptr, col_b = (t.long() for t in (ptr_a, ptr_b, ptr, col_b))
    grad_a = torch.zeros_like(val_a) if need_a else None
    grad_b = torch.zeros_like(val_b) if need_b else None
    # Under create_graph=True this backward is differentiated in turn: an
    # entry of G that is 0 adds nothing here but its derivative does (G may
    # depend on A, B), so every entry of C is kept.
    if torch.is_grad_enabled():
        nz = torch.arange(grad.numel(), device=grad.device)
    else:
        nz = grad.nonzero().squeeze(1)
    if nz.numel() == 0:  # the loss does not reach C: no triple
        return grad_a, grad_b
    g = grad.index_select(0, nz)
    col_g = col.index_select(0, nz).long()
    ptr_g = _entries_ptr(ptr, nz)
    # Work of each side: its candidates (over A's entries, their rows'
    # lengths in B; over G's, their columns' lengths in B) and the entries
    # of its lookup table (G's, or A's).
    len_b = ptr_b[1:] - ptr_b[:-1]
    cost_a, cost_g = torch.stack([
        (torch.bincount(col_a, minlength=n) * len_b).sum() + nz.numel(),
        (torch.bincount(col_g, minlength=n) * torch.bincount(col_b, minlength=n)).sum()
        + col_a.numel()]).tolist()
    from_a = SIDE == "a" or (SIDE == "auto" and cost_a <= cost_g)
    if from_a:
        entry_b = torch.arange(col_b.numel(), device=col_b.device, dtype=torch.int32
                               if _int32_fits(col_b.numel()) else torch.long)
        triples = _triples((ptr_a, col_a), (ptr_b, col_b, entry_b), (ptr_g, col_g), n)
    else:
        triples = _triples((ptr_g, col_g), _transpose(ptr_b, col_b, n), (ptr_a, col_a), n)
    for ix, eb, iz in triples:
        ea, ig = (ix, iz) if from_a else (iz, ix)
        w = g.index_select(0, ig)
        if need_a:
            grad_a.index_add_(0, ea, w * val_b.index_select(0, eb))
        if need_b:
            grad_b.index_add_(0, eb, w * val_a.index_select(0, ea))
    return grad_a, grad_b
