"""Session 34, a user's own models and training loops around the layers."""
import pytest
import torch

from pyg_fusion.methods.node import NodeFeatureFusion
from pyg_fusion.methods.vad import VADFeatureFusion
from pyg_fusion.nn import LEGO, GraphHead, LabelPropagationHead, RowHead
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
