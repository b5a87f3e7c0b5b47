"""PyG's graph tools (transforms, has_isolated_nodes(), coalesce(), ...) on
multi-source graphs: they read one graph, edge_index, so a graph per source
(edge_index_<source>) is an error naming it, and PerSource applies them to
each source's graph."""
import pytest
import torch
import torch_geometric.transforms as T
from torch_geometric.data import Batch
from torch_geometric.nn.conv.gcn_conv import gcn_norm
from torch_geometric.utils import add_self_loops, to_undirected

from pyg_fusion.data import MultiSourceData
from pyg_fusion.transforms import PerSource, RelationGraphs


def _data(**extra):
    g = torch.Generator().manual_seed(0)
    return MultiSourceData(
        x_a=torch.rand(6, 3, generator=g), x_b=torch.rand(6, 2, generator=g), y=torch.arange(6),
        edge_index_a=torch.tensor([[0, 1, 2], [1, 2, 0]]), edge_weight_a=torch.tensor([1., 2, 3]),
        edge_index_b=torch.tensor([[3, 4], [4, 3]]), edge_weight_b=torch.tensor([5., 6]),
        **extra)


@pytest.mark.parametrize("tool", [
    T.RemoveIsolatedNodes(), T.ToUndirected(), T.AddSelfLoops(), T.ToSparseTensor(),
    lambda d: d.has_isolated_nodes(), lambda d: d.is_undirected(), lambda d: d.coalesce(),
    lambda d: d.to_heterogeneous()])
def test_pyg_graph_tools_name_the_graphs_of_the_sources(tool):
    # RemoveIsolatedNodes dropped every node (none is in edge_index) and left
    # edge_index_a / _b on the dropped ones; ToUndirected, AddSelfLoops and
    # coalesce() changed nothing; is_undirected() failed on "no attribute 'edge_index'",
    # to_heterogeneous() on "'NoneType' object is not subscriptable"
    data = _data()
    with pytest.raises(ValueError, match=r"no edge_index but one graph per source, edges per "
                                         r"source \{'a': 3, 'b': 2\}.*PerSource"):
        tool(data)
    assert data.num_nodes == 6 and data.y.tolist() == list(range(6))
    assert data.edge_index_a.tolist() == [[0, 1, 2], [1, 2, 0]]


def test_random_node_loader_parts_keep_each_source_graph_relabelled():
    # data.edge_index stays None (PyG's): RandomNodeLoader reads it, then
    # selects the nodes of each part with subgraph(), which keeps every graph
    from torch_geometric.loader import RandomNodeLoader
    parts = list(RandomNodeLoader(_data(), num_parts=2, shuffle=False))
    assert [p.y.tolist() for p in parts] == [[0, 1, 2], [3, 4, 5]]
    assert parts[0].edge_index_a.tolist() == [[0, 1, 2], [1, 2, 0]]
    assert parts[0].edge_weight_a.tolist() == [1, 2, 3] and parts[0].edge_index_b.numel() == 0
    assert parts[1].edge_index_b.tolist() == [[0, 1], [1, 0]]
    assert parts[1].edge_weight_b.tolist() == [5, 6] and parts[1].edge_index_a.numel() == 0


def test_an_edge_index_is_the_graph_pyg_reads_unless_a_source_has_as_many_edges():
    data = _data(edge_index=torch.tensor([[0, 5, 5, 1], [5, 0, 2, 2]]))
    out = T.AddSelfLoops()(T.ToUndirected()(data))
    assert out.edge_index.tolist() == [[0, 1, 2, 2, 5, 5, 0, 1, 2, 3, 4, 5],
                                       [5, 2, 1, 5, 0, 2, 0, 1, 2, 3, 4, 5]]
    assert out.edge_index_a.tolist() == [[0, 1, 2], [1, 2, 0]] and out.is_undirected()
    assert not data.is_undirected() and data.has_isolated_nodes()
    assert MultiSourceData(x_a=torch.rand(2, 1)).edge_index is None
    # ToSparseTensor permuted edge_index_b and edge_weight_b with edge_index (2 edges each)
    data.edge_index = data.edge_index[:, :2]
    with pytest.raises(ValueError, match=r"edge_index of 2 edges and graphs edge_index_<source> "
                                         r"of as many, of sources \['b'\]"):
        T.ToSparseTensor()(data)


