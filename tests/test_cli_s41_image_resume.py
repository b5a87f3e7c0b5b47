"""segment train and translate train --resume: a run interrupted after an
epoch continues from its stage's last.ckpt and ends as the uninterrupted run
(the same weights and scores); other settings are refused. Before, neither
command had --resume: the next run removed the interrupted run's stage and
trained from the start."""
import json

import pytest
import torch

from pyg_fusion.cli import main

SEGMENT = ["segment", "train", "--size", "32", "--num-train", "4", "--num-test", "2",
           "--layers", "1,1,1,1", "--width", "4", "--decoder-features", "8", "--light",
           "--epochs", "2", "--batch-size", "2", "--no-progress"]
TRANSLATE = ["translate", "train", "--num-train", "4", "--num-val", "2", "--image-size", "16",
             "--num-downs", "3", "--ngf", "4", "--ndf", "4", "--d-layers", "1", "--epochs", "2",
             "--batch-size", "2", "--no-progress"]


def _stop_in_second_epoch(monkeypatch, cls):
    def stop(self):
        if self.current_epoch == 1:
            raise KeyboardInterrupt
    monkeypatch.setattr(cls, "on_train_epoch_start", stop, raising=False)


def _weights(folder):
    ckpt = torch.load(folder / "checkpoints" / "last.ckpt", weights_only=False)
    return ckpt["state_dict"]


@pytest.mark.parametrize("task", ["segment", "translate"])
def test_an_interrupted_run_resumed_ends_as_the_uninterrupted_one(task, tmp_path, monkeypatch,
                                                                  capsys):
    from pyg_fusion.training.segmentation import SegmentationModule
    from pyg_fusion.training.translation import TranslationModule
    argv = [*(SEGMENT if task == "segment" else TRANSLATE), "--root", str(tmp_path / "data")]
    whole, cut = tmp_path / "whole", tmp_path / "cut"
    assert main([*argv, "--out", str(whole)]) == 0
    with monkeypatch.context() as m:
        _stop_in_second_epoch(m, SegmentationModule if task == "segment" else TranslationModule)
        assert main([*argv, "--out", str(cut)]) == 130
    assert (cut / "train.partial" / "checkpoints" / "last.ckpt").is_file()
    assert "rerun with --resume to continue it" in capsys.readouterr().err
    # other settings: refused, the interrupted run kept
    assert main([*argv, "--out", str(cut), "--resume", "--seed" if task == "segment"
                 else "--lr", "1" if task == "segment" else "0.001"]) == 2
    err = capsys.readouterr().err
    assert "--resume: the interrupted run in" in err and "leave out --resume" in err, err
    assert (cut / "train.partial" / "checkpoints" / "last.ckpt").is_file()
    assert main([*argv, "--out", str(cut), "--resume"]) == 0
    a, b = _weights(whole), _weights(cut)
    assert a.keys() == b.keys() and all(torch.equal(a[k], b[k]) for k in a)
    reports = [json.loads((f / "metrics.json").read_text()) for f in (whole, cut)]
    key = "scores" if task == "segment" else "metrics"  # translate: best.ckpt's, as chosen
    assert reports[0][key] == reports[1][key] and reports[0]["config"] == reports[1]["config"]


def test_resume_without_an_interrupted_run_trains_from_the_start(tmp_path, capsys):
    out = tmp_path / "out"
    assert main([*SEGMENT, "--root", str(tmp_path / "data"), "--epochs", "1", "--out", str(out),
                 "--resume"]) == 0
    assert "does not exist (no interrupted run there): the run trains from the start" in \
        capsys.readouterr().err
    assert (out / "metrics.json").is_file()
    recorded = json.loads((out / "metrics.json").read_text())["config"]
    assert "resume" not in recorded
