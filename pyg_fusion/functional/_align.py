"""Unions, intersections and placement of edge lists on CSR patterns
(:mod:`._csr`): several sources (the powers of one graph, the graphs of a
fusion) brought onto one support, with each input entry's position in it,
and values placed at those positions (differentiable).
"""
from __future__ import annotations

import numpy as np
import scipy.sparse as sp
import torch
from torch import Tensor

from ._csr import (assign_at, coalesced_order, index2ptr,
                   ptr2index, to_edge_index, use_scipy)


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
    (``torch.unique``). ``ptr`` and ``col`` are int32 where scipy's are,
    else int64; the positions int64."""
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
        # scipy's index arrays as they are (int32 where they fit): every
        # consumer reads them as indices of either type, and a widened copy
        # of the union's columns is fresh pages at every call. The mask of
        # input m is bit m shifted to 0/1 in one uint8 buffer, reused for
        # every input and read as bool: numpy's nonzero is ~3x faster on
        # bools than on the int8 bits (measured at 20.7M entries), and two
        # new temporaries of the union's size per input (the masked bits,
        # the comparison) were fresh pages at every call.
        flag = np.empty(total.data.size, dtype=np.uint8)
        positions = []
        for m in range(len(patterns)):
            np.right_shift(total.data, m, out=flag, casting="unsafe")  # bits >= 0
            np.bitwise_and(flag, 1, out=flag)
            positions.append(torch.from_numpy(np.flatnonzero(flag.view(np.bool_))))
        return torch.from_numpy(total.indptr), torch.from_numpy(total.indices), positions
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
        positions = [pos.to(dtype) for pos in positions]
        ctx.save_for_backward(*positions)
        ctx.placed = (positions, values, None, size)  # for select_rows
        out = values[0].new_zeros((size, len(values)))
        for m, (v, pos) in enumerate(zip(values, positions)):
            assign_at(out[:, m], pos, v)  # on CPU the int32 positions as they are
        return out

    @staticmethod
    def backward(ctx, grad):
        # differentiable again (double backward): a gather per column
        return (None, None) + tuple(grad[:, m].index_select(0, pos)
                                    for m, pos in enumerate(ctx.saved_tensors))


class _PlaceSelect(torch.autograd.Function):
    # The rows `rows` of `placed`, an output of _Place or rows of one (read,
    # not differentiated): the slots `slots` of the [size, M] tensor _Place
    # filled, differentiated in the vectors it placed there. Their gradient
    # is gathered from the selected rows through an int32 map of the slots,
    # where index_select's backward zero-filled a gradient of the placed
    # tensor's size ([E, P+1] of a source's powers, of which LEGO's fusion
    # selects the few entries both sources have) for _Place's backward to
    # read column by column.
    @staticmethod
    def forward(ctx, placed, rows, slots, size, positions, *values):
        ctx.save_for_backward(slots, *positions)
        ctx.placed = (positions, values, slots, size)  # for select_rows of these rows
        return placed.index_select(0, rows)

    @staticmethod
    def backward(ctx, grad):
        slots, *positions = ctx.saved_tensors
        k = slots.numel()
        dtype = torch.int32 if k < 2**31 - 1 else torch.long
        row_of = torch.full((ctx.placed[3], ), k, dtype=dtype, device=grad.device)
        row_of[slots] = torch.arange(k, dtype=dtype, device=grad.device)
        # row k is 0, the gradient of every slot not selected; the others
        # 0 + g, as index_select's backward added g to zeros (-0.0 -> 0.0).
        # A slot selected twice (a row given twice) sums its rows' gradients
        # at the row the map kept, as index_select's backward does: a copy
        # to each row's own place lost all but one of them
        padded = grad.new_zeros((k + 1, grad.size(1)))
        padded.index_add_(0, row_of.index_select(0, slots), grad)
        # differentiable again (double backward), as _Place's; torch's
        # index_select reads int32 indices as they are
        return (None, ) * 5 + tuple(
            padded[:, m].index_select(0, row_of.index_select(0, pos))
            if ctx.needs_input_grad[5 + m] else None for m, pos in enumerate(positions))


# From this many bytes of an output of _Place on, select_rows differentiates
# its rows through _PlaceSelect. Below, index_select's zero-filled gradient
# stays in cache and in memory the allocator reuses, and its one gather per
# entry beats the map's two: LEGO's fusion backward on one thread took 1.1x
# index_select's time with [E, P+1] float32 of 0.9 MiB (N = 1024), 1.0x at
# 4 MiB (4096), 0.37x at 19 MiB (16384), 0.56x at 77 MiB (65536).
MAP_FROM_BYTES = 2**22


def select_rows(values: Tensor, rows: Tensor) -> Tensor:
    """``values.index_select(0, rows)``; where ``values`` is a large output
    of :func:`place` (or rows of one), differentiated in the placed vectors
    directly, without a gradient of ``values``' size (:class:`_PlaceSelect`)."""
    node = values.grad_fn
    if torch.compiler.is_compiling() or not isinstance(
            node, (_Place._backward_cls, _PlaceSelect._backward_cls)):
        return values.index_select(0, rows)
    positions, vectors, before, size = node.placed
    if size * values.size(1) * values.element_size() < MAP_FROM_BYTES:
        return values.index_select(0, rows)
    slots = rows if before is None else before.index_select(0, rows)
    return _PlaceSelect.apply(values.detach(), rows, slots, size, positions, *vectors)


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

    On CPU scipy's element-wise products of the patterns: input 0
    numbered (entry ``e`` holds ``e + 1``) times the others' ones lists the
    intersection in order with input 0's numbers; every other input,
    numbered, times the intersection's ones lists it with that input's
    numbers. Nothing of the size of the union is formed, and only the first
    product reads another input's whole pattern. Elsewhere through
    :func:`union_of_edges`."""
    if not use_scipy(edge_indices[0].device):
        ptr, col, positions = union_of_edges(edge_indices, num_nodes, names)
        return common_of_union(positions, col.numel())[1]
    patterns, perms = _sorted_patterns(edge_indices, num_nodes, names)
    # int32 pointers and columns where they fit, made once (numpy's copy):
    # scipy copied int64 ones to int32 at every matrix it built, twice per
    # input, after reading them twice for their range
    most = max(c.numel() for _, c in patterns)
    small = max(num_nodes, most) < 2**31 - 1
    index = np.int32 if small else np.int64
    patterns = [(p.numpy().astype(index, copy=False), c.numpy().astype(index, copy=False))
                for p, c in patterns]
    # Entry numbers + 1 and ones in one type (int32 where they fit), cut
    # from one array each: scipy's product copies an operand of another
    # type to the common one
    numbers = np.arange(1, most + 1, dtype=index)
    ones = np.ones(most, dtype=index)

    def mat(data, p, c):
        out = sp.csr_matrix((data[:c.size], c, p), shape=(num_nodes, num_nodes))
        out.has_sorted_indices = True  # sorted and unique by contract
        out.has_canonical_format = True
        return out

    common = mat(numbers, *patterns[0])
    for p, c in patterns[1:]:
        common = common.multiply(mat(ones, p, c)).tocsr()
    common.has_sorted_indices = True  # scipy's product keeps the order
    common.has_canonical_format = True
    found = [common.data] + [mat(numbers, p, c).multiply(mat(ones, common.indptr,
                                                             common.indices)).data
                             for p, c in patterns[1:]]
    own = []
    for number, perm in zip(found, perms):
        number = torch.from_numpy(np.subtract(number, 1, dtype=np.int64))
        own.append(number if perm is None else torch.gather(perm, 0, number))
    return own
