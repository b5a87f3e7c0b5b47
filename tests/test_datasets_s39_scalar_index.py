"""ds[np.array(2)], a 0-dim numpy integer array (what np.argmax or an
array's item selection gives), was a dataset of one graph: PyG's
np.isscalar test is False for it. Every dataset gives the graph, as for
ds[np.int64(2)] and ds[torch.tensor(2)]; a 0-dim bool array is refused as a
bool."""
import numpy as np
import pytest
import torch

from pyg_fusion.datasets import SyntheticRGBD, SyntheticVAD, TaskonomyFolder
from test_translation_s37_valid_mask import _taskonomy


@pytest.fixture(scope="module")
def vad(tmp_path_factory):
    return SyntheticVAD(str(tmp_path_factory.mktemp("vad")), "train", num_videos=(4, 2),
                        snippets=(8, 9), num_segments=4, log=False)


@pytest.fixture(scope="module")
def taskonomy(tmp_path_factory):
    return TaskonomyFolder(str(_taskonomy(tmp_path_factory.mktemp("tk") / "data")), ["rgb"],
                           "depth_zbuffer", image_size=8)


@pytest.mark.parametrize("idx", [np.array(2), np.array(-2, dtype=np.int32), torch.tensor(2),
                                 np.int64(2)])
def test_a_scalar_index_gives_the_graph(vad, taskonomy, idx):
    assert vad[idx].video == vad.video[int(idx)]
    assert torch.equal(taskonomy[idx].x_rgb, taskonomy[int(idx)].x_rgb)


def test_a_0dim_array_out_of_range_or_bool_is_refused_as_a_scalar(vad):
    with pytest.raises(IndexError, match=r"^index 9 is out of range for a dataset of 4 graphs$"):
        vad[np.array(9)]
    with pytest.raises(IndexError, match=r"^dataset\[idx\]: idx is a bool \(True\)"):
        vad[np.array(True)]


def test_a_scene_dataset_takes_a_0dim_array_as_its_int(tmp_path):
    scenes = SyntheticRGBD(str(tmp_path), size=16, num_train=3, num_test=3, split="test",
                           progress=False)
    assert torch.equal(scenes[np.array(1)]["rgb"], scenes[1]["rgb"])
