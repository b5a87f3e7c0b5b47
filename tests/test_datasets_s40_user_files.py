"""A user's own files read as MultiViewTables: the cases that gave a
confusing error or a silent wrong answer."""
import numpy as np
import pytest

from pyg_fusion.datasets import MultiViewTables

N = 12


def test_a_txt_list_of_class_names_with_spaces_is_one_column(tmp_path):
    """labels.txt, one class name per line ("big cat" beside "dog"): split on
    whitespace, it was refused with "line 4 repeats the header row (big,cat):
    files joined one after another?"; read as one column, as a .csv is."""
    names = ["big cat", "dog", "bird"]
    (tmp_path / "raw").mkdir()
    np.save(tmp_path / "raw" / "v.npy", np.random.default_rng(0).random((N, 3)))
    (tmp_path / "raw" / "y.txt").write_text("".join(f"{names[i % 3]}\n" for i in range(N)))
    ds = MultiViewTables(str(tmp_path), ["v.npy"], "y.txt", label_rate=0.5, log=False)
    assert ds.classes == ["big cat", "bird", "dog"]
    assert ds[0].y.tolist() == [ds.classes.index(names[i % 3]) for i in range(N)]


def test_space_separated_id_label_txt_stays_two_columns(tmp_path):
    # rows of one width: an "id label" file written with spaces (np.savetxt)
    (tmp_path / "raw").mkdir()
    np.save(tmp_path / "raw" / "v.npy", np.random.default_rng(0).random((N, 3)))
    (tmp_path / "raw" / "y.txt").write_text("".join(f"{i} {'cat' if i % 2 else 'dog'}\n"
                                                    for i in range(N)))
    ds = MultiViewTables(str(tmp_path), ["v.npy"], "y.txt", header=False, label_rate=0.5,
                         log=False)
    assert ds.classes == ["cat", "dog"]


def test_an_npz_of_no_arrays_says_so(tmp_path):
    # "holds arrays []; choose one with npz_keys={'e': KEY}": there was none to choose
    from pyg_fusion.datasets._io import read_table
    np.savez(tmp_path / "e.npz")
    with pytest.raises(ValueError, match=r"e.npz is an .npz archive of no arrays .*"
                                         r"np.savez\(path, X\)"):
        read_table(str(tmp_path / "e.npz"), what="view 'e'")


def test_header_true_eating_a_first_row_of_numbers_says_so(tmp_path):
    """header=True for a view with a header beside labels without one: the
    first label became the labels' header, and the error said only "rows are
    not aligned: a.csv has 12 rows, y.csv has 11"."""
    (tmp_path / "raw").mkdir()
    rows = np.random.default_rng(0).random((N, 2))
    (tmp_path / "raw" / "a.csv").write_text("f1,f2\n" + "".join(f"{a},{b}\n" for a, b in rows))
    (tmp_path / "raw" / "y.csv").write_text("".join(f"{i % 3}\n" for i in range(N)))
    with pytest.raises(ValueError, match=r"has 11; header=True took the first row of .*y.csv "
                                         r"\(0\), numbers only, for a header.*header='auto'"):
        MultiViewTables(str(tmp_path), ["a.csv"], "y.csv", header=True, log=False)
    ds = MultiViewTables(str(tmp_path / "auto"), [str(tmp_path / "raw" / "a.csv")],
                         str(tmp_path / "raw" / "y.csv"), label_rate=0.5, log=False)
    assert ds[0].y.numel() == N
