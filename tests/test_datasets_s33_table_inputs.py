"""Table files and arguments as users bring them: numpy's bools for header,
pandas' header forms, numbers written with a decimal comma."""
import re

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


def _write(root, view, labels):
    raw = root / "raw"
    raw.mkdir(parents=True)
    (raw / "v.csv").write_text(view)
    (raw / "y.csv").write_text(labels)


_DECIMALS = "0.126,-0.132,0.64\n0.105,-0.536,0.362\n1.304,0.947,-0.704\n-1.265,-0.623,0.041\n"


@pytest.mark.parametrize("names, order", [("400,410,420", "increasing"),
                                          ("4000,2000,400", "decreasing")])
def test_numeric_column_names_are_asked_about(tmp_path, names, order):
    # a view of spectra whose header is its wavelengths, beside labels
    # written by pandas (Series(y).to_csv(index=False): header '0'), made one
    # node more whose features were the wavelengths, labelled 0, without a word
    _write(tmp_path, f"{names}\n{_DECIMALS}", "0\n0\n1\n0\n1\n")
    with pytest.raises(ValueError, match=rf"first row is {names}: whole numbers in {order} "
                                         r"order over rows of decimals: .*Say which: "
                                         r"header=True or header=False"):
        MultiViewTables(tmp_path, ["v.csv"], "y.csv", log=False)
    ds = MultiViewTables(tmp_path, ["v.csv"], "y.csv", header=True, log=False)
    assert ds[0].num_nodes == 4 and ds[0].y.tolist() == [0, 1, 0, 1]


@pytest.mark.parametrize("first", ["1,5,9", "1,1,2", "400,410", "1.5,2,3"])
def test_other_first_rows_read_as_before(tmp_path, first):
    # a first row of whole numbers not in order, or over whole-number rows, is data
    body = "3,2,1\n4,5,6\n" if first != "400,410" else "3,2\n4,5\n"
    path = tmp_path / "a.csv"
    path.write_text(f"{first}\n{body}")
    assert read_table(str(path)).values.shape[0] == 3


@pytest.mark.parametrize("cell", ["NA", "?", "n/a", "NULL"])
@pytest.mark.parametrize("column", [0, 1])
def test_a_missing_value_marker_is_named_missing(tmp_path, cell, column):
    # 'NA' said "'NA' is not a number (pass index_col / header if it is an id
    # or a header ...)", in column 0 "pass index_col=0 if column 0 holds row ids"
    rows = [["1", "2"], ["3", "4"], ["5", "6"], ["7", "8"]]
    rows[2][column] = cell
    path = tmp_path / "a.csv"
    path.write_text("".join(",".join(r) + "\n" for r in rows))
    with pytest.raises(ValueError, match=rf"line 3, column {column} is '{re.escape(cell)}', a "
                                         r"missing value: features must be complete"):
        read_table(str(path), what="view 'a'")


def test_a_labels_header_beside_a_trailing_delimiter_is_a_header(tmp_path):
    # 'label,' over 'a,' 'b,' ...: the empty cells of the last column made the
    # header look repeated further down, so 'label' was read as a label and
    # the rows were one apart ('v.csv has 4 rows, y.csv has 5')
    _write(tmp_path, "1,2\n3,4\n5,6\n7,8\n", "label,\na,\nb,\na,\nb,\n")
    with pytest.raises(ValueError, match=r"holds no label: .* is empty in every row \(a "
                                         r"delimiter at the end of each line"):
        MultiViewTables(tmp_path, ["v.csv"], "y.csv", log=False)


@pytest.mark.parametrize("ids", ['"1","2","3","4"', "1,2,3,4", '"r1","r2","r3","r4"'])
def test_r_write_table_row_names_are_the_index(tmp_path, ids):
    # R's write.table writes no name over its row names: the header '"x","y"'
    # over rows '"1",1.5,2' made the row names a feature column, without a word
    rows = "".join(f"{i},{v}.5,{v}\n" for i, v in zip(ids.split(","), (2, 4, 6, 8)))
    path = tmp_path / "a.csv"
    path.write_text('"x","y"\n' + rows)
    t = read_table(str(path))
    assert t.values.tolist() == [[2.5, 2], [4.5, 4], [6.5, 6], [8.5, 8]]
    assert t.index == [i.strip('"') for i in ids.split(",")] and t.header == ["x", "y"]


