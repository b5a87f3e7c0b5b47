"""Session 34, a user's own models and training loops around the layers."""
import pytest
import torch
from torch_geometric.data import Data

from pyg_fusion.methods.node import (NodeAsymShuffle, NodeFeatureFusion, NodeGCN, NodeGraphFusion,
                                     NodeLEGO)
from pyg_fusion.methods.vad import VADFeatureFusion
from pyg_fusion.nn import LEGO, GraphHead, LabelPropagationHead, RowHead
from pyg_fusion.nn.asym import AsymGraphFusion
from pyg_fusion.nn.baselines import FeatureFusion

XS = {"a": torch.randn(12, 4, generator=torch.Generator().manual_seed(0)),
      "b": torch.randn(12, 3, generator=torch.Generator().manual_seed(1))}


def _loss(head, g):
    torch.manual_seed(2)  # the same head's weights at every call
    if head == "graph":
        return GraphHead(4, 8, 2, dropout=0.0)(XS["a"], g).sum()
    if head == "row":
        return RowHead(12)(g).sum()
    return LabelPropagationHead()(torch.eye(12)[:, :2], g).sum()


@pytest.mark.parametrize("context", [torch.no_grad, torch.inference_mode])
@pytest.mark.parametrize("backend", ["dense", "sparse"])
@pytest.mark.parametrize("head", ["graph", "row", "label-prop"])
def test_a_fused_graph_looked_at_without_gradients_still_trains_lego(context, backend, head):
    # logging the graph (its edges, its dense form) under no_grad derived the
    # other form without gradients and kept it: the head read that one and
    # no gradient reached LEGO, silently
    torch.manual_seed(0)
    lego = LEGO({"a": 4, "b": 3}, 2, k=4, backend=backend, proj_channels=5)
    g = lego(XS)
    with context():
        g.edge_index, g.edge_weight, g.to_dense()
    _loss(head, g).backward()
    assert lego.fusion.A["a|b"].grad is not None
    assert lego.proj["a"].weight.grad is not None
    # the gradients are those of a graph never looked at
    grads = [p.grad.clone() for p in lego.parameters()]
    lego.zero_grad()
    torch.manual_seed(0)
    _loss(head, lego(XS)).backward()
    for got, want in zip(grads, lego.parameters()):
        torch.testing.assert_close(got, want.grad)


@pytest.mark.parametrize("build", [
    lambda: FeatureFusion({"a": 4, "b": 3}, "concat", proj_channels=5),
    lambda: FeatureFusion({"a": 4}, "single", proj_channels=5),
    lambda: NodeFeatureFusion({"a": 4, "b": 3}, 3, proj_channels=5),
    lambda: VADFeatureFusion({"a": 4, "b": 3}, 8, proj_channels=5),
])
def test_a_projection_width_for_a_fusion_that_does_not_project_is_refused(build):
    # it was dropped without a word: concat kept the width 4 + 3 = 7
    with pytest.raises(ValueError, match="proj_channels=5 .*mode='(concat|single)'"):
        build()
    assert FeatureFusion({"a": 4, "b": 3}, "add", proj_channels=5).out_channels == 5


@pytest.mark.parametrize("build", [
    lambda: NodeLEGO({"a": 4, "b": 3}, 3, k=4, dropout=0.0),
    lambda: NodeLEGO({"a": 4, "b": 3}, 3, k=4, fusion="cp", dropout=0.0),
    lambda: NodeGCN({"a": 4, "b": 3}, 3, k=4, dropout=0.0),
    lambda: NodeGraphFusion({"a": 4, "b": 3}, 3, k=4, dropout=0.0),
    lambda: NodeFeatureFusion({"a": 4, "b": 3}, 3, k=4, dropout=0.0),
    lambda: NodeAsymShuffle({"a": 4, "b": 3}, 3, k=4, dropout=0.0),
], ids=["lego", "lego-cp", "gcn", "graph", "feature", "asym-shuffle"])
def test_node_models_pass_the_gradient_through_their_graph_to_the_callers_encoder(build):
    # features made by the caller's own encoder: the models' cache built the
    # graph without gradients, so the encoder's gradient missed every path
    # through the graph (gcn: -0.221 where finite differences give -0.135)
    gen = torch.Generator().manual_seed(0)
    raw = torch.randn(30, 6, generator=gen, dtype=torch.float64)
    torch.manual_seed(0)
    enc = torch.nn.ModuleDict({"a": torch.nn.Linear(6, 4), "b": torch.nn.Linear(6, 3)}).double()
    model = build().double().eval()

    def loss():
        data = Data(x_a=enc["a"](raw), x_b=enc["b"](raw), num_nodes=30)
        return model(data).pow(2).sum()

    loss().backward()
    weight = enc["a"].weight
    eps, values = 1e-6, []
    with torch.no_grad():
        for step in (eps, -2 * eps):
            weight[0, 0] += step
            values.append(loss().item())
        weight[0, 0] += eps
    assert weight.grad[0, 0].item() == pytest.approx((values[0] - values[1]) / (2 * eps),
                                                     rel=1e-5, abs=1e-8)
    # fixed features (no gradient): the graph is still built once
    data = Data(x_a=raw[:, :4].clone(), x_b=raw[:, 4:5].repeat(1, 3), num_nodes=30)
    model(data)
    key = model._cache.key
    model(data)
    assert key is not None and model._cache.key is key


def test_an_edge_shift_over_learned_weights_does_not_warn(recwarn):
    # torch warned 'Converting a tensor with requires_grad=True to a scalar'
    # at every call with weights that need gradients (a fused graph's)
    model = AsymGraphFusion({"a": 5, "b": 5}, 10, shift="edge", combine="sum")
    x = torch.randn(10, 5)
    edge_index = torch.randint(0, 10, (2, 30))
    weight = torch.rand(30, requires_grad=True)
    model({"a": x, "b": x}, edge_index, edge_weight=weight).sum().backward()
    assert not [w for w in recwarn if "requires_grad" in str(w.message)]
    assert weight.grad is not None


@pytest.mark.parametrize("backend", ["dense", "sparse"])
def test_an_assign_given_beside_a_data_is_used(backend):
    # it was dropped: the finer source was read as node-level (of as many
    # units as nodes: another graph, silently; else "finer sources need an assign")
    gen = torch.Generator().manual_seed(0)
    xa, xf = torch.randn(6, 4, generator=gen), torch.randn(6, 2, generator=gen)
    assign = {"f": torch.tensor([0, 0, 1, 2, 2, 5])}
    lego = LEGO({"a": 4, "f": 2}, 2, k=3, backend=backend).eval()
    want = lego({"a": xa, "f": xf}, assign=assign).to_dense()
    got = lego(Data(x_a=xa, x_f=xf, num_nodes=6), assign=assign).to_dense()
    torch.testing.assert_close(got, want)
    more = Data(x_a=xa, x_f=torch.randn(9, 2, generator=gen), num_nodes=6)
    lego(more, assign={"f": torch.tensor([0, 0, 1, 1, 2, 3, 4, 5, 5])})
