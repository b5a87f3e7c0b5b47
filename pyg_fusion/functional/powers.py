r"""Graph power expansion (LEGO, docs/methods.md §1.3).

A relationship graph :math:`R` is normalised to :math:`\hat R` and expanded
into its powers

.. math::
    R^0 = I, \qquad R^p = R^{p-1} \hat R, \quad p = 1, \dots, P,

the multi-hop relationships the fusion operator mixes. Normalisation is a
**[choice]** (the paper is silent; an un-normalised power of a 32-node cosine
graph grows like :math:`32^p`): ``"sym"`` :math:`D^{-1/2} R D^{-1/2}`
(default), ``"row"`` :math:`D^{-1} R`, or ``None``, with :math:`D` the row sums
of :math:`|R|` (self loop included; all-zero rows stay 0). On the
non-negative graphs of ``nonneg="clamp"`` or ``"shift"`` these are the row
sums of :math:`R`; signed graphs (``nonneg=None``) take the absolute degrees
of signed spectral graph theory (Kunegis et al., WWW 2010), which never
vanish or change sign on a row that holds an entry, so the normalised powers
stay bounded. A degree that overflows its dtype is summed again over its
row divided by the row's largest magnitude, so the normalised graph does not
depend on the graph's scale. ``mode="hadamard"`` gives element-wise powers :math:`\hat R^{\circ p}` instead (the paper's
ablation); slice 0 is the identity in both modes.

The dense form returns ``[..., P+1, N, N]``; the sparse form returns the union
of the supports of all powers with ``edge_attr[:, p]`` holding :math:`R^p`.
Sparse powers run on compressed sparse rows (:mod:`._csr`): each product is
a library SpGEMM with exact gradients (:mod:`._spgemm`); ``prune_k`` keeps
the ``k`` entries of largest magnitude per row after each product (ties to
the smaller column; :mod:`._topk`), an approximation that bounds fill-in
(its error is measured by ``benchmarks/prune_error.py``).
"""
from __future__ import annotations

import torch
from torch import Tensor

from .._scatter import scatter_sum
from ._autocast import float32_under_autocast
from ._checks import (check_choice, check_edges, check_index, check_int, check_mask,
                      check_tensor)
from .order import restore_rows
from ._align import place, union
from ._csr import index2ptr, inverse_permutation, to_edge_index
from ._spgemm import spgemm_topk
from .relation import _dense_topk

NORMS = ("sym", "row", None)
MODES = ("matrix", "hadamard")


def _inv_pow(deg: Tensor, exponent: float) -> Tensor:
    # deg holds absolute row sums (>= 0). Padded or isolated rows have degree
    # 0: their factor is 0, and pow is
    # taken on a safe value so that its gradient there is 0, not NaN.
    pos = deg > 0
    safe = torch.where(pos, deg, torch.ones_like(deg))
    return torch.where(pos, safe.pow(exponent), torch.zeros_like(deg))


def _row_factor(deg: Tensor) -> tuple[Tensor, Tensor]:
    # 1 / deg, and where it overflows (a float32 degree below ~2.9e-39, e.g.
    # one subnormal weight) the degree to divide by instead (else 1): the
    # common case keeps its product's bits, those rows are divided (no sync)
    f = _inv_pow(deg, -1.0)
    over = torch.isinf(f)
    return torch.where(over, torch.zeros_like(f), f), torch.where(over, deg, torch.ones_like(deg))


# Degrees are the row sums of |R|, which overflow where the entries do not: a
# row of four float32 entries of 1e38 (a dot graph of features within the
# checks' limit) has degree inf, which would make its normalised row and
# column 0. Such rows are summed again divided by their largest magnitude: the degree
# is then the pair (deg, top), deg * top in exact arithmetic, every other
# row (deg, 1) with its bits unchanged.
def _overflowed(deg: Tensor) -> bool:
    # one host sync; under torch.compile no branch on data: the rescaled
    # path always runs, which gives the same values
    return torch.compiler.is_compiling() or bool(torch.isinf(deg).any())


