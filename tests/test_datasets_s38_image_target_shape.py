"""TaskonomyFolder's num_classes said 'the target y is an image [1, 3, H,
W]' of a depth target, whose y is [1, 1, H, W] since a one-channel target
keeps its channel."""
import pytest

from pyg_fusion.datasets import TaskonomyFolder
from test_translation_s37_valid_mask import _taskonomy


def test_num_classes_of_a_depth_target_names_no_three_channels(tmp_path):
    ds = TaskonomyFolder(str(_taskonomy(tmp_path / "data")), ["rgb"], "depth_zbuffer",
                         image_size=8)
    assert tuple(ds[0].y.shape) == (1, 1, 8, 8)
    with pytest.raises(ValueError, match=r"the target y is an image \[1, C, H, W\] to "
                                         r"translate to, it has no classes"):
        ds.num_classes
