"""translate evaluate --data '' --print-config printed a config (evaluate's
--print-config checked nothing), whose run refused it once it started
("--data folder '' does not exist"). Both make train's check of an empty
--data (check_translate_data), one line and exit 2, before any work (the run:
before the checkpoint loads); a folder that does not exist is refused alike
(tests/test_cli_s31_translate_missing_data.py)."""
import pytest
import torch

from pyg_fusion.cli import main

MESSAGE = "--data must be 'synthetic' or a folder, got an empty path"


@pytest.mark.parametrize("data", ["", " "])
@pytest.mark.parametrize("print_config", [True, False])
def test_translate_evaluate_refuses_an_empty_data(tmp_path, capsys, data, print_config):
    torch.save({}, tmp_path / "m.ckpt")  # (exists: a missing one is said first)
    argv = ["translate", "evaluate", "--data", data, "--checkpoint", str(tmp_path / "m.ckpt")]
    argv += ["--print-config"] if print_config else ["--out", str(tmp_path / "out")]
    assert main(argv) == 2
    printed = capsys.readouterr()
    assert printed.out == ""
    assert printed.err == f"pyg-fusion translate evaluate: error: {MESSAGE}\n"
    assert [p.name for p in tmp_path.iterdir()] == ["m.ckpt"]


def test_the_python_api_refuses_it_before_the_checkpoint_loads(tmp_path):
    from pyg_fusion.experiments.image_config import TranslateEvalConfig
    from pyg_fusion.experiments.translate_run import evaluate_translate
    with pytest.raises(ValueError, match=MESSAGE):
        evaluate_translate(str(tmp_path / "m.ckpt"), {"data": ""}, TranslateEvalConfig(),
                           str(tmp_path / "out"), progress=False)


def test_translate_evaluate_print_config_takes_synthetic_and_a_folder(tmp_path, capsys):
    torch.save({}, tmp_path / "m.ckpt")  # a checkpoint that exists: the run refuses another
    for data in ("synthetic", str(tmp_path)):
        assert main(["translate", "evaluate", "--data", data, "--checkpoint",
                     str(tmp_path / "m.ckpt"), "--print-config"]) == 0
        assert f"data: {data}" in capsys.readouterr().out
