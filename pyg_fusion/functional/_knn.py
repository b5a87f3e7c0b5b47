"""k-nearest-neighbour search through faiss, graph by graph.

faiss (the ``faiss-cpu`` wheel, or a GPU build) ranks the neighbours of
:func:`pyg_fusion.functional.relation_graph` when it is importable; without
it the plain-torch search of :mod:`.relation` does the same exact work.

* ``"exact"``: ``IndexFlatIP`` (cosine on normalised rows, dot) or
  ``IndexFlatL2`` (rbf: the largest similarity is the smallest distance).
* ``"approx"``: the IVF index of :mod:`._knn_index` (its lists, probes,
  centroids, coarse quantizer and codes are chosen there); one coarse
  search per unit serves both its list and its probes. Only the choice of
  neighbours is approximate: the weights are computed afterwards from the
  features.
* ``"checked"``: ``"approx"``, kept only if its :func:`sampled_recall`
  reaches :data:`AUTO_MIN_RECALL`, else ``"exact"``.

Each graph of a batch is its own index, so graphs are never linked. faiss
computes in float32 (float64 dot and rbf features are first brought, graph
by graph, into its range by a power of two, which ranks alike) and with its
own OpenMP threads: the calling thread's
OpenMP thread count (an OpenMP setting of that thread only) is set to
``torch.get_num_threads()`` for the duration of a search and restored after
it, so other threads and later calls see no change. The
exact search is deterministic for a given thread count and keeps the
neighbours of the torch path and of the dense backend, ties included: scores
tied at the last kept place (within the products' rounding, :mod:`._topk`)
go to the smaller node id. The approximate search makes no such promise.
"""
from __future__ import annotations

import numpy as np
import torch
from torch import Tensor

from ._checks import check_choice
from ._knn_index import _flat, _ivf, _threads, ivf_params
from ._topk import knn_tie_scale, tie_tolerance, top_k_columns
from .similarity import METRICS, ranking_features

# Below this many lists an IVF index saves too little to be worth training:
# "approx" searches such graphs exactly.
_IVF_MIN_LISTS = 8
# knn="auto" keeps an approximate graph only when its recall@(k+1), measured
# on this many evenly spaced rows against an exact search of those rows, is
# at least AUTO_MIN_RECALL. 256 rows cost 256 / N of an exact search (0.4% at
# N = 65536) and estimate the recall to about +-0.01 near 0.97 (binomial
# over 256 x 17 neighbours); iid Gaussian features (IVF recall 0.24-0.41,
# benchmarks/knn_indexes.py) fail it by far, clustered ones (0.99+) pass.
AUTO_RECALL_SAMPLE = 256
AUTO_MIN_RECALL = 0.95
# Per-graph search modes of faiss_knn.
MODES = ("exact", "approx", "checked")


def load_faiss():
    """The faiss module, or ``None`` when it cannot be imported."""
    try:
        import faiss
    except ImportError:
        return None
    return faiss


# faiss's GPU indexes select at most 2048 results per query
# (GPU_MAX_SELECTION_K, faiss >= 1.7.3; the project asks for 1.7.4); the
# exact search asks for k + 2 (the self match and one more, for ties)
FAISS_GPU_MAX_K = 2048


def faiss_gpu(faiss, k: int) -> bool:
    """Whether faiss's GPU index can search the ``k`` neighbours of CUDA
    features: a GPU build that sees a GPU, and ``k`` within its selection
    limit (else the search stays in torch, on the GPU)."""
    return hasattr(faiss, "StandardGpuResources") and faiss.get_num_gpus() > 0 and \
        k + 2 <= FAISS_GPU_MAX_K


