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
