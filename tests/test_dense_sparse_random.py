"""Dense == sparse LEGO on seeded random configurations: sources of 1-17
features (a 1-d source makes coarse, massively tied similarities),
batches of graphs of 1-41 nodes, duplicated and all-zero units, kNN and
pruning of the powers, every metric, support and zeroth power. Ties at a
top-k's last place go to the smaller index in both backends
(docs/methods.md §1.2), so they keep the same entries and give the same
numbers."""
import random

import pytest
import torch

from pyg_fusion.nn import LEGO


def _config(rng: random.Random):
    dims = {f"s{i}": rng.choice([1, 2, 5, 17]) for i in range(rng.choice([2, 3]))}
    sizes = [rng.choice([1, 2, 3, 7, 20, 41]) for _ in range(rng.choice([1, 2, 3]))]
    return dict(dims=dims, sizes=sizes, duplicates=rng.random() < 0.3,
                zero=rng.random() < 0.2, metric=rng.choice(["cosine", "rbf", "dot"]),
                num_powers=rng.choice([0, 1, 2, 3]), k=rng.choice([None, 1, 3, 8]),
                prune_k=rng.choice([None, 2, 5]),
                support_zeroth=rng.choice([("union", "identity"), ("intersection", "identity"),
                                           ("shared", "identity"), ("union", "ones"),
                                           ("shared", "ones")]))


def _features(cfg, dtype, gen):
    n = sum(cfg["sizes"])
    xs = {s: torch.randn(n, d, generator=gen, dtype=dtype) for s, d in cfg["dims"].items()}
    for x in xs.values():
        if cfg["duplicates"]:
            x[1:3] = x[0]
        if cfg["zero"]:
            x[0] = 0
    batch = torch.arange(len(cfg["sizes"])).repeat_interleave(torch.tensor(cfg["sizes"]))
    return xs, batch


@pytest.mark.parametrize("dtype,atol", [(torch.float64, 1e-9), (torch.float32, 1e-4)])
@pytest.mark.parametrize("seed", range(4))
def test_dense_equals_sparse_on_random_configurations(dtype, atol, seed, device):
    rng = random.Random(seed)
    gen = torch.Generator().manual_seed(seed)
    for _ in range(12):
        cfg = _config(rng)
        xs, batch = _features(cfg, dtype, gen)
        xs, batch = {s: x.to(device) for s, x in xs.items()}, batch.to(device)
        support, zeroth = cfg["support_zeroth"]
        kw = dict(num_powers=cfg["num_powers"], k=cfg["k"], prune_k=cfg["prune_k"],
                  metric=cfg["metric"], support=support, zeroth=zeroth)
        dense = LEGO(cfg["dims"], backend="dense", **kw).to(dtype).eval()
        with torch.no_grad():  # the CPU generator: the same operators on every device
            for p in dense.parameters():
                p.normal_(generator=gen)
        sparse = LEGO(cfg["dims"], backend="sparse", **kw).to(dtype).eval()
        sparse.load_state_dict(dense.state_dict())
        dense, sparse = dense.to(device), sparse.to(device)
        f_dense, f_sparse = dense(xs, batch), sparse(xs, batch)
        g_dense, g_sparse = f_dense.to_dense(), f_sparse.to_dense()
        assert g_dense.device.type == g_sparse.device.type == device.type
        assert torch.allclose(g_dense, g_sparse, atol=atol, rtol=0), cfg
        # the same edges, where G may be non-zero for some operator: the dense
        # backend reads them from the powers' values, the sparse one drops the
        # entries where a source's powers are all 0 (a similarity clamped to 0
        # kept as an edge, the paths through it), so that an edge list (GAT's,
        # SAGE's neighbourhoods) is one on both backends
        assert torch.equal(f_dense.edge_index, f_sparse.edge_index), cfg


@pytest.mark.parametrize("metric", ["cosine", "rbf", "dot"])
@pytest.mark.parametrize("k", [None, 3])
def test_threshold_at_a_similarity_keeps_the_same_entries(metric, k, device):
    """A threshold equal to one of the graph's own similarities (float32,
    features with an offset): both backends decide by the search's scores,
    so the entry at the threshold is kept by both or by neither."""
    from pyg_fusion.functional import edges_to_dense
    from pyg_fusion.nn import RelationGraph
    gen = torch.Generator().manual_seed(0)
    for trial in range(6):
        n = 20 + 30 * trial
        x = (5 * torch.randn(n, 16, generator=gen) + 20).to(device)
        adj = RelationGraph(metric=metric).dense(x)
        vals = adj[adj > 0]
        picks = torch.randperm(vals.numel(), generator=gen)[:5].to(device)
        for threshold in vals[picks].tolist():
            graph = RelationGraph(threshold=threshold, k=k, metric=metric)
            ei, w = graph(x)
            sparse = edges_to_dense(ei, w, max_num_nodes=n)[0]
            dense = graph.dense(x)
            assert sparse.device.type == dense.device.type == device.type
            assert torch.equal(sparse != 0, dense != 0), (trial, threshold)
            torch.testing.assert_close(sparse, dense, rtol=1e-4,
                                       atol=1e-5 * float(dense.abs().max()))


