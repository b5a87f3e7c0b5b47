"""Which zero entries of LEGO's sparse graphs still carry a gradient.

The sparse backend drops the entries of a source's powers that are 0 in
every power (:class:`~pyg_fusion.nn.LEGOFusion` with ``keep_zeros``), as the
dense backend reads its support from the values. An entry may be 0 now and
still move with the features: a dot similarity with an all-zero row, the
cosine of two orthogonal rows, a similarity of exactly 0 under
``nonneg="clamp"`` (torch's clamp passes the gradient at its bound), or a sum
of signed terms that cancels (``nonneg=None``, coarsened sources, powers).
Dropping such an entry would give it a gradient of 0 where the dense backend
gives the true derivative. Entries that are 0 with a gradient of 0 (a
negative similarity clamped to 0, the cosine of an all-zero row, an rbf
weight that underflowed, and every path through them) are still dropped.
"""
from __future__ import annotations

import torch
from torch import Tensor

from ._csr import nonzero_rows
from .similarity import _pair_similarity


def pair_live_zeros(x: Tensor, row: Tensor, col: Tensor, weight: Tensor,
                    metric: str) -> Tensor | None:
    """``[E]`` bool: the pairs ``(row, col)`` of weight exactly 0 whose
    gradient in ``x`` need not be 0 (their similarity before ``nonneg`` is
    0, and a unit of the pair has features that move it); :obj:`None` where
    there are none (one host sync)."""
    if metric == "rbf":  # exp(-gamma d^2) is 0 only where it underflowed: gradient 0
        return None
    with torch.no_grad():
        zero = weight.eq(0).nonzero().view(-1)
        if not zero.numel():
            return None
        r, c = row[zero], col[zero]
        before = _pair_similarity(x, r, c, metric, None, None)
        moves = x.ne(0).any(-1)
        # dot: d(x_i . x_j)/dx_i = x_j; cosine: an all-zero row passes no gradient
        moves = moves[r] | moves[c] if metric == "dot" else moves[r] & moves[c]
        live = before.eq(0) & moves
        if not bool(live.any()):
            return None
        out = torch.zeros(weight.shape, dtype=torch.bool, device=weight.device)
        out[zero[live]] = True
        return out


def live_power_entries(edge_index: Tensor, weight: Tensor, live: Tensor,
                       power_index: Tensor, num_nodes: int, num_powers: int, mode: str,
                       restore: Tensor | None) -> Tensor:
    """``[E']`` bool over the entries ``power_index`` of the powers of the
    graph ``(edge_index, weight)`` (in the numbering ``restore`` gives them):
    those reached by a path of entries that are non-zero or ``live``, the
    entries whose gradient need not be 0 (paths only: no normalisation, no
    pruning, so that no count of paths cancels)."""
    from .powers import _graph_powers
    with torch.no_grad():
        ones = (weight.ne(0) | live).to(weight.dtype)
        index, attr = _graph_powers(edge_index, ones, num_nodes, num_powers, None, mode,
                                    None, restore, None, own_orders=True)
        reached = index[:, nonzero_rows(attr[:, 1:])]
        keys = power_index[1] * num_nodes + power_index[0]
        return torch.isin(keys, reached[1] * num_nodes + reached[0])


def coarsened_live(fine_index: Tensor, fine_weight: Tensor, x: Tensor, assign: Tensor,
                   num_nodes: int, metric: str, signed: bool
                   ) -> tuple[Tensor, Tensor, Tensor | None]:
    """A fine graph of the units ``x`` pooled to the nodes (:func:`coarsen`),
    and its entries that are 0 with a gradient (:obj:`None` where none): a
    fine entry that is, or ``signed`` fine weights that cancel."""
    from .coarsen import coarsen
    index, weight = coarsen(fine_index, fine_weight, assign, num_nodes)
    live = pair_live_zeros(x, fine_index[1], fine_index[0], fine_weight, metric)
    if live is None and not (signed and bool((fine_weight < 0).any())):
        return index, weight, None
    with torch.no_grad():
        on = fine_weight.ne(0) if live is None else fine_weight.ne(0) | live
        paths = coarsen(fine_index, on.to(weight.dtype), assign, num_nodes)[1]
        live = weight.eq(0) & paths.ne(0)
    return index, weight, live if bool(live.any()) else None


