"""``C = topk_rows(A @ B)`` on CSR matrices (:mod:`._csr`) with exact
gradients in the values of ``A`` and ``B``.

torch's ``sparse @ sparse`` has no reliable backward (docs/methods.md §3),
and a gather-multiply-scatter product has to deduplicate its candidates by a
sort, 2-3x slower than a library SpGEMM. So the product is a custom
:class:`torch.autograd.Function`: the forward is scipy's CSR SpGEMM on CPU
(SMMP, a dense accumulator per row: linear in the work) or torch's CSR
product elsewhere (cuSPARSE on CUDA). The backward (:mod:`._spgemm_backward`)
forms neither product. The top-k runs before the columns of a row
are sorted, so only the kept entries are sorted; on CPU it runs on scipy's
own arrays (int32 indices where they fit), which the result keeps.
"""
from __future__ import annotations

import numpy as np
import scipy.sparse as sp
import torch
from torch import Tensor

from ._csr import row_runs, sample_scipy, sort_rows, to_scipy, use_scipy
from ._spgemm_backward import _candidate_backward
from ._topk import topk_rows


try:
    # scipy's SMMP kernel itself: its `A @ B` first runs a symbolic pass
    # (csr_matmat_maxnnz, ~40% of the numeric one, measured) only to size the
    # output; the count of candidates bounds it as well, and the pages of the
    # bound that the product does not reach are never touched.
    from scipy.sparse._sparsetools import csr_matmat as _csr_matmat
except ImportError:  # a scipy without the private kernel: the public product
    _csr_matmat = None


def _public_matmat(sa: sp.csr_matrix, sb: sp.csr_matrix) -> tuple[np.ndarray, np.ndarray,
                                                                    np.ndarray]:
    out = sa @ sb
    return out.indptr, out.indices, out.data


def _matmat(sa: sp.csr_matrix, sb: sp.csr_matrix, rows: tuple[int, int], bound: int,
            buffers: dict | None = None) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """``sa[r0:r1] @ sb`` for ``rows = (r0, r1)`` as CSR arrays ``(indptr,
    indices, data)``, rows unordered, by scipy's kernel on views of ``sa``'s
    arrays, the output sized by ``bound``, the block's number of candidates
    (:func:`_candidates`): ``indices`` and ``data`` are views of the first
    ``nnz`` entries of that buffer, taken from ``buffers`` (one per index and
    value type, grown as needed) when given, so that the blocks of one
    product reuse one buffer."""
    r0, r1 = rows
    if _csr_matmat is None:
        return _public_matmat(sa[r0:r1], sb)
    cols = sb.shape[1]
    dtype = np.result_type(sa.dtype, sb.dtype)
    index = np.int32 if max(bound, sa.shape[0], cols) < 2**31 else np.int64
    e0, e1 = int(sa.indptr[r0]), int(sa.indptr[r1])
    indptr = np.zeros(r1 - r0 + 1, dtype=index)
    if buffers is None:
        indices, data = np.empty(bound, dtype=index), np.empty(bound, dtype=dtype)
    else:
        key = (np.dtype(index), np.dtype(dtype))
        if key not in buffers or buffers[key][0].size < bound:
            buffers[key] = (np.empty(bound, dtype=index), np.empty(bound, dtype=dtype))
        indices, data = (b[:bound] for b in buffers[key])
    if bound:
        try:
            _csr_matmat(r1 - r0, cols, (sa.indptr[r0:r1 + 1] - e0).astype(index, copy=False),
                        sa.indices[e0:e1].astype(index, copy=False),
                        sa.data[e0:e1].astype(dtype, copy=False),
                        sb.indptr.astype(index, copy=False), sb.indices.astype(index, copy=False),
                        sb.data.astype(dtype, copy=False), indptr, indices, data)
        except (TypeError, ValueError):
            # a private function: a scipy whose kernel takes other arguments
            # gets the public product (same result) instead of an error
            return _public_matmat(sa[r0:r1], sb)
    nnz = int(indptr[-1])
    return indptr, indices[:nnz], data[:nnz]


# Candidates per block of rows of the CPU product: scipy's kernel writes
# every candidate of its rows (at N = 2^20, R^3 of a kNN graph has ~350 per
# row before the top-k, 8 bytes each), so the rows go in blocks of at most
# this many candidates, each pruned before the next: the transient is a
# block's, not the whole product's. Module constant so that tests can force
# many blocks.
PRODUCT_BLOCK = 1 << 24
# Entries of ``sa`` per pass of :func:`_candidates`: its temporaries stay a
# few MiB, which the allocator reuses, where one pass over all entries
# allocates arrays of 8 bytes per entry of ``sa`` (134 MB each when it is R^2 at
# N = 262144), fresh pages on every call (measured in the LEGO step at
# N = 262144, one thread: 1.4-1.6 s for the four products in one pass,
# 0.2 s in runs).
CANDIDATE_CHUNK = 1 << 20


