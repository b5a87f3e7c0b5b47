"""k-nearest-neighbour search through faiss, graph by graph.

faiss (the ``faiss-cpu`` wheel, or a GPU build) ranks the neighbours of
:func:`pyg_fusion.functional.relation_graph` when it is importable; without
it the plain-torch search of :mod:`.relation` does the same exact work.

* ``"exact"``: ``IndexFlatIP`` (cosine on normalised rows, dot) or
  ``IndexFlatL2`` (rbf: the largest similarity is the smallest distance).
* ``"approx"``: IVF with :func:`ivf_params` lists and probes: lists of
  about :math:`\\sqrt{N}` units up to N = 65536 and of
  :data:`IVF_LIST_SIZE` above, centroids from two-level k-means
  (:func:`ivf_centroids`), each unit's nearest lists from a flat scan of the
  centroids or, from :data:`HNSW_MIN_LISTS` lists on, an HNSW graph of them
  (one coarse search per unit serves both its list and its probes). With
  the cosine metric on the CPU the lists hold each unit's offset from its
  centroid in half precision (``IndexIVFScalarQuantizer``, fp16): the rows
  are unit vectors, within fp16's range and resolved to about 1e-3 of their
  norm. Rows of ``"dot"`` and ``"rbf"`` can have any scale (fp16 overflows
  above 65504 and flushes below 6e-8), and faiss's GPU index (cuVS builds
  have no GPU scalar quantizer, and its IVF takes no HNSW quantizer) keeps
  float lists and a flat quantizer. Only the choice of neighbours is
  approximate: the weights are computed afterwards from the features.

  Chosen by measurement on clustered features
  (:func:`pyg_fusion.datasets.clustered_features`, d = 128, k = 16, one
  thread, ``benchmarks/knn_indexes.py``): at N = 65536, HNSW over the
  units (M 16, efSearch 24) spent 4.3 s of CPU building its graph alone; 8-bit codes
  scanned no faster than the floats and lost recall@17 (0.981 against
  0.996); 4-bit product codes scanned with SIMD lookups, their best 2k / 8k
  re-ranked exactly, reached 0.47 / 0.82 (near neighbours here differ by
  less than the codes resolve). Half-precision lists halve the bytes a
  search streams from memory: against float lists (both with the previous
  rule's sqrt(N) lists) they took 0.93-0.96x
  the time at N = 16384, 0.85-0.99x at 65536, 0.85-0.86x at 262144 and
  0.67-0.73x per query at 2^20, the gain growing as the lists leave the
  cache (validation seeds 100 and 101, pairs interleaved in one run, the
  machine shared), for 0.0001-0.0007 of recall@17 (0.9938 at 2^20; on the
  digits' validation half at most 0.0011, weakest view 0.9645). On iid
  Gaussian features (no structure) the recall of IVF drops:
  ``benchmarks/scaling.py`` reports both kinds.

Each graph of a batch is its own index, so graphs are never linked. faiss
computes in float32 and with its own OpenMP threads: the calling thread's
OpenMP thread count (an OpenMP setting of that thread only) is set to
``torch.get_num_threads()`` for the duration of a search and restored after
it, so other threads and later calls see no change. The
exact search is deterministic for a given thread count and keeps the
neighbours of the torch path and of the dense backend, ties included: scores
tied at the last kept place (within the products' rounding, :mod:`._topk`)
go to the smaller node id. The approximate search makes no such promise.
"""
from __future__ import annotations

import math
from contextlib import contextmanager

import numpy as np
import torch
from torch import Tensor

from ._topk import knn_tie_scale, tie_tolerance, top_k_columns
from .similarity import ranking_features

