"""``--vad-source rgb=cam/rgb/x.npy`` (a pattern without ``{name}``) was read
as a folder: the run looked for cam/rgb/x.npy/<video>.npy and said 'no
feature file matches', and --print-config printed it. A source is one file
per video (RTFM's layout): a pattern naming one file is refused with what is
expected, as are items that are no NAME=PATTERN, before --print-config too."""
import numpy as np
import pytest

from pyg_fusion.cli import main


@pytest.mark.parametrize("items, message", [
    (["rgb=cam/rgb/x.npy"], "--vad-source rgb=cam/rgb/x.npy: cam/rgb/x.npy is one file, but a "
     "source is one .npy file per video (RTFM's layout): give a pattern with {name}, the "
     "video's name (e.g. rgb=cam/rgb/{name}.npy), or the folder of the videos' files (e.g. "
     "rgb=cam/rgb)"),
    (["rgb"], "--vad-source must be NAME=PATTERN (NAME: letters, digits or '_'; PATTERN: where "
     "its files are), got 'rgb'"),
    (["rgb="], "--vad-source must be NAME=PATTERN (NAME: letters, digits or '_'; PATTERN: "
     "where its files are), got 'rgb='"),
    (["=f/{name}.npy"], "--vad-source must be NAME=PATTERN"),
    (["rgb=a/{name}.npy", "rgb=b/{name}.npy"], "--vad-source names the source 'rgb' twice"),
])
def test_print_config_refuses_what_is_no_layout(tmp_path, capsys, items, message):
    flags = [w for item in items for w in ("--vad-source", item)]
    assert main(["train", "--dataset", "vad", "--root", str(tmp_path), *flags,
                 "--print-config"]) == 2
    err = capsys.readouterr().err
    assert err.startswith(f"pyg-fusion train: error: {message}"), err
    assert len(err.splitlines()) == 1


def test_a_pattern_naming_a_file_under_raw_is_refused(tmp_path, capsys):
    # no .npy suffix: found a file once ROOT/raw is looked at, before any list is read
    (tmp_path / "raw" / "cam").mkdir(parents=True)
    np.save(tmp_path / "raw" / "cam" / "feats.npy", np.zeros((4, 3)))
    (tmp_path / "raw" / "cam" / "feats").write_bytes(b"x")
    assert main(["train", "--dataset", "vad", "--root", str(tmp_path), "--vad-source",
                 "rgb=cam/feats", "--out", str(tmp_path / "out"), "--no-progress"]) == 2
    err = capsys.readouterr().err
    assert err == ("pyg-fusion train: error: --vad-source rgb=cam/feats: cam/feats is one "
                   "file, but a source is one .npy file per video (RTFM's layout): give a "
                   "pattern with {name}, the video's name (e.g. rgb=cam/{name}.npy), or the "
                   "folder of the videos' files (e.g. rgb=cam)\n")


def test_a_folder_and_a_pattern_pass(tmp_path, capsys):
    for item in ("rgb=cam/rgb", "rgb=cam/rgb/{name}_i3d.npy"):
        assert main(["train", "--dataset", "vad", "--root", str(tmp_path), "--vad-source",
                     item, "--print-config"]) == 0
        assert f"- {item}" in capsys.readouterr().out
