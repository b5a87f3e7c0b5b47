"""RelationGraphs refuses node-level sources of different row counts: it
built a graph per source and the data was refused only later (validate,
batching, LEGO). A finer-level source (assign_<source>) keeps its own."""
import pytest
import torch

from pyg_fusion.data import MultiSourceData
from pyg_fusion.transforms import RelationGraphs


@pytest.mark.parametrize("support", ["own", "shared"])
def test_relation_graphs_refuses_unequal_node_rows(support):
    data = MultiSourceData(x_a=torch.randn(5, 3), x_b=torch.randn(4, 3))
    with pytest.raises(ValueError, match=r"RelationGraphs: the sources without "
                                         r"assign_<source> have one row per node, but their "
                                         r"row counts differ \(x_a: 5, x_b: 4\)"):
        RelationGraphs(k=2, support=support)(data)
    assert "edge_index_a" not in data


def test_relation_graphs_keeps_finer_sources():
    data = MultiSourceData(x_a=torch.randn(5, 3), x_b=torch.randn(7, 3),
                           assign_b=torch.tensor([0, 0, 1, 2, 3, 4, 4]))
    out = RelationGraphs(k=2)(data)
    assert out.edge_index_b.max() < 7 and out.edge_index_a.max() < 5
    out.validate()
