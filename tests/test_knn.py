"""The kNN search of the relationship graphs: faiss's and torch's exact
paths agree, ties at the k-th neighbour go to the smaller index on every
path, approximate recall and its checked fallback, batches never linked,
faiss's threads and the auto rule. faiss's index itself:
tests/test_knn_index.py."""
import sys

import pytest
import torch

import pyg_fusion.functional as F
from pyg_fusion.datasets import clustered_features
from pyg_fusion.functional import relation
from pyg_fusion.functional.support import shared_support_graphs
from pyg_fusion.functional._knn import (AUTO_MIN_RECALL, AUTO_RECALL_SAMPLE, faiss_knn,
                                        load_faiss, sample_rows)
from pyg_fusion.functional._knn_index import ivf_params
from pyg_fusion.functional.relation import _select_pairs
from pyg_fusion.nn import LEGO, RelationGraph
from device_checks import bitwise

needs_faiss = pytest.mark.skipif(load_faiss() is None, reason="faiss not installed")


def batch_of(sizes, device="cpu"):
    return torch.arange(len(sizes), device=device).repeat_interleave(
        torch.tensor(sizes, device=device))


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
def test_faiss_exact_equals_torch_exact(metric, device):
    # on CUDA: faiss's GPU index where faiss has one, else the torch search
    nonneg = None if metric == "dot" else "clamp"
    x = torch.cat([clustered_features(300, 24, seed=1), torch.randn(200, 24)]).to(device)
    batch = batch_of([300, 150, 50], device)
    a, _ = F.relation_graph(x, batch, k=7, metric=metric, nonneg=nonneg, knn="exact")
    assert a.device == x.device
    r, c = _select_pairs(x, batch, 7, None, metric, nonneg, None, 512)
    assert_same_up_to_ties(a.cpu(), torch.stack([c, r]).cpu(), scores(x, metric).cpu())
    # sorted by target, then source, like the torch path
    key = a[1] * x.size(0) + a[0]
    assert bool((key[1:] > key[:-1]).all())


def _tied_features(dtype):
    # duplicated units and a coarse 1-d source: exact ties at the k-th place
    g = torch.Generator().manual_seed(0)
    base = torch.randn(9, 4, generator=g, dtype=dtype)
    dup = base[torch.randint(0, 9, (30, ), generator=g)]
    coarse = torch.randint(-1, 2, (30, 1), generator=g).to(dtype)
    return dup, coarse


@pytest.mark.parametrize("dtype", [torch.float32, torch.float64])
@pytest.mark.parametrize("metric", ["cosine", "rbf", "dot"])
def test_ties_at_the_kth_go_to_the_smaller_index_on_every_path(dtype, metric, monkeypatch,
                                                                device):
    # the dense backend's kNN, the torch search and faiss's flat index keep the same
    # neighbours when similarities tie (equal up to the products' rounding); on
    # CUDA faiss's GPU index where faiss has one, else the torch search twice
    nonneg = None if metric == "dot" else "clamp"
    batch = batch_of([13, 17], device)
    graph = RelationGraph(k=3, metric=metric, nonneg=nonneg).to(device)
    for x in _tied_features(dtype):
        x = x.to(device)
        dense = torch.zeros(30, 30, dtype=torch.bool, device=device)
        for lo, hi in ((0, 13), (13, 30)):
            dense[lo:hi, lo:hi] = graph.dense(x[lo:hi]) != 0
            scores, scale = relation.knn_scores(x[lo:hi], metric)
            keep = relation.dense_topk(torch.ones_like(scores), 3, scores=scores, scale=scale)
            dense[lo:hi, lo:hi] |= keep.bool()  # edges of weight 0 (clamped) too
        want = dense.nonzero().t().flip(0)
        for use_faiss in (True, False):
            if not use_faiss:
                monkeypatch.setattr(relation, "load_faiss", lambda: None)
            ei, _ = F.relation_graph(x, batch, k=3, metric=metric, nonneg=nonneg, knn="exact")
            assert torch.equal(ei, want), (use_faiss, dtype)
        monkeypatch.undo()


def test_tied_duplicates_keep_the_smallest_indices(device):
    x = torch.randn(4, 6).repeat(5, 1).to(device)  # unit i duplicates i % 4
    for use_faiss in (True, False):
        with pytest.MonkeyPatch.context() as mp:
            if not use_faiss:
                mp.setattr(relation, "load_faiss", lambda: None)
            ei, _ = F.relation_graph(x, k=2, knn="exact")
        assert ei.device == x.device
        for i, got in enumerate(neighbour_sets(ei, 20)):
            twins = [j for j in range(i % 4, 20, 4) if j != i]
            assert got == {i, *twins[:2]}, (use_faiss, i)


