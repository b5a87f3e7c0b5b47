"""PyG's dataset conventions, as a user of them expects them here."""
import pytest
import torch

from pyg_fusion.datasets import SyntheticTranslation


def test_synthetic_translation_takes_a_pre_filter(tmp_path):
    # SyntheticTranslation(..., pre_filter=f) was a TypeError: the one
    # InMemoryDataset here without PyG's pre_filter
    kw = dict(num_images=6, image_size=8, progress=False)
    every = SyntheticTranslation(tmp_path, **kw)
    edges = [float(d.x_edge.mean()) for d in every]
    cut = sorted(edges)[3]

    def busy(data):
        return float(data.x_edge.mean()) >= cut
    kept = SyntheticTranslation(tmp_path, pre_filter=busy, **kw)
    assert len(kept) == sum(e >= cut for e in edges) < len(every)
    # the scenes kept are those of the same index (a scene's seed is its index)
    assert all(torch.equal(k.y, e.y) for k, e in zip(kept, [d for d in every if busy(d)]))
    assert len(SyntheticTranslation(tmp_path, **kw)) == 6  # its own cache
    with pytest.raises(ValueError, match="pre_filter rejected every one of the 6 train scenes"):
        SyntheticTranslation(tmp_path, pre_filter=lambda d: False, **kw)
