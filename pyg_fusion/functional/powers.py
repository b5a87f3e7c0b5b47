r"""Graph power expansion (LEGO, docs/methods.md §1.3;
`paper <https://arxiv.org/abs/2410.01506>`_).

A relationship graph :math:`R` is normalised to :math:`\hat R` and expanded
into its powers

.. math::
    R^0 = I, \qquad R^p = R^{p-1} \hat R, \quad p = 1, \dots, P,

the multi-hop relationships the fusion operator mixes. Normalisation (``"sym"``,
``"row"`` or ``None``) is :mod:`~pyg_fusion.functional.normalization`'s.
``mode="hadamard"`` gives element-wise powers :math:`\hat R^{\circ p}` instead (the paper's
ablation); slice 0 is the identity in both modes.

The dense form returns ``[..., P+1, N, N]``; the sparse form returns the union
of the supports of all powers with ``edge_attr[:, p]`` holding :math:`R^p`.
Sparse powers run on compressed sparse rows (:mod:`._csr`): each product is
a library SpGEMM with exact gradients (:mod:`._spgemm`); ``prune_k`` keeps
the ``k`` entries of largest magnitude per row after each product, among the
entries of the product's support (ties to the smaller column; :mod:`._topk`),
an approximation that bounds fill-in (its error is measured by
``benchmarks/prune_error.py``). The dense powers follow the same rule on the
support they are given (by default the non-zero entries), so that both give
the same values, gradients and kept entries.
"""
from __future__ import annotations

import torch
from torch import Tensor

from ._autocast import float32_under_autocast
from ._checks import (check_choice, check_edges, check_index, check_int, check_like,
                      check_mask, check_tensor)
from .order import restore_rows
from ._align import place, union
from ._csr import index2ptr, inverse_permutation, is_coalesced, to_edge_index
from ._spgemm import spgemm_topk
from ._topk import top_k_mask
from .normalization import NORMS, _dense_normalize, _normalize, _sparse_degrees
# where they were defined before normalization.py: imports of them from here work
from .normalization import abs_degrees, dense_normalize, normalize  # noqa: F401

MODES = ("matrix", "hadamard")


def _check_powers_args(num_powers, norm, mode, prune_k) -> None:
    check_int("num_powers", num_powers, minimum=0)
    check_choice("norm", norm, NORMS)
    check_choice("mode", mode, MODES)
    if prune_k is not None:
        check_int("prune_k", prune_k, minimum=1)


@float32_under_autocast
def dense_graph_powers(adj: Tensor, num_powers: int, norm="sym", mode: str = "matrix",
                       *, prune_k: int | None = None,
                       mask: Tensor | None = None, support: Tensor | None = None) -> Tensor:
    r"""Powers of dense graphs.

    Args:
        adj (torch.Tensor): ``[N, N]`` or ``[B, N, N]``.
        num_powers (int): :math:`P` (>= 0).
        norm (str, optional): :obj:`"sym"`, :obj:`"row"` or :obj:`None`.
            (default: :obj:`"sym"`)
        mode (str, optional): :obj:`"matrix"` or :obj:`"hadamard"`.
            (default: :obj:`"matrix"`)
        prune_k (int, optional): keep the ``k`` largest-magnitude entries per
            row after each product, among the product's support (the dense
            twin of :func:`graph_powers`' ``prune_k``, the same rule: see
            there). (default: :obj:`None`, exact)
        mask (torch.Tensor, optional): ``[B, N]`` bool, :obj:`False` for padded
            nodes: their rows and columns of ``adj`` are read as 0, and of
            every power (the identity's too). (default: :obj:`None`)
        support (torch.Tensor, optional): bool of ``adj``'s shape, the edges
            of the graph (the entries a sparse edge list of it holds, zero
            weights included), which ``prune_k``'s supports are made of.
            (default: :obj:`None`, the non-zero entries of ``adj``)

    Returns:
        ``[..., P+1, N, N]``, slice ``p`` holding :math:`R^p`.
    """
    return _checked_dense_powers(adj, num_powers, norm, mode, prune_k, mask, support)[0]


