"""A Subset of a user's RGBDSegmentation (torch's random_split) hid how its scenes are
read from the checks that read the data set's attributes: fit_segmentation and
evaluate_segmentation compared the scenes' ignore_index with the module's through
getattr(Subset, 'ignore_index', None), None, so scenes whose unlabelled pixels are 0
(and whose crops are padded with 0) trained and scored those pixels as class 0 under
the module's ignore_index=255, without a word (the preprocessing check already looked
through the Subset)."""
import sys
from pathlib import Path

import pytest
from torch.utils.data import Subset, random_split

from pyg_fusion.datasets import RGBDSegmentation
from pyg_fusion.training._scene_reading import read_from
from pyg_fusion.training.segmentation import (SegmentationModule, evaluate_segmentation,
                                              fit_segmentation)

sys.path.insert(0, str(Path(__file__).parent))
from test_segment_s40_predict import ARCH, _scenes  # noqa: E402


def _read(root, **kw):
    return RGBDSegmentation(root, "test", num_classes=3, augment=False, crop_size=None, **kw)


def test_read_from_looks_through_nested_subsets(tmp_path):
    _scenes(tmp_path / "data", sizes=((8, 8), (8, 8)))
    ds = _read(tmp_path / "data")
    part = random_split(Subset(ds, [0, 1]), [1, 1])[0]
    assert read_from(part) is ds and read_from(ds) is ds


@pytest.mark.parametrize("nested", [1, 2])
def test_training_on_a_subset_of_another_ignore_index_is_refused(tmp_path, nested):
    _scenes(tmp_path / "data", sizes=((16, 16), (16, 16)))
    train = _read(tmp_path / "data", ignore_index=0)
    for _ in range(nested):
        train = Subset(train, [0, 1])
    module = SegmentationModule("asymfusion", 3, arch=ARCH)  # ignore_index=255
    with pytest.raises(ValueError, match=r"^train marks unlabelled pixels with "
                                         r"ignore_index=0, the module with ignore_index=255"):
        fit_segmentation(module, train, out_dir=str(tmp_path / "run"), max_epochs=1,
                         batch_size=2, progress=False)
    assert not (tmp_path / "run").exists()


def test_scoring_a_subset_of_another_ignore_index_is_refused(tmp_path):
    _scenes(tmp_path / "data", sizes=((16, 16), (16, 16)))
    module = SegmentationModule("asymfusion", 3, arch=ARCH)
    with pytest.raises(ValueError, match=r"^data marks unlabelled pixels with "
                                         r"ignore_index=0, the module with ignore_index=255"):
        evaluate_segmentation(module, Subset(_read(tmp_path / "data", ignore_index=0), [0]),
                              out_dir=str(tmp_path / "eval"), progress=False)
