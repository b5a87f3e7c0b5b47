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
:math:`|_X` the values at the entries of :math:`X`.
"""
from __future__ import annotations

import torch
from torch import Tensor
from torch.autograd.function import once_differentiable

from ._csr import from_scipy, sample, to_scipy, topk_rows, transpose, use_scipy


def _matmul(a: tuple, b: tuple, num_nodes: int, symbolic: bool = True
            ) -> tuple[Tensor, Tensor, Tensor]:
    """``A @ B`` for CSR triples, no autograd, columns sorted per row. With
    ``symbolic``, the full symbolic pattern (every entry some product
    reaches, even where the sum is 0, so that its gradient is kept);
    without, entries that sum to 0 may be missing (enough for gradients)."""
    device = a[1].device
    if use_scipy(device):
        sa, sb = to_scipy(*a, num_nodes), to_scipy(*b, num_nodes)
        out = sa @ sb
        # scipy drops entries whose sum is exactly 0: only possible with
        # values that are not all positive (host sync: 1). Then the pattern
        # comes from a product of ones and the values are looked up on it.
        if not symbolic or (bool((a[2] > 0).all()) and bool((b[2] > 0).all())):
            return from_scipy(out, device)
        ptr, col, _ = from_scipy(to_scipy(a[0], a[1], None, num_nodes)
                                 @ to_scipy(b[0], b[1], None, num_nodes), device)
        return ptr, col, sample(from_scipy(out, device), (ptr, col), num_nodes)
    sa = torch.sparse_csr_tensor(a[0], a[1], a[2], (num_nodes, num_nodes),
                                 check_invariants=False)
    sb = torch.sparse_csr_tensor(b[0], b[1], b[2], (num_nodes, num_nodes),
                                 check_invariants=False)
    # torch keeps the symbolic pattern (entries that sum to 0 stay); the
    # columns are sorted through the row-major keys.
    out = sa @ sb
    ptr, col, val = out.crow_indices(), out.col_indices(), out.values()
    rows = torch.repeat_interleave(torch.arange(num_nodes, device=device), ptr[1:] - ptr[:-1])
    order = torch.sort(rows * num_nodes + col).indices
    return ptr, col.index_select(0, order), val.index_select(0, order)


class _ProductTopk(torch.autograd.Function):
    @staticmethod
    def forward(ctx, val_a, val_b, ptr_a, col_a, ptr_b, col_b, num_nodes, k):
        ptr, col, val = _matmul((ptr_a, col_a, val_a), (ptr_b, col_b, val_b), num_nodes)
        if k is not None:
            ptr, kept = topk_rows(ptr, val, k)
            if kept is not None:
                col, val = col.index_select(0, kept), val.index_select(0, kept)
        ctx.save_for_backward(val_a, val_b, ptr_a, col_a, ptr_b, col_b, ptr, col)
        ctx.num_nodes = num_nodes
        ctx.mark_non_differentiable(ptr, col)
        return ptr, col, val

    @staticmethod
    @once_differentiable
    def backward(ctx, _grad_ptr, _grad_col, grad):
        val_a, val_b, ptr_a, col_a, ptr_b, col_b, ptr, col = ctx.saved_tensors
        n = ctx.num_nodes
        g = (ptr, col, grad.contiguous())
        grad_a = grad_b = None
        if ctx.needs_input_grad[0]:
            pt, ct, perm = transpose(ptr_b, col_b, n)
            grad_a = sample(_matmul(g, (pt, ct, val_b.index_select(0, perm)), n, False),
                            (ptr_a, col_a), n)
        if ctx.needs_input_grad[1]:
            pt, ct, perm = transpose(ptr_a, col_a, n)
            grad_b = sample(_matmul((pt, ct, val_a.index_select(0, perm)), g, n, False),
                            (ptr_b, col_b), n)
        return grad_a, grad_b, None, None, None, None, None, None


@torch.compiler.disable
def spgemm_topk(a: tuple[Tensor, Tensor, Tensor], b: tuple[Tensor, Tensor, Tensor],
                num_nodes: int, k: int | None = None) -> tuple[Tensor, Tensor, Tensor]:
    """``topk_rows(A @ B, k)`` (no pruning with ``k=None``) for CSR triples
    ``(ptr, col, val)``; differentiable in both value vectors.

    Host synchronisations (each sizes an output): the product 1 (scipy) or
    that of torch's CSR product, plus 1 for the sign check on CPU; the top-k
    those of :func:`._csr.topk_rows` (2 + 2 per bucket of row lengths)."""
    ptr_a, col_a, val_a = a
    ptr_b, col_b, val_b = b
    return _ProductTopk.apply(val_a, val_b, ptr_a, col_a, ptr_b, col_b, num_nodes, k)
