"""--print-config folded a value longer than YAML's 80 columns at a space:
'labels: /data/my long .../the\n    path/labels.csv'. It read back, but the
path could not be copied or searched as one. Each value is one line now, and
the file reads back to the same config."""
import numpy as np
import yaml

from pyg_fusion.cli import main


def test_a_long_path_is_printed_on_one_line_and_reads_back(tmp_path, capsys):
    folder = tmp_path / ("a folder whose name is long " * 3) / "données é"
    folder.mkdir(parents=True)
    y = np.repeat([0, 1], 10)
    np.save(folder / "view one.npy", np.random.default_rng(0).normal(size=(20, 3)))
    np.save(folder / "y.npy", y)
    argv = ["train", "--dataset", "tables", "--views", f"v1={folder / 'view one.npy'}",
            "--labels", str(folder / "y.npy"), "--seeds", "0..2", "--root",
            str(tmp_path / "cache"), "--print-config"]
    assert main(argv) == 0
    printed = capsys.readouterr().out
    lines = printed.splitlines()
    assert f"  labels: {folder / 'y.npy'}" in lines or \
        f'  labels: "{folder / "y.npy"}"' in lines, printed
    assert not any(line.startswith("    ") and not line.lstrip().startswith("-")
                   for line in lines), printed  # no continuation line
    (tmp_path / "run.yaml").write_text(printed, encoding="utf-8")
    assert main(["train", "--config", str(tmp_path / "run.yaml"), "--print-config"]) == 0
    again = capsys.readouterr().out
    assert yaml.safe_load(again) == yaml.safe_load(printed)
    assert yaml.safe_load(printed)["data"]["labels"] == str(folder / "y.npy")
