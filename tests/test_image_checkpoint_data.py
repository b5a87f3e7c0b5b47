"""The image evaluate commands take their data settings from the checkpoint
(the module's ``data_config`` hyper-parameter); flags given override them;
checkpoints written before the settings were recorded use the defaults and
say so. The train -> evaluate round trips are in test_asym_train.py and
test_translation_eval.py, the refused overrides in test_errors_cli_image.py."""
import dataclasses
import json

import torch

from pyg_fusion.cli import main
from pyg_fusion.experiments.image_config import (SegmentDataConfig, TranslateDataConfig,
                                                 data_from_checkpoint)

NOT_GIVEN = {f.name: None for f in dataclasses.fields(SegmentDataConfig)}


def test_recorded_settings_fill_what_is_not_given():
    recorded = dataclasses.asdict(SegmentDataConfig(root="/r", size=16, num_test=3))
    data, defaulted = data_from_checkpoint(SegmentDataConfig(**NOT_GIVEN), recorded)
    assert dataclasses.asdict(data) == recorded and defaulted == {}
    given = SegmentDataConfig(**{**NOT_GIVEN, "root": "/elsewhere", "num_test": 5})
    data, _ = data_from_checkpoint(given, recorded)
    assert dataclasses.asdict(data) == {**recorded, "root": "/elsewhere", "num_test": 5}


def test_a_checkpoint_without_recorded_settings_takes_the_defaults_and_says_so():
    given = TranslateDataConfig(**{**{f.name: None for f in
                                      dataclasses.fields(TranslateDataConfig)},
                                   "image_size": 16})
    data, defaulted = data_from_checkpoint(given, None)
    assert data == TranslateDataConfig(image_size=16)
    assert "image_size" not in defaulted and defaulted["root"] == TranslateDataConfig.root


def test_old_translation_checkpoint_evaluates_with_a_notice(tmp_path, capsys):
    from pyg_fusion.training.translation import TranslationModule
    module = TranslationModule(["shade", "depth"], [1, 1], ngf=2, num_downs=3, ndf=2)
    hp = dict(module.hparams)
    del hp["data_config"]  # as written before the data settings were recorded
    ckpt = tmp_path / "old.ckpt"
    torch.save({"state_dict": module.state_dict(), "hyper_parameters": hp}, ckpt)
    rc = main(["translate", "evaluate", "--checkpoint", str(ckpt), "--image-size", "16",
               "--root", str(tmp_path / "data"), "--num-test", "2", "--num-figure", "0",
               "--out", str(tmp_path / "ev"), "--no-progress"])
    err = capsys.readouterr().err
    assert rc == 0, err
    assert err.startswith(f"pyg-fusion translate evaluate: notice: --checkpoint {ckpt} "
                          "records no data settings")
    assert "--batch-size 16" in err and "--image-size" not in err and "--root" not in err
    data = json.loads((tmp_path / "ev" / "metrics.json").read_text())["config"]["data"]
    assert data == dataclasses.asdict(TranslateDataConfig(
        image_size=16, root=str(tmp_path / "data")))
