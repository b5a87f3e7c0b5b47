r"""One support for the relationship graphs of all sources (ours, beyond the
paper).

Sparse LEGO keeps each source's :math:`k` strongest neighbours per node, so
the supports of two sources' graphs differ and every Hadamard product
:math:`R_a^p \circ R_b^q` lives on their intersection, often little more than
the self loops. The shared support is the union of the sources' kNN (and/or
threshold) graphs; every source's similarity is then evaluated on every pair
of it, so all sources' graphs, and their powers, have the same support and
the products no longer collapse to intersections.
"""
from __future__ import annotations

import torch
from torch import Tensor

from ._align import union_edges
from ._autocast import float32_under_autocast
from ._checks import check_like, check_mask, check_tensor
from ._docs import KNN_ARG, SIMILARITY_ARGS, args_of, fill_doc
from ._topk import Scale, top_k_mask
from .relation import (_relation_pairs, check_graph_options, dense_threshold_keep, knn_scores,
                       relation_pairs)
from .similarity import _pair_similarity, dense_relation_graph

# the public names (the other functions without a leading _ serve the
# package's modules)
__all__ = ["shared_support_graphs", "shared_support", "dense_shared_support_graphs"]


@fill_doc(similarity=SIMILARITY_ARGS, knn=KNN_ARG)
@float32_under_autocast
def shared_support_graphs(xs: dict[str, Tensor], batch: Tensor | None = None, *,
                          k: int | None = None, threshold: float | None = None,
                          metric: str = "cosine", nonneg="clamp",
                          gamma: float | None = None,
                          knn: str = "auto") -> dict[str, tuple[Tensor, Tensor]]:
    """Every source's relationship graph on the union of the supports that
    :func:`~pyg_fusion.functional.relation_graph` chooses for each source.

    Args:
        xs (Dict[str, torch.Tensor]): ``{source: [N, d_s]}``, the same ``N`` units.
        batch (torch.Tensor, optional): ``[N]`` graph of each unit (sorted).
            (default: :obj:`None`, one graph)
        k (int, optional): neighbours kept per node and source. (default: :obj:`None`)
        threshold (float, optional): minimum similarity of a kept entry.
            (default: :obj:`None`)
        {similarity}
        {knn}

    Returns:
        ``{source: (edge_index [2, E], edge_weight [E])}`` with the same
        coalesced ``edge_index`` for every source; weights differentiable in
        ``xs`` and equal to the dense similarities at those entries.
    """
    index = shared_support(xs, batch, k=k, threshold=threshold, metric=metric,
                           nonneg=nonneg, gamma=gamma, knn=knn)
    return {s: (index, _pair_similarity(x, index[1], index[0], metric, nonneg, gamma))
            for s, x in xs.items()}


@fill_doc(args=args_of(shared_support_graphs))
@float32_under_autocast
def shared_support(xs: dict[str, Tensor], batch: Tensor | None = None, *,
                   k: int | None = None, threshold: float | None = None,
                   metric: str = "cosine", nonneg="clamp",
                   gamma: float | None = None, knn: str = "auto") -> Tensor:
    """The support of :func:`shared_support_graphs`, without the weights:
    the union of the sources' :func:`~pyg_fusion.functional.relation_pairs`,
    ``edge_index`` ``[2, E]`` sorted by target, then source.

    Args:
        {args}

    Returns:
        torch.Tensor: ``edge_index`` ``[2, E]`` (source, target), the union.
    """
    _check_sources(xs, dims=(2, ))
    return _shared_support(xs, batch, k=k, threshold=threshold, metric=metric,
                           nonneg=nonneg, gamma=gamma, knn=knn)


def _check_sources(xs, dims: tuple[int, ...]) -> None:
    # each source named: the searches' own checks would call every one "x"
    if not isinstance(xs, dict):
        raise TypeError(f"xs must be a dict source -> features, got {type(xs).__name__}")
    if not xs:
        raise ValueError("xs must hold at least one source")
    first = next(iter(xs))
    for s, x in xs.items():
        check_tensor(f"xs[{s!r}]", x, dims=dims, floating=True)
        check_like(f"xs[{s!r}]", x, f"xs[{first!r}]", xs[first], dtype=False)
        check_tensor(f"xs[{s!r}]", x, finite=True)


def _shared_support(xs: dict[str, Tensor], batch: Tensor | None = None, *,
                    k: int | None = None, threshold: float | None = None,
                    metric: str = "cosine", nonneg="clamp",
                    gamma: float | None = None, knn: str = "auto",
                    checked: bool = False) -> Tensor:
    # shared_support without the checks of xs (LEGO has checked its sources);
    # checked: nor relation_pairs' (RelationGraphs has run check_features on
    # each; LEGO's projected features have not been)
    sizes = {s: x.size(0) for s, x in xs.items()}
    if len(set(sizes.values())) != 1:
        raise ValueError(f"the sources describe different numbers of units: {sizes}")
    n = next(iter(sizes.values()))
    kw = dict(k=k, threshold=threshold, metric=metric, nonneg=nonneg, gamma=gamma, knn=knn)
    with torch.no_grad():
        pairs = _relation_pairs if checked else relation_pairs
        return union_edges([pairs(x, batch, **kw) for x in xs.values()], n)[0]


