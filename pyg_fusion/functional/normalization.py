r"""Degrees and normalisation of a relationship graph before its powers
(:mod:`~pyg_fusion.functional.powers`).

Normalisation is a **[choice]** (the paper is silent; an un-normalised power
of a 32-node cosine graph grows like :math:`32^p`): ``"sym"`` :math:`D^{-1/2} R D^{-1/2}`
(default), ``"row"`` :math:`D^{-1} R`, or ``None``, with :math:`D` the row sums
of :math:`|R|` (self loop included; all-zero rows stay 0). On the
non-negative graphs of ``nonneg="clamp"`` or ``"shift"`` these are the row
sums of :math:`R`; signed graphs (``nonneg=None``) take the absolute degrees
of signed spectral graph theory (Kunegis et al., WWW 2010), which never
vanish or change sign on a row that holds an entry, so the normalised powers
stay bounded. A degree that overflows its dtype is summed again over its
row divided by the row's largest magnitude, so the normalised graph does not
depend on the graph's scale.
"""
from __future__ import annotations

import torch
from torch import Tensor
from torch_geometric.utils import index_sort, scatter

from .._scatter import scatter_sum
from ._autocast import float32_under_autocast
from ._checks import check_choice, check_edges, check_int, check_tensor

NORMS = ("sym", "row", None)


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


def _coalesce_order(edge_index: Tensor, num_nodes: int) -> tuple:
    """``(edges, perm, index)``: PyG's :func:`~torch_geometric.utils.coalesce`
    of ``edge_index`` as an order that coalesces any weights of these edges,
    bitwise as coalesce does: ``w[perm]`` in sorted order, then duplicates
    summed at ``index`` (``None``: no duplicates). A graph whose edges stay
    while its weights train sorts them once."""
    # coalesce's key (row-major), sort and duplicate mask
    key, perm = index_sort(edge_index[0] * num_nodes + edge_index[1],
                           max_value=num_nodes * num_nodes)
    first = torch.ones_like(key, dtype=torch.bool)
    first[1:] = key[1:] > key[:-1]
    edge_index = edge_index[:, perm]
    if bool(first.all()):
        return edge_index, perm, None
    index = torch.arange(key.numel(), device=key.device) - (~first).cumsum(0)
    return edge_index[:, first], perm, index


def _coalesced_weights(order: tuple, edge_weight: Tensor) -> Tensor:
    """``edge_weight`` coalesced as PyG's coalesce does, by ``order``
    (:func:`_coalesce_order` of its edges): sorted, duplicates summed."""
    _, perm, index = order
    edge_weight = edge_weight[perm]
    if index is None:
        return edge_weight
    return scatter(edge_weight, index, 0, order[0].size(1), "sum")


def _sparse_degrees(edge_index: Tensor, edge_weight: Tensor, num_nodes: int, *,
                    coalesced: bool = False, order: tuple | None = None
                    ) -> tuple[Tensor, Tensor | None]:
    """:func:`abs_degrees` as ``(deg, top)``, the degrees ``deg * top``
    (``top`` :obj:`None` where no degree overflows; see
    :func:`_inv_sqrt_degrees`); ``order``, :func:`_coalesce_order` of the
    edges, coalesces them without sorting."""
    if order is not None:
        edge_index, edge_weight = order[0], _coalesced_weights(order, edge_weight)
    elif not coalesced:
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
