"""Numbers written with thousands separators in a user's table: a comma
that is also the delimiter cut each number into two features without a
word; a space, no-break space or apostrophe was 'not a number' with advice
about ids and headers, or a comma found in a cell cut at the spaces."""
import numpy as np
import pytest

from pyg_fusion.datasets._io import read_table

VALUES = [[1037, 2500, 1980], [4512, 1099, 3001], [2048, 5060, 1200]]


def _write(tmp_path, text, name="a.csv"):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return str(path)


@pytest.mark.parametrize("sep,header", [(",", ""), (",", "a,b,c\n"), ("  ", "")])
def test_a_thousands_separator_that_is_the_delimiter_is_refused(tmp_path, sep, header):
    # '1,037,2,500,980' was read as the five features 1, 37, 2, 500, 980
    group = "," if sep == "," else " "
    text = header + "".join(sep.join(f"{v:,}".replace(",", group) for v in row) + "\n"
                            for row in VALUES)
    with pytest.raises(ValueError, match=r"line [12], columns 0 and 1 read '1[, ]037': a "
                       r"number whose thousands separator is the delimiter .* cut into two "
                       r"cells\? .* save numbers without a thousands separator \(1500"):
        read_table(_write(tmp_path, text, "a.csv" if sep == "," else "a.txt"))


def test_rows_of_other_widths_name_the_thousands(tmp_path):
    text = "980,1,037\n1,500,20,30\n"
    with pytest.raises(ValueError, match=r"line 2 has 4 fields, expected 3 .*; line 1 holds "
                       r"'1,037': numbers whose thousands separator is the delimiter\?"):
        read_table(_write(tmp_path, text))


@pytest.mark.parametrize("group,what", [(" ", "a space"), ("\u00a0", "a no-break space"),
                                        ("\u202f", "a narrow no-break space"),
                                        ("'", "an apostrophe")])
@pytest.mark.parametrize("delimiter", [",", "\t", ";"])
def test_other_thousands_separators_are_named(tmp_path, group, what, delimiter):
    text = "".join(delimiter.join(f"{v:,}".replace(",", group) for v in row) + "\n"
                   for row in VALUES)
    with pytest.raises(ValueError, match=rf"line 1 holds .1.{{1,6}}037., a number whose thousands "
                       rf"are separated by {what}; expected numbers without a thousands "
                       rf"separator"):
        read_table(_write(tmp_path, text))


def test_numbers_without_separators_read_as_before(tmp_path):
    rng = np.random.default_rng(0)
    whole = rng.integers(0, 1000, size=(20, 4))
    for fmt in ("%d", "%03d"):  # zero-padded columns, none beside a lead of 1-3 digits
        path = tmp_path / "w.csv"
        np.savetxt(path, whole, fmt=fmt, delimiter=",")
        np.testing.assert_array_equal(read_table(str(path)).values, whole)
    np.testing.assert_array_equal(read_table(_write(tmp_path, "1037,2500\n4512,1099\n")).values,
                                  [[1037, 2500], [4512, 1099]])
