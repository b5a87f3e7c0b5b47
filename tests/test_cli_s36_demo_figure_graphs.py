"""The demo's digits figures searched the kNN graph of every view again
(12 searches over both node runs) though the node models had built the same
graphs (relation_graph of the same features, k=10): the figures take the
models' shared graphs now, the same graphs drawn."""
import types

import torch

import pyg_fusion.functional.relation as relation
from pyg_fusion import visualize as V
from pyg_fusion.cli import demo
from pyg_fusion.data import MultiSourceData
from pyg_fusion.functional import relation_graph
from pyg_fusion.methods import build_model


def test_the_figures_draw_the_graphs_the_models_built(tmp_path, monkeypatch):
    g = torch.Generator().manual_seed(0)
    data = MultiSourceData(x_a=torch.randn(30, 5, generator=g),
                           x_b=torch.randn(30, 3, generator=g), y=torch.arange(30) % 2)
    expected = {f"R_{s}": relation_graph(data[f"x_{s}"], k=10) for s in "ab"}
    build_model("graph-mean", "node", {"a": 5, "b": 3}, num_classes=2, k=10)(data)
    searches, drawn = [], {}
    search = relation.relation_pairs
    monkeypatch.setattr(relation, "relation_pairs",
                        lambda *a, **kw: searches.append(1) or search(*a, **kw))
    monkeypatch.setattr(V, "plot_adjacency", lambda graphs, **kw: drawn.update(graphs))
    monkeypatch.setattr(V, "plot_fusion_operator", lambda *a, **kw: None)

    class _Model(torch.nn.Module):
        sources = ["a", "b"]
        fusion = None

        def fused_graph(self, data):
            return torch.eye(data.num_nodes)

    task = types.SimpleNamespace(model=_Model())
    demo._figures(tmp_path, types.SimpleNamespace(graph=data), task, "node")
    assert searches == []  # was one per view
    for name, (ei, w) in expected.items():
        assert torch.equal(drawn[name][0], ei) and torch.equal(drawn[name][1], w)