@float32_under_autocast
def _checked_dense_powers(adj, num_powers, norm, mode, prune_k, mask, support):
    # dense_graph_powers, and the entries its pruning kept (_dense_powers)
    check_tensor("adj", adj, dims=(2, 3), floating=True, finite=True)
    if adj.size(-1) != adj.size(-2):
        raise ValueError(f"adj must be square [..., N, N], got {tuple(adj.shape)}")
    if adj.size(-1) == 0:
        raise ValueError("adj is an empty graph (N = 0)")
    _check_powers_args(num_powers, norm, mode, prune_k)
    n = adj.size(-1)
    eye = torch.eye(n, dtype=adj.dtype, device=adj.device).expand_as(adj)
    if mask is not None:
        if adj.dim() != 3:
            raise ValueError(f"mask needs adj of shape [B, N, N], got {tuple(adj.shape)}")
        check_mask("mask", mask, tuple(adj.shape[:2]), "adj", adj)
        m = mask.to(adj.dtype)
        eye = eye * m.unsqueeze(-1)
        # a padded node is no node of the graph: entries of its row or column
        # (an rbf graph of padded zero features weighs them) would enter the
        # real nodes' degrees and paths (exact on the real entries: times 1)
        adj = adj * (m.unsqueeze(-1) * m.unsqueeze(-2))
    if support is not None:
        check_tensor("support", support)
        if support.dtype != torch.bool or support.shape != adj.shape:
            raise ValueError(f"support must be a bool tensor of adj's shape "
                             f"{tuple(adj.shape)}, got {support.dtype} "
                             f"{tuple(support.shape)}")
        check_like("support", support, "adj", adj, dtype=False)
    return _dense_powers(adj, num_powers, norm, mode, prune_k, eye, mask, support)


def _dense_powers(adj, num_powers, norm, mode, prune_k, eye, mask, support):
    # dense_graph_powers after its checks; also returns, where products are
    # pruned, the entries of the pruned supports of R^1 .. R^P (bool
    # [..., N, N]; None where nothing is pruned)
    r_hat = _dense_normalize(adj, norm)
    powers = [eye]
    pruned = prune_k is not None and mode == "matrix" and num_powers > 1
    if pruned:
        # The support of each product, as the sparse product's symbolic
        # pattern: an entry some path of edges reaches (entries off it are 0
        # with a gradient of 0 in the dense product too).
        with torch.no_grad():
            edges = adj.detach().ne(0) if support is None else support
            if mask is not None:
                edges = edges & mask.unsqueeze(-1) & mask.unsqueeze(-2)
            step = edges.to(adj.dtype)
            on, kept = step, edges
    cur = None
    for _ in range(num_powers):
        if cur is None:
            cur = r_hat
        elif mode == "matrix":
            cur = cur @ r_hat
        else:
            cur = cur * r_hat
        if pruned and len(powers) > 1:
            # The rule of the sparse products (graph_powers): entries off the
            # product's support are never kept; a row of at most prune_k
            # entries on it keeps them all, zeros included (their
            # derivative is kept); a longer one the prune_k of largest
            # magnitude, ties to the smaller column.
            with torch.no_grad():
                reach = (on @ step).ne(0)
                scores = cur.detach().abs().masked_fill(~reach, float("-inf"))
                keep = top_k_mask(scores, min(prune_k, cur.size(-1)))
                on = keep.to(adj.dtype)
                kept = kept | keep
            cur = cur * keep
        powers.append(cur)
    return torch.stack(powers, dim=-3), (kept if pruned else None)


def graph_powers(edge_index: Tensor, edge_weight: Tensor, num_nodes: int,
                 num_powers: int, *, norm="sym", mode: str = "matrix",
                 prune_k: int | None = None, restore: Tensor | None = None,
                 tie_order: Tensor | None = None) -> tuple[Tensor, Tensor]:
    r"""Powers of a sparse graph on the union of their supports.

    Args:
        edge_index (torch.Tensor): ``[2, E]`` (source, target): the edge
            ``j -> i`` holds :math:`R_{ij}`; block-diagonal batches stay
            block-diagonal.
        edge_weight (torch.Tensor): ``[E]``.
        num_nodes (int): :math:`N`.
        num_powers (int): :math:`P` (>= 0).
        norm (str, optional): :obj:`"sym"`, :obj:`"row"` or :obj:`None` (see
            :mod:`~pyg_fusion.functional.normalization`). (default: :obj:`"sym"`)
        mode (str, optional): :obj:`"matrix"` or :obj:`"hadamard"`.
            (default: :obj:`"matrix"`)
        prune_k (int, optional): keep the ``k`` largest-magnitude entries per
            row after each product. A product's entries are those of its
            support, the entries some path of edges (zero weights included)
            through the kept entries of the power before reaches, whatever
            their sum (0 where signed terms cancel); no entry off it is ever
            kept. A row of at most ``k`` of them keeps all, zeros included
            (their derivative too); a longer one the ``k`` of largest
            magnitude, ties (within 64 ulps of the row's largest) to the
            smaller column. :func:`dense_graph_powers` follows the same
            rule on its ``support``. (default: :obj:`None`, exact)
        restore (torch.Tensor, optional): ``[N]`` a permutation of the
            nodes: the graph comes in a numbering of its own (a locality
            order, :func:`~pyg_fusion.functional.order.locality_order`), in
            which the products run, and its node ``i`` is node
            ``restore[i]`` of the numbering the powers are returned in. The
            union's pattern is moved before the values are placed, so no
            reordered copy of the attributes is made. (default: :obj:`None`,
            returned in the input's numbering)
        tie_order (torch.Tensor, optional): ``[N]`` a permutation of the
            nodes: node ``i`` of the graph is node ``tie_order[i]`` of the
            numbering in which ``prune_k``'s ties go to the smaller column
            (the caller's, for a graph in a locality order). (default:
            :obj:`None`, the graph's own)

    Returns:
        ``(edge_index [2, E'], edge_attr [E', P+1])``, sorted by target, then
        source; column 0 is the identity and column ``p`` is :math:`R^p` (0
        where it has no entry).
    """
    return _graph_powers(edge_index, edge_weight, num_nodes, num_powers, norm, mode, prune_k,
                         restore, tie_order, own_orders=False)


