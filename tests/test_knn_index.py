"""faiss's approximate index of the kNN search (pyg_fusion.functional._knn_index):
the IVF parameter rule, the index per metric and graph size, the search in
list order and the centroids' training."""
import math

import numpy as np
import pytest
import torch

from pyg_fusion.datasets import clustered_features
from pyg_fusion.functional import _knn, _knn_index
from pyg_fusion.functional._knn import faiss_knn, load_faiss
from pyg_fusion.functional._knn_index import ivf_params
from test_knn import edge_set, needs_faiss


def test_ivf_params_rule():
    # about sqrt(N) lists (a power of two) up to N = 65536, N / IVF_LIST_SIZE
    # above (lists of constant size), at most N / 39; IVF_NPROBE probed up to
    # 256 lists, IVF_NPROBE * (nlist / 256) ** IVF_PROBE_GROWTH above
    assert ivf_params(65536) == (256, _knn_index.IVF_NPROBE)
    assert ivf_params(16384) == (128, _knn_index.IVF_NPROBE)
    assert ivf_params(1000) == (25, _knn_index.IVF_NPROBE)  # capped at N / 39
    assert ivf_params(262144) == (1024, 14) and ivf_params(1 << 20) == (4096, 32)
    assert ivf_params(1 << 22) == (16384, 73)
    for n in (40, 100, 313, 5000, 123457, 3 << 20):
        nlist, nprobe = ivf_params(n)
        assert 1 <= nlist <= n // 39
        lists = max(math.sqrt(n), n / _knn_index.IVF_LIST_SIZE)
        assert nlist == min(n // 39, 2 ** round(math.log2(lists)))
        growth = (nlist / 256) ** _knn_index.IVF_PROBE_GROWTH
        probes = math.ceil(_knn_index.IVF_NPROBE * growth)
        assert nprobe == min(nlist, max(_knn_index.IVF_NPROBE, probes))


def test_ivf_params_names_a_bad_graph_size():
    # was "math domain error" (log2 of 0, sqrt of a negative size)
    for n in (0, -5):
        with pytest.raises(ValueError, match="num_nodes must be >= 1"):
            ivf_params(n)
    with pytest.raises(TypeError, match="num_nodes must be an int"):
        ivf_params(1000.0)
    assert ivf_params(10) == (0, 0)  # no list: faiss_knn searches such graphs exactly


def large_graph_index(monkeypatch, large: bool):
    """With ``large``, the index of large graphs (two-level k-means, HNSW
    coarse quantizer) from 64 lists on, so that tests stay small."""
    if large:
        monkeypatch.setattr(_knn_index, "HNSW_MIN_LISTS", 64)
        monkeypatch.setattr(_knn_index, "IVF_SINGLE_LEVEL_MAX_LISTS", 32)


@needs_faiss
@pytest.mark.parametrize("metric", ["cosine", "dot", "rbf"])
@pytest.mark.parametrize("large", [False, True])
def test_approx_index_per_metric_and_size(monkeypatch, metric, large):
    # The coarse quantizer is an HNSW graph of the centroids from
    # HNSW_MIN_LISTS lists on, flat below; half-precision lists for unit rows
    # (cosine) only: fp16 overflows above 65504 and flushes below 6e-8, so
    # dot and rbf rows of any scale keep floats.
    large_graph_index(monkeypatch, large)
    hnsw_min_lists = _knn_index.HNSW_MIN_LISTS
    faiss = load_faiss()
    n = 4000
    nlist, nprobe = ivf_params(n)
    assert nlist == 64
    x = clustered_features(n, 16, seed=6)
    part = (torch.nn.functional.normalize(x, dim=-1) if metric == "cosine" else x).numpy()
    index = _knn_index._ivf(faiss, part, metric, None, None)
    kind = faiss.IndexIVFScalarQuantizer if metric == "cosine" else faiss.IndexIVFFlat
    assert type(index) is kind and index.nlist == nlist and index.nprobe == nprobe
    quantizer = faiss.downcast_index(index.quantizer)
    # faiss < 1.8 downcasts IndexFlatIP / IndexFlatL2 to IndexFlat: check the metric
    if hnsw_min_lists <= nlist:
        assert type(quantizer) is faiss.IndexHNSWFlat
    else:
        assert isinstance(quantizer, faiss.IndexFlat) and quantizer.metric_type == (
            faiss.METRIC_L2 if metric == "rbf" else faiss.METRIC_INNER_PRODUCT)
    assert quantizer.ntotal == nlist
    if metric == "cosine":
        assert index.sq.qtype == faiss.ScalarQuantizer.QT_fp16 and index.by_residual
    graph = faiss_knn(x, [0, n], 8, metric, ["approx"])
    exact = faiss_knn(x, [0, n], 8, metric, ["exact"])
    assert len(edge_set(graph) & edge_set(exact)) / exact[0].numel() >= 0.95
    again = faiss_knn(x, [0, n], 8, metric, ["approx"])  # deterministic
    assert all(torch.equal(a, b) for a, b in zip(graph, again))
    for scale in (2.0 ** 40, 2.0 ** -40):  # far outside fp16's range
        scaled = faiss_knn(x * scale, [0, n], 8, metric, ["approx"])
        assert len(edge_set(graph) & edge_set(scaled)) / graph[0].numel() >= 0.99


@needs_faiss
@pytest.mark.parametrize("large", [False, True])
def test_ivf_search_in_list_order_gives_each_query_its_own_result(monkeypatch, large):
    # _search assigns the units to their lists and orders the queries from
    # one coarse search: the same ids as faiss's own add and search.
    large_graph_index(monkeypatch, large)
    faiss = load_faiss()
    n, k = 4000, 8
    x = torch.nn.functional.normalize(clustered_features(n, 32, seed=5), dim=-1).numpy()
    found = _knn._search(_knn_index._ivf(faiss, x, "cosine", None, None), x, k)
    index = _knn_index._ivf(faiss, x, "cosine", None, None)
    index.add(x)
    assert (found == index.search(x, k + 1)[1]).all()


@needs_faiss
def test_ivf_centroids_two_levels_keep_every_cluster(monkeypatch):
    # A first-level cluster of one unit (far from the rest) gets a centroid
    # of its own, where faiss.contrib's two-level recipe would give it none
    # (and fail); the same rows give the same centroids.
    large_graph_index(monkeypatch, True)
    faiss = load_faiss()
    x = clustered_features(3000, 16, seed=7).numpy()
    x[1234] = 1e3
    c = _knn_index.ivf_centroids(faiss, x, 64, "rbf")
    assert c.shape == (64, 16)
    assert np.abs(c - x[1234]).max(1).min() < 1e-3
    assert np.array_equal(c, _knn_index.ivf_centroids(faiss, x, 64, "rbf"))


@needs_faiss
@pytest.mark.parametrize("metric", ["cosine", "rbf"])
def test_ivf_centroids_up_to_256_lists_are_faiss_ivf_training(metric):
    # Small graphs keep the index they had: faiss's own IVF training, the
    # same centroids bit for bit.
    faiss = load_faiss()
    x = clustered_features(5000, 16, seed=8)
    x = (torch.nn.functional.normalize(x, dim=-1) if metric == "cosine" else x).numpy()
    nlist = ivf_params(5000)[0]
    quantizer = _knn_index._flat(faiss, 16, metric)
    ivf = faiss.IndexIVFFlat(quantizer, 16, nlist, quantizer.metric_type)
    ivf.cp.niter, ivf.cp.max_points_per_centroid = 10, 64
    ivf.train(x)
    assert np.array_equal(_knn_index.ivf_centroids(faiss, x, nlist, metric),
                          quantizer.reconstruct_n(0, nlist))
