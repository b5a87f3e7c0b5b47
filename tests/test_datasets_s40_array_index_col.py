"""An index column given for an ``.npy`` / ``.npz`` file, which has no row ids:
MultiViewTables ignored it, keeping the column as a feature (the ids read by
the model), where pyg-fusion's --index-col refused it; both now refuse it by
one check. ``None`` for an array is read (it keeps a column 0 of the row
numbers as a feature), as the row-number question's hint says: the CLI
refused that answer too."""
import numpy as np
import pytest

from pyg_fusion.cli import main
from pyg_fusion.datasets import MultiViewTables
from pyg_fusion.datasets._npy import require_file


@pytest.fixture
def files(tmp_path):
    rng = np.random.default_rng(0)
    np.save(tmp_path / "b.npy", np.c_[np.arange(40), rng.random((40, 3))])
    np.savetxt(tmp_path / "a.csv", rng.random((40, 2)), delimiter=",")
    np.save(tmp_path / "y.npy", np.arange(40) % 2)
    return tmp_path


def tables(tmp_path, views, index_col):
    return MultiViewTables(str(tmp_path / "root"), {v: str(tmp_path / f) for v, f in views.items()},
                           str(tmp_path / "y.npy"), index_col=index_col, log=False)


@pytest.mark.parametrize("views, index_col, message", [
    ({"a": "a.csv", "b": "b.npy"}, {"b": 0},
     r"index_col=\{'b': 0\}: .*b.npy is .npy / .npz, which has no row ids .*np.delete\(X, 0"),
    ({"b": "b.npy"}, 0, r"index_col=0: every file \(.*b.npy, .*y.npy\) is .npy / .npz"),
])
def test_an_index_column_of_an_array_is_refused(files, views, index_col, message):
    with pytest.raises(ValueError, match=message):
        tables(files, views, index_col)


def test_one_value_beside_a_text_file_is_the_text_files(files):
    # a.csv has no ids: column 0 of b.npy stays, as the docs say (text files only)
    data = tables(files, {"a": "a.csv", "b": "b.npy"}, {"a": None, "b": None})[0]
    assert data.x_b.shape == (40, 4)


def test_the_row_number_hint_for_an_array_is_taken_by_the_cli(files, capsys):
    run = ["train", "--dataset", "tables", "--views", str(files / "a.csv"),
           str(files / "b.npy"), "--labels", str(files / "y.npy")]
    assert main([*run, "--print-config"]) == 0  # nothing read yet
    capsys.readouterr()
    assert main([*run, "--root", str(files / "r"), "--out", str(files / "o"),
                 "--epochs", "1", "--no-progress"]) == 2
    assert "--index-col b=none" in capsys.readouterr().err  # the hint ...
    # ... was refused: "--index-col b=none: b.npy is .npy / .npz, which has no row ids"
    assert main([*run, "--index-col", "b=none", "--print-config"]) == 0
    assert main([*run, "--index-col", "b=0", "--print-config"]) == 2
    assert "--index-col b=0: " in capsys.readouterr().err


def test_require_file_is_documented(tmp_path):
    assert "folder" in require_file.__doc__
    with pytest.raises(IsADirectoryError, match="labels: .* is a folder; expected a file"):
        require_file(str(tmp_path), "labels")


def test_one_number_for_the_text_files_still_asks_about_an_arrays_row_numbers(files):
    # index_col=0 for a.csv's ids kept b.npy's column 0 of 0..39 as a feature
    np.savetxt(files / "a.csv", np.c_[np.arange(40), np.random.default_rng(1).random((40, 2))],
               delimiter=",")
    with pytest.raises(ValueError, match=r"b.npy's column 0 holds the row numbers 0..39"):
        tables(files, {"a": "a.csv", "b": "b.npy"}, 0)
