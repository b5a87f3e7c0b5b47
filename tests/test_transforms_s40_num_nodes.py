"""RelationGraphs on data whose explicit ``num_nodes`` contradicts its
node-level sources: the graphs were built and the data refused only later, by
``validate``; the transform refuses it, naming ``num_nodes``."""
import pytest
import torch

from pyg_fusion.data import MultiSourceData
from pyg_fusion.transforms import RelationGraphs


def sources(n=5):
    g = torch.Generator().manual_seed(0)
    return dict(x_a=torch.randn(n, 3, generator=g), x_b=torch.randn(n, 2, generator=g))


def test_explicit_num_nodes_other_than_the_rows_is_refused():
    data = MultiSourceData(**sources(), num_nodes=4)
    with pytest.raises(ValueError, match=r"num_nodes is 4, but .*x_a: 5, x_b: 5"):
        RelationGraphs(k=2)(data)
    assert "edge_index_a" not in data  # refused before any graph was stored


def test_explicit_num_nodes_equal_to_the_rows_runs():
    data = RelationGraphs(k=2)(MultiSourceData(**sources(), num_nodes=5))
    assert data.edge_index_a.size(1) == 15
    data.validate()


def test_a_finer_level_source_keeps_its_own_rows():
    x = sources()
    data = MultiSourceData(x_a=x["x_a"], x_f=torch.randn(7, 2),
                           assign_f=torch.tensor([0, 0, 1, 2, 3, 4, 4]), num_nodes=5)
    RelationGraphs(k=2)(data).validate()
