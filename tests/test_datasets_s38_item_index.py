"""dataset[True] (or a 0-dim bool tensor, as ``ds[g.y == 0]`` gives) was
read by PyG as the graph 1, without a word; dataset[len(ds)] said only
'range object index out of range'."""
import numpy as np
import pytest
import torch

from pyg_fusion.datasets import SyntheticVAD


@pytest.fixture(scope="module")
def ds(tmp_path_factory):
    return SyntheticVAD(str(tmp_path_factory.mktemp("vad")), "train", num_videos=(4, 2),
                        snippets=(8, 9), num_segments=4, log=False)


@pytest.mark.parametrize("idx", [True, False, np.bool_(True), torch.tensor(True)])
def test_a_bool_is_no_index_of_a_graph(ds, idx):
    with pytest.raises(IndexError, match=r"^dataset\[idx\]: idx is a bool .*bool mask of one "
                                         r"entry per graph \(4\)$"):
        ds[idx]


@pytest.mark.parametrize("idx", [4, -5, np.int64(9), torch.tensor(4)])
def test_an_index_out_of_range_is_named(ds, idx):
    with pytest.raises(IndexError, match=rf"^index {int(idx)} is out of range for a dataset "
                                         rf"of 4 graphs$"):
        ds[idx]


def test_indices_in_range_give_their_graph(ds):
    videos = ds.video
    assert [ds[i].video for i in (-4, -1, 0, 3)] == [videos[0], videos[3], videos[0], videos[3]]
    assert ds[torch.tensor(2)].video == ds[np.int32(2)].video == videos[2]
    assert ds[1:3][-1].video == videos[2]
    with pytest.raises(IndexError, match=r"^index 2 is out of range for a dataset of 2 graphs"):
        ds[1:3][2]
