"""datasets/README.md says which `header` values the table readers take and
what a file of decimal commas gets: each statement is quoted (so that it
cannot be edited away unnoticed) beside what read_table does."""
from pathlib import Path

import numpy as np
import pytest

README = Path(__file__).resolve().parent.parent / "datasets" / "README.md"


def _said(quote: str) -> None:
    assert quote in " ".join(README.read_text().split()), \
        f"datasets/README.md no longer says {quote!r}: update this test"


@pytest.mark.parametrize("header,meaning", [(0, "is header=True here"),
                                            (None, "is header=False")])
def test_pandas_header_values_are_refused_naming_their_meaning(header, meaning, tmp_path):
    from pyg_fusion.datasets.tables import read_table
    _said("pandas' `header=0` (here `True`) and `header=None` (here `False`) are refused, "
          "naming their meaning here")
    np.save(tmp_path / "a.npy", np.ones((3, 2)))
    with pytest.raises(ValueError, match=meaning):
        read_table(str(tmp_path / "a.npy"), header=header)


def test_a_decimal_comma_file_is_an_error_saying_so(tmp_path):
    from pyg_fusion.datasets.tables import read_table
    _said("a numeric file that fails to parse and holds a number with a comma inside "
          "(`1,5;2,3`, `\"1,5\",\"2,3\"`) is an error saying so")
    for name, text in (("semi.csv", "1,5;2,3\n0,5;1,0\n"),
                       ("quoted.csv", '"1,5","2,3"\n"0,5","1,0"\n')):
        (tmp_path / name).write_text(text)
        with pytest.raises(ValueError, match="a number with a comma inside"):
            read_table(str(tmp_path / name))
