"""Labels whose names differ only in case (Yes / yes, a hand-edited or
joined labels file) were two classes without a word."""
import warnings

import numpy as np
import pytest

from pyg_fusion import PygFusionNotice
from pyg_fusion.datasets import MultiViewTables


def _root(tmp_path, labels):
    raw = tmp_path / "raw"
    raw.mkdir()
    rng = np.random.default_rng(0)
    (raw / "v.csv").write_text("".join(f"{rng.normal():.3f},{rng.normal():.3f}\n"
                                       for _ in range(len(labels))))
    (raw / "y.csv").write_text("".join(f"{c}\n" for c in labels))
    return str(tmp_path)


def test_classes_that_differ_in_case_are_noticed(tmp_path):
    root = _root(tmp_path, ["Yes", "no", "yes", "no"] * 5)
    with pytest.warns(PygFusionNotice, match=r"labels: .*y.csv's classes 'Yes' and 'yes' "
                                             r"differ only in case: two classes, as read"):
        ds = MultiViewTables(root, ["v.csv"], "y.csv", log=False)
    assert ds.classes == ["Yes", "no", "yes"]  # read as before


def test_other_classes_are_not(tmp_path):
    root = _root(tmp_path, ["cat", "dog"] * 10)
    with warnings.catch_warnings():
        warnings.simplefilter("error", PygFusionNotice)
        MultiViewTables(root, ["v.csv"], "y.csv", log=False)
