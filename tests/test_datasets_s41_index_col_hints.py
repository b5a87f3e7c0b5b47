"""The hints to pass ``index_col`` for one file of several keep the other
files' values: ``index_col=0`` given for every file and an array whose column
0 holds the row numbers was answered ``index_col={'b': None}``, which turned
the text file's ids back to ``"auto"`` (ids 1000.. a feature, without a word)."""
import ast
import re

import numpy as np
import pytest

from pyg_fusion.cli._flag_types import index_column, per_source
from pyg_fusion.datasets import MultiViewTables


def _files(tmp_path):
    rng = np.random.default_rng(0)
    n = 12
    np.savetxt(tmp_path / "a.csv", np.c_[np.arange(1000, 1000 + n), rng.normal(size=(n, 2))],
               delimiter=",", fmt="%g")
    np.save(tmp_path / "b.npy", np.c_[np.arange(n), rng.normal(size=(n, 2))])
    np.savetxt(tmp_path / "y.csv", np.array(["cat", "dog", "fox"])[np.arange(n) % 3], fmt="%s")
    return [str(tmp_path / "a.csv"), str(tmp_path / "b.npy")], str(tmp_path / "y.csv")


@pytest.mark.parametrize("given", [0, {"a": 0}])
def test_the_hint_for_an_array_keeps_the_text_files_ids(tmp_path, given):
    views, labels = _files(tmp_path)
    with pytest.raises(ValueError, match="row numbers") as err:
        MultiViewTables(str(tmp_path / "r0"), views, labels, index_col=given, log=False)
    hint = ast.literal_eval(re.search(r"index_col=(\{[^}]*\})", str(err.value)).group(1))
    data = MultiViewTables(str(tmp_path / "r1"), views, labels, index_col=hint, log=False)[0]
    assert data.x_a.shape == (12, 2) and data.x_b.shape == (12, 3)  # a's ids dropped, b kept
    # the CLI's form of the same answer
    flag = re.search(r"\(pyg-fusion: --index-col (\S+)\)", str(err.value)).group(1)
    assert {k: None if v == "none" else v
            for k, v in per_source(index_column, "file")(flag).items()} == hint


def test_the_hint_under_auto_names_the_file_alone(tmp_path):
    views, labels = _files(tmp_path)
    np.savetxt(views[0], np.random.default_rng(1).normal(size=(12, 2)), delimiter=",")
    with pytest.raises(ValueError, match=re.escape("index_col={'b': None} to keep")):
        MultiViewTables(str(tmp_path / "r0"), views, labels, log=False)
