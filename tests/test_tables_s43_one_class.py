"""A labels file of one class is refused by the tables run, naming --labels
and the file (one line, exit 2); it reached the model, whose error named
num_classes, which the user never gave."""
import numpy as np
import pytest

from pyg_fusion.cli import main
from pyg_fusion.experiments import DataConfig
from pyg_fusion.experiments.data import load_data


def _files(tmp_path):
    np.save(tmp_path / "a.npy", np.random.default_rng(0).normal(size=(20, 3)))
    labels = ["cat"] * 18 + ["NA", "?"]  # unlabelled rows beside the one class
    (tmp_path / "y.csv").write_text("\n".join(labels) + "\n")


def test_one_class_is_refused_naming_the_labels_file(tmp_path):
    _files(tmp_path)
    cfg = DataConfig(dataset="tables", root=str(tmp_path / "root"),
                     views=[str(tmp_path / "a.npy")], labels=str(tmp_path / "y.csv"))
    with pytest.raises(ValueError, match=r"^--labels: .*y\.csv holds one class \('cat'\) "
                                         r"in its 18 labelled rows"):
        load_data(cfg)


def test_cli_names_labels_in_one_line(tmp_path, monkeypatch, capsys):
    _files(tmp_path)
    monkeypatch.chdir(tmp_path)
    assert main(["train", "--dataset", "tables", "--views", "a.npy", "--labels", "y.csv",
                 "--method", "graph-a", "--epochs", "1", "--no-progress", "--out", "o"]) == 2
    err = capsys.readouterr().err.strip()
    assert "\n" not in err and "--labels: " in err and "one class ('cat')" in err
