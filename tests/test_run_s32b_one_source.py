"""Fusion methods given one source (tables: one --views file) fuse it with
itself: a notice says so, once; the methods of that one source alone, and
several sources, run without it."""
import numpy as np
import pytest

from pyg_fusion import PygFusionNotice
from pyg_fusion.cli import main


def _tables(tmp_path):
    rng = np.random.default_rng(0)
    x = rng.normal(size=(40, 4))
    np.savetxt(tmp_path / "a.csv", x[:, :2], delimiter=",")
    np.savetxt(tmp_path / "b.csv", x[:, 2:], delimiter=",")
    np.savetxt(tmp_path / "y.csv", (x[:, 0] > 0).astype(int), fmt="%d")


def _compare(tmp_path, views, methods):
    return main(["compare", "--dataset", "tables", "--views",
                 *[str(tmp_path / v) for v in views], "--labels", str(tmp_path / "y.csv"),
                 "--root", str(tmp_path / "data"), "--method", methods, "--seeds", "0",
                 "--epochs", "1", "--no-progress", "--threads", "1",
                 "--out", str(tmp_path / "out")])


def test_one_source_given_to_fusion_methods_is_a_notice(tmp_path, capsys):
    _tables(tmp_path)
    assert _compare(tmp_path, ["a.csv"], "lego,graph-mean,single-a") == 0
    notices = [ln for ln in capsys.readouterr().err.splitlines() if "notice:" in ln]
    assert len(notices) == 1
    assert "only one source was given, 'a' (--views)" in notices[0]
    assert "(lego, graph-mean) fuse it with itself" in notices[0]
    assert "lego: one operator a|a" in notices[0]


@pytest.mark.parametrize("views, methods", [(["a.csv"], "single-a,graph-a"),
                                            (["a.csv", "b.csv"], "graph-mean")])
def test_no_notice_without_a_fusion_of_one_source(tmp_path, capsys, views, methods):
    import warnings
    _tables(tmp_path)
    with warnings.catch_warnings():
        warnings.simplefilter("error", PygFusionNotice)
        assert _compare(tmp_path, views, methods) == 0
    assert "only one source" not in capsys.readouterr().err
