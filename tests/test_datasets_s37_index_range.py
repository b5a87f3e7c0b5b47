"""dataset[[0, 9]] of a dataset of 4 graphs: PyG's error named neither the
index nor the length ('range object index out of range')."""
import numpy as np
import pytest
import torch

from pyg_fusion.datasets import SyntheticVAD


def _vad(root):
    return SyntheticVAD(str(root), "train", num_videos=(4, 2), snippets=(8, 10), num_segments=4,
                        log=False)


@pytest.mark.parametrize("idx", [[0, 9], torch.tensor([1, 4]), np.array([-5]), (0, 4)])
def test_an_index_out_of_range_is_named(tmp_path, idx):
    ds = _vad(tmp_path)
    with pytest.raises(IndexError, match=r"index -?\d is out of range for a dataset of 4 graphs"):
        ds[idx]
    assert [g.video for g in ds[[-1, 0]]] == [ds[3].video, ds[0].video]
