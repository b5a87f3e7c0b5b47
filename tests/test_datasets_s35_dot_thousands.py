"""Numbers whose thousands a dot groups (German, Italian, Spanish exports,
usually ';'-separated with decimal commas): a column 0 of '1.234,5' cells,
none a number, was taken for row ids and dropped without a word; where a
dot cannot be told from a decimal point (1.234), a file of decimal commas
says what replacing the commas with dots would read."""
import pytest

from pyg_fusion.datasets import MultiViewTables
from pyg_fusion.datasets._io import read_table


def _write(tmp_path, text, name="a.csv"):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return str(path)


@pytest.mark.parametrize("text,cell", [
    ("a;b\n1.234,5;5\n2.345,25;1\n", "1.234,5"),  # column 0 read as ids before
    ("a;b\n1.234.567;5\n2.345;1\n", "1.234.567"),
    ("a;b\n1.234,5;0,5\n200,25;1,5\n", "1.234,5"),
    ("a,b\n-1.234.567,5\n2,1\n", "-1.234.567"),
    ("a b\n1.234.567 5\n2 1\n", "1.234.567"),
])
def test_dots_that_group_thousands_are_refused(tmp_path, text, cell):
    with pytest.raises(ValueError, match=rf"a.csv line 2 holds '{cell}', a number whose "
                                         rf"thousands are separated by a dot; expected numbers "
                                         rf"without a thousands separator"):
        read_table(_write(tmp_path, text))


def test_a_dotted_id_column_is_refused_with_the_way_out(tmp_path):
    v = _write(tmp_path, "a;b\n1.234,5;5\n2.345,25;1\n3.456,5;2\n4.567,5;3\n", "v.csv")
    y = _write(tmp_path, "0\n1\n0\n1\n", "y.csv")
    with pytest.raises(ValueError, match=r"separated by a dot.* \(if column 0 holds row ids, "
                                         r"pass index_col=0; pyg-fusion: --index-col 0\)"):
        MultiViewTables(str(tmp_path / "root"), [v], y, log=False)


def test_decimal_commas_beside_three_decimals_name_both(tmp_path):
    path = _write(tmp_path, "a;b\n1.234;0,5\n2.345;1,5\n")
    with pytest.raises(ValueError, match=r"line 2 holds '0,5', a number with a comma inside .*; "
                                         r"its '1.234' \(line 2\) may be 1234 with a dot "
                                         r"grouping thousands.*decimal=',', thousands='.'"):
        read_table(path)


def test_three_decimals_alone_are_decimals(tmp_path):
    # 1.234 is 1.234 to every reader: nothing tells it from a thousands group
    assert read_table(_write(tmp_path, "a;b\n1.234;5\n2.345;1\n")).values.tolist() == \
        [[1.234, 5.0], [2.345, 1.0]]


def test_a_column_0_of_ids_with_some_dotted_like_thousands_stays_ids(tmp_path):
    # IP addresses: 192.168.100.200 reads as a dot-grouped number, 10.0.0.1
    # beside it as none: the column holds ids, read as such before fa63bba
    path = tmp_path / "flows.csv"
    path.write_text("ip,a,b\n10.0.0.1,1.5,2\n192.168.100.200,2.5,3\n")
    table = read_table(str(path))
    assert table.index == ["10.0.0.1", "192.168.100.200"]
    assert table.values.tolist() == [[1.5, 2.0], [2.5, 3.0]]
    # a column 0 of dot-grouped numbers alone is refused as fa63bba made it
    path.write_text("id;a\n1.234.567;1\n2.345.678;2\n")
    with pytest.raises(ValueError, match="thousands are separated by a dot"):
        read_table(str(path))
