"""RelationGraphs: each source's relationship graph stored on the data as a
PyG transform (edge_index_<source>, edge_weight_<source>)."""
import pytest
import torch
import torch_geometric.transforms as T
from torch_geometric.data import Batch

import pyg_fusion.functional as F
from pyg_fusion.data import MultiSourceData
from pyg_fusion.transforms import RelationGraphs
from pyg_fusion.visualize._common import source_graph


def _data(n=12, seed=0, device="cpu"):
    g = torch.Generator().manual_seed(seed)
    return MultiSourceData(x_rgb=torch.randn(n, 5, generator=g),
                           x_depth=torch.randn(n, 3, generator=g),
                           y=torch.arange(n) % 2).to(device)


def test_each_source_gets_the_functional_graph(device):
    data = _data(device=device)
    out = RelationGraphs(k=3)(data)
    assert "edge_index_rgb" not in data  # PyG's transforms work on a copy
    for s in ("rgb", "depth"):
        want = F.relation_graph(data[f"x_{s}"], k=3)
        assert torch.equal(out[f"edge_index_{s}"], want[0])
        assert torch.equal(out[f"edge_weight_{s}"], want[1])
        assert out[f"edge_index_{s}"].device.type == device.type
    # figures read the stored graph instead of building one
    ei, w, n = source_graph(out, "rgb", k=5)
    assert n == 12 and torch.equal(ei, out.edge_index_rgb) and torch.equal(w, out.edge_weight_rgb)
    only = RelationGraphs(k=2, metric="rbf", sources=["depth"])(data)
    assert "edge_index_rgb" not in only
    assert torch.equal(only.edge_weight_depth, F.relation_graph(data.x_depth, k=2,
                                                                 metric="rbf")[1])


def test_a_batch_is_never_linked_and_stored_graphs_batch(device):
    """In a Batch each graph gets its own graph (finer sources through
    assign_<source>); graphs stored per Data batch with their offsets."""
    a, b = _data(7, 1), _data(5, 2)
    for d, units in ((a, 10), (b, 6)):  # a finer source: units per segment
        d.x_frames = torch.randn(units, 4)
        d.assign_frames = torch.arange(units) * d.num_nodes // units
    batch = Batch.from_data_list([a, b]).to(device)
    together = RelationGraphs(k=3)(batch)
    apart = Batch.from_data_list([RelationGraphs(k=3)(a), RelationGraphs(k=3)(b)]).to(device)
    for s, sizes in (("rgb", (7, 5)), ("frames", (10, 6))):
        ei = together[f"edge_index_{s}"]
        side = ei >= sizes[0]
        assert torch.equal(side[0], side[1])  # no edge between the two graphs
        assert torch.equal(ei, apart[f"edge_index_{s}"])
        torch.testing.assert_close(together[f"edge_weight_{s}"], apart[f"edge_weight_{s}"])


def test_shared_support_is_the_union_with_every_source_weighted_on_it(device):
    data = _data(device=device)
    out = RelationGraphs(k=3, support="shared")(data)
    want = F.shared_support_graphs({"rgb": data.x_rgb, "depth": data.x_depth}, k=3)
    assert torch.equal(out.edge_index_rgb, out.edge_index_depth)
    for s in ("rgb", "depth"):
        assert torch.equal(out[f"edge_index_{s}"], want[s][0])
        torch.testing.assert_close(out[f"edge_weight_{s}"], want[s][1], rtol=0, atol=0)
    own = RelationGraphs(k=3)(data)
    assert out.edge_index_rgb.size(1) >= max(own.edge_index_rgb.size(1),
                                             own.edge_index_depth.size(1))


def test_as_a_pre_transform_the_graphs_are_cached_with_their_options(tmp_path):
    from pyg_fusion.datasets import MultiFeatureDigits
    pre = T.Compose([RelationGraphs(k=5, sources=["fou", "kar"])])
    ds = MultiFeatureDigits(str(tmp_path), 0.1, views=["fou", "kar"], pre_transform=pre,
                            log=False)
    data = ds[0]
    assert data.edge_index_fou.shape == (2, 2000 * 6) and data.edge_weight_kar.numel() == 12000
    assert torch.equal(data.edge_index_kar, F.relation_graph(data.x_kar, k=5)[0])
    other = MultiFeatureDigits(str(tmp_path), 0.1, views=["fou", "kar"],
                               pre_transform=RelationGraphs(k=3, sources=["fou"]), log=False)
    assert other[0].edge_index_fou.size(1) == 2000 * 4 and "edge_index_kar" not in other[0]
    assert "k=3" in repr(other.pre_transform) and "sources=['fou']" in repr(other.pre_transform)


@pytest.mark.parametrize("make, message", [
    (lambda: RelationGraphs(support="union"), "support must be one of"),
    (lambda: RelationGraphs(sources="rgb"), "sources must be a non-empty list"),
    (lambda: RelationGraphs(sources=[]), "sources must be a non-empty list"),
    (lambda: RelationGraphs(k=0), "k must be >= 1"),
    (lambda: RelationGraphs(metric="l2"), "metric"),
    (lambda: RelationGraphs(knn="fast"), "knn must be one of"),
    (lambda: RelationGraphs()(MultiSourceData(y=torch.zeros(3))), "the data has no sources"),
    (lambda: RelationGraphs(sources=["ir"])(_data()),
     r"sources \['ir'\] are not in the data \(its sources: \['depth', 'rgb'\]"),
    (lambda: RelationGraphs(k=2)(MultiSourceData(x_rgb=torch.tensor([[float("nan")], [1.]]))),
     r"RelationGraphs: data\.x_rgb contains 1 NaN or Inf"),
])
def test_bad_options_are_named(make, message):
    with pytest.raises(ValueError, match=message):
        make()


def test_int_features_are_named_after_their_attribute():
    # the TypeError of an int source said "x must be ...", naming no attribute
    data = MultiSourceData(x_rgb=torch.randn(5, 3), x_ids=torch.randint(0, 3, (5, 4)))
    with pytest.raises(TypeError, match=r"^RelationGraphs: data\.x_ids must be a floating-point "
                                        r"tensor, got torch.int64"):
        RelationGraphs(k=2)(data)


def test_a_shared_support_needs_the_same_units():
    data = _data()
    data.x_frames = torch.randn(20, 4)
    data.assign_frames = torch.arange(20) * 12 // 20
    with pytest.raises(ValueError, match=r"sources \['frames'\] are at a finer level"):
        RelationGraphs(k=2, support="shared")(data)
    out = RelationGraphs(k=2, support="shared", sources=["rgb", "depth"])(data)
    assert out.edge_index_rgb.max() < 12


def test_plain_data_is_refused_and_follow_batch_adds_no_source():
    from torch_geometric.data import Data
    with pytest.raises(TypeError, match="RelationGraphs needs MultiSourceData .* got Data"):
        RelationGraphs(k=2)(Data(x_rgb=torch.randn(4, 2)))
    batch = Batch.from_data_list([_data(5, 1), _data(4, 2)], follow_batch=["x_rgb"])
    assert batch.sources == ["depth", "rgb"]
    out = RelationGraphs(k=2)(batch)
    side = out.edge_index_rgb >= 5
    assert torch.equal(side[0], side[1])
