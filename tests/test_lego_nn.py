import pytest
import torch
from torch_geometric.data import Batch, InMemoryDataset

import pyg_fusion.functional as F
from device_checks import bitwise
from pyg_fusion.data import MultiSourceData
from pyg_fusion.nn import (LEGO, DegreeVarianceLoss, GraphHead, GraphPowerExpansion,
                           LEGOFusion, RelationGraph, RowHead)

WIDTHS = {"rgb": 6, "flow": 3, "text": 4}


def make_batch(sizes, dtype=torch.float64, seed=0, device="cpu"):
    g = torch.Generator().manual_seed(seed)
    data = []
    for n in sizes:
        data.append(MultiSourceData(
            **{f"x_{s}": torch.randn(n, d, generator=g, dtype=dtype) for s, d in WIDTHS.items()},
            y=torch.tensor([n % 2]), num_nodes=n))
    return Batch.from_data_list(data).to(device)


def twin(backend, device="cpu", **kw):
    torch.manual_seed(1)
    return LEGO(WIDTHS, 3, backend=backend, **kw).double().to(device).eval()


@pytest.mark.parametrize("kw", [dict(), dict(k=3), dict(k=3, prune_k=4),
                                dict(threshold=0.2, metric="rbf"),
                                dict(fusion="cp", rank=3), dict(proj_channels=5, k=2),
                                dict(mode="hadamard", norm="row", k=2),
                                dict(shared=True, nonneg="shift")])
def test_lego_dense_equals_sparse_on_variable_sizes(kw, device):
    batch = make_batch([7, 3, 9, 1], device=device)
    gd, gs = twin("dense", device, **kw)(batch), twin("sparse", device, **kw)(batch)
    assert gd.backend == "dense" and gs.backend == "sparse"
    assert (gd.to_dense() - gs.to_dense()).abs().max() < 1e-9
    # and the dense graph converts to the same edge weights
    ei, w = gd.to_sparse()
    gs_dense = gs.to_dense()
    bi = batch.batch[ei[0]]
    local = ei - batch.ptr[bi]
    assert torch.allclose(w, gs_dense[bi, local[1], local[0]])  # [i, j]: edge j -> i


def test_lego_float32_dense_equals_sparse(device):
    batch = make_batch([12, 5], dtype=torch.float32, device=device)
    torch.manual_seed(0)
    md = LEGO(WIDTHS, 3, k=4, backend="dense").to(device).eval()
    torch.manual_seed(0)
    ms = LEGO(WIDTHS, 3, k=4, backend="sparse").to(device).eval()
    assert (md(batch).to_dense() - ms(batch).to_dense()).abs().max() < 1e-5


def test_lego_gradcheck_end_to_end_both_backends(device):
    batch = make_batch([4, 3], device=device)
    for backend in ("dense", "sparse"):
        model = twin(backend, device, k=2, proj_channels=2)
        x = batch.x_rgb.clone().requires_grad_()

        # gradients w.r.t. the features of one source, through projection,
        # graph, powers and fusion
        def f(x, model=model):
            xs = {s: batch[f"x_{s}"] for s in WIDTHS}
            xs["rgb"] = x
            return model(xs, batch.batch).to_dense()

        # gradcheck wants the same bits from two backward passes: on CUDA
        # the sparse backward adds by atomics (index_add_, scatter_add_)
        with bitwise(device):
            assert torch.autograd.gradcheck(f, (x, ), fast_mode=True)


