"""A header row of another width than the data rows: the rows' width was
read and the header's names went to other columns, without a word; a
header one name short (R's write.table) made column 0 row ids even where
it held fractions, dropping a feature."""
import numpy as np
import pytest

from pyg_fusion.datasets._io import read_table

ROWS = "".join(f"{i / 7:.3f},{i}.5,{i},{i + 1}.25,{i * 2},{i}.75\n" for i in range(1, 6))


def _write(tmp_path, text):
    path = tmp_path / "a.csv"
    path.write_text(text)
    return str(path)


@pytest.mark.parametrize("head,kw,hint", [
    ("a,b,c,d\n", {}, r"give the header one name per column"),
    ("a,b,c,d,e,f,g\n", {}, r"give the header one name per column"),
    ("a,b,c,d,e,f,,\n", {}, r"a delimiter at the end of the header line\?"),
    ("a,b,c,d,e\n", {}, r"column 0 holds '0.143', a fraction: no row names"),
    ("a,b,c,d,e\n", {"index_col": None}, r"pass index_col=0 if column 0 holds row ids"),
    ("a,b,c,d,e\n", {"header": True, "index_col": None}, r"pass index_col=0"),
])
def test_a_header_of_another_width_is_refused(tmp_path, head, kw, hint):
    path = _write(tmp_path, head + ROWS)
    width = len(head.strip().split(","))
    with pytest.raises(ValueError, match=rf"a.csv's header row names {width} column\(s\), its "
                                         rf"data rows hold 6 fields \(line 2\): .*{hint}"):
        read_table(path, **kw)


def test_row_names_under_a_short_header_are_still_the_index(tmp_path):
    rows = "".join(f"{i},{i}.5,{i},{i + 1}.25,{i * 2},{i}.75\n" for i in range(1, 6))
    t = read_table(_write(tmp_path, "a,b,c,d,e\n" + rows))
    assert t.index == ["1", "2", "3", "4", "5"] and t.values.shape == (5, 5)
    # index_col=0 given: the user said column 0 holds ids, fractions or not
    t = read_table(_write(tmp_path, "a,b,c,d,e\n" + ROWS), index_col=0)
    assert t.values.shape == (5, 5) and t.header == list("abcde")


def test_savetxt_header_over_numbers_split_on_spaces(tmp_path):
    # np.savetxt(path, X, header="a b c") writes '# a b c': its '#' is no column
    path = tmp_path / "a.txt"
    np.savetxt(path, np.arange(6.0).reshape(2, 3) / 7, header="a b c")
    t = read_table(str(path))
    assert t.header == ["a", "b", "c"] and t.values.shape == (2, 3)
