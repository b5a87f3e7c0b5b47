"""The segmentation API (SegmentationModule, fit_segmentation,
evaluate_segmentation) as a user's own Python code calls it: class counts the
loss or the metrics cannot take, labels beyond the model's classes, and
datasets without scenes."""
import re

import numpy as np
import pytest
import torch
from PIL import Image

from pyg_fusion.datasets import RGBDSegmentation
from test_asym_user import _write_scenes


def test_scoring_names_labels_beyond_the_models_classes(tmp_path):
    # scenes read with RGBDSegmentation's default 40 classes and a 5-class model:
    # a label 7 was dropped from the confusion matrix and the scores returned
    from pyg_fusion.training.segmentation import SegmentationModule, evaluate_segmentation
    from test_asym_user import TINY
    _write_scenes(tmp_path, "val", [(24, 32), (20, 28), (24, 32)])
    mask = np.array(Image.open(tmp_path / "val1_mask.png"))
    mask[5, 6] = 7
    Image.fromarray(mask).save(tmp_path / "val1_mask.png")
    module = SegmentationModule("asymfusion", 5, TINY)
    with pytest.raises(ValueError, match=re.escape(
            "scene(s) [1] hold labels [7], outside the model's 5 classes (0..4, 255 = "
            "ignore_index): give the scenes num_classes=5, or a model of their classes")):
        evaluate_segmentation(module, RGBDSegmentation(tmp_path, "val"), batch_size=2,
                              out_dir=str(tmp_path / "run"), progress=False)


@pytest.mark.parametrize("k", [1, 0])
def test_a_segmenter_of_fewer_than_two_classes_is_named(k):
    # --num-classes 1 (one foreground class, as a user of binary masks may think)
    # stopped with torchmetrics' 'Expected argument `num_classes` to be an integer
    # larger than 1', naming neither the flag nor why
    from pyg_fusion.training.segmentation import SegmentationModule
    from test_asym_user import TINY
    with pytest.raises(ValueError, match=re.escape(
            f"num_classes must be >= 2, got {k}: the cross-entropy of one class is 0 "
            f"whatever the network predicts; a binary mask is 2 classes, background 0 and "
            f"foreground 1 (pyg-fusion: --num-classes 2)")):
        SegmentationModule("asymfusion", k, TINY)


def test_the_default_ignore_index_among_the_classes_is_refused(tmp_path):
    # 300 classes with the default ignore_index 255: class 255 was neither trained
    # nor scored (896 of 1024 pixels of class 255 left the confusion matrix)
    from pyg_fusion.training.segmentation import SegmentationModule
    from test_asym_user import TINY
    with pytest.raises(ValueError, match=re.escape(
            "num_classes=300 holds class 255, the default ignore_index, whose pixels would "
            "be neither trained nor scored: give an ignore_index outside [0, 300), e.g. 65535 "
            "with 16-bit masks (pyg-fusion marks unlabelled pixels 255: --num-classes at "
            "most 255)")):
        SegmentationModule("asymfusion", 300, TINY)
    module = SegmentationModule("asymfusion", 300, TINY, ignore_index=65535)
    mask = torch.full((1, 32, 32), 255)
    mask[:, :4] = 65535
    module.eval()
    module._eval_step({"rgb": torch.randn(1, 3, 32, 32), "depth": torch.randn(1, 3, 32, 32),
                       "mask": mask, "index": torch.tensor([0])})
    assert int(module.confmats[0].compute()[255].sum()) == 32 * 28   # class 255 scored


def test_scoring_no_scenes_is_an_error_not_the_last_scores(tmp_path):
    # evaluate_segmentation of an empty dataset (a filtered Subset) returned the
    # scores of the module's previous evaluation: Lightning skips an empty loop
    from torch.utils.data import Subset

    from pyg_fusion.training.segmentation import SegmentationModule, evaluate_segmentation
    from test_asym_user import TINY
    _write_scenes(tmp_path, "val", [(24, 32)] * 2)
    test = RGBDSegmentation(tmp_path, "val", num_classes=5)
    module = SegmentationModule("asymfusion", 5, TINY)
    kw = dict(out_dir=str(tmp_path / "e"), progress=False)
    assert evaluate_segmentation(module, test, **kw)["ensemble"]["miou"] > 0
    with pytest.raises(ValueError, match="^data holds no scenes to score$"):
        evaluate_segmentation(module, Subset(test, []), **kw)


@pytest.mark.parametrize("empty", ["train", "val"])
def test_training_on_no_scenes_names_the_split(tmp_path, empty):
    # an empty train (a filtered Subset) stopped in torch's RandomSampler with
    # 'num_samples should be a positive integer value, but got num_samples=0'
    from torch.utils.data import Subset

    from pyg_fusion.training.segmentation import SegmentationModule, fit_segmentation
    from test_asym_user import TINY
    _write_scenes(tmp_path, "train", [(24, 32)] * 2)
    train = RGBDSegmentation(tmp_path, "train", num_classes=5, crop_size=24)
    splits = {"train": train, "val": train, empty: Subset(train, [])}
    with pytest.raises(ValueError, match=f"^{empty} holds no scenes$"):
        fit_segmentation(SegmentationModule("asymfusion", 5, TINY), splits["train"],
                         val=splits["val"], out_dir=str(tmp_path / "run"), max_epochs=1,
                         batch_size=2, progress=False, checkpoint=False)
