"""One file with row ids (a CSV of string ids, sorted by another column)
beside .npy views and labels without ids: its rows were paired with theirs by
position, without a word. A notice now names the file with ids and says the
rows are paired by position (ids that are the row numbers say no more)."""
import warnings

import numpy as np
import pytest

from pyg_fusion import PygFusionNotice
from pyg_fusion.datasets import MultiViewTables

N = 12


@pytest.fixture
def raw(tmp_path):
    rng = np.random.default_rng(0)
    (tmp_path / "raw").mkdir()
    np.save(tmp_path / "raw" / "b.npy", rng.normal(size=(N, 3)))
    (tmp_path / "raw" / "y.csv").write_text("".join(
        f"{'cat' if i < N // 2 else 'dog'}\n" for i in range(N)))
    return tmp_path


def _csv(path, ids, x):
    path.write_text("id,p,q\n" + "".join(f"{i},{a:.4f},{b:.4f}\n" for i, (a, b) in zip(ids, x)))


def _load(root, **kw):
    return MultiViewTables(str(root), {"a": "a.csv", "b": "b.npy"}, "y.csv", log=False, **kw)


def test_one_file_of_ids_is_noticed_as_paired_by_position(raw):
    order = np.random.default_rng(1).permutation(N)  # sorted by another column
    x = np.random.default_rng(2).normal(size=(N, 2))
    _csv(raw / "raw" / "a.csv", [f"s{i}" for i in order], x[order])
    with pytest.warns(PygFusionNotice, match=rf"rows are paired by position, unchecked: "
                                             rf".*a\.csv has row ids \('s{order[0]}', "
                                             rf"'s{order[1]}', \.\.\.\), .*b\.npy, .*y\.csv "
                                             rf"none"):
        data = _load(raw)[0]
    assert data.x_a.shape == (N, 2)  # built as before


@pytest.mark.parametrize("ids", [list(range(N)), list(range(1, N + 1))],
                         ids=["pandas-index", "R-row-names"])
def test_row_number_ids_say_no_more_than_the_position(raw, ids):
    _csv(raw / "raw" / "a.csv", ids, np.random.default_rng(2).normal(size=(N, 2)))
    with warnings.catch_warnings():
        warnings.simplefilter("error", PygFusionNotice)
        assert _load(raw, index_col={"a": 0})[0].x_a.shape == (N, 2)


def test_ids_in_every_file_are_checked_not_noticed(raw, tmp_path):
    (raw / "raw" / "b.npy").unlink()
    x = np.random.default_rng(2).normal(size=(N, 2))
    for name in ("a", "b"):
        _csv(raw / "raw" / f"{name}.csv", [f"s{i}" for i in range(N)], x)
    (raw / "raw" / "y.csv").write_text("".join(
        f"s{i},{'cat' if i < N // 2 else 'dog'}\n" for i in range(N)))
    with warnings.catch_warnings():
        warnings.simplefilter("error", PygFusionNotice)
        MultiViewTables(str(raw), {"a": "a.csv", "b": "b.csv"}, "y.csv", log=False)
