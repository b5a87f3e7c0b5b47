"""Two views written by pandas with their ids, one sorted by a column
(wine's colour view by proline): 'rows are not aligned: row 0 is '0' in a.csv
but '80' in b.csv', with no word of what to do. The same ids in another order
now say so, with the way out; other ids keep the message as it was."""
import numpy as np
import pandas as pd
import pytest

from pyg_fusion.datasets import MultiViewTables


def _write(tmp_path, order_b, ids_b=None):
    rng = np.random.default_rng(0)
    raw = tmp_path / "raw"
    raw.mkdir(exist_ok=True)
    a = pd.DataFrame(rng.normal(size=(12, 2)), columns=["p", "q"])
    b = pd.DataFrame(rng.normal(size=(12, 3)), columns=["r", "s", "t"])
    if ids_b is not None:
        b.index = ids_b
    a.to_csv(raw / "a.csv")
    b.loc[order_b].to_csv(raw / "b.csv") if ids_b is None else b.to_csv(raw / "b.csv")
    pd.Series(np.repeat(["x", "y"], 6), name="label").to_csv(raw / "y.csv")
    return lambda: MultiViewTables(str(tmp_path), {"a": "a.csv", "b": "b.csv"}, "y.csv",
                                   log=False)


def test_same_ids_in_another_order_say_to_sort(tmp_path):
    load = _write(tmp_path, order_b=list(range(11, -1, -1)))
    with pytest.raises(ValueError, match=r"row 0 is '0' in .*a\.csv but '11' in .*b\.csv; "
                                         r"both hold the same ids in another order: .*"
                                         r"df\.sort_index\(\)\.to_csv\(path\)"):
        load()


def test_other_ids_keep_the_plain_message(tmp_path):
    load = _write(tmp_path, order_b=None, ids_b=list(range(100, 112)))
    with pytest.raises(ValueError, match=r"rows are not aligned") as err:
        load()
    assert "another order" not in str(err.value)
