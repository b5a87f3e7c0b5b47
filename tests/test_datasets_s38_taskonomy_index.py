"""TaskonomyFolder (a PyG Dataset, not an InMemoryDataset) was indexed by
PyG alone: ds[[True, False, True, False]] gave the scenes 1, 0, 1, 0 and
ds[True] the scene 1, without a word, and ds[4] of 4 scenes said only
'range object index out of range'; the other datasets refuse or name them."""
import pytest
import torch

from pyg_fusion.datasets import TaskonomyFolder
from test_translation_s37_valid_mask import _taskonomy


@pytest.fixture(scope="module")
def ds(tmp_path_factory):
    return TaskonomyFolder(str(_taskonomy(tmp_path_factory.mktemp("tk") / "data")), ["rgb"],
                           "depth_zbuffer", image_size=8)


def test_a_list_of_bools_selects_the_scenes_it_marks(ds):
    assert ds[[True, False, True, False]].names == [ds.names[0], ds.names[2]]
    assert ds[torch.tensor([False, True, False, True])].names == ds.names[1::2]
    with pytest.raises(IndexError, match=r"one entry per graph \(4\), got 2"):
        ds[[True, False]]


@pytest.mark.parametrize("idx, match", [(True, r"idx is a bool"), (4, r"index 4 is out of "
                                        r"range for a dataset of 4 graphs"),
                                        ([0, 9], r"index 9 is out of range")])
def test_a_bool_or_an_index_out_of_range_is_refused_by_name(ds, idx, match):
    with pytest.raises(IndexError, match=match):
        ds[idx]
    assert torch.equal(ds[-1].x_rgb, ds[3].x_rgb)
