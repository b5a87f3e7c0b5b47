"""k-nearest-neighbour search through faiss, graph by graph.

faiss (the ``faiss-cpu`` wheel, or a GPU build) ranks the neighbours of
:func:`pyg_fusion.functional.relation_graph` when it is importable; without
it the plain-torch search of :mod:`.relation` does the same exact work.

* ``"exact"``: ``IndexFlatIP`` (cosine on normalised rows, dot) or
  ``IndexFlatL2`` (rbf: the largest similarity is the smallest distance).
* ``"approx"``: IVF with :func:`ivf_params` lists and probes, trained with
  :data:`IVF_NITER` k-means iterations on at most
  :data:`IVF_TRAIN_POINTS_PER_LIST` points per list. With the cosine metric
  on the CPU the lists hold each unit's offset from its centroid in half
  precision (``IndexIVFScalarQuantizer``, fp16): the rows are unit vectors,
  within fp16's range and resolved to about 1e-3 of their norm. Rows of
  ``"dot"`` and ``"rbf"`` can have any scale (fp16 overflows above 65504
  and flushes below 6e-8), and faiss's GPU index (cuVS builds have no GPU
  scalar quantizer) keeps float lists. Only the choice of neighbours is
  approximate: the weights are computed afterwards from the features.

  Chosen by measurement on clustered features
  (:func:`pyg_fusion.datasets.clustered_features`, d = 128, k = 16, one
  thread, ``benchmarks/knn_indexes.py``): at N = 65536, HNSW (M 16,
  efSearch 24) spent 4.3 s of CPU building its graph alone; 8-bit codes
  scanned no faster than the floats and lost recall@17 (0.981 against
  0.996); 4-bit product codes scanned with SIMD lookups, their best 2k / 8k
  re-ranked exactly, reached 0.47 / 0.82 (near neighbours here differ by
  less than the codes resolve). Half-precision lists halve the bytes a
  search streams from memory: against float lists they took 0.93-0.96x
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
exact search is deterministic for a given thread count; neighbours tied in
similarity with the k-th may be chosen differently from the torch path (both
paths choose the k largest similarities).
"""
from __future__ import annotations

import math
from contextlib import contextmanager

import numpy as np
import torch
import torch.nn.functional as F
from torch import Tensor

# IVF needs this many training points per list (faiss warns below 39).
_IVF_POINTS_PER_LIST = 39
# Below this many lists an IVF index saves too little to be worth training:
# "approx" searches such graphs exactly.
_IVF_MIN_LISTS = 8
# k-means of the IVF centroids: faiss's defaults (25 iterations on up to 256
# points per list, i.e. every point at N = 65536) took 1.6 s of CPU of a
# 4.6 s search at N = 65536; 10 iterations on at most 64 points per list
# take 0.17 s at the same recall (0.9735 against 0.9717 at 4 probes, 0.9989
# against 0.9991 at 8 on validation features; benchmarks/knn_indexes.py).
# faiss draws the training sample with its own fixed seed: deterministic.
IVF_NITER = 10
IVF_TRAIN_POINTS_PER_LIST = 64
# Lists probed per query: IVF_NPROBE at IVF_REF_LISTS lists, times the square
# root of how many times more lists there are. Chosen on validation data only
# (clustered_features with seeds 100 and 101, and one half of the digits,
# split by a fixed permutation): at N = 65536 (256 lists) 4, 5, 6 probes
# reached recall@17 0.973 / 0.991 / 0.996 (seed 100) and 0.979 / 0.994 /
# 0.998 (seed 101); on the digits half (N = 1000, 25 lists) the weakest view
# (fou) reached 0.934 / 0.952 / 0.965 (8 probes: 0.980). 6 keeps every one
# above 0.95 with a margin. With more lists a fixed number of probes loses
# recall, as a cluster's units spread over more lists: recall@17 on 2048
# evenly spaced rows (seed 100 / 101), 512 lists (N = 262144): 6 probes
# 0.972 / 0.975, 8: 0.992 / 0.995, 9: 0.996 / 0.998, 10: 0.998 / 0.999; 1024
# lists (N = 2^20): 6: 0.920 / 0.918, 10: 0.985 / 0.986, 12: 0.994 / 0.995,
# 20: 0.9997 / 0.9996. The square root (9 of 512, 12 of 1024) keeps both
# seeds at 0.994 or more; the previous rule, 2% of the lists (10 of 512, 20
# of 1024), scanned 1.7x more units per query at 2^20 for 0.005 of recall.
IVF_NPROBE = 6
IVF_REF_LISTS = 256
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


