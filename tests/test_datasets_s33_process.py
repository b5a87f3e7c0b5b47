"""Every InMemoryDataset here ends its process() the one way, PyG's:
pre_filter, then pre_transform on each graph kept, then an atomic save."""
import numpy as np
import pytest
import torch

from pyg_fusion.datasets import MultiViewTables, SyntheticTranslation, SyntheticVAD
from pyg_fusion.datasets._base import FusionDataset


def _tables(root):
    raw = root / "raw"
    raw.mkdir(parents=True)
    rng = np.random.default_rng(0)
    np.savetxt(raw / "a.csv", rng.normal(size=(12, 3)), delimiter=",")
    np.savetxt(raw / "y.csv", np.arange(12) % 3, delimiter=",", fmt="%d")
    return dict(views=["a.csv"], labels="y.csv", log=False)


def test_each_dataset_saves_through_the_one_helper(tmp_path, monkeypatch):
    # digits, tables, translation and VAD each had the filter / transform /
    # save steps written out, with three wordings of the same refusal
    seen = []
    real = FusionDataset.save_processed

    def spy(self, data_list, what):
        seen.append((type(self).__name__, len(data_list)))
        return real(self, data_list, what)
    monkeypatch.setattr(FusionDataset, "save_processed", spy)
    MultiViewTables(tmp_path / "t", **_tables(tmp_path / "t"))
    SyntheticTranslation(tmp_path / "tr", num_images=2, image_size=8, progress=False)
    SyntheticVAD(tmp_path / "v", num_videos=(2, 2), snippets=(6, 9), num_segments=4, log=False)
    assert seen == [("MultiViewTables", 1), ("SyntheticTranslation", 2), ("SyntheticVAD", 2)]


def test_the_one_graph_datasets_filter_and_transform_as_pyg(tmp_path):
    kw = _tables(tmp_path)

    def shifted(data):
        data.x_a = data.x_a + 1
        return data
    plain = MultiViewTables(tmp_path, **kw)[0]
    moved = MultiViewTables(tmp_path, pre_transform=shifted, **kw)[0]
    assert torch.equal(moved.x_a, plain.x_a + 1)
    with pytest.raises(ValueError, match="pre_filter rejected the only graph of the dataset"):
        MultiViewTables(tmp_path, pre_filter=lambda d: False, **kw)
