r"""Sparse relationship graphs of units from their features (LEGO,
docs/methods.md §1.2; `paper <https://arxiv.org/abs/2410.01506>`_): the ``k``
strongest neighbours and / or the entries
above a threshold of :math:`R_{ij} = \mathrm{sim}(f_i, f_j)` (the metrics, the
``nonneg`` choice and the defined edge cases are in :mod:`.similarity`), and
:func:`dense_topk`, their dense twin. The scores the searches rank by and
their threshold decision are in :mod:`._relation_scores`.
"""
from __future__ import annotations


import torch
from torch import Tensor

from ._csr import index2ptr
from ._autocast import float32_under_autocast
from .._option_rules import check_rule
from ._checks import (check_batch, check_choice, check_flag, check_int, check_like, check_mask,
                      check_tensor)
from ._knn import faiss_gpu, faiss_knn, load_faiss
# the search scores live in their own module; the public ones stay importable from here
from ._relation_scores import (_block_scores, dense_threshold_keep,  # noqa: F401
                               knn_scores, reaches_threshold, threshold_keep)
from ._topk import Scale, knn_rank_scale, knn_tie_scale, top_k_mask, top_k_pairs
from .similarity import (_check_common, check_metric_options, _pair_similarity,
                         feature_limit, ranking_features)

# the public names (the other functions without a leading _ serve the
# package's modules)
__all__ = ["AUTO_EXACT_MAX_NODES", "relation_graph", "relation_pairs", "dense_topk"]

KNN = ("exact", "approx", "auto")
# knn="auto" searches graphs of up to this many nodes exactly and larger ones
# approximately: at N = 16384 (clustered features, d = 128, k = 16, one
# thread) the IVF search took a third of the exact time or less at recall@17
# 0.999, and the exact search grows with N^2 (16.4 s at N = 65536;
# benchmarks/knn_indexes.py). Above it the approximate graph is kept only if
# its sampled recall passes (_knn.AUTO_MIN_RECALL).
AUTO_EXACT_MAX_NODES = 16384


def check_graph_options(k: int | None, threshold: float | None, metric: str = "cosine",
                        nonneg="clamp", gamma: float | None = None) -> None:
    """The checks of a relationship graph's options (``k``, ``threshold``,
    ``metric``, ``nonneg``, ``gamma``), which do not read the features:
    :class:`~pyg_fusion.nn.RelationGraph` runs them when it is built, so that
    both backends refuse the same options."""
    check_metric_options(metric, nonneg, gamma)
    if k is not None:
        check_int("k", k, minimum=1)
    if threshold is not None:
        check_rule("threshold", "float", threshold)


def check_features(name: str, x, metric: str = "cosine", nonneg="clamp",
                   gamma: float | None = None) -> None:
    """The checks of :func:`relation_graph`'s features ``x``, whose errors name
    ``name``: a caller that holds them under another name (a source's
    ``data.x_<source>``) checks them first, as LEGO checks its sources."""
    check_tensor(name, x, dims=(2, ), floating=True)
    _check_common(x, metric, nonneg, gamma, name)
    check_tensor(name, x, finite=True, max_abs=feature_limit(x, metric))


def _ptr_from_batch(batch: Tensor, num_nodes: int) -> Tensor:
    # batch is sorted (check_batch): PyG's CSR pointer of its graph ids.
    return index2ptr(batch, int(batch.max()) + 1 if num_nodes else 0)