@float32_under_autocast  # the one path of graph_powers and GraphPowerExpansion
def _graph_powers(edge_index, edge_weight, num_nodes, num_powers, norm, mode, prune_k,
                  restore, tie_order, own_orders: bool):
    # graph_powers; own_orders: restore and tie_order are permutations the
    # caller has just built (LEGO's locality orders), not checked again: the
    # check of each is 3 host syncs (its range, 2; bincount, 1), where the
    # products' syncs only size outputs (_powers_csr)
    check_int("num_nodes", num_nodes, minimum=1)
    edge_index = check_edges(edge_index, edge_weight, num_nodes)
    _check_powers_args(num_powers, norm, mode, prune_k)
    if prune_k is None or mode != "matrix" or num_powers < 2:
        tie_order = None  # no product is pruned: not read (nor checked)
    for name, perm in (("restore", restore), ("tie_order", tie_order)):
        if perm is not None and not own_orders:
            _check_permutation(name, perm, num_nodes)
    # The products run on (row, col) = (target, source) lists, sorted by row.
    edge_index, edge_weight = _coalesced(edge_index, edge_weight, num_nodes)
    w_hat = edge_weight if norm is None else _normalize(
        edge_index, edge_weight,
        _sparse_degrees(edge_index, edge_weight, num_nodes, coalesced=True), norm)
    return _powers_csr(edge_index[1], edge_index[0].contiguous(), w_hat, num_nodes,
                       num_powers, mode, prune_k, restore, tie_order)


def _check_permutation(name: str, perm, num_nodes: int) -> None:
    check_index(name, perm, num_nodes, "node ids")
    if perm.numel() != num_nodes or \
            not bool(torch.bincount(perm, minlength=num_nodes).eq(1).all()):
        raise ValueError(f"{name} must be a permutation of the {num_nodes} nodes (each "
                         f"once), got {perm.numel()} entries with "
                         f"{perm.unique().numel()} distinct")


def _coalesced(edge_index: Tensor, edge_weight: Tensor, num_nodes: int):
    # (source, target) sorted by target, then source, as given where it is:
    # a flipped copy ([2, E] int64, 64 MiB at N = 262144, k = 16) would be
    # fresh pages at every call, and normalize took two more
    if is_coalesced(edge_index[1], edge_index[0], num_nodes):
        return edge_index, edge_weight
    from torch_geometric.utils import coalesce
    rows, edge_weight = coalesce(edge_index.flip(0), edge_weight, num_nodes)
    return rows.flip(0), edge_weight


def _powers_csr(row, col, w_hat, num_nodes, num_powers, mode, prune_k, restore,
                tie_order=None):
    # Host synchronisations (each sizes an output): the row pointer 0; per
    # product those of spgemm_topk; the union 0 on CPU (scipy), 1 elsewhere
    # (torch.unique); the output edge list 0. With P = 3 on CPU: 2 x (4 + 2
    # per block of 2^20 entries of the product), 12 where each product fits
    # one block. Returns the union's edge list (with `restore`: in its
    # numbering) and its attributes.
    base = (index2ptr(row, num_nodes), col, w_hat)
    loops = torch.arange(num_nodes, device=w_hat.device)
    patterns = [(torch.arange(num_nodes + 1, device=w_hat.device), loops)]
    values = [torch.ones(num_nodes, dtype=w_hat.dtype, device=w_hat.device)]
    cur = base
    for p in range(1, num_powers + 1):
        if p > 1:
            if mode == "matrix":
                cur = spgemm_topk(cur, base, num_nodes, prune_k, tie_order)
            else:
                cur = (cur[0], cur[1], cur[2] * w_hat)
        patterns.append(cur[:2])
        values.append(cur[2])
    ptr, col, positions = union(patterns, num_nodes)
    if restore is None:
        index = to_edge_index(ptr, col)
    else:
        # Moved to the output's numbering before the attributes exist: each
        # power's values go straight to their restored places (one [E, P+1]
        # tensor, never a reordered copy of it).
        index, moved = restore_rows(ptr, col, restore)
        del ptr, col
        where = inverse_permutation(moved)
        positions = [torch.gather(where, 0, pos) for pos in positions]
    return index, place(values, positions, index.size(1))
