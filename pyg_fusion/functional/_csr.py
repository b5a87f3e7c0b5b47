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
``index_copy`` in :mod:`._align` (unions, intersections and placement of
edge lists), and the product's autograd Function in :mod:`._spgemm` (with
the per-row top-k of :mod:`._topk`).
"""
from __future__ import annotations

import numpy as np
import scipy.sparse as sp
import torch
from torch import Tensor
# PyG's CSR pointer <-> row index conversions (torch's COO/CSR index kernels).
from torch_geometric.utils import sparse as _pyg_sparse

# "auto": scipy on CPU, torch on other devices; "torch": torch everywhere.
BACKEND = "auto"


# torch's COO <-> CSR index kernels read their inputs as contiguous: a strided
# view (a row of a transposed edge_index, `pairs.t()`) gave wrong pointers or
# corrupted the heap (torch 2.13, CPU). Every conversion of the library goes
# through these two, which make the inputs contiguous (free when they are).
def index2ptr(index: Tensor, size: int | None = None) -> Tensor:
    """PyG's ``index2ptr`` of ``index`` made contiguous."""
    return _pyg_sparse.index2ptr(index.contiguous(), size)


def ptr2index(ptr: Tensor, output_size: int | None = None) -> Tensor:
    """PyG's ``ptr2index`` of ``ptr`` made contiguous."""
    return _pyg_sparse.ptr2index(ptr.contiguous(), output_size)


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


# Entries per pass of :func:`is_coalesced` on CPU: a pass over all of a
# union's edge list made an int64 key and a bool array of its size, fresh
# pages at every call (~0.3 GB per call at N = 262144); a chunk's are a few
# MiB, reused.
COALESCED_CHUNK = 1 << 20


def is_coalesced(row: Tensor, col: Tensor, num_nodes: int) -> bool:
    """Whether the entries ``(row, col)`` are sorted by row, then column,
    without repeats: their keys ``row * num_nodes + col`` strictly ascending
    (on CPU in chunks of :data:`COALESCED_CHUNK` entries, each overlapping
    the next by one). One host sync per chunk."""
    size = row.numel()
    chunk = COALESCED_CHUNK if use_scipy(row.device) and not torch.compiler.is_compiling() \
        else max(size, 1)
    for s in range(0, size - 1, chunk):
        key = row[s:s + chunk + 1].long() * num_nodes + col[s:s + chunk + 1]
        if not bool((key[1:] > key[:-1]).all()):
            return False
    return True


def coalesced_order(row: Tensor, col: Tensor, num_nodes: int, name: str) -> Tensor | None:
    """``None`` when the entries are sorted by (row, column) without repeats,
    else the permutation that sorts them; repeated entries are an error
    (``name`` names the argument)."""
    if is_coalesced(row, col, num_nodes):
        return None
    key, perm = torch.sort(row * num_nodes + col, stable=True)
    if bool((key[1:] == key[:-1]).any()):
        raise ValueError(f"{name} holds repeated edges; coalesce it first "
                         "(torch_geometric.utils.coalesce)")
    return perm


@torch.compiler.disable  # the kernel has no meta function for symbolic sizes
def to_edge_index(ptr: Tensor, col: Tensor) -> Tensor:
    """The API-edge form of a CSR pattern: ``[2, E]`` (source = column,
    target = row), in the pattern's order, int64 (``ptr`` and ``col`` may be
    int32). torch's CSR -> COO index kernel writes both rows at once (2-3x
    faster than expanding the pointer and stacking)."""
    return torch._convert_indices_from_csr_to_coo(ptr.contiguous(), col.contiguous(),
                                                  out_int32=False, transpose=True)


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


def row_runs(before: np.ndarray, limit: int) -> list[tuple[int, int]]:
    """Consecutive runs ``(r0, r1)`` of rows covering all rows, each the
    longest from its first row whose items (row ``r`` holds ``before[r+1] -
    before[r]``; ``before`` ascending from ``before[0]``, one more than the
    rows) stay at most ``limit``; a row with more makes a run of its own."""
    rows = before.size - 1
    runs, r0 = [], 0
    while r0 < rows:
        r1 = int(np.searchsorted(before, before[r0] + limit, side="right")) - 1
        r1 = min(rows, max(r1, r0 + 1))
        runs.append((r0, r1))
        r0 = r1
    return runs


def inverse_permutation(perm: Tensor) -> Tensor:
    """``inv`` with ``inv[perm[i]] = i``, in ``perm``'s integer type."""
    inv = torch.empty_like(perm)
    if use_scipy(perm.device) and not torch.compiler.is_compiling():
        # numpy's arange: on one thread 3x faster than torch's (20M entries:
        # 27 against 85 ms)
        ids = torch.from_numpy(np.arange(perm.numel(), dtype=inv.numpy().dtype))
    else:
        ids = torch.arange(perm.numel(), dtype=perm.dtype, device=perm.device)
    assign_at(inv, perm, ids)
    return inv


def take_at(src: Tensor, index: Tensor) -> Tensor:
    """``src[index]`` of a 1-D ``src``: on CPU numpy's take, which reads an
    int32 ``index`` as it is and gives ``src``'s type (torch's ``gather``
    wants int64 and copies to it); elsewhere ``torch.gather``."""
    if not use_scipy(src.device) or torch.compiler.is_compiling():
        return torch.gather(src, 0, index.long())
    return torch.from_numpy(np.take(src.detach().numpy(), index.numpy()))


# Rows of values read per step by nonzero_rows: a [2^20, C] bool temporary
# stays in the allocator's reused memory (under glibc's 32 MiB mmap
# threshold), where one of [E, C] was fresh pages at every call
_ROWS_PER_STEP = 2 ** 20


def nonzero_rows(values: Tensor) -> Tensor:
    """``values.ne(0).any(1)`` of ``[E, C]`` values (bool ``[E]``: the
    entries where some column is non-zero), without the ``[E, C]`` bool
    temporary: ``_ROWS_PER_STEP`` rows at a time."""
    n = values.size(0)
    if n <= _ROWS_PER_STEP or torch.compiler.is_compiling():
        return values.ne(0).any(1)
    out = torch.empty(n, dtype=torch.bool, device=values.device)
    for start in range(0, n, _ROWS_PER_STEP):
        part = values[start:start + _ROWS_PER_STEP]
        torch.any(part.ne(0), 1, out=out[start:start + part.size(0)])
    return out


# An integer dtype of each item size: assign_at moves values as their bytes
_BITS = {1: torch.uint8, 2: torch.int16, 4: torch.int32, 8: torch.int64}


def assign_at(out: Tensor, index: Tensor, values: Tensor) -> None:
    """``out[index] = values`` along ``out``'s first dimension
    (``out.index_copy_(0, index, values)``; ``out`` may be a strided view).

    On CPU by numpy's fancy assignment on the bytes: an int32 ``index`` is
    read as it is, where torch's index ops first copy it to int64 (fresh
    pages of 8 bytes per entry at every call; measured at 26M entries: 198
    MiB of faults, none here). Any dtype moves exactly (bytes, so bfloat16
    too). Elsewhere, and under ``torch.compile``, ``index_copy_``."""
    if not use_scipy(out.device) or torch.compiler.is_compiling():
        out.index_copy_(0, index.long(), values)
        return
    dst = out.view(_BITS[out.element_size()]).numpy()
    dst[index.numpy()] = values.detach().view(_BITS[values.element_size()]).numpy()
