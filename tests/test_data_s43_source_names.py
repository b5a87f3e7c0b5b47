"""PyG offsets every attribute whose name holds 'batch' or 'index' when it
batches (and concatenates one holding 'index' along its last dimension): a
source named 'batchnorm' had its features offset by their max + 1 in the
second graph of a batch, without a word, and one named 'reindexed' failed
inside torch's cat."""
import pytest
import torch
from torch_geometric.data import Batch
from torch_geometric.loader import DataLoader

from pyg_fusion.data import MultiSourceData


@pytest.mark.parametrize("name", ["batchnorm", "reindexed"])
def test_a_source_named_like_batch_or_index_batches_as_any(name):
    g = torch.Generator().manual_seed(0)
    graphs = [MultiSourceData(**{f"x_{name}": torch.rand(n, 2, generator=g),
                                 "x_b": torch.rand(n, 3, generator=g),
                                 f"edge_index_{name}": torch.tensor([[0, 1], [1, 0]]),
                                 f"edge_weight_{name}": torch.rand(2, generator=g),
                                 f"edge_attr_{name}": torch.rand(2, 1, generator=g)})
              for n in (3, 2)]
    batch = next(iter(DataLoader(graphs, batch_size=2)))
    for key in (f"x_{name}", f"edge_weight_{name}", f"edge_attr_{name}"):
        assert torch.equal(batch[key], torch.cat([d[key] for d in graphs])), key
    assert batch[f"edge_index_{name}"].tolist() == [[0, 1, 3, 4], [1, 0, 4, 3]]
    assert batch.batch.tolist() == [0, 0, 0, 1, 1]
    again = Batch.from_data_list(graphs).get_example(1)
    assert torch.equal(again[f"x_{name}"], graphs[1][f"x_{name}"])