# faiss is a C++ extension that dynamo cannot trace: torch.compile runs the
# search eagerly (a graph break) instead of warning and then breaking.
@torch.compiler.disable
def faiss_knn(x: Tensor, ptr: list[int], k: int, metric: str, mode: list[str]
              ) -> tuple[Tensor, Tensor]:
    """``(row, col)`` of each unit's self loop and its ``k`` most similar
    other units of its graph, sorted by row then column. ``ptr``: graph
    boundaries; ``mode[g]`` (one of :data:`MODES`): the flat index, IVF, or
    IVF kept only if :func:`sampled_recall` reaches :data:`AUTO_MIN_RECALL`
    (else the flat index searches the graph again)."""
    check_choice("metric", metric, METRICS)
    if len(mode) != len(ptr) - 1:
        raise ValueError(f"mode must hold one entry per graph ({len(ptr) - 1}), "
                         f"got {len(mode)}")
    for m in dict.fromkeys(mode):
        check_choice("mode", m, MODES)
    faiss = load_faiss()
    n = x.size(0)
    with torch.no_grad():
        graph = None
        if metric == "rbf":  # rbf centres each graph's features
            graph = torch.repeat_interleave(torch.tensor(ptr, device=x.device).diff())
        xs = ranking_features(x.detach(), metric, graph)
        if xs.dtype == torch.float64 and metric != "cosine":
            xs = _float32_range(xs, ptr)
        host = np.ascontiguousarray(xs.to("cpu", torch.float32).numpy())
    gpu_res = faiss.StandardGpuResources() if x.is_cuda and faiss_gpu(faiss, k) else None
    found = np.full((n, k + 1), -1, dtype=np.int64)
    with _threads(faiss):
        for g in range(len(ptr) - 1):
            lo, hi = ptr[g], ptr[g + 1]
            if hi == lo:
                continue
            part = host[lo:hi]
            flat = _flat(faiss, part.shape[1], metric)
            if gpu_res is not None:
                flat = faiss.index_cpu_to_gpu(gpu_res, x.device.index or 0, flat)
            if mode[g] == "exact" or ivf_params(hi - lo)[0] < _IVF_MIN_LISTS:
                idx = _exact(flat, part, k, metric)
            else:
                idx = _search(_ivf(faiss, part, metric, gpu_res, x.device), part, k)
                if mode[g] == "checked" and sampled_recall(idx, flat, part, k) < AUTO_MIN_RECALL:
                    idx = _exact(flat, part, k, metric)
            found[lo:hi, :idx.shape[1]] = np.where(idx >= 0, idx + lo, -1)
    return _with_self_loops(torch.from_numpy(found).to(x.device), n)


