"""The node models given a PyG Batch, as a user batching graphs with PyG's
DataLoader would: they build one relationship graph over the nodes they are
given, so several graphs would be linked to each other."""
import pytest
import torch
from torch_geometric.data import Batch

from pyg_fusion.methods import build_model, method_names
from test_training_node import _toy_graph


@pytest.mark.parametrize("method", method_names("node", ["a", "b"]))
def test_a_batch_of_several_graphs_is_refused_and_one_graph_is_scored_as_alone(method):
    # every node method scored a Batch of 2 graphs over kNN edges between them:
    # the first graph's logits differed from those of the graph alone, silently
    torch.manual_seed(0)
    model = build_model(method, "node", {"a": 4, "b": 3}, num_classes=3, k=5,
                        hidden_channels=16).eval()
    one = _toy_graph()
    with pytest.raises(ValueError, match=r"the data holds 2 graphs \(a PyG Batch\).*one graph "
                                         r"at a time"):
        model(Batch.from_data_list([one, _toy_graph(seed=1)]))
    with torch.no_grad():  # a Batch of one graph (a DataLoader of batch_size=1) is that graph
        assert torch.equal(model(Batch.from_data_list([one])), model(one))
