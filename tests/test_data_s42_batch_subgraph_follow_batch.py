"""MultiSourceData.subgraph of a Batch made with follow_batch kept the old
x_<source>_batch of a finer source (27 units' graphs beside 12 kept units) and
every old x_<source>_ptr: RelationGraphs on the subgraph failed ('batch must
have one entry per unit (12), got 27'), and a finer source of as many units as
the nodes had its vector selected by node. They are counted again from the
kept units; other followed vectors are dropped."""
import pytest
import torch
from torch_geometric.data import Batch

from pyg_fusion.data import MultiSourceData
from pyg_fusion.transforms import RelationGraphs


def _batch(per_node: int):
    g = torch.Generator().manual_seed(0)
    return Batch.from_data_list([MultiSourceData(
        x_a=torch.rand(n, 2, generator=g), x_f=torch.rand(per_node * n, 3, generator=g),
        edge_index_a=torch.tensor([[0], [1]]),
        assign_f=torch.arange(n).repeat_interleave(per_node)) for n in [3, 4, 2]],
        follow_batch=["x_f", "x_a", "edge_index_a"])


@pytest.mark.parametrize("per_node", [3, 1])
def test_the_followed_vectors_of_a_batchs_subgraph_count_its_kept_units(per_node):
    out = _batch(per_node).subgraph(torch.tensor([0, 1, 4, 8]))
    assert out.x_a_batch.tolist() == out.batch.tolist() == [0, 0, 1, 2]
    assert out.x_f_batch.tolist() == out.batch[out.assign_f].tolist()
    assert out.x_a_ptr.tolist() == out.ptr.tolist() == [0, 2, 3, 4]
    assert out.x_f_ptr.tolist() == [0, 2 * per_node, 3 * per_node, 4 * per_node]
    assert "edge_index_a_batch" not in out and "edge_index_a_ptr" not in out
    ei = RelationGraphs(k=1)(out).edge_index_f  # it failed on the old vector's length
    assert torch.equal(out.x_f_batch[ei[0]], out.x_f_batch[ei[1]])


def test_an_interleaving_subset_has_no_ptr_but_its_vectors():
    out = _batch(3).subgraph(torch.tensor([4, 0]))
    assert out.x_f_batch.tolist() == [1, 1, 1, 0, 0, 0]
    assert "x_f_ptr" not in out and "ptr" not in out
