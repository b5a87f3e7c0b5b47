"""A test video whose y is a class index (UCF-Crime's 14 classes, 0..13)
was refused as 'expected a video label 0 (normal) or 1 (abnormal)' without
saying why such a y cannot be recorded or how to convert it."""
import pytest
import torch

from pyg_fusion.data import MultiSourceData
from pyg_fusion.training.vad_split import check_test_videos


def _video(name, y):
    return MultiSourceData(x_a=torch.zeros(8, 3), y=y, video=name,
                           frame_gt=torch.tensor([0, 1] * 8))


@pytest.mark.parametrize("y", [torch.tensor([7]), 13, torch.tensor([2.0])])
def test_a_class_index_says_how_to_convert(y):
    with pytest.raises(ValueError, match=r"test video 'b' has the label y = .*: expected a video "
                       r"label 0 \(normal\) or 1 \(abnormal\); a class index\? .* set y = 1 for "
                       r"the abnormal classes and 0 for the normal one .* attribute of its own"):
        check_test_videos([_video("a", torch.tensor([1])), _video("b", y)])


@pytest.mark.parametrize("y", [torch.tensor([0.5]), -1, torch.tensor([0, 1])])
def test_other_labels_are_no_class_index(y):
    with pytest.raises(ValueError, match=r"\(abnormal\)$"):
        check_test_videos([_video("a", torch.tensor([1])), _video("b", y)])
