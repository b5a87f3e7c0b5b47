"""A view whose column 0 is the row numbers under no header
(np.savetxt(path, np.c_[np.arange(n), X])) was read with them as a feature,
without a word: on a file sorted by class the model read each row's class off
its position. Row ids or a feature: the reader asks, as it does for a column 0
named as ids."""
import numpy as np
import pytest

from pyg_fusion.cli import main
from pyg_fusion.datasets import MultiViewTables
from pyg_fusion.datasets._io import read_table

N = 12


@pytest.fixture
def files(tmp_path):
    x = np.random.default_rng(0).normal(size=(N, 2))
    np.savetxt(tmp_path / "a.csv", np.c_[np.arange(N), x], delimiter=",",
               fmt=["%d", "%.4f", "%.4f"])
    np.savetxt(tmp_path / "b.csv", x, delimiter=",")
    (tmp_path / "y.csv").write_text("".join(f"{i},{'cat' if i < N // 2 else 'dog'}\n"
                                            for i in range(N)))
    return tmp_path, x


@pytest.mark.parametrize("start", [0, 1])
def test_row_numbers_in_column_0_are_asked_about(files, start):
    tmp, x = files
    np.savetxt(tmp / "c.csv", np.c_[np.arange(start, start + N), x], delimiter=",")
    with pytest.raises(ValueError, match=rf"c\.csv's column 0 holds the row numbers "
                                         rf"{start}\.\.{start + N - 1}, in order, under no "
                                         rf"header: row ids, or a feature\? Say which: "
                                         rf"index_col=0 or index_col=None"):
        read_table(str(tmp / "c.csv"))
    assert read_table(str(tmp / "c.csv"), index_col=0).values.shape == (N, 2)
    assert read_table(str(tmp / "c.csv"), index_col=None).values.shape == (N, 3)


def test_the_answer_reads_the_view_either_way(files):
    tmp, x = files
    with pytest.raises(ValueError, match=r"view 'a': .*index_col=\{'a': 0\} or "
                                         r"index_col=\{'a': None\}"):
        MultiViewTables(str(tmp / "d"), [str(tmp / "a.csv"), str(tmp / "b.csv")],
                        str(tmp / "y.csv"), log=False)
    ids = MultiViewTables(str(tmp / "d0"), [str(tmp / "a.csv"), str(tmp / "b.csv")],
                          str(tmp / "y.csv"), index_col={"a": 0}, log=False)[0]
    assert ids.x_a.shape == (N, 2) and ids.x_b.shape == (N, 2)
    feature = MultiViewTables(str(tmp / "dn"), [str(tmp / "a.csv"), str(tmp / "b.csv")],
                              str(tmp / "y.csv"), index_col={"a": None}, log=False)[0]
    assert feature.x_a.shape == (N, 3)


def test_the_command_names_the_flag_in_one_line(files, capsys):
    tmp, _ = files
    assert main(["train", "--dataset", "tables", "--views", str(tmp / "a.csv"),
                 str(tmp / "b.csv"), "--labels", str(tmp / "y.csv"), "--root", str(tmp / "r"),
                 "--epochs", "1", "--no-progress", "--threads", "1",
                 "--out", str(tmp / "out")]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and err.startswith("pyg-fusion train: error: --views: view 'a'")
    assert err.rstrip().endswith("(pyg-fusion: --index-col a=0, --index-col a=none)")


@pytest.mark.parametrize("column", [
    [2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13],   # counted from 2: no row numbers
    [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 11, 10],     # not in order
    [0.5 * i for i in range(N)],                # not whole steps
], ids=["from-2", "unordered", "halves"])
def test_other_columns_stay_features(tmp_path, column):
    np.savetxt(tmp_path / "c.csv", np.c_[column, np.ones(N)], delimiter=",")
    assert read_table(str(tmp_path / "c.csv")).values.shape == (N, 2)


def test_a_named_column_stays_a_feature(tmp_path):
    # a header naming it (time steps 't'): the user's name says what it is
    (tmp_path / "c.csv").write_text("t,v\n" + "".join(f"{i},{i * 0.1}\n" for i in range(N)))
    assert read_table(str(tmp_path / "c.csv")).values[:, 0].tolist() == list(range(N))
