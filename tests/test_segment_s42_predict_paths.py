"""segment predict's table named the files of a list's line as written after the list's
folder: a line `sub/../rgb/s0.png` gave `<folder>/sub/../rgb/s0.png`. The table names them
without `.` and `..`, resolved where a link makes `..` lead elsewhere than the name says."""
import csv
import os

import pytest

from pyg_fusion.cli import main

from test_segment_s40_predict import _checkpoint, _scenes


def _rows(tmp_path, lines):
    (tmp_path / "data" / "odd.txt").write_text(lines)
    _checkpoint(tmp_path / "m.ckpt")
    out = tmp_path / "out"
    assert main(["segment", "predict", "--checkpoint", str(tmp_path / "m.ckpt"), "--images",
                 str(tmp_path / "data" / "odd.txt"), "--out", str(out), "--no-progress"]) == 0
    return list(csv.DictReader((out / "predictions.csv").open()))


def test_the_table_names_the_files_without_dot_dot(tmp_path):
    _scenes(tmp_path / "data")
    (tmp_path / "data" / "sub").mkdir()
    rows = _rows(tmp_path, "sub/../rgb/s0.png ./depth/s0.png\n")
    data = str(tmp_path / "data")
    assert [(r["rgb"], r["depth"]) for r in rows] == [
        (os.path.join(data, "rgb", "s0.png"), os.path.join(data, "depth", "s0.png"))]


@pytest.mark.skipif(not hasattr(os, "symlink"), reason="needs symbolic links")
def test_a_link_before_dot_dot_names_the_file_read(tmp_path):
    _scenes(tmp_path / "elsewhere" / "scenes")
    (tmp_path / "data").mkdir()
    (tmp_path / "data" / "link").symlink_to(tmp_path / "elsewhere" / "scenes" / "rgb")
    # link/.. is elsewhere/scenes: the rgb read is elsewhere/scenes/rgb/s0.png
    (tmp_path / "data" / "depth").symlink_to(tmp_path / "elsewhere" / "scenes" / "depth")
    rows = _rows(tmp_path, "link/../rgb/s0.png depth/s0.png\n")
    assert rows[0]["rgb"] == os.path.realpath(tmp_path / "elsewhere" / "scenes" / "rgb" / "s0.png")
    assert rows[0]["depth"] == str(tmp_path / "data" / "depth" / "s0.png")
