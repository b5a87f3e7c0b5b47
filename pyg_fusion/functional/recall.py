"""The recall of a kNN graph against the exact search (:func:`knn_recall`):
how good an approximate graph (``relation_graph(..., knn="approx")`` or
``"auto"``) was, measured when asked for, off the search itself.
"""
from __future__ import annotations

import torch
from torch import Tensor

from ._autocast import float32_under_autocast
from ._checks import check_batch, check_choice, check_edge_index, check_int, check_like, \
    check_tensor
from ._csr import index2ptr
from ._relation_scores import _block_scores
from ._topk import knn_rank_scale, scale_at, tie_tolerance
from .similarity import METRICS, feature_limit, ranking_features

# Score entries per block of sampled rows (64 MiB in float32): the rows are
# scored against every unit of their graphs a block at a time.
_RECALL_BLOCK = 1 << 24


@float32_under_autocast
@torch.no_grad()
def knn_recall(x: Tensor, edge_index: Tensor, k: int, batch: Tensor | None = None, *,
               metric: str = "cosine", num_samples: int | None = 256, seed: int = 0) -> float:
    r"""Recall@``k`` of a kNN graph of the units ``x``: of the ``k`` most
    similar other units of each sampled unit :math:`i` (its graph's, by an
    exact search), the fraction that ``edge_index`` links to it (edges
    :math:`j \to i`, PyG's convention, as
    :func:`~pyg_fusion.functional.relation_graph` gives them). Self loops
    are not counted (every relationship graph keeps them). A linked unit
    whose exact score ties with the ``k``-th (within the tie tolerance of
    the library's exact searches, docs/methods.md §1.2) counts as found,
    so an exact graph has recall 1 whichever of tied units it kept; a unit
    with fewer than ``k`` others in its graph needs all of them.

    The exact search scores the sampled units against their graphs in
    ``x``'s dtype (float32 for 16-bit ``x`` and under autocast), by the
    scores of the library's searches (cosine, dot, or minus the squared
    distance of centred features for rbf): ``num_samples`` units cost
    ``num_samples / N`` of an exact search of the whole graph, and nothing
    is added to the search itself. The sample is drawn uniformly without
    replacement, the units
    ``torch.randperm(N, generator=torch.Generator().manual_seed(seed))[:num_samples]``
    on every device, so the estimate is reproducible; its standard error
    is about :math:`\sqrt{r (1 - r) / (\mathrm{num\_samples}\,k)}` when
    the misses are spread over the units (0.0034 at recall 0.95 with 256
    units and ``k = 16``), more when they gather in a few. A graph with
    more than ``k`` neighbours per unit (a threshold's, a union) is not
    penalised for the extra ones: recall says what was found, not what
    else was kept.

    Args:
        x (torch.Tensor): the features the graph was searched on ``[N, d]``.
        edge_index (torch.Tensor): the graph's edges ``[2, E]`` (source,
            target), long.
        k (int): neighbours per unit the graph was searched for (>= 1).
        batch (torch.Tensor, optional): ``[N]`` graph index of each unit,
            sorted (PyG's convention): the exact neighbours of a unit are
            those of its graph. (default: :obj:`None`, one graph)
        metric (str, optional): the graph's metric, :obj:`"cosine"`,
            :obj:`"rbf"` or :obj:`"dot"`. (default: :obj:`"cosine"`)
        num_samples (int, optional): units whose neighbours are checked
            (>= 1); all of them when there are no more than this, or with
            :obj:`None`. (default: :obj:`256`)
        seed (int, optional): seed of the sample. (default: :obj:`0`)

    Returns:
        float: the recall in [0, 1]; 1.0 when no sampled unit has another
        unit in its graph.
    """
    check_tensor("x", x, dims=(2, ), floating=True)
    if x.size(0) == 0 or x.size(1) == 0:
        raise ValueError(f"x must hold units [N, d] with N, d >= 1, got {tuple(x.shape)}")
    check_tensor("x", x, finite=True, max_abs=feature_limit(x, metric))
    n = x.size(0)
    edge_index = check_edge_index("edge_index", edge_index, n)
    check_like("edge_index", edge_index, "x", x, dtype=False)
    # Python ints: torch.Generator.manual_seed refused numpy's np.int64
    # ('an integer is required', naming no argument)
    k = check_int("k", k, minimum=1)
    check_choice("metric", metric, METRICS)
    if num_samples is not None:
        num_samples = check_int("num_samples", num_samples, minimum=1)
    seed = check_int("seed", seed, minimum=0)
    if batch is None:
        batch = torch.zeros(n, dtype=torch.long, device=x.device)
    else:
        check_batch("batch", batch, n, "unit", ref=("x", x))

    rows = _sample(n, num_samples, seed).to(x.device)
    xs = ranking_features(x, metric, batch)
    sq = (xs * xs).sum(1)
    graphs = int(batch[-1]) + 1
    ptr = index2ptr(batch, graphs)
    largest = sq.new_zeros(graphs).scatter_reduce_(0, batch, sq, "amax")
    # the linked others of each sampled unit, once each: (its place in the sample, source)
    pos = torch.full((n, ), -1, dtype=torch.long, device=x.device)
    pos[rows] = torch.arange(rows.numel(), device=x.device)
    src, dst = edge_index
    sel = (pos[dst] >= 0) & (src != dst)
    pairs = torch.unique(pos[dst[sel]] * n + src[sel])
    place, found = pairs // n, pairs % n

    g = batch[rows]
    size = (ptr[g + 1] - ptr[g]).tolist()
    g0s, g1s = ptr[g].tolist(), ptr[g + 1].tolist()
    hits = wanted = 0
    a = 0
    while a < rows.numel():
        # a block of sampled units (sorted) and the columns of their graphs
        b, c0 = a + 1, g0s[a]
        while b < rows.numel() and (b - a + 1) * (g1s[b] - c0) <= _RECALL_BLOCK:
            b += 1
        c1 = g1s[b - 1]
        r = rows[a:b]
        s = _block_scores(xs[r], xs[c0:c1], metric, None)
        s = s.masked_fill(batch[r].unsqueeze(1) != batch[c0:c1].unsqueeze(0), float("-inf"))
        s[torch.arange(b - a, device=x.device), r - c0] = float("-inf")  # not its own neighbour
        need = torch.tensor([min(k, m - 1) for m in size[a:b]], device=x.device)
        kth = s.topk(min(k, c1 - c0), dim=1).values[:, -1]  # -inf: fewer than k others
        scale = scale_at(knn_rank_scale(largest[batch[r]], metric, sq[r]), kth)
        floor = kth - tie_tolerance(scale, s.dtype)
        mine = (place >= a) & (place < b)
        p, j = place[mine] - a, found[mine]
        inside = (j >= c0) & (j < c1)
        p, j = p[inside], j[inside]
        score = s[p, j - c0]
        hit = (score >= floor[p]) & (score > float("-inf"))  # another graph's unit: a miss
        per_row = torch.bincount(p[hit], minlength=b - a)
        hits += int(torch.minimum(per_row, need).sum())
        wanted += int(need.sum())
        a = b
    return hits / wanted if wanted else 1.0


def _sample(n: int, num_samples: int | None, seed: int) -> Tensor:
    # num_samples units drawn without replacement (a CPU generator: the same
    # sample on every device), sorted; all units when there are no more
    if num_samples is None or num_samples >= n:
        return torch.arange(n)
    gen = torch.Generator().manual_seed(seed)
    return torch.randperm(n, generator=gen)[:num_samples].sort().values
