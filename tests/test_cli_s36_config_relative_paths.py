"""Where a relative path in a --config file is read from (the current folder,
as its flag's; or the file's folder, as some tools do) was said nowhere: a
user with configs/run.yaml holding 'labels: y.npy' could not know. --config's
help says it, and the run does as it says."""
import numpy as np
import yaml

from pyg_fusion.cli import build_parser, main


def test_config_help_says_where_relative_paths_are_read_from():
    text = " ".join(build_parser()._subparsers._group_actions[0].choices["train"]
                    .format_help().split())
    assert ("A relative path in it is read as the flag's: from the current folder, not the "
            "file's (a printed config holds your files absolute)") in text


def test_a_relative_path_in_a_config_is_read_from_the_current_folder(
        tmp_path, monkeypatch, capsys):
    (tmp_path / "configs").mkdir()
    np.save(tmp_path / "a.npy", np.zeros((20, 3)))
    np.save(tmp_path / "y.npy", np.repeat([0, 1], 10))
    (tmp_path / "configs" / "run.yaml").write_text(
        "dataset: tables\nviews: [a.npy]\nlabels: y.npy\n")
    monkeypatch.chdir(tmp_path)
    assert main(["train", "--config", "configs/run.yaml", "--print-config"]) == 0
    data = yaml.safe_load(capsys.readouterr().out)["data"]
    assert data["views"] == [f"a={tmp_path / 'a.npy'}"]
    assert data["labels"] == str(tmp_path / "y.npy")