def test_pairing_samples_in_training_and_averages_in_eval(device):
    batch = make_batch([6, 5], device=device)
    model = twin("sparse", device, k=3)
    assert sorted(model.fusion.A.keys()) == ["flow|rgb", "flow|text", "rgb|text"]
    model.train()
    seen = set()
    for seed in range(30):
        torch.manual_seed(seed)
        assert len(model.fusion.active_pairs()) == 1
        seen.add(model.fusion.active_pairs()[0])
    assert seen == set(model.fusion.pairs)
    # in training the graph is the fusion of the sampled pair alone
    torch.manual_seed(3)
    (pair, ) = model.fusion.active_pairs()
    torch.manual_seed(3)
    g_train = model(batch).to_dense()
    model.eval()
    xs = {s: batch[f"x_{s}"] for s in WIDTHS}
    powers = {s: model.expansions[s](*model.graph(xs[s], batch.batch), batch.num_nodes)
              for s in WIDTHS}

    def fuse(a, b):
        ei, w = F.lego_fuse_sparse(*powers[a], *powers[b], model.fusion.operator(a, b),
                                   batch.num_nodes)
        from pyg_fusion.functional import edges_to_dense
        return edges_to_dense(ei, w, batch.batch)

    assert torch.allclose(g_train, fuse(*pair))
    mean = sum(fuse(a, b) for a, b in model.fusion.pairs) / 3
    assert torch.allclose(model(batch).to_dense(), mean)


@pytest.mark.parametrize("shared", [False, True])
def test_operator_of_either_order_of_a_pair_gives_the_fused_graph(shared, device):
    # operator(b, a) is operator(a, b) transposed; a shared A was returned as
    # is for (b, a) (0.17 off G), and for a pair with a source it does not fuse
    torch.manual_seed(0)
    xs = {"a": torch.randn(6, 3, dtype=torch.float64, device=device),
          "b": torch.randn(6, 4, dtype=torch.float64, device=device)}
    lego = LEGO({"a": 3, "b": 4}, 2, backend="dense", shared=shared).double().to(device)
    with torch.no_grad():
        for p in lego.fusion.parameters():
            p.normal_()
    g = lego(xs).to_dense()
    powers = {s: lego.expansions[s].dense(lego.graph.dense(x[None])) for s, x in xs.items()}
    for a, b in (("a", "b"), ("b", "a")):
        by_hand = F.lego_fuse(powers[a], powers[b], lego.fusion.operator(a, b))
        assert torch.allclose(by_hand, g, rtol=0, atol=1e-12), (a, b)
    with pytest.raises(KeyError, match=r"no operator for the pair \('a', 'c'\)"):
        lego.fusion.operator("a", "c")


def test_cp_rank1_module_equals_pairwise_with_outer_product(device):
    batch = make_batch([8], device=device)
    sub = {"rgb": 6, "flow": 3}
    cp = LEGO(sub, 2, k=3, fusion="cp", backend="sparse").double().to(device)
    pair = LEGO(sub, 2, k=3, backend="sparse").double().to(device)
    with torch.no_grad():
        cp.fusion.factors["flow"].copy_(torch.tensor([[0.3, -1.0, 0.5]], device=device))
        cp.fusion.factors["rgb"].copy_(torch.tensor([[1.0, 0.2, -0.7]], device=device))
        pair.fusion.A["flow|rgb"].copy_(cp.fusion.factors["flow"].t() @ cp.fusion.factors["rgb"])
    assert torch.allclose(cp(batch).to_dense(), pair(batch).to_dense())


def test_levels_fuse_fine_source_at_node_level_on_both_backends(device):
    torch.manual_seed(0)
    sizes = [3, 4]
    data = []
    for n in sizes:
        assign = torch.arange(n).repeat_interleave(3)  # 3 patches per clip
        data.append(MultiSourceData(x_clip=torch.randn(n, 5, dtype=torch.float64),
                                    x_patch=torch.randn(3 * n, 4, dtype=torch.float64),
                                    assign_patch=assign, num_nodes=n))
    batch = Batch.from_data_list(data).to(device)
    out = {}
    for backend in ("dense", "sparse"):
        torch.manual_seed(0)
        out[backend] = LEGO({"clip": 5, "patch": 4}, 2, k=2,
                            backend=backend).double().to(device)(batch)
    assert (out["dense"].to_dense() - out["sparse"].to_dense()).abs().max() < 1e-9
    # the patch graph pooled by S^T R S, by hand for the first clip graph
    ei, w = F.relation_graph(data[0].x_patch, k=2)
    pooled = F.coarsen(ei, w, data[0].assign_patch, 3)
    ref = F.dense_coarsen(F.dense_topk(F.dense_relation_graph(data[0].x_patch), 2),
                          data[0].assign_patch, 3)
    from pyg_fusion.functional import edges_to_dense
    assert torch.allclose(edges_to_dense(pooled[0], pooled[1])[0], ref)


