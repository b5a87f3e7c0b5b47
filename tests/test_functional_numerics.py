"""Numerics of the functional API on degenerate inputs (tiny or huge
magnitudes, ties, empty rows), each against a plain-torch reference."""
import pytest
import torch

import pyg_fusion.functional as F
from pyg_fusion.functional.similarity import unit_rows


def _cosine(x: torch.Tensor) -> torch.Tensor:
    # plain reference: cosine of float64 rows, diagonal 1
    u = x.double() / x.double().norm(dim=1, keepdim=True)
    s = u @ u.t()
    s.fill_diagonal_(1)
    return s


def _knn_reference(s: torch.Tensor, k: int) -> torch.Tensor:
    # each row keeps its self loop and its k largest others (distinct scores)
    n = s.size(0)
    keep = torch.eye(n, dtype=torch.bool)
    others = s.masked_fill(keep, float("-inf"))
    keep[torch.arange(n).unsqueeze(1), others.topk(min(k, n - 1), 1).indices] = True
    return torch.where(keep, s, torch.zeros_like(s))


@pytest.mark.parametrize("scale,dtype", [(1e-13, torch.float64), (1e-30, torch.float64),
                                         (1e-20, torch.float32)])
def test_cosine_of_tiny_features_is_their_cosine(scale, dtype, monkeypatch):
    # F.normalize divides rows of norm below 1e-12 by 1e-12: features of
    # scale 1e-13 had cosine ~0 with every unit (neighbours by index)
    torch.manual_seed(3)
    x0 = torch.randn(12, 3, dtype=torch.float64)
    x0[5] = 0  # an all-zero row keeps its definition: 0 off the diagonal
    want = _cosine(x0).nan_to_num(0).clamp(min=0)
    want[5, 5] = 1
    x = (x0 * scale).to(dtype)
    tol = 1e-12 if dtype == torch.float64 else 1e-6
    dense = F.dense_relation_graph(x)
    torch.testing.assert_close(dense.double(), want, rtol=0, atol=tol)
    # the zero row's neighbours (all tied at 0) have weight 0: not compared
    ref = _knn_reference(_cosine(x0).nan_to_num(0), 3).clamp(min=0)
    ref[5, 5] = 1
    for knn in ("exact", "approx"):
        ei, ew = F.relation_graph(x, k=3, knn=knn)
        got = torch.zeros(12, 12, dtype=torch.float64)
        got[ei[1], ei[0]] = ew.double()
        torch.testing.assert_close(got, ref, rtol=0, atol=tol)
    # the torch search, without faiss, keeps the same graph
    monkeypatch.setattr("pyg_fusion.functional.relation.load_faiss", lambda: None)
    ei_t, ew_t = F.relation_graph(x, k=3)
    assert torch.equal(ei_t, ei)


def test_unit_rows_gradient_of_tiny_rows_is_scale_free():
    # u(c x) = u(x), so d u(c x) / d(c x) = (1 / c) d u(x) / dx
    torch.manual_seed(4)
    x0 = torch.randn(5, 4, dtype=torch.float64)
    g = torch.randn_like(x0)
    big = x0.clone().requires_grad_()
    (unit_rows(big) * g).sum().backward()
    tiny = (x0 * 1e-20).requires_grad_()
    y = unit_rows(tiny)
    torch.testing.assert_close(y, x0 / x0.norm(dim=1, keepdim=True), rtol=0, atol=1e-15)
    (y * g).sum().backward()
    torch.testing.assert_close(tiny.grad * 1e-20, big.grad, rtol=1e-12, atol=0)


def _dense_sym_reference(adj: torch.Tensor, norm: str) -> torch.Tensor:
    # plain reference from a scaled copy: normalisation does not see the scale
    a = adj.double() / adj.double().abs().max()
    deg = a.abs().sum(-1)
    if norm == "row":
        return a / deg.unsqueeze(-1)
    d = deg.rsqrt()
    return d.unsqueeze(-1) * a * d.unsqueeze(-2)


@pytest.mark.parametrize("norm", ["sym", "row"])
def test_normalisation_of_rows_whose_degree_overflows(norm):
    # a dot graph of features within the checks' limit: its rows' sums of
    # |R| overflow float32 (inf), and their normalised rows became 0
    torch.manual_seed(5)
    x = torch.rand(8, 4) + 1
    x = x / x.max() * 0.9 * F.similarity.feature_limit(x, "dot")
    adj = F.dense_relation_graph(x, "dot")
    assert torch.isfinite(adj).all() and torch.isinf(adj.abs().sum(-1)).any()
    want = _dense_sym_reference(adj, norm)
    tol = dict(rtol=1e-5, atol=1e-7)
    torch.testing.assert_close(F.dense_normalize(adj, norm).double(), want, **tol)
    ei, ew = F.dense_to_edges(adj)
    got = F.edges_to_dense(ei, F.normalize(ei, ew, 8, norm))[0]
    torch.testing.assert_close(got.double(), want, **tol)
    pe, pa = F.graph_powers(ei, ew, 8, 2, norm=norm)
    sparse = torch.zeros(3, 8, 8, dtype=pa.dtype)
    sparse[:, pe[1], pe[0]] = pa.t()
    ref = torch.stack([torch.eye(8, dtype=torch.float64), want, want @ want])
    torch.testing.assert_close(sparse.double(), ref, **tol)
    torch.testing.assert_close(F.dense_graph_powers(adj, 2, norm).double(), ref, **tol)


