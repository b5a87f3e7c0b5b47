"""An "id label" labels file written with spaces whose labels end in an
apostrophe ("0 james'" / "1 smith", a possessive) was one column, the
apostrophe taken for a closing quote: 'each line a class of its own'."""
import numpy as np

from pyg_fusion.datasets import MultiViewTables


def _tables(tmp_path, labels: str):
    n = labels.count("\n")
    np.save(tmp_path / "v.npy", np.random.default_rng(0).normal(size=(n, 2)))
    (tmp_path / "y.txt").write_text(labels)
    return MultiViewTables(str(tmp_path / "r"), [str(tmp_path / "v.npy")],
                           str(tmp_path / "y.txt"), log=False)


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
