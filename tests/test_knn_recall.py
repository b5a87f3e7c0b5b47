"""knn_recall: the recall@k of a given kNN graph against the exact search,
checked against a plain float64 torch reference."""
import pytest
import torch

import pyg_fusion.functional as F


def _scores64(x: torch.Tensor, metric: str) -> torch.Tensor:
    # plain reference scores in float64, self excluded
    xd = x.double()
    if metric == "cosine":
        xd = xd / xd.norm(dim=1, keepdim=True)
    s = -torch.cdist(xd, xd).pow(2) if metric == "rbf" else xd @ xd.t()
    return s.fill_diagonal_(float("-inf"))


def _recall64(x, edge_index, k, metric, rows=None, tol=0.0):
    # plain reference: of each row's k best others (float64), how many the
    # graph links; a score within tol of the k-th counts as tied with it
    s = _scores64(x, metric)
    rows = range(x.size(0)) if rows is None else rows
    kth = s.topk(k, dim=1).values[:, -1] - tol
    linked = torch.zeros_like(s, dtype=torch.bool)
    linked[edge_index[1], edge_index[0]] = True
    linked.fill_diagonal_(False)
    hits = sum(min(k, int((linked[i] & (s[i] >= kth[i])).sum())) for i in rows)
    return hits / (len(rows) * k)


def _damaged_graph(x, k, metric, seed):
    # the exact float64 graph with about a third of its neighbours replaced
    # by random units (a graph of known, imperfect recall)
    n = x.size(0)
    gen = torch.Generator().manual_seed(seed)
    nbr = _scores64(x, metric).topk(k, dim=1).indices
    wrong = torch.rand(n, k, generator=gen) < 1 / 3
    nbr = torch.where(wrong, torch.randint(0, n, (n, k), generator=gen), nbr)
    tgt = torch.arange(n).repeat_interleave(k)
    loops = torch.arange(n)
    return torch.stack([torch.cat([nbr.reshape(-1), loops]), torch.cat([tgt, loops])])


@pytest.mark.parametrize("metric", ["cosine", "rbf", "dot"])
def test_recall_of_a_graph_equals_the_float64_reference(metric):
    torch.manual_seed(0)
    x = torch.randn(400, 12) + 3  # an offset: rbf centres, cosine does not
    ei = _damaged_graph(x, 6, metric, seed=1)
    want = _recall64(x, ei, 6, metric)
    assert 0.5 < want < 0.8
    assert F.knn_recall(x, ei, 6, metric=metric, num_samples=None) == pytest.approx(want, abs=1e-12)
    assert F.knn_recall(x.double(), ei, 6, metric=metric, num_samples=None) == \
        pytest.approx(want, abs=1e-12)
    # the exact graph of the library has recall 1
    exact, _ = F.relation_graph(x, k=6, metric=metric, knn="exact")
    assert F.knn_recall(x, exact, 6, metric=metric) == 1.0


def test_sampled_recall_is_seeded_and_near_the_whole_graphs():
    torch.manual_seed(2)
    x = torch.randn(3000, 8)
    ei = _damaged_graph(x, 8, "cosine", seed=3)
    whole = _recall64(x, ei, 8, "cosine")
    got = [F.knn_recall(x, ei, 8, num_samples=256, seed=s) for s in (0, 0, 1)]
    assert got[0] == got[1]  # the same sample for the same seed
    assert got[0] != got[2]
    se = (whole * (1 - whole) / (256 * 8)) ** 0.5
    for r in got:
        assert abs(r - whole) < 4 * se
    # the documented sample: the reference on those rows
    rows = torch.randperm(3000, generator=torch.Generator().manual_seed(1))[:256].tolist()
    assert got[2] == pytest.approx(_recall64(x, ei, 8, "cosine", rows), abs=1e-12)


def test_approximate_search_reports_less_than_exact():
    # iid Gaussian features: IVF misses neighbours, and knn_recall says how many
    torch.manual_seed(4)
    x = torch.randn(2000, 32)
    approx, _ = F.relation_graph(x, k=8, knn="approx")
    # the tie tolerance of float32 cosine: 64 ulps of 1 (3 of 16000 neighbours here)
    want = _recall64(x, approx, 8, "cosine", tol=64 * torch.finfo(torch.float32).eps)
    assert 0.5 < want < 0.95
    assert F.knn_recall(x, approx, 8, num_samples=None) == pytest.approx(want, abs=1e-12)


