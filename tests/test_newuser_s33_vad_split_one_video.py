"""A VAD training split with a single abnormal video (one real anomaly, as in
a recorded stream) cannot hold one out: the error said to give a larger
val_fraction, which changes nothing; it now names the label short of videos."""
import pytest
import torch
from torch_geometric.data import Data

from pyg_fusion.training.vad_split import split_videos


def _videos(labels):
    return [Data(x=torch.zeros(2, 1), y=torch.tensor([y]), video=f"v{i}")
            for i, y in enumerate(labels)]


@pytest.mark.parametrize("fraction", [0.2, 0.5, 0.9])
def test_one_abnormal_video_names_the_label_not_a_larger_fraction(fraction):
    with pytest.raises(ValueError, match=r"holds only 1 abnormal video") as err:
        split_videos(_videos([1] + [0] * 17), fraction)
    assert "larger val_fraction" not in str(err.value)
    assert "--val-fraction 0" in str(err.value)


def test_one_video_of_each_label_names_both():
    with pytest.raises(ValueError, match=r"1 normal video and 1 abnormal video"):
        split_videos(_videos([1, 0]), 0.5)


def test_two_of_each_label_still_split():
    train, val = split_videos(_videos([1, 1, 0, 0, 0]), 0.2)
    assert sorted(train + val) == list(range(5)) and len(val) == 2
