"""check_edge_list unwraps PyG's EdgeIndex by its type (PyG >= 2.5; the
floor is 2.6), not any tensor subclass that happens to have as_tensor."""
import torch
from torch_geometric import EdgeIndex

from pyg_fusion.functional._checks import check_edge_list


class _Tagged(torch.Tensor):
    """A user's tensor subclass with a method of that name, of another meaning."""

    def as_tensor(self):
        raise AssertionError("not PyG's EdgeIndex: must not be unwrapped")


def test_only_pyg_edge_index_is_unwrapped():
    ei = torch.tensor([[0, 1, 2], [1, 2, 0]])
    out = check_edge_list("edge_index", EdgeIndex(ei, sparse_size=(3, 3)))
    assert type(out) is torch.Tensor and torch.equal(out, ei)
    tagged = ei.as_subclass(_Tagged)
    assert check_edge_list("edge_index", tagged) is tagged
