"""A view or labels ``.npy`` of n rows and no column ([n, 0]) is an error naming
the file (the CLI: one line, exit 2); it ended in an IndexError traceback."""
import numpy as np
import pytest

from pyg_fusion.cli import main
from pyg_fusion.datasets import MultiViewTables


@pytest.fixture
def files(tmp_path):
    np.save(tmp_path / "a.npy", np.random.default_rng(0).normal(size=(12, 3)))
    np.save(tmp_path / "e.npy", np.zeros((12, 0)))
    (tmp_path / "y.csv").write_text("\n".join(["x", "y"] * 6) + "\n")
    return tmp_path


@pytest.mark.parametrize("view, labels, what", [("e.npy", "y.csv", "view 'e'"),
                                                ("a.npy", "e.npy", "labels")])
def test_an_array_of_no_column_is_refused_naming_it(files, view, labels, what):
    views = {"a": str(files / "a.npy")}
    if view != "a.npy":
        views["e"] = str(files / view)
    with pytest.raises(ValueError, match=rf"^{what}: .*e\.npy holds no column \(shape \(12, 0\)\)"):
        MultiViewTables(str(files / "root"), views, str(files / labels), log=False)


def test_cli_one_line(files, monkeypatch, capsys):
    monkeypatch.chdir(files)
    assert main(["train", "--dataset", "tables", "--views", "a.npy", "e.npy", "--labels",
                 "y.csv", "--method", "graph-a", "--epochs", "1", "--no-progress",
                 "--out", "o"]) == 2
    err = capsys.readouterr().err.strip()
    assert "\n" not in err and "--views: view 'e': " in err and "holds no column" in err
