"""SyntheticTranslation of one scene with a subset of the modalities."""
import torch

from pyg_fusion.datasets import SyntheticTranslation


def test_one_scene_keeps_the_requested_modalities(tmp_path):
    # PyG keeps no slices for a dataset of one graph: dropping a modality
    # failed with "'NoneType' object has no attribute 'pop'"
    ds = SyntheticTranslation(str(tmp_path), "test", 1, 16, modalities=["shade", "depth"],
                              progress=False)
    full = SyntheticTranslation(str(tmp_path), "test", 1, 16, progress=False)
    assert len(ds) == 1
    assert set(ds.channels) == {"shade", "depth"}
    item = ds[0]
    assert "x_normal" not in item and "x_edge" not in item
    assert torch.equal(item.x_shade, full[0].x_shade)
    assert torch.equal(item.x_depth, full[0].x_depth)