def _rescaled(deg: Tensor, magnitude: Tensor, top: Tensor, sums) -> tuple[Tensor, Tensor]:
    # (deg, top) where deg overflowed, from the magnitudes' largest `top`
    # (detached: the degree deg * top is the same function of the weights)
    # and `sums`, which sums magnitudes divided by it
    over = torch.isinf(deg)
    top = torch.where(over & (top > 0), top, torch.ones_like(top))
    return torch.where(over, sums(magnitude, top), deg), top


def _dense_degrees(adj: Tensor) -> tuple[Tensor, Tensor | None]:
    """``(deg, top)``: the row sums of ``|adj|`` as ``deg * top``, ``top``
    :obj:`None` where no row sum overflows."""
    magnitude = adj.abs()
    deg = magnitude.sum(-1)
    if not _overflowed(deg):
        return deg, None
    return _rescaled(deg, magnitude, magnitude.detach().amax(-1),
                     lambda m, top: (m / top.unsqueeze(-1)).sum(-1))


def _sparse_degrees(edge_index: Tensor, edge_weight: Tensor, num_nodes: int, *,
                    coalesced: bool = False) -> tuple[Tensor, Tensor | None]:
    """:func:`abs_degrees` as ``(deg, top)``, the degrees ``deg * top``
    (``top`` :obj:`None` where no degree overflows; see
    :func:`_inv_sqrt_degrees`)."""
    if not coalesced:
        from torch_geometric.utils import coalesce
        edge_index, edge_weight = coalesce(edge_index, edge_weight, num_nodes)
    deg = _abs_degrees(edge_index, edge_weight, num_nodes, coalesced=True)
    if not _overflowed(deg):
        return deg, None
    row = edge_index[1]
    magnitude = edge_weight.abs()
    top = magnitude.detach().new_zeros(num_nodes).scatter_reduce_(
        0, row, magnitude.detach(), "amax")
    return _rescaled(deg, magnitude, top,
                     lambda m, t: scatter_sum(m / t.index_select(0, row), row, num_nodes))


def _inv_sqrt_degrees(deg: Tensor, top: Tensor | None) -> Tensor:
    """:math:`d^{-1/2}` of the degrees ``deg * top`` (0 where 0)."""
    d = _inv_pow(deg, -0.5)
    return d if top is None else d * _inv_pow(top, -0.5)


@float32_under_autocast
def dense_normalize(adj: Tensor, norm="sym") -> Tensor:
    """Normalises dense graphs ``[..., N, N]`` (see module docstring).

    Args:
        adj (torch.Tensor): ``[..., N, N]``.
        norm (str, optional): :obj:`"sym"`, :obj:`"row"` or :obj:`None`.
            (default: :obj:`"sym"`)

    Returns:
        torch.Tensor: ``[..., N, N]``.
    """
    check_tensor("adj", adj, floating=True, finite=True)
    if adj.dim() < 2 or adj.size(-1) != adj.size(-2):
        raise ValueError(f"adj must be square [..., N, N], got {tuple(adj.shape)}")
    check_choice("norm", norm, NORMS)
    return _dense_normalize(adj, norm)


def _dense_normalize(adj: Tensor, norm) -> Tensor:
    # dense_normalize without the checks (dense_graph_powers has made them)
    if norm is None:
        return adj
    deg, top = _dense_degrees(adj)
    if norm == "sym":
        d = _inv_sqrt_degrees(deg, top)
        return d.unsqueeze(-1) * adj * d.unsqueeze(-2)
    f, div = _row_factor(deg)
    f, div = f.unsqueeze(-1), div.unsqueeze(-1)
    out = torch.where(div != 1, adj / div, f * adj)
    return out if top is None else out / top.unsqueeze(-1)


