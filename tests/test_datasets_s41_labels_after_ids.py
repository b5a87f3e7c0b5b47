"""A whitespace labels file of row ids beside class names: "0 big cat" /
"1 small cat" read the last word as the label ('big cat' and 'small cat' one
class 'cat', without a word; the same names without ids are refused)."""
import pytest

from test_datasets_s41_apostrophe_labels import _tables


def test_ids_then_class_names_with_spaces_are_refused(tmp_path):
    names = ["big cat", "small cat", "red fox"]
    with pytest.raises(ValueError, match=r"y.txt splits on spaces into a column of row ids "
                       r"and 2 words.*'id,label' rows in a \.csv \(0,big cat\)"):
        _tables(tmp_path, "".join(f"{i} {names[i % 3]}\n" for i in range(12)))


@pytest.mark.parametrize("labels,classes", [
    ("".join(f"{i} {i % 2} {['cat', 'dog'][i % 2]}\n" for i in range(8)), ["cat", "dog"]),
    ("".join(f"{i} {['cat', 'dog'][i % 2]}\n" for i in range(8)), ["cat", "dog"]),
])
def test_ids_beside_a_fold_or_one_word_still_read(tmp_path, labels, classes):
    assert _tables(tmp_path, labels).classes == classes


def test_ids_then_names_of_other_word_counts_are_refused(tmp_path):
    # "0 cat" / "1 big cat": rows of other widths are one column, each line a
    # class of its own, its first taken for a header ('rows are not aligned')
    names = ["cat", "big cat", "red fox"]
    with pytest.raises(ValueError, match=r"y.txt's lines are a row id and a class name with "
                       r"spaces \('0 cat', \.\.\.\).*'id,label' rows in a \.csv \(0,cat\)"):
        _tables(tmp_path, "".join(f"{i} {names[i % 3]}\n" for i in range(12)))


@pytest.mark.parametrize("labels", [
    "".join(f"{['cat', 'big cat'][i % 2]}\n" for i in range(8)),  # names alone
    "".join(f"{i} {['cat', 'big cat'][i % 2]}\n".replace(" ", ",", 1) for i in range(8)),
])
def test_names_with_spaces_alone_or_after_a_comma_still_read(tmp_path, labels):
    assert _tables(tmp_path, labels).classes == ["big cat", "cat"]
