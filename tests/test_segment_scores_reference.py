"""evaluate_segmentation end to end against an independent reference:
torchmetrics' functional multiclass Jaccard index and confusion matrix of the
ensemble's argmax, over scenes of different sizes scored in batches, with
ignored pixels, a class absent from the ground truth but predicted and a class
absent from both."""
import numpy as np
import pytest
import torch
from PIL import Image
from torchmetrics.functional.classification import (multiclass_confusion_matrix,
                                                    multiclass_jaccard_index)

from pyg_fusion.datasets import RGBDSegmentation
from pyg_fusion.training import seed_everything
from pyg_fusion.training.segmentation import SegmentationModule, evaluate_segmentation
from test_asym_user import TINY, _write_scenes


def ensemble_pixels(module, scenes) -> tuple[torch.Tensor, torch.Tensor]:
    """The ensemble's predicted class and the mask of every pixel of
    ``scenes``, each scene run alone (the reference the scores are checked
    against)."""
    module.eval()
    preds, target = [], []
    with torch.no_grad():
        for i in range(len(scenes)):
            item = scenes[i]
            out = module({k: v[None] for k, v in item.items() if torch.is_tensor(v)})[-1]
            preds.append(out.argmax(1).flatten())
            target.append(item["mask"].flatten())
    return torch.cat(preds), torch.cat(target)


def test_scores_equal_torchmetrics_on_the_same_predictions(tmp_path):
    _write_scenes(tmp_path, "val", [(24, 32), (20, 28), (24, 32)])
    for i in range(3):   # ignored rows; classes 4 and 5 not in the ground truth
        mask = np.array(Image.open(tmp_path / f"val{i}_mask.png"))
        mask[:3] = 255
        mask[mask == 4] = 3
        Image.fromarray(mask).save(tmp_path / f"val{i}_mask.png")
    test = RGBDSegmentation(tmp_path, "val", num_classes=6)
    seed_everything(0)
    module = SegmentationModule("asymfusion", 6, TINY)
    scores = evaluate_segmentation(module, test, out_dir=str(tmp_path / "e"), batch_size=2,
                                   progress=False)["ensemble"]
    p, t = ensemble_pixels(module, test)
    cm = multiclass_confusion_matrix(p, t, 6, ignore_index=255).double()
    labelled = t != 255
    assert scores["pixel_acc"] == pytest.approx((p[labelled] == t[labelled]).double().mean())
    present = cm.sum(1) > 0
    assert not present[4] and not present[5]
    assert (p == 5).any() and not (p == 4).any()   # 5 predicted only, 4 nowhere
    assert scores["mean_acc"] == pytest.approx((cm.diag() / cm.sum(1))[present].mean())
    # torchmetrics' macro Jaccard leaves out the classes absent from both
    assert scores["miou"] == pytest.approx(
        multiclass_jaccard_index(p, t, 6, ignore_index=255, average="macro").item(), abs=1e-6)
