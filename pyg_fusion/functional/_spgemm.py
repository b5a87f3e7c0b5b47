"""``C = topk_rows(A @ B)`` on CSR matrices (:mod:`._csr`) with exact
gradients in the values of ``A`` and ``B``.

torch's ``sparse @ sparse`` has no reliable backward (docs/methods.md §3),
and a gather-multiply-scatter product has to deduplicate its candidates by a
sort, 2-3x slower than a library SpGEMM. So the product is a custom
:class:`torch.autograd.Function`: the forward is scipy's CSR SpGEMM on CPU
(SMMP, a dense accumulator per row: linear in the work) or torch's CSR
product elsewhere (cuSPARSE on CUDA). The backward is the two sampled products

.. math::
    \\partial L / \\partial A = (G B^\\top)|_{A}, \\qquad
    \\partial L / \\partial B = (A^\\top G)|_{B},

with :math:`G` the gradient on the entries of :math:`C` that were kept
(pruned entries do not reach the output: their gradient is 0) and
:math:`|_X` the values at the entries of :math:`X`. Neither product is
formed: both are sums over the forward's candidates (entry ``(i, l)`` of A
times entry ``(l, j)`` of B), enumerated again and weighted by
``G[i, j]``, read from a dense workspace per block of rows. Libraries
offer no sampled product of two sparse operands on CPU (scipy none;
torch's ``sampled_addmm`` takes dense operands; GraphBLAS' masked product
was measured no faster than the whole products), hence this loop in torch:
the same code on every device. The top-k runs before the columns of a row
are sorted, so only the kept entries are sorted; on CPU it runs on scipy's
own arrays (int32 indices where they fit), and only the kept columns are
copied to int64.
"""
from __future__ import annotations

import numpy as np
import scipy.sparse as sp
import torch
from torch import Tensor
from torch.autograd.function import once_differentiable
from torch_geometric.utils.sparse import ptr2index

from ._csr import sample_scipy, sort_rows, to_scipy, topk_rows, use_scipy


try:
    # scipy's SMMP kernel itself: its `A @ B` first runs a symbolic pass
    # (csr_matmat_maxnnz, ~40% of the numeric one, measured) only to size the
    # output; the count of candidates bounds it as well, and the pages of the
    # bound that the product does not reach are never touched.
    from scipy.sparse._sparsetools import csr_matmat as _csr_matmat
except ImportError:  # a scipy without the private kernel: the public product
    _csr_matmat = None


def _matmat(sa: sp.csr_matrix, sb: sp.csr_matrix) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """``sa @ sb`` as CSR arrays ``(indptr, indices, data)``, rows unordered,
    by scipy's kernel with the output sized by the number of candidates
    (entry (i, l) of ``sa`` times row l of ``sb``): ``indices`` and ``data``
    are views of the first ``nnz`` entries of that buffer."""
    if _csr_matmat is None:
        out = sa @ sb
        return out.indptr, out.indices, out.data
    rows, cols = sa.shape[0], sb.shape[1]
    bound = int(np.diff(sb.indptr)[sa.indices].sum())  # host: int64 sum
    dtype = np.result_type(sa.dtype, sb.dtype)
    index = np.int32 if max(bound, rows, cols) < 2**31 else np.int64
    indptr = np.zeros(rows + 1, dtype=index)
    indices, data = np.empty(bound, dtype=index), np.empty(bound, dtype=dtype)
    if bound:
        _csr_matmat(rows, cols, sa.indptr.astype(index, copy=False),
                    sa.indices.astype(index, copy=False), sa.data.astype(dtype, copy=False),
                    sb.indptr.astype(index, copy=False), sb.indices.astype(index, copy=False),
                    sb.data.astype(dtype, copy=False), indptr, indices, data)
    nnz = int(indptr[-1])
    return indptr, indices[:nnz], data[:nnz]


