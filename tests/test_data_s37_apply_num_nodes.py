"""MultiSourceData.apply (and what PyG builds on it: .to, .cpu, .clone,
pin_memory) kept the node count of the sources before the call: a function
that selects rows left num_nodes at the old count, and a loader's batch
vector was built from it."""
import copy

import torch
from torch_geometric.data import Batch

from pyg_fusion.data import MultiSourceData


def _graph(n=5):
    return MultiSourceData(x_a=torch.randn(n, 3), x_b=torch.randn(n, 2),
                           x_f=torch.randn(2 * n, 4),
                           assign_f=torch.arange(n).repeat_interleave(2))


def test_apply_that_selects_rows_updates_num_nodes():
    d = MultiSourceData(x_a=torch.randn(5, 3), x_b=torch.randn(5, 2))
    out = d.apply(lambda t: t[:3])
    assert out.num_nodes == 3
    batch = Batch.from_data_list([out, MultiSourceData(x_a=torch.randn(2, 3),
                                                       x_b=torch.randn(2, 2))])
    assert batch.batch.tolist() == [0, 0, 0, 1, 1]


def test_clone_and_to_keep_the_count_and_follow_later_changes():
    # .to / .cpu / .contiguous return the graph itself (PyG applies in place)
    for make in (lambda d: d.clone(), lambda d: d.to("cpu", non_blocking=True),
                 lambda d: d.cpu(), copy.deepcopy, lambda d: d.contiguous()):
        out = make(_graph())
        assert out.num_nodes == 5
        out.x_a, out.x_b = torch.randn(2, 3), torch.randn(2, 2)
        assert out.num_nodes == 2


def test_an_explicit_num_nodes_is_kept_by_apply():
    d = _graph()
    d.num_nodes = 7
    assert d.apply(lambda t: t[:3], "x_a", "x_b").num_nodes == 7