def test_label_propagation_with_degrees_that_overflow():
    adj = torch.tensor([[0, 3e38, 0, 3e38], [3e38, 0, 1, 0], [0, 1, 0, 2], [3e38, 0, 2, 0]])
    y = torch.eye(4)[:, :2].contiguous()
    w = adj.double() / 2 + adj.double().t() / 2  # float64: no overflow
    d = w.abs().sum(-1).rsqrt()
    w = d.unsqueeze(-1) * w * d
    want = y.double()
    for _ in range(3):
        want = 0.9 * w @ want + 0.1 * y.double()
    ei, ew = F.dense_to_edges(adj)
    for got in (F.dense_label_propagation(y, adj, num_layers=3),
                F.label_propagation(y, ei, ew, num_layers=3)):
        torch.testing.assert_close(got.double(), want, rtol=1e-5, atol=1e-7)



def test_graph_head_with_degrees_that_overflow():
    # GraphHead normalised by its own abs_degrees / clamp: node 1's in-edges
    # of 3e38 sum to inf in float32 and their weights became 0; it now
    # normalises as functional.normalize(norm="row") does
    from pyg_fusion.nn import GraphHead
    ei = torch.tensor([[0, 2, 3, 0, 1, 2], [1, 1, 1, 0, 0, 3]])
    ew = torch.tensor([3e38, 3e38, 1e38, 1.0, 3.0, 2.0])
    w = GraphHead.normalize(ei, ew, 4)
    assert w.tolist() == pytest.approx([3 / 7, 3 / 7, 1 / 7, 0.25, 0.75, 1.0], rel=1e-6)
    assert torch.equal(w, F.normalize(ei, ew, 4, "row"))
    torch.manual_seed(0)
    head = GraphHead(2, 3, 2, num_layers=1, dropout=0.0)
    x = torch.randn(4, 2)
    got = head(x, ei, ew)
    conv = head.convs[0]
    dense = torch.zeros(4, 4, dtype=torch.float64)
    dense[ei[1], ei[0]] = ew.double()
    agg = (dense / dense.sum(1, keepdim=True).clamp(min=1)) @ x.double()
    want = agg @ conv.lin_rel.weight.double().t() + conv.lin_rel.bias.double() \
        + x.double() @ conv.lin_root.weight.double().t()
    torch.testing.assert_close(got.double(), want, rtol=1e-5, atol=1e-6)


def test_dense_rbf_of_close_units_among_large_features_float32():
    # |x_i|^2 + |x_j|^2 - 2 x_i . x_j in float32 lost the distance of close
    # units to cancellation: units 0.1 apart among features of spread 1000
    # weighed 0.88 instead of 0.99, where the sparse graph (differences) had
    # 0.99
    torch.manual_seed(7)
    x = torch.randn(2, 10, 8, dtype=torch.float64) * 1000
    x[:, 1] = x[:, 0] + 0.1
    x[1, 3] = x[1, 2] + 1.0
    mask = torch.ones(2, 10, dtype=torch.bool)
    mask[0, 8:] = False
    x32 = x.float()
    xd = x32.double()  # the reference: plain differences of the same float32 values
    want = torch.exp(-((xd.unsqueeze(2) - xd.unsqueeze(1)) ** 2).sum(-1) / 8)
    want = want * (mask.unsqueeze(2) & mask.unsqueeze(1))
    got = F.dense_relation_graph(x32, "rbf", mask=mask)
    torch.testing.assert_close(got.double(), want, rtol=0, atol=1e-5)
    assert abs(float(got[0, 0, 1]) - 0.99) < 1e-3
    real = x32[mask]
    batch = torch.tensor([0] * 8 + [1] * 10)
    ei, ew = F.relation_graph(real, batch, k=3, metric="rbf")
    rows = got[mask]  # [18, 10]: each real unit's row in its padded graph
    slot = torch.arange(18) - torch.tensor([0] * 8 + [8] * 10)
    torch.testing.assert_close(ew, rows[ei[1], slot[ei[0]]], rtol=0, atol=1e-5)


