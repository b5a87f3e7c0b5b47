"""segment predict named each scene's PNG and its `line` column by its position
among the listed scenes, not by its line of the list (blank lines are
skipped): a list with a blank line gave its third line as line 2."""
import csv

from pyg_fusion.cli import main

from test_segment_s40_predict import _checkpoint, _scenes


def test_predictions_are_named_by_the_lists_lines(tmp_path):
    _scenes(tmp_path / "data")
    (tmp_path / "data" / "gaps.txt").write_text(
        "\nrgb/s0.png depth/s0.png\n  \nrgb/s1.png depth/s1.png\n")
    _checkpoint(tmp_path / "m.ckpt")
    out = tmp_path / "out"
    assert main(["segment", "predict", "--checkpoint", str(tmp_path / "m.ckpt"), "--images",
                 str(tmp_path / "data" / "gaps.txt"), "--out", str(out), "--no-progress"]) == 0
    rows = list(csv.DictReader((out / "predictions.csv").open()))
    assert [(r["line"], r["prediction"]) for r in rows] == [
        ("2", "predictions/00002_s0.png"), ("4", "predictions/00004_s1.png")]
    assert all((out / r["prediction"]).is_file() for r in rows)
