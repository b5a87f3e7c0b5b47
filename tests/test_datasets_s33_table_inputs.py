"""Table files and arguments as users bring them: numpy's bools for header,
pandas' header forms, numbers written with a decimal comma."""
import numpy as np
import pytest

from pyg_fusion.datasets import MultiViewTables
from pyg_fusion.datasets._io import read_table


def _files(root):
    raw = root / "raw"
    raw.mkdir(parents=True)
    (raw / "v.csv").write_text("a,b\n1,2\n3,4\n5,6\n")
    (raw / "y.csv").write_text("label\nx\ny\nx\n")
    return raw


def test_a_numpy_bool_header_is_a_bool(tmp_path):
    # header=np.bool_(True) was refused when the labels file was read ('header
    # must be True, False or 'auto', got np.True_'), the views having taken it
    _files(tmp_path)
    ds = MultiViewTables(tmp_path, ["v.csv"], "y.csv", header=np.bool_(True), log=False)
    assert ds[0].x_v.tolist() == [[1, 2], [3, 4], [5, 6]] and ds.classes == ["x", "y"]
    assert ds.options["header"] is True  # plain in the cache key


@pytest.mark.parametrize("header", [0, 1, None, "yes"])
def test_other_headers_are_refused_before_any_file_is_read(tmp_path, header):
    # header=0 (pandas: the first row is the header) read as False here in the
    # views' reader, and header=1 as True, and only the labels' refused them
    with pytest.raises(ValueError, match="header must be True, False or 'auto'") as exc:
        MultiViewTables(tmp_path / "none", ["v.csv"], "y.csv", header=header, log=False)
    assert ("pandas' header=0" in str(exc.value)) == (header != "yes")
    assert not (tmp_path / "none").exists()


@pytest.mark.parametrize("text", ["1,5;2,3\n4,0;5,5\n", "a;b\n1,5;2,3\n4,0;5,5\n",
                                  '"1,5","2,3"\n"4,0","5,5"\n', "1,5\t2,3\n4,0\t5,5\n",
                                  "1,5 2,3\n4,0 5,5\n", 'a,b\n"1,500",2\n3,4\n'])
def test_a_decimal_comma_is_named(tmp_path, text):
    # a European CSV said "line 2, column 1: '0;5' is not a number (pass
    # index_col / header if it is an id or a header ...)": its first row taken
    # for a header, and no word of the commas
    path = tmp_path / "a.csv"
    path.write_text(text)
    with pytest.raises(ValueError, match=r"holds '1,5\d*', a number with a comma inside \(a "
                                         r"decimal comma, or a thousands separator\)"):
        read_table(str(path), what="view 'a'")


def test_semicolon_tables_of_decimal_points_read_as_before(tmp_path):
    path = tmp_path / "a.csv"
    path.write_text("id;a;b\ns1;1.5;2\ns2;3;4\n")
    t = read_table(str(path))
    assert t.values.tolist() == [[1.5, 2], [3, 4]] and t.index == ["s1", "s2"]