@pytest.mark.parametrize("kw", [dict(), dict(zeroth="ones"), dict(fusion="full"),
                                dict(fusion="cp", rank=2)])
def test_a_graph_whose_fine_source_has_no_units_fuses_alone_as_in_a_batch(kw, monkeypatch,
                                                                           device):
    # a video with no patch: in a batch its patch graph is empty; alone it
    # was an error ("x holds no units (N = 0)"), on both backends
    from pyg_fusion.nn import lego as lego_module
    gen = torch.Generator().manual_seed(0)
    data = [MultiSourceData(x_clip=torch.randn(n, 5, generator=gen, dtype=torch.float64),
                            x_patch=torch.randn(len(a), 4, generator=gen, dtype=torch.float64),
                            assign_patch=torch.tensor(a, dtype=torch.long), num_nodes=n)
            for n, a in ((3, [0, 0, 1, 2, 2]), (2, []))]
    out = {}
    for backend, locality in (("dense", None), ("sparse", None), ("sparse", 0)):
        if locality is not None:  # the sparse backend in locality orders too
            monkeypatch.setattr(lego_module, "LOCALITY_MIN_NODES", locality)
        torch.manual_seed(0)
        model = LEGO({"clip": 5, "patch": 4}, 2, k=2, backend=backend, **kw).double()
        init = torch.Generator().manual_seed(1)
        with torch.no_grad():  # every term reaches G
            for p in model.fusion.parameters():
                p.copy_(torch.randn(p.shape, generator=init, dtype=torch.float64))
        model = model.to(device).eval()
        together = model(Batch.from_data_list(data).to(device)).to_dense()
        alone = model(data[1].to(device)).to_dense()[0]
        assert torch.allclose(alone, together[1, :2, :2], rtol=0, atol=1e-12), backend
        assert bool(alone.ne(0).any())  # the clip graph's own terms
        out[backend, locality] = together
    for got in out.values():
        assert torch.allclose(got, out["dense", None], rtol=0, atol=1e-12)


def test_auto_backend_rule(device):
    model = LEGO({"a": 2, "b": 2}, 2, k=8)
    from pyg_fusion.nn import AUTO_DENSE_MAX_NODES
    assert model.choose_backend(AUTO_DENSE_MAX_NODES) == "dense"
    assert model.choose_backend(AUTO_DENSE_MAX_NODES + 1) == "sparse"
    assert LEGO({"a": 2, "b": 2}, 2).choose_backend(10**6) == "dense"  # full graphs
    small = make_batch([5, 6], device=device)
    assert LEGO(WIDTHS, 2).double().to(device)(small).backend == "dense"


def test_padded_input_with_mask(device):
    batch = make_batch([5, 3], device=device)
    from torch_geometric.utils import to_dense_batch
    xs, mask = {}, None
    for s in WIDTHS:
        xs[s], mask = to_dense_batch(batch[f"x_{s}"], batch.batch)
    g = twin("dense", device, k=2)(xs, mask=mask)
    ref = twin("sparse", device, k=2)(batch)
    assert (g.to_dense() - ref.to_dense()).abs().max() < 1e-9