@float32_under_autocast
def normalize(edge_index: Tensor, edge_weight: Tensor, num_nodes: int,
              norm="sym") -> Tensor:
    """Normalised edge weights of a sparse graph (see module docstring): the
    degree of node :math:`i` is the sum of the magnitudes of row :math:`i`
    of the dense graph (:func:`abs_degrees`: repeated edges are one entry).

    Args:
        edge_index (torch.Tensor): ``[2, E]`` (source, target).
        edge_weight (torch.Tensor): ``[E]``.
        num_nodes (int): :math:`N`.
        norm (str, optional): :obj:`"sym"`, :obj:`"row"` or :obj:`None`.
            (default: :obj:`"sym"`)

    Returns:
        torch.Tensor: ``[E]``.
    """
    check_choice("norm", norm, NORMS)
    check_int("num_nodes", num_nodes, minimum=0)
    edge_index = check_edges(edge_index, edge_weight, num_nodes)
    if norm is None:
        return edge_weight
    return _normalize(edge_index, edge_weight,
                      _sparse_degrees(edge_index, edge_weight, num_nodes), norm)


@float32_under_autocast
def abs_degrees(edge_index: Tensor, edge_weight: Tensor, num_nodes: int, *,
                coalesced: bool = False) -> Tensor:
    r"""``[N]``: the row sums of :math:`|R|`, :math:`R` the dense graph of the
    edge list (``R[i, j]`` the weight of :math:`j \to i`). Repeated edges
    are one entry of :math:`R`, their weights summed before the magnitude is
    taken (PyG's ``coalesce``), as :func:`~pyg_fusion.functional.edges_to_dense`
    sums them: a pair of edges of weights 1 and -0.5 is the entry 0.5.

    Args:
        edge_index (torch.Tensor): ``[2, E]`` (source, target).
        edge_weight (torch.Tensor): ``[E]``.
        num_nodes (int): :math:`N`.
        coalesced (bool, optional): :obj:`True` when each (source, target)
            pair occurs once (e.g. a :class:`~pyg_fusion.nn.FusedGraph`'s
            edges): the magnitudes are summed as they are, without the sort
            that finds repeated edges (20x the sum at 10M edges). (default:
            :obj:`False`)
    """
    check_int("num_nodes", num_nodes, minimum=0)
    edge_index = check_edges(edge_index, edge_weight, num_nodes)
    return _abs_degrees(edge_index, edge_weight, num_nodes, coalesced=coalesced)


def _abs_degrees(edge_index: Tensor, edge_weight: Tensor, num_nodes: int, *,
                 coalesced: bool = False) -> Tensor:
    # abs_degrees of checked arguments (the callers' own checks ran)
    if not coalesced:
        from torch_geometric.utils import coalesce
        edge_index, edge_weight = coalesce(edge_index, edge_weight, num_nodes)
    magnitude = edge_weight.abs()
    if magnitude.is_cuda and magnitude.dtype != torch.float64:
        # On CUDA the scatter adds by atomics, which flush subnormal inputs
        # and results to 0 in float32 (PTX atom.add.f32) and round every step
        # in 16 bits: a row whose weights are subnormal would get degree 0
        # and lose its entries, where the CPU keeps them (_row_factor). In
        # float64 they are normal numbers.
        return scatter_sum(magnitude.double(), edge_index[1], num_nodes).to(magnitude.dtype)
    return scatter_sum(magnitude, edge_index[1], num_nodes)


def _normalize(edge_index: Tensor, edge_weight: Tensor, degrees: tuple[Tensor, Tensor | None],
               norm: str) -> Tensor:
    # degrees: (deg, top) of _sparse_degrees
    col, row = edge_index  # (source j, target i) holds R[i, j]
    deg, top = degrees
    if norm == "sym":
        d = _inv_sqrt_degrees(deg, top)
        return d[row] * edge_weight * d[col]
    f, div = _row_factor(deg)
    f, div = f[row], div[row]
    out = torch.where(div != 1, edge_weight / div, f * edge_weight)
    return out if top is None else out / top[row]


def _check_powers_args(num_powers, norm, mode, prune_k) -> None:
    check_int("num_powers", num_powers, minimum=0)
    check_choice("norm", norm, NORMS)
    check_choice("mode", mode, MODES)
    if prune_k is not None:
        check_int("prune_k", prune_k, minimum=1)


