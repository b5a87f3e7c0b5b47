"""Text tables with a column of row ids: their numbers are parsed by
np.loadtxt as those of a table without ids (they were converted cell by cell
in Python, ~3x slower), and a column number past the table is named as given."""
import numpy as np
import pytest

from pyg_fusion.datasets import MultiViewTables
from pyg_fusion.datasets import _io
from pyg_fusion.datasets._io import read_table

VALUES = np.arange(12, dtype=np.float64).reshape(4, 3) / 8 - 0.5


def _rows(ids, sep=","):
    return "".join(sep.join([i, *map(repr, map(float, r))]) + "\n" for i, r in zip(ids, VALUES))


CASES = {
    # (file text, read_table's keywords, the ids)
    "ids named id": ("id,a,b,c\n" + _rows(["s0", "s1", "s2", "s3"]), {}, ["s0", "s1", "s2", "s3"]),
    "ids without a name": (",a,b,c\n" + _rows("0123"), {}, list("0123")),
    "ids without a header": (_rows(["u", "v", "w", "x"]), {"header": False}, list("uvwx")),
    "ids, whitespace": (_rows(["u", "v", "w", "x"], " "), {"header": False}, list("uvwx")),
    "ids given": ("id,a,b,c\n" + _rows("0123"), {"index_col": 0, "header": True}, list("0123")),
}


@pytest.mark.parametrize("name", CASES)
def test_the_numbers_of_a_table_with_ids_are_not_converted_cell_by_cell(tmp_path, monkeypatch,
                                                                       name):
    text, kw, ids = CASES[name]
    path = tmp_path / ("t.txt" if "whitespace" in name else "t.csv")
    path.write_text(text)
    calls = []

    def to_float(cell):
        calls.append(cell)
        return _io_to_float(cell)
    _io_to_float = _io.to_float
    monkeypatch.setattr(_io, "to_float", to_float)
    table = read_table(str(path), **kw)
    np.testing.assert_array_equal(table.values, VALUES)
    assert table.index == ids
    assert table.header == (None if "without a header" in name or "whitespace" in name
                            else ["a", "b", "c"])
    assert calls == []  # the general path converted every one of its 12 cells in Python


def test_a_table_of_true_false_and_ids_still_reads(tmp_path):
    # cells np.loadtxt does not read (pandas' bool columns) take the general path
    (tmp_path / "t.csv").write_text("id,a,b\ns0,True,1\ns1,False,\u22122\n")
    table = read_table(str(tmp_path / "t.csv"))
    np.testing.assert_array_equal(table.values, [[1, 1], [0, -2]])
    assert table.index == ["s0", "s1"]


def test_an_index_column_past_the_table_is_named_as_the_user_gave_it(tmp_path):
    # 'no column 5 for index_col (pyg-fusion: --index-col) to take': neither the
    # value nor, of several views, the file's own form (--index-col b=5)
    raw = tmp_path / "raw"
    raw.mkdir()
    (raw / "a.csv").write_text(_rows(["u", "v", "w", "x"]))
    (raw / "b.csv").write_text("".join(f"{i}.5\n" for i in range(4)))
    (raw / "y.csv").write_text("0\n1\n0\n1\n")
    with pytest.raises(ValueError, match=r"view 'b': .*b.csv has 1 column\(s\), no column 5 "
                       r"for index_col=\{'b': 5\} \(pyg-fusion: --index-col b=5\) to take"):
        MultiViewTables(str(tmp_path), ["a.csv", "b.csv"], "y.csv",
                        index_col={"a": 0, "b": 5}, log=False)
