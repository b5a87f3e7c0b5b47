"""The refusals of the training videos' split (training/vad_split.py) read
right: one video is one video."""
import pytest
import torch
from torch_geometric.data import Data

from pyg_fusion.training.vad_split import split_videos


def test_one_video_of_one_label_is_said_in_the_singular():
    with pytest.raises(ValueError, match=r"^the one training video is normal: weakly"):
        split_videos([Data(y=torch.tensor([0]), video="a")], 0.2)
    with pytest.raises(ValueError, match=r"^the 2 training videos are all abnormal: weakly"):
        split_videos([Data(y=torch.tensor([1]), video=v) for v in "ab"], 0.2)

