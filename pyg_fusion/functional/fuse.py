r"""The learnable graph fusion operator of LEGO (docs/methods.md §1.4;
`paper <https://arxiv.org/abs/2410.01506>`_).

Pairwise, for sources :math:`a, b` with :math:`P` and :math:`Q` powers and a
learnable signed :math:`A \in \mathbb{R}^{(P+1) \times (Q+1)}`:

.. math::
    G = \sum_{p=0}^{P} \sum_{q=0}^{Q} A_{pq}\, R_a^p \circ R_b^q,
    \qquad G_{ij} = x_{ij}^\top A\, y_{ij},

with :math:`x_{ij} = (R_a^0[i,j], \dots, R_a^P[i,j])` and :math:`y_{ij}` alike:
a bilinear function of the per-hop relationship scores of each pair of units.
Terms with :math:`p = 0` or :math:`q = 0` touch only the diagonal.

``zeroth="ones"`` (ours, beyond the paper) replaces the zeroth power by the
Hadamard identity, 1 on every entry of the support, the entries where some
power of some input is non-zero (the diagonal included; sparse and dense
forms alike): then :math:`A_{p0} R_a^p` and :math:`A_{0q} R_b^q` are
single-source terms, :math:`A_{00}` a constant on the support, and the mean
of the graphs, :math:`A = \tfrac12 (e_{10} + e_{01})`, is a special case of
the operator as well as their product, :math:`A = e_{11}`.

``term_scale="mean"`` or ``"rms"`` (ours; pairwise and full forms) brings
each term to the per-graph scale of the product term
(:mod:`~pyg_fusion.functional.term_scale`), so that :math:`A` weighs terms
of one scale.

The M-way forms live beside this module, the CP form in :mod:`.fuse_cp` and
the full operator in :mod:`.fuse_full`; this module holds what they share
with the pairwise form: the sources brought onto one support, the checks of
their powers and the contraction with a full operator. The support of the
fused graph and the zeroth power ``"ones"`` are in :mod:`._fused_support`.
"""
from __future__ import annotations

import torch
from torch import Tensor

from ._autocast import float32_under_autocast
from ._checks import (check_choice, check_edge_index, check_int, check_like, check_sources,
                      check_tensor)
from ._align import (common_edges, common_of_union, place_rows, select_rows, union_edges,
                     union_of_edges)
from ._csr import to_edge_index
# dense_fused_support: imported from here by callers of this module
from ._fused_support import ZEROTH, _ones_columns, _with_zeroth, dense_fused_support  # noqa: F401
from .term_scale import TERM_SCALES, check_scale_batch, entry_graphs, scaled_operator

# the public names (the other functions without a leading _ serve the
# package's modules)
__all__ = ["lego_fuse", "lego_fuse_sparse"]


def _check_A(A: Tensor, p1: int, q1: int) -> None:
    check_tensor("A", A, dims=(2, ), floating=True, finite=True)
    if tuple(A.shape) != (p1, q1):
        raise ValueError(f"A must have shape [P+1, Q+1] = [{p1}, {q1}] to match the "
                         f"powers, got {list(A.shape)}")


@float32_under_autocast
def lego_fuse(powers_a: Tensor, powers_b: Tensor, A: Tensor, *,
              zeroth: str = "identity", term_scale: str = "none") -> Tensor:
    """Dense pairwise fusion: ``[..., P+1, N, N]``, ``[..., Q+1, N, N]``,
    ``[P+1, Q+1]`` -> ``G`` ``[..., N, N]``; ``zeroth``: ``"identity"``
    (:math:`R^0 = I`, the paper) or ``"ones"`` (see the module docstring).

    Args:
        powers_a (torch.Tensor): ``[..., P+1, N, N]``.
        powers_b (torch.Tensor): ``[..., Q+1, N, N]``.
        A (torch.Tensor): ``[P+1, Q+1]``.
        zeroth (str, optional): :obj:`"identity"` (:math:`R^0 = I`, the
            paper) or :obj:`"ones"` (see the module docstring).
            (default: :obj:`"identity"`)
        term_scale (str, optional): :obj:`"none"`, or each term brought to
            the per-graph scale of the product term, :obj:`"mean"` or
            :obj:`"rms"` (:mod:`~pyg_fusion.functional.term_scale`).
            (default: :obj:`"none"`)

    Returns:
        torch.Tensor: ``G`` ``[..., N, N]``.
    """
    check_choice("term_scale", term_scale, TERM_SCALES)
    check_tensor("powers_a", powers_a, floating=True, finite=True)
    check_tensor("powers_b", powers_b, floating=True, finite=True)
    if powers_a.dim() < 3 or powers_b.dim() < 3:
        raise ValueError("powers_a and powers_b must be [..., P+1, N, N]")
    if powers_a.shape[-2:] != powers_b.shape[-2:] or \
            powers_a.shape[:-3] != powers_b.shape[:-3]:
        raise ValueError(f"powers_a {tuple(powers_a.shape)} and powers_b "
                         f"{tuple(powers_b.shape)} must describe the same N units "
                         "(and batch)")
    check_like("powers_b", powers_b, "powers_a", powers_a)
    _check_A(A, powers_a.size(-3), powers_b.size(-3))
    check_like("A", A, "powers_a", powers_a)
    powers_a, powers_b = _with_zeroth([powers_a, powers_b], zeroth)
    if term_scale != "none":
        xs = [powers_a.movedim(-3, -1), powers_b.movedim(-3, -1)]
        return _contract_full(scaled_operator(A, xs, term_scale), xs)
    # Mixing b's powers first costs (P+1)(Q+1) N^2 once, then one product.
    mixed_b = torch.einsum("pq,...qij->...pij", A, powers_b)
    return (powers_a * mixed_b).sum(-3)


