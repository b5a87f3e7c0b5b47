"""A user's own table files: what a labels file that gives no row a label
is told, and the spreadsheet variants that read as plain CSV."""
import numpy as np
import pytest
import torch

from pyg_fusion.datasets import MultiViewTables

FEATURES = "".join(f"{i}.5,{i}.25\n" for i in range(6))
LABELS = "".join(f"{i % 2}\n" for i in range(6))


def _root(tmp_path, files):
    (tmp_path / "raw").mkdir(parents=True, exist_ok=True)
    for name, text in files.items():
        (tmp_path / "raw" / name).write_bytes(text if isinstance(text, bytes) else text.encode())
    return str(tmp_path)


def test_labels_of_a_trailing_delimiter_name_the_empty_column(tmp_path):
    # '0,' on each line (a spreadsheet's export) said only 'y.csv holds no label'
    root = _root(tmp_path, {"a.csv": FEATURES, "y.csv": LABELS.replace("\n", ",\n")})
    with pytest.raises(ValueError, match=r"y.csv holds no label: its label column "
                       r"\(label_column=-1: column 1, the last of 2\) is empty in every row "
                       r"\(a delimiter at the end of each line makes an empty last column: "
                       r"remove it\)"):
        MultiViewTables(root, ["a.csv"], "y.csv", log=False)


def test_labels_missing_in_every_row_say_so(tmp_path):
    root = _root(tmp_path, {"a.csv": FEATURES, "y.csv": "NA\n?\nNA\n" * 2})
    with pytest.raises(ValueError, match=r"holds no label: its label column \(label_column=-1: "
                       r"column 0 of 1\) is missing in every row \('\?', 'n/a'"):
        MultiViewTables(root, ["a.csv"], "y.csv", header=False, log=False)


@pytest.mark.parametrize("variant", ["crlf", "bom", "cr"])
def test_spreadsheet_line_ends_and_a_bom_read_as_plain_csv(tmp_path, variant):
    change = {"crlf": lambda t: t.replace("\n", "\r\n"), "cr": lambda t: t.replace("\n", "\r"),
              "bom": lambda t: "\ufeff" + t}[variant]
    plain = MultiViewTables(_root(tmp_path / "p", {"a.csv": FEATURES, "y.csv": LABELS}),
                            ["a.csv"], "y.csv", log=False)[0]
    got = MultiViewTables(_root(tmp_path / "v", {"a.csv": change(FEATURES),
                                                 "y.csv": change(LABELS)}),
                          ["a.csv"], "y.csv", log=False)[0]
    assert torch.equal(got.x_a, plain.x_a) and torch.equal(got.y, plain.y)
    assert np.allclose(got.x_a[:, 0].numpy(), np.arange(6) + 0.5)


def test_a_utf16_file_with_its_mark_is_read(tmp_path):
    # Excel's "Unicode Text" export (UTF-16 with a byte-order mark, tabs) was
    # refused: "not UTF-8 text: byte b'\xff' at offset 0"
    plain = MultiViewTables(_root(tmp_path / "p", {"a.csv": FEATURES, "y.csv": LABELS}),
                            ["a.csv"], "y.csv", log=False)[0]
    got = MultiViewTables(_root(tmp_path / "u", {
        "a.txt": FEATURES.replace(",", "\t").encode("utf-16"),
        "y.txt": LABELS.encode("utf-16-be").join([b"\xfe\xff", b""])}),
        ["a.txt"], "y.txt", log=False)[0]
    assert torch.equal(got.x_a, plain.x_a) and torch.equal(got.y, plain.y)
    # cut in the middle of a character: neither UTF-8 nor UTF-16
    _root(tmp_path / "b", {"a.csv": FEATURES.encode("utf-16")[:-1], "y.csv": LABELS})
    with pytest.raises(ValueError, match=r"a.csv: not UTF-8 text: byte b'\\xff' at offset 0 "
                       r"\(nor UTF-16, which its first two bytes mark\)"):
        MultiViewTables(str(tmp_path / "b"), ["a.csv"], "y.csv", log=False)


def test_the_labels_file_given_as_a_view_is_refused(tmp_path):
    # views=['a.csv', 'y.csv'] (a folder's files: --views data/*.csv) made the
    # labels a feature of every node, without a word
    root = _root(tmp_path, {"a.csv": FEATURES, "y.csv": LABELS})
    with pytest.raises(ValueError, match=r"view 'y' is the labels file .*y.csv: the labels "
                       r"would be features of every node; leave it out of the views"):
        MultiViewTables(root, ["a.csv", "y.csv"], "y.csv", log=False)
    # by another path to the same file, too
    with pytest.raises(ValueError, match=r"view 'lab' is the labels file"):
        MultiViewTables(root, {"a": "a.csv", "lab": str(tmp_path / "raw" / "y.csv")}, "y.csv",
                        log=False)


@pytest.mark.parametrize("suffix", [".npy", ".npz"])
def test_complex_features_are_refused(tmp_path, suffix):
    # their imaginary parts were dropped, with numpy's ComplexWarning alone
    (tmp_path / "raw").mkdir()
    values = np.ones((6, 2), np.complex64) * (1 + 2j)
    save = np.save if suffix == ".npy" else (lambda p, a: np.savez(p, a=a))
    save(tmp_path / "raw" / f"a{suffix}", values)
    (tmp_path / "raw" / "y.csv").write_text(LABELS)
    with pytest.raises(ValueError, match=r"holds complex64 values, expected real numbers"):
        MultiViewTables(str(tmp_path), [f"a{suffix}"], "y.csv", log=False)