def test_tied_neighbours_count_as_found():
    # duplicated units: a graph that keeps the larger index of a tied pair is exact too
    torch.manual_seed(5)
    base = torch.randn(10, 4)
    x = torch.cat([base, base])  # unit i duplicates unit i + 10 (i < 10)
    n = 20
    nbr = torch.arange(n) + 10 - 20 * (torch.arange(n) >= 10)  # each unit's twin
    ei = torch.stack([nbr, torch.arange(n)])
    for metric in ("cosine", "rbf"):  # (a dot product may prefer a larger unit)
        assert F.knn_recall(x, ei, 1, metric=metric, num_samples=None) == 1.0
    # k = 2: the twin, and the nearest other unit or its own twin (tied);
    # only the twin is linked, then the larger of a tied pair also counts
    assert F.knn_recall(x, ei, 2, metric="rbf", num_samples=None) == 0.5
    s = (-torch.cdist(x.double(), x.double())).fill_diagonal_(float("-inf"))
    s[torch.arange(n), nbr] = float("-inf")
    second = s.argmax(1) % 10 + 10  # the larger index of each tied pair
    both = torch.cat([ei, torch.stack([second, torch.arange(n)])], 1)
    assert F.knn_recall(x, both, 2, metric="rbf", num_samples=None) == 1.0


def test_recall_in_a_batch_of_graphs():
    torch.manual_seed(6)
    x = torch.randn(60, 5)
    batch = torch.tensor([0] * 3 + [1] * 57)
    ei, _ = F.relation_graph(x, batch, k=4, knn="exact")
    assert F.knn_recall(x, ei, 4, batch, num_samples=None) == 1.0
    # graph 0 has 2 others per unit: they are all its units need
    small = ei[:, batch[ei[1]] == 0]
    assert F.knn_recall(x[:3], small, 4, num_samples=None) == 1.0
    # the edges of one graph, read as one graph of all 60 units: links across
    # graphs are never neighbours, so searched apart the recall drops
    whole, _ = F.relation_graph(x, k=4, knn="exact")
    assert F.knn_recall(x, whole, 4, batch, num_samples=None) == \
        pytest.approx(_batched_recall64(x, whole, 4, batch), abs=1e-12)
    assert F.knn_recall(x, whole, 4, batch, num_samples=None) < 1.0
    # a unit alone in its graph has nothing to find
    one = torch.arange(1, dtype=torch.long)
    assert F.knn_recall(x[:1], torch.stack([one, one]), 3, num_samples=None) == 1.0


def _batched_recall64(x, edge_index, k, batch):
    s = _scores64(x, "cosine")
    s = s.masked_fill(batch[:, None] != batch[None], float("-inf"))
    others = (s > float("-inf")).sum(1)
    kth = s.topk(k, dim=1).values[:, -1]
    linked = torch.zeros_like(s, dtype=torch.bool)
    linked[edge_index[1], edge_index[0]] = True
    linked.fill_diagonal_(False)
    hit = linked & (s >= kth[:, None]) & (s > float("-inf"))
    need = others.clamp(max=k)
    return int(torch.minimum(hit.sum(1), need).sum()) / int(need.sum())


def test_knn_recall_names_its_arguments():
    x = torch.randn(5, 3)
    ei = torch.zeros(2, 1, dtype=torch.long)
    with pytest.raises(ValueError, match="k must be >= 1, got 0"):
        F.knn_recall(x, ei, 0)
    with pytest.raises(ValueError, match=r"edge_index must have shape \[2, E\]"):
        F.knn_recall(x, ei.t(), 1)
    with pytest.raises(ValueError, match="metric must be one of"):
        F.knn_recall(x, ei, 1, metric="l2")
    with pytest.raises(ValueError, match="num_samples must be >= 1, got 0"):
        F.knn_recall(x, ei, 1, num_samples=0)
    with pytest.raises(TypeError, match="x must be a floating-point tensor"):
        F.knn_recall(x.long(), ei, 1)