def _select_pairs(x: Tensor, batch: Tensor, k: int | None, threshold: float | None,
                  metric: str, nonneg, gamma, chunk_size: int) -> tuple[Tensor, Tensor]:
    """Chooses the (row, col) pairs of the sparse graph without building the
    N x N matrix: rows are processed in chunks against only the columns of the
    graphs they belong to, so memory is O(chunk_size * largest graph). Pairs
    come out sorted by row, then column."""
    n = x.size(0)
    ptr = _ptr_from_batch(batch, n)
    rows, cols = [], []
    start = 0
    with torch.no_grad():
        xs = ranking_features(x, metric, batch)
        if k is not None or threshold is not None:  # each unit's tie scale
            sq = (xs * xs).sum(1)
            largest = sq.new_zeros(ptr.numel() - 1).scatter_reduce_(0, batch, sq, "amax")
            largest = largest.index_select(0, batch)
            scale = knn_tie_scale(largest, metric, sq)  # rbf: the graph's, for the threshold
        # each chunk's first and last graph and the columns of its graphs, read
        # to the host once (two syncs), not four per chunk
        bounds = torch.arange(0, n, chunk_size, device=x.device)
        g0s = batch[bounds].tolist()
        g1s = batch[(bounds + chunk_size).clamp(max=n) - 1].tolist()
        ptr_host = ptr.tolist()
        for g0, g1 in zip(g0s, g1s):
            end = min(start + chunk_size, n)
            c0, c1 = ptr_host[g0], ptr_host[g1 + 1]
            scores = _block_scores(xs[start:end], xs[c0:c1], metric, gamma)
            r = torch.arange(start, end, device=x.device)
            if threshold is not None:
                keep = threshold_keep(scores, threshold, metric, nonneg, gamma, x.size(1),
                                      xs[start:end], xs[c0:c1],
                                      scale[start:end, None])
                scores = scores.masked_fill(~keep, float("-inf"))
            if g0 != g1:  # rows of several graphs: never link two graphs
                other = batch[start:end].unsqueeze(1) != batch[c0:c1].unsqueeze(0)
                scores = scores.masked_fill(other, float("-inf"))
            # The self loop is always kept: +inf ranks it first.
            scores[r - start, r - c0] = float("inf")
            if k is not None:
                rr, cc = top_k_pairs(scores, min(k + 1, c1 - c0),
                                     knn_rank_scale(largest[start:end], metric, sq[start:end]))
                rows.append(rr + start)
                cols.append(cc + c0)
            else:
                rr, cc = (scores > float("-inf")).nonzero(as_tuple=True)
                rows.append(rr + start)
                cols.append(cc + c0)
            start = end
    return torch.cat(rows), torch.cat(cols)


def _pyg_knn_available() -> bool:
    import torch_geometric.typing as tgt
    return bool(getattr(tgt, "WITH_KNN", False))


def _pyg_knn_pairs(x: Tensor, batch: Tensor, k: int, metric: str) -> tuple[Tensor, Tensor]:
    from torch_geometric.nn import knn_graph
    with torch.no_grad():
        # (centre, neighbour) pairs: the rows and columns of R, flipped to
        # (source, target) by relation_graph.
        ei = knn_graph(x, k, batch, loop=False, cosine=(metric == "cosine"),
                       flow="target_to_source")
    n = x.size(0)
    loops = torch.arange(n, device=x.device)
    row, col = torch.cat([ei[0], loops]), torch.cat([ei[1], loops])
    perm = (row * n + col).argsort()
    return row[perm], col[perm]


def _library_knn(x: Tensor, batch: Tensor, k: int, metric: str, knn: str, use_pyg):
    """The pairs of a kNN graph from faiss or PyG (see :func:`relation_graph`
    for which), or ``None`` for the torch path."""
    faiss = load_faiss()
    # PyG's knn_graph only when asked for: it leaves the order of tied
    # neighbours unspecified, where faiss's exact search (re-ranked) and the
    # torch path keep the dense backend's rule (smaller index first)
    if use_pyg and not _pyg_knn_available():
        raise RuntimeError("use_pyg=True needs PyG's knn_graph (pyg-lib or torch_cluster)")
    # A node has at most N - 1 neighbours: a larger k (any k >= N means all)
    # would size the searches' [N, k + 1] results by k itself (k = 10**12:
    # a MemoryError), so it is cut to the largest graph.
    if use_pyg and metric != "dot":
        return _pyg_knn_pairs(x, batch, min(k, max(x.size(0), 1)), metric)
    # One host sync: the graph sizes decide the index of each graph.
    ptr = _ptr_from_batch(batch, x.size(0)).tolist()
    sizes = [b - a for a, b in zip(ptr[:-1], ptr[1:])]
    k = min(k, max(sizes, default=1) or 1)
    mode = ["approx" if knn == "approx" else
            "checked" if knn == "auto" and s > AUTO_EXACT_MAX_NODES else "exact"
            for s in sizes]
    if faiss is not None and (not x.is_cuda or faiss_gpu(faiss, k)) and \
            (x.dtype != torch.float64 or any(m != "exact" for m in mode)):
        return faiss_knn(x, ptr, k, metric, mode)
    return None


