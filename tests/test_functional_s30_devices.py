"""An argument on another device than the rest is refused naming it, where
torch's own error named neither (or the check named an ``edge_weight`` that
was not given). "meta" stands for a second device on any machine."""
import pytest
import torch

import pyg_fusion.functional as PF
from pyg_fusion.nn import GraphPowerExpansion
from pyg_fusion.nn.baselines import GCN


def meta(t):
    return t.to("meta")


EI = torch.tensor([[0, 1, 2, 3, 4], [1, 2, 3, 4, 5]])
W = torch.rand(5)
X = torch.randn(6, 4)
ASSIGN = torch.tensor([0, 0, 1, 1, 2, 2])
Y = torch.eye(6)[:, :2]
ADJ = torch.rand(1, 6, 6)
MASK = torch.ones(1, 6, dtype=torch.bool)

CASES = {
    "label_propagation edge_index": (lambda: PF.label_propagation(Y, meta(EI)), "edge_index"),
    "GraphPowerExpansion.expand_features edge_index":
        (lambda: GraphPowerExpansion(2).expand_features(X, meta(EI)), "edge_index"),
    "GCN edge_index": (lambda: GCN(4, 5, 2)(X, meta(EI)), "edge_index"),
    "coarsen assign": (lambda: PF.coarsen(EI, W, meta(ASSIGN), 3), "assign"),
    "dense_coarsen assign": (lambda: PF.dense_coarsen(ADJ[0], meta(ASSIGN), 3), "assign"),
    "degree_variance_loss labels": (lambda: PF.degree_variance_loss(
        torch.rand(6), torch.tensor([0, 0, 0, 1, 1, 1]), meta(torch.tensor([0, 1])), k=1),
        "labels"),
    "dense_to_edges mask": (lambda: PF.dense_to_edges(ADJ, meta(MASK)), "mask"),
    "dense_to_edges support": (lambda: PF.dense_to_edges(ADJ, None, meta(ADJ > 0.5)), "support"),
    "dense_graph_powers mask": (lambda: PF.dense_graph_powers(ADJ, 2, mask=meta(MASK)), "mask"),
    "dense_relation_graph mask": (lambda: PF.dense_relation_graph(X[None], mask=meta(MASK)),
                                  "mask"),
    "dense_topk scores": (lambda: PF.dense_topk(ADJ, 2, scores=meta(ADJ)), "scores"),
    "dense_shared_support_graphs mask": (lambda: PF.dense_shared_support_graphs(
        {"a": X[None], "b": X[None]}, meta(MASK), k=2), "mask"),
    "shared_support source": (lambda: PF.shared_support({"a": X, "b": meta(X)}, k=2),
                              r"xs\['b'\]"),
}


@pytest.mark.parametrize("name", sorted(CASES))
def test_argument_on_another_device_is_named(name):
    call, arg = CASES[name]
    with pytest.raises(ValueError, match=rf"^{arg} is on meta but \S+ on cpu; move them to "
                                         rf"one device"):
        call()


def test_dense_topk_scores_of_another_shape_is_named():
    with pytest.raises(ValueError, match=r"scores must have the shape of adj \(1, 6, 6\)"):
        PF.dense_topk(ADJ, 2, scores=ADJ[0])


def test_lego_names_an_assign_on_another_device():
    from pyg_fusion.nn import LEGO
    lego = LEGO({"a": 4, "b": 4}, num_powers=1, k=2)
    with pytest.raises(ValueError, match=r"^assign\['b'\] is on meta but xs\['a'\] on cpu"):
        lego({"a": X, "b": torch.randn(12, 4)}, assign={"b": meta(torch.arange(12) // 2)})