def _float32_range(xs: Tensor, ptr: list[int]) -> Tensor:
    """float64 ranking features (dot, rbf) with each graph multiplied by the
    power of two that brings its largest magnitude into [0.5, 1). faiss
    ranks in float32, where float64 features beyond float32's range would
    be inf, tiny ones 0 (every neighbour tied: recall 0.17 at a scale of
    1e-25), and squares above ~1e19 overflow (IVF's k-means then aborted the
    process at 1e25). A positive factor ranks dot products and distances in
    the same order; a power of two changes no bit in float64."""
    sizes = torch.tensor(ptr, device=xs.device).diff()
    graph = torch.repeat_interleave(torch.arange(sizes.numel(), device=xs.device), sizes,
                                    output_size=xs.size(0))
    top = xs.new_zeros(sizes.numel()).scatter_reduce_(0, graph, xs.abs().amax(1), "amax")
    # frexp(0) has exponent 0: an all-zero graph stays as it is. ldexp
    # multiplies by 2^e, which overflows from e = 1024 (a subnormal graph):
    # two halves
    e = -torch.frexp(top).exponent.index_select(0, graph).unsqueeze(1)
    return torch.ldexp(torch.ldexp(xs, e // 2), e - e // 2)


# Score entries per block of tied rows ranked again in torch (64 MiB in float32).
_TIE_BLOCK = 1 << 24


def _exact(flat, part: np.ndarray, k: int, metric: str) -> np.ndarray:
    """The ``k + 1`` best matches of each row of ``part`` among ``part`` by
    the flat index ``flat`` (filled here), ties at the last kept place to the
    smaller id: the rule of the library's other searches (``top_k_mask``), so
    that the exact search keeps the neighbours of the dense backend. faiss
    leaves which of tied ids it returns unspecified, so it searches one
    match more, and the rows where the scores around the last kept place are
    within the tie tolerance (duplicated units, coarse features) are ranked
    again in torch, from the same float32 features."""
    n = part.shape[0]
    kk = min(k + 1, n)
    if flat.ntotal == 0:
        flat.add(part)
    dist, idx = flat.search(part, min(kk + 1, n))
    if kk == n:
        return idx
    # the last two places: with the self loop missed (a duplicate ranked
    # first), the last of k + 1 others is dropped (_with_self_loops)
    edge = dist[:, max(kk - 2, 0):kk + 1]
    sq = torch.from_numpy(np.einsum("ij,ij->i", part, part))
    # one per row; rbf's from the row's k-th other (the (k + 1)-th match):
    # faiss's L2 gives squared distances, the searches rank by their negatives
    kth = None if metric != "rbf" else -torch.from_numpy(dist[:, kk - 1])
    scale = knn_tie_scale(sq.max(), metric, sq, kth).expand(n)
    tol = tie_tolerance(scale, torch.float32).numpy()[:, None]
    tied = np.flatnonzero((np.abs(np.diff(edge, axis=1)) <= tol).any(1))
    idx = np.ascontiguousarray(idx[:, :kk])
    keys = torch.from_numpy(part)
    step = max(1, _TIE_BLOCK // n)
    for r0 in range(0, tied.size, step):
        rows = torch.from_numpy(tied[r0:r0 + step])
        q = keys.index_select(0, rows)
        scores = -torch.cdist(q, keys).pow(2) if metric == "rbf" else q @ keys.t()
        scores[torch.arange(rows.numel()), rows] = float("inf")  # the self loop first
        idx[rows.numpy()] = top_k_columns(scores, kk, scale.index_select(0, rows)).numpy()
    return idx


def _search(index, part: np.ndarray, k: int) -> np.ndarray:
    """The ``k + 1`` best matches of each row of ``part`` among ``part``,
    filling ``index`` (empty) with ``part`` first."""
    kk = min(k + 1, part.shape[0])
    faiss = load_faiss()
    if not isinstance(index, faiss.IndexIVF):
        # faiss's GPU IVF index (a GpuIndex, not an IndexIVF) has no
        # add_core / search_preassigned: its own add and search.
        index.add(part)
        return index.search(part, kk)[1]
    # The queries are the units: one coarse search gives each unit's list
    # (where it is added), the order of the queries and the lists each
    # probes, instead of three (the add, the order, the search). Queries run
    # in the order of their nearest list: consecutive queries probe the same
    # lists, which stay in cache (faiss scans them query by query); at N =
    # 65536 (256 lists, 6 probes, one thread) the search took 1.48 s of CPU
    # against 1.93 s unsorted.
    # Each query's result is that of faiss's own add and search.
    n = part.shape[0]
    coarse_d, coarse = index.quantizer.search(part, index.nprobe)
    first = np.ascontiguousarray(coarse[:, 0])
    index.add_core(n, faiss.swig_ptr(part), None, faiss.swig_ptr(first))
    order = np.argsort(first, kind="stable")
    # n x nprobe ids and scores (400 MB at N = 2^20): the originals are
    # freed before the search, which holds only the reordered copies.
    coarse = coarse[order]
    coarse_d = coarse_d[order]
    found = np.empty((n, kk), dtype=np.int64)
    found[order] = index.search_preassigned(part[order], kk, coarse, coarse_d)[1]
    return found


def sample_rows(n: int) -> np.ndarray:
    """The rows whose recall :func:`sampled_recall` measures: at most
    :data:`AUTO_RECALL_SAMPLE`, evenly spaced over ``0 .. n - 1`` (a fixed
    choice, so the decision is deterministic)."""
    s = min(n, AUTO_RECALL_SAMPLE)
    return np.arange(s, dtype=np.int64) * n // s


def sampled_recall(found: np.ndarray, flat, part: np.ndarray, k: int) -> float:
    """Recall@(k+1) of ``found`` (``[n, <= k + 1]`` neighbour ids of an
    approximate search, -1 where none) on the :func:`sample_rows`, against
    the exact search of those rows by ``flat`` (a flat index, filled here if
    empty). A neighbour tied with the exact (k+1)-th may count as a miss,
    which can only turn the graph exact."""
    rows = sample_rows(part.shape[0])
    if flat.ntotal == 0:
        flat.add(part)
    truth = flat.search(np.ascontiguousarray(part[rows]), min(k + 1, part.shape[0]))[1]
    got = found[rows]
    hit = (got[:, :, None] == truth[:, None, :]) & (truth[:, None, :] >= 0)
    return float(hit.any(1).sum()) / max(int((truth >= 0).sum()), 1)


def _with_self_loops(found: Tensor, n: int) -> tuple[Tensor, Tensor]:
    """``found [N, k + 1]``: each row's best matches, best first, -1 where
    none. The self loop always counts besides ``k`` others; when a row's
    matches miss it (tied duplicates, an approximate search), the last of
    ``k + 1`` others is dropped: the ``k`` most similar others remain."""
    self_col = torch.arange(n, device=found.device).unsqueeze(1)
    valid = found >= 0
    is_self = found == self_col
    full = valid.all(1) & ~is_self.any(1)
    valid[:, -1] &= ~full
    valid &= ~is_self
    table = torch.where(valid, found, n)
    table = torch.cat([self_col, table], 1).sort(dim=1).values
    keep = table < n
    row = self_col.expand_as(table)[keep]
    return row, table[keep]
