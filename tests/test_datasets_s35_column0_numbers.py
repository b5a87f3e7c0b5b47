"""Column 0 of numbers that float() does not read as the file means them:
decimal commas or comma thousands (a ';' export, quoted cells) were taken
for row ids and dropped, the table a feature short; ids such as 1_2
(subject 1, trial 2) were read by float() as the number 12, a feature."""
import pytest

from pyg_fusion.datasets import MultiViewTables
from pyg_fusion.datasets._io import read_table
from pyg_fusion.datasets._labels import encode_labels


def _write(tmp_path, text, name="a.csv"):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return str(path)


@pytest.mark.parametrize("text,cell", [
    ("a;b\n1,5;2\n3,25;4\n", "1,5"),           # decimal commas in column 0 only
    ('a,b\n"1,5",2\n"3,25",4\n', "1,5"),       # quoted
    ('a,b\n"1,234",2\n"2,345",3\n', "1,234"),  # comma thousands, quoted
])
def test_comma_numbers_in_column_0_are_no_ids(tmp_path, text, cell):
    with pytest.raises(ValueError, match=rf"a.csv line 2 holds '{cell}', a number with a comma "
                                         rf"inside .* \(if column 0 holds row ids, pass "
                                         rf"index_col=0; pyg-fusion: --index-col 0\)"):
        read_table(_write(tmp_path, text))
    assert read_table(_write(tmp_path, text), index_col=0).index[0] == cell


def test_ids_with_an_underscore_are_ids(tmp_path):
    t = read_table(_write(tmp_path, "id,x\n1_1,0.5\n1_2,0.7\n2_1,0.1\n"))
    assert t.index == ["1_1", "1_2", "2_1"] and t.values.tolist() == [[0.5], [0.7], [0.1]]
    with pytest.raises(ValueError, match=r"line 2, column 1: '1_000' is not a number"):
        read_table(_write(tmp_path, "a,b\n1,1_000\n2,3\n"))


def test_labels_with_an_underscore_are_names():
    # '1_0' and '10' were one class, '10'
    y, names = encode_labels(["1_0", "10", "1_0", "2_1"])
    assert names == ["10", "1_0", "2_1"] and y.tolist() == [1, 0, 1, 2]


def test_a_graph_keeps_its_comma_numbered_column_or_refuses(tmp_path):
    raw = tmp_path / "raw"
    raw.mkdir()
    (raw / "v.csv").write_text("a;b\n" + "".join(f"{i},5;{i}\n" for i in range(6)))
    (raw / "y.csv").write_text("0\n1\n" * 3)
    with pytest.raises(ValueError, match=r"v.csv line 2 holds '0,5', a number with a comma"):
        MultiViewTables(str(tmp_path), ["v.csv"], "y.csv", log=False)
