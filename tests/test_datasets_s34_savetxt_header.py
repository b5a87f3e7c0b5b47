"""np.savetxt's '# ' lines in a user's table: a header of several lines
and a footer were read as rows; a header repeated inside a file (two files
joined) was 'not a number' with advice about index columns."""
import io

import numpy as np
import pytest

from pyg_fusion.datasets import MultiViewTables
from pyg_fusion.datasets._io import read_table

X = np.arange(12, dtype=float).reshape(4, 3) / 7


def _savetxt(tmp_path, name, array, **kw):
    buf = io.StringIO()
    np.savetxt(buf, array, **kw)
    (tmp_path / name).write_text(buf.getvalue())
    return str(tmp_path / name)


@pytest.mark.parametrize("kw", [dict(header="a,b,c\nunits: cm"), dict(header="made by x\na,b,c"),
                                dict(header="a,b,c", footer="end of table"),
                                dict(header="note\nmore"), dict(footer="end")])
def test_savetxt_header_and_footer_lines_are_no_rows(tmp_path, kw):
    # 'line 3 has 3 fields, expected 1 like the first data row'
    table = read_table(_savetxt(tmp_path, "a.csv", X, delimiter=",", **kw))
    np.testing.assert_allclose(table.values, X)


def test_savetxt_files_make_a_graph(tmp_path):
    view = _savetxt(tmp_path, "a.csv", np.tile(X, (10, 1)), delimiter=",",
                    header="a,b,c\nunits: cm")
    labels = _savetxt(tmp_path, "y.txt", np.arange(40) % 2, fmt="%d", header="label\n0 / 1")
    ds = MultiViewTables(str(tmp_path / "root"), [view], labels, log=False)
    assert ds[0].num_nodes == 40 and ds.classes == ["0", "1"]
    np.testing.assert_allclose(ds[0].x_a[:4].numpy(), X, rtol=1e-6)


def test_a_header_repeated_inside_is_named(tmp_path):
    path = tmp_path / "a.csv"
    path.write_text("a,b,c\n1,2,3\n4,5,6\na,b,c\n7,8,9\n")
    with pytest.raises(ValueError, match=r"a.csv line 4 repeats the header row \(a,b,c\): "
                       r"files joined one after another \(cat a.csv b.csv\)\? Keep the first "
                       r"header only"):
        read_table(str(path))


def test_joined_files_with_byte_order_marks(tmp_path):
    # each file's mark began a line inside the joined one: "'\ufeff7' is not a number"
    bom = "\ufeff"
    path = tmp_path / "j.csv"
    path.write_text(f"{bom}1,2,3\n4,5,6\n{bom}7,8,9\n", encoding="utf-8")
    np.testing.assert_array_equal(read_table(str(path)).values, [[1, 2, 3], [4, 5, 6],
                                                                 [7, 8, 9]])
    path.write_text(f"{bom}a,b,c\n1,2,3\n{bom}a,b,c\n7,8,9\n", encoding="utf-8")
    with pytest.raises(ValueError, match=r"line 3 repeats the header row \(a,b,c\)"):
        read_table(str(path))
