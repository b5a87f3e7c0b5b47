"""A test video whose label y is no 0 / 1 (0.5, a soft label) was tested
and recorded in scores.json as int(0.5) = 0, without a word; it is refused
before any training, as frame ground truth of other values is."""
import pytest
import torch

from pyg_fusion.data import MultiSourceData
from pyg_fusion.training.vad_split import check_test_videos


def _video(name, y):
    return MultiSourceData(x_a=torch.zeros(8, 3), y=y, video=name,
                           frame_gt=torch.tensor([0, 1] * 8))


@pytest.mark.parametrize("y", [torch.tensor([0.5]), 0.5, torch.tensor([2]), -1,
                               torch.tensor([0, 1]), "abnormal"])
def test_a_test_video_label_other_than_0_or_1_is_refused(y):
    with pytest.raises(ValueError, match=r"test video 'b' has the label y = .*: expected a "
                       r"video label 0 \(normal\) or 1 \(abnormal\)"):
        check_test_videos([_video("a", torch.tensor([1])), _video("b", y)])


@pytest.mark.parametrize("y", [torch.tensor([0]), torch.tensor([1.0]), 1, True])
def test_0_1_labels_pass_as_before(y):
    check_test_videos([_video("a", torch.tensor([0])), _video("b", y)])
