"""The full M-way operator (``LEGOFusion(mode="full")``, ``--operator full``):
the pairwise operator for two sources, the explicit sum over all power
tuples for more, CP as its rank-1 case, dense == sparse, gradients, and the
special cases it starts at (the M-way product, the mean)."""
import pytest
import torch
from torch_geometric.data import Batch

import pyg_fusion.functional as F
from pyg_fusion.datasets import SyntheticVAD
from pyg_fusion.methods import build_model
from pyg_fusion.nn import LEGOFusion
from pyg_fusion.specs import MethodSpec
from pyg_fusion.training import seed_everything

N = 9


def _sources(m, dtype=torch.float64, k=4, seed=0, device="cpu"):
    torch.manual_seed(seed)
    xs = [torch.randn(N, 3 + i, dtype=dtype).to(device) for i in range(m)]
    dense = [F.dense_graph_powers(F.dense_topk(F.dense_relation_graph(x), k), 1 + i % 3)
             for i, x in enumerate(xs)]
    sparse = [F.graph_powers(*F.relation_graph(x, k=k), N, 1 + i % 3) for i, x in enumerate(xs)]
    return dense, sparse


@pytest.mark.parametrize("zeroth", ["identity", "ones"])
def test_two_sources_is_the_pairwise_operator(zeroth, device):
    dense, sparse = _sources(2, device=device)
    A = torch.randn(2, 3, dtype=torch.float64).to(device)
    full = F.lego_fuse_full(dense, A, zeroth=zeroth)
    assert full.device.type == device.type
    torch.testing.assert_close(full, F.lego_fuse(*dense, A, zeroth=zeroth), rtol=0, atol=1e-12)
    ei, w = F.lego_fuse_full_sparse([s[0] for s in sparse], [s[1] for s in sparse], A, N,
                                    zeroth=zeroth)
    ei2, w2 = F.lego_fuse_sparse(*sparse[0], *sparse[1], A, N, zeroth=zeroth)
    assert ei.device.type == w.device.type == device.type
    assert torch.equal(ei, ei2)
    torch.testing.assert_close(w, w2, rtol=0, atol=1e-12)


def test_three_sources_is_the_sum_over_power_tuples_and_contains_cp(device):
    dense, _ = _sources(3, device=device)
    A = torch.randn(*[pw.size(-3) for pw in dense], dtype=torch.float64).to(device)
    ref = sum(A[p, q, r] * dense[0][p] * dense[1][q] * dense[2][r]
              for p in range(A.size(0)) for q in range(A.size(1)) for r in range(A.size(2)))
    got = F.lego_fuse_full(dense, A)
    assert got.device.type == device.type
    torch.testing.assert_close(got, ref, rtol=0, atol=1e-12)
    f = [torch.randn(1, pw.size(-3), dtype=torch.float64).to(device) for pw in dense]
    outer = torch.einsum("a,b,c->abc", f[0][0], f[1][0], f[2][0])
    torch.testing.assert_close(F.lego_fuse_full(dense, outer, zeroth="ones"),
                               F.lego_fuse_cp(dense, f, zeroth="ones"), rtol=0, atol=1e-12)


@pytest.mark.parametrize("support,zeroth", [("union", "identity"), ("union", "ones"),
                                            ("intersection", "identity")])
def test_dense_equals_sparse(support, zeroth, device):
    dense, sparse = _sources(3, seed=1, device=device)
    A = torch.randn(*[pw.size(-3) for pw in dense], dtype=torch.float64).to(device)
    ei, w = F.lego_fuse_full_sparse([s[0] for s in sparse], [s[1] for s in sparse], A, N,
                                    support=support, zeroth=zeroth)
    assert ei.device.type == w.device.type == device.type
    got = F.edges_to_dense(ei, w, torch.zeros(N, dtype=torch.long, device=device))[0]
    want = F.lego_fuse_full(dense, A, zeroth=zeroth)
    if support == "intersection":  # G off the intersection: the union's extra entries
        keep = torch.stack([(s != 0).any(0) for s in dense]).all(0)
        want = torch.where(keep, want, torch.zeros_like(want))
    torch.testing.assert_close(got, want, rtol=0, atol=1e-9)


def test_sparse_rank_one_tensor_is_sparse_cp_on_every_support(device):
    _, sparse = _sources(3, seed=3, device=device)
    f = [torch.randn(1, s[1].size(1), dtype=torch.float64).to(device) for s in sparse]
    outer = torch.einsum("a,b,c->abc", f[0][0], f[1][0], f[2][0])
    idx, vals = [s[0] for s in sparse], [s[1] for s in sparse]
    for support in ("union", "intersection"):
        for zeroth in ("identity", "ones"):
            ei, w = F.lego_fuse_full_sparse(idx, vals, outer, N, support=support, zeroth=zeroth)
            ei2, w2 = F.lego_fuse_cp_sparse(idx, vals, f, N, support=support, zeroth=zeroth)
            assert w.device.type == w2.device.type == device.type
            assert torch.equal(ei, ei2)
            torch.testing.assert_close(w, w2, rtol=0, atol=1e-12)