def _scipy_product(a: tuple, b: tuple, num_nodes: int, k: int | None
                   ) -> tuple[Tensor, Tensor, Tensor]:
    """``topk_rows(A @ B)`` by scipy with the full symbolic pattern (every
    entry some product reaches, even where the sum is 0, so that its
    gradient is kept), rows sorted. scipy's own arrays (int32 indices where
    they fit) go through the top-k and the selection without copies; only
    the kept columns become int64."""
    shape = (num_nodes, num_nodes)
    indptr, indices, data = _matmat(to_scipy(*a, num_nodes), to_scipy(*b, num_nodes))
    # scipy drops entries whose sum is exactly 0, only possible with values
    # that are not all positive (host sync: 1): then the pattern comes from a
    # product of ones and the values are looked up on it.
    if not (bool((a[2] > 0).all()) and bool((b[2] > 0).all())):
        out = sp.csr_matrix((data, indices, indptr), shape=shape)
        indptr, indices, _ = _matmat(to_scipy(a[0], a[1], None, num_nodes),
                                     to_scipy(b[0], b[1], None, num_nodes))
        data = sample_scipy(out, torch.from_numpy(indptr), torch.from_numpy(indices),
                            num_nodes).numpy()
    if k is not None:
        ptr, keep = topk_rows(torch.from_numpy(indptr), torch.from_numpy(indices),
                              torch.from_numpy(data), k)
        if keep is not None:
            keep = keep.numpy()
            indptr = ptr.numpy().astype(indices.dtype)
            indices, data = np.compress(keep, indices), np.compress(keep, data)
    # (scipy copies views of a much larger buffer here: only unpruned products)
    out = sp.csr_matrix((data, indices, indptr), shape=shape)
    # The product leaves the columns of a row unordered: scipy's in-place
    # per-row sort (the arrays are this function's own).
    out.has_sorted_indices = False
    out.sort_indices()
    return (torch.from_numpy(out.indptr).long(), torch.from_numpy(out.indices).long(),
            torch.from_numpy(out.data))


def _torch_product(a: tuple, b: tuple, num_nodes: int, k: int | None
                   ) -> tuple[Tensor, Tensor, Tensor]:
    """``topk_rows(A @ B)`` by torch's CSR product, which keeps the symbolic
    pattern (entries that sum to 0 stay), rows sorted."""
    size = (num_nodes, num_nodes)
    out = (torch.sparse_csr_tensor(a[0], a[1], a[2], size, check_invariants=False)
           @ torch.sparse_csr_tensor(b[0], b[1], b[2], size, check_invariants=False))
    ptr, col, val = out.crow_indices().long(), out.col_indices().long(), out.values()
    if k is not None:
        ptr, keep = topk_rows(ptr, col, val, k)
        if keep is not None:
            kept = keep.nonzero().squeeze(1)
            col, val = col.index_select(0, kept), val.index_select(0, kept)
    return sort_rows(ptr, col, val, num_nodes)


# Workspace of the backward: a block of rows of A gets a dense [rows, N]
# table of G, WORKSPACE entries (4 MiB of float32: its clearing and first
# touch cost little against the candidates) but at least MIN_ROWS rows
# (few Python iterations at large N: 256 blocks at N = 65536) while that
# stays within MAX_WORKSPACE entries (64 MiB of float32); its
# candidates are enumerated in chunks of at most CHUNK (at least one entry
# of A). Module constants so that tests can force many blocks and chunks.
WORKSPACE = 1 << 20
MIN_ROWS = 256
MAX_WORKSPACE = 1 << 24
CHUNK = 1 << 20


def _take(src: Tensor, index: Tensor) -> Tensor:
    # 1-D torch.gather: for int64 values it is several times faster than
    # index_select on CPU (torch 2.13, measured: ~1 against ~5-10 ns/entry).
    return torch.gather(src, 0, index)


