r"""A locality order of the nodes for the sparse graph products.

A row of a sparse product :math:`R^{p-1} \hat R` reads the rows of
:math:`\hat R` at its columns, and the backward gathers and scatters at the
same places: when a node's neighbours carry nearby numbers, those rows share
cache lines and pages. Nodes come in the caller's order (for one graph, often
no order at all), and above the cache size the products slow down by the
random access. A reverse Cuthill-McKee order
(:func:`scipy.sparse.csgraph.reverse_cuthill_mckee`, linear in the edges)
numbers the nodes breadth first, so that neighbours get nearby numbers.

:func:`locality_order` gives the order, :func:`relabel` moves an edge list
into it (or, with the inverse order, back), sorted by target, then source,
with the input edge at each output edge, :func:`permute_rows` moves features
or edge values along (differentiably), and :func:`restore_rows` moves CSR
rows out of an order: the same graph as computed without the order, in the
library's edge order. :func:`~pyg_fusion.functional.graph_powers` with
``restore=`` returns powers computed in an order in another numbering,
restoring the pattern of the powers before their values are placed, so that
no reordered copy of the attributes is made. ``LEGO``'s sparse step
(:class:`~pyg_fusion.nn.LEGO`) runs each source's similarities and powers in
its own order and the fusion in the first source's. Sums then run in another
order, so values may differ in the last bits; a tie at the ``prune_k``-th
magnitude of a row (within the tie tolerance of docs/methods.md §1.2, 64 ulps
of the row's largest magnitude) still goes to the smaller column of the
caller's numbering (LEGO passes each order as ``tie_order``), so the same
entries are kept as without the order, unless those last bits move an entry
across the tolerance's edge.
"""
from __future__ import annotations

import numpy as np
import scipy.sparse as sp
import torch
from scipy.sparse.csgraph import reverse_cuthill_mckee
from torch import Tensor

from ._checks import check_batch, check_edge_index, check_int, check_like
from ._csr import (index2ptr, inverse_permutation, is_coalesced,
                   ptr2index, take_at, to_edge_index, use_scipy)

# the public names (the other functions without a leading _ serve the
# package's modules)
__all__ = ["locality_order"]


@torch.compiler.disable  # scipy on host copies
def locality_order(edge_index: Tensor, num_nodes: int, batch: Tensor | None = None) -> Tensor:
    """A node order in which neighbours get nearby numbers: ``perm [N]``,
    ``perm[i]`` the node placed at position ``i``.

    The reverse Cuthill-McKee order of the graph with its edges taken both
    ways. With ``batch``, nodes stay grouped by graph in the order of the
    graphs (PyG's batch stays sorted), each graph in the reverse
    Cuthill-McKee order of its nodes.

    Args:
        edge_index (torch.Tensor): ``[2, E]`` (source, target).
        num_nodes (int): :math:`N`.
        batch (torch.Tensor, optional): ``[N]`` graph of each node, sorted.
            (default: :obj:`None`, one graph)

    Returns:
        torch.Tensor: ``perm`` ``[N]`` (int64, on ``edge_index``'s device).
    """
    check_int("num_nodes", num_nodes, minimum=1)
    edge_index = check_edge_index("edge_index", edge_index, num_nodes)
    src, dst = edge_index.detach().cpu().numpy()
    ones = np.ones(src.size, dtype=np.int8)
    pattern = sp.csr_matrix((ones, (dst, src)), shape=(num_nodes, num_nodes))
    both = (pattern + pattern.T).tocsr()
    perm = torch.from_numpy(reverse_cuthill_mckee(both, symmetric_mode=True).astype(np.int64))
    perm = perm.to(edge_index.device)
    if batch is not None:
        check_like("batch", batch, "edge_index", edge_index)
        check_batch("batch", batch, num_nodes)
        # a stable sort by graph keeps each graph's nodes in the order above
        perm = perm[torch.sort(batch[perm], stable=True).indices]
    return perm