def kept_entries(edge_index: Tensor, weight: Tensor, live: Tensor | None,
                 powers: tuple[Tensor, Tensor], num_nodes: int, num_powers: int, mode: str,
                 restore: Tensor | None, signed: bool) -> Tensor | None:
    """``[E']`` bool over the entries of ``powers`` (the powers of the graph
    ``(edge_index, weight)``): where some power is non-zero, and where all
    are 0 but the gradient need not be; :obj:`None` for the non-zero ones
    (no entry is 0 with a gradient)."""
    if live is None and not (signed and bool((weight < 0).any())):
        return None
    nonzero = nonzero_rows(powers[1])
    if bool(nonzero.all()):
        return None
    live = torch.zeros(weight.shape, dtype=torch.bool, device=weight.device) \
        if live is None else live
    return nonzero | live_power_entries(edge_index, weight.detach(), live, powers[0],
                                        num_nodes, num_powers, mode, restore)


def zeros_may_move(metric: str, nonneg) -> bool:
    """Whether a weight of 0 of a graph of these options may have a gradient
    (rbf's only where it underflowed; shift's only at cosine -1): whether
    :func:`dense_live_zeros` looks for any."""
    return metric != "rbf" and nonneg != "shift"


def dense_live_zeros(x: Tensor, adj: Tensor, mask: Tensor | None, metric: str,
                     nonneg, scores: Tensor | None = None) -> Tensor | None:
    """The dense twin of :func:`pair_live_zeros`: bool ``[B, N, N]``, the
    real pairs of the padded units ``x`` ``[B, N, d]`` (``mask``) whose
    weight in ``adj`` is 0 and whose gradient need not be (on or off the
    graphs' support); :obj:`None` where there are none. ``scores``: the
    search scores of ``x`` (:func:`~.relation.knn_scores`, as the support's
    search computed them), which for cosine and dot are the similarity
    before ``nonneg`` (the same products: no second one is computed).
    Signed weights whose sums in a power cancel are found by the paths of
    the graph's entries (:func:`dense_reach`, the caller's), as
    :func:`kept_entries` finds them on the sparse backend."""
    from .similarity import dense_relation_graph
    if not zeros_may_move(metric, nonneg):
        return None
    with torch.no_grad():
        if not bool(adj.eq(0).any()):
            return None
        # (not adj with nonneg=None: the entries off a kNN support are 0 too)
        # 16-bit units are ranked in float32 but compared in their own dtype
        before = scores if scores is not None and x.dtype in (torch.float32, torch.float64) \
            else dense_relation_graph(x, metric, None, mask=mask)
        moves = x.ne(0).any(-1)
        if mask is not None:
            moves = moves & mask
        pair = (moves.unsqueeze(-1) | moves.unsqueeze(-2) if metric == "dot"
                else moves.unsqueeze(-1) & moves.unsqueeze(-2))
        if mask is not None:
            pair = pair & mask.unsqueeze(-1) & mask.unsqueeze(-2)
        # (the diagonal is never live: cosine's is 1, dot's 0 only for a
        # unit of zero features, which moves nothing)
        live = adj.eq(0) & before.eq(0) & pair
        return live if bool(live.any()) else None


def dense_reach(on: Tensor, num_powers: int, mode: str, mask: Tensor | None) -> Tensor:
    """bool ``[B, N, N]``: the entries of the powers reached by a path of
    the entries ``on`` (paths only: no normalisation, no pruning)."""
    from .powers import dense_graph_powers
    with torch.no_grad():
        paths = dense_graph_powers(on.to(torch.get_default_dtype()), num_powers, None, mode,
                                   mask=mask)
        return paths[..., 1:, :, :].ne(0).any(-3)
