"""The layers and operators of the LEGO path and the heads under
torch.autocast (CPU bfloat16; CUDA float16 where a GPU exists): they run,
their graph algebra runs in float32 (pyg_fusion.functional._autocast), the
results stay within RTOL of float32 eager, gradients flow, the dense and
sparse backends agree, and outside autocast a dtype mix is still an error."""
import pytest
import torch

import pyg_fusion.functional as PF
from pyg_fusion._scatter import HAS_TORCH_SCATTER, scatter_backend, scatter_sum
from pyg_fusion.nn import (LEGO, GraphHead, GraphPowerExpansion, LabelPropagationHead,
                           LEGOFusion, RelationGraph, RowHead)
from pyg_fusion.nn.asym import AsymGraphFusion
from pyg_fusion.nn.baselines import GraphFusion

# bfloat16 keeps 8 bits of mantissa (float16 11): the projections' outputs
# round at ~4e-3, and the float32 graph algebra after them keeps that scale
RTOL = 2e-2


def _low(device):
    return torch.bfloat16 if device.type == "cpu" else torch.float16


def _autocast(device):
    return torch.autocast(device.type, dtype=_low(device))


def _close(actual, expected, rtol=RTOL):
    # relative to the largest entry: entries near 0 carry absolute errors
    # of the scale of the others
    atol = rtol * float(expected.detach().abs().max())
    torch.testing.assert_close(actual.float(), expected.float(), rtol=rtol, atol=atol)


def _clustered(device, n_per=6, clusters=4, dims=(16, 12), seed=0):
    """Two sources of 2 graphs whose units come in well separated clusters
    (k = n_per - 1 picks a unit's own cluster at any rounding): the same
    neighbours in bfloat16 as in float32."""
    g = torch.Generator().manual_seed(seed)
    label = torch.arange(clusters).repeat_interleave(n_per).repeat(2)
    xs = {}
    for name, d in zip("ab", dims):
        centres = 4 * torch.randn(clusters, d, generator=g)
        xs[name] = (centres[label] + 0.3 * torch.randn(label.numel(), d, generator=g)
                    ).to(device)
    batch = torch.arange(2, device=device).repeat_interleave(clusters * n_per)
    return xs, batch


CONFIGS = [dict(), dict(fusion="cp", rank=2), dict(fusion="full", zeroth="ones",
                                                   term_scale="rms", init="mean"),
           dict(prune_k=4, norm="row", term_scale="mean")]


def _lego(device, backend, **cfg):
    torch.manual_seed(0)
    return LEGO({"a": 16, "b": 12}, 2, proj_channels=8, k=5, backend=backend,
                **cfg).to(device)


@pytest.mark.parametrize("cfg", CONFIGS, ids=["pairwise", "cp", "full-rms", "prune-row"])
def test_lego_with_projection_under_autocast_is_close_to_float32(device, cfg):
    xs, batch = _clustered(device)
    dense = {}
    for backend in ("dense", "sparse"):
        model = _lego(device, backend, **cfg)
        want = model(xs, batch).to_dense()
        with _autocast(device):
            g = model(xs, batch)
        got = g.to_dense()
        # the graph algebra ran in float32 on 16-bit projections
        assert got.dtype == torch.float32 and g.edge_weight.dtype == torch.float32
        assert (got != want).any()  # the projections did run in 16 bits
        _close(got, want)
        dense[backend] = got
    # both backends fuse the same 16-bit projections in float32
    torch.testing.assert_close(dense["dense"], dense["sparse"], rtol=1e-4, atol=1e-6)


@pytest.mark.parametrize("backend", ["dense", "sparse"])
def test_lego_without_projection_under_autocast_is_the_float32_graph(device, backend):
    # float32 features meet no 16-bit op: the graph is float32 eager's
    xs, batch = _clustered(device)
    torch.manual_seed(0)
    model = LEGO({"a": 16, "b": 12}, 3, k=5, backend=backend).to(device)
    want = model(xs, batch).to_dense()
    with _autocast(device):
        got = model(xs, batch).to_dense()
    torch.testing.assert_close(got, want)