def relabel(edge_index: Tensor, perm: Tensor, num_nodes: int) -> tuple[Tensor, Tensor]:
    """``edge_index`` in the numbering of ``perm`` (:func:`locality_order`):
    node ``perm[i]`` becomes ``i``; sorted by target, then source (the
    library's edge order), with ``moved``, the input edge at each output
    edge (so that edge values follow as ``permute_rows(values, moved)``).
    With ``perm`` the inverse of an order, it moves a graph computed in that
    order back to the caller's numbering.

    On CPU, edges already sorted by target are moved as CSR rows
    (:func:`restore_rows`: linear in the edges); others are relabelled and
    sorted."""
    # coalesced (sorted, no repeats): rows moved whole; repeated edges take
    # the sort below, as on every other device
    if use_scipy(edge_index.device) and is_coalesced(edge_index[1], edge_index[0], num_nodes):
        return restore_rows(index2ptr(edge_index[1], num_nodes), edge_index[0],
                            inverse_permutation(perm))
    inv = inverse_permutation(perm)
    src, dst = torch.gather(inv, 0, edge_index[0]), torch.gather(inv, 0, edge_index[1])
    moved = torch.sort(dst * num_nodes + src).indices
    return torch.stack([torch.gather(src, 0, moved), torch.gather(dst, 0, moved)]), moved


@torch.compiler.disable  # scipy on host copies
def restore_rows(ptr: Tensor, col: Tensor, perm: Tensor) -> tuple[Tensor, Tensor]:
    """CSR rows ``(ptr, col)`` (row = target, in the numbering of ``perm``,
    columns ascending) back in the caller's numbering: the edge list, sorted
    by target, then source, and ``order``, the entry of the input at each of
    its edges (int32 where it fits).

    On CPU the rows are moved whole (a target's entries stay together) and
    only each row's columns are sorted (scipy: linear in the entries, one
    short sort per row); elsewhere one sort of the row-major keys."""
    n = perm.numel()
    if use_scipy(col.device):
        # scipy's int32 pointer, indices and entry numbers where they fit,
        # kept until the int64 edge list: half the bytes to write, move and
        # sort (an int64 pointer would make scipy copy the indices to int64);
        # the columns are read as they come (numpy's take): an int64 copy of
        # a union's int32 columns was 8 bytes per entry of fresh pages
        small = max(n, col.numel()) < 2 ** 31
        index = torch.int32 if small else torch.int64
        src = take_at(perm.to(index), col)
        entry = np.arange(src.numel(), dtype=np.int32 if small else np.int64)
        mat = sp.csr_matrix((entry, src.numpy(), ptr.to(index).numpy()), shape=(n, n))
        del src, entry
        mat = mat[inverse_permutation(perm).numpy()]  # row i: the row the node i had
        mat.sort_indices()
        return (to_edge_index(torch.from_numpy(mat.indptr), torch.from_numpy(mat.indices)),
                torch.from_numpy(mat.data))
    src = torch.gather(perm, 0, col.long())
    dst = torch.gather(perm, 0, ptr2index(ptr.long(), col.numel()))
    order = torch.sort(dst * n + src).indices
    return torch.stack([torch.gather(src, 0, order), torch.gather(dst, 0, order)]), order


class _PermuteRows(torch.autograd.Function):
    # Saves the order only: its inverse (one index_copy) is built in the
    # backward, so the forward holds one index per row, not two.
    @staticmethod
    def forward(ctx, x, order):
        ctx.save_for_backward(order)
        return _take_rows(x, order)

    @staticmethod
    def backward(ctx, grad):
        (order, ) = ctx.saved_tensors
        return _PermuteRows.apply(grad, inverse_permutation(order)), None


def _take_rows(x: Tensor, order: Tensor) -> Tensor:
    if not use_scipy(x.device) or x.numel() == 0:
        return x.index_select(0, order.long())
    # numpy takes each row as one opaque item of its byte size: ~3x faster
    # than torch's index_select on rows of a few values (measured at 5M x 4)
    # (as bytes, so that any dtype goes, bfloat16 included)
    flat = x.detach().contiguous().reshape(x.size(0), -1).view(torch.uint8).numpy()
    out = np.take(flat.view(np.dtype((np.void, flat.shape[1]))).ravel(), order.numpy())
    out = torch.from_numpy(out.view(np.uint8).reshape(x.size(0), -1))
    return out.view(x.dtype).reshape(x.shape)


def permute_rows(x: Tensor, order: Tensor) -> Tensor:
    """``x[order]`` for a permutation ``order`` of ``x``'s rows;
    differentiable. The gradient is the inverse permutation, a gather as
    well (``index_select``'s backward is a scatter-add)."""
    if not x.requires_grad:
        return _take_rows(x, order)
    return _PermuteRows.apply(x, order)
