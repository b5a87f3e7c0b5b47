"""The per-row top-k of a CSR matrix (:mod:`._csr`): the pruning of the
sparse products (``prune_k``), by padded tables bucketed by row length, in
blocks of rows; and :func:`top_k_mask`, the same rule on dense rows (the kNN
choice and the dense ``prune_k``).
"""
from __future__ import annotations

from functools import partial
from typing import Callable, Union

import numpy as np
import torch
from torch import Tensor

from ._csr import inverse_permutation, ptr2index, row_runs, use_scipy


# Scores within TIE_ULPS units in the last place of their scale count as
# tied (ties go to the smaller column). Similarities of duplicated units are
# equal in exact arithmetic, but matrix products round by the shape of the
# call (BLAS tiles): 1.0 and 1.0000000000000002 for the cosine of one pair
# of duplicates in one float64 product of 17 x 17. The scale is that of the
# rounding: the kNN searches' (:func:`knn_tie_scale`: 1 for cosine, per row
# for dot and rbf), a row's largest magnitude for the pruning of the powers.
# 64 ulps (8e-6 in float32, 1.4e-14 in float64) are above the noise of a
# product of 2048-d features (~sqrt(d) ulps) and far below the gaps between
# distinct neighbours of real features.
TIE_ULPS = 64

# The scale argument of the top-k rules below: a tensor (broadcast to the
# rows), or a function of each row's k-th score that gives it (rbf's,
# :func:`knn_rank_scale`).
Scale = Union[Tensor, Callable[[Tensor], Tensor]]


def tie_tolerance(scale: Tensor, dtype: torch.dtype) -> Tensor:
    """The tie tolerance of scores of ``dtype`` of scale ``scale`` (:data:`TIE_ULPS`),
    in float32's units for 16-bit scores: 64 ulps of float16 (6%) or bfloat16
    (50%) would tie distinct values, and the sparse products rank in float32."""
    eps = torch.finfo(dtype).eps if dtype in (torch.float32, torch.float64) \
        else torch.finfo(torch.float32).eps
    return scale * (TIE_ULPS * eps)


def knn_tie_scale(largest_sq: Tensor, metric: str, row_sq: Tensor | None = None,
                  kth: Tensor | None = None) -> Tensor:
    """The scale of the tie tolerance of a kNN search in a graph whose
    largest squared norm of the ranked features (unit rows for cosine, rows
    centred for rbf) is ``largest_sq``: the size of a score's rounding. 1 for
    cosine; for dot ``|x_i| sqrt(largest_sq)`` per row, ``row_sq`` holding
    the rows' squared norms :math:`|x_i|^2` (broadcast with ``largest_sq``);
    for rbf ``|x_i|^2 + min(largest_sq, (|x_i| + sqrt(D_i))^2)`` per row,
    ``D_i = -kth`` the row's k-th squared distance. Without ``row_sq`` (or,
    for rbf, ``kth``): the graph's bound, ``largest_sq`` for dot and
    ``2 largest_sq`` for rbf (the threshold's decision takes it).

    A dot product rounds by about ``|x_i| |x_j|``, a squared distance
    ``|x_i|^2 + |x_j|^2 - 2 x_i . x_j`` by about ``|x_i|^2 + |x_j|^2``, and a
    unit whose score ties with row ``i``'s k-th is within ``sqrt(D_i)`` of
    ``x_i``: ``|x_j| <= |x_i| + sqrt(D_i)``. The graph's largest squared
    norm for every row would let one unit of large norm widen every row's
    tolerance (in float32, one unit at 30x the others' norm made most
    neighbours ties chosen by index: rbf recall@5 0.14-0.43 against
    float64)."""
    if metric == "cosine":
        return torch.ones_like(largest_sq)
    if metric == "rbf":
        if row_sq is None or kth is None:
            return largest_sq * 2.0
        # -inf (fewer than k scores): every unit's norm; +inf: none but the row's
        reach = (row_sq.sqrt() + (-kth).clamp(min=0).sqrt()).square()
        return row_sq + torch.minimum(reach, largest_sq)
    return largest_sq if row_sq is None else row_sq.sqrt() * largest_sq.sqrt()


