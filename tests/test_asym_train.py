"""A tiny AsymFusion network trains on SyntheticRGBD on CPU; metrics against
scikit-learn; the ``pyg-fusion segment`` command."""
import json

import numpy as np
import pytest
import torch
from sklearn.metrics import confusion_matrix, jaccard_score

from pyg_fusion.cli import main
from pyg_fusion.datasets import SyntheticRGBD
from pyg_fusion.nn.asym import asym_segmentation_loss
from pyg_fusion.training import seed_everything
from pyg_fusion.training.segmentation import (SegmentationModule,
                                              evaluate_segmentation,
                                              fit_segmentation,
                                              segmentation_scores)

TINY = dict(depth=None, layers=(1, 1, 1, 1), width=4, decoder_features=8,
            light=True, dropout=0.0)


def test_segmentation_scores_match_sklearn():
    rng = np.random.default_rng(0)
    y = rng.integers(0, 5, 500)
    p = np.where(rng.random(500) < 0.6, y, rng.integers(0, 5, 500))
    p[p == 4] = 3                      # class 4 never predicted
    cm = torch.from_numpy(confusion_matrix(y, p, labels=range(5)))
    s = segmentation_scores(cm)
    assert s["pixel_acc"] == pytest.approx((y == p).mean())
    recall = [(p[y == k] == k).mean() for k in range(5)]
    assert s["mean_acc"] == pytest.approx(np.mean(recall))
    assert s["miou"] == pytest.approx(jaccard_score(y, p, average="macro",
                                                    labels=range(5)))


def _data(tmp_path):
    kw = dict(size=32, num_train=16, num_test=4, seed=0)
    return (SyntheticRGBD(tmp_path / "d", "train", **kw),
            SyntheticRGBD(tmp_path / "d", "test", **kw))


def test_tiny_asymfusion_trains_and_loss_falls(tmp_path):
    train, test = _data(tmp_path)
    seed_everything(0)
    module = SegmentationModule("asymfusion", 6, TINY, lr=1e-2)
    batch = {k: torch.stack([train.__class__.__getitem__(train, i)[k]
                             for i in range(8)]) for k in ("rgb", "depth", "mask")}

    def loss():
        module.eval()
        with torch.no_grad():
            return asym_segmentation_loss(module(batch), batch["mask"]).item()

    before = loss()
    module.train()
    fit_segmentation(module, train, out_dir=str(tmp_path / "run"), max_epochs=4,
                     batch_size=8, progress=False, checkpoint=False)
    after = loss()
    assert after < 0.8 * before
    scores = evaluate_segmentation(module, test, out_dir=str(tmp_path / "run"),
                                   progress=False)
    assert list(scores) == ["rgb", "depth", "ensemble"]
    assert all(0 <= v <= 1 for s in scores.values() for v in s.values())
    # the figure scores in eval mode and gives the caller's mode back
    from pyg_fusion.training.segmentation import save_prediction_figure
    for mode in (True, False):
        module.train(mode)
        save_prediction_figure(module, test, str(tmp_path / "pred.png"), num_images=1)
        assert module.training is mode and (tmp_path / "pred.png").stat().st_size > 1000


def test_fixed_seed_gives_identical_training(tmp_path):
    train, _ = _data(tmp_path)
    params = []
    for run in range(2):
        seed_everything(5)     # the initial weights are drawn here
        module = SegmentationModule("shared", 6, TINY)
        fit_segmentation(module, train, out_dir=str(tmp_path / f"r{run}"),
                         max_epochs=1, batch_size=8, seed=5, progress=False,
                         checkpoint=False)
        params.append(torch.cat([p.detach().flatten() for p in module.parameters()]))
    assert torch.equal(params[0], params[1])


def test_cli_segment_train_and_evaluate(tmp_path, capsys, run_noise):
    root, out = str(tmp_path / "data"), tmp_path / "run"
    common = ["--root", root, "--size", "32", "--num-train", "8", "--num-test",
              "2", "--no-progress", "--batch-size", "4"]
    # verb first (the one grammar); `segment evaluate` below is the alias form
    rc = main(["train", "--task", "segment", *common, "--layers", "1,1,1,1", "--width", "4",
               "--decoder-features", "8", "--light", "--epochs", "1",
               "--out", str(out)])
    assert rc == 0
    res = json.loads((out / "metrics.json").read_text())
    assert set(res["scores"]) == {"rgb", "depth", "ensemble"}
    assert res["config"]["model"]["width"] == 4 and res["config"]["model"]["light"] is True
    assert res["config"]["data"]["num_train"] == 8 and res["config"]["trainer"]["epochs"] == 1
    assert (out / "predictions.png").stat().st_size > 1000
    assert "| ensemble |" in (out / "metrics.md").read_text()
    # no data flags: the scenes of the training run (recorded in the checkpoint),
    # not the defaults (--size 64 ...)
    ckpt = str(out / "checkpoints" / "last.ckpt")
    rc = main(["segment", "evaluate", "--checkpoint", ckpt, "--no-progress",
               "--out", str(tmp_path / "eval")])
    assert rc == 0
    again = json.loads((tmp_path / "eval" / "metrics.json").read_text())
    assert again["scores"] == res["scores"]
    assert again["config"]["data"] == res["config"]["data"]
    # a flag given overrides the recorded value, the rest stay the checkpoint's
    rc = main(["evaluate", "--task", "segment", "--checkpoint", ckpt, "--no-progress",
               "--num-test", "3", "--out", str(tmp_path / "eval3")])
    assert rc == 0
    other = json.loads((tmp_path / "eval3" / "metrics.json").read_text())
    assert other["config"]["data"] == {**res["config"]["data"], "num_test": 3}
    # --no-progress runs print only their own output (no validation-loop warning),
    # and the notice that the scenes scored are not the checkpoint's test split
    assert run_noise() == [] and capsys.readouterr().err == (
        "pyg-fusion segment evaluate: notice: --num-test 3: the checkpoint was trained with "
        "--num-test 2; scoring with the settings given (left out, or None in Python, a "
        "setting is the checkpoint's)\n")
    assert main(["segment", "evaluate", "--checkpoint", str(tmp_path / "no.ckpt"),
                 "--out", str(tmp_path / "e2")]) == 2
    assert "no.ckpt" in capsys.readouterr().err