def dense_support_mask(x: Tensor, *, k: int | None = None, threshold: float | None = None,
                       metric: str = "cosine", nonneg="clamp", gamma: float | None = None,
                       mask: Tensor | None = None) -> Tensor:
    """The entries that :func:`~pyg_fusion.functional.relation_graph` keeps
    for ``x`` (``[B, N, d]``), as a bool ``[B, N, N]``: ranked by the
    similarity before ``nonneg`` (as the sparse search ranks), entries below
    ``threshold`` dropped, the self loop of every unit kept."""
    return _support_of(_search_scores(x, threshold, metric, nonneg, gamma, mask), k, mask)


def _search_scores(x: Tensor, threshold: float | None, metric: str, nonneg, gamma,
                  mask: Tensor | None) -> tuple[Tensor, Scale, Tensor | None]:
    """The search of :func:`dense_support_mask` before its choice: the
    scores it ranks (:func:`~.relation.knn_scores`, ``-inf`` at padded
    units only: for cosine and dot the similarity before ``nonneg``), their
    tie scale and the entries that reach ``threshold`` (:obj:`None`
    without one)."""
    with torch.no_grad():
        if threshold is not None:  # the sparse search's decision
            keep, scores, scale = dense_threshold_keep(x, threshold, metric, nonneg, gamma,
                                                       mask)
            return scores, scale, keep
        scores, scale = knn_scores(x, metric, mask)
        return scores, scale, None


def _support_of(search: tuple[Tensor, Scale, Tensor | None], k: int | None,
               mask: Tensor | None) -> Tensor:
    """:func:`dense_support_mask` from its :func:`_search_scores`."""
    scores, scale, reached = search
    n = scores.size(-1)
    eye = torch.eye(n, dtype=torch.bool, device=scores.device)
    with torch.no_grad():
        # ranked by knn_scores with the tie rule of the sparse search
        # (docs/methods.md §1.2), as RelationGraph.dense ranks
        if reached is not None:
            scores = scores.masked_fill(~reached, float("-inf"))
        valid = torch.ones(scores.shape[:-1], dtype=torch.bool, device=scores.device) \
            if mask is None else mask
        pair = valid.unsqueeze(-1) & valid.unsqueeze(-2)
        scores = scores.masked_fill(~pair | eye, float("-inf"))
        if k is not None and n > 1:
            keep = top_k_mask(scores, min(k, n - 1), scale)
        else:
            keep = torch.isfinite(scores)
    return (keep | eye) & pair


@fill_doc(similarity=SIMILARITY_ARGS)
@float32_under_autocast
def dense_shared_support_graphs(xs: dict[str, Tensor], mask: Tensor | None = None, *,
                                k: int | None = None, threshold: float | None = None,
                                metric: str = "cosine", nonneg="clamp",
                                gamma: float | None = None) -> dict[str, Tensor]:
    """Dense twin of :func:`shared_support_graphs`: ``{source: [B, N, d_s]}``
    (``mask`` ``[B, N]``) -> ``{source: [B, N, N]}``, each source's dense
    similarity on the union of the sources' kept entries, 0 elsewhere.

    Args:
        xs (Dict[str, torch.Tensor]): ``{source: [B, N, d_s]}``, padded graphs.
        mask (torch.Tensor, optional): ``[B, N]`` bool, the real units.
            (default: :obj:`None`, all)
        k (int, optional): neighbours kept per node and source. (default: :obj:`None`)
        threshold (float, optional): minimum similarity of a kept entry.
            (default: :obj:`None`)
        {similarity}

    Returns:
        Dict[str, torch.Tensor]: ``{source: [B, N, N]}``.
    """
    # those of the sparse twin (through relation_pairs): unchecked, a NaN
    # threshold kept the self loops alone and k = 0 failed inside torch.topk
    check_graph_options(k, threshold, metric, nonneg, gamma)
    _check_sources(xs, dims=(3, ))
    shapes = {s: tuple(x.shape[:-1]) for s, x in xs.items()}
    if len(set(shapes.values())) != 1 or any(len(v) != 2 for v in shapes.values()):
        raise ValueError(f"xs must hold [B, N, d_s] padded graphs of the same B and N for "
                         f"every source, got {shapes}")
    if mask is not None:
        first = next(iter(xs))
        check_mask("mask", mask, shapes[first], f"xs[{first!r}]", xs[first])
    kw = dict(k=k, threshold=threshold, metric=metric, nonneg=nonneg, gamma=gamma)
    keep = None
    for x in xs.values():
        m = dense_support_mask(x, mask=mask, **kw)
        keep = m if keep is None else keep | m
    return {s: dense_relation_graph(x, metric, nonneg, gamma=gamma, mask=mask) * keep
            for s, x in xs.items()}
