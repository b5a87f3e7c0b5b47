"""What the image evaluations count as a flag the user gave: a value away
from the one the evaluation takes without it (the checkpoint's), never the
checkpoint's own value read back from a recorded config."""
import dataclasses
import json

import torch
from translation_folders import translation_folder as _folder

from pyg_fusion.training.translation import TranslationModule


def test_an_evaluations_recorded_config_read_back_evaluates_again(tmp_path, capsys):
    """translate evaluate --data FOLDER of a generator trained on synthetic
    scenes with their own --root and --data-seed recorded those (the
    checkpoint's) in metrics.json; that config read back with --config was
    refused ('--root, --data-seed: synthetic data only'), as if the user had
    given them: they were compared with the defaults, not the checkpoint's."""
    from pyg_fusion.cli import main
    from pyg_fusion.experiments.image_config import TranslateDataConfig
    folder = _folder(tmp_path / "test", n=2)
    module = TranslationModule(["depth", "shade"], [1, 1], gan_mode="none", ngf=2, num_downs=3)
    data = dataclasses.asdict(TranslateDataConfig(modalities="depth,shade", image_size=8,
                                                  root=str(tmp_path / "scenes"), data_seed=3))
    ckpt = tmp_path / "t.ckpt"
    torch.save({"state_dict": module.state_dict(),
                "hyper_parameters": {**module.hparams, "data_config": data}}, ckpt)
    base = ["translate", "evaluate", "--checkpoint", str(ckpt), "--num-figure", "0",
            "--no-progress"]
    assert main([*base, "--data", str(folder), "--out", str(tmp_path / "a")]) == 0
    config = json.loads((tmp_path / "a" / "metrics.json").read_text())["config"]
    assert (config["data"]["root"], config["data"]["data_seed"]) == (str(tmp_path / "scenes"), 3)
    (tmp_path / "rec.json").write_text(json.dumps(config))
    capsys.readouterr()
    assert main(["translate", "evaluate", "--config", str(tmp_path / "rec.json"),
                 "--out", str(tmp_path / "b"), "--no-progress"]) == 0, capsys.readouterr().err
    again = json.loads((tmp_path / "b" / "metrics.json").read_text())
    assert again["config"]["data"] == config["data"]
    # a value of the user's away from the checkpoint's is still refused
    assert main([*base, "--data", str(folder), "--data-seed", "4",
                 "--out", str(tmp_path / "c")]) == 2
    assert capsys.readouterr().err.endswith(
        f"error: --data-seed: synthetic data only, not read with --data {folder} (every "
        f"scene of the folder is scored)\n")