def knn_rank_scale(largest_sq: Tensor, metric: str, row_sq: Tensor) -> Scale:
    """The :data:`Scale` by which a kNN search settles its ties
    (:func:`knn_tie_scale` per row): for rbf the function of the rows' k-th
    scores, else the tensor."""
    if metric == "rbf":
        return partial(knn_tie_scale, largest_sq, metric, row_sq)
    return knn_tie_scale(largest_sq, metric, row_sq)


def scale_at(scale: Scale, kth: Tensor) -> Tensor:
    """``scale`` (:data:`Scale`) of rows whose k-th scores are ``kth``."""
    return scale(kth) if callable(scale) else scale


def _row_scale(scores: Tensor) -> Tensor:
    return torch.where(scores.isfinite(), scores.abs(), 0).amax(-1, keepdim=True)


def top_k_mask(scores: Tensor, k: int, scale: Scale | None = None) -> Tensor:
    """``[..., n]`` bool: the ``k`` largest finite ``scores`` of each row;
    scores within :func:`tie_tolerance` of the ``k``-th count as tied with it
    and go to the smaller column. ``torch.topk`` leaves the tied index it
    returns unspecified, so it only finds the ``k``-th; rows with fewer than
    ``k`` finite scores keep them all. ``scale`` (:data:`Scale`, broadcast to
    ``[..., 1]``) is the scale of the tolerance, by default each row's
    largest finite magnitude. :func:`topk_rows` (the sparse products'
    pruning) keeps the same rule on CSR rows."""
    if scores.size(-1) == 0:  # rows of no entries (an empty graph): none kept
        # torch.topk and the row scale's amax refuse an empty row
        return torch.zeros_like(scores, dtype=torch.bool)
    kth = scores.topk(k, dim=-1).values[..., -1:]
    tol = tie_tolerance(_row_scale(scores) if scale is None else scale_at(scale, kth),
                        scores.dtype)
    d = scores - kth  # NaN (neither) where kth is -inf
    above = (d > tol) | (kth == float("-inf"))
    tied = (d.abs() <= tol) | (scores == kth)  # == also for an infinite k-th
    need = k - above.sum(-1, keepdim=True)
    return (above | (tied & (tied.cumsum(-1) <= need))) & (scores > float("-inf"))


def top_k_pairs(scores: Tensor, k: int, scale: Scale) -> tuple[Tensor, Tensor]:
    """``(row, col)`` of :func:`top_k_mask` of ``[rows, n]`` ``scores`` with
    the tolerance scale ``scale`` (:data:`Scale` of ``[rows]``), sorted by
    row, then column, from one ``torch.topk`` of ``k + 1``: only the rows
    whose ``k``-th and ``(k + 1)``-th scores are tied are masked in full.
    One host sync."""
    n = scores.size(1)
    if k >= n:
        return (scores > float("-inf")).nonzero(as_tuple=True)
    top, idx = scores.topk(k + 1, dim=1)
    scale = scale_at(scale, top[:, k - 1])
    idx = idx[:, :k].masked_fill(top[:, :k] == float("-inf"), n)  # n: not kept
    gap = top[:, k - 1] - top[:, k]
    tied = (gap <= tie_tolerance(scale, scores.dtype)).nonzero().view(-1)
    if tied.numel():
        mask = top_k_mask(scores.index_select(0, tied), k, scale.index_select(0, tied)[:, None])
        cols = torch.arange(n, device=scores.device).expand_as(mask)
        idx[tied] = torch.where(mask, cols, n).sort(dim=1).values[:, :k]
    idx = idx.sort(dim=1).values
    keep = idx < n
    rows = torch.arange(scores.size(0), device=scores.device).unsqueeze(1).expand_as(idx)
    return rows[keep], idx[keep]


