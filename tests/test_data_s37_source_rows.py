import pytest
import torch
from torch_geometric.data import Batch
from torch_geometric.loader import DataLoader

from pyg_fusion.data import MultiSourceData


def test_batching_refuses_a_node_level_source_of_other_rows():
    # x_b's sixth row went to the next graph of the batch without a word
    data = MultiSourceData(x_a=torch.randn(5, 2), x_b=torch.randn(6, 3))
    with pytest.raises(ValueError, match=r"cannot batch 'x_b': it has 6 rows, but 'x_a' has 5; "
                                         r"a source without .assign_b. has one row per node"):
        Batch.from_data_list([data, data])
    with pytest.raises(ValueError, match="'x_b' has 6 rows, but num_nodes is 5"):
        data.validate()


def test_sources_set_one_by_one_and_finer_sources_still_batch():
    data = MultiSourceData()
    data.x_a = torch.randn(5, 2)
    data.assign_c = torch.tensor([0, 4, 4])
    data.x_c = torch.randn(3, 1)
    data.x_b = torch.randn(6, 3)  # partial: fixed before batching
    data.x_b = torch.randn(5, 3)
    batch = next(iter(DataLoader([data, data], batch_size=2, follow_batch=["x_c"])))
    assert batch.x_b.shape == (10, 3) and batch.assign_c.tolist() == [0, 4, 4, 5, 9, 9]
    assert batch.x_c_batch.tolist() == [0, 0, 0, 1, 1, 1]