@pytest.mark.parametrize("backend_k", [(3, None), (3, 4), (None, 4)])
def test_lego_dense_equals_sparse_on_tied_features(backend_k, device):
    k, prune_k = backend_k
    dup, coarse = _tied_features(torch.float64)
    xs = {"a": dup.to(device), "b": torch.cat([coarse, dup[:, :2]], 1).to(device)}
    batch = batch_of([13, 17], device)
    torch.manual_seed(0)
    dense = LEGO({"a": 4, "b": 3}, 2, k=k, prune_k=prune_k, backend="dense").double().eval()
    with torch.no_grad():
        for p in dense.parameters():
            p.normal_()
    dense = dense.to(device)
    sparse = LEGO({"a": 4, "b": 3}, 2, k=k, prune_k=prune_k,
                  backend="sparse").double().to(device).eval()
    sparse.load_state_dict(dense.state_dict())
    out = dense(xs, batch).to_dense()
    assert out.device == xs["a"].device
    assert torch.allclose(out, sparse(xs, batch).to_dense(), atol=1e-9, rtol=0)


@needs_faiss
def test_ties_between_duplicates_keep_self_and_k_others(device):
    base = torch.randn(6, 5)
    x = base.repeat_interleave(5, 0).to(device)  # every unit has 4 exact duplicates
    ei, w = F.relation_graph(x, k=3, knn="exact")
    assert ei.device == x.device and w.device == x.device
    sets = neighbour_sets(ei, x.size(0))
    for i, s in enumerate(sets):
        assert i in s and len(s) == 4
        assert all(j // 5 == i // 5 for j in s)  # the k most similar are duplicates
    assert torch.allclose(w, torch.ones_like(w))


@needs_faiss
def test_approx_recall_on_clustered_features(device):
    # on CUDA faiss's GPU IVF index where faiss has one, else the exact torch search
    n = 4096
    assert ivf_params(n)[0] >= 8  # the IVF index is used at this size
    x = clustered_features(n, 32, seed=3).to(device)
    exact, _ = F.relation_graph(x, k=10, knn="exact")
    approx, _ = F.relation_graph(x, k=10, knn="approx")
    hit = len(set(map(tuple, exact.t().tolist())) & set(map(tuple, approx.t().tolist())))
    assert hit / exact.size(1) >= 0.95
    assert approx.size(1) <= exact.size(1)


@needs_faiss
@pytest.mark.parametrize("knn", ["exact", "approx"])
def test_batch_never_linked_and_deterministic(knn, device):
    sizes = [700, 400, 3, 1]
    x = torch.cat([clustered_features(s, 16, seed=i) for i, s in enumerate(sizes)]).to(device)
    batch = batch_of(sizes, device)
    ei, w = F.relation_graph(x, batch, k=6, knn=knn)
    assert ei.device == x.device and w.device == x.device
    assert torch.equal(batch[ei[0]], batch[ei[1]])
    deg = torch.bincount(ei[1], minlength=x.size(0))
    assert int(deg.max()) <= 7 and deg[-4:].tolist() == [3, 3, 3, 1]
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


@needs_faiss
def test_faiss_knn_refuses_unknown_modes_and_metrics():
    # "auto" (relation_graph's knn, not a per-graph mode) ran the approximate
    # search; an unknown metric ranked by inner products
    x = clustered_features(400, 16, seed=0)
    assert ivf_params(400)[0] >= 8  # a graph "approx" searches with IVF
    with pytest.raises(ValueError, match="mode must be one of"):
        faiss_knn(x, [0, 400], 3, "cosine", ["auto"])
    with pytest.raises(ValueError, match="mode must hold one entry per graph"):
        faiss_knn(x, [0, 200, 400], 3, "cosine", ["exact"])
    with pytest.raises(ValueError, match="metric must be one of"):
        faiss_knn(x, [0, 400], 3, "euclidean", ["exact"])


def test_recall_sample_is_fixed_and_evenly_spaced():
    rows = sample_rows(65536)
    assert len(rows) == AUTO_RECALL_SAMPLE and rows[0] == 0 and rows[-1] < 65536
    assert len(set((rows[1:] - rows[:-1]).tolist())) == 1
    assert sample_rows(100).tolist() == list(range(100))


def test_without_faiss_the_torch_path_answers(monkeypatch, device):
    monkeypatch.setitem(sys.modules, "faiss", None)  # `import faiss` fails
    assert load_faiss() is None
    torch.manual_seed(4)
    x = torch.randn(120, 6).to(device)
    batch = batch_of([80, 40], device)
    r, c = _select_pairs(x, batch, 5, None, "cosine", "clamp", None, 512)
    assert r.device == x.device and c.device == x.device
    for knn in ("exact", "approx", "auto"):
        ei, _ = F.relation_graph(x, batch, k=5, knn=knn, use_pyg=False)
        assert torch.equal(ei, torch.stack([c, r]))
    model = LEGO({"a": 6, "b": 6}, 2, k=3, knn="approx", backend="sparse").to(device)
    g = model({"a": x, "b": x.flip(0)}, batch)
    assert g.edge_weight.numel() > 0 and g.edge_weight.device == x.device


@needs_faiss
def test_faiss_threads_are_restored():
    faiss = load_faiss()
    old = faiss.omp_get_max_threads()
    F.relation_graph(torch.randn(64, 4), k=3, knn="exact")
    assert faiss.omp_get_max_threads() == old


@needs_faiss
def test_weights_on_faiss_pairs_are_differentiable(device):
    # float64 with an approximate search goes through faiss (float64 exact
    # searches rank in float64 with torch; on CUDA faiss's GPU index where
    # faiss has one, else the torch search): gradients flow to the weights.
    x = torch.randn(9, 3, dtype=torch.float64).to(device).requires_grad_()
    batch = batch_of([5, 4], device)
    # gradcheck asks two backward passes to agree bit for bit: on CUDA the
    # weights' backward adds each pair's gradient to its column by atomics
    with bitwise(device):
        assert torch.autograd.gradcheck(
            lambda x: F.relation_graph(x, batch, k=2, knn="approx")[1], (x, ))


def test_knn_argument_checked_and_passed_on():
    with pytest.raises(ValueError, match="knn must be one of"):
        F.relation_graph(torch.randn(5, 2), k=2, knn="fast")
    with pytest.raises(ValueError, match="knn must be one of"):
        F.relation_pairs(torch.randn(5, 2), k=2, knn="fast")
    with pytest.raises(ValueError, match="knn must be one of"):
        shared_support_graphs({"a": torch.randn(5, 2)}, k=2, knn="fast")
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


def test_top_k_columns_equal_the_full_mask(device):
    # rounded scores: ties everywhere, some groups wider than the spare candidates
    from pyg_fusion.functional._topk import top_k_columns, top_k_mask
    g = torch.Generator().manual_seed(0)
    scores = ((torch.rand(64, 300, generator=g) * 8).round() / 8).to(device)
    scores[:8] = 0.5  # every column tied
    scale = torch.tensor(1.0, device=device)
    for k in (1, 5, 17):
        want = top_k_mask(scores, k, scale).nonzero(as_tuple=True)[1].view(-1, k)
        got = top_k_columns(scores, k, scale, spare=4)
        assert got.device == scores.device and torch.equal(got, want)
        # the smallest columns
        assert torch.equal(want[:8], torch.arange(k, device=device).expand(8, k))


@pytest.mark.parametrize("offset", [100.0, 1000.0])
def test_rbf_in_float32_is_exact_under_a_common_offset(offset, device):
    """Raw intensities: a large common offset made float32's rounding of the
    expanded squared distance swamp the gaps between neighbours, so the tie
    rule (smaller index) chose most of them. Centred features rank as float64
    does, on every search path and on the dense backend."""
    g = torch.Generator().manual_seed(0)
    x = (offset + torch.randn(40, 4, generator=g)).float().to(device)
    ref = F.relation_graph(x.double(), k=3, metric="rbf")[0]
    for knn in ("exact", "approx"):
        assert torch.equal(F.relation_graph(x, k=3, metric="rbf", knn=knn)[0], ref)
    assert torch.equal(_sorted(relation_edges_torch(x)), _sorted(ref))
    dense, dense64 = (F.dense_relation_graph(v, "rbf") for v in (x, x.double()))
    assert (dense.double() - dense64).abs().max() < 1e-6
    xs = {"a": x, "b": (2 * offset + torch.randn(40, 3, generator=g)).float().to(device)}
    out = [LEGO({"a": 4, "b": 3}, 2, k=3, metric="rbf", backend=b).to(device)(xs).to_dense()
           for b in ("dense", "sparse")]
    assert torch.allclose(out[0], out[1], atol=1e-5)


def relation_edges_torch(x):
    batch = torch.zeros(x.size(0), dtype=torch.long, device=x.device)
    row, col = _select_pairs(x, batch, 3, None, "rbf", "clamp", None, 512)
    return torch.stack([col, row])


def _sorted(ei):
    return ei[:, (ei[1] * 10_000 + ei[0]).argsort()]


def test_auto_exact_max_nodes_is_exported_and_is_the_auto_rule(monkeypatch):
    # knn="auto" searches a graph of F.AUTO_EXACT_MAX_NODES nodes exactly and
    # one node more with the checked approximate search: one batch of both
    # sizes, the mode each graph is given read at the faiss call (faiss
    # itself replaced, so the test needs neither faiss nor the searches)
    limit = F.AUTO_EXACT_MAX_NODES
    assert limit == 16384
    seen = {}

    def fake_knn(x, ptr, k, metric, mode):
        seen.update(ptr=list(ptr), mode=list(mode))
        loops = torch.arange(x.size(0))
        return loops, loops

    monkeypatch.setattr(relation, "load_faiss", lambda: object())
    monkeypatch.setattr(relation, "faiss_knn", fake_knn)
    x = torch.randn(2 * limit + 1, 2, generator=torch.Generator().manual_seed(0))
    ei, w = F.relation_graph(x, batch_of([limit, limit + 1]), k=4, knn="auto")
    assert seen == {"ptr": [0, limit, 2 * limit + 1], "mode": ["exact", "checked"]}
    assert torch.equal(ei[0], ei[1]) and torch.allclose(w, torch.ones(x.size(0)))
    F.relation_graph(x[:limit], k=4, knn="auto")
    assert seen["mode"] == ["exact"]
