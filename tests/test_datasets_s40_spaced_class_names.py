import numpy as np
import pytest

from pyg_fusion.datasets import MultiViewTables


def _root(tmp_path, labels: str, n: int):
    raw = tmp_path / "raw"
    raw.mkdir()
    np.save(raw / "v.npy", np.random.default_rng(0).random((n, 3)).astype("float32"))
    (raw / "y.txt").write_text(labels)
    return tmp_path


def test_class_names_of_two_words_each_are_not_cut_to_their_last_word(tmp_path):
    # was: classes ['cat', 'fox'], "big cat" and "small cat" one class, silently
    root = _root(tmp_path, "big cat\nsmall cat\nred fox\nbig cat\nsmall cat\nred fox\n", 6)
    with pytest.raises(ValueError, match=r"labels: .*y\.txt splits on spaces into 2 columns "
                                         r"whose first repeats \('big'\).*class names with "
                                         r"spaces \('big cat'\)\?.*label_column=0"):
        MultiViewTables(str(root), ["v.npy"], "y.txt")


def test_a_first_column_named_the_label_is_read(tmp_path):
    # 'label sample' written with spaces: label_column=0 says which column is read
    root = _root(tmp_path, "cat a\ndog b\ncat c\ndog d\n", 4)
    ds = MultiViewTables(str(root), ["v.npy"], "y.txt", label_column=0)
    assert ds.classes == ["cat", "dog"]
    assert ds[0].y.tolist() == [0, 1, 0, 1]


def test_comma_separated_two_columns_are_unchanged(tmp_path):
    raw = tmp_path / "raw"
    raw.mkdir()
    np.save(raw / "v.npy", np.zeros((4, 2), dtype="float32"))
    (raw / "y.csv").write_text("cat,a\ndog,b\ncat,c\ndog,d\n")
    ds = MultiViewTables(str(tmp_path), ["v.npy"], "y.csv", label_column=0)
    assert ds.classes == ["cat", "dog"]
