"""``--index-col`` applied one value to every text file of ``--views``: a view
with a column of ids named 'id' beside one without ids could not be said
(``--index-col 0`` would cut the other's first feature column). It takes one
value per file where they differ, as ``--num-powers`` takes one per source
(``FILE=N|none|auto,...``, a view's name or ``labels``; a file not named:
auto), through --print-config and a --config file alike."""
import numpy as np
import pytest

from pyg_fusion.cli import main
from pyg_fusion.datasets import MultiViewTables


def _files(tmp_path):
    rng = np.random.default_rng(0)
    y = np.arange(20) % 2
    a = "id,f1,f2\n" + "".join(f"{100 + i},{y[i] + rng.normal():.3f},{rng.normal():.3f}\n"
                               for i in range(20))
    b = "g1,g2\n" + "".join(f"{rng.normal():.3f},{y[i] + rng.normal():.3f}\n"
                            for i in range(20))
    (tmp_path / "a.csv").write_text(a)
    (tmp_path / "b.csv").write_text(b)
    (tmp_path / "y.csv").write_text("y\n" + "".join(f"{v}\n" for v in y))
    return [str(tmp_path / "a.csv"), str(tmp_path / "b.csv")], str(tmp_path / "y.csv")


def test_one_index_column_per_file(tmp_path):
    views, labels = _files(tmp_path)
    ds = MultiViewTables(str(tmp_path / "root"), views, labels, index_col={"a": 0}, log=False)
    assert ds[0].x_a.shape == (20, 2) and ds[0].x_b.shape == (20, 2)
    with pytest.raises(ValueError, match=r"^index_col names c, which is no file: name a view \(a, b\) or labels$"):
        MultiViewTables(str(tmp_path / "root"), views, labels, index_col={"c": 0}, log=False)


def test_the_flag_and_its_config_round_trip(tmp_path, capsys):
    views, labels = _files(tmp_path)
    base = ["train", "--dataset", "tables", "--views", *views, "--labels", labels]
    assert main([*base, "--index-col", "a=0,labels=none", "--print-config"]) == 0
    printed = capsys.readouterr().out
    assert "  index_col:\n    a: 0\n    labels: none\n" in printed
    (tmp_path / "run.yaml").write_text(printed)
    assert main(["train", "--config", str(tmp_path / "run.yaml"), "--print-config"]) == 0
    assert capsys.readouterr().out == printed


@pytest.mark.parametrize("value, message", [
    ("a=0,c=1", "--index-col names c, which is no file: name a view (a, b) or labels"),
    ("a=0,a=1", "argument --index-col: expected N or FILE=N,FILE=N,... (one value per file, "
                "each file once), got 'a=0,a=1'"),
    ("a=-1", "argument --index-col: expected a column number >= 0, none or auto, got -1"),
])
def test_a_wrong_per_file_value_is_one_line(tmp_path, capsys, value, message):
    views, labels = _files(tmp_path)
    argv = ["train", "--dataset", "tables", "--views", *views, "--labels", labels,
            "--index-col", value, "--print-config"]
    try:
        code = main(argv)
    except SystemExit as exc:  # argparse's own errors (the flag's type)
        code = exc.code
    assert code == 2
    err = capsys.readouterr().err
    assert err.startswith(f"pyg-fusion train: error: {message}"), err
    assert len(err.splitlines()) == 1