@pytest.mark.parametrize("metric", ["cosine", "rbf"])
def test_shared_support_at_a_threshold_is_the_same_on_both_backends(metric, device):
    """The shared support decides a threshold by the sparse search's rule too:
    at one of the graph's own similarities both supports keep the same
    entries (and LEGO's G is the same)."""
    from pyg_fusion.functional import edges_to_dense, shared_support
    from pyg_fusion.functional.support import dense_support_mask
    from pyg_fusion.nn import LEGO, RelationGraph
    gen = torch.Generator().manual_seed(0)
    n = 20
    xs = {"a": torch.randn(n, 16, generator=gen) + 20, "b": torch.randn(n, 4, generator=gen)}
    xs = {s: x.to(device) for s, x in xs.items()}
    vals = RelationGraph(metric=metric).dense(xs["a"]).flatten().unique()
    vals = vals[(vals > 0.3) & (vals < 1)]
    for threshold in vals[torch.randperm(vals.numel(), generator=gen)[:25].to(device)].tolist():
        ei = shared_support(xs, threshold=threshold, metric=metric)
        assert ei.device.type == device.type
        sparse = edges_to_dense(ei, torch.ones(ei.size(1), device=device),
                                max_num_nodes=n)[0] != 0
        dense = dense_support_mask(xs["a"][None], threshold=threshold, metric=metric)[0] | \
            dense_support_mask(xs["b"][None], threshold=threshold, metric=metric)[0]
        assert torch.equal(sparse, dense), threshold
        g = {be: LEGO({"a": 16, "b": 4}, 2, threshold=threshold, metric=metric,
                      support="shared", backend=be).to(device)(xs).to_dense()
             for be in ("dense", "sparse")}
        torch.testing.assert_close(g["dense"], g["sparse"], rtol=1e-4, atol=1e-5)


def test_rbf_batches_are_centred_alike_in_both_layouts(device):
    """Each graph's mean by one scatter over its real rows, padded or
    concatenated: the same bits, so both backends rank and threshold the
    same centred features."""
    from torch_geometric.utils import to_dense_batch

    from pyg_fusion.functional.similarity import centred
    gen = torch.Generator().manual_seed(1)
    sizes = torch.tensor([19, 13, 14, 1])
    batch = torch.arange(4).repeat_interleave(sizes).to(device)
    x = (7 * torch.randn(int(sizes.sum()), 16, generator=gen) + 30).to(device)
    dense, mask = to_dense_batch(x, batch)
    assert centred(x, batch).device.type == device.type
    assert torch.equal(centred(dense, mask=mask)[mask], centred(x, batch))
    one = x[:19]
    assert torch.equal(centred(one), centred(one.unsqueeze(0))[0])
    assert torch.equal(centred(one), centred(one, torch.zeros(19, dtype=torch.long,
                                                              device=device)))
    torch.testing.assert_close(centred(one).mean(0), torch.zeros(16, device=device), rtol=0,
                               atol=1e-5)


@pytest.mark.parametrize("dtype", [torch.float16, torch.bfloat16])
def test_sixteen_bit_top_k_keeps_the_largest(dtype, device):
    """64 ulps of a 16-bit type (6% in float16, 50% in bfloat16) tied
    distinct values, and ties go to the smaller column: the largest entry was
    dropped, and the dense pruning differed from the sparse one."""
    from pyg_fusion.functional import dense_graph_powers, dense_topk, graph_powers
    kept = dense_topk(torch.tensor([[0.3, 0.6, 1.0], [0.95, 1.0, 0.2], [0.1, 0.2, 0.3]],
                                   dtype=dtype, device=device), 1, include_diagonal=True)
    assert kept.device.type == device.type
    assert kept.ne(0).nonzero().tolist() == [[0, 2], [1, 1], [2, 2]]
    adj = torch.zeros(4, 4, device=device)
    adj[0, 1:] = adj[1:, 0] = torch.tensor([1., 2., 4.], device=device)
    ei = adj.nonzero().flip(1).t().contiguous()
    dense = dense_graph_powers(adj.to(dtype), 2, norm=None, prune_k=1)[2]
    index, attr = graph_powers(ei, adj[adj != 0].to(dtype), 4, 2, norm=None, prune_k=1)
    assert dense.device.type == attr.device.type == device.type
    sparse = torch.zeros(4, 4, dtype=dtype, device=device)
    sparse[index[1], index[0]] = attr[:, 2]
    assert torch.equal(dense, sparse)


