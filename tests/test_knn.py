import math
import sys

import pytest
import torch

import pyg_fusion.functional as F
from pyg_fusion.datasets import clustered_features
from pyg_fusion.functional import relation
from pyg_fusion.functional import _knn
from pyg_fusion.functional._knn import (AUTO_MIN_RECALL, AUTO_RECALL_SAMPLE, faiss_knn,
                                        ivf_params, load_faiss, sample_rows)
from pyg_fusion.functional.relation import _select_pairs
from pyg_fusion.nn import LEGO, RelationGraph

needs_faiss = pytest.mark.skipif(load_faiss() is None, reason="faiss not installed")


def batch_of(sizes):
    return torch.arange(len(sizes)).repeat_interleave(torch.tensor(sizes))


def scores(x, metric):
    if metric == "cosine":
        xn = torch.nn.functional.normalize(x.double(), dim=-1)
        return xn @ xn.t()
    if metric == "rbf":
        return -torch.cdist(x.double(), x.double()).pow(2)
    return x.double() @ x.double().t()


def neighbour_sets(edge_index, n):
    """The neighbours each node receives from (PyG's direction: source -> target)."""
    sets = [set() for _ in range(n)]
    for src, dst in edge_index.t().tolist():
        sets[dst].add(src)
    return sets


def assert_same_up_to_ties(a, b, s, tol=1e-5):
    """Equal neighbour sets, except that units tied in similarity may swap."""
    n = s.size(0)
    for i, (na, nb) in enumerate(zip(neighbour_sets(a, n), neighbour_sets(b, n))):
        assert len(na) == len(nb)
        diff = na ^ nb
        if diff:
            others = na - {i}
            kth = min(float(s[i, j]) for j in others)
            assert all(abs(float(s[i, j]) - kth) < tol for j in diff), (i, diff)


@needs_faiss
@pytest.mark.parametrize("metric", ["cosine", "rbf", "dot"])
def test_faiss_exact_equals_torch_exact(metric):
    nonneg = None if metric == "dot" else "clamp"
    x = torch.cat([clustered_features(300, 24, seed=1), torch.randn(200, 24)])
    batch = batch_of([300, 150, 50])
    a, _ = F.relation_graph(x, batch, k=7, metric=metric, nonneg=nonneg, knn="exact")
    r, c = _select_pairs(x, batch, 7, None, metric, nonneg, None, 512)
    assert_same_up_to_ties(a, torch.stack([c, r]), scores(x, metric))
    # sorted by target, then source, like the torch path
    key = a[1] * x.size(0) + a[0]
    assert bool((key[1:] > key[:-1]).all())