def _check_attr(name: str, attr: Tensor, index: Tensor, num_nodes: int,
                index_name: str) -> Tensor:
    index = check_edge_index(index_name, index, num_nodes)
    check_tensor(name, attr, dims=(2, ), floating=True, finite=True)
    check_like(name, attr, index_name, index)
    if attr.size(0) != index.size(1):
        raise ValueError(f"{name} must be [E, P+1] with one row per edge "
                         f"({index.size(1)}), got {tuple(attr.shape)}")
    return index


def check_source_powers(powers, sources: list[str], num_nodes: int | None = None, *,
                        edges: bool = False, num_powers: dict | None = None) -> bool:
    """The powers of :class:`~pyg_fusion.nn.LEGOFusion`: a dict holding
    exactly ``sources``, every value dense ``[..., P+1, N, N]`` or every one
    a sparse pair ``(edge_index, edge_attr)``; returns whether they are
    sparse. ``edges=True`` checks each sparse pair too, for callers that
    reach :func:`align_pair` directly: its unions hand the indices to scipy,
    which reads out of bounds (no error) on an index beyond ``num_nodes``.
    ``num_powers``: the :math:`P` per source the operator was built for."""
    check_sources("powers", powers, sources, shape="[..., P+1, N, N] or (edge_index, edge_attr)")
    forms = {}
    for s in sources:
        p = powers[s]
        if isinstance(p, Tensor):
            forms[s] = "dense"
        elif isinstance(p, (tuple, list)) and len(p) == 2:
            forms[s] = "sparse"
        else:
            raise TypeError(f"powers[{s!r}] must be dense powers [..., P+1, N, N] or a pair "
                            f"(edge_index [2, E], edge_attr [E, P+1]), got "
                            f"{type(p).__name__}" + (f" of {len(p)}" if isinstance(
                                p, (tuple, list)) else ""))
    if len(set(forms.values())) > 1:
        raise TypeError(f"powers must be all dense or all sparse, got {forms}")
    sparse = forms[sources[0]] == "sparse"
    if sparse and num_nodes is None:
        raise ValueError("num_nodes is required with sparse powers")
    for s in sources if num_powers is not None else ():
        # else the operator's shape check would blame A for the powers' P
        p, dim, form = ((powers[s][1], 1, "[1]: [E, P+1]") if sparse
                        else (powers[s], -3, ": [..., P+1, N, N]"))
        if isinstance(p, Tensor) and p.dim() >= (2 if sparse else 3) and \
                p.size(dim) != num_powers[s] + 1:
            raise ValueError(f"powers[{s!r}] holds P = {p.size(dim) - 1} (powers[{s!r}]{form}, "
                             f"got {tuple(p.shape)}), but the operator was built for "
                             f"num_powers[{s!r}] = {num_powers[s]}")
    if sparse and edges:
        check_int("num_nodes", num_nodes, minimum=1)
        first = f"powers[{sources[0]!r}][1]"
        for s in sources:
            _check_attr(f"powers[{s!r}][1]", powers[s][1], powers[s][0], num_nodes,
                        f"powers[{s!r}][0]")
            check_like(f"powers[{s!r}][1]", powers[s][1], first, powers[sources[0]][1])
    return sparse