def test_per_source_applies_a_transform_to_each_graph():
    data = _data(x_f=torch.rand(4, 2), assign_f=torch.tensor([0, 0, 1, 5]),
                 edge_index_f=torch.tensor([[0, 3], [3, 0]]))
    out = PerSource(T.Compose([T.ToUndirected(), T.GCNNorm()]))(data)
    for s, units in (("a", 6), ("b", 6), ("f", 4)):
        edge_index, weight = to_undirected(data[f"edge_index_{s}"], data.get(f"edge_weight_{s}"),
                                           units)
        edge_index, weight = gcn_norm(edge_index, weight, units, add_self_loops=True)
        assert torch.equal(out[f"edge_index_{s}"], edge_index)
        torch.testing.assert_close(out[f"edge_weight_{s}"], weight)
    assert data.edge_index_a.tolist() == [[0, 1, 2], [1, 2, 0]]  # the input is its own
    only_b = PerSource(T.AddSelfLoops(), sources=["b"])(_data())
    assert torch.equal(only_b.edge_index_a, data.edge_index_a)
    assert torch.equal(only_b.edge_index_b, add_self_loops(data.edge_index_b, num_nodes=6)[0])
    # transformed graphs batch and split back
    graphs = [out, PerSource(T.GCNNorm(add_self_loops=False))(data)]
    for back, d in zip(Batch.from_data_list(graphs).to_data_list(), graphs):
        assert all(torch.equal(back[k], d[k]) for k in d.keys() if k.startswith("edge_"))


@pytest.mark.parametrize("transform, data, error, message", [
    (PerSource(T.RemoveIsolatedNodes()), _data(), ValueError,
     r"source 'a': the transform changed the units \(6 -> 3\), which every source shares"),
    (PerSource(T.ToSparseTensor()), _data(), ValueError, "returned no edge_index"),
    (PerSource(T.AddRandomWalkPE(2)), _data(), ValueError, r"added \['random_walk_pe'\]"),
    (PerSource(T.GCNNorm(), sources=["c"]), _data(), ValueError,
     r"sources \['c'\] have no graph.*\['a', 'b'\]"),
    (PerSource(T.GCNNorm()), Batch.from_data_list([_data()]), TypeError, "before batching"),
    (T.Compose([PerSource(T.GCNNorm()), RelationGraphs(k=2)]),
     MultiSourceData(x_a=torch.ones(3, 2)), ValueError,
     r"PerSource\(GCNNorm\(add_self_loops=True\)\): the data has no graph"),
])
def test_per_source_refuses_what_it_cannot_store_back(transform, data, error, message):
    with pytest.raises(error, match=message):
        transform(data)


def test_per_source_checks_its_arguments():
    with pytest.raises(TypeError, match=r"transform must be a callable.*got str"):
        PerSource("GCNNorm")
    with pytest.raises(ValueError, match="sources must be a non-empty list"):
        PerSource(T.GCNNorm(), sources="a")
    assert repr(PerSource(T.GCNNorm(), ["a"])) == \
        "PerSource(GCNNorm(add_self_loops=True), sources=['a'])"


def test_follow_batch_of_a_graph_is_no_graph_of_its_own():
    # edge_index_a_batch / _ptr were taken for graphs of sources 'a_batch' and
    # 'a_ptr': validate() failed on the valid batch ("needs to be of shape
    # [2, num_edges]") and the edge counts named sources that do not exist
    from torch_geometric.loader import DataLoader
    batch = next(iter(DataLoader([_data(), _data()], batch_size=2,
                                 follow_batch=["edge_index_a"])))
    assert batch.edge_index_a_batch.tolist() == [0, 0, 0, 1, 1, 1]
    assert batch.validate()
    assert batch.num_source_edges == {"a": 6, "b": 4} and batch.num_edges == 10


def test_dataset_summary_counts_the_edges_of_each_source(tmp_path):
    # PyG's get_summary() / print_summary() read each graph's num_edges, an
    # error on graphs per source: the summary of a dataset stored with
    # RelationGraphs stopped there
    from pyg_fusion.datasets import SyntheticVAD
    ds = SyntheticVAD(str(tmp_path), "test", num_videos=(2, 2), snippets=(4, 8),
                      num_segments=None, log=False, pre_transform=RelationGraphs(k=2))
    nodes = torch.tensor([float(d.num_nodes) for d in ds])
    summary = ds.get_summary()
    assert summary.num_graphs == len(ds) == 2 and summary.num_nodes.mean == nodes.mean().item()
    assert summary.num_edges.max == 3 * nodes.max().item() * len(ds[0].sources)
    assert sorted(summary.num_edges_per_type) == [(f"edge_index_{s}", ) for s in ds[0].sources]
    for stats in summary.num_edges_per_type.values():  # k = 2 and the self loop
        assert (stats.mean, stats.min, stats.max) == tuple(
            3 * v.item() for v in (nodes.mean(), nodes.min(), nodes.max()))
    plain = SyntheticVAD(str(tmp_path / "plain"), "test", num_videos=(2, 2), snippets=(4, 8),
                         num_segments=None, log=False).get_summary()
    assert plain.num_edges_per_type is None and plain.num_nodes.mean == nodes.mean().item()
