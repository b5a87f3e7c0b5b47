"""fit_segmentation validated on scenes read otherwise than the training ones without a
word: val=RGBDSegmentation(root, 'test', depth_scale=1/5000) beside
train=RGBDSegmentation(root, 'test', depth_scale=1/1000) scored (and chose the best
checkpoint by) depths 5 times smaller than those trained on. The module records train's
reading (preprocessing); a val read otherwise is a ValueError before training."""
import sys
from pathlib import Path

import pytest

from pyg_fusion.datasets import RGBDSegmentation
from pyg_fusion.training.segmentation import SegmentationModule, fit_segmentation

sys.path.insert(0, str(Path(__file__).parent))
from test_segment_s40_predict import ARCH, _scenes  # noqa: E402


def _read(root, scale):
    return RGBDSegmentation(root, "test", num_classes=3, depth_scale=scale, augment=False,
                            crop_size=None)


def test_a_validation_read_otherwise_is_refused(tmp_path):
    _scenes(tmp_path / "data", sizes=((32, 32), (32, 32)))
    module = SegmentationModule("asymfusion", 3, arch=ARCH)
    with pytest.raises(ValueError, match=r"^val reads its scenes with .*'depth_scale': 0\.0002"
                                         r".*the module was given \(or trained with\) "
                                         r"preprocessing=.*'depth_scale': 0\.001.*: read them "
                                         r"as recorded \(as the training scenes\)$"):
        fit_segmentation(module, _read(tmp_path / "data", 1 / 1000),
                         val=_read(tmp_path / "data", 1 / 5000), out_dir=str(tmp_path / "run"),
                         max_epochs=1, batch_size=2, progress=False)
    assert not (tmp_path / "run").exists()


def test_a_validation_read_alike_trains(tmp_path):
    _scenes(tmp_path / "data", sizes=((32, 32), (32, 32)))
    module = SegmentationModule("asymfusion", 3, arch=ARCH)
    fit_segmentation(module, _read(tmp_path / "data", 1 / 1000),
                     val=_read(tmp_path / "data", 1 / 1000), out_dir=str(tmp_path / "run"),
                     max_epochs=1, batch_size=2, progress=False)
    assert module.hparams.preprocessing["depth_scale"] == 1 / 1000
