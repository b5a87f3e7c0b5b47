"""A view column that holds the labels (a table exported with its label
column, or a code of the labels: 1 - y, a class's number) was read as a
feature without a word: the model read the label, its scores perfect."""
import warnings

import numpy as np
import pytest

from pyg_fusion import PygFusionNotice
from pyg_fusion.datasets import MultiViewTables

Y = [0, 1, 2, 0, 1, 2, 0, 1, 2, 1]


def _root(tmp_path, view, labels):
    raw = tmp_path / "raw"
    raw.mkdir(parents=True, exist_ok=True)
    (raw / "v.csv").write_text(view)
    (raw / "y.csv").write_text(labels)
    return str(tmp_path)


def _view(column, header="a,b,c\n", ids=False):
    rng = np.random.default_rng(0)
    rows = [(f"s{i}," if ids else "") + f"{rng.normal():.4f},{rng.normal():.4f},{c}\n"
            for i, c in enumerate(column)]
    return ("id," if ids else "") + header + "".join(rows)


@pytest.mark.parametrize("column,labels", [
    (Y, Y),                                   # the labels themselves
    ([2 - y for y in Y], Y),                  # a code of them
    ([7.5 * y for y in Y], [f"c{y}" for y in Y]),  # text labels, a number per class
])
def test_a_column_of_the_labels_is_noticed(tmp_path, column, labels):
    root = _root(tmp_path, _view(column), "".join(f"{v}\n" for v in labels))
    with pytest.warns(PygFusionNotice, match=r"view 'v': column 2 \('c'\) of .*v.csv holds "
                      r"one value per class, another for each: the labels .*label leakage.* "
                      r"leave that column out of the view"):
        ds = MultiViewTables(root, ["v.csv"], "y.csv", log=False)
    assert ds[0].x_v.shape == (10, 3)  # read all the same


def test_the_file_column_counts_the_ids(tmp_path):
    root = _root(tmp_path, _view(Y, ids=True), "".join(f"{v}\n" for v in Y))
    with pytest.warns(PygFusionNotice, match=r"column 3 \('c'\) of"):
        MultiViewTables(root, ["v.csv"], "y.csv", log=False)


@pytest.mark.parametrize("column", [
    [0, 1, 2, 0, 1, 2, 0, 1, 2, 2],           # one row of another class's value
    [0, 1, 1, 0, 1, 1, 0, 1, 1, 1],           # two classes share a value
])
def test_other_columns_are_no_labels(tmp_path, column):
    root = _root(tmp_path, _view(column), "".join(f"{v}\n" for v in Y))
    with warnings.catch_warnings():
        warnings.simplefilter("error", PygFusionNotice)
        MultiViewTables(root, ["v.csv"], "y.csv", log=False)
