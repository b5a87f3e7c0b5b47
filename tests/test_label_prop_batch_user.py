"""LabelPropagationHead on a batch of graphs: a node no seed reaches gets the
prior of its own graph's seeds, so each graph's logits are those it has alone."""
import pytest
import torch

from pyg_fusion.functional import seed_prior_logits
from pyg_fusion.nn import LEGO, LabelPropagationHead

# graph 0: nodes 0-2, one seed of class 0, node 2 isolated; graph 1: nodes
# 3-6, three seeds of class 1
Y = torch.zeros(7, 2)
Y[0, 0] = Y[3, 1] = Y[4, 1] = Y[5, 1] = 1
EI0, EI1 = torch.tensor([[0, 1], [1, 0]]), torch.tensor([[0, 1, 2, 3], [1, 2, 3, 0]])
BATCH = torch.tensor([0, 0, 0, 1, 1, 1, 1])


def test_an_unreached_node_gets_its_own_graphs_prior_in_a_batch():
    # batched, node 2 took the prior of all seeds (class 1, from graph 1's
    # seeds) where alone it has class 0's
    head = LabelPropagationHead(3)
    alone = [head(Y[:3], EI0, torch.ones(2)), head(Y[3:], EI1, torch.ones(4))]
    both = head(Y, torch.cat([EI0, EI1 + 3], 1), torch.ones(6), batch=BATCH)
    assert torch.equal(both, torch.cat(alone))
    assert int(both[2].argmax()) == 0
    lego = LEGO({"a": 3}, 1, k=1).eval()
    xs = torch.randn(7, 3, generator=torch.Generator().manual_seed(0))
    fused = lego({"a": xs}, BATCH)
    out = head(Y, fused)
    for b, rows in enumerate((slice(0, 3), slice(3, 7))):
        assert torch.allclose(out[rows], head(Y[rows], lego({"a": xs[rows]})), atol=1e-6)
    with pytest.raises(ValueError, match="batch go with an edge_index"):
        head(Y, fused, batch=BATCH)


def test_seed_prior_logits_per_graph():
    prior = seed_prior_logits(Y, BATCH)
    assert prior.shape == (7, 2)
    assert torch.equal(prior[:3], seed_prior_logits(Y[:3]).expand(3, 2))
    assert torch.equal(prior[3:], seed_prior_logits(Y[3:]).expand(4, 2))
    with pytest.raises(ValueError, match="batch must be sorted"):
        seed_prior_logits(Y, BATCH.flip(0))
