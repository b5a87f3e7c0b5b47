"""LEGO's dense backend ranks each source's graph by the support's search
scores once: the graph's and the live zeros' (or a pruned source's edges')
reading of them came from a second search of the same units."""
import pytest
import torch

import pyg_fusion.functional.support as support
import pyg_fusion.nn.relation_graph as relation_graph
from pyg_fusion.nn import LEGO


@pytest.mark.parametrize("cfg", [dict(k=3), dict(k=3, prune_k=2), dict(threshold=0.1),
                                 dict(k=3, assign=True)])
def test_each_sources_search_runs_once(monkeypatch, cfg):
    # before: twice per source (RelationGraph.dense, then _dense_live / the pooled graph's)
    # (every module that searches by its own import of the two: RelationGraph.dense
    # searches through support._search_scores, it searched by relation_graph's)
    calls = []
    for module in (support, relation_graph):
        for name in ("knn_scores", "dense_threshold_keep"):
            if hasattr(module, name):
                def counted(*a, _f=getattr(module, name), **kw):
                    calls.append(a[0].shape)
                    return _f(*a, **kw)
                monkeypatch.setattr(module, name, counted)
    cfg = dict(cfg)
    coarse = cfg.pop("assign", False)
    torch.manual_seed(0)
    m = LEGO({"a": 5, "b": 4}, num_powers=3, backend="dense", **cfg)
    xs = {"a": torch.randn(9, 5), "b": torch.randn(12 if coarse else 9, 4)}
    assign = {"b": torch.tensor([0, 0, 1, 2, 3, 4, 4, 5, 6, 7, 8, 8])} if coarse else None
    g = m(xs, torch.tensor([0] * 4 + [1] * 5), assign=assign)
    assert g.edge_weight.numel() > 0 and len(calls) == 2
