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


@pytest.mark.parametrize("name,text,said", [
    ("w.csv", "400,410,420\n0.1,0.2,0.3\n0.4,0.5,0.6\n", "a header of numeric column names"),
    ("na.csv", "0.1,0.2\nNA,0.3\n", "'NA', a missing value"),
    ("null.csv", "0.1,0.2\nNULL,0.3\n", "'NULL', a missing value"),
])
def test_numeric_column_names_and_missing_markers_are_as_stated(name, text, said, tmp_path):
    from pyg_fusion.datasets.tables import read_table
    _said("a first row of whole numbers in increasing or decreasing order over rows that each "
          "hold a decimal (numeric column names such as wavelengths `400,410,420`, or years)")
    _said("or a missing-value marker: `NA`, `?`, `n/a`, `NULL`) are errors naming the file")
    (tmp_path / name).write_text(text)
    with pytest.raises(ValueError, match=said):
        read_table(str(tmp_path / name))


def test_spreadsheet_lists_read_as_stated(tmp_path):
    from pyg_fusion.datasets import VADFeatures, VADLayout
    _said("empty cells at the end of a line (`train2.npy,0,`) are dropped, and a list whose "
          "every line holds a tab (or every line a `;`) and none a comma is split on that; a "
          "list whose every line is a `.npy` path, a space and a label (`i3d/a.npy 1`) is split "
          "on spaces. A video listed twice with different labels is an error naming both "
          "labels.")
    raw = tmp_path / "raw"
    (raw / "f").mkdir(parents=True)
    rng = np.random.default_rng(1)
    for split in ("train", "test"):
        for i in range(4):
            np.save(raw / "f" / f"{split}{i}.npy", rng.normal(size=(6, 3)).astype("f4"))
    (raw / "test.list").write_text("".join(f"test{i}.npy,{int(i < 2)}\n" for i in range(4)))
    np.save(raw / "gt.npy", np.tile([0, 1, 1, 0, 0, 0], 4))
    layout = VADLayout(sources={"rgb": "f/{name}.npy"}, train_list="train.list",
                       test_list="test.list", gt="gt.npy", snippet_len=1, labels="list")
    for line in ("train{i}.npy,{y},", "train{i}.npy\t{y}", "train{i}.npy;{y}"):
        (raw / "train.list").write_text(
            "".join(line.format(i=i, y=int(i < 2)) + "\n" for i in range(4)))
        ds = VADFeatures(tmp_path, "train", layout, num_segments=4, log=False,
                         force_reload=True)
        assert [int(d.y) for d in ds] == [1, 1, 0, 0], line
    (raw / "train.list").write_text("train0.npy,1\ntrain1.npy,1\ntrain0.npy,0\ntrain2.npy,0\n")
    with pytest.raises(ValueError, match="listed with the labels '1' and '0'"):
        VADFeatures(tmp_path, "train", layout, num_segments=4, log=False, force_reload=True)


def test_index_columns_and_bool_cells_are_as_stated(tmp_path):
    from pyg_fusion.datasets.tables import read_table
    _said("or when the header is one cell shorter than the rows (R's `write.table`, as "
          "`read.table` reads it)")
    _said("A column 0 named as ids (`id`, `index`, `sample_id`, `row.names`, ...) over whole "
          "numbers is asked about: `index_col=0` or `index_col=None`")
    _said("Feature cells `True` / `False` (any case; pandas writes its bool columns so")
    (tmp_path / "r.csv").write_text('"x","y"\n"1",1.5,2\n"2",2.5,3\n')
    assert read_table(str(tmp_path / "r.csv")).values.tolist() == [[1.5, 2.0], [2.5, 3.0]]
    (tmp_path / "id.csv").write_text("id,x\n1,0.5\n2,0.7\n3,0.9\n")
    with pytest.raises(ValueError, match=r"index_col=0 or index_col=None"):
        read_table(str(tmp_path / "id.csv"))
    (tmp_path / "b.csv").write_text("a,b\nTrue,0.5\nfalse,0.7\n")
    assert read_table(str(tmp_path / "b.csv")).values.tolist() == [[1.0, 0.5], [0.0, 0.7]]


def test_one_hot_labels_excel_sep_lines_and_typeset_minus_are_as_stated(tmp_path):
    from pyg_fusion.datasets import MultiViewTables
    from pyg_fusion.datasets.tables import read_table
    _said("So are one-hot labels (three columns or more of 0 / 1, one 1 in every row)")
    _said("Excel's first line `sep=;` (or `,`, tab, `|`) gives the delimiter and is dropped; a "
          "number with the typeset minus sign `−` (U+2212, copied from a PDF) reads as negative.")
    (tmp_path / "s.csv").write_text("sep=;\nx;y\n1.5;\u22122.5\n0.5;1.0\n", encoding="utf-8")
    assert read_table(str(tmp_path / "s.csv")).values.tolist() == [[1.5, -2.5], [0.5, 1.0]]
    np.save(tmp_path / "v.npy", np.random.default_rng(0).normal(size=(6, 2)))
    np.save(tmp_path / "y.npy", np.eye(3)[[0, 1, 2, 0, 1, 2]])
    with pytest.raises(ValueError, match="one-hot labels"):
        MultiViewTables(str(tmp_path / "root"), [str(tmp_path / "v.npy")],
                        str(tmp_path / "y.npy"), log=False)
