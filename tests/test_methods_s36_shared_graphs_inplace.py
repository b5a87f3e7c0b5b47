"""The node models' shared graphs (2392f21) live as long as their input
tensors; features refreshed in place into the same tensors (a frozen
encoder's output copied into one buffer every epoch) added one entry, a copy
of the features and a graph, per refresh, none freed while the tensors lived."""
import torch

from pyg_fusion.data import MultiSourceData
from pyg_fusion.functional import relation_graph
from pyg_fusion.methods import _node_common, build_model


def test_features_changed_in_place_keep_one_shared_graph_not_one_per_change():
    g = torch.Generator().manual_seed(3)
    data = MultiSourceData(x_a=torch.randn(30, 5, generator=g),
                           x_b=torch.randn(30, 3, generator=g), y=torch.arange(30) % 2)
    model = build_model("graph-mean", "node", {"a": 5, "b": 3}, num_classes=2, k=4)
    before = len(_node_common._SHARED._entries)
    for _ in range(5):
        with torch.no_grad():
            data.x_a.copy_(torch.randn(30, 5, generator=g))
        model(data)
    assert len(_node_common._SHARED._entries) == before + 2
    ei, w = _node_common.shared_relation_graph(data.x_a, 4)  # the graph of the content now
    expected = relation_graph(data.x_a, k=4)
    assert torch.equal(ei, expected[0]) and torch.equal(w, expected[1])