@float32_under_autocast
def relation_graph(x: Tensor, batch: Tensor | None = None, *, k: int | None = None,
                   threshold: float | None = None, metric: str = "cosine",
                   nonneg="clamp", gamma: float | None = None,
                   chunk_size: int = 512, use_pyg: bool | None = None,
                   knn: str = "auto") -> tuple[Tensor, Tensor]:
    r"""Sparse relationship graph as ``(edge_index, edge_weight)``.

    The edge :math:`j \to i` (``edge_index[:, e] = (j, i)``, PyG's
    convention) carries :math:`R_{ij}`, entry ``[i, j]`` of the dense graph:
    each node :math:`i` receives from its ``k`` strongest neighbours (its self
    loop not counted) and/or the units with similarity ``>= threshold``; the
    self loop is always kept; with neither, every pair of a graph is kept (the
    dense graph as an edge list). Graphs of a batch are never linked. Edges
    come sorted by target, then source. Weights are differentiable in ``x``
    and equal :func:`dense_relation_graph` at the kept entries.

    The kNN search (``k`` without ``threshold``) runs graph by graph through
    faiss when it is importable (see :mod:`._knn`): ``knn="exact"`` is a
    flat index, ``"approx"`` an IVF index with about
    :math:`\max(\sqrt{N}, N / 256)` lists (the nearest power of two, at most
    ``N / 39``), 6 of them probed per query up to 256 lists,
    ``ceil(6 (nlist / 256) ** 0.6)`` above (14 of 1024 at N = 262144, 32 of
    4096 at N = 2^20), centroids from faiss's k-means (10 iterations on at
    most 64 points per list) up to 256 lists and from two-level k-means
    above, an HNSW graph of the centroids as the coarse search from 2048
    lists, and for cosine on the CPU the lists in half precision (the choice
    of neighbours is approximate; their weights are computed from the
    features) (:func:`~._knn_index.ivf_params`; chosen on validation features:
    recall@17 0.996-0.998 on clustered features at N = 65536, 0.996-0.997 at
    N = 262144, 0.994 at 2^20, 0.9645 on the weakest view of half the
    digits, far less on iid Gaussian ones;
    graphs of fewer than 312 nodes, i.e. fewer than 8 lists, are searched
    exactly), ``"auto"`` exact
    for graphs of up to :data:`AUTO_EXACT_MAX_NODES` (16384) nodes; a larger graph
    is searched with IVF, then the recall@(k+1) of that search is measured on
    :data:`~._knn.AUTO_RECALL_SAMPLE` (256) evenly spaced rows against an
    exact search of those rows, and below :data:`~._knn.AUTO_MIN_RECALL`
    (0.95) the graph is searched again exactly (the flat index), so
    ``"auto"`` never keeps a graph measured as poor, at the price of both
    searches on features without structure (iid Gaussian: recall 0.24 at
    N = 65536). The sample is fixed, so the choice is deterministic. faiss
    ranks in float32, so the exact search of float64 features runs in
    float64 (the torch path), except the exact search after a failed
    check, which is faiss's. The search reports no recall:
    :func:`~pyg_fusion.functional.knn_recall` measures that of a graph on a
    sample of units. On CUDA: faiss's GPU index when faiss has one,
    else the torch path. The torch path (also the fallback without faiss,
    and the search with a ``threshold``) is exact, chunked over rows
    (``chunk_size``) so memory stays bounded. ``use_pyg=True`` asks for
    PyG's ``knn_graph`` (cosine/rbf, ``pyg-lib`` or ``torch_cluster``) on
    any device: its order of tied neighbours is unspecified, so with ties
    (duplicated units) its graph may differ from the dense backend's, which
    the default searches never do. Without faiss, ``"approx"`` searches exactly.
    Which neighbours are chosen is not differentiated; the weights are.

    Args:
        x (torch.Tensor): features ``[N, d]``.
        batch (torch.Tensor, optional): ``[N]`` graph index of each unit, sorted
            (PyG's convention). (default: :obj:`None`, one graph)
        k (int, optional): neighbours per node (>= 1). (default: :obj:`None`)
        threshold (float, optional): minimum similarity of a kept entry.
            (default: :obj:`None`)
        metric (str, optional): :obj:`"cosine"`, :obj:`"rbf"` or :obj:`"dot"`
            (see :func:`dense_relation_graph`). (default: :obj:`"cosine"`)
        nonneg (str, optional): :obj:`"clamp"`, :obj:`"shift"` or :obj:`None`
            (see :func:`dense_relation_graph`). (default: :obj:`"clamp"`)
        gamma (float, optional): RBF width. (default: :obj:`None`, :obj:`1 / d`)
        chunk_size (int, optional): rows per block of the torch search; the
            result does not depend on it. 512 keeps a block of scores against
            4096 units at 8 MiB, which the allocator reuses (with 2048 rows,
            32 MiB, a block product measured up to 1.6x slower on the 2-core
            CPU), and a block of a batch of small graphs scores fewer pairs of
            different graphs (LEGO on 256 graphs of 32 nodes: 1.25x faster than
            1024). (default: :obj:`512`)
        use_pyg (bool, optional): :obj:`True` asks for PyG's ``knn_graph``
            (cosine/rbf; no tie rule, see above) on any device. (default:
            :obj:`None`, never)
        knn (str, optional): :obj:`"exact"`, :obj:`"approx"` or :obj:`"auto"`
            (see above). (default: :obj:`"auto"`)

    Returns:
        (torch.Tensor, torch.Tensor): ``edge_index`` ``[2, E]`` (source, target)
        and ``edge_weight`` ``[E]``, :math:`R_{ij}` of the edge :math:`j \to i`.
    """
    edge_index = relation_pairs(x, batch, k=k, threshold=threshold, metric=metric,
                                nonneg=nonneg, gamma=gamma, chunk_size=chunk_size,
                                use_pyg=use_pyg, knn=knn)
    return edge_index, _pair_similarity(x, edge_index[1], edge_index[0], metric, nonneg, gamma)