@float32_under_autocast
def lego_fuse_sparse(edge_index_a: Tensor, attr_a: Tensor, edge_index_b: Tensor,
                     attr_b: Tensor, A: Tensor, num_nodes: int, *,
                     support: str = "union", zeroth: str = "identity",
                     term_scale: str = "none", batch: Tensor | None = None
                     ) -> tuple[Tensor, Tensor]:
    """Sparse pairwise fusion: per edge, :math:`G_e = x_e^T A y_e`.

    Args:
        edge_index_a (torch.Tensor): ``[2, E_a]`` from :func:`graph_powers`.
        attr_a (torch.Tensor): ``[E_a, P+1]``.
        edge_index_b (torch.Tensor): ``[2, E_b]``.
        attr_b (torch.Tensor): ``[E_b, Q+1]``.
        A (torch.Tensor): ``[P+1, Q+1]``.
        num_nodes (int): :math:`N`.
        support (str, optional): :obj:`"union"` (the union of both supports;
            with :obj:`zeroth="identity"` entries outside their intersection
            are 0) or :obj:`"intersection"` (only the entries both inputs
            have: with :obj:`zeroth="identity"` the same non-zero values,
            fewer edges; with :obj:`"ones"` the single-source terms off the
            intersection are cut). (default: :obj:`"union"`)
        zeroth (str, optional): :obj:`"identity"` or :obj:`"ones"` (the
            Hadamard identity on the support: see the module docstring).
            (default: :obj:`"identity"`)
        term_scale (str, optional): :obj:`"none"`, :obj:`"mean"` or
            :obj:`"rms"` (see :func:`lego_fuse`). (default: :obj:`"none"`)
        batch (torch.Tensor, optional): ``[N]``, the graph of each node
            (PyG's sorted ``batch``): the term scales are per graph.
            (default: :obj:`None`, one graph)

    Returns:
        ``(edge_index [2, E], edge_weight [E])``, sorted by target, then source.
    """
    check_int("num_nodes", num_nodes, minimum=1)
    edge_index_a = _check_attr("attr_a", attr_a, edge_index_a, num_nodes, "edge_index_a")
    edge_index_b = _check_attr("attr_b", attr_b, edge_index_b, num_nodes, "edge_index_b")
    check_like("attr_b", attr_b, "attr_a", attr_a)
    _check_A(A, attr_a.size(1), attr_b.size(1))
    check_like("A", A, "attr_a", attr_a)
    check_choice("support", support, ("union", "intersection"))
    check_choice("zeroth", zeroth, ZEROTH)
    check_choice("term_scale", term_scale, TERM_SCALES)
    check_scale_batch(batch, num_nodes, term_scale, ("attr_a", attr_a))
    if term_scale != "none" or zeroth == "ones" or support == "intersection":
        index, xa, yb = align_pair(edge_index_a, attr_a, edge_index_b, attr_b, num_nodes,
                                   support=support, zeroth=zeroth)
        if term_scale != "none":
            return index, _scaled_contract(A, [xa, yb], index, term_scale, batch, num_nodes)
        return index, ((xa @ A) * yb).sum(-1)
    # With the attributes as given, G is 0 off the intersection (one factor
    # of every term is a zero row) and so is its gradient: the bilinear form
    # runs on the common entries only, gathered from each input, and is
    # placed into the union.
    names = ["edge_index_a", "edge_index_b"]
    ptr, col, positions = union_of_edges([edge_index_a, edge_index_b], num_nodes, names)
    slots, (own_a, own_b) = common_of_union(positions, col.numel())
    del positions
    weight = ((select_rows(attr_a, own_a) @ A) * select_rows(attr_b, own_b)).sum(-1)
    return to_edge_index(ptr, col), weight.new_zeros(col.numel()).index_copy(0, slots, weight)


@float32_under_autocast
def align_pair(edge_index_a: Tensor, attr_a: Tensor, edge_index_b: Tensor, attr_b: Tensor,
               num_nodes: int, *, support: str = "union", zeroth: str = "identity"
               ) -> tuple[Tensor, Tensor, Tensor]:
    """The two sources' powers on one common support: ``(edge_index [2, E],
    x [E, P+1], y [E, Q+1])`` with zero rows where a source has no entry (or,
    with ``support="intersection"``, only the entries both have). The part of
    :func:`lego_fuse_sparse` that does not depend on :math:`A`, for callers
    that fuse the same powers many times. ``zeroth="ones"`` sets column 0
    to 1 on the support (see the module docstring)."""
    index, (xa, yb) = _align_all([edge_index_a, edge_index_b], [attr_a, attr_b], num_nodes,
                                 support, zeroth, ["edge_index_a", "edge_index_b"])
    return index, xa, yb


