"""The dot products of pairs of feature rows, ``x_i^T x_j``, as autograd
Functions computed in blocks that stay in cache (bitwise the numbers and
gradients of the unblocked gathers): the kernel of
:func:`~pyg_fusion.functional.pair_similarity` for cosine and dot
similarities, kNN rows (:class:`_RowDot`) and any pairs (:class:`_PairDot`)."""
from __future__ import annotations

import numpy as np
import scipy.sparse as sp
import torch
from torch import Tensor

from ._csr import use_scipy


class _RowDot(torch.autograd.Function):
    r"""``s[i * K + c] = x_i^\top x_{col[i * K + c]}`` for ``K`` pairs per row.

    The same products and sums as autograd over ``x.unsqueeze(1) *
    x[col].view(N, K, d)`` (bitwise, forward and backward), computed in
    blocks of rows whose ``[rows, K, d]`` gathers stay in cache: about 5x
    faster at N = 4096, K = 17, d = 128 on the 2-core CPU, where the
    unblocked form streams several 35 MB temporaries."""

    @staticmethod
    def _blocks(n: int, per_row: int, d: int):
        step = max(_ROWDOT_BLOCK // max(per_row * d, 1), 1)
        return ((s, min(s + step, n)) for s in range(0, n, step))

    @staticmethod
    def forward(ctx, x: Tensor, col: Tensor, per_row: int) -> Tensor:
        ctx.save_for_backward(x, col)
        ctx.per_row = per_row
        n, d = x.shape
        out = x.new_empty((n, per_row))
        for s, e in _RowDot._blocks(n, per_row, d):
            xj = x.index_select(0, col[s * per_row:e * per_row]).view(e - s, per_row, d)
            torch.sum(x[s:e].unsqueeze(1) * xj, -1, out=out[s:e])
        return out.view(-1)

    @staticmethod
    def backward(ctx, grad: Tensor):
        x, col = ctx.saved_tensors
        k = ctx.per_row
        n, d = x.shape
        grad = grad.reshape(n, k)
        if use_scipy(x.device) and x.dtype in (torch.float32, torch.float64) \
                and not torch.is_grad_enabled():  # (not under create_graph=True)
            # With G [N, N] holding the pairs' gradients (G[i, col] = grad),
            # dx = G x + G^T x: two sparse-dense products in scipy's C loops,
            # which make no [rows, K, d] temporaries and add whole rows (torch's
            # index_add_ of rows scatters element by element: the product by
            # G^T, formed as CSR, measured 0.24 s against 0.33 s at N = 65536,
            # K = 17, d = 128, one thread).
            g = sp.csr_matrix((grad.detach().contiguous().view(-1).numpy(), col.numpy(),
                               np.arange(0, n * k + 1, k)), shape=(n, n))
            xs = x.detach().contiguous().numpy()
            out = g @ xs
            out += g.T.tocsr() @ xs
            return torch.from_numpy(out), None, None
        # Under create_graph=True autograd records this backward (double
        # backward): no out= and no in-place op there, the same sums in the
        # same order.
        graph = torch.is_grad_enabled()
        grad_row = [] if graph else x.new_empty((n, d))
        # One index_add per block in edge order: the same sums, in the same
        # order, as the index_select backward of the unblocked form.
        grad_col = torch.zeros_like(x)
        for s, e in _RowDot._blocks(n, k, d):
            cb = col[s * k:e * k]
            g = grad[s:e].unsqueeze(-1)
            xj = x.index_select(0, cb).view(e - s, k, d)
            moved = (g * x[s:e].unsqueeze(1)).view(-1, d)
            if graph:
                grad_row.append(torch.sum(g * xj, 1))
                grad_col = grad_col.index_add(0, cb, moved)
            else:
                torch.sum(g * xj, 1, out=grad_row[s:e])
                grad_col.index_add_(0, cb, moved)
        if graph:
            grad_row = torch.cat(grad_row) if grad_row else x.new_empty((n, d))
        return grad_row + grad_col, None, None


class _PairDot(torch.autograd.Function):
    r"""``s[e] = x_{row[e]}^\top x_{col[e]}`` for any pairs: the same
    products and sums as autograd over ``(x[row] * x[col]).sum(-1)``
    (bitwise, forward and backward: each gradient row summed in edge order,
    the row and column parts added once), computed in blocks of edges whose
    ``[edges, d]`` gathers stay in cache, where the unblocked form makes
    four ``[E, d]`` temporaries (fresh pages each)."""

    @staticmethod
    def forward(ctx, x: Tensor, row: Tensor, col: Tensor) -> Tensor:
        ctx.save_for_backward(x, row, col)
        out = x.new_empty(row.numel())
        for s, e in _edge_blocks(row.numel(), x.size(1)):
            torch.sum(x.index_select(0, row[s:e]) * x.index_select(0, col[s:e]), -1,
                      out=out[s:e])
        return out

    @staticmethod
    def backward(ctx, grad: Tensor):
        x, row, col = ctx.saved_tensors
        if torch.is_grad_enabled():  # create_graph=True: autograd records the unblocked form
            g = grad.unsqueeze(-1)
            return (torch.zeros_like(x).index_add(0, row, g * x.index_select(0, col))
                    + torch.zeros_like(x).index_add(0, col, g * x.index_select(0, row)),
                    None, None)
        grad_row, grad_col = torch.zeros_like(x), torch.zeros_like(x)
        for s, e in _edge_blocks(row.numel(), x.size(1)):
            g = grad[s:e].unsqueeze(-1)
            r, c = row[s:e], col[s:e]
            grad_row.index_add_(0, r, g * x.index_select(0, c))
            grad_col.index_add_(0, c, g * x.index_select(0, r))
        return grad_row + grad_col, None, None


def _edge_blocks(num_edges: int, d: int):
    step = _PAIRDOT_BLOCK // d
    return ((s, min(s + step, num_edges)) for s in range(0, num_edges, step))


# Elements of one [edges, d] gather of _PairDot (1 MiB of float64): 4x
# smaller or larger blocks measured 1.1-1.9x slower (E = 110395, d = 76 and
# 240, one thread, interleaved on a loaded 2-core CPU)
_PAIRDOT_BLOCK = 1 << 17
# Elements of one [rows, K, d] block of _RowDot (2 MiB of float32): 4x smaller
# or 2x larger blocks measured no faster, 16x smaller or larger slower.
_ROWDOT_BLOCK = 1 << 19


def _rows_per_unit(row: Tensor, num_units: int) -> int | None:
    """``c`` when ``row`` is ``0, .., 0, 1, .., 1, ...`` with every unit
    ``c`` times, else ``None``."""
    if num_units == 0 or row.numel() == 0 or row.numel() % num_units:
        return None
    per_row = row.numel() // num_units
    expected = torch.arange(num_units, device=row.device).repeat_interleave(per_row)
    return per_row if torch.equal(row, expected) else None
