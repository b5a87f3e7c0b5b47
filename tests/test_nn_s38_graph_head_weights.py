"""GraphHead(x, edge_index) without weights was refused naming nothing to pass
(PyG's layers read None as all ones)."""
import pytest
import torch

from pyg_fusion.nn.heads import GraphHead


def test_missing_weights_name_what_to_pass():
    head, x = GraphHead(3, 4, 2), torch.rand(3, 3)
    edge_index = torch.tensor([[0, 1], [1, 2]])
    with pytest.raises(ValueError, match=r"edge_weight is required with an edge_index: pass "
                                         r"its weights \[E\] \(torch.ones\(E\) for an "):
        head(x, edge_index)
    head.eval()
    assert head(x, edge_index, torch.ones(2)).shape == (3, 2)
