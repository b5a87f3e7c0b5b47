"""A dataset transform that changed the graph in place and returned nothing
(def add_noise(data): data.x_i3d += ...) made dataset[i] None, and a
DataLoader said only "DataLoader found invalid type: <class 'NoneType'>",
naming neither the transform nor the missing return."""
import pytest
import torch
from torch_geometric.loader import DataLoader

from pyg_fusion.datasets import SyntheticVAD


def add_noise(data):
    data.x_i3d = data.x_i3d + 0.1 * torch.randn_like(data.x_i3d)


def test_a_transform_without_its_return_is_named(tmp_path):
    ds = SyntheticVAD(str(tmp_path), "train", num_videos=(2, 2), snippets=(8, 9),
                      num_segments=4, log=False, transform=add_noise)
    with pytest.raises(TypeError, match=r"transform must return the transformed graph, got "
                                        r"None \(from <function add_noise"):
        ds[0]
    with pytest.raises(TypeError, match=r"changes the data in place must still return it"):
        next(iter(DataLoader(ds, batch_size=2)))
    ds.transform = None
    assert len(ds[:1]) == 1 and ds[0].x_i3d.shape == (4, 64)