def test_gradcheck_dense_and_sparse(device):
    dense, sparse = _sources(3, seed=2, device=device)
    A = torch.randn(*[pw.size(-3) for pw in dense], dtype=torch.float64).to(device)
    A.requires_grad_()
    assert F.lego_fuse_full(dense, A).device.type == device.type
    pw = [p.clone().requires_grad_() for p in dense]
    assert torch.autograd.gradcheck(lambda a, *p: F.lego_fuse_full(list(p), a),
                                    (A, *pw), fast_mode=True)
    # with zeroth="ones" the support follows the powers' zeros: A alone moves
    assert torch.autograd.gradcheck(lambda a: F.lego_fuse_full(dense, a, zeroth="ones"),
                                    (A, ), fast_mode=True)
    vals = [s[1].clone().requires_grad_() for s in sparse]
    idx = [s[0] for s in sparse]
    assert torch.autograd.gradcheck(
        lambda a, *v: F.lego_fuse_full_sparse(idx, list(v), a, N)[1], (A, *vals),
        fast_mode=True)


def test_full_operator_errors():
    dense, _ = _sources(3)
    with pytest.raises(ValueError, match=r"A must have one dimension of size P_m\+1"):
        F.lego_fuse_full(dense, torch.rand(2, 3, dtype=torch.float64))
    with pytest.raises(ValueError, match="init='mean' needs"):
        LEGOFusion(["a", "b", "c"], 2, mode="full", init="mean")
    with pytest.raises(ValueError, match="mode"):
        LEGOFusion(["a", "b"], 2, mode="tucker")


@pytest.mark.parametrize("init", ["product", "mean"])
def test_fusion_module_starts_at_the_product_or_the_mean(init, device):
    dense, _ = _sources(3, dtype=torch.float32, device=device)
    fusion = LEGOFusion(["a", "b", "c"], {"a": 1, "b": 2, "c": 3}, mode="full",
                        zeroth="ones", init=init, lambda_anchor=1.0).to(device)
    assert tuple(fusion.A.shape) == (2, 3, 4) and float(fusion.penalty().detach()) == 0.0
    g = fusion(dict(zip("abc", dense)))
    assert g.device.type == device.type
    first = [pw[1] for pw in dense]
    want = first[0] * first[1] * first[2] if init == "product" else sum(first) / 3
    torch.testing.assert_close(g, want)
    with torch.no_grad():
        fusion.A.add_(1.0)
    assert float(fusion.penalty().detach()) == pytest.approx(fusion.A.numel())


@pytest.fixture(scope="module")
def vad_data(tmp_path_factory):
    root = str(tmp_path_factory.mktemp("svad_full"))
    return SyntheticVAD(root, "train", num_videos=(6, 6), snippets=(16, 24), num_segments=8,
                        log=False)


@pytest.mark.parametrize("term_scale", ["none", "mean", "rms"])
@pytest.mark.parametrize("name", ["lego-row", "lego"])
def test_three_source_lego_starts_exactly_at_graph_product(vad_data, name, term_scale, device):
    # the pairwise operator cannot start at the 3-way product; the full one can
    d = vad_data[0]
    inch = {s: int(d[f"x_{s}"].size(1)) for s in d.sources}
    assert len(inch) == 3
    batch = Batch.from_data_list([vad_data[i] for i in range(4)]).to(device)
    seed_everything(5)
    ref = build_model("graph-product", "vad", inch, num_segments=8).to(device)
    seed_everything(5)
    lego = build_model(name, "vad", inch, num_segments=8, operator="full", init="product",
                       zeroth="ones", num_powers=2, term_scale=term_scale).to(device)
    assert lego.fusion.mode == "full" and lego.fusion.term_scale == term_scale
    out = lego(batch)[0]
    assert out.device.type == device.type
    torch.testing.assert_close(out, ref(batch)[0], atol=1e-5, rtol=1e-5)


@pytest.mark.parametrize("k", [None, 3])
def test_lego_with_knn_graphs_starts_at_graph_product_with_the_same_graphs(vad_data, k,
                                                                           device):
    """--k reaches the graph baselines too: with kNN graphs LEGO's start is
    still the baseline's fused graph (the baselines used full graphs)."""
    d = vad_data[0]
    inch = {s: int(d[f"x_{s}"].size(1)) for s in d.sources}
    batch = Batch.from_data_list([vad_data[i] for i in range(4)]).to(device)
    seed_everything(5)
    ref = build_model("graph-product", "vad", inch, num_segments=8, k=k).to(device)
    seed_everything(5)
    lego = build_model("lego-row", "vad", inch, num_segments=8, k=k, init="product",
                       num_powers=2).to(device)
    g_ref, g = ref(batch)[1], lego(batch)[1].to_dense()
    assert g_ref.device.type == g.device.type == device.type
    assert k is None or bool((g_ref == 0).any())   # kNN graphs leave entries out
    torch.testing.assert_close(lego(batch)[0], ref(batch)[0], atol=1e-5, rtol=1e-5)
    torch.testing.assert_close(g / g.amax(-1, keepdim=True).clamp(min=1e-30),
                               g_ref / g_ref.amax(-1, keepdim=True), atol=1e-5, rtol=1e-5)


def test_operator_option_reaches_lego_not_lego_cp():
    inch = {"a": 3, "b": 4, "c": 5}
    assert MethodSpec.create("lego", "node").fusion.operator == "pairwise"
    assert build_model("lego-cp", "vad", inch, operator="full").fusion.mode == "cp"
    node = build_model("lego", "node", inch, num_classes=2, operator="full")
    assert node.lego.fusion.mode == "full"
    # a spec saved before the option existed (a checkpoint's) keeps the pairwise operator
    saved = MethodSpec.create("lego", "vad", {"init": "mean"}).to_dict()
    del saved["fusion"]["operator"]
    assert MethodSpec.from_dict(saved).fusion.operator == "pairwise"
