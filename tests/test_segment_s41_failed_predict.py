"""A failed `segment predict` / `translate predict` / `segment evaluate` (a file that
cannot be read at the second scene) left OUT/predict.partial (evaluate.partial) with
the scenes done so far: a half result beside the folder, and an OUT made for nothing.
Nothing in such a stage serves a rerun: it is removed, as atomic_write removes its
temporary file; OUT is left as it was, and a rerun writes the whole result."""
import sys
from pathlib import Path

import pytest
import torch

from pyg_fusion.cli import main

sys.path.insert(0, str(Path(__file__).parent))
from test_segment_s40_predict import _checkpoint, _scenes  # noqa: E402
from test_translation_s40_predict import _folder  # noqa: E402


def _truncate(path):
    data = path.read_bytes()
    path.write_bytes(data[:len(data) // 2])  # the header reads, the pixels do not
    return data


def test_failed_segment_predict_leaves_out_as_it_was(tmp_path, capsys):
    _scenes(tmp_path / "data")
    _checkpoint(tmp_path / "m.ckpt")
    whole = _truncate(tmp_path / "data" / "depth" / "s1.png")
    out = tmp_path / "out"
    args = ["segment", "predict", "--checkpoint", str(tmp_path / "m.ckpt"), "--images",
            str(tmp_path / "data" / "new.txt"), "--out", str(out), "--no-progress"]
    assert main(args) == 2
    assert "truncated" in capsys.readouterr().err
    assert not out.exists()  # made for the run: gone with its stage
    (out / "mine").mkdir(parents=True)
    assert main(args) == 2
    assert sorted(p.name for p in out.iterdir()) == ["mine"]
    (tmp_path / "data" / "depth" / "s1.png").write_bytes(whole)
    assert main(args) == 0
    assert sorted(p.name for p in (out / "predictions").iterdir()) == ["00001_s0.png",
                                                                      "00002_s1.png"]


def test_failed_translate_predict_leaves_out_as_it_was(tmp_path, capsys):
    from pyg_fusion.training.translation import TranslationModule
    _folder(tmp_path / "data")
    module = TranslationModule(["shade", "depth"], [1, 1], ngf=2, num_downs=3, ndf=2,
                               data_config={"image_size": 16})
    torch.save({"state_dict": module.state_dict(), "hyper_parameters": dict(module.hparams)},
               tmp_path / "m.ckpt")
    _truncate(tmp_path / "data" / "depth" / "b.png")
    out = tmp_path / "out"
    assert main(["translate", "predict", "--checkpoint", str(tmp_path / "m.ckpt"), "--data",
                 str(tmp_path / "data"), "--out", str(out), "--no-progress"]) == 2
    capsys.readouterr()
    assert not out.exists()


def test_failed_segment_evaluate_leaves_no_stage(tmp_path, capsys):
    from pyg_fusion.experiments.segment_run import evaluate_segment
    from pyg_fusion.training.segmentation import SegmentationModule
    from test_segment_s40_predict import ARCH
    _scenes(tmp_path / "data")
    module = SegmentationModule("asymfusion", 3, arch=ARCH, data_config={
        "data": "nyud", "root": str(tmp_path / "data"), "num_classes": 3})
    torch.save({"state_dict": module.state_dict(), "hyper_parameters": dict(module.hparams)},
               tmp_path / "m.ckpt")
    _truncate(tmp_path / "data" / "depth" / "s1.png")
    out = tmp_path / "out"
    out.mkdir()
    with pytest.raises(Exception, match="truncated"):
        evaluate_segment(str(tmp_path / "m.ckpt"), None, str(out), progress=False)
    assert list(out.iterdir()) == []


def test_a_rerun_into_a_used_out_says_it_replaces_the_earlier_prediction(tmp_path, capsys):
    # train and evaluate said so; predict replaced predictions/ without a word
    _scenes(tmp_path / "data")
    _checkpoint(tmp_path / "m.ckpt")
    out = tmp_path / "out"
    args = ["segment", "predict", "--checkpoint", str(tmp_path / "m.ckpt"), "--images",
            str(tmp_path / "data" / "new.txt"), "--out", str(out), "--no-progress"]
    assert main(args) == 0
    assert "notice" not in capsys.readouterr().err
    assert main(args) == 0
    assert (f"notice: {out} holds an earlier run (predictions.csv): this run's files replace "
            f"those of its own names") in capsys.readouterr().err