@float32_under_autocast
def relation_pairs(x: Tensor, batch: Tensor | None = None, *, k: int | None = None,
                   threshold: float | None = None, metric: str = "cosine",
                   nonneg="clamp", gamma: float | None = None,
                   chunk_size: int = 512, use_pyg: bool | None = None,
                   knn: str = "auto") -> Tensor:
    """The edges :func:`relation_graph` chooses, without their weights:
    ``edge_index`` ``[2, E]`` (source, target), sorted by target, then
    source, not differentiable. The arguments, their checks and the search
    are :func:`relation_graph`'s; its weights are
    :func:`~pyg_fusion.functional.pair_similarity` of ``x`` at
    ``(edge_index[1], edge_index[0])``, which a caller may evaluate in
    another numbering of the units (``LEGO`` does, in a locality order).

    Args:
        x (torch.Tensor): features ``[N, d]``.
        batch (torch.Tensor, optional): ``[N]`` graph index of each unit, sorted.
            (default: :obj:`None`, one graph)
        k (int, optional): neighbours per node (>= 1). (default: :obj:`None`)
        threshold (float, optional): minimum similarity of a kept entry.
            (default: :obj:`None`)
        metric (str, optional): :obj:`"cosine"`, :obj:`"rbf"` or :obj:`"dot"`.
            (default: :obj:`"cosine"`)
        nonneg (str, optional): :obj:`"clamp"`, :obj:`"shift"` or :obj:`None`
            (the threshold applies after it). (default: :obj:`"clamp"`)
        gamma (float, optional): RBF width. (default: :obj:`None`, :obj:`1 / d`)
        chunk_size (int, optional): rows per block of the torch search.
            (default: :obj:`512`)
        use_pyg (bool, optional): PyG's ``knn_graph`` on any device
            (:obj:`True`; no tie rule) or never. (default: :obj:`None`, never)
        knn (str, optional): :obj:`"exact"`, :obj:`"approx"` or :obj:`"auto"`.
            (default: :obj:`"auto"`)

    Returns:
        torch.Tensor: ``edge_index`` ``[2, E]`` (source, target).
    """
    check_features("x", x, metric, nonneg, gamma)
    return _relation_pairs(x, batch, k=k, threshold=threshold, metric=metric, nonneg=nonneg,
                           gamma=gamma, chunk_size=chunk_size, use_pyg=use_pyg, knn=knn)


@float32_under_autocast
def _relation_pairs(x: Tensor, batch: Tensor | None = None, *, k: int | None = None,
                    threshold: float | None = None, metric: str = "cosine",
                    nonneg="clamp", gamma: float | None = None,
                    chunk_size: int = 512, use_pyg: bool | None = None,
                    knn: str = "auto") -> Tensor:
    # relation_pairs without the checks of x: RelationGraphs checks its
    # sources once, under the data's names (check_features)
    check_graph_options(k, threshold, metric, nonneg, gamma)
    # Python ints: faiss's search refused numpy's np.int64 in a SWIG error
    k = None if k is None else int(k)
    chunk_size = check_int("chunk_size", chunk_size, minimum=1)
    n = x.size(0)
    if batch is None:
        batch = x.new_zeros(n, dtype=torch.long)
    else:
        check_batch("batch", batch, n, "unit", ref=("x", x))
    check_choice("knn", knn, KNN)
    row_col = None
    if k is not None and threshold is None:
        row_col = _library_knn(x, batch, k, metric, knn, use_pyg)
    if row_col is None:
        row_col = _select_pairs(x, batch, k, threshold, metric, nonneg, gamma, chunk_size)
    row, col = row_col
    # row i = the receiving node (target), col j = its neighbour (source).
    return torch.stack([col, row])


