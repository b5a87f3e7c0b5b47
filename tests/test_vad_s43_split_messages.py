"""The refusals of the training videos' split (training/vad_split.py) read
right: one video is one video, and a video given twice in ``split``."""
import pytest
import torch
from torch_geometric.data import Data

from pyg_fusion.training.vad_split import check_split, split_videos


def test_one_video_of_one_label_is_said_in_the_singular():
    with pytest.raises(ValueError, match=r"^the one training video is normal: weakly"):
        split_videos([Data(y=torch.tensor([0]), video="a")], 0.2)
    with pytest.raises(ValueError, match=r"^the 2 training videos are all abnormal: weakly"):
        split_videos([Data(y=torch.tensor([1]), video=v) for v in "ab"], 0.2)


@pytest.mark.parametrize("split, name, index", [(([0, 0, 1], [2]), "training", 0),
                                                (([0, 1], [2, 3, 2]), "held-out", 2)])
def test_an_index_given_twice_on_one_side_is_refused(split, name, index):
    # it was returned as given: the video trained on, or held out, twice
    videos = [Data(y=torch.tensor([i % 2]), video=str(i)) for i in range(4)]
    with pytest.raises(ValueError, match=rf"^split's {name} videos name 1 index\(es\) more "
                                         rf"than once, e.g. {index}: expected each video once"):
        check_split(videos, split)
    assert check_split(videos, ([0, 1], [2, 3])) == ([0, 1], [2, 3])
