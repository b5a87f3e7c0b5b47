"""A .npy / .npz view whose column 0 is the row numbers (np.save of
np.c_[np.arange(n), X]) was read with them as a feature, without a word; the
reader now asks, as for a text file, naming what an array allows: save it
without the column (ids), or index_col=None (a feature)."""
import numpy as np
import pytest

from pyg_fusion.cli import main
from pyg_fusion.datasets import MultiViewTables
from pyg_fusion.datasets._io import read_table

N = 12


@pytest.fixture
def raw(tmp_path):
    rng = np.random.default_rng(0)
    (tmp_path / "raw").mkdir()
    np.save(tmp_path / "raw" / "b.npy", rng.normal(size=(N, 3)))
    (tmp_path / "raw" / "y.csv").write_text("".join(
        f"{'cat' if i < N // 2 else 'dog'}\n" for i in range(N)))
    return tmp_path


def _load(root, **kw):
    return MultiViewTables(str(root), {"a": "a.csv", "b": "b.npy"}, "y.csv", log=False, **kw)


@pytest.mark.parametrize("start", [0, 1])
@pytest.mark.parametrize("suffix", [".npy", ".npz"])
def test_row_numbers_in_an_arrays_column_0_are_asked_about(tmp_path, start, suffix):
    x = np.random.default_rng(0).normal(size=(N, 2))
    path = tmp_path / f"c{suffix}"
    (np.save if suffix == ".npy" else np.savez)(path, np.c_[np.arange(start, start + N), x])
    with pytest.raises(ValueError, match=rf"c\{suffix}'s column 0 holds the row numbers "
                                         rf"{start}\.\.{start + N - 1}, in order: row ids, or "
                                         rf"a feature\? Say which: save the array without "
                                         rf"them if they are ids \(X\[:, 1:\]; .*\), or "
                                         rf"index_col=None to keep them as a feature"):
        read_table(str(path))
    assert read_table(str(path), index_col=None).values.shape == (N, 3)


def test_the_npy_view_answer_and_the_command(raw, capsys):
    x = np.random.default_rng(0).normal(size=(N, 2))
    np.save(raw / "raw" / "b.npy", np.c_[np.arange(N), x])
    np.savetxt(raw / "raw" / "a.csv", x, delimiter=",")
    with pytest.raises(ValueError, match=r"view 'b': .*index_col=\{'b': None\}"):
        _load(raw)
    assert _load(raw, index_col={"b": None})[0].x_b.shape == (N, 3)
    assert main(["train", "--dataset", "tables", "--views", str(raw / "raw" / "a.csv"),
                 str(raw / "raw" / "b.npy"), "--labels", str(raw / "raw" / "y.csv"),
                 "--root", str(raw / "r"), "--epochs", "1", "--no-progress",
                 "--threads", "1", "--out", str(raw / "out")]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and err.startswith("pyg-fusion train: error: --views: view 'b'")
    assert err.rstrip().endswith("(pyg-fusion: --index-col b=none)")


@pytest.mark.parametrize("column", [np.arange(2, N + 2), np.r_[np.arange(N - 2), N - 1, N - 2],
                                    np.arange(N) / 2], ids=["from-2", "unordered", "halves"])
def test_other_array_columns_stay_features(tmp_path, column):
    np.save(tmp_path / "c.npy", np.c_[column, np.ones(N)])
    assert read_table(str(tmp_path / "c.npy")).values.shape == (N, 2)
