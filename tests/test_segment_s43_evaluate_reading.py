"""evaluate_segmentation scored scenes read otherwise than the module's training scenes
without a word: a module fitted on RGBDSegmentation(..., depth_scale=1/1000) (recorded in
its preprocessing) scored on RGBDSegmentation(root, 'test'), read at the default 1/5000,
saw depths 5 times smaller than those it was trained on, as fit_segmentation's val
would have before it refused them. Scenes read as recorded score as before."""
import sys
from pathlib import Path

import pytest
from torch.utils.data import Subset

from pyg_fusion.datasets import RGBDSegmentation
from pyg_fusion.training.segmentation import SegmentationModule, evaluate_segmentation

sys.path.insert(0, str(Path(__file__).parent))
from test_segment_s40_predict import ARCH, _scenes  # noqa: E402


def _read(root, scale):
    return RGBDSegmentation(root, "test", num_classes=3, depth_scale=scale, augment=False,
                            crop_size=None)


def test_scenes_read_otherwise_than_recorded_are_refused(tmp_path):
    _scenes(tmp_path / "data", sizes=((16, 16), (16, 16)))
    module = SegmentationModule("asymfusion", 3, arch=ARCH,
                                preprocessing={"depth_scale": 1 / 1000, "normalize": True})
    for data in (_read(tmp_path / "data", 1 / 5000),
                 Subset(_read(tmp_path / "data", 1 / 5000), [0])):
        with pytest.raises(ValueError, match=r"^data reads its scenes with .*'depth_scale': "
                                             r"0\.0002.*the module was given \(or trained "
                                             r"with\) preprocessing=.*'depth_scale': 0\.001"):
            evaluate_segmentation(module, data, out_dir=str(tmp_path / "eval"),
                                  progress=False)
    assert not (tmp_path / "eval").exists()
    assert module.hparams.preprocessing["depth_scale"] == 1 / 1000


def test_scenes_read_as_recorded_or_unrecorded_score(tmp_path):
    _scenes(tmp_path / "data", sizes=((16, 16), (16, 16)))
    recorded = SegmentationModule("asymfusion", 3, arch=ARCH,
                                  preprocessing={"depth_scale": 1 / 1000, "normalize": True})
    scores = evaluate_segmentation(recorded.eval(), _read(tmp_path / "data", 1 / 1000),
                                   out_dir=str(tmp_path / "a"), progress=False)
    assert set(scores) == set(recorded.output_names)
    # a module that records no reading is scored on any, and records none
    plain = SegmentationModule("asymfusion", 3, arch=ARCH).eval()
    evaluate_segmentation(plain, _read(tmp_path / "data", 1 / 5000),
                          out_dir=str(tmp_path / "b"), progress=False)
    assert plain.hparams.preprocessing is None
