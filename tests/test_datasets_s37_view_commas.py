"""Views joined by a comma (`--views a.csv,b.csv`, as `--method` takes a
list) were read as one file named 'a.csv,b': the error said its name must be
letters, digits or '_' and advised `a_csv_b=a.csv,b.csv`, a file that does
not exist. It now says to give the files one each."""
import numpy as np
import pytest

from pyg_fusion.cli import main
from pyg_fusion.datasets.tables import name_views


@pytest.fixture
def files(tmp_path):
    x = np.random.default_rng(0).normal(size=(40, 2))
    np.savetxt(tmp_path / "a.csv", x, delimiter=",")
    np.savetxt(tmp_path / "b.csv", x[:, :1], delimiter=",")
    np.savetxt(tmp_path / "y.csv", (x[:, 0] > 0).astype(int), fmt="%d")
    return tmp_path


@pytest.mark.parametrize("joined", ["{d}/a.csv,{d}/b.csv", "p={d}/a.csv,q={d}/b.csv"])
def test_views_joined_by_a_comma_are_named_as_such(files, joined):
    with pytest.raises(ValueError, match=r"comma.*one file each"):
        name_views([joined.format(d=files)])


def test_the_cli_answers_joined_views_in_one_line(files, capsys):
    assert main(["train", "--dataset", "tables", "--views", f"{files}/a.csv,{files}/b.csv",
                 "--labels", str(files / "y.csv"), "--root", str(files / "data"),
                 "--epochs", "1", "--no-progress", "--out", str(files / "out")]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "--views:" in err and "one file each" in err, err


def test_a_file_whose_name_holds_a_comma_is_still_read(files):
    (files / "a,b.csv").write_text((files / "a.csv").read_text())
    assert name_views([f"ab={files}/a,b.csv"]) == {"ab": f"{files}/a,b.csv"}