def top_k_columns(scores: Tensor, k: int, scale: Scale, spare: int = 16) -> Tensor:
    """``[rows, k]``: the columns of :func:`top_k_mask` (``scale``: a scalar
    tensor, one per row, or a function of the rows' k-th scores) of
    ``[rows, n]`` ``scores`` that hold at least ``k`` finite
    scores each, ascending. The rule is applied to each row's ``k + spare``
    largest scores (one ``torch.topk``), and to the whole row only where the
    tied group reaches past them: a full mask costs ~40 ns per score on
    the 2-core CPU, 5x the product that made the scores."""
    n = scores.size(1)
    m = min(k + spare, n)
    top, idx = scores.topk(m, dim=1)
    scale = scale_at(scale, top[:, k - 1]).expand(scores.size(0))  # one per row
    order = idx.argsort(dim=1)  # the candidates by column: ties to the smaller
    cand, cols = top.gather(1, order), idx.gather(1, order)
    out = cols[top_k_mask(cand, k, scale[:, None])].view(-1, k)
    if m < n:
        open_ = (top[:, k - 1] - top[:, m - 1] <= tie_tolerance(scale, scores.dtype))
        rows = open_.nonzero().view(-1)
        if rows.numel():
            full = top_k_mask(scores.index_select(0, rows), k,
                              scale.index_select(0, rows)[:, None])
            out[rows] = full.nonzero(as_tuple=True)[1].view(-1, k)
    return out


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
def topk_rows(ptr: Tensor, col: Tensor, val: Tensor, k: int, rank: Tensor | None = None
              ) -> tuple[Tensor, Tensor | None]:
    """Keeps the ``k`` entries of largest magnitude in every row of a CSR
    matrix (columns in any order within a row; ``ptr`` and ``col`` of
    any integer type): returns the new pointer and the mask of the kept
    entries, or ``None`` when no row is longer than ``k``. Ties (within
    :func:`tie_tolerance`, the rule of :func:`top_k_mask`) go to the smaller
    column, so the choice is reproducible bit for bit; ``rank`` (``[N]``
    long, optional): the column ``c`` counts as column ``rank[c]`` there (a
    graph in a locality order settles its ties in the caller's numbering).

    Rows are taken in blocks of at most :data:`TOPK_BLOCK` entries (at
    least one row). In a block, the magnitudes of the rows longer than
    ``k`` are scattered into padded tables, one per bucket of lengths
    (:func:`_bucket_layout`: cells at most ~1.2x the entries);
    :func:`_kth_largest` per table row gives the row's k-th largest
    magnitude, the threshold, and whether the (k+1)-th ties with it (within
    :func:`tie_tolerance`, as :func:`top_k_mask`). Every entry
    at or above its row's threshold is kept (passes over the entries, no
    padded index tables), and in the rows with ties the tied group is
    settled by column (:func:`_settle_ties`).

    Host synchronisations: 1 (any long row), 1 (the pointer, which sizes
    the blocks), then per block 1 (the bucket sizes) and 1 (rows with
    ties; 2 more where there are some)."""
    ptr = ptr.long()
    length = ptr[1:] - ptr[:-1]
    if not bool((length > k).any()):
        return ptr, None
    device = val.device
    keep = torch.ones(val.numel(), dtype=torch.bool, device=device)
    ptr_h = ptr.cpu().numpy()
    widths = _bucket_widths(k)
    for r0, r1 in row_runs(ptr_h, TOPK_BLOCK):
        e0, e1 = int(ptr_h[r0]), int(ptr_h[r1])
        local = ptr[r0:r1 + 1] - e0
        _topk_block(local, col[e0:e1], val[e0:e1].detach(), keep[e0:e1], k, widths, rank)
    return torch.cat([ptr.new_zeros(1), length.clamp(max=k).cumsum(0)]), keep


def _topk_block(ptr: Tensor, col: Tensor, val: Tensor, keep: Tensor, k: int,
                widths: list[int], rank: Tensor | None = None) -> None:
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
    tol = torch.full_like(threshold, -1.0)  # -1: no ties to settle
    for first, row0, rows, width in tables:
        kth, below, largest = _kth_largest(table[first:first + rows * width].view(rows, width), k)
        index = order[row0:row0 + rows]
        threshold.index_copy_(0, index, kth)
        # a row whose (k+1)-th is within the tolerance has ties to settle
        row_tol = tie_tolerance(largest, score.dtype)
        tol.index_copy_(0, index, torch.where(kth - below <= row_tol, row_tol, -1.0))
    # (a gather of the thresholds by `row` reads 8 bytes of index per entry:
    # measured 2.0 ns per entry against 0.7)
    torch.ge(score, threshold.repeat_interleave(length, output_size=score.numel()), out=keep)
    _settle_ties(ptr, col, score, threshold, tol, keep, k, rank)