@float32_under_autocast
def dense_graph_powers(adj: Tensor, num_powers: int, norm="sym", mode: str = "matrix",
                       *, prune_k: int | None = None,
                       mask: Tensor | None = None) -> Tensor:
    r"""Powers of dense graphs.

    Args:
        adj (torch.Tensor): ``[N, N]`` or ``[B, N, N]``.
        num_powers (int): :math:`P` (>= 0).
        norm (str, optional): :obj:`"sym"`, :obj:`"row"` or :obj:`None`.
            (default: :obj:`"sym"`)
        mode (str, optional): :obj:`"matrix"` or :obj:`"hadamard"`.
            (default: :obj:`"matrix"`)
        prune_k (int, optional): keep the ``k`` largest-magnitude entries per
            row after each product (the dense twin of :func:`graph_powers`'
            ``prune_k``). (default: :obj:`None`, exact)
        mask (torch.Tensor, optional): ``[B, N]`` bool, :obj:`False` for padded
            nodes (their identity entry is 0 too). (default: :obj:`None`)

    Returns:
        ``[..., P+1, N, N]``, slice ``p`` holding :math:`R^p`.
    """
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
    r_hat = _dense_normalize(adj, norm)
    powers = [eye]
    cur = None
    for _ in range(num_powers):
        if cur is None:
            cur = r_hat
        elif mode == "matrix":
            cur = cur @ r_hat
        else:
            cur = cur * r_hat
        if prune_k is not None and mode == "matrix" and len(powers) > 1:
            # A row with fewer than prune_k non-zeros loses nothing: its zeros
            # are no entries to prune, and keeping them keeps the derivative
            # there (an entry moved off 0 would be kept), as the sparse
            # product keeps its structural zeros where the row has at most
            # prune_k entries; a longer one keeps prune_k, the zeros by
            # smaller column, to keep the bound on fill-in (docs/methods.md
            # 1.3): the same values, the gradient at the dropped zeros 0.
            whole = (cur.detach() != 0).sum(-1, keepdim=True) < min(prune_k, cur.size(-1))
            cur = torch.where(whole, cur, _dense_topk(cur, prune_k, include_diagonal=True))
        powers.append(cur)
    return torch.stack(powers, dim=-3)


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
            the module docstring). (default: :obj:`"sym"`)
        mode (str, optional): :obj:`"matrix"` or :obj:`"hadamard"`.
            (default: :obj:`"matrix"`)
        prune_k (int, optional): keep the ``k`` largest-magnitude entries per
            row after each product. (default: :obj:`None`, exact)
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
    rows, edge_weight = _coalesced(edge_index.flip(0), edge_weight, num_nodes)
    w_hat = edge_weight if norm is None else _normalize(
        rows.flip(0), edge_weight,
        _sparse_degrees(rows.flip(0), edge_weight, num_nodes, coalesced=True), norm)
    return _powers_csr(rows, w_hat, num_nodes, num_powers, mode, prune_k, restore, tie_order)


def _check_permutation(name: str, perm, num_nodes: int) -> None:
    check_index(name, perm, num_nodes, "node ids")
    if perm.numel() != num_nodes or \
            not bool(torch.bincount(perm, minlength=num_nodes).eq(1).all()):
        raise ValueError(f"{name} must be a permutation of the {num_nodes} nodes (each "
                         f"once), got {perm.numel()} entries with "
                         f"{perm.unique().numel()} distinct")


def _coalesced(edge_index: Tensor, edge_weight: Tensor, num_nodes: int):
    key = edge_index[0] * num_nodes + edge_index[1]
    if key.numel() < 2 or bool((key[1:] > key[:-1]).all()):
        return edge_index, edge_weight
    from torch_geometric.utils import coalesce
    return coalesce(edge_index, edge_weight, num_nodes)


def _powers_csr(edge_index, w_hat, num_nodes, num_powers, mode, prune_k, restore,
                tie_order=None):
    # Host synchronisations (each sizes an output): the row pointer 0; per
    # product those of spgemm_topk; the union 0 on CPU (scipy), 1 elsewhere
    # (torch.unique); the output edge list 0. With P = 3 on CPU: 2 x (4 + 2
    # per block of 2^20 entries of the product), 12 where each product fits
    # one block. Returns the union's edge list (with `restore`: in its
    # numbering) and its attributes.
    base = (index2ptr(edge_index[0], num_nodes), edge_index[1], w_hat)
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
