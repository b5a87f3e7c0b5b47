"""PerSource(T.TwoHop()) stored back a graph whose edge_weight_<source> was
shorter than its edge_index_<source> (PyG's TwoHop adds edges and keeps the
old weights only), silently: the weights then paired with the wrong edges.
A transform that returns per-edge attributes of another length than its
edges is now refused, naming it; transforms that keep the weights (T.GCNNorm,
T.ToUndirected, T.AddSelfLoops) are unchanged."""
import pytest
import torch
import torch_geometric.transforms as T

from pyg_fusion.data import MultiSourceData
from pyg_fusion.transforms import PerSource, RelationGraphs


def _data():
    g = torch.Generator().manual_seed(0)
    d = MultiSourceData(x_a=torch.randn(10, 4, generator=g), x_b=torch.randn(10, 3, generator=g))
    return RelationGraphs(k=2)(d)


def test_a_transform_that_drops_the_new_edges_weights_is_refused():
    with pytest.raises(ValueError, match=r"TwoHop.*source 'a'.*returned \d+ edges but "
                                         r"edge_weight of 30"):
        PerSource(T.TwoHop())(_data())


@pytest.mark.parametrize("transform", [T.ToUndirected(), T.AddSelfLoops(), T.GCNNorm()])
def test_transforms_that_keep_the_weights_still_apply(transform):
    out = PerSource(transform)(_data())
    for s in ("a", "b"):
        assert out[f"edge_weight_{s}"].size(0) == out[f"edge_index_{s}"].size(1)
