"""The node models build the kNN graph of equal fixed features once between
them (pyg-fusion demo / compare built x_pix's graph for single-pix,
graph-pix, graph-mean and gcn-mean, and again per seed), with the graphs
each model built alone."""
import gc

import torch

import pyg_fusion.functional.relation as relation
from pyg_fusion.data import MultiSourceData
from pyg_fusion.functional import relation_graph
from pyg_fusion.methods import build_model
from pyg_fusion.methods import _node_common


def _data(seed=0, n=40):
    g = torch.Generator().manual_seed(seed)
    return MultiSourceData(x_a=torch.randn(n, 5, generator=g),
                           x_b=torch.randn(n, 3, generator=g), y=torch.arange(n) % 2)


def _counted(monkeypatch):
    calls = []
    search = relation.relation_pairs

    def counted(x, *args, **kwargs):
        calls.append(tuple(x.shape))
        return search(x, *args, **kwargs)
    monkeypatch.setattr(relation, "relation_pairs", counted)
    return calls


def test_equal_fixed_features_are_searched_once_between_models(monkeypatch):
    data = _data()
    expected = {s: relation_graph(data[f"x_{s}"], k=4) for s in "ab"}
    calls = _counted(monkeypatch)
    names = ["graph-mean", "gcn-mean", "graph-a", "single-b", "graph-mean"]
    models = [build_model(m, "node", {"a": 5, "b": 3}, num_classes=2, k=4) for m in names]
    for m in models:
        m(data)
    # was 2 + 2 + 1 + 1 + 2 searches: one per source now
    assert sorted(calls) == [(40, 3), (40, 5)]
    for s in "ab":  # the graph each model built alone
        ei, w = _node_common.shared_relation_graph(data[f"x_{s}"], 4)
        assert torch.equal(ei, expected[s][0]) and torch.equal(w, expected[s][1])
    assert len(calls) == 2
    # an in-place change of the features is a new input: searched again
    data.x_a.mul_(2)
    models[2](data)
    assert len(calls) == 3


def test_a_shared_graph_lives_as_long_as_its_features(monkeypatch):
    gc.collect()
    before = len(_node_common._SHARED._entries)
    data = _data(1)
    model = build_model("graph-mean", "node", {"a": 5, "b": 3}, num_classes=2, k=4)
    model(data)
    assert len(_node_common._SHARED._entries) == before + 2
    del data, model
    gc.collect()
    assert len(_node_common._SHARED._entries) == before


def test_features_that_need_gradients_keep_their_own_differentiable_graph():
    data = _data(2)
    data.x_a.requires_grad_(True)
    model = build_model("graph-a", "node", {"a": 5, "b": 3}, num_classes=2, k=4)
    before = len(_node_common._SHARED._entries)
    model(data).sum().backward()
    assert data.x_a.grad is not None and len(_node_common._SHARED._entries) == before
