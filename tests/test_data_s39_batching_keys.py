"""Batching MultiSourceData reads each graph's sources from its store: the
rows check of every source of every graph (check_node_rows) listed the
graph's keys through Data.keys() each time, a cost that grew with graphs x
sources on every training batch of a VAD run."""
from unittest import mock

import pytest
import torch
from torch_geometric.data import Batch, Data

from pyg_fusion.data import MultiSourceData, source_names


def _graphs(n):
    return [MultiSourceData(x_a=torch.randn(4, 2), x_b=torch.randn(4, 3),
                            x_c=torch.randn(4, 1), y=torch.tensor([1])) for _ in range(n)]


def _keys_calls(graphs):
    real, calls = Data.keys, []

    def spy(self):
        calls.append(1)
        return real(self)

    with mock.patch.object(Data, "keys", spy):
        batch = Batch.from_data_list(graphs)
    return len(calls), batch


def test_batching_lists_no_keys_per_graph():
    few, _ = _keys_calls(_graphs(2))
    many, batch = _keys_calls(_graphs(16))
    assert many == few  # was 6 for 2 graphs, 48 for 16
    assert batch.num_graphs == 16 and batch.num_nodes == 64
    assert batch.batch.tolist() == [g for g in range(16) for _ in range(4)]


def test_source_count_as_before():
    g = MultiSourceData(x_b=torch.randn(5, 2), x_a=torch.randn(3, 2),
                        assign_a=torch.tensor([0, 1, 4]))
    # x_a has an assign: the node count is x_b's, the first node-level source
    assert g.num_nodes == 5 and g.sources == source_names(g) == ["a", "b"]
    batch = Batch.from_data_list([g, g], follow_batch=["x_b"])
    # a follow_batch vector x_b_batch is no source
    assert source_names(batch) == ["a", "b"] and batch.num_nodes == 10
    bad = MultiSourceData(x_a=torch.randn(4, 2), x_b=torch.randn(4, 2))
    bad.x_b = torch.randn(3, 2)
    bad.num_nodes = 4
    with pytest.raises(ValueError, match="cannot batch 'x_b': it has 3 rows, but 'x_a' has 4"):
        Batch.from_data_list([bad, bad])
