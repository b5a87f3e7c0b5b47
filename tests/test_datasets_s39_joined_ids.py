"""A table with row ids joined to another (``cat a.csv b.csv``) whose header's
other cells are numbers (``id,0,1``, pandas' header of unnamed columns with a
named index): its second header is refused, as it was before np.loadtxt read
tables with ids (it read as a data row of id ``id`` and values 0, 1)."""
import pytest

from pyg_fusion.datasets._io import read_table


@pytest.mark.parametrize("sep, kw", [(",", {}), (",", {"header": True, "index_col": 0}),
                                     (",", {"header": True}), (" ", {"header": True})])
def test_a_repeated_header_of_numbers_beside_ids_is_refused(tmp_path, sep, kw):
    rows = ["id,0,1", "s0,0.5,1.5", "s1,2.5,3.5", "id,0,1", "s2,4.5,5.5"]
    path = tmp_path / ("t.csv" if sep == "," else "t.txt")
    path.write_text("".join(r.replace(",", sep) + "\n" for r in rows))
    with pytest.raises(ValueError, match=r"line 4 repeats the header row \(id,0,1\): files "
                                         r"joined one after another"):
        read_table(str(path), **kw)


def test_ids_without_a_repeated_header_still_read(tmp_path):
    (tmp_path / "t.csv").write_text("id,0,1\ns0,0.5,1.5\nid2,0,1\n")
    table = read_table(str(tmp_path / "t.csv"))
    assert table.index == ["s0", "id2"] and table.values.tolist() == [[0.5, 1.5], [0, 1]]
