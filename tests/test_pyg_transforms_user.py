"""PyG's own transforms on MultiSourceData, as a user composes them: those
that work as on a Data, and those that select nodes without knowing finer
sources or graphs per source, whose output batching refuses by name."""
import pytest
import torch
import torch_geometric.transforms as T
from torch_geometric.data import Batch, Data

from pyg_fusion.data import MultiSourceData


def _graph(seed=0):
    g = torch.Generator().manual_seed(seed)
    # node 4 is isolated in edge_index; source c has 9 finer units
    return MultiSourceData(
        x_a=torch.rand(6, 3, generator=g), y=torch.tensor([0, 1, 0, 1, 0, 1]),
        x_c=torch.rand(9, 4, generator=g), assign_c=torch.tensor([0, 0, 1, 1, 2, 3, 4, 5, 5]),
        edge_index=torch.tensor([[0, 1, 2, 3, 5], [1, 0, 3, 2, 5]]))


@pytest.mark.parametrize("transform", [T.RemoveIsolatedNodes(), T.FixedPoints(4)],
                         ids=["RemoveIsolatedNodes", "FixedPoints"])
def test_a_node_selecting_transform_is_refused_at_batching_not_linked(transform):
    # the transform kept assign_c's old node ids (up to 5) on fewer nodes:
    # batched, graph 0's units went to graph 1's nodes without a word
    torch.manual_seed(0)
    out = transform(_graph())
    assert out.num_nodes < 6 and int(out.assign_c.max()) == 5
    with pytest.raises(ValueError, match=r"cannot batch 'assign_c': its ids span \[0, 5\], "
                                         r"but the graph has \d nodes.*MultiSourceData"
                                         r"\.subgraph"):
        Batch.from_data_list([out, _graph(1)])


def test_a_stale_graph_per_source_is_refused_at_batching():
    data = _graph()
    data.edge_index_a = torch.tensor([[0, 5], [5, 0]])
    del data.x_c, data.assign_c
    out = T.RemoveIsolatedNodes()(data)
    with pytest.raises(ValueError, match=r"cannot batch 'edge_index_a': its ids span "
                                         r"\[0, 5\], but the graph has 5 rows of x_a"):
        Batch.from_data_list([out, data])


def test_subgraph_batches_and_the_common_transforms_keep_the_sources():
    data = _graph()
    kept = data.subgraph(torch.tensor([0, 1, 2, 3, 5]))
    batch = Batch.from_data_list([kept, _graph(1)])
    assert batch.assign_c.tolist()[:8] == [0, 0, 1, 1, 2, 3, 4, 4]  # node 5 is now 4
    assert batch.assign_c.tolist()[8:] == [5 + i for i in [0, 0, 1, 1, 2, 3, 4, 5, 5]]
    torch.manual_seed(0)
    out = T.Compose([T.NormalizeFeatures(attrs=["x_a", "x_c"]), T.ToDevice("cpu"),
                     T.RandomNodeSplit(num_val=1, num_test=1)])(_graph())
    assert isinstance(out, MultiSourceData) and out.validate()
    assert torch.equal(out.x_a, T.NormalizeFeatures()(Data(x=_graph().x_a)).x)
    assert int(out.train_mask.sum() + out.val_mask.sum() + out.test_mask.sum()) == 6
    out.x_a = out.x_a[:5]  # the count still follows the sources
    assert out.num_nodes == 5


@pytest.mark.parametrize("support", ["own", "shared"])
def test_relation_graphs_give_a_source_without_units_an_empty_graph_as_in_a_batch(support):
    # alone, a clip without frames of source b (or a graph without nodes) was
    # refused ('x holds no units'), though within a batch it got an empty graph
    from pyg_fusion.transforms import RelationGraphs
    g = torch.Generator().manual_seed(0)
    with_units = MultiSourceData(x_a=torch.randn(2, 3, generator=g),
                                 x_b=torch.randn(2, 2, generator=g))
    finer = MultiSourceData(x_a=torch.randn(3, 3, generator=g), x_b=torch.randn(0, 2),
                            assign_b=torch.zeros(0, dtype=torch.long))
    empty = MultiSourceData(x_a=torch.randn(0, 3), x_b=torch.randn(0, 2))
    cases = [[with_units, empty]] + ([[finer.clone(), finer]] if support == "own" else [])
    transform = RelationGraphs(k=2, support=support)
    for graphs in cases:
        batch = transform(Batch.from_data_list([d.clone() for d in graphs]))
        for got, data in zip(batch.to_data_list(), graphs):
            alone = transform(data.clone())
            for s in ("a", "b"):
                assert torch.equal(got[f"edge_index_{s}"], alone[f"edge_index_{s}"])
                assert torch.equal(got[f"edge_weight_{s}"], alone[f"edge_weight_{s}"])
    alone = transform(empty.clone())
    assert alone.edge_index_a.shape == (2, 0) and alone.edge_index_a.dtype == torch.long
    assert alone.edge_weight_b.shape == (0, ) and alone.edge_weight_b.dtype == torch.float32


def test_to_dense_pads_no_source_and_lego_says_so():
    # T.ToDense pads x, pos and y to its num_nodes: the sources stayed [6, d]
    # beside a mask of 8 nodes, and LEGO said 'mask must have shape [2, 6], got [2, 8]'
    from torch_geometric.loader import DenseDataLoader
    from pyg_fusion.nn import LEGO
    g = torch.Generator().manual_seed(0)
    graphs = [T.ToDense(8)(MultiSourceData(x_a=torch.rand(6, 3, generator=g),
                                           x_b=torch.rand(6, 2, generator=g),
                                           edge_index=torch.tensor([[0], [1]])))
              for _ in range(2)]
    batch = next(iter(DenseDataLoader(graphs, batch_size=2)))
    with pytest.raises(ValueError, match=r"the data's mask \[2, 8\] does not match its padded "
                                         r"sources .*T\.ToDense pads x, pos and y, not "
                                         r"x_<source>"):
        LEGO({"a": 3, "b": 2}, 2)(batch)


@pytest.mark.parametrize("subset, message", [
    ([0, 0, 1], r"subset holds node 0 more than once"),
    ([6], r"subset holds node ids outside \[0, 6\) \(min 6, max 6\)"),
    ([-1, 0], r"subset holds node ids outside \[0, 6\) \(min -1, max 0\)"),
])
def test_subgraph_refuses_a_node_twice_or_beyond_the_graph(subset, message):
    # [0, 0, 1] made node 0 two nodes, the finer units of node 0 all on the
    # second; [6] was torch's IndexError; [-1, 0] silently took node 5
    with pytest.raises(ValueError, match=message):
        _graph().subgraph(torch.tensor(subset))