def _kth_largest(block: Tensor, k: int) -> tuple[Tensor, Tensor, Tensor]:
    """Per row of ``block`` (at least ``k + 1`` wide, its own buffer: it is
    reordered), the k-th largest value, the (k+1)-th and the largest.

    On CPU numpy's in-place ``partition`` (introselect; measured ~5x faster
    than ``torch.topk`` of ``k + 1`` per cell, one thread), on the
    candidates of :func:`_largest_candidates` for wide tables: the k-th
    largest lands at ``width - k`` with the smaller ones before it, whose
    maximum is the (k+1)-th, and the larger ones after it. Elsewhere
    ``torch.topk`` of ``k + 1``."""
    if use_scipy(block.device):
        table = _largest_candidates(block.numpy(), k + 1)
        width = table.shape[1]
        table.partition(width - k, axis=1)
        return (torch.from_numpy(table[:, width - k].copy()),
                torch.from_numpy(table[:, :width - k].max(1)),
                torch.from_numpy(table[:, width - k:].max(1)))
    top = block.topk(k + 1, dim=1).values
    return top[:, k - 1], top[:, k], top[:, 0]


# Widest table row that numpy's partition takes whole: numpy (x86-simd-sort,
# float32) selects in rows of up to 512 by a sorting network and in longer
# ones by pivoting, measured 2.3-2.5 ns per cell up to 512 and 5.2-6.2 above.
SELECT_WIDTH = 512


def _largest_candidates(table: np.ndarray, m: int) -> np.ndarray:
    """A table whose rows hold the ``m`` largest values of ``table``'s rows
    (as a multiset) among others: ``table`` itself up to
    :data:`SELECT_WIDTH` columns, else the ``m`` largest of each run of
    ``SELECT_WIDTH // 2`` columns (partitioned in place) and the rest,
    side by side: a row's ``m`` largest are among its runs' ``m`` largest."""
    rows, width = table.shape
    run = SELECT_WIDTH // 2
    if width <= SELECT_WIDTH or run <= m:
        return table
    runs = width // run
    full = table[:, :runs * run].reshape(rows, runs, run)  # a view: rows are contiguous
    full.partition(run - m, axis=2)
    parts = [full[:, :, run - m:].reshape(rows, runs * m), table[:, runs * run:]]
    return np.concatenate(parts, axis=1)


def _settle_ties(ptr: Tensor, col: Tensor, score: Tensor, threshold: Tensor, tol: Tensor,
                 keep: Tensor, k: int, rank: Tensor | None = None) -> None:
    """In the rows with ties to settle (``tol >= 0``: the row's tolerance,
    :func:`top_k_mask`'s rule), the entries within ``tol`` of the threshold
    form the tied group; the entries above it are kept, and of the group
    the ones of the smallest columns complete ``k``: a sort of those rows'
    tied entries by (row, column), no padding."""
    rows = (tol >= 0).nonzero().squeeze(1)
    if rows.numel() == 0:
        return
    device = score.device
    length = ptr.index_select(0, rows + 1) - ptr.index_select(0, rows)
    seg = torch.repeat_interleave(torch.arange(rows.numel(), device=device), length)
    offset = ptr.index_select(0, rows) - (length.cumsum(0) - length)
    entry = torch.arange(seg.numel(), device=device) + offset.gather(0, seg)
    s, t = score.gather(0, entry), threshold.index_select(0, rows).gather(0, seg)
    e = tol.index_select(0, rows).gather(0, seg)
    d = s - t  # one difference for both tests: each entry is above or tied, never lost
    need = k - torch.zeros_like(rows).index_add_(0, seg, (d > e).long())
    tied = (d.abs() <= e).nonzero().squeeze(1)
    entry, seg = entry.gather(0, tied), seg.gather(0, tied)
    # Sorted by (row, column): a tied entry's rank in its row is its place
    # after the row's first tied entry.
    tied_col = col.gather(0, entry).long()
    if rank is not None:  # the tied entries only: no pass over the row
        tied_col = rank.index_select(0, tied_col)
    by_col = torch.sort(seg * (tied_col.max() + 1) + tied_col).indices
    entry, seg = entry.gather(0, by_col), seg.gather(0, by_col)
    count = torch.zeros_like(rows).index_add_(0, seg, torch.ones_like(seg))
    rank = torch.arange(seg.numel(), device=device) - (count.cumsum(0) - count).gather(0, seg)
    keep.index_put_((entry, ), rank < need.gather(0, seg))
