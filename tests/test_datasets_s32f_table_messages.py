"""MultiViewTables' view errors read once on both paths: in Python they name
the argument (views), through the CLI the flag (--views) once, and a view
named after a file whose name is no name says how to give it one."""
import numpy as np
import pytest

from pyg_fusion.cli import main
from pyg_fusion.datasets import MultiViewTables


@pytest.fixture
def files(tmp_path):
    x = np.random.default_rng(0).normal(size=(40, 2))
    np.savetxt(tmp_path / "b.csv", x, delimiter=",")
    np.savetxt(tmp_path / "my-view.csv", x, delimiter=",")
    np.savetxt(tmp_path / "y.csv", (x[:, 0] > 0).astype(int), fmt="%d")
    return tmp_path


def _cli_error(files, capsys, views):
    assert main(["train", "--dataset", "tables", "--views", *[str(files / v) for v in views],
                 "--labels", str(files / "y.csv"), "--root", str(files / "data"),
                 "--epochs", "1", "--no-progress", "--threads", "1",
                 "--out", str(files / "out")]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and err.startswith("pyg-fusion train: error: --views: view ")
    return err


def test_the_labels_file_among_the_views_names_views_once(files, capsys):
    err = _cli_error(files, capsys, ["b.csv", "y.csv"])
    assert err.count("--views") == 1 and "pyg-fusion:" not in err
    with pytest.raises(ValueError, match=r"^view 'y' is the labels file .*leave it out of "
                                         r"the views, and give") as exc:
        MultiViewTables(str(files / "ds"), [str(files / "b.csv"), str(files / "y.csv")],
                        str(files / "y.csv"), log=False)
    assert "--views" not in str(exc.value)


def test_a_file_name_that_is_no_view_name_says_how_to_name_it(files, capsys):
    err = _cli_error(files, capsys, ["my-view.csv"])
    assert "'my-view' must be letters, digits or '_'" in err
    assert err.rstrip().endswith(f"name it as NAME=FILE: my_view={files / 'my-view.csv'}")
    with pytest.raises(ValueError, match=r"^views: view 'my-view' \(named after its file .*"
                                         r"name it as NAME=FILE: my_view="):
        MultiViewTables(str(files / "ds"), [str(files / "my-view.csv")], str(files / "y.csv"),
                        log=False)
    ds = MultiViewTables(str(files / "ds"), [f"my_view={files / 'my-view.csv'}"],
                         str(files / "y.csv"), log=False)
    assert ds[0].x_my_view.shape == (40, 2)