@pytest.mark.parametrize("xs,match", [
    ({"rgb": torch.randn(5, 6), "flow": torch.randn(4, 3), "text": torch.randn(5, 4)},
     "different numbers of units"),
    ({"rgb": torch.randn(5, 6), "flow": torch.randn(5, 3)}, "exactly the sources"),
    ({"rgb": torch.full((5, 6), float("nan")), "flow": torch.randn(5, 3),
      "text": torch.randn(5, 4)}, "NaN"),
    ({"rgb": torch.randn(5, 7), "flow": torch.randn(5, 3), "text": torch.randn(5, 4)},
     "width 7"),
    ({"rgb": torch.randn(0, 6), "flow": torch.randn(0, 3), "text": torch.randn(0, 4)},
     "N = 0|no units|empty"),
])
def test_lego_bad_input(xs, match, device):
    with pytest.raises(ValueError, match=match):
        LEGO(WIDTHS, 2, backend="sparse").to(device)({s: x.to(device) for s, x in xs.items()})


def test_constructor_errors():
    with pytest.raises(ValueError, match="backend must be one of"):
        LEGO(WIDTHS, 2, backend="gpu")
    with pytest.raises(ValueError, match="num_powers"):
        LEGO(WIDTHS, -1)
    with pytest.raises(ValueError, match="k must be >= 1"):
        LEGO(WIDTHS, 2, k=0, backend="sparse")(make_batch([3], torch.float32))
    with pytest.raises(ValueError, match="shared=True"):
        LEGOFusion(["a", "b"], {"a": 1, "b": 2}, shared=True)


def test_heads_and_loss(device):
    batch = make_batch([32, 32, 32], dtype=torch.float32, device=device)
    model = LEGO(WIDTHS, 3, k=4).to(device)
    graph = model(batch)
    head = RowHead(32).to(device)
    logits = head(graph)
    assert logits.shape == (3, 32)
    with pytest.raises(ValueError, match="RowHead expects"):
        head(torch.rand(2, 16, 16, device=device))
    gh = GraphHead(6, 8, 2).to(device)
    out = gh(batch.x_rgb, graph)
    assert out.shape == (96, 2)
    sparse = LEGO(WIDTHS, 3, k=4, backend="sparse").to(device)(batch)
    gh.eval()
    assert torch.allclose(gh(batch.x_rgb, sparse), gh(batch.x_rgb, sparse.edge_index,
                                                      sparse.edge_weight))
    labels = torch.tensor([1, 0, 1], device=device)
    torch.manual_seed(0)
    dense = LEGO(WIDTHS, 3, k=4, backend="dense").double().to(device)(
        make_batch([32, 32, 32], device=device))
    torch.manual_seed(0)
    sp = LEGO(WIDTHS, 3, k=4, backend="sparse").double().to(device)(
        make_batch([32, 32, 32], device=device))
    for alpha in (None, 0.01):
        loss = DegreeVarianceLoss(alpha=alpha, k=3)
        assert torch.allclose(loss(dense, labels), loss(sp, labels))
    loss = DegreeVarianceLoss()(sp, labels)
    loss.backward()
    assert "DegreeVarianceLoss(alpha=None, k=3)" == repr(DegreeVarianceLoss())


def test_power_expansion_message_passing_equals_edge_powers(device):
    torch.manual_seed(0)
    x = torch.randn(20, 4, dtype=torch.float64, device=device)
    ei, w = RelationGraph(k=4)(x)
    layer = GraphPowerExpansion(3)
    signal = torch.randn(20, 2, dtype=torch.float64, device=device)
    feats = layer.expand_features(signal, ei, w)
    idx, attr = layer(ei, w, 20)
    from pyg_fusion.functional import edges_to_dense
    mats = edges_to_dense(idx, attr)[0].permute(2, 0, 1)
    assert torch.allclose(feats, mats @ signal)
    assert "GraphPowerExpansion(num_powers=3" in repr(layer)


def test_relation_graphs_are_the_graphs_forward_fuses(device):
    # with a projection: the graphs of the projected features (they were of
    # the raw ones, so powers and fusion of them missed forward's G by 0.15)
    torch.manual_seed(0)
    xs = {"a": torch.randn(8, 3, dtype=torch.float64, device=device),
          "b": torch.randn(8, 5, dtype=torch.float64, device=device)}
    for proj in (None, 4):
        lego = LEGO({"a": 3, "b": 5}, 2, k=3, proj_channels=proj,
                    backend="sparse").double().to(device).eval()
        graphs = lego.relation_graphs(xs)
        powers = {s: lego.expansions[s](*graphs[s], 8) for s in graphs}
        by_hand = F.edges_to_dense(*lego.fusion(powers, 8))
        assert torch.allclose(by_hand, lego(xs).to_dense(), rtol=0, atol=1e-12)


