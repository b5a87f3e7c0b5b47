"""An "id label" labels file written with spaces whose labels hold an
apostrophe was one column, the apostrophe taken for a quote: inside a label
("0 o'neill" / "1 smith") its first row a header, 'rows are not aligned';
ending one ("0 james'", a possessive) or starting one ("0 '90s", an elided
year or word), 'each line a class of its own'."""
import numpy as np

from pyg_fusion.datasets import MultiViewTables


def _tables(tmp_path, labels: str, **kw):
    n = labels.count("\n")
    np.save(tmp_path / "v.npy", np.random.default_rng(0).normal(size=(n, 2)))
    (tmp_path / "y.txt").write_text(labels)
    return MultiViewTables(str(tmp_path / "r"), [str(tmp_path / "v.npy")],
                           str(tmp_path / "y.txt"), log=False, **kw)


def test_an_apostrophe_in_a_label_is_no_quote(tmp_path):
    names = ["o'neill", "smith"]
    ds = _tables(tmp_path, "".join(f"{i} {names[i % 2]}\n" for i in range(8)))
    assert ds.classes == ["o'neill", "smith"]
    assert ds[0].y.tolist() == [0, 1] * 4
    # a quoted name is still one column, quotes dropped
    (tmp_path / "q").mkdir()
    ds = _tables(tmp_path / "q", "".join(f'"{["big cat", "red fox"][i % 2]}"\n' for i in range(8)))
    assert ds.classes == ["big cat", "red fox"]


def test_an_apostrophe_ending_a_label_is_no_quote(tmp_path):
    names = ["james'", "smith"]
    ds = _tables(tmp_path, "".join(f"{i} {names[i % 2]}\n" for i in range(8)))
    assert ds.classes == ["james'", "smith"]
    assert ds[0].y.tolist() == [0, 1] * 4
    # a label quoted in single quotes is still one column of labels
    (tmp_path / "q").mkdir()
    ds = _tables(tmp_path / "q", "".join(f"'{['big cat', 'red fox'][i % 2]}'\n"
                                         for i in range(8)))
    assert len(ds.classes) == 2 and ds[0].y.tolist() == [0, 1] * 4


def test_an_apostrophe_starting_a_label_is_no_quote(tmp_path):
    names = ["'90s", "'80s"]
    ds = _tables(tmp_path, "".join(f"{i} {names[i % 2]}\n" for i in range(8)))
    assert ds.classes == ["'80s", "'90s"]
    assert ds[0].y.tolist() == [1, 0] * 4
    # single quotes around a label, an apostrophe inside it, are one column of labels
    (tmp_path / "q").mkdir()
    quoted = ["'big cat'", "'o'neill'"]
    ds = _tables(tmp_path / "q", "".join(f"{quoted[i % 2]}\n" for i in range(8)))
    assert len(ds.classes) == 2 and ds[0].y.tolist() == [0, 1] * 4