@float32_under_autocast
def dense_topk(adj: Tensor, k: int, include_diagonal: bool = False,
               scores: Tensor | None = None, scale: Scale | None = None, *,
               mask: Tensor | None = None) -> Tensor:
    """Keeps the ``k`` largest entries of each row of ``adj`` (``[..., N, N]``;
    ties at the ``k``-th to the smaller column) and zeroes the rest: the dense
    twin of :func:`relation_graph`'s ``k`` (with
    ``include_diagonal=False`` the diagonal is kept besides the ``k``) and of
    ``prune_k`` in :func:`graph_powers` (ranked by magnitude there).

    Args:
        adj (torch.Tensor): ``[..., N, N]``.
        k (int): entries kept per row (>= 1).
        include_diagonal (bool, optional): count the diagonal among the ``k``;
            :obj:`False` keeps it besides them. (default: :obj:`False`)
        scores (torch.Tensor, optional): ``[..., N, N]`` ranking scores
            (e.g. :func:`knn_scores`; ``-inf``: never kept) instead of
            ``adj`` (magnitudes with ``include_diagonal``). (default:
            :obj:`None`)
        scale (torch.Tensor or callable, optional): the scale of the tie
            tolerance, broadcast to ``[..., N, 1]``, or a function of the
            rows' ``[..., N, 1]`` k-th scores that gives it
            (:func:`knn_scores`' for rbf). (default: :obj:`None`, each row's
            largest magnitude)
        mask (torch.Tensor, optional): ``[..., N]`` bool, the real nodes of a
            padded batch (as :func:`dense_relation_graph` takes it): padded
            entries are never kept (a padded row keeps its diagonal), so
            that a row keeps its ``k`` largest real entries, as
            :func:`relation_graph` does per graph, negative ones of a signed
            graph too. (default: :obj:`None`, all real)

    Returns:
        torch.Tensor: ``[..., N, N]``.
    """
    check_int("k", k, minimum=1)
    check_flag("include_diagonal", include_diagonal)
    check_tensor("adj", adj, floating=True, finite=True)
    if adj.dim() < 2 or adj.size(-1) != adj.size(-2):
        raise ValueError(f"adj must be square matrices [..., N, N], got {tuple(adj.shape)}")
    if scores is not None:
        check_tensor("scores", scores, floating=True)
        check_like("scores", scores, "adj", adj, dtype=False)
        if scores.shape != adj.shape:
            raise ValueError(f"scores must have the shape of adj {tuple(adj.shape)}, got "
                             f"{tuple(scores.shape)}")
    if mask is not None:
        check_mask("mask", mask, tuple(adj.shape[:-1]), "adj", adj)
        # a padded column (0) outranked a real negative entry, which was lost
        if scores is None:
            scores = adj.detach().abs() if include_diagonal else adj.detach()
        scores = scores.masked_fill(~(mask.unsqueeze(-1) & mask.unsqueeze(-2)), float("-inf"))
    return _dense_topk(adj, k, include_diagonal, scores, scale)


def _dense_topk(adj: Tensor, k: int, include_diagonal: bool = False,
                scores: Tensor | None = None, scale: Scale | None = None) -> Tensor:
    # dense_topk without its checks (no pass over adj, no host sync), for
    # matrices the library computed from checked inputs
    n = adj.size(-1)
    if scores is None:
        scores = adj.detach().abs() if include_diagonal else adj.detach()
    if include_diagonal:
        kk = min(k, n)
    else:
        eye = torch.eye(n, dtype=torch.bool, device=adj.device)
        scores = scores.masked_fill(eye, float("-inf"))
        kk = min(k, max(n - 1, 1))
    keep = top_k_mask(scores, kk, scale)
    if not include_diagonal:
        keep |= torch.eye(n, dtype=torch.bool, device=adj.device)
    return adj * keep