@pytest.mark.parametrize("metric", ["cosine", "rbf"])
def test_threshold_decision_does_not_depend_on_the_shape_of_the_product(metric, device):
    """A threshold at a score whose last bit depends on the shape of the
    product that made it (a one-row chunk, a padded batch, cdist's formula
    above 25 rows): both backends and every chunk size keep the same pairs."""
    from torch_geometric.utils import to_dense_batch

    from pyg_fusion.functional import relation_pairs
    from pyg_fusion.functional.relation import knn_scores
    from pyg_fusion.functional.similarity import ranking_features
    from pyg_fusion.nn import RelationGraph
    torch.manual_seed(0)
    x = torch.randn(40, 16).to(device)
    batch = torch.arange(4).repeat_interleave(10).to(device)
    xd, mask = to_dense_batch(x, batch)
    padded = torch.block_diag(*knn_scores(xd, metric, mask)[0])
    xs = ranking_features(x, metric, batch)
    flat = -torch.cdist(xs, xs).pow(2) if metric == "rbf" else xs @ xs.t()
    rows = torch.cat([flat[i:i + 1] for i in range(40)]) if metric == "rbf" else \
        torch.cat([xs[i:i + 1] @ xs.t() for i in range(40)])
    same_graph = batch[:, None] == batch[None, :]
    differ = ((padded != flat) | (rows != flat)) & same_graph & \
        ~torch.eye(40, dtype=torch.bool, device=device)
    pairs = differ.nonzero()
    if device.type == "cpu":
        assert len(pairs)                     # the rounding does differ by shape
    if not len(pairs):  # a device whose kernels round every shape alike
        pairs = (same_graph & ~torch.eye(40, dtype=torch.bool, device=device)).nonzero()
    to_sim = (lambda s: torch.exp(s / 16)) if metric == "rbf" else (lambda s: s)
    for i, j in pairs[:6].tolist():
        t = float(max(to_sim(padded[i, j]), to_sim(flat[i, j]), to_sim(rows[i, j])))
        dense = RelationGraph(threshold=t, metric=metric, nonneg=None).dense(xd, mask)
        want = relation_pairs(x, batch, threshold=t, metric=metric, nonneg=None)
        assert dense.device.type == want.device.type == device.type
        assert int((dense != 0).sum()) == want.size(1)
        for chunk_size in (1, 7):
            got = relation_pairs(x, batch, threshold=t, metric=metric, nonneg=None,
                                 chunk_size=chunk_size)
            assert torch.equal(got, want), (metric, i, j, chunk_size)


def test_pruned_dense_powers_keep_the_derivative_at_zeros_of_short_rows(device):
    """A row of R^p with at most prune_k entries on its support loses
    nothing, its zeros included: the dense gradient at a zero-weight edge
    (given in ``support``) is the unpruned one (finite differences), as the
    sparse product's at that edge."""
    import pyg_fusion.functional as F
    adj = torch.tensor([[1., 0, 0, 0], [0, 0, 0, 0], [1, 0, 0, 0], [0, 0, 0, 0]],
                       dtype=torch.float64, device=device)
    support = adj.ne(0)
    support[0, 2] = True  # the edge 2 -> 0 of weight 0
    W = torch.randn(3, 4, 4, dtype=torch.float64,
                    generator=torch.Generator().manual_seed(0)).to(device)
    f = lambda a: (F.dense_graph_powers(a, 2, "sym", prune_k=2,  # noqa: E731
                                        support=support) * W).sum()
    a = adj.clone().requires_grad_()
    f(a).backward()
    assert a.grad.device.type == device.type
    e = torch.zeros(4, 4, dtype=torch.float64, device=device)
    e[0, 2] = 1e-7
    numeric = (f(adj + e) - f(adj - e)) / 2e-7
    assert abs(float(a.grad[0, 2]) - float(numeric)) < 1e-5
    ei = torch.tensor([[0, 0, 2], [0, 2, 0]], device=device)
    w = torch.tensor([1., 1., 0.], dtype=torch.float64, device=device, requires_grad=True)
    idx, attr = F.graph_powers(ei, w, 4, 2, norm="sym", prune_k=2)
    (attr * W[:, idx[1], idx[0]].t()).sum().backward()
    assert abs(float(w.grad[2]) - float(numeric)) < 1e-5


def test_row_normalisation_of_a_subnormal_degree_is_finite(device):
    import pyg_fusion.functional as F
    ei, w = torch.tensor([[0], [0]], device=device), torch.tensor([1e-39], device=device)
    assert F.graph_powers(ei, w, 1, 2, norm="row")[1].tolist() == [[1., 1., 1.]]
    assert F.dense_graph_powers(torch.tensor([[1e-39]], device=device), 2,
                                "row").flatten().tolist() == [1.] * 3
    assert F.normalize(ei, w, 1, "row").tolist() == [1.]
