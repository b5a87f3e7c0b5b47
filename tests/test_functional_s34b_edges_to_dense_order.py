"""edges_to_dense(edge_index, batch), PyG's to_dense_adj order, read the batch
vector as integer edge weights: with E == N a wrong graph (all zeros for one
graph) and no error. A torch.long [E] weight without batch is refused."""
import pytest
import torch

import pyg_fusion.functional as F

EI = torch.tensor([[0, 1, 2], [1, 2, 0]])


def test_batch_given_second_is_refused():
    with pytest.raises(TypeError, match=r"edge_weight is a torch.long.*batch="):
        F.edges_to_dense(EI, torch.zeros(3, dtype=torch.long))


def test_integer_weights_still_work():
    want = torch.tensor([[[0, 0, 1], [1, 0, 0], [0, 1, 0]]])
    assert torch.equal(F.edges_to_dense(EI, torch.ones(3, dtype=torch.int32)),
                       want.int())
    assert torch.equal(F.edges_to_dense(EI, torch.ones(3, dtype=torch.long),
                                        torch.zeros(3, dtype=torch.long)), want)
    assert torch.equal(F.edges_to_dense(EI, batch=torch.zeros(3, dtype=torch.long)),
                       want.float())


def test_integer_counts_without_batch_are_weights():
    # coalesce(edge_index, ones(E, long)) sums duplicates into long counts:
    # refused since be3229d, though no batch vector is like them
    from torch_geometric.utils import coalesce
    ei, count = coalesce(torch.tensor([[0, 0, 1, 2], [1, 1, 2, 0]]),
                         torch.ones(4, dtype=torch.long))
    want = torch.tensor([[[0, 0, 1], [2, 0, 0], [0, 1, 0]]])
    assert torch.equal(F.edges_to_dense(ei, count), want)
    assert torch.equal(F.edges_to_dense(EI, torch.tensor([3, 1, 2])),
                       torch.tensor([[[0, 0, 2], [3, 0, 0], [0, 1, 0]]]))