@pytest.mark.parametrize("backend", ["dense", "sparse"])
def test_gradients_flow_under_autocast(device, backend):
    """Forward under autocast, backward after it (bfloat16 needs no
    GradScaler): every parameter gets a finite gradient that points where
    float32 eager's does."""
    xs, batch = _clustered(device)
    grads = {}
    for mode in ("float32", "autocast"):
        model = _lego(device, backend, zeroth="ones", term_scale="rms")
        torch.manual_seed(1)
        head = GraphHead(16, 8, 3, dropout=0.0).to(device)
        with _autocast(device) if mode == "autocast" else torch.autocast(
                device.type, enabled=False):
            g = model(xs, batch)
            out = head(xs["a"], g)
            loss = out.float().square().mean() + g.edge_weight.square().sum()
        loss.backward()
        params = list(model.parameters()) + list(head.parameters())
        grads[mode] = torch.cat([p.grad.flatten() for p in params])
        for p in params:
            assert p.grad is not None and p.grad.dtype == p.dtype
            assert torch.isfinite(p.grad).all()
        assert model.fusion.operator("a", "b").grad.abs().sum() > 0
        assert all(lin.weight.grad.abs().sum() > 0 for lin in model.proj.values())
    cos = torch.nn.functional.cosine_similarity(grads["autocast"], grads["float32"], dim=0)
    assert cos > 0.99


def test_heads_under_autocast(device):
    xs, batch = _clustered(device)
    g = LEGO({"a": 16, "b": 12}, 2, k=5, backend="sparse").to(device)(xs, batch)
    torch.manual_seed(0)
    lin = torch.nn.Linear(16, 16).to(device)
    head = GraphHead(16, 8, 3).to(device).eval()
    rows = RowHead(24, row_norm="max", row_order="both").to(device)
    to_rows = torch.nn.Linear(16, 24).to(device)  # a [2, 24, 24] "graph" of 16 bits
    prop = LabelPropagationHead().to(device)
    seeds = torch.zeros(48, 3, device=device)
    seeds[[0, 6, 12], [0, 1, 2]] = 1
    seed_lin = torch.nn.Linear(3, 3).to(device)
    want = (head(lin(xs["a"]), g), rows(to_rows(lin(xs["a"]).view(2, 24, 16))),
            prop(seed_lin(seeds), g))
    with _autocast(device):
        x = lin(xs["a"])  # 16-bit: the mix autocast makes with the heads' float32
        assert x.dtype == _low(device)
        got = (head(x, g), rows(to_rows(x.view(2, 24, 16))), prop(seed_lin(seeds), g))
        w = GraphHead.normalize(*g.to_sparse(), 48)
    assert w.dtype == torch.float32  # a normalisation: float32
    assert got[2].dtype == torch.float32  # propagation: float32
    for a, b in zip(got, want):
        _close(a, b)


@pytest.mark.parametrize("shift", ["temporal", "edge"])
def test_asym_graph_fusion_under_autocast(device, shift):
    xs, batch = _clustered(device)
    ei, ew = RelationGraph(k=3).to(device)(xs["a"], batch)
    torch.manual_seed(0)
    model = AsymGraphFusion({"a": 16, "b": 12}, 10, shift=shift, norm="layer",
                            combine="mean").to(device)
    lin = torch.nn.Linear(16, 16).to(device)
    want = model({"a": lin(xs["a"]), "b": xs["b"]}, ei, batch, ew)
    with _autocast(device):
        got = model({"a": lin(xs["a"]), "b": xs["b"]}, ei, batch, ew)
    _close(got, want, rtol=4 * RTOL)  # three 16-bit layers per block


