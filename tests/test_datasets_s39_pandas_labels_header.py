"""A labels file written by pandas without a name (``Series(y).to_csv(index=False)``:
``0`` over the labels) beside views that hold no header (``.npy``, ``np.savetxt``):
the labels file is one row longer, and the error says to pass header=True, as
datasets/README.md says it does (it said so only where a view had pandas' header)."""
import numpy as np
import pytest

from pyg_fusion.cli import main
from pyg_fusion.datasets import MultiViewTables

pd = pytest.importorskip("pandas")


@pytest.mark.parametrize("labels", [["cat", "dog"], [0, 1]], ids=["strings", "ints"])
@pytest.mark.parametrize("view", ["a.npy", "a.csv"])
def test_a_pandas_labels_header_beside_headerless_views_says_header_true(tmp_path, labels,
                                                                         view):
    x = np.random.default_rng(0).normal(size=(12, 3))
    if view.endswith(".npy"):
        np.save(tmp_path / view, x)
    else:
        np.savetxt(tmp_path / view, x, delimiter=",")
    y = [labels[i % 2] for i in range(12)]
    pd.Series(y).to_csv(tmp_path / "y.csv", index=False)
    with pytest.raises(ValueError, match=r"has 13; the first row of .*y\.csv \(0\) may be the "
                                         r"column numbers that pandas writes as a header: .*"
                                         r"pass header=True \(pyg-fusion: --header\)"):
        MultiViewTables(str(tmp_path / "d"), [str(tmp_path / view)], str(tmp_path / "y.csv"),
                        log=False)
    if view.endswith(".npy"):  # the only text file has its header: header=True reads it
        ds = MultiViewTables(str(tmp_path / "d2"), [str(tmp_path / view)],
                             str(tmp_path / "y.csv"), header=True, log=False)
        assert [str(ds.classes[i]) for i in ds[0].y.tolist()] == [str(v) for v in y]


def test_the_command_says_header_in_one_line(tmp_path, capsys):
    np.save(tmp_path / "a.npy", np.random.default_rng(0).normal(size=(12, 3)))
    pd.Series([i % 2 for i in range(12)]).to_csv(tmp_path / "y.csv", index=False)
    assert main(["train", "--dataset", "tables", "--views", str(tmp_path / "a.npy"),
                 "--labels", str(tmp_path / "y.csv"), "--root", str(tmp_path / "data"),
                 "--epochs", "1", "--no-progress", "--threads", "1",
                 "--out", str(tmp_path / "out")]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and err.rstrip().endswith("pass header=True (pyg-fusion: "
                                                          "--header)")


def test_a_label_row_of_another_value_gets_no_header_advice(tmp_path):
    # one surplus row whose first cell is no column number: not pandas' header
    np.save(tmp_path / "a.npy", np.zeros((3, 2)))
    (tmp_path / "y.csv").write_text("cat\ncat\ndog\ndog\n")
    with pytest.raises(ValueError, match="rows are not aligned") as exc:
        MultiViewTables(str(tmp_path / "d"), [str(tmp_path / "a.npy")], str(tmp_path / "y.csv"),
                        log=False)
    assert "header=True" not in str(exc.value)