def _check_dense_powers(powers: list[Tensor]) -> None:
    if len(powers) < 1:
        raise ValueError("powers must hold at least one source")
    for m, pw in enumerate(powers):
        check_tensor(f"powers[{m}]", pw, floating=True, finite=True)
        if pw.dim() < 3:
            raise ValueError(f"powers[{m}] must be [..., P_m+1, N, N] (at least 3 "
                             f"dimensions), got shape {tuple(pw.shape)}")
        check_like(f"powers[{m}]", pw, "powers[0]", powers[0])
        if pw.shape[:-3] + pw.shape[-2:] != powers[0].shape[:-3] + powers[0].shape[-2:]:
            raise ValueError(f"powers[{m}] {tuple(pw.shape)} does not describe the same "
                             f"N units (and batch) as powers[0] {tuple(powers[0].shape)}")


def _check_sparse_powers(edge_indices: list[Tensor], attrs: list[Tensor],
                         num_nodes: int) -> list[Tensor]:
    if len(edge_indices) != len(attrs) or not attrs:
        raise ValueError("edge_indices and attrs must be non-empty lists of equal length")
    check_int("num_nodes", num_nodes, minimum=1)
    indices = []  # as plain tensors (check_edge_list)
    for m, (ei, at) in enumerate(zip(edge_indices, attrs)):
        indices.append(_check_attr(f"attrs[{m}]", at, ei, num_nodes, f"edge_indices[{m}]"))
        check_like(f"attrs[{m}]", at, "attrs[0]", attrs[0])
    return indices


def _align_all(edge_indices: list[Tensor], attrs: list[Tensor], num_nodes: int,
               support: str, zeroth: str, names: list[str] | None = None
               ) -> tuple[Tensor, list[Tensor]]:
    """Every source's powers on one support: ``(edge_index, xs)``, ``xs[m]``
    ``[E, P_m+1]``. With ``support="union"`` zero rows where source ``m`` has
    no entry; with ``"intersection"`` only the entries every source has
    (with :math:`R^0 = I` every term is 0 elsewhere, so dropping them
    changes no value and no gradient), each source's own rows selected
    there (:func:`~._align.select_rows`: nothing of the union's size is
    formed, nor a gradient of the attributes' size). ``names``: the edge
    lists in errors (default ``edge_indices[m]``)."""
    check_choice("support", support, ("union", "intersection"))
    check_choice("zeroth", zeroth, ZEROTH)
    names = names or [f"edge_indices[{m}]" for m in range(len(attrs))]
    if support == "intersection":
        own = common_edges(list(edge_indices), num_nodes, names)
        # int64 whatever the input's type, as the union's edge list
        index = torch.stack([torch.gather(edge_indices[0][0], 0, own[0]),
                             torch.gather(edge_indices[0][1], 0, own[0])]).long()
        xs = [select_rows(at, o) for at, o in zip(attrs, own)]
    else:
        index, positions = union_edges(list(edge_indices), num_nodes, names)
        xs = [place_rows(at, pos, index.size(1)) for at, pos in zip(attrs, positions)]
    if zeroth == "ones":
        xs = _ones_columns(xs)
    return index, xs


def _contract_full(A: Tensor, xs: list[Tensor], graph: Tensor | None = None) -> Tensor:
    r""":math:`\sum_{p_1..p_M} A_{p_1..p_M} \prod_m x_m[..., p_m]`, the powers
    of each source along the last dimension of ``xs[m]``. The last source is
    contracted first, then one source at a time: the largest intermediate
    holds :math:`\prod_{m<M} (P_m+1)` values per entry, and no term of the
    :math:`\prod_m (P_m+1)` is formed on its own. ``A`` is one operator, or
    one per graph (scaled terms): dense ``[..., P_1+1, ..., P_M+1]`` against
    ``xs[m]`` ``[..., N, N, P_m+1]``, sparse ``[num_graphs, ...]`` with
    ``graph`` ``[E]``, the graph of each entry."""
    m, k = len(xs), A.size(-1)
    flat = A.reshape(*A.shape[:A.dim() - m], -1, k)  # [..., K, P_M+1]
    if A.dim() == m:
        c = xs[-1] @ flat.t()  # [..., K], K: the other sources' sizes
    elif graph is None:
        c = xs[-1] @ flat.unsqueeze(-3).transpose(-1, -2)
    else:
        c = torch.einsum("ek,ejk->ej", xs[-1], flat.index_select(0, graph))
    for x in reversed(xs[:-1]):
        c = (c.unflatten(-1, (-1, x.size(-1))) * x.unsqueeze(-2)).sum(-1)
    return c.squeeze(-1)


def _scaled_contract(A: Tensor, xs: list[Tensor], index: Tensor, term_scale: str,
                     batch: Tensor | None, num_nodes: int) -> Tensor:
    """Sparse: the contraction with each graph's scaled operator."""
    graph, num_graphs = entry_graphs(index, batch, num_nodes)
    return _contract_full(scaled_operator(A, xs, term_scale, graph, num_graphs), xs, graph)