def test_graph_layers_under_autocast(device):
    """RelationGraph, GraphPowerExpansion, LEGOFusion and GraphFusion on
    16-bit inputs from a Linear: float32 outputs, equal to float32 eager on
    those inputs (widening is exact)."""
    xs, batch = _clustered(device)
    lin = torch.nn.Linear(16, 16).to(device)
    rel, powers = RelationGraph(k=5).to(device), GraphPowerExpansion(2)
    fusion = LEGOFusion(["a", "b"], 2).to(device)
    with _autocast(device):
        x = lin(xs["a"])
        ei, ew = rel(x, batch)
        adj = rel.dense(x.view(2, 24, 16))
        sp = powers(ei, ew, 48)
        dp = powers.dense(adj)
        feats = powers.expand_features(x, ei, ew)
        fused = fusion({"a": dp, "b": dp.to(_low(device))})
        mean = GraphFusion("mean")([adj, adj.to(_low(device))])
    assert x.dtype == _low(device)
    for t in (ew, adj, sp[1], dp, feats, fused, mean):
        assert t.dtype == torch.float32
    x = x.float()
    ei0, ew0 = rel(x, batch)
    assert torch.equal(ei, ei0)
    torch.testing.assert_close(ew, ew0)
    torch.testing.assert_close(adj, rel.dense(x.view(2, 24, 16)))
    torch.testing.assert_close(sp[1], powers(ei0, ew0, 48)[1])
    torch.testing.assert_close(feats, powers.expand_features(x, ei0, ew0))
    torch.testing.assert_close(fused, fusion({"a": dp, "b": dp.to(_low(device)).float()}))


