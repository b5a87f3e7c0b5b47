"""The hints to pass ``index_col`` said ``index_col=0`` (``--index-col 0``),
which sets every file, where the table is one view of several: they now give
the per-file form naming that view (``index_col={'a': 0}``, ``--index-col
a=0``); a single view keeps the single value."""
import re

import numpy as np
import pytest

from pyg_fusion.cli import main
from pyg_fusion.datasets import MultiViewTables


def _write(tmp_path, a):
    rng = np.random.default_rng(0)
    (tmp_path / "a.csv").write_text(a)
    (tmp_path / "b.csv").write_text("g1,g2\n" + "".join(
        f"{rng.normal():.3f},{rng.normal():.3f}\n" for _ in range(4)))
    (tmp_path / "y.csv").write_text("y\n0\n1\n0\n1\n")
    return str(tmp_path / "a.csv"), str(tmp_path / "b.csv"), str(tmp_path / "y.csv")


@pytest.mark.parametrize("a,index_col", [
    ('f1,f2\n"1,5",2\n"3,25",4\n"2,5",1\n"4,5",3\n', "auto"),  # quoted comma numbers (_io)
    ("color,size\nred,1\nblue,2\nred,3\nblue,4\n", "auto"),    # categories (_auto_index)
    ("f1,f2\n0.5,1\nx,2\n1.5,3\n2.5,4\n", "auto"),             # one odd cell in column 0
    ("f1,f2\ns0,0.5,1\ns1,1.5,2\ns2,2.5,3\ns3,3.5,4\n", None),  # R's header one short
])
def test_a_view_among_several_is_named_in_the_hint(tmp_path, a, index_col):
    a, b, y = _write(tmp_path, a)
    with pytest.raises(ValueError) as several:
        MultiViewTables(str(tmp_path / "r1"), [a, b], y, index_col=index_col, log=False)
    # the other files' values given beside it are kept (a None for every file
    # would otherwise turn b and the labels back to "auto")
    hint, flag = (("{'a': 0}", "a=0") if index_col == "auto" else
                  ("{'a': 0, 'b': None, 'labels': None}", "a=0,b=none,labels=none"))
    assert f"index_col={hint}" in str(several.value)
    assert f"--index-col {flag}" in str(several.value)
    # one view: the single value, which the docs give
    with pytest.raises(ValueError) as one:
        MultiViewTables(str(tmp_path / "r2"), [a], y, index_col=index_col, log=False)
    assert re.search(r"index_col=0\b", str(one.value)) and "--index-col 0" in str(one.value)


def test_the_cli_names_the_view(tmp_path, capsys):
    a, b, y = _write(tmp_path, "color,size\nred,1\nblue,2\nred,3\nblue,4\n")
    assert main(["train", "--dataset", "tables", "--root", str(tmp_path / "r"), "--views", a, b,
                 "--labels", y, "--epochs", "1", "--out", str(tmp_path / "o"),
                 "--no-progress"]) == 2
    assert "(pyg-fusion: --index-col a=0)" in capsys.readouterr().err