@pytest.mark.parametrize("name", ["id", "ID", "index", "sample_id", "row.names"])
def test_a_column_of_whole_numbers_named_as_ids_is_asked_about(tmp_path, name):
    # 'id,x' over '0,1.5' read the ids as a feature of every node: the model
    # was given the rows' numbers (in a file sorted by class, the labels)
    path = tmp_path / "a.csv"
    path.write_text(f"{name},x\n0,1.5\n1,2.5\n2,3.5\n")
    with pytest.raises(ValueError, match=rf"column 0 is named '{re.escape(name)}' and holds "
                                         r"whole numbers: row ids, or a feature\? Say which"):
        read_table(str(path))
    assert read_table(str(path), index_col=0).index == ["0", "1", "2"]
    assert read_table(str(path), index_col=None).values.shape == (3, 2)
    # a labels file keeps the column: its label is the last
    assert read_table(str(path), numeric=False).values.shape == (3, 2)


@pytest.mark.parametrize("kind", ["csv", "header", "npy"])
def test_one_hot_labels_are_refused(tmp_path, kind):
    # one-hot labels of 3 classes gave label_column=-1 their last column: a
    # two-class task of class 2 against the rest, without a word
    onehot = np.eye(3, dtype=int)[[0, 1, 2, 0, 1, 2]]
    raw = tmp_path / "raw"
    raw.mkdir()
    np.savetxt(raw / "v.csv", np.arange(12.0).reshape(6, 2), delimiter=",")
    if kind == "npy":
        labels = "y.npy"
        np.save(raw / labels, onehot)
    else:
        labels = "y.csv"
        head = "cat,dog,cow\n" if kind == "header" else ""
        (raw / labels).write_text(head + "".join(",".join(map(str, r)) + "\n" for r in onehot))
    with pytest.raises(ValueError, match=r"holds 3 columns of 0 / 1 with one 1 in every row: "
                                         r"one-hot labels"):
        MultiViewTables(tmp_path, ["v.csv"], labels, log=False)
    # a file of two columns reads its last as before
    np.savetxt(raw / "y2.csv", onehot[:, 1:], delimiter=",", fmt="%d")
    ds = MultiViewTables(tmp_path, ["v.csv"], "y2.csv", log=False)
    assert ds[0].y.tolist() == [0, 0, 1, 0, 0, 1]


@pytest.mark.parametrize("head", ["a_x,a_y,b\n", ""])
def test_pandas_bool_columns_are_ones_and_zeros(tmp_path, head):
    # pd.get_dummies (bool columns since pandas 2.0) then to_csv writes True /
    # False: "'True' is not a number (pass index_col / header if it is an id
    # or a header ...)", or, without a header, the first row taken for one
    path = tmp_path / "a.csv"
    path.write_text(head + "True,False,1.5\nFalse,True,2.5\nfalse,TRUE,3\n")
    t = read_table(str(path))
    assert t.values.tolist() == [[1, 0, 1.5], [0, 1, 2.5], [0, 1, 3]] and t.index is None


@pytest.mark.parametrize("sep", [";", ",", "\t"])
def test_excels_sep_line_names_the_delimiter(tmp_path, sep):
    # Excel's 'sep=;' first line was read as a row: the header became data
    # ("line 2, column 0: 'x' is not a number while 6 other cells ...")
    path = tmp_path / "a.csv"
    path.write_text(f"sep={sep}\n" + "".join(sep.join(r) + "\n" for r in
                                               [["x", "y"], ["1.5", "2"], ["3.5", "4"]]))
    t = read_table(str(path))
    assert t.values.tolist() == [[1.5, 2], [3.5, 4]] and t.header == ["x", "y"]


def test_a_typeset_minus_sign_is_a_minus(tmp_path):
    # U+2212 (copied from typeset text, or some locales' exports) was 'not a number'
    path = tmp_path / "a.csv"
    path.write_text("x,y\n\u22121.5,2\n3.5,\u22124e-1\n")
    assert read_table(str(path)).values.tolist() == [[-1.5, 2], [3.5, -0.4]]


@pytest.mark.parametrize("suffix", ["npy", "npz"])
def test_byte_string_labels_are_text(tmp_path, suffix):
    # np.array([b'cat', b'', ...]) (h5py's strings) gave the classes "b''",
    # "b'cat'", "b'dog'": the empty label a class, not a missing label
    raw = tmp_path / "raw"
    raw.mkdir()
    np.save(raw / "a.npy", np.arange(12.0).reshape(6, 2))
    y = np.array([b"cat", b"dog", b"", b"cat", b"dog", b"cat"])
    np.save(raw / "y.npy", y) if suffix == "npy" else np.savez(raw / "y.npz", y=y)
    ds = MultiViewTables(tmp_path, ["a.npy"], f"y.{suffix}", log=False)
    assert ds.classes == ["cat", "dog"] and ds[0].y.tolist() == [0, 1, -1, 0, 1, 0]
