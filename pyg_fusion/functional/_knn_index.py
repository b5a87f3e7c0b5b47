"""The faiss indexes of the kNN search (:mod:`._knn`), one per graph: the
flat index of a metric, and the IVF index of ``"approx"`` with its rules.

* Lists and probes (:func:`ivf_params`): lists of about :math:`\\sqrt{N}`
  units up to N = 65536 and of :data:`IVF_LIST_SIZE` above.
* Centroids (:func:`ivf_centroids`): faiss's IVF training up to
  :data:`IVF_SINGLE_LEVEL_MAX_LISTS` lists, two-level k-means above.
* Coarse search (each unit's nearest lists): a flat scan of the centroids
  or, from :data:`HNSW_MIN_LISTS` lists on, an HNSW graph of them.
* Codes: with the cosine metric on the CPU the lists hold each unit's
  offset from its centroid in half precision (``IndexIVFScalarQuantizer``,
  fp16): the rows are unit vectors, within fp16's range and resolved to
  about 1e-3 of their norm. Rows of ``"dot"`` and ``"rbf"`` can have any
  scale (fp16 overflows above 65504 and flushes below 6e-8), and faiss's GPU
  index (cuVS builds have no GPU scalar quantizer, and its IVF takes no HNSW
  quantizer) keeps float lists and a flat quantizer.

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
"""
from __future__ import annotations

import math
from contextlib import contextmanager

import numpy as np
import torch

from ._checks import check_int

# IVF needs this many training points per list (faiss warns below 39).
_IVF_POINTS_PER_LIST = 39
# Lists: about sqrt(N) up to N = IVF_LIST_SIZE^2 = 65536, then N /
# IVF_LIST_SIZE, so that the lists keep their size. The sqrt(N) lists of
# the previous rule held sqrt(N) units each: with probes growing as
# sqrt(nlist) a query scanned N^0.75 units (4608 at N = 262144, 12288 at
# 2^20). With lists of 256 units a query scans 256 units per probe, but the
# probes that keep recall@17 at 0.99 still grow with N (validation features,
# clustered_features seeds 100 / 101, recall on 2048 evenly spaced rows,
# benchmarks/knn_probes.py measures the same): 6 probes of 256 lists reach
# 0.9961 / 0.9972 at N = 65536, 6 of 1024 lists 0.911 (seed 100) at 262144,
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
    check_int("num_nodes", num_nodes, minimum=1)
    lists = max(math.sqrt(num_nodes), num_nodes / IVF_LIST_SIZE)
    nlist = min(2 ** round(math.log2(lists)), num_nodes // _IVF_POINTS_PER_LIST)
    nprobe = max(IVF_NPROBE, math.ceil(
        IVF_NPROBE * (nlist / IVF_REF_LISTS) ** IVF_PROBE_GROWTH - 1e-9))
    return nlist, min(nlist, nprobe)


@contextmanager
def _threads(faiss, n: int | None = None):
    """faiss's OpenMP thread count in the calling thread: ``n``, or
    ``torch.get_num_threads()`` by default, restored after the block."""
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
    # 2000: the recipe's; the first level trains on at most 2000 points per
    # cluster, a subsample of the sample's about 64 sqrt(nlist) from 1024 lists on.
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
    # faiss's wrapper keeps `quantizer` alive with the index
    if metric == "cosine" and gpu_res is None:
        index = faiss.IndexIVFScalarQuantizer(
            quantizer, d, nlist, faiss.ScalarQuantizer.QT_fp16, faiss_metric)
    else:
        index = faiss.IndexIVFFlat(quantizer, d, nlist, faiss_metric)
    index.nprobe = nprobe
    # The quantizer holds its nlist centroids: this trains the list codes
    # only (nothing for fp16 or floats), on the centroids as a small sample.
    index.train(centroids)
    if gpu_res is not None:
        index = faiss.index_cpu_to_gpu(gpu_res, device.index or 0, index)
    return index


