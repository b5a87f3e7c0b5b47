"""segment train --data nyud --print-config printed a config without --root
(the synthetic scenes' folder, which the run refuses to read as the user's)
or with a --root that does not exist, which the run refused in one line
before any work. check_segment, which the run and --print-config call, makes
the run's check of the scenes' folder (check_scenes_root)."""
import pytest

from pyg_fusion.cli import main


@pytest.mark.parametrize("print_config", [True, False])
@pytest.mark.parametrize("root, message", [
    (None, "--data nyud reads your own scenes: give --root, their folder "
           "(runs/synthetic_rgbd, the default, is the synthetic scenes')"),
    ("missing", "--root folder not found: {tmp}/missing"),
])
def test_segment_train_refuses_a_scenes_folder_it_cannot_read(tmp_path, capsys, root, message,
                                                               print_config):
    argv = ["segment", "train", "--data", "nyud", "--threads", "1"]
    argv += [] if root is None else ["--root", str(tmp_path / root)]
    argv += ["--print-config"] if print_config else ["--out", str(tmp_path / "out")]
    assert main(argv) == 2
    printed = capsys.readouterr()
    assert printed.out == ""
    assert printed.err == (f"pyg-fusion segment train: error: "
                           f"{message.format(tmp=tmp_path)}\n")
    assert list(tmp_path.iterdir()) == []


def test_print_config_takes_an_existing_scenes_folder(tmp_path, capsys):
    assert main(["segment", "train", "--data", "nyud", "--root", str(tmp_path),
                 "--print-config"]) == 0
    assert f"root: {tmp_path}" in capsys.readouterr().out
