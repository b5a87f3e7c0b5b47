"""The scores by which the relationship-graph searches rank neighbours
(:func:`knn_scores`: cosine, dot, or minus the squared distance for rbf) and
their threshold decision (:func:`threshold_keep`), shared by the sparse
search of :mod:`.relation` and the dense backend so that both keep the same
entries, ties and entries at the threshold included.
"""
from __future__ import annotations

import torch
from torch import Tensor

from ._autocast import float32_under_autocast
from ._topk import Scale, knn_rank_scale, knn_tie_scale, tie_tolerance
from .similarity import _apply_nonneg, _gamma, ranking_features

def _block_scores(xq: Tensor, xk: Tensor, metric: str, gamma) -> Tensor:
    # Ranking scores only (no gradient): any monotone transform of the metric
    # ranks neighbours identically, so rbf ranks by -squared distance. Cosine
    # rows come normalised (once for all chunks, not per chunk).
    if metric == "rbf":
        return -(torch.cdist(xq, xk).pow(2))
    return xq @ xk.transpose(-1, -2)


@float32_under_autocast
def knn_scores(x: Tensor, metric: str = "cosine", mask: Tensor | None = None
               ) -> tuple[Tensor, Scale]:
    """``([..., N, N] scores, tie scale)``: the scores by which
    the kNN searches rank the neighbours of ``x`` (``[N, d]`` or
    ``[B, N, d]``): cosine before ``nonneg``, dot, or minus the squared
    distance for rbf (whose ``exp`` would merge distant units into ties at
    0); ``-inf`` at padded units (``mask``); and the :func:`knn_tie_scale`
    of the rows (``[..., 1, 1]``, one per graph, for cosine; ``[..., N, 1]``
    for dot; for rbf the function of the rows' ``[..., N, 1]`` k-th scores
    that gives it, :func:`~._topk.knn_rank_scale`). The dense backend
    chooses its ``k`` by them (``dense_topk(..., scores=, scale=)``), so
    that both backends keep the same neighbours, ties included."""
    s, sq, largest, _ = _knn_scores(x, metric, mask)
    return s, knn_rank_scale(largest, metric, sq)


def _knn_scores(x: Tensor, metric: str, mask: Tensor | None):
    # knn_scores, the rows' squared norms [..., N, 1], the graphs' largest
    # [..., 1, 1] and the ranking features they were computed from
    with torch.no_grad():
        # (detached: forward-mode tangents too, which no_grad leaves on x)
        xs = ranking_features(x.detach(), metric, mask=mask if x.dim() == 3 else None)
        s = _block_scores(xs, xs, metric, None)
        sq = (xs * xs).sum(-1)
        if mask is not None:
            s = s.masked_fill(~(mask.unsqueeze(-1) & mask.unsqueeze(-2)), float("-inf"))
            sq = sq * mask
        largest = sq.amax(-1, keepdim=True).unsqueeze(-1)
    return s, sq.unsqueeze(-1), largest, xs


@float32_under_autocast
def dense_threshold_keep(x: Tensor, threshold: float, metric: str, nonneg, gamma,
                         mask: Tensor | None = None) -> tuple[Tensor, Tensor, Scale]:
    """``(keep, scores, scale)`` of the dense backend: :func:`knn_scores` of
    ``x`` and which of its entries reach ``threshold``
    (:func:`threshold_keep`, the sparse search's decision, by the graph's
    tie scale for rbf: :func:`knn_tie_scale` without the k-th)."""
    scores, sq, largest, xs = _knn_scores(x, metric, mask)
    with torch.no_grad():
        keep = threshold_keep(scores, threshold, metric, nonneg, gamma, x.size(-1), xs, xs,
                              knn_tie_scale(largest, metric, sq))
    return keep, scores, knn_rank_scale(largest, metric, sq)


def reaches_threshold(scores: Tensor, threshold: float, metric: str, nonneg, gamma,
                      dim: int) -> Tensor:
    """Which entries of search scores (:func:`knn_scores`, minus squared
    distances for rbf) are similarities ``>= threshold``: both backends
    decide by these scores, so that an entry at the threshold is kept by
    both or by neither (the weights themselves are computed otherwise and
    may differ from the scores in the last bit)."""
    sim = torch.exp(_gamma(gamma, dim) * scores) if metric == "rbf" else scores
    return _apply_nonneg(sim, nonneg) >= threshold


def threshold_keep(scores: Tensor, threshold: float, metric: str, nonneg, gamma, dim: int,
                   xq: Tensor, xk: Tensor, scale: Tensor) -> Tensor:
    """:func:`reaches_threshold` of search ``scores`` (``[..., m, n]``) of
    the ranking features ``xq`` (``[..., m, d]``) against ``xk``
    (``[..., n, d]``), the same decision whatever the shape of the product
    that made them: a matrix product rounds by its shape (a one-row block, a
    padded batch, cdist's formula above 25 rows), so an entry whose
    decision its rounding could flip (within the tie tolerance of
    ``scale``, broadcast to ``scores``) is decided on its pair's score
    computed alone, elementwise in float64. Both backends decide so."""
    keep = reaches_threshold(scores, threshold, metric, nonneg, gamma, dim)
    tol = tie_tolerance(scale, scores.dtype).expand_as(scores)
    near = (reaches_threshold(scores - tol, threshold, metric, nonneg, gamma, dim)
            != reaches_threshold(scores + tol, threshold, metric, nonneg, gamma, dim))
    near &= scores.isfinite()
    where = near.nonzero(as_tuple=True)  # a host sync, as the chunk's selection has
    if where[0].numel():
        a = xq[where[:-1]].double()
        b = xk[where[:-2] + where[-1:]].double()
        exact = -((a - b) ** 2).sum(-1) if metric == "rbf" else (a * b).sum(-1)
        keep[where] = reaches_threshold(exact, threshold, metric, nonneg, gamma, dim)
    return keep
