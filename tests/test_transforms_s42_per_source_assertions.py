"""PerSource with a PyG transform that reads node features or positions
(T.SIGN reads data.x; T.Cartesian, T.Distance and T.KNNGraph data.pos) failed
with PyG's bare AssertionError, which named neither PerSource, the source nor
what the transform lacked. It is a ValueError naming them."""
import pytest
import torch
import torch_geometric.transforms as T

from pyg_fusion.data import MultiSourceData
from pyg_fusion.transforms import PerSource, RelationGraphs


@pytest.mark.parametrize("transform", [T.SIGN(2), T.Cartesian(), T.Distance(), T.KNNGraph(2)])
def test_an_assertion_of_the_transform_names_persource_and_the_source(transform):
    data = RelationGraphs(k=2)(MultiSourceData(x_a=torch.rand(6, 3), x_b=torch.rand(6, 2)))
    with pytest.raises(ValueError, match=rf"PerSource\({type(transform).__name__}"
                                         rf".*source 'a': the transform failed an assertion .*"
                                         rf"'edge_index', 'edge_weight', 'num_nodes'.*no node "
                                         rf"features or positions"):
        PerSource(transform)(data)
    # a transform of the graph alone still runs
    out = PerSource(T.AddRemainingSelfLoops())(data)
    assert out.edge_index_a.size(1) == out.edge_weight_a.numel()