def faiss_gpu(faiss) -> bool:
    return hasattr(faiss, "StandardGpuResources") and faiss.get_num_gpus() > 0


def ivf_params(num_nodes: int) -> tuple[int, int]:
    """``(nlist, nprobe)`` of the IVF index of a graph of ``num_nodes``:
    about :math:`\\sqrt{N}` lists (the nearest power of two, at most
    ``N / 39`` so that k-means has the 39 points per list faiss asks for),
    :data:`IVF_NPROBE` of them probed up to :data:`IVF_REF_LISTS` lists and
    ``ceil(IVF_NPROBE * sqrt(nlist / IVF_REF_LISTS))`` above (9 of 512 lists
    at N = 262144, 12 of 1024 at N = 2^20). A query then scans
    ``nprobe * N / nlist`` units plus the centroids: the search grows as
    :math:`N^{1.5}` up to 256 lists (6 probes at N = 65536) and as
    :math:`N^{1.75}` above."""
    nlist = 2 ** round(math.log2(math.sqrt(num_nodes)))
    nlist = min(nlist, num_nodes // _IVF_POINTS_PER_LIST)
    nprobe = max(IVF_NPROBE, math.ceil(IVF_NPROBE * math.sqrt(nlist / IVF_REF_LISTS)))
    return nlist, min(nlist, nprobe)


@contextmanager
def _threads(faiss):
    old = faiss.omp_get_max_threads()
    faiss.omp_set_num_threads(torch.get_num_threads())
    try:
        yield
    finally:
        faiss.omp_set_num_threads(old)


def _index(faiss, d: int, metric: str, n: int, approx: bool, gpu_res, device):
    ip = metric != "rbf"
    faiss_metric = faiss.METRIC_INNER_PRODUCT if ip else faiss.METRIC_L2
    nlist, nprobe = ivf_params(n)
    if approx and nlist >= _IVF_MIN_LISTS:
        quantizer = faiss.IndexFlatIP(d) if ip else faiss.IndexFlatL2(d)
        if metric == "cosine" and gpu_res is None:
            index = faiss.IndexIVFScalarQuantizer(
                quantizer, d, nlist, faiss.ScalarQuantizer.QT_fp16, faiss_metric)
        else:
            index = faiss.IndexIVFFlat(quantizer, d, nlist, faiss_metric)
        index.nprobe = nprobe  # faiss's wrapper keeps `quantizer` alive
        index.cp.niter = IVF_NITER
        index.cp.max_points_per_centroid = IVF_TRAIN_POINTS_PER_LIST
    else:
        index = faiss.IndexFlatIP(d) if ip else faiss.IndexFlatL2(d)
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
        xs = F.normalize(x, dim=-1) if metric == "cosine" else x
        host = np.ascontiguousarray(xs.detach().to("cpu", torch.float32).numpy())
    gpu_res = faiss.StandardGpuResources() if x.is_cuda and faiss_gpu(faiss) else None
    found = np.full((n, k + 1), -1, dtype=np.int64)
    with _threads(faiss):
        for g in range(len(ptr) - 1):
            lo, hi = ptr[g], ptr[g + 1]
            if hi == lo:
                continue
            part = host[lo:hi]
            args = (faiss, part.shape[1], metric, hi - lo)
            idx = _search(_index(*args, mode[g] != "exact", gpu_res, x.device), part, k)
            if mode[g] == "checked":
                flat = _index(*args, False, gpu_res, x.device)
                if sampled_recall(idx, flat, part, k) < AUTO_MIN_RECALL:
                    idx = _search(flat, part, k)
            found[lo:hi, :idx.shape[1]] = np.where(idx >= 0, idx + lo, -1)
    return _with_self_loops(torch.from_numpy(found).to(x.device), n)


def _search(index, part: np.ndarray, k: int) -> np.ndarray:
    if not index.is_trained:
        index.train(part)
    if index.ntotal == 0:
        index.add(part)
    kk = min(k + 1, part.shape[0])
    faiss = load_faiss()
    if not isinstance(index, faiss.IndexIVF):
        return index.search(part, kk)[1]
    # Queries in the order of their nearest list: consecutive queries probe
    # the same lists, which stay in cache (faiss scans them query by query).
    # Each query's result is unchanged; at N = 65536 (256 lists, 6 probes,
    # one thread) the search took 1.48 s of CPU against 1.93 s unsorted.
    order = np.argsort(index.quantizer.assign(part, 1).ravel(), kind="stable")
    found = np.empty((part.shape[0], kk), dtype=np.int64)
    found[order] = index.search(part[order], kk)[1]
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
