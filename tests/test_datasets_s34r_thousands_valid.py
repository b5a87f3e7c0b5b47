"""Valid tables that 8d9fe3a's check of numbers cut at a thousands separator
refused: a header that names as many columns as the rows hold (nothing was
cut), ids beside zero-padded codes, and ';' or tab files (no locale groups
thousands with either)."""
import numpy as np
import pytest

from pyg_fusion.datasets._io import read_table

ROWS = [[34, 7, 0.5], [51, 42, 1.5], [27, 913, 2.5]]


def _text(sep, header=""):
    return header + "".join(sep.join((str(a), f"{b:03d}", str(c))) + "\n" for a, b, c in ROWS)


@pytest.mark.parametrize("sep,name", [(",", "a.csv"), ("  ", "a.txt")])
def test_a_header_naming_every_column_means_nothing_was_cut(tmp_path, sep, name):
    # age, a zero-padded code, a value: 'age,code,x' names the three columns
    path = tmp_path / name
    path.write_text(_text(sep, sep.join(("age", "code", "x")) + "\n"), encoding="utf-8")
    np.testing.assert_array_equal(read_table(str(path)).values, ROWS)


def test_ids_beside_zero_padded_codes_are_no_cut_number(tmp_path):
    path = tmp_path / "a.csv"
    path.write_text("".join(f"{i},{b:03d},{c}\n" for i, (_, b, c) in enumerate(ROWS, 1)),
                    encoding="utf-8")
    table = read_table(str(path), index_col=0)
    np.testing.assert_array_equal(table.values, [[b, c] for _, b, c in ROWS])


@pytest.mark.parametrize("sep", [";", "\t"])
def test_semicolon_and_tab_files_are_never_cut_at_thousands(tmp_path, sep):
    path = tmp_path / "a.txt"
    path.write_text(_text(sep), encoding="utf-8")
    np.testing.assert_array_equal(read_table(str(path)).values, ROWS)
