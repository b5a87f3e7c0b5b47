"""Shared-support sparse fusion and the Hadamard-identity zeroth power:
dense == sparse (float64), gradients, graph-mean and graph-product as
special cases of the operator."""
import pytest
import torch

import pyg_fusion.functional as F
from device_checks import bitwise
from pyg_fusion.functional.support import (dense_shared_support_graphs, dense_support_mask,
                                           shared_support_graphs)
from pyg_fusion.nn import LEGO, LEGOFusion
from pyg_fusion.nn.baselines import graph_fuse_sparse


def _xs(seed=0, n=14, widths=(("a", 5), ("b", 3), ("c", 4)), device="cpu"):
    g = torch.Generator().manual_seed(seed)
    return {s: torch.randn(n, d, generator=g, dtype=torch.float64).to(device)
            for s, d in widths}


def _dense(ei, w, n):
    return F.edges_to_dense(ei, w, max_num_nodes=n)[0]


@pytest.mark.parametrize("k,threshold", [(3, None), (2, 0.1), (None, 0.2)])
def test_shared_support_is_the_union_with_every_source_evaluated(k, threshold, device):
    xs = _xs(device=device)
    n = 14
    shared = shared_support_graphs(xs, k=k, threshold=threshold)
    index = shared["a"][0]
    assert index.device.type == shared["b"][1].device.type == device.type
    own = set()
    for x in xs.values():
        own |= set(map(tuple, F.relation_graph(x, k=k, threshold=threshold)[0].t().tolist()))
    assert set(map(tuple, index.t().tolist())) == own
    masks = {s: dense_support_mask(x.unsqueeze(0), k=k, threshold=threshold)[0]
             for s, x in xs.items()}
    union = masks["a"] | masks["b"] | masks["c"]
    dense = dense_shared_support_graphs({s: x.unsqueeze(0) for s, x in xs.items()},
                                        k=k, threshold=threshold)
    assert union.device.type == dense["a"].device.type == device.type
    for s, x in xs.items():
        assert torch.equal(shared[s][0], index)
        full = F.dense_relation_graph(x)
        # every source's true similarity on every pair of the union
        torch.testing.assert_close(_dense(*shared[s], n), full * union, atol=1e-12, rtol=0)
        torch.testing.assert_close(dense[s][0], full * union, atol=1e-12, rtol=0)
        own_mask = _dense(*F.relation_graph(x, k=k, threshold=threshold), n) != 0
        assert bool((masks[s] | ~own_mask).all())


@pytest.mark.parametrize("zeroth", ["identity", "ones"])
@pytest.mark.parametrize("fusion", ["pairwise", "cp"])
def test_lego_shared_support_dense_equals_sparse(zeroth, fusion, device):
    xs = _xs(1, device=device)
    rank = 2 if fusion == "cp" else 1  # the pairwise operator has no rank
    sparse = LEGO({"a": 5, "b": 3, "c": 4}, 2, k=3, support="shared", zeroth=zeroth,
                  fusion=fusion, rank=rank, pairs="all", backend="sparse").double()
    dense = LEGO({"a": 5, "b": 3, "c": 4}, 2, k=3, support="shared", zeroth=zeroth,
                 fusion=fusion, rank=rank, pairs="all", backend="dense").double()
    dense.load_state_dict(sparse.state_dict())
    with torch.no_grad():
        for p in sparse.parameters():
            p.add_(0.3 * torch.randn_like(p))
    dense.load_state_dict(sparse.state_dict())
    sparse, dense = sparse.to(device), dense.to(device)
    gs, gd = sparse(xs), dense(xs)
    assert gs.edge_weight.device.type == gd.to_dense().device.type == device.type
    torch.testing.assert_close(gs.to_dense()[0], gd.to_dense()[0], atol=1e-9, rtol=0)
    # batched (padded) dense input agrees too
    gp = dense({s: x.unsqueeze(0) for s, x in xs.items()})
    torch.testing.assert_close(gp.to_dense()[0], gd.to_dense()[0], atol=1e-9, rtol=0)


def test_shared_support_products_do_not_collapse_to_intersections(device):
    xs = _xs(2, n=30, device=device)
    per = LEGO({"a": 5, "b": 3, "c": 4}, 1, k=3, support="intersection", pairs="all",
               backend="sparse").double().to(device)
    shared = LEGO({"a": 5, "b": 3, "c": 4}, 1, k=3, support="shared", pairs="all",
                  backend="sparse").double().to(device)
    g = shared(xs)
    assert g.edge_index.device.type == device.type
    assert g.edge_index.size(1) > 2 * per(xs).edge_index.size(1)


