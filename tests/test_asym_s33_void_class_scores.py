"""Scenes whose unlabelled pixels carry one of the classes' ids (ignore_index=0,
a void class 0, which SegmentationModule takes as the caller's choice): the
network still has an output for that class, and every pixel it predicted as
void made the void class count in the mIoU, at IoU 0 (0.0995 against 0.1244 on
random maps). The void class is no class to score: left out of both means, as
torchmetrics' Jaccard index with the same ignore_index leaves it out."""
import pytest
import torch
from torchmetrics.functional.classification import (multiclass_confusion_matrix,
                                                    multiclass_jaccard_index)

from pyg_fusion.datasets import RGBDSegmentation
from pyg_fusion.training import seed_everything
from pyg_fusion.training.segmentation import (SegmentationModule, evaluate_segmentation,
                                              segmentation_scores)
from test_asym_user import TINY, _write_scenes
from test_segment_scores_reference import ensemble_pixels


def test_a_void_class_among_the_classes_is_left_out_of_the_means():
    cm = torch.tensor([[0, 0, 0], [5, 3, 1], [2, 1, 4]])  # row 0: void pixels, out
    scores = segmentation_scores(cm, ignore_index=0)
    assert scores["miou"] == pytest.approx((3 / 10 + 4 / 8) / 2)
    assert scores["mean_acc"] == pytest.approx((3 / 9 + 4 / 7) / 2)
    assert scores["pixel_acc"] == pytest.approx(7 / 16)  # void predictions are errors
    # an ignore id outside the classes (255) changes nothing
    assert segmentation_scores(cm, ignore_index=255) == segmentation_scores(cm)
    with pytest.raises(TypeError, match="ignore_index must be an integer label id or None"):
        segmentation_scores(cm, ignore_index="0")


def test_evaluate_segmentation_scores_a_void_class_as_torchmetrics_does(tmp_path):
    _write_scenes(tmp_path, "val", [(24, 32), (20, 28)])
    test = RGBDSegmentation(tmp_path, "val", num_classes=5, ignore_index=0)
    seed_everything(1)  # weights that predict the void class on some labelled pixels
    module = SegmentationModule("asymfusion", 5, TINY, ignore_index=0)
    scores = evaluate_segmentation(module, test, out_dir=str(tmp_path / "e"), batch_size=2,
                                   progress=False)["ensemble"]
    p, t = ensemble_pixels(module, test)
    assert ((p == 0) & (t != 0)).any()  # the void class is predicted on labelled pixels
    assert scores["miou"] == pytest.approx(
        multiclass_jaccard_index(p, t, 5, ignore_index=0, average="macro").item(), abs=1e-6)
    cm = multiclass_confusion_matrix(p, t, 5, ignore_index=0).double()
    present = cm.sum(1) > 0
    assert scores["mean_acc"] == pytest.approx((cm.diag() / cm.sum(1))[present].mean())
    labelled = t != 0
    assert scores["pixel_acc"] == pytest.approx((p[labelled] == t[labelled]).double().mean())