# IVF needs this many training points per list (faiss warns below 39).
_IVF_POINTS_PER_LIST = 39
# Below this many lists an IVF index saves too little to be worth training:
# "approx" searches such graphs exactly.
_IVF_MIN_LISTS = 8
# Lists: about sqrt(N) up to N = IVF_LIST_SIZE^2 = 65536, then N /
# IVF_LIST_SIZE, so that the lists keep their size. The sqrt(N) lists of
# the previous rule held sqrt(N) units each: with probes growing as
# sqrt(nlist) a query scanned N^0.75 units (4608 at N = 262144, 12288 at
# 2^20). With lists of 256 units a query scans 256 units per probe, but the
# probes that keep recall@17 at 0.99 still grow with N (validation features,
# clustered_features seeds 100 / 101, recall on 2048 evenly spaced rows,
# benchmarks/knn_probes.py measures the same): 6 probes of 256 lists reach
# 0.996 / 0.998 at N = 65536, 6 of 1024 lists 0.911 (seed 100) at 262144,
# where 12 reach 0.9922 / 0.9927 and 14 0.9964 / 0.9967; of 4096 lists at
# 2^20, 24 reach 0.9822 / 0.9822, 28 0.9906 / 0.9898, 32 0.9945 / 0.9939.
# Not the noise off the clusters' 16-d subspace: without it (noise_std 0)
# the recall is the same (0.9960 against 0.9961 at N = 65536, 0.9088
# against 0.9106 at 262144, 6 probes). Our reading: with 64 clusters, a list of 256 units
# is a quarter of a cluster at N = 65536, and 6 probes cover a unit's
# cluster; at 262144 a cluster spans 16 lists, at 2^20 64, and in 16
# dimensions a ball holding a unit's 17 neighbours has 0.84 of the radius
# of one holding 256 ((17 / 256)^(1/16)): it reaches into many neighbouring
# lists. IVF_PROBE_GROWTH fits the probes: IVF_NPROBE * (nlist /
# IVF_REF_LISTS) ** 0.6, rounded up (14 of 1024 lists, 32 of 4096; 0.55
# would give 28 of 4096, below 0.99 for seed 101). A query then scans
# about N^0.6 units above N = 65536 (3584 at 262144, 8192 at 2^20) and the
# search grows as N^1.6 there, against N^1.75 with the previous rule.
# Each unit goes to the list of its nearest centroid, though the lists are
# unequal (at N = 262144 their sizes' standard deviation is half the mean,
# and a unit's own list holds 1.24x the mean). The lists a query probes hold
# together only 1.07x the ideal nprobe N / nlist units at 262144 (14 probes)
# and 1.10x at 2^20 (32 probes), which bounds what balancing could save.
# Measured and not kept (benchmarks/knn_balance.py, seeds 100 / 101): at
# most 1.25x the mean per list, or faiss's
# contrib.clustering.balanced_assignment_with_penalties, lose more recall
# than they save (0.9885 / 0.9870 and 0.9870 / 0.9872 at 14 probes of 1024,
# against 0.9964 / 0.9967). Penalised lists that the queries also probe by
# (a power diagram) lose no recall per unit scanned, but save none at
# 262144 (13 probes: 3415 units, 0.9926; 12 with the nearest lists: 3407,
# 0.9922) and 2.7% at 2^20 (34 probes against 32, recall 0.9953 both),
# while the penalties take about 10 s, a tenth of the search.
IVF_LIST_SIZE = 256
IVF_PROBE_GROWTH = 0.6
# Centroids: up to IVF_SINGLE_LEVEL_MAX_LISTS lists, faiss's IVF training
# as before (IVF_NITER iterations on at most IVF_TRAIN_POINTS_PER_LIST
# points per list: faiss's defaults, 25 iterations on up to 256 points per
# list, took 1.6 s of CPU of a 4.6 s search at N = 65536, these 0.17 s at
# the same recall). Above, two-level k-means (faiss.contrib.clustering's
# recipe, ivf_centroids) on at most IVF_TRAIN_POINTS_PER_LIST points per
# list: int(sqrt(nlist)) clusters first (IVF_NITER iterations), then each
# cluster split into a share of the lists proportional to its points
# (faiss's Kmeans defaults, 25 iterations on about 64 points per centroid).
# A single-level k-means of nlist centroids costs nlist^2 per iteration
# (4096 lists at N = 2^20: ~2.7e12 flops); the two levels cost nlist^1.5:
# 0.75 s at 262144 (of 14 s), 3.5-3.8 s at 2^20 (of 110-140 s), load 2-3.
# The two levels are not kept below: on the digits' validation half (25
# lists) their weakest view reached 0.957 against 0.965 at 6 probes (at N =
# 65536, seed 100 / 101, they reached 0.9973 / 0.9980 against 0.996 / 0.997).
# Kmeans draws its sample with a fixed seed and the sample of the two levels
# is evenly spaced rows: deterministic.
IVF_NITER = 10
IVF_TRAIN_POINTS_PER_LIST = 64
IVF_SINGLE_LEVEL_MAX_LISTS = 256
# Lists probed per query: IVF_NPROBE up to IVF_REF_LISTS lists. Chosen on
# validation data only (clustered_features with seeds 100 and 101, and one
# half of the digits, split by a fixed permutation): at N = 65536 (256
# lists, single-level training) 4, 5, 6 probes reached recall@17 0.973 /
# 0.991 / 0.996 (seed 100) and 0.979 / 0.994 / 0.998 (seed 101); on the
# digits half (N = 1000, 25 lists) the weakest view (fou) reached 0.934 /
# 0.952 / 0.965 (8 probes: 0.980). 6 keeps every one above 0.95 with a
# margin.
IVF_NPROBE = 6
IVF_REF_LISTS = 256
# The coarse search (each unit's nearest lists) is a flat scan of the
# centroids, nlist dot products per unit through BLAS, up to HNSW_MIN_LISTS
# lists; above, an HNSW graph of the centroids (M = HNSW_M, efSearch = the
# probes) whose cost grows as log(nlist). 65536 queries, one thread, load
# 2.5-2.9: 1024 lists, 14 probes: flat 7.9 us per query, HNSW M 16 6.3 us
# (0.995 of the flat's lists); 4096 lists, 32 probes: flat 28.9 us, HNSW M
# 8 / 16 / 32 13.7 / 14.2 / 17.2 us (0.992 / 0.996 / 0.998 of its lists).
# faiss's GPU IVF index cannot take an HNSW quantizer: on a GPU the
# quantizer stays flat (GPU BLAS), with the same centroids and probes.
HNSW_MIN_LISTS = 2048
HNSW_M = 16
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


