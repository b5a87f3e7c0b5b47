import pytest
import torch
from pyg_fusion.functional import edges_to_dense

from pyg_fusion.nn.baselines import (GCN, MTN, FeatureFusion, GraphFusion, feature_fuse,
                                     graph_fuse_dense, graph_fuse_sparse)


def _random_graph(n, e, seed, device="cpu"):
    # drawn on the CPU (the same graph on every device), then moved
    g = torch.Generator().manual_seed(seed)
    ei = torch.randint(0, n, (2, e), generator=g)
    return ei.to(device), torch.rand(e, generator=g, dtype=torch.float64).to(device)


@pytest.mark.parametrize("mode", ["add", "mean", "product"])
def test_sparse_graph_fusion_matches_dense(mode, device):
    n = 7
    graphs = [_random_graph(n, 25, s, device) for s in range(3)]
    dense = [edges_to_dense(ei, w, max_num_nodes=n)[0] for ei, w in graphs]
    ei, w = graph_fuse_sparse(graphs, n, mode)
    assert ei.device.type == w.device.type == device.type
    got = edges_to_dense(ei, w, max_num_nodes=n)[0]
    torch.testing.assert_close(got, graph_fuse_dense(dense, mode))


def test_dense_graph_fusion_modes(device):
    a, b = torch.rand(2, 4, 4).to(device), torch.rand(2, 4, 4).to(device)
    cat = graph_fuse_dense([a, b], "concat")  # row i: the sources' rows i side by side
    assert cat.shape == (2, 4, 8)
    torch.testing.assert_close(cat, torch.cat([a, b], dim=-1))
    torch.testing.assert_close(graph_fuse_dense([a, b], "product"), a * b)
    torch.testing.assert_close(graph_fuse_dense([a, b], "mean"), (a + b) / 2)
    out = GraphFusion("add")([a, b])
    assert out.shape == (2, 4, 4) and out.device.type == device.type
    torch.testing.assert_close(out, a + b)
    with pytest.raises(ValueError, match="graphs\\[1\\]"):
        graph_fuse_dense([a, torch.rand(2, 3, 3).to(device)], "add")
    with pytest.raises(ValueError, match="mode"):
        graph_fuse_dense([a], "max")
    with pytest.raises(ValueError, match="edge_weight has"):
        graph_fuse_sparse([(torch.tensor([[0], [1]], device=device),
                            torch.rand(2).to(device))], 3, "add")


def test_feature_fusion(device):
    xs = {"a": torch.randn(5, 3).to(device), "b": torch.randn(5, 4).to(device)}
    cat = FeatureFusion({"a": 3, "b": 4}, "concat")(xs)
    assert cat.shape == (5, 7)
    torch.testing.assert_close(cat, torch.cat([xs["a"], xs["b"]], dim=-1))
    m = FeatureFusion({"a": 3, "b": 4}, "product", proj_channels=6).to(device)
    ref = m.proj["a"](xs["a"]) * m.proj["b"](xs["b"])
    got = m(xs)
    assert got.device.type == device.type
    torch.testing.assert_close(got, ref)
    assert FeatureFusion({"a": 3, "b": 3}, "add").proj is None
    torch.testing.assert_close(feature_fuse([xs["a"], xs["a"]], "add"), 2 * xs["a"])
    with pytest.raises(ValueError, match="equal widths"):
        feature_fuse([xs["a"], xs["b"]], "add")
    # a ValueError naming the argument, as LEGO's (was KeyError "missing source(s)")
    with pytest.raises(ValueError, match=r"^xs must hold exactly the sources \['a', 'c'\], "
                       r"got \['a', 'b'\]; it lacks \['c'\]"):
        FeatureFusion({"a": 3, "c": 4})(xs)
    with pytest.raises(ValueError, match="one source"):
        FeatureFusion({"a": 3, "b": 4}, "single")


def test_feature_fusion_names_a_source_of_the_wrong_width():
    # concat has no parameters: a wrong width failed in the caller's next layer
    # ("mat1 and mat2 shapes cannot be multiplied")
    xs = {"a": torch.randn(5, 3), "b": torch.randn(5, 5)}
    with pytest.raises(ValueError, match=r"^xs\['b'\] has width 5, the model was built for 4$"):
        FeatureFusion({"a": 3, "b": 4}, "concat")(xs)
    with pytest.raises(TypeError, match=r"^xs\['a'\] must be a floating-point tensor"):
        FeatureFusion({"a": 3, "b": 5}, "concat")({"a": torch.ones(5, 3, dtype=torch.long),
                                                   "b": xs["b"]})
    torch.testing.assert_close(FeatureFusion({"a": 3, "b": 5})(xs), torch.cat([xs["a"], xs["b"]], 1))


def test_feature_fusion_gradcheck(device):
    m = FeatureFusion({"a": 3, "b": 4}, "product", proj_channels=2).double().to(device)
    a = torch.randn(3, 3, dtype=torch.float64).to(device).requires_grad_()
    b = torch.randn(3, 4, dtype=torch.float64).to(device).requires_grad_()
    assert torch.autograd.gradcheck(lambda a, b: m({"a": a, "b": b}), (a, b))


def test_mtn_shapes_and_multiscale_receptive_field(device):
    torch.manual_seed(0)
    m = MTN(6, hidden_channels=8, dropout=0.0).to(device).eval()
    x = torch.randn(2, 16, 6).to(device)
    y = m(x)
    assert y.shape == (2, 16, 8) and y.device.type == device.type
    # The non-local branch lets every snippet see every other one.
    x2 = x.clone()
    x2[0, 15] += 1.0
    assert not torch.allclose(m(x2)[0, 0], y[0, 0])
    torch.testing.assert_close(m(x2)[1], y[1])  # videos stay independent
    with pytest.raises(ValueError, match="x must be"):
        m(torch.randn(2, 16, 5).to(device))
    assert "dilations=(1, 2, 4)" in repr(m)


def test_gcn_matches_pyg_gcnconv_stack(device):
    torch.manual_seed(0)
    ei, w = _random_graph(10, 30, 1, device)
    x = torch.randn(10, 5).to(device)
    m = GCN(5, 8, 3, dropout=0.0).to(device).eval()
    h = torch.relu(m.convs[0](x, ei, w.float()))
    # (on CUDA the scatters of GCNConv add in any order: assert_close's
    # float32 tolerance covers the round-off)
    got = m(x, ei, w.float())
    assert got.device.type == device.type
    torch.testing.assert_close(got, m.convs[1](h, ei, w.float()))
    # no edge_weight: every edge of weight 1, as GCNConv reads it
    torch.testing.assert_close(m(x, ei), m(x, ei, torch.ones_like(w.float())))