def _candidate_backward(val_a, val_b, ptr_a, col_a, ptr_b, col_b, ptr, col, grad, num_nodes,
                        need_a, need_b):
    """Exact gradients of ``C = topk_rows(A @ B)`` by enumerating the
    product's candidates ``(i, l, j)`` (entry ``(i, l)`` of A times entry
    ``(l, j)`` of B) like the forward does:
    ``dA[i, l] += G[i, j] B[l, j]`` and ``dB[l, j] += G[i, j] A[i, l]``,
    with ``G[i, j] = 0`` where ``(i, j)`` was pruned.

    ``G[i, j]`` is looked up in a dense ``[rows, N]`` workspace per block of
    rows of A: G's entries of the block are written in, read at the
    candidates, then zeroed at the same positions (no sort, no search, no
    full clear). Work ``O(T + nnz)`` for T candidates (the forward's work)
    plus ``N / rows`` blocks (256 at N = 65536, N / 16 at N = 2^20);
    ``index_add_`` is deterministic on CPU.

    Host synchronisations: 3 (the pointers of A and C and the candidate
    offsets, which size the blocks and chunks), then 1 per chunk (the
    candidates whose ``G`` is not 0)."""
    n = num_nodes
    device = grad.device
    row_a = ptr2index(ptr_a)
    row_c = ptr2index(ptr)
    count = _take(ptr_b[1:] - ptr_b[:-1], col_a)  # candidates per entry of A
    start = torch.cat([count.new_zeros(1), count.cumsum(0)])  # [E_a + 1]
    # Candidate t of entry e of A is entry ptr_b[col_a[e]] + t - start[e] of B.
    shift = _take(ptr_b, col_a) - start[:-1]
    grad_a = torch.zeros_like(val_a) if need_a else None
    grad_b = torch.zeros_like(val_b) if need_b else None
    rows = min(n, max(min(MIN_ROWS, MAX_WORKSPACE // n), WORKSPACE // n, 1))
    # Per entry of A: its row's offset in the block's workspace (blocks start
    # at multiples of `rows`).
    offset = (row_a % rows) * n
    work = torch.zeros(rows * n, dtype=grad.dtype, device=device)
    ptr_a_h, ptr_h, start_h = ptr_a.cpu().numpy(), ptr.cpu().numpy(), start.cpu().numpy()
    for r0 in range(0, n, rows):
        r1 = min(n, r0 + rows)
        e0, e1 = int(ptr_a_h[r0]), int(ptr_a_h[r1])
        c0, c1 = int(ptr_h[r0]), int(ptr_h[r1])
        if e0 == e1 or c0 == c1:  # no entry of A, or all of C's pruned: gradient 0
            continue
        cell = (row_c[c0:c1] % rows) * n + col[c0:c1]
        work.index_copy_(0, cell, grad[c0:c1])
        s = e0
        while s < e1:
            # The longest run of entries of A from s with at most CHUNK
            # candidates (at least one entry).
            t = int(np.searchsorted(start_h, start_h[s] + CHUNK, side="right")) - 1
            t = min(e1, max(t, s + 1))
            t0, t1 = int(start_h[s]), int(start_h[t])
            if t1 > t0:
                # Entry of A (numbered from s) and of B of every candidate.
                ea = torch.repeat_interleave(count[s:t], output_size=t1 - t0)
                eb = torch.arange(t0, t1, device=device).add_(_take(shift[s:t], ea))
                g = work.index_select(0, _take(offset[s:t], ea).add_(_take(col_b, eb)))
                # Most candidates of a pruned product were pruned (g = 0):
                # the scatters run on the others only (measured faster).
                hit = g.nonzero().squeeze(1)
                ea, eb, g = _take(ea, hit), _take(eb, hit), g.index_select(0, hit)
                if need_a:
                    grad_a[s:t].index_add_(0, ea, g * val_b.index_select(0, eb))
                if need_b:
                    grad_b.index_add_(0, eb, g * val_a[s:t].index_select(0, ea))
            s = t
        work.index_fill_(0, cell, 0)
    return grad_a, grad_b


class _ProductTopk(torch.autograd.Function):
    @staticmethod
    def forward(ctx, val_a, val_b, ptr_a, col_a, ptr_b, col_b, num_nodes, k):
        a, b = (ptr_a, col_a, val_a), (ptr_b, col_b, val_b)
        product = _scipy_product if use_scipy(val_a.device) else _torch_product
        ptr, col, val = product(a, b, num_nodes, k)
        ctx.save_for_backward(val_a, val_b, ptr_a, col_a, ptr_b, col_b, ptr, col)
        ctx.num_nodes = num_nodes
        ctx.mark_non_differentiable(ptr, col)
        return ptr, col, val

    @staticmethod
    @once_differentiable
    def backward(ctx, _grad_ptr, _grad_col, grad):
        val_a, val_b, ptr_a, col_a, ptr_b, col_b, ptr, col = ctx.saved_tensors
        grad_a, grad_b = _candidate_backward(
            val_a, val_b, ptr_a, col_a, ptr_b, col_b, ptr, col, grad.contiguous(),
            ctx.num_nodes, ctx.needs_input_grad[0], ctx.needs_input_grad[1])
        return grad_a, grad_b, None, None, None, None, None, None


@torch.compiler.disable
def spgemm_topk(a: tuple[Tensor, Tensor, Tensor], b: tuple[Tensor, Tensor, Tensor],
                num_nodes: int, k: int | None = None) -> tuple[Tensor, Tensor, Tensor]:
    """``topk_rows(A @ B, k)`` (no pruning with ``k=None``) for CSR triples
    ``(ptr, col, val)``; differentiable in both value vectors.

    Host synchronisations (each sizes an output or picks a path): on CPU
    2 for the sign check (scipy's product runs on the host); elsewhere
    torch's CSR product's own; then those of :func:`._csr.topk_rows` (2,
    then 2 per block of at most ``_csr.TOPK_BLOCK`` entries of the
    product)."""
    ptr_a, col_a, val_a = a
    ptr_b, col_b, val_b = b
    return _ProductTopk.apply(val_a, val_b, ptr_a, col_a, ptr_b, col_b, num_nodes, k)
