"""MultiSourceData.subgraph of a Batch kept the batch's old ptr and its record
of where each graph lies (as PyG's Data.subgraph does): nodes [0, 1, 4, 8] of
graphs of 3, 4 and 2 nodes gave ptr [0, 3, 7, 9] over 4 nodes, get_example(0)
the first 3 nodes (one of them graph 1's) and to_data_list() a torch error.
The ptr now counts the kept nodes, and splitting the subgraph is PyG's error
that it was not made by Batch.from_data_list."""
import pytest
import torch
from torch_geometric.data import Batch
from torch_geometric.utils import segment

from pyg_fusion.data import MultiSourceData


def _batch():
    g = torch.Generator().manual_seed(0)
    return Batch.from_data_list([MultiSourceData(
        x_a=torch.rand(n, 2, generator=g), x_f=torch.rand(2 * n, 3, generator=g),
        assign_f=torch.arange(n).repeat_interleave(2), y=torch.tensor([i]))
        for i, n in enumerate([3, 4, 2])])


@pytest.mark.parametrize("subset", [torch.tensor([0, 1, 4, 8]),
                                    torch.tensor([1, 2, 8])])  # graph 1 left empty
def test_the_ptr_of_a_batchs_subgraph_counts_its_kept_nodes(subset):
    batch = _batch()
    out = batch.subgraph(subset)
    assert out.batch.tolist() == batch.batch[subset].tolist()
    counts = torch.bincount(out.batch, minlength=3)
    assert out.ptr.tolist() == [0, *counts.cumsum(0).tolist()]
    assert out.num_graphs == 3 and out.y.tolist() == [0, 1, 2]
    # what reads ptr (PyG's segment sums) sums each graph's kept nodes
    sums = segment(out.x_a, out.ptr, reduce="sum")
    assert torch.allclose(sums, torch.zeros(3, 2).index_add_(0, out.batch, out.x_a))
    with pytest.raises(RuntimeError, match="from_data_list"):
        out.get_example(0)
    with pytest.raises(RuntimeError, match="from_data_list"):
        out.to_data_list()
    # the batch itself is untouched
    assert batch.ptr.tolist() == [0, 3, 7, 9] and len(batch.to_data_list()) == 3


def test_a_subset_that_interleaves_the_graphs_has_no_ptr():
    out = _batch().subgraph(torch.tensor([4, 0, 8, 1]))  # graphs 1, 0, 2, 0
    assert out.batch.tolist() == [1, 0, 2, 0] and "ptr" not in out
    assert out.x_f.size(0) == 8 and out.assign_f.tolist() == [0, 0, 1, 1, 2, 2, 3, 3]


def test_the_ptr_is_no_node_attribute_when_as_many_as_the_nodes():
    # 3 graphs: ptr has 4 entries, as many as the 4 nodes selected
    out = _batch().subgraph(torch.tensor([0, 3, 4, 8]))
    assert out.ptr.tolist() == [0, 1, 3, 4]


def test_the_record_relation_graphs_keeps_on_a_batch_is_dropped_too():
    from pyg_fusion.transforms import RelationGraphs
    batch = RelationGraphs(k=2)(_batch())
    out = batch.subgraph(torch.tensor([0, 1, 4]))
    assert out.ptr.tolist() == [0, 2, 3, 3] and out.edge_index_a.max() < 3
    with pytest.raises(RuntimeError, match="from_data_list"):
        out.to_data_list()
    assert len(batch.to_data_list()) == 3
