import torch

import pyg_fusion.nn.lego as lego_module
from pyg_fusion.nn import LEGO


def _orders_taken(n, monkeypatch):
    calls = []
    original = lego_module.locality_order

    def spy(index, num_nodes, batch=None):
        calls.append(num_nodes)
        return original(index, num_nodes, batch)
    monkeypatch.setattr(lego_module, "locality_order", spy)
    gen = torch.Generator().manual_seed(0)
    xs = {s: torch.randn(n, 8, generator=gen) for s in ("a", "b")}
    torch.manual_seed(0)
    LEGO({"a": 8, "b": 8}, 1, k=2, backend="sparse", knn="approx")(xs)
    return calls


def test_a_graph_of_16384_nodes_runs_in_a_locality_order(monkeypatch):
    # measured in one process, interleaved: the sparse part of the step took
    # 0.89-0.91x its time in the locality order at N = 16384 (it ran in the
    # caller's numbering below 32768)
    assert lego_module.LOCALITY_MIN_NODES == 16384
    assert _orders_taken(16384, monkeypatch) == [16384, 16384]


def test_a_graph_below_the_threshold_keeps_the_callers_numbering(monkeypatch):
    assert _orders_taken(lego_module.LOCALITY_MIN_NODES - 1, monkeypatch) == []