def _candidates(sa: sp.csr_matrix, sb: sp.csr_matrix) -> np.ndarray:
    """Per row of ``sa``, its number of candidates in ``sa @ sb`` (each
    entry ``(i, l)`` of ``sa`` times row ``l`` of ``sb``), int64: the
    length of ``sb``'s rows summed over the row's entries, in runs of
    :data:`CANDIDATE_CHUNK` entries (scipy's ``pattern @ lengths`` would
    need a vector of ones per entry)."""
    length = np.diff(sb.indptr)
    out = np.empty(sa.shape[0], dtype=np.int64)
    for r0, r1 in row_runs(sa.indptr, CANDIDATE_CHUNK):
        e0, e1 = int(sa.indptr[r0]), int(sa.indptr[r1])
        before = np.zeros(e1 - e0 + 1, dtype=np.int64)
        np.cumsum(length[sa.indices[e0:e1]], out=before[1:])
        np.subtract(before[sa.indptr[r0 + 1:r1 + 1] - e0], before[sa.indptr[r0:r1] - e0],
                    out=out[r0:r1])
    return out


def _scipy_rows(sa: sp.csr_matrix, sb: sp.csr_matrix, rows: tuple[int, int], bound: int,
                patterns, k: int | None, buffers: dict | None = None, rank=None):
    """``topk_rows(sa[r0:r1] @ sb)`` (:func:`_matmat`) as scipy-typed CSR
    arrays, rows unordered; ``patterns`` (the two patterns as ones) where
    values may sum to 0; ``buffers``: the product's buffers, which the
    result never shares."""
    indptr, indices, data = _matmat(sa, sb, rows, bound, buffers)
    # scipy drops entries whose sum is exactly 0 (signed values that cancel,
    # products that underflow: _sums_may_vanish): then the pattern comes
    # from a product of ones and the values are looked up on it.
    if patterns is not None:
        out = sp.csr_matrix((data, indices, indptr), shape=(rows[1] - rows[0], sb.shape[1]))
        indptr, indices, _ = _matmat(*patterns, rows, bound)
        data = sample_scipy(out, torch.from_numpy(indptr), torch.from_numpy(indices)).numpy()
    if k is not None:
        ptr, keep = topk_rows(torch.from_numpy(indptr), torch.from_numpy(indices),
                              torch.from_numpy(data), k, rank)
        if keep is not None:
            keep = keep.numpy()
            indptr = ptr.numpy().astype(indices.dtype)
            indices, data = np.compress(keep, indices), np.compress(keep, data)
    if buffers is not None:  # unpruned rows: out of the buffer the next block reuses
        shared = [b for pair in buffers.values() for b in pair]
        indices, data = (a.copy() if any(np.may_share_memory(a, b) for b in shared) else a
                         for a in (indices, data))
    return indptr, indices, data


def _sums_may_vanish(va: Tensor, vb: Tensor) -> bool:
    """Whether some entry of a product of matrices of the values ``va`` and
    ``vb`` may sum to exactly 0, which scipy drops: values that are not all
    positive, or positive values whose smallest product underflows (1e-170
    squared in float64, 1e-25 in float32; each product is at least that one
    rounded, a sum of positive products at least its largest). One host
    sync."""
    if not va.numel() or not vb.numel():
        return False
    low_a, low_b = va.min(), vb.min()
    return not bool((low_a > 0) & (low_b > 0) & (low_a * low_b > 0))


def _scipy_product(a: tuple, b: tuple, num_nodes: int, k: int | None, rank=None
                   ) -> tuple[Tensor, Tensor, Tensor]:
    """``topk_rows(A @ B)`` by scipy with the full symbolic pattern (every
    entry some product reaches, even where the sum is 0, so that its
    gradient is kept), rows sorted, in blocks of rows of at most
    :data:`PRODUCT_BLOCK` candidates (at least one row; rows are
    independent, so the result does not depend on them). scipy's own
    arrays (int32 indices where they fit) go through the top-k and the
    selection without copies, and the result keeps them."""
    shape = (num_nodes, num_nodes)
    sa, sb = to_scipy(*a, num_nodes), to_scipy(*b, num_nodes)
    patterns = None
    if _sums_may_vanish(a[2], b[2]):
        patterns = (to_scipy(a[0], a[1], None, num_nodes), to_scipy(b[0], b[1], None, num_nodes))
    candidates = _candidates(sa, sb)
    before = np.zeros(num_nodes + 1, dtype=np.int64)
    np.cumsum(candidates, out=before[1:])
    blocks = row_runs(before, PRODUCT_BLOCK)
    if len(blocks) <= 1:
        indptr, indices, data = _scipy_rows(sa, sb, (0, num_nodes), int(before[-1]), patterns, k,
                                            rank=rank)
    else:
        # Each block's candidates go into one buffer, reused: a fresh buffer
        # per block pays for its pages again (measured for 128 MiB written
        # once: 0.021 s fresh, 0.007 s reused).
        buffers = {}
        parts = [_scipy_rows(sa, sb, (r0, r1), int(before[r1] - before[r0]), patterns, k,
                             buffers, rank)
                 for r0, r1 in blocks]
        del buffers
        nnz = sum(int(p[0][-1]) for p in parts)
        index = np.int32 if max(nnz, num_nodes) < 2**31 else np.int64
        indptr = np.concatenate([[0]] + [np.diff(p[0]) for p in parts]).astype(index)
        np.cumsum(indptr, out=indptr)
        indices = np.concatenate([p[1] for p in parts]).astype(index, copy=False)
        data = np.concatenate([p[2] for p in parts])
        del parts
    # (scipy copies views of a much larger buffer here: only unpruned products)
    out = sp.csr_matrix((data, indices, indptr), shape=shape)
    # The product leaves the columns of a row unordered: scipy's in-place
    # per-row sort (the arrays are this function's own).
    out.has_sorted_indices = False
    out.sort_indices()
    # scipy's own index arrays (int32 where they fit): held for the backward
    # and read by the next product, half the bytes of int64.
    return torch.from_numpy(out.indptr), torch.from_numpy(out.indices), torch.from_numpy(out.data)