def ivf_params(num_nodes: int) -> tuple[int, int]:
    """``(nlist, nprobe)`` of the IVF index of a graph of ``num_nodes``:
    about :math:`\\max(\\sqrt{N}, N / 256)` lists (the nearest power of two
    of :math:`\\sqrt{N}` or of ``N / IVF_LIST_SIZE``, at most ``N / 39`` so
    that k-means has the 39 points per list faiss asks for), so lists of
    about :math:`\\sqrt{N}` units up to N = 65536 and of 256 above;
    :data:`IVF_NPROBE` of them probed up to :data:`IVF_REF_LISTS` lists and
    ``ceil(IVF_NPROBE * (nlist / IVF_REF_LISTS) ** IVF_PROBE_GROWTH)`` above
    (14 of 1024 lists at N = 262144, 32 of 4096 at N = 2^20). A query then
    scans ``nprobe N / nlist`` units: the search grows as :math:`N^{1.5}` up
    to N = 65536 and as :math:`N^{1.6}` above."""
    lists = max(math.sqrt(num_nodes), num_nodes / IVF_LIST_SIZE)
    nlist = min(2 ** round(math.log2(lists)), num_nodes // _IVF_POINTS_PER_LIST)
    nprobe = max(IVF_NPROBE, math.ceil(
        IVF_NPROBE * (nlist / IVF_REF_LISTS) ** IVF_PROBE_GROWTH - 1e-9))
    return nlist, min(nlist, nprobe)


@contextmanager
def _threads(faiss, n: int | None = None):
    old = faiss.omp_get_max_threads()
    faiss.omp_set_num_threads(torch.get_num_threads() if n is None else n)
    try:
        yield
    finally:
        faiss.omp_set_num_threads(old)


def _flat(faiss, d: int, metric: str):
    return faiss.IndexFlatL2(d) if metric == "rbf" else faiss.IndexFlatIP(d)


def ivf_centroids(faiss, part: np.ndarray, nlist: int, metric: str) -> np.ndarray:
    """``[nlist, d]`` IVF centroids of ``part``. Up to
    :data:`IVF_SINGLE_LEVEL_MAX_LISTS` lists: faiss's IVF training
    (k-means assigning by the metric's flat index, :data:`IVF_NITER`
    iterations on at most :data:`IVF_TRAIN_POINTS_PER_LIST` points per
    list, centroids normalised for inner products). Above: two-level
    k-means (faiss's Kmeans, squared distances, as measured on cosine rows)
    on at most :data:`IVF_TRAIN_POINTS_PER_LIST` points per list (evenly
    spaced rows).

    faiss.contrib.clustering.two_level_clustering follows the same recipe,
    but gives a first-level cluster with fewer points than the sample per
    list no centroid of its own, and then fails (faiss's Kmeans refuses 0
    centroids); here every non-empty cluster keeps at least one, taken from
    the largest share, and faiss's warnings about few points per centroid
    are silenced (the sample holds at least 39 per list overall)."""
    d = part.shape[1]
    if nlist <= IVF_SINGLE_LEVEL_MAX_LISTS:
        clus = faiss.Clustering(d, nlist)
        clus.niter, clus.max_points_per_centroid = IVF_NITER, IVF_TRAIN_POINTS_PER_LIST
        clus.spherical = metric != "rbf"  # as faiss's IVF trains for inner products
        clus.train(part, _flat(faiss, d, metric))
        return faiss.vector_to_array(clus.centroids).reshape(nlist, d)
    n = part.shape[0]
    m = min(n, IVF_TRAIN_POINTS_PER_LIST * nlist)
    sample = part if m == n else np.ascontiguousarray(part[np.arange(m) * n // m])
    nc1 = max(1, int(math.sqrt(nlist)))
    km = faiss.Kmeans(d, nc1, niter=IVF_NITER, max_points_per_centroid=2000,
                      min_points_per_centroid=1)
    km.train(sample)
    assign = km.assign(sample)[1]
    sizes = np.bincount(assign, minlength=nc1)
    cum = np.cumsum(sizes)
    share = np.diff(cum * nlist // cum[-1], prepend=0)
    for c in np.flatnonzero((share == 0) & (sizes > 0)):
        share[c] = 1
        share[np.argmax(share)] -= 1
    centroids = []
    for c in range(nc1):
        if share[c]:
            km = faiss.Kmeans(d, int(share[c]), min_points_per_centroid=1)
            km.train(np.ascontiguousarray(sample[assign == c]))
            centroids.append(km.centroids)
    return np.concatenate(centroids)


def _ivf(faiss, part: np.ndarray, metric: str, gpu_res, device,
         params: tuple[int, int] | None = None):
    """A trained, empty IVF index of ``part`` with ``params`` (``(nlist,
    nprobe)``, :func:`ivf_params` by default; benchmarks vary them)."""
    d = part.shape[1]
    ip = metric != "rbf"
    faiss_metric = faiss.METRIC_INNER_PRODUCT if ip else faiss.METRIC_L2
    nlist, nprobe = ivf_params(part.shape[0]) if params is None else params
    centroids = ivf_centroids(faiss, part, nlist, metric)
    if gpu_res is None and nlist >= HNSW_MIN_LISTS:
        quantizer = faiss.IndexHNSWFlat(d, HNSW_M, faiss_metric)
        quantizer.hnsw.efSearch = nprobe
        # One thread: faiss builds the same graph at every call.
        with _threads(faiss, 1):
            quantizer.add(centroids)
    else:
        quantizer = _flat(faiss, d, metric)
        quantizer.add(centroids)
    if metric == "cosine" and gpu_res is None:
        index = faiss.IndexIVFScalarQuantizer(
            quantizer, d, nlist, faiss.ScalarQuantizer.QT_fp16, faiss_metric)
    else:
        index = faiss.IndexIVFFlat(quantizer, d, nlist, faiss_metric)
    index.nprobe = nprobe  # faiss's wrapper keeps `quantizer` alive
    # The quantizer holds its nlist centroids: this trains the list codes
    # only (nothing for fp16 or floats), on the centroids as a small sample.
    index.train(centroids)
    if gpu_res is not None:
        index = faiss.index_cpu_to_gpu(gpu_res, device.index or 0, index)
    return index


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
    faiss = load_faiss()
    n = x.size(0)
    with torch.no_grad():
        graph = None
        if metric == "rbf":  # rbf centres each graph's features
            graph = torch.repeat_interleave(torch.tensor(ptr, device=x.device).diff())
        xs = ranking_features(x.detach(), metric, graph)
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
    largest = torch.tensor(float(np.einsum("ij,ij->i", part, part).max()))
    scale = knn_tie_scale(largest, metric)
    tol = float(tie_tolerance(scale, torch.float32))
    tied = np.flatnonzero((np.abs(np.diff(edge, axis=1)) <= tol).any(1))
    idx = np.ascontiguousarray(idx[:, :kk])
    keys = torch.from_numpy(part)
    step = max(1, _TIE_BLOCK // n)
    for r0 in range(0, tied.size, step):
        rows = torch.from_numpy(tied[r0:r0 + step])
        q = keys.index_select(0, rows)
        scores = -torch.cdist(q, keys).pow(2) if metric == "rbf" else q @ keys.t()
        scores[torch.arange(rows.numel()), rows] = float("inf")  # the self loop first
        idx[rows.numpy()] = top_k_columns(scores, kk, scale).numpy()
    return idx


def _search(index, part: np.ndarray, k: int) -> np.ndarray:
    """The ``k + 1`` best matches of each row of ``part`` among ``part``,
    filling ``index`` (empty) with ``part`` first."""
    kk = min(k + 1, part.shape[0])
    faiss = load_faiss()
    if not isinstance(index, faiss.IndexIVF):
        if index.ntotal == 0:
            index.add(part)
        return index.search(part, kk)[1]
    # The queries are the units: one coarse search gives each unit's list
    # (where it is added), the order of the queries and the lists each
    # probes, instead of three (the add, the order, the search). Queries run in the order of their nearest
    # list: consecutive queries probe the same lists, which stay in cache
    # (faiss scans them query by query); at N = 65536 (256 lists, 6 probes,
    # one thread) the search took 1.48 s of CPU against 1.93 s unsorted.
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