@pytest.mark.parametrize("metric", ["rbf", "dot"])
def test_approx_search_of_float64_features_of_any_scale(metric):
    # faiss ranks in float32: float64 features of scale 2^-83 ranked as
    # ties (recall 0.17), and at 2^83 their squares overflowed and IVF's
    # k-means aborted the process (rbf). A power-of-two scale changes no
    # bit of the ranking, so the graph is the one of the unscaled features.
    torch.manual_seed(8)
    centres = torch.randn(10, 8, dtype=torch.float64)
    x = centres[torch.randint(0, 10, (1000,))] + 0.3 * torch.randn(1000, 8, dtype=torch.float64)
    ei, _ = F.relation_graph(x, k=5, metric=metric, knn="approx")
    exact, _ = F.relation_graph(x, k=5, metric=metric, knn="exact")
    found = set(map(tuple, ei.t().tolist()))
    assert len(found & set(map(tuple, exact.t().tolist()))) / len(found) > 0.9
    for scale in (2.0 ** 83, 2.0 ** -83):
        scaled, _ = F.relation_graph(x * scale, k=5, metric=metric, knn="approx")
        assert torch.equal(scaled, ei)


def test_exact_dot_knn_with_one_unit_of_large_norm(monkeypatch):
    # the dot tie tolerance was the graph's largest squared norm for every
    # row: one unit at 30x the others' norm made most float32 neighbours
    # "ties" chosen by index (recall@5 0.86 at d = 8, 0.62 at d = 64)
    torch.manual_seed(10)
    centres = torch.randn(5, 8)
    x = centres[torch.randint(0, 5, (1000,))] + 0.2 * torch.randn(1000, 8)
    x[-1] = 30 * torch.randn(8)
    xd = x.double()
    scores = xd @ xd.t()
    scores.fill_diagonal_(float("-inf"))
    want = scores.topk(5, dim=1).indices  # float64 reference
    got = []
    for faiss in (True, False):
        if not faiss:
            monkeypatch.setattr("pyg_fusion.functional.relation.load_faiss", lambda: None)
        ei, _ = F.relation_graph(x, k=5, metric="dot", knn="exact")
        got.append(ei)
        rows = [set() for _ in range(1000)]
        for s, t in ei.t().tolist():
            if s != t:
                rows[t].add(s)
        hits = sum(len(rows[i] & set(want[i].tolist())) for i in range(999))
        assert hits / (999 * 5) > 0.98
    assert torch.equal(got[0], got[1])  # faiss's search and the torch path


@pytest.mark.parametrize("d", [8, 64])
@pytest.mark.parametrize("metric", ["rbf", "cosine"])
def test_exact_knn_with_one_unit_of_large_norm_rbf_and_cosine(d, metric, monkeypatch):
    # the rbf tie tolerance was twice the graph's largest squared norm for
    # every row: one unit at 30x the others' norm made most float32
    # neighbours "ties" chosen by index (recall@5 0.43 / 0.23 at d = 8 / 64
    # in this draw); per row (|x_i|^2 and the row's k-th distance) the
    # misses left are float32 ties. Cosine (unit rows, scale 1) never had it.
    from pyg_fusion.functional import relation
    from pyg_fusion.nn import RelationGraph
    torch.manual_seed(0)
    n, k = 500, 5
    centres = torch.randn(5, d)
    x = centres[torch.randint(0, 5, (n,))] + 0.2 * torch.randn(n, d)
    x[-1] = 30 * x[:-1].norm(dim=1).mean() * torch.nn.functional.normalize(torch.randn(d), dim=0)
    xd = x.double()
    if metric == "rbf":
        scores = -torch.cdist(xd, xd).pow(2)
    else:
        u = xd / xd.norm(dim=1, keepdim=True)
        scores = u @ u.t()
    scores.fill_diagonal_(float("-inf"))
    want = torch.zeros(n, n, dtype=torch.bool)  # float64 reference
    want[torch.arange(n).unsqueeze(1), scores.topk(k, dim=1).indices] = True
    want = want[:-1]  # the outlier's own row is not the point

    def recall(keep):
        return float((keep[:-1] & want).sum()) / ((n - 1) * k)

    # the dense backend's choice (its rbf weights of the outlier's row are 0 in float32)
    scores32, scale = relation.knn_scores(x, metric)
    dense = relation.dense_topk(torch.ones_like(scores32), k, scores=scores32, scale=scale) != 0
    dense.fill_diagonal_(False)
    assert torch.equal(dense[:-1], (RelationGraph(k=k, metric=metric).dense(x) != 0)[:-1]
                       .fill_diagonal_(False))
    assert recall(dense) > 0.99
    for use_faiss in (True, False):  # faiss's flat index, then the torch path
        if not use_faiss:
            monkeypatch.setattr(relation, "load_faiss", lambda: None)
        ei, _ = F.relation_graph(x, k=k, metric=metric, nonneg=None, knn="exact")
        sparse = torch.zeros(n, n, dtype=torch.bool)
        sparse[ei[1], ei[0]] = True
        sparse.fill_diagonal_(False)
        assert torch.equal(sparse, dense), use_faiss  # the same edges in every search
