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