@pytest.mark.parametrize("support", ["union", "shared"])
def test_zeroth_ones_dense_equals_sparse(support, device):
    xs = _xs(3, device=device)
    kw = dict(k=3, support=support, zeroth="ones", pairs="all")
    sparse = LEGO({"a": 5, "b": 3, "c": 4}, 2, backend="sparse", **kw).double()
    dense = LEGO({"a": 5, "b": 3, "c": 4}, 2, backend="dense", **kw).double()
    with torch.no_grad():
        for a in sparse.fusion.A.values():
            a.normal_()
    dense.load_state_dict(sparse.state_dict())
    sparse, dense = sparse.to(device), dense.to(device)
    gs = sparse(xs).to_dense()[0]
    assert gs.device.type == device.type
    torch.testing.assert_close(gs, dense(xs).to_dense()[0], atol=1e-9, rtol=0)


def test_zeroth_ones_makes_graph_mean_and_product_special_cases(device):
    xs = _xs(4, device=device)
    n = 14
    graphs = {s: F.relation_graph(x, k=3) for s, x in xs.items()}
    powers = {s: F.graph_powers(*g, n, 1) for s, g in graphs.items()}
    normed = [(p[0], p[1][:, 1]) for p in powers.values()]
    mean = LEGOFusion(list(xs), 1, pairs="all", zeroth="ones", init="mean").double().to(device)
    ei, w = mean(powers, n)
    ref = graph_fuse_sparse(normed, n, "mean")
    assert ei.device.type == w.device.type == ref[1].device.type == device.type
    torch.testing.assert_close(_dense(ei, w, n), _dense(*ref, n), atol=1e-12, rtol=0)
    # the untrained operator with R^0 = I or the Hadamard identity: the product
    for zeroth in ("identity", "ones"):
        prod = LEGOFusion(["a", "b"], 1, zeroth=zeroth).double().to(device)
        ei, w = prod({s: powers[s] for s in "ab"}, n)
        ref = graph_fuse_sparse(normed[:2], n, "product")
        torch.testing.assert_close(_dense(ei, w, n), _dense(*ref, n), atol=1e-12, rtol=0)
    with pytest.raises(ValueError, match="init='mean'"):
        LEGOFusion(["a", "b"], 1, init="mean")
    with pytest.raises(ValueError, match="zeroth"):
        LEGOFusion(["a", "b"], 1, zeroth="eye")


def test_shared_support_and_zeroth_ones_gradcheck(device):
    xs = _xs(5, n=8, widths=(("a", 3), ("b", 2)), device=device)
    lego = LEGO({"a": 3, "b": 2}, 2, k=2, support="shared", zeroth="ones",
                backend="sparse").double()
    with torch.no_grad():
        lego.fusion.A["a|b"].normal_()
    lego = lego.to(device)
    assert lego(xs).edge_weight.device.type == device.type
    xa = xs["a"].clone().requires_grad_()
    # gradcheck wants the same bits from two backward passes: on CUDA the
    # sparse backward adds by atomics (index_add_, scatter_add_)
    with bitwise(device):
        assert torch.autograd.gradcheck(lambda x: lego({"a": x, "b": xs["b"]}).edge_weight,
                                        (xa, ), fast_mode=True)
    # the operator, through the functional form on the shared support
    pw = {s: F.graph_powers(*g, 8, 2) for s, g in shared_support_graphs(xs, k=2).items()}
    A = torch.randn(3, 3, dtype=torch.float64).to(device).requires_grad_()
    assert torch.autograd.gradcheck(
        lambda A_: F.lego_fuse_sparse(*pw["a"], *pw["b"], A_, 8, zeroth="ones")[1], (A, ))


def test_shared_support_rejects_assigned_sources():
    lego = LEGO({"a": 3, "b": 2}, 1, k=2, support="shared", backend="sparse")
    with pytest.raises(ValueError, match="support='shared'"):
        lego({"a": torch.randn(8, 3), "b": torch.randn(16, 2)},
             assign={"b": torch.arange(16) // 2})


@pytest.mark.parametrize("knn", ["exact", "approx"])
def test_lego_shared_support_searches_with_its_knn(monkeypatch, knn):
    import pyg_fusion.functional.support as support
    seen = []

    def pairs(*args, **kw):
        seen.append(kw["knn"])
        return F.relation_pairs(*args, **kw)

    monkeypatch.setattr(support, "relation_pairs", pairs)
    xs = _xs(widths=(("a", 5), ("b", 3)))
    model = LEGO({"a": 5, "b": 3}, k=3, support="shared", backend="sparse", knn=knn).double()
    model(xs)
    assert seen == [knn, knn]
