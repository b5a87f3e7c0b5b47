"""train --dataset tables --views a.npy --labels y.csv --print-config > run.yaml,
then --config run.yaml from another folder: '--views: no such file: a.npy'. The
printed config keeps the user's files absolute, as a record's config does."""
import numpy as np
import yaml

from pyg_fusion.cli import main


def _files(folder):
    rng = np.random.default_rng(0)
    y = np.repeat([0, 1], 20)
    np.save(folder / "a.npy", rng.normal(size=(40, 3)) + y[:, None])
    np.save(folder / "b.npy", rng.normal(size=(40, 4)) + y[:, None])
    np.savetxt(folder / "y.csv", y, fmt="%d")


def test_printed_tables_config_runs_from_another_folder(tmp_path, monkeypatch, capsys):
    (tmp_path / "mine").mkdir()
    (tmp_path / "elsewhere").mkdir()
    _files(tmp_path / "mine")
    monkeypatch.chdir(tmp_path / "mine")
    assert main(["train", "--dataset", "tables", "--views", "a.npy", "bee=b.npy",
                 "--labels", "y.csv", "--root", str(tmp_path / "cache"),
                 "--print-config"]) == 0
    printed = capsys.readouterr().out
    data = yaml.safe_load(printed)["data"]
    mine = tmp_path / "mine"
    assert data["views"] == [f"a={mine / 'a.npy'}", f"bee={mine / 'b.npy'}"]
    assert data["labels"] == str(mine / "y.csv")
    (tmp_path / "run.yaml").write_text(printed)
    monkeypatch.chdir(tmp_path / "elsewhere")
    assert main(["train", "--config", str(tmp_path / "run.yaml"), "--label-rate", "0.5",
                 "--k", "3", "--epochs", "1", "--threads", "1", "--no-progress",
                 "--out", "out"]) == 0, capsys.readouterr().err


def test_printed_vad_config_keeps_its_root_absolute_and_generated_data_as_given(
        tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    assert main(["train", "--dataset", "vad", "--root", "feats", "--vad-source",
                 "rgb=rgb/{name}.npy", "--vad-train-list", "train.list", "--vad-test-list",
                 "test.list", "--vad-gt", "gt.npy", "--print-config"]) == 0
    assert yaml.safe_load(capsys.readouterr().out)["data"]["root"] == str(tmp_path / "feats")
    assert main(["train", "--dataset", "digits", "--root", "data", "--print-config"]) == 0
    assert yaml.safe_load(capsys.readouterr().out)["data"]["root"] == "data"
