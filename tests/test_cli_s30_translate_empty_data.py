"""``translate train --data ''`` (an unset shell variable) printed its config
with --print-config, while the run said "--data folder '' does not exist":
the flag refuses an empty path, in one line, with and without --print-config,
for train and evaluate alike."""
import pytest

from pyg_fusion.cli import main


@pytest.mark.parametrize("action", ["train", "evaluate"])
@pytest.mark.parametrize("data", ["", " "])
@pytest.mark.parametrize("print_config", [True, False])
def test_an_empty_data_folder_is_refused(tmp_path, capsys, action, data, print_config):
    argv = ["translate", action, "--data", data, "--root", str(tmp_path / "data")]
    argv += ["--print-config"] if print_config else ["--out", str(tmp_path / "out")]
    argv += ["--checkpoint", str(tmp_path / "x.ckpt")] if action == "evaluate" else []
    with pytest.raises(SystemExit) as exit_:
        main(argv)
    assert exit_.value.code == 2
    assert capsys.readouterr().err == (
        f"pyg-fusion translate {action}: error: argument --data: expected 'synthetic' or a "
        f"folder, got an empty path (see pyg-fusion translate {action} --help)\n")
    assert not any(tmp_path.iterdir())
