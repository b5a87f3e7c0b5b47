"""A labels file holding -1 beside other classes: scikit-learn's mark of an
unlabelled row, or a class (-1, 0, 1)? It was read as a class without a
word; now asked, and the unlabelled option says which."""
import numpy as np
import pytest

from pyg_fusion.datasets import MultiViewTables


def _files(tmp_path, labels):
    rng = np.random.default_rng(0)
    np.savetxt(tmp_path / "a.csv", rng.normal(size=(len(labels), 3)), delimiter=",")
    (tmp_path / "y.csv").write_text("".join(f"{v}\n" for v in labels))
    return [str(tmp_path / "a.csv")], str(tmp_path / "y.csv")


LABELS = ["-1", "0", "1", "2"] * 10


@pytest.mark.parametrize("labels", [LABELS, ["-1.0", "0.0", "1.0"] * 10, ["-1", "1", "2"] * 10])
def test_minus_one_beside_other_classes_is_asked(tmp_path, labels):
    views, y = _files(tmp_path, labels)
    with pytest.raises(ValueError, match=r"labels: .*y.csv's label column \(column 0 of 1\) "
                       r"holds -1 beside .*: scikit-learn's mark of an unlabelled row .* or a "
                       r"class .*\? Say which: unlabelled='-1' .* or unlabelled=None .* "
                       r"\(pyg-fusion: --unlabelled -1, --unlabelled none\)"):
        MultiViewTables(str(tmp_path / "root"), views, y, log=False)


def test_the_option_says_which(tmp_path):
    views, y = _files(tmp_path, LABELS)
    ds = MultiViewTables(str(tmp_path / "root"), views, y, unlabelled="-1", log=False)
    assert ds.classes == ["0", "1", "2"]
    g = ds[0]
    assert g.y.tolist() == [-1, 0, 1, 2] * 10
    assert not (g.train_mask | g.val_mask | g.test_mask)[g.y < 0].any()
    for mark in (-1, "-1.0"):  # by value
        again = MultiViewTables(str(tmp_path / "root"), views, y, unlabelled=mark, log=False)
        assert again[0].y.tolist() == g.y.tolist()
    ds = MultiViewTables(str(tmp_path / "root"), views, y, unlabelled=None, log=False)
    assert ds.classes == ["-1", "0", "1", "2"] and ds[0].y.tolist() == [0, 1, 2, 3] * 10
    with pytest.raises(ValueError, match=r"unlabelled \(pyg-fusion: --unlabelled\) must be a "
                       r"label \(e.g. '-1'\), 'auto' or None \(pyg-fusion: none\), got ''"):
        MultiViewTables(str(tmp_path / "root"), views, y, unlabelled="", log=False)


@pytest.mark.parametrize("labels,classes", [(["-1", "1"] * 10, ["-1", "1"]),
                                            (["-2", "-1", "0", "1"] * 10, ["-2", "-1", "0", "1"]),
                                            (["a", "-1", "b"] * 10, ["-1", "a", "b"])])
def test_minus_one_of_one_reading_is_a_class_as_before(tmp_path, labels, classes):
    # -1 / 1 (an SVM's labels), a scale with other negatives, -1 among names
    views, y = _files(tmp_path, labels)
    assert MultiViewTables(str(tmp_path / "root"), views, y, log=False).classes == classes


def test_the_flag_says_which(tmp_path):
    from pyg_fusion.experiments.data import DataConfig, load_data
    views, y = _files(tmp_path, LABELS)
    cfg = DataConfig(dataset="tables", root=str(tmp_path / "runs"), views=views, labels=y,
                     label_rate=0.5)
    with pytest.raises(ValueError, match=r"--labels: .*--unlabelled -1, --unlabelled none"):
        load_data(cfg)
    from dataclasses import replace
    td = load_data(replace(cfg, unlabelled="-1"))
    assert td.num_classes == 3 and int((td.graph.y < 0).sum()) == 10
    assert load_data(replace(cfg, unlabelled="none")).num_classes == 4