def test_power_expansion_takes_features_of_any_rank_and_unweighted_graphs(device):
    # the nodes are x's first dimension: [N] and [N, H, C] signals (PyG's
    # default node_dim=-2 read the H of [N, H, C] as nodes: an index error);
    # without edge_weight every edge weighs 1, as in PyG's convolutions
    torch.manual_seed(0)
    ei, w = RelationGraph(k=3)(torch.randn(9, 4, dtype=torch.float64, device=device))
    layer = GraphPowerExpansion(2)
    signal = torch.randn(9, 2, 3, dtype=torch.float64, device=device)
    mats = F.edges_to_dense(*layer(ei, w, 9))[0].permute(2, 0, 1)
    want = torch.einsum("pij,jhc->pihc", mats, signal)
    assert torch.allclose(layer.expand_features(signal, ei, w), want, atol=1e-12)
    assert torch.allclose(layer.expand_features(signal[:, 0, 0], ei, w), want[..., 0, 0],
                          atol=1e-12)
    ones = torch.ones_like(w)
    idx, attr = layer(ei.cpu(), ones.float().cpu(), 9)
    idx_none, attr_none = layer(ei.cpu(), num_nodes=9)
    assert torch.equal(idx_none, idx) and torch.equal(attr_none, attr)
    assert torch.equal(layer.expand_features(signal, ei),
                       layer.expand_features(signal, ei, ones))


def test_fixed_seed_gives_identical_results(device):
    outs = []
    for _ in range(2):
        torch.manual_seed(42)
        model = LEGO(WIDTHS, 3, k=3, proj_channels=4, fusion="cp", rank=2,
                     backend="sparse").to(device)
        model.train()
        # on CUDA the sparse sums add by atomics, in no fixed order otherwise
        with bitwise(device):
            outs.append(model(make_batch([6, 7], torch.float32, device=device)).edge_weight)
    assert torch.equal(outs[0], outs[1])


class GraphsDataset(InMemoryDataset):
    def __init__(self, root, data_list=None):
        self.data_list = data_list
        super().__init__(root)
        self.load(self.processed_paths[0], data_cls=MultiSourceData)

    @property
    def raw_file_names(self):
        return []

    @property
    def processed_file_names(self):
        return ["graphs.pt"]

    def process(self):
        self.save(self.data_list, self.processed_paths[0])


def test_batch_with_relation_graphs_survives_dataset_save_load(tmp_path):
    import warnings
    model = LEGO(WIDTHS, 2, k=2, backend="sparse").double().eval()
    graphs = []
    for n in (5, 3, 6):
        d = make_batch([n]).to_data_list()[0]
        for s in WIDTHS:
            d[f"edge_index_{s}"], d[f"edge_weight_{s}"] = F.relation_graph(d[f"x_{s}"], k=2)
        graphs.append(d)
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # safe loading must not fall back
        GraphsDataset(str(tmp_path), graphs)  # processes and saves
        ds2 = GraphsDataset(str(tmp_path))
    assert len(ds2) == 3
    batch = Batch.from_data_list([ds2[i] for i in range(3)])
    ref = Batch.from_data_list(graphs)
    for s in WIDTHS:
        assert torch.equal(batch[f"edge_index_{s}"], ref[f"edge_index_{s}"])
        ei, w = F.relation_graph(ref[f"x_{s}"], ref.batch, k=2)
        assert torch.equal(batch[f"edge_index_{s}"], ei)
        assert torch.allclose(batch[f"edge_weight_{s}"], w)
    assert torch.allclose(model(batch).to_dense(), model(ref).to_dense())
