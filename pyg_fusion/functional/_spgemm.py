"""``C = topk_rows(A @ B)`` on CSR matrices (:mod:`._csr`) with exact
gradients in the values of ``A`` and ``B``.

torch's ``sparse @ sparse`` has no reliable backward (docs/methods.md §3),
and a gather-multiply-scatter product has to deduplicate its candidates by a
sort, 2-3x slower than a library SpGEMM. So the product is a custom
:class:`torch.autograd.Function`: the forward is scipy's CSR SpGEMM on CPU
(SMMP, a dense accumulator per row: linear in the work) or torch's CSR
product elsewhere (cuSPARSE on CUDA); the backward is two sampled products,

.. math::
    \\partial L / \\partial A = (G B^\\top)|_{A}, \\qquad
    \\partial L / \\partial B = (A^\\top G)|_{B},

with :math:`G` the gradient on the entries of :math:`C` that were kept
(pruned entries do not reach the output: their gradient is 0) and
:math:`|_X` the values at the entries of :math:`X`. The top-k runs before
the columns of a row are sorted, so only the kept entries are sorted.
"""
from __future__ import annotations

import torch
from torch import Tensor
from torch.autograd.function import once_differentiable

from ._csr import (sample_scipy, sample_torch, sort_rows, to_scipy, topk_rows,
                   transpose, use_scipy)


def _scipy_product(a: tuple, b: tuple, num_nodes: int) -> tuple[Tensor, Tensor, Tensor]:
    """``A @ B`` by scipy, rows unsorted, with the full symbolic pattern:
    every entry some product reaches, even where the sum is 0, so that its
    gradient is kept."""
    sa, sb = to_scipy(*a, num_nodes), to_scipy(*b, num_nodes)
    out = sa @ sb
    # scipy drops entries whose sum is exactly 0, only possible with values
    # that are not all positive (host sync: 1): then the pattern comes from a
    # product of ones and the values are looked up on it.
    if not (bool((a[2] > 0).all()) and bool((b[2] > 0).all())):
        pattern = to_scipy(a[0], a[1], None, num_nodes) @ to_scipy(b[0], b[1], None, num_nodes)
        ptr = torch.from_numpy(pattern.indptr).long()
        col = torch.from_numpy(pattern.indices).long()
        return ptr, col, sample_scipy(out, ptr, col, num_nodes)
    return (torch.from_numpy(out.indptr).long(), torch.from_numpy(out.indices).long(),
            torch.from_numpy(out.data))


def _torch_product(a: tuple, b: tuple, num_nodes: int) -> tuple[Tensor, Tensor, Tensor]:
    """``A @ B`` by torch's CSR product, which keeps the symbolic pattern
    (entries that sum to 0 stay)."""
    size = (num_nodes, num_nodes)
    out = (torch.sparse_csr_tensor(a[0], a[1], a[2], size, check_invariants=False)
           @ torch.sparse_csr_tensor(b[0], b[1], b[2], size, check_invariants=False))
    return out.crow_indices().long(), out.col_indices().long(), out.values()


class _ProductTopk(torch.autograd.Function):
    @staticmethod
    def forward(ctx, val_a, val_b, ptr_a, col_a, ptr_b, col_b, num_nodes, k):
        a, b = (ptr_a, col_a, val_a), (ptr_b, col_b, val_b)
        product = _scipy_product if use_scipy(val_a.device) else _torch_product
        ptr, col, val = product(a, b, num_nodes)
        if k is not None:
            ptr, kept = topk_rows(ptr, col, val, k)
            if kept is not None:
                col, val = col.index_select(0, kept), val.index_select(0, kept)
        ptr, col, val = sort_rows(ptr, col, val, num_nodes)
        ctx.save_for_backward(val_a, val_b, ptr_a, col_a, ptr_b, col_b, ptr, col)
        ctx.num_nodes = num_nodes
        ctx.mark_non_differentiable(ptr, col)
        return ptr, col, val

    @staticmethod
    @once_differentiable
    def backward(ctx, _grad_ptr, _grad_col, grad):
        val_a, val_b, ptr_a, col_a, ptr_b, col_b, ptr, col = ctx.saved_tensors
        n = ctx.num_nodes
        grad = grad.contiguous()
        grad_a = grad_b = None
        if use_scipy(grad.device):
            # Products of scipy matrices, rows unsorted (sample_scipy takes
            # any order); transposes are scipy's linear CSR <-> CSC views.
            sa, sb = to_scipy(ptr_a, col_a, val_a, n), to_scipy(ptr_b, col_b, val_b, n)
            g = to_scipy(ptr, col, grad, n)
            if ctx.needs_input_grad[0]:
                grad_a = sample_scipy(g @ sb.T.tocsr(), ptr_a, col_a, n)
            if ctx.needs_input_grad[1]:
                grad_b = sample_scipy(sa.T.tocsr() @ g, ptr_b, col_b, n)
            return grad_a, grad_b, None, None, None, None, None, None
        g = (ptr, col, grad)
        if ctx.needs_input_grad[0]:
            pt, ct, perm = transpose(ptr_b, col_b, n)
            grad_a = sample_torch(_torch_product(g, (pt, ct, val_b.index_select(0, perm)), n),
                                  ptr_a, col_a, n)
        if ctx.needs_input_grad[1]:
            pt, ct, perm = transpose(ptr_a, col_a, n)
            grad_b = sample_torch(_torch_product((pt, ct, val_a.index_select(0, perm)), g, n),
                                  ptr_b, col_b, n)
        return grad_a, grad_b, None, None, None, None, None, None


@torch.compiler.disable
def spgemm_topk(a: tuple[Tensor, Tensor, Tensor], b: tuple[Tensor, Tensor, Tensor],
                num_nodes: int, k: int | None = None) -> tuple[Tensor, Tensor, Tensor]:
    """``topk_rows(A @ B, k)`` (no pruning with ``k=None``) for CSR triples
    ``(ptr, col, val)``; differentiable in both value vectors.

    Host synchronisations (each sizes an output or picks a path): the
    product's own (scipy's two passes; torch's CSR product), 2 for the sign
    check on CPU, those of :func:`._csr.topk_rows`."""
    ptr_a, col_a, val_a = a
    ptr_b, col_b, val_b = b
    return _ProductTopk.apply(val_a, val_b, ptr_a, col_a, ptr_b, col_b, num_nodes, k)
