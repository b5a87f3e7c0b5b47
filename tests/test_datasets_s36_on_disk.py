"""dataset.to_on_disk_dataset() (PyG's) rebuilt every graph as a plain Data,
which batches assign_<source> without offsets: a loader's batch sent the
finer units of every graph to the first graph's nodes, without a word."""
import torch
from torch_geometric.loader import DataLoader

from pyg_fusion.data import MultiSourceData
from pyg_fusion.datasets import SyntheticVAD


def test_an_on_disk_copy_batches_as_the_dataset_does(tmp_path):
    ds = SyntheticVAD(str(tmp_path / "data"), "train", num_videos=(4, 2), snippets=(8, 10),
                      num_segments=4, fine_sources={"i3d": 2}, log=False)
    on_disk = ds.to_on_disk_dataset(str(tmp_path / "on_disk"), log=False)
    assert isinstance(on_disk[1], MultiSourceData) and isinstance(on_disk[1:3][0],
                                                                  MultiSourceData)
    ours, theirs = (next(iter(DataLoader(d, batch_size=3))) for d in (ds, on_disk))
    for key in ("assign_i3d", "batch", "x_i3d"):
        assert torch.equal(ours[key], theirs[key]), key