@needs_faiss
def test_ties_between_duplicates_keep_self_and_k_others():
    base = torch.randn(6, 5)
    x = base.repeat_interleave(5, 0)  # every unit has 4 exact duplicates
    ei, w = F.relation_graph(x, k=3, knn="exact")
    sets = neighbour_sets(ei, x.size(0))
    for i, s in enumerate(sets):
        assert i in s and len(s) == 4
        assert all(j // 5 == i // 5 for j in s)  # the k most similar are duplicates
    assert torch.allclose(w, torch.ones_like(w))


@needs_faiss
def test_approx_recall_on_clustered_features():
    n = 4096
    assert ivf_params(n)[0] >= 8  # the IVF index is used at this size
    x = clustered_features(n, 32, seed=3)
    exact, _ = F.relation_graph(x, k=10, knn="exact")
    approx, _ = F.relation_graph(x, k=10, knn="approx")
    hit = len(set(map(tuple, exact.t().tolist())) & set(map(tuple, approx.t().tolist())))
    assert hit / exact.size(1) >= 0.95
    assert approx.size(1) <= exact.size(1)


def test_ivf_params_rule():
    # about sqrt(N) lists (a power of two), at most N / 39, IVF_NPROBE probed
    assert ivf_params(65536) == (256, _knn.IVF_NPROBE)
    assert ivf_params(16384) == (128, _knn.IVF_NPROBE)
    assert ivf_params(1000) == (25, _knn.IVF_NPROBE)  # capped at N / 39
    # above 256 lists, the probes grow as the square root of the lists
    assert ivf_params(262144) == (512, 9) and ivf_params(1 << 20) == (1024, 12)
    assert ivf_params(1 << 22) == (2048, 17)
    for n in (40, 100, 313, 5000, 123457, 3 << 20):
        nlist, nprobe = ivf_params(n)
        assert 1 <= nlist <= n // 39
        assert nprobe == min(nlist, max(_knn.IVF_NPROBE,
                                        math.ceil(_knn.IVF_NPROBE * math.sqrt(nlist / 256))))


@needs_faiss
def test_ivf_search_in_list_order_gives_each_query_its_own_result():
    # _search reorders the queries by their nearest list (for the cache) and
    # puts the results back: the same ids as faiss's search in input order.
    faiss = load_faiss()
    n, k = 3000, 8
    x = torch.nn.functional.normalize(clustered_features(n, 32, seed=5), dim=-1).numpy()
    index = _knn._index(faiss, 32, "cosine", n, True, None, None)
    assert isinstance(index, faiss.IndexIVFScalarQuantizer) and index.nprobe == ivf_params(n)[1]
    assert index.sq.qtype == faiss.ScalarQuantizer.QT_fp16 and index.by_residual
    assert (index.cp.niter, index.cp.max_points_per_centroid) == (
        _knn.IVF_NITER, _knn.IVF_TRAIN_POINTS_PER_LIST)
    found = _knn._search(index, x, k)
    assert (found == index.search(x, k + 1)[1]).all()
    fresh = _knn._index(faiss, 32, "cosine", n, True, None, None)
    assert (_knn._search(fresh, x, k) == found).all()  # training is seeded


@needs_faiss
@pytest.mark.parametrize("metric", ["cosine", "dot", "rbf"])
def test_approx_index_codes_follow_the_metric(metric):
    # Half-precision lists for unit rows (cosine) only: fp16 overflows above
    # 65504 and flushes below 6e-8, so dot and rbf rows of any scale keep floats.
    faiss = load_faiss()
    index = _knn._index(faiss, 16, metric, 4096, True, None, None)
    kind = faiss.IndexIVFScalarQuantizer if metric == "cosine" else faiss.IndexIVFFlat
    assert type(index) is kind
    x = clustered_features(2000, 16, seed=6)
    graph = faiss_knn(x, [0, 2000], 8, metric, ["approx"])
    for scale in (2.0 ** 40, 2.0 ** -40):  # far outside fp16's range
        scaled = faiss_knn(x * scale, [0, 2000], 8, metric, ["approx"])
        same = [set(zip(row.tolist(), col.tolist())) for row, col in (graph, scaled)]
        assert len(same[0] & same[1]) / len(same[0]) >= 0.99


@needs_faiss
@pytest.mark.parametrize("knn", ["exact", "approx"])
def test_batch_never_linked_and_deterministic(knn):
    sizes = [700, 400, 3, 1]
    x = torch.cat([clustered_features(s, 16, seed=i) for i, s in enumerate(sizes)])
    batch = batch_of(sizes)
    ei, w = F.relation_graph(x, batch, k=6, knn=knn)
    assert torch.equal(batch[ei[0]], batch[ei[1]])
    deg = torch.bincount(ei[1], minlength=x.size(0))
    assert int(deg.max()) <= 7 and torch.equal(deg[-4:], torch.tensor([3, 3, 3, 1]))
    assert bool((ei[0] == ei[1]).sum() == x.size(0))  # every self loop
    ei2, w2 = F.relation_graph(x, batch, k=6, knn=knn)
    assert torch.equal(ei, ei2) and torch.equal(w, w2)


def edge_set(row_col):
    return set(zip(*(t.tolist() for t in row_col)))


@needs_faiss
def test_checked_search_keeps_approx_on_clustered_falls_back_on_gaussian(monkeypatch):
    n, k = 4096, 8
    for x, keeps in ((clustered_features(n, 32, seed=0), True),
                     (torch.randn(n, 32, generator=torch.Generator().manual_seed(0)), False)):
        exact, approx, checked = (faiss_knn(x, [0, n], k, "cosine", [m])
                                  for m in ("exact", "approx", "checked"))
        recall = len(edge_set(exact) & edge_set(approx)) / exact[0].numel()
        assert (recall >= AUTO_MIN_RECALL) == keeps  # clustered ~0.999, gaussian ~0.67
        assert edge_set(approx) != edge_set(exact)  # the two searches differ on both
        kept = approx if keeps else exact
        assert all(torch.equal(a, b) for a, b in zip(checked, kept))
        # knn="auto" above the size limit is the checked search (limit lowered
        # so that the test stays small); below it, the exact one
        monkeypatch.setattr(relation, "AUTO_EXACT_MAX_NODES", n - 1)
        ei, _ = F.relation_graph(x, k=k, knn="auto")
        assert torch.equal(ei, torch.stack([kept[1], kept[0]]))
        monkeypatch.setattr(relation, "AUTO_EXACT_MAX_NODES", n)
        ei, _ = F.relation_graph(x, k=k, knn="auto")
        assert torch.equal(ei, torch.stack([exact[1], exact[0]]))


def test_recall_sample_is_fixed_and_evenly_spaced():
    rows = sample_rows(65536)
    assert len(rows) == AUTO_RECALL_SAMPLE and rows[0] == 0 and rows[-1] < 65536
    assert len(set((rows[1:] - rows[:-1]).tolist())) == 1
    assert sample_rows(100).tolist() == list(range(100))


def test_without_faiss_the_torch_path_answers(monkeypatch):
    monkeypatch.setitem(sys.modules, "faiss", None)  # `import faiss` fails
    assert load_faiss() is None
    torch.manual_seed(4)
    x = torch.randn(120, 6)
    batch = batch_of([80, 40])
    r, c = _select_pairs(x, batch, 5, None, "cosine", "clamp", None, 512)
    for knn in ("exact", "approx", "auto"):
        ei, _ = F.relation_graph(x, batch, k=5, knn=knn, use_pyg=False)
        assert torch.equal(ei, torch.stack([c, r]))
    model = LEGO({"a": 6, "b": 6}, 2, k=3, knn="approx", backend="sparse")
    g = model({"a": x, "b": x.flip(0)}, batch)
    assert g.edge_weight.numel() > 0


@needs_faiss
def test_faiss_threads_are_restored():
    faiss = load_faiss()
    old = faiss.omp_get_max_threads()
    F.relation_graph(torch.randn(64, 4), k=3, knn="exact")
    assert faiss.omp_get_max_threads() == old


@needs_faiss
def test_weights_on_faiss_pairs_are_differentiable():
    # float64 with an approximate search goes through faiss (float64 exact
    # searches rank in float64 with torch): gradients flow to the weights.
    x = torch.randn(9, 3, dtype=torch.float64, requires_grad=True)
    batch = batch_of([5, 4])
    assert torch.autograd.gradcheck(
        lambda x: F.relation_graph(x, batch, k=2, knn="approx")[1], (x, ))


def test_knn_argument_checked_and_passed_on():
    with pytest.raises(ValueError, match="knn must be one of"):
        F.relation_graph(torch.randn(5, 2), k=2, knn="fast")
    with pytest.raises(ValueError, match="knn must be one of"):
        RelationGraph(k=2, knn="fast")
    with pytest.raises(ValueError, match="knn must be one of"):
        LEGO({"a": 2}, 1, knn="fast")
    assert LEGO({"a": 2}, 1, knn="exact").graph.knn == "exact"
    assert "knn='approx'" in repr(RelationGraph(k=2, knn="approx"))


def test_clustered_features_seeded_and_checked():
    a = clustered_features(50, 8, num_clusters=4, subspace=3, seed=7)
    assert a.shape == (50, 8) and a.dtype == torch.float32
    assert torch.equal(a, clustered_features(50, 8, num_clusters=4, subspace=3, seed=7))
    assert not torch.equal(a, clustered_features(50, 8, num_clusters=4, subspace=3, seed=8))
    # the clusters lie on the subspace: 3 singular values carry the energy
    sv = torch.linalg.svdvals(clustered_features(400, 8, subspace=3, noise_std=0.0))
    assert float(sv[3:].max()) < 1e-4 * float(sv[0])
    with pytest.raises(ValueError, match="subspace must be <= dim"):
        clustered_features(10, 4, subspace=5)
