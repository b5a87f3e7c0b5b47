"""`segment predict` read new scenes as `segment train` reads (depth / 5000, normalised
RGB) whatever the checkpoint was trained on: a module trained in Python on
RGBDSegmentation(depth_scale=1/1000) was predicted on depths 5 times too small, without
a word. fit_segmentation now records its training scenes' depth_scale and normalize in
the hyper-parameters (preprocessing), and predict reads with them; a checkpoint that
records none is read as before."""
import csv
import sys
from pathlib import Path

import numpy as np
import pytest
import torch
from PIL import Image

from pyg_fusion.cli import main
from pyg_fusion.datasets import RGBDSegmentation
from pyg_fusion.training.segmentation import SegmentationModule, fit_segmentation

sys.path.insert(0, str(Path(__file__).parent))
from test_segment_s40_predict import ARCH, _scenes  # noqa: E402

SCALE = 1 / 1000


def _predicted(out):
    rows = list(csv.DictReader((out / "predictions.csv").open()))
    return [np.array(Image.open(out / r["prediction"])) for r in rows]


def _ensemble(module, scenes):
    with torch.no_grad():
        return [module({k: it[k][None] for k in ("rgb", "depth")})[-1][0].argmax(0).numpy()
                for it in scenes]


def test_predict_reads_as_the_module_was_trained(tmp_path):
    _scenes(tmp_path / "data", sizes=((32, 32), (32, 32)))
    train = RGBDSegmentation(tmp_path / "data", "test", num_classes=3, depth_scale=SCALE,
                             normalize=False, augment=False, crop_size=None)
    module = SegmentationModule("asymfusion", 3, arch=ARCH)
    fit_segmentation(module, train, out_dir=str(tmp_path / "run"), max_epochs=1,
                     batch_size=2, progress=False)
    assert module.hparams.preprocessing == {"depth_scale": SCALE, "normalize": False}
    ckpt = str(tmp_path / "run" / "checkpoints" / "last.ckpt")
    assert torch.load(ckpt, weights_only=False)["hyper_parameters"]["preprocessing"] == \
        module.hparams.preprocessing
    out = tmp_path / "out"
    assert main(["segment", "predict", "--checkpoint", ckpt, "--images",
                 str(tmp_path / "data" / "new.txt"), "--out", str(out), "--no-progress"]) == 0
    module.eval()
    want = _ensemble(module, RGBDSegmentation(tmp_path / "data", list_file="new.txt",
                                              masks=False, depth_scale=SCALE, normalize=False))
    assert all(np.array_equal(g, w) for g, w in zip(_predicted(out), want))
    # what predict wrote before: the scenes read as segment train reads
    before = _ensemble(module, RGBDSegmentation(tmp_path / "data", list_file="new.txt",
                                                masks=False))
    assert not all(np.array_equal(g, w) for g, w in zip(_predicted(out), before))


def test_a_checkpoint_without_preprocessing_is_read_as_segment_train_reads(tmp_path):
    _scenes(tmp_path / "data")
    module = SegmentationModule("asymfusion", 3, arch=ARCH).eval()
    hp = dict(module.hparams)
    del hp["preprocessing"]  # as saved before it was recorded
    torch.save({"state_dict": module.state_dict(), "hyper_parameters": hp},
               tmp_path / "m.ckpt")
    out = tmp_path / "out"
    assert main(["segment", "predict", "--checkpoint", str(tmp_path / "m.ckpt"), "--images",
                 str(tmp_path / "data" / "new.txt"), "--out", str(out), "--no-progress"]) == 0
    want = _ensemble(module, RGBDSegmentation(tmp_path / "data", list_file="new.txt",
                                              masks=False))
    assert all(np.array_equal(g, w) for g, w in zip(_predicted(out), want))


def test_preprocessing_is_checked(tmp_path):
    _scenes(tmp_path / "data", sizes=((32, 32), (32, 32)))
    with pytest.raises(ValueError, match="preprocessing must be None or a dict"):
        SegmentationModule("asymfusion", 3, arch=ARCH, preprocessing={"depth_scale": 0.1})
    with pytest.raises(ValueError, match=r"preprocessing\['depth_scale'\] must be a finite"):
        SegmentationModule("asymfusion", 3, arch=ARCH,
                           preprocessing={"depth_scale": -1, "normalize": True})
    module = SegmentationModule("asymfusion", 3, arch=ARCH,
                                preprocessing={"depth_scale": 1 / 5000, "normalize": True})
    train = RGBDSegmentation(tmp_path / "data", "test", num_classes=3, depth_scale=SCALE,
                             augment=False, crop_size=None)
    with pytest.raises(ValueError, match="train reads its scenes with .*'depth_scale': 0.001"):
        fit_segmentation(module, train, out_dir=str(tmp_path / "run"), max_epochs=1,
                         batch_size=2, progress=False)


def test_evaluate_reads_the_test_scenes_as_the_module_was_trained(tmp_path):
    # segment evaluate of such a checkpoint read its test scenes with depth / 5000 too
    from pyg_fusion.experiments.segment_run import evaluate_segment
    _scenes(tmp_path / "data", sizes=((32, 32), (32, 32)))
    module = SegmentationModule("asymfusion", 6, arch=ARCH,
                                preprocessing={"depth_scale": SCALE, "normalize": False})
    torch.save({"state_dict": module.state_dict(), "hyper_parameters": dict(module.hparams)},
               tmp_path / "m.ckpt")
    run = evaluate_segment(str(tmp_path / "m.ckpt"), {"data": "nyud", "root": str(
        tmp_path / "data"), "num_classes": 6}, str(tmp_path / "out"), progress=False)
    assert run.data.depth_scale == SCALE and run.data.normalize is False
    module.eval()
    want = _ensemble(module, RGBDSegmentation(tmp_path / "data", "test", depth_scale=SCALE,
                                              normalize=False))
    before = _ensemble(module, RGBDSegmentation(tmp_path / "data", "test"))
    assert not all(np.array_equal(w, b) for w, b in zip(want, before))
    with pytest.raises(ValueError, match="--data synthetic scenes are read with depth / 5000"):
        evaluate_segment(str(tmp_path / "m.ckpt"), {"data": "synthetic", "root": str(
            tmp_path / "syn")}, str(tmp_path / "out2"), progress=False)
