"""dataset[[True, False, ...]] (a list of bools, as a comprehension over the
videos makes it) was read by PyG as the indices 1 and 0: the normal videos
asked for came back as the first two, repeated, without a word; a bool mask
of another length than the dataset selected from its first graphs."""
import numpy as np
import pytest
import torch

from pyg_fusion.datasets import SyntheticVAD


def test_a_list_of_bools_is_a_mask_and_masks_have_the_datasets_length(tmp_path):
    ds = SyntheticVAD(str(tmp_path), "train", num_videos=(4, 2), snippets=(8, 9),
                      num_segments=4, log=False)
    normal = [v for v in ds.video if "normal" in v]
    assert normal and len(normal) < len(ds)
    for mask in ([("normal" in v) for v in ds.video],
                 tuple(np.array(["normal" in v for v in ds.video])),
                 [g.y == 0 for g in ds]):  # one-element bool tensors
        assert [g.video for g in ds[mask]] == normal
    assert [g.video for g in ds[[0, 1, 1]]] == [ds.video[0], ds.video[1], ds.video[1]]
    assert len(ds[[]]) == 0
    for short in ([True], torch.tensor([True, False]), np.ones(len(ds) + 1, dtype=bool)):
        with pytest.raises(IndexError, match=rf"one entry per graph \({len(ds)}\), got"):
            ds[short]
    assert len(ds[1:3][[True, False]]) == 1
