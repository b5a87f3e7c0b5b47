"""A labels file with the label first and the row ids last (`label,sample`)
took its label column for row ids (no cell is a number) and answered
'rows are not aligned: row 0 is '0' in the view but 'a' in the labels'.
A column of repeated cells holds no row ids: the label column's name is
now checked, which names the column read and the way out."""
import numpy as np
import pytest

from pyg_fusion.cli import main


@pytest.fixture
def files(tmp_path):
    x = np.random.default_rng(0).normal(size=(40, 2))
    with open(tmp_path / "v.csv", "w") as f:
        f.write(",p,q\n" + "".join(f"{i},{a},{b}\n" for i, (a, b) in enumerate(x)))
    names = ["a" if v > 0 else "b" for v in x[:, 0]]
    (tmp_path / "first.csv").write_text("label,sample\n" + "".join(
        f"{n},{i}\n" for i, n in enumerate(names)))
    (tmp_path / "last.csv").write_text("sample,label\n" + "".join(
        f"{i},{n}\n" for i, n in enumerate(names)))
    return tmp_path


def _train(files, labels):
    return main(["train", "--dataset", "tables", "--views", str(files / "v.csv"),
                 "--labels", str(files / labels), "--root", str(files / "data"),
                 "--epochs", "1", "--no-progress", "--out", str(files / "out")])


def test_a_label_column_first_is_named_not_read_as_row_ids(files, capsys):
    assert _train(files, "first.csv") == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "column 0 is named 'label'" in err, err


def test_row_ids_first_are_still_read_as_ids(files):
    assert _train(files, "last.csv") == 0