def _torch_product(a: tuple, b: tuple, num_nodes: int, k: int | None, rank=None
                   ) -> tuple[Tensor, Tensor, Tensor]:
    """``topk_rows(A @ B)`` by torch's CSR product, which keeps the symbolic
    pattern (entries that sum to 0 stay), rows sorted."""
    size = (num_nodes, num_nodes)
    out = (torch.sparse_csr_tensor(a[0], a[1], a[2], size, check_invariants=False)
           @ torch.sparse_csr_tensor(b[0], b[1], b[2], size, check_invariants=False))
    ptr, col, val = out.crow_indices().long(), out.col_indices().long(), out.values()
    if k is not None:
        ptr, keep = topk_rows(ptr, col, val, k, rank)
        if keep is not None:
            kept = keep.nonzero().squeeze(1)
            col, val = col.index_select(0, kept), val.index_select(0, kept)
    return sort_rows(ptr, col, val, num_nodes)


class _ProductTopk(torch.autograd.Function):
    @staticmethod
    def forward(ctx, val_a, val_b, ptr_a, col_a, ptr_b, col_b, num_nodes, k, rank):
        a, b = (ptr_a, col_a, val_a), (ptr_b, col_b, val_b)
        product = _scipy_product if use_scipy(val_a.device) else _torch_product
        ptr, col, val = product(a, b, num_nodes, k, rank)
        ctx.save_for_backward(val_a, val_b, ptr_a, col_a, ptr_b, col_b, ptr, col)
        ctx.num_nodes = num_nodes
        ctx.mark_non_differentiable(ptr, col)
        return ptr, col, val

    @staticmethod
    def backward(ctx, _grad_ptr, _grad_col, grad):
        # Made of differentiable ops on the saved values and ``grad``: under
        # create_graph=True (a gradient penalty, an inner loop) autograd
        # records it, so second derivatives through the product are exact.
        val_a, val_b, ptr_a, col_a, ptr_b, col_b, ptr, col = ctx.saved_tensors
        grad_a, grad_b = _candidate_backward(
            val_a, val_b, ptr_a, col_a, ptr_b, col_b, ptr, col, grad.contiguous(),
            ctx.num_nodes, ctx.needs_input_grad[0], ctx.needs_input_grad[1])
        return grad_a, grad_b, None, None, None, None, None, None, None


@torch.compiler.disable
def spgemm_topk(a: tuple[Tensor, Tensor, Tensor], b: tuple[Tensor, Tensor, Tensor],
                num_nodes: int, k: int | None = None, rank: Tensor | None = None
                ) -> tuple[Tensor, Tensor, Tensor]:
    """``topk_rows(A @ B, k, rank)`` (no pruning with ``k=None``) for CSR triples
    ``(ptr, col, val)``; differentiable in both value vectors. Index arrays
    of any integer type; the result's are int32 on CPU where they fit
    (scipy's), int64 elsewhere.

    Host synchronisations (each sizes an output or picks a path): on CPU
    2 for the sign check (scipy's product runs on the host); elsewhere
    torch's CSR product's own; then those of :func:`._topk.topk_rows` (2,
    then 2 per block of at most ``_topk.TOPK_BLOCK`` entries of the
    product). 16-bit values are multiplied in float32 and the result is
    rounded back: neither scipy nor torch's CSR product takes them."""
    ptr_a, col_a, val_a = a
    ptr_b, col_b, val_b = b
    dtype = val_a.dtype
    if dtype in (torch.float16, torch.bfloat16):
        val_a, val_b = val_a.float(), val_b.float()
    ptr, col, val = _ProductTopk.apply(val_a, val_b, ptr_a, col_a, ptr_b, col_b, num_nodes, k,
                                       rank)
    return ptr, col, val.to(dtype)
