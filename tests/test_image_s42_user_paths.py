"""The AsymFusion image commands' user paths: the command named for a
checkpoint of the other image task, the resumption of a run recorded before
a setting existed, and the depth scale of the user's scenes."""
import re

import pytest


@pytest.mark.parametrize("command, hp, message", [
    (["segment", "predict", "--images", "{list}"],
     {"modalities": ["shade"], "ngf": 8, "num_downs": 3},
     r"is a checkpoint of the translate task, not of the segment task; predict with "
     r"`pyg-fusion translate predict`$"),
    (["translate", "predict", "--data", "{folder}"],
     {"variant": "asymfusion", "arch": {}, "num_classes": 5},
     r"is a checkpoint of the segment task, not of the translate task; predict with "
     r"`pyg-fusion segment predict`$"),
    (["segment", "predict", "--images", "{list}"],
     {"config": {"method": "lego", "dataset": "digits"}},
     r"is a checkpoint of `pyg-fusion train`, not of the segment task; evaluate it with "
     r"`pyg-fusion evaluate`$"),
])
def test_predict_names_the_predict_command_of_another_checkpoint(tmp_path, capsys, command,
                                                                 hp, message):
    """Was '...; evaluate it with `pyg-fusion translate evaluate` (or ...)'
    for a user who ran predict."""
    import torch

    from pyg_fusion.cli import main
    path = tmp_path / "c.ckpt"
    torch.save({"state_dict": {}, "hyper_parameters": hp}, path)
    (tmp_path / "list.txt").write_text("a.png b.png\n")
    (tmp_path / "scenes" / "shade").mkdir(parents=True)
    command = [c.format(list=tmp_path / "list.txt", folder=tmp_path / "scenes")
               for c in command]
    assert main([*command, "--checkpoint", str(path), "--out", str(tmp_path / "p"),
                 "--no-progress"]) == 2
    err = capsys.readouterr().err.strip()
    assert "\n" not in err and re.search(message, err), err


def _interrupted(stage, record):
    import torch
    (stage / "checkpoints").mkdir(parents=True)
    torch.save({"run_config": record}, stage / "checkpoints" / "last.ckpt")


@pytest.mark.parametrize("depth_folders, resumes", [(None, True), ("depth", False)])
def test_resume_of_a_run_recorded_before_a_setting_existed(tmp_path, depth_folders, resumes):
    """A run recorded without splits.depth_folders (written before it existed)
    was refused: 'ran with splits.depth_folders=(not set), this run with None'.
    At its default it is no difference; away from it, still one."""
    import dataclasses

    from pyg_fusion.experiments._image_resume import resume_point
    from pyg_fusion.experiments.image_config import (TranslateDataConfig,
                                                     TranslateModelConfig,
                                                     TranslateTrainDataConfig)
    data, model = TranslateDataConfig(), TranslateModelConfig()
    splits = TranslateTrainDataConfig(depth_folders=depth_folders)
    sections = dict(data=data, splits=splits, model=model)
    now = {"accelerator": "cpu", **{k: dataclasses.asdict(v) for k, v in sections.items()}}
    earlier = {**now, "splits": {k: v for k, v in now["splits"].items()
                                 if k != "depth_folders"}}
    _interrupted(tmp_path / "stage", earlier)
    if resumes:
        assert resume_point(str(tmp_path / "stage"), now, True, **sections) == str(
            tmp_path / "stage" / "checkpoints" / "last.ckpt")
    else:
        with pytest.raises(ValueError, match=r"ran with splits\.depth_folders=\(not set\), "
                                             r"this run with 'depth'"):
            resume_point(str(tmp_path / "stage"), now, True, **sections)
    # a setting the checkpoint has and this run lacks is still a difference
    with pytest.raises(ValueError, match=r"ran with accelerator='cpu', this run with "
                                         r"\(not set\)"):
        resume_point(str(tmp_path / "stage"), {k: v for k, v in now.items()
                                               if k != "accelerator"}, True, **sections)


def _eight_bit_depth(root):
    """The scenes' depth PNGs as 8-bit images (values 10..250), as many tools write."""
    import numpy as np
    from PIL import Image
    for f in root.glob("*_depth.png"):
        d = np.asarray(Image.open(f)).astype(np.int64)
        Image.fromarray((10 + (d - 1000) // 20).astype(np.uint8)).save(f)


def test_segment_train_reads_depth_at_depth_scale(tmp_path, capsys):
    """segment train had no --depth-scale: an 8-bit depth PNG was read at
    NYUDv2's 1/5000 (at most 0.05 m), without a word."""
    import json

    import torch
    from test_asym_user import SEG, _write_scenes

    from pyg_fusion.cli import main
    root = tmp_path / "nyud"
    _write_scenes(root, "train", [(24, 32)] * 2)
    _write_scenes(root, "val", [(24, 32)], seed=1)
    _eight_bit_depth(root)
    train = ["segment", "train", "--data", "nyud", "--root", str(root), *SEG]
    assert main([*train, "--out", str(tmp_path / "a")]) == 0
    err = capsys.readouterr().err
    assert re.search(r"--depth-scale 0\.0002: the depth of \S+val0_depth\.png reads at most "
                     r"0\.0[0-9]+ m; .*give --depth-scale", err), err
    assert main([*train, "--depth-scale", "0.02", "--out", str(tmp_path / "b")]) == 0
    assert "--depth-scale" not in capsys.readouterr().err
    ckpt = tmp_path / "b" / "checkpoints" / "last.ckpt"
    hp = torch.load(ckpt, weights_only=False)["hyper_parameters"]
    assert hp["preprocessing"]["depth_scale"] == 0.02 and hp["data_config"]["depth_scale"] == 0.02
    # evaluate reads as the run did, and records it; another scale is refused
    args = ["segment", "evaluate", "--checkpoint", str(ckpt), "--no-progress"]
    assert main([*args, "--out", str(tmp_path / "e")]) == 0
    record = json.loads((tmp_path / "e" / "metrics.json").read_text())
    assert record["config"]["data"]["depth_scale"] == 0.02
    capsys.readouterr()
    assert main([*args, "--depth-scale", "0.001", "--out", str(tmp_path / "f")]) == 2
    err = capsys.readouterr().err.strip()
    assert "\n" not in err and "--depth-scale: evaluate reads the test scenes as" in err, err


@pytest.mark.parametrize("flags, message", [
    (["--data", "nyud", "--root", "{root}", "--depth-scale", "0"],
     r"argument --depth-scale: .*0"),
    (["--data", "nyud", "--root", "{root}", "--depth-scale", "x"],
     r"argument --depth-scale: .*'x'"),
    (["--depth-scale", "0.001"],
     r"--depth-scale: nyud data only, not read with --data synthetic"),
])
def test_a_bad_depth_scale_is_one_line(tmp_path, capsys, flags, message):
    from pyg_fusion.cli import main
    (tmp_path / "nyud").mkdir()
    flags = [f.format(root=tmp_path / "nyud") for f in flags]
    try:  # a flag's own check ends in argparse's exit
        rc = main(["segment", "train", *flags, "--out", str(tmp_path / "o"), "--no-progress"])
    except SystemExit as exc:
        rc = exc.code
    assert rc == 2
    err = capsys.readouterr().err.strip()
    assert "\n" not in err and re.search(message, err), err
