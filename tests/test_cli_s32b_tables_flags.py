"""MultiViewTables' errors reached through the CLI name the flag that gave
the file (--views, --labels), not the dataset's argument alone ('view 'a':',
'labels:'); the dataset's own messages are unchanged."""
import numpy as np
import pytest

from pyg_fusion.cli import main


@pytest.fixture
def files(tmp_path):
    rng = np.random.default_rng(0)
    x = rng.normal(size=(40, 2))
    np.savetxt(tmp_path / "b.csv", x, delimiter=",")
    np.savetxt(tmp_path / "y.csv", (x[:, 0] > 0).astype(int), fmt="%d")
    np.savetxt(tmp_path / "yc.csv", rng.normal(size=40), delimiter=",")
    x[3, 1] = np.nan
    np.savetxt(tmp_path / "nan.csv", x, delimiter=",")
    return tmp_path


@pytest.mark.parametrize("views, labels, start", [
    (["nan.csv", "b.csv"], "y.csv", "--views: view 'nan': "),
    (["b.csv", "y.csv"], "y.csv", "--views: view 'y' is the labels file"),
    (["nan.csv", "b.csv"], "yc.csv", "--views: view 'nan': "),
    (["b.csv"], "yc.csv", "--labels: "),
])
def test_tables_errors_name_the_flag(files, capsys, views, labels, start):
    assert main(["train", "--dataset", "tables", "--views", *[str(files / v) for v in views],
                 "--labels", str(files / labels), "--root", str(files / "data"),
                 "--epochs", "1", "--no-progress", "--threads", "1",
                 "--out", str(files / "out")]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1
    assert err.startswith(f"pyg-fusion train: error: {start}"), err


def test_the_datasets_own_messages_are_unchanged(files):
    from pyg_fusion.datasets import MultiViewTables
    with pytest.raises(ValueError, match=r"^labels: .* a class of its own"):
        MultiViewTables(str(files / "ds"), views={"b": str(files / "b.csv")},
                        labels=str(files / "yc.csv"), log=False)