def _functional_cases(device, low):
    """(name, call on 16-bit-and-float32 inputs, the same call on them
    widened to float32)."""
    torch.manual_seed(0)
    x = torch.randn(12, 5, device=device).to(low)
    ei, ew = PF.relation_graph(x.float(), k=3)
    ei_p, attr = PF.graph_powers(ei, ew, 12, 2)
    adj = PF.dense_relation_graph(x.float())
    dp = PF.dense_graph_powers(adj, 2)
    A = torch.randn(3, 3, device=device)
    f = [torch.randn(2, 3, device=device) for _ in range(2)]
    y = torch.zeros(12, 2, device=device)
    y[:2] = torch.eye(2, device=device)
    assign = torch.arange(12, device=device) // 2
    # a graph of half the kNN edges of 400 units: bf16 scores would tie
    # neighbours that float32 tells apart (another recall)
    x_r = torch.randn(400, 16, device=device).to(low)
    ei_r = PF.relation_graph(x_r.float(), k=8)[0][:, ::2]
    cases = {
        "dense_relation_graph": lambda h: PF.dense_relation_graph(h(x), "rbf"),
        "relation_graph": lambda h: PF.relation_graph(h(x), k=3, metric="rbf"),
        "pair_similarity": lambda h: PF.pair_similarity(h(x), ei[1], ei[0]),
        "dense_topk": lambda h: PF.dense_topk(h(adj), 3),
        "normalize": lambda h: PF.normalize(ei, h(ew), 12, "row"),
        "dense_normalize": lambda h: PF.dense_normalize(h(adj)),
        "graph_powers": lambda h: PF.graph_powers(ei, h(ew), 12, 2, prune_k=3),
        "dense_graph_powers": lambda h: PF.dense_graph_powers(h(adj), 2, prune_k=3),
        "lego_fuse": lambda h: PF.lego_fuse(h(dp), dp, A, term_scale="rms"),
        "lego_fuse_sparse": lambda h: PF.lego_fuse_sparse(ei_p, h(attr), ei_p, attr, A, 12,
                                                          zeroth="ones"),
        "lego_fuse_cp": lambda h: PF.lego_fuse_cp([h(dp), dp], f),
        "lego_fuse_cp_sparse": lambda h: PF.lego_fuse_cp_sparse([ei_p, ei_p], [h(attr), attr],
                                                                f, 12),
        "lego_fuse_full": lambda h: PF.lego_fuse_full([h(dp), dp], A),
        "lego_fuse_full_sparse": lambda h: PF.lego_fuse_full_sparse(
            [ei_p, ei_p], [h(attr), attr], A, 12, term_scale="mean"),
        "coarsen": lambda h: PF.coarsen(ei, h(ew), assign, 6),
        "dense_coarsen": lambda h: PF.dense_coarsen(h(adj), assign, 6),
        "label_propagation": lambda h: PF.label_propagation(h(y), ei, ew),
        "seed_prior_logits": lambda h: PF.seed_prior_logits(h(y)),
        "dense_label_propagation": lambda h: PF.dense_label_propagation(h(y), adj),
        "graph_degrees": lambda h: PF.graph_degrees(ei, h(ew), 12),
        "edges_to_dense": lambda h: PF.edges_to_dense(ei, h(ew)),
        "shared_support_graphs": lambda h: PF.shared_support_graphs(
            {"a": h(x), "b": x.float()}, k=3),
        "shared_support": lambda h: PF.shared_support({"a": h(x), "b": x.float()}, k=3),
        "relation_pairs": lambda h: PF.relation_pairs(h(x), k=3),
        "dense_shared_support_graphs": lambda h: PF.dense_shared_support_graphs(
            {"a": h(x).view(2, 6, 5), "b": x.float().view(2, 6, 5)}, k=3),
        "dense_graph_degrees": lambda h: PF.dense_graph_degrees(h(adj), 0.1),
        "degree_variance_loss": lambda h: PF.degree_variance_loss(
            h(adj.sum(1)), assign // 3, torch.tensor([0, 1], device=device), k=2),
        "edge_shift": lambda h: PF.edge_shift(h(x), ei, 0.2, ew),
        # a number: as a float32 tensor (the recall ranks in float32 under autocast)
        "knn_recall": lambda h: torch.tensor(PF.knn_recall(h(x_r), ei_r, 8)),
    }
    return cases


# every operator of pyg_fusion.functional that computes (see its docstring)
COMPUTING = ("coarsen", "degree_variance_loss", "dense_coarsen", "dense_graph_degrees",
             "dense_graph_powers", "dense_label_propagation", "dense_normalize",
             "dense_relation_graph", "dense_shared_support_graphs", "dense_topk",
             "edge_shift", "edges_to_dense", "graph_degrees", "graph_powers", "knn_recall",
             "label_propagation", "lego_fuse", "lego_fuse_cp", "lego_fuse_cp_sparse",
             "lego_fuse_full", "lego_fuse_full_sparse", "lego_fuse_sparse", "normalize",
             "pair_similarity", "relation_graph", "relation_pairs", "seed_prior_logits",
             "shared_support", "shared_support_graphs")


def test_the_cases_cover_every_computing_operator():
    assert sorted(_functional_cases(torch.device("cpu"), torch.bfloat16)) == sorted(COMPUTING)
    moving = {"channel_shuffle", "dense_to_edges", "pixel_shift", "temporal_shift"}
    public = {n for n, f in vars(PF).items() if callable(f) and not n.startswith("_")
              and not isinstance(f, type) and n not in ("seed_labels", "shift_groups")}
    assert public == set(COMPUTING) | moving


@pytest.mark.parametrize("name", COMPUTING)
def test_functional_operators_under_autocast(device, name):
    """Each operator takes the 16-bit / float32 mix under autocast and
    computes in float32: the result is float32 eager's on the inputs
    widened (exactly representable), not a 16-bit one."""
    low = _low(device)
    run = _functional_cases(device, low)[name]

    def low_of(t):
        return t.to(low)

    def wide(t):
        return t.to(low).float()

    with _autocast(device):
        got = run(low_of)
    want = run(wide)
    flat = lambda r: [t for t in (r.values() if isinstance(r, dict) else [r])  # noqa: E731
                      for t in (t if isinstance(t, tuple) else (t, ))]
    for a, b in zip(flat(got), flat(want)):
        if a.is_floating_point():
            assert a.dtype == torch.float32, name
        torch.testing.assert_close(a, b)


def test_operators_that_move_values_keep_their_dtype_under_autocast(device):
    low = _low(device)
    x = torch.randn(12, 10, device=device)
    with _autocast(device):
        mixed = PF.channel_shuffle([x.to(low), x])  # the mix is accepted, cat promotes
        shifted = PF.temporal_shift(x.to(low))
        _, weights = PF.dense_to_edges(x[:10].to(low))
    assert [t.dtype for t in mixed] == [torch.float32, torch.float32]
    assert shifted.dtype == low and weights.dtype == low
    torch.testing.assert_close(mixed[0], PF.channel_shuffle([x.to(low).float(), x])[0])


def test_mixed_dtypes_stay_errors_outside_autocast():
    xs, batch = _clustered(torch.device("cpu"))
    model = _lego(torch.device("cpu"), "sparse")
    with pytest.raises(TypeError, match=r"xs\['a'\] is torch.bfloat16 .* parameters are "
                                        r"torch.float32"):
        model({"a": xs["a"].bfloat16(), "b": xs["b"].bfloat16()}, batch)
    dp = PF.dense_graph_powers(PF.dense_relation_graph(xs["a"][:6]), 2)
    with pytest.raises(TypeError, match="A is torch.float32 but powers_a is torch.bfloat16"):
        PF.lego_fuse(dp.bfloat16(), dp.bfloat16(), torch.eye(3))
    head = GraphHead(16, 8, 3)
    g = LEGO({"a": 16, "b": 12}, 2, k=5)(xs, batch)
    with pytest.raises(TypeError, match="x is torch.bfloat16"):
        head(xs["a"].bfloat16(), g)
    with pytest.raises(TypeError, match="edge_weight is torch.float32 but y is torch.bfloat16"):
        PF.label_propagation(torch.ones(48, 2, dtype=torch.bfloat16), *g.to_sparse())


def test_autocast_accepts_only_the_mix_it_makes():
    """float64 with 16 bits is no autocast mix: still an error under it."""
    xs, batch = _clustered(torch.device("cpu"))
    g = LEGO({"a": 16, "b": 12}, 2, k=5)(xs, batch)
    with torch.autocast("cpu", dtype=torch.bfloat16):
        with pytest.raises(TypeError, match="x is torch.float64"):
            GraphHead(16, 8, 3)(xs["a"].double(), g)
        with pytest.raises(TypeError, match="powers_b is torch.float64 but powers_a is "
                                            "torch.bfloat16"):
            dp = PF.dense_graph_powers(PF.dense_relation_graph(xs["a"][:6]), 2)
            PF.lego_fuse(dp.bfloat16(), dp.double(), torch.eye(3))


@pytest.mark.parametrize("backend", ["native"] + (["torch_scatter"] if HAS_TORCH_SCATTER
                                                  else []))
@pytest.mark.parametrize("dtype", [torch.bfloat16, torch.float16])
def test_scatter_sum_accumulates_16_bit_in_float32(device, backend, dtype):
    # 300 ones: bfloat16 stops counting at 256, float16 sums of 0.1 drift
    index = torch.zeros(300, dtype=torch.long, device=device)
    for value, want in ((1.0, 300.0), (0.1, 30.0)):
        src = torch.full((300, ), value, dtype=dtype, device=device)
        with scatter_backend(backend):
            out = scatter_sum(src, index, 1)
        assert out.dtype == dtype
        exact = torch.tensor([value], dtype=dtype).float() * 300  # the float32 sum
        assert float(out) == float(exact.to(dtype)), (value, float(out), want)