def test_an_index_column_past_the_table_names_the_file_and_flag(tmp_path):
    # 'index_col must be None, 'auto' or a column number in [0, 2), got 5':
    # neither the file (--index-col applies to every text file) nor the flag
    root = _root(tmp_path, {"a.csv": FEATURES, "y.csv": "".join(f"s{i},{i % 2}\n"
                                                               for i in range(6))})
    with pytest.raises(ValueError, match=r"view 'a': .*a.csv has 2 column\(s\), no column 5 "
                       r"for index_col=5 \(pyg-fusion: --index-col 5\) to take: give a column "
                       r"number in \[0, 2\), or none"):
        MultiViewTables(root, ["a.csv"], "y.csv", index_col=5, log=False)


def test_view_names_given_twice_or_not_names_say_so(tmp_path):
    from pyg_fusion.datasets.tables import name_views
    (tmp_path / "a.csv").write_text(FEATURES)
    (tmp_path / "b.csv").write_text(FEATURES)
    a, b = str(tmp_path / "a.csv"), str(tmp_path / "b.csv")
    # two NAME=FILE of one name were told 'a view is named after its file'
    with pytest.raises(ValueError, match=r"--views: two files make the view 'v' .*; both are "
                       r"given that name\): name them as NAME=FILE, a name each"):
        name_views([f"v={a}", f"v={b}"], "--views")
    with pytest.raises(ValueError, match=r"a view is named after its file\)"):
        name_views([a, a], "--views")
    # 'x-y=a.csv' was looked up as a file of that name: 'no such file'
    with pytest.raises(ValueError, match=r"--views: the view name 'x-y' of 'x-y=.*a.csv' must "
                       r"be letters, digits or '_'"):
        name_views([f"x-y={a}"], "--views")
    assert name_views([f"v={a}", b]) == {"v": a, "b": b}


def test_pandas_column_numbers_header_is_no_node(tmp_path):
    # DataFrame(X).to_csv(index=False) writes '0,1' over the rows, and
    # Series(y).to_csv(index=False) '0' over the labels: both read as data,
    # one node more whose features were the column numbers, labelled 0
    rows = "".join(f"{i * 1.5},{i + 0.25}\n" for i in range(6))
    root = _root(tmp_path, {"a.csv": "0,1\n" + rows, "y.csv": "0\n" + LABELS,
                            "y_plain.csv": LABELS})
    ds = MultiViewTables(root, ["a.csv"], "y_plain.csv", log=False)[0]
    assert ds.num_nodes == 6 and ds.x_a[0].tolist() == [0.0, 0.25]
    with pytest.raises(ValueError, match=r"a.csv \(0,1\) is the column numbers that pandas "
                       r"writes as a header: if every text file has a header row .* pass "
                       r"header=True \(pyg-fusion: --header\)"):
        MultiViewTables(root, ["a.csv"], "y.csv", log=False)
    assert MultiViewTables(root, ["a.csv"], "y.csv", header=True, log=False)[0].num_nodes == 6


def test_column_numbers_over_whole_numbers_ask_which(tmp_path):
    # over whole numbers '0,1' may be a one-hot row: the user says which
    # (rows of 0 / 1 that are no code of the labels: a notice otherwise)
    ints = "0,1\n" + "".join(f"{i % 3 // 2},{1 - i % 3 // 2}\n" for i in range(6))
    root = _root(tmp_path, {"a.csv": ints, "y.csv": LABELS, "y7.csv": "1\n" + LABELS})
    with pytest.raises(ValueError, match=r"a.csv's first row is 0,1: the column numbers that "
                       r"pandas writes as a header, or a row of data\? Say which: header=True "
                       r"or header=False \(pyg-fusion: --header, --no-header\)"):
        MultiViewTables(root, ["a.csv"], "y.csv", log=False)
    # header applies to every text file: y7.csv's first row is a header, or a label
    assert MultiViewTables(root, ["a.csv"], "y7.csv", header=True, log=False)[0].num_nodes == 6
    assert MultiViewTables(root, ["a.csv"], "y7.csv", header=False, log=False)[0].num_nodes == 7


@pytest.mark.parametrize("name, kind", [("book.xlsx", "an Excel workbook"),
                                        ("t.parquet", "a Parquet file")])
def test_a_workbook_is_named_for_what_it_is(tmp_path, name, kind):
    # read as text: 'not UTF-8 text: byte ...', or 'has a header but no data rows'
    root = _root(tmp_path, {name: b"PK\x03\x04junk\x00\x01", "y.csv": LABELS})
    with pytest.raises(ValueError, match=rf"view '\w+': .*{name} is {kind}, which is not "
                       r"read: save the table as CSV / TSV / whitespace text \(optionally "
                       r"\.gz\), \.npy or \.npz"):
        MultiViewTables(root, [name], "y.csv", log=False)


def test_labels_of_a_class_per_row_are_refused(tmp_path):
    # continuous targets made 50 classes of one row: every row training, no
    # validation or test row, without a word (the CLI advised --val-rate 0.5)
    rng = np.random.default_rng(0)
    rows = "".join(f"{r[0]},{r[1]}\n" for r in rng.normal(size=(50, 2)))
    root = _root(tmp_path, {"a.csv": rows, "y.csv": "".join(f"{v}\n" for v in
                                                            rng.normal(size=50))})
    with pytest.raises(ValueError, match=r"gives each of its 50 labelled rows a class of its "
                       r"own \(.*\): continuous values\? MultiViewTables classifies: bin them"):
        MultiViewTables(root, ["a.csv"], "y.csv", log=False)
