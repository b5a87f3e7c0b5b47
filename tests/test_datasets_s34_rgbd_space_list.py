"""An RGB-D list written with spaces ('rgb/1.png mask/1.png depth/1.png', as
many segmentation repositories' lists are) was refused as one path."""
import pytest

from pyg_fusion.datasets import RGBDSegmentation


def test_a_space_separated_list_reads_its_three_paths(tmp_path):
    (tmp_path / "train.txt").write_text("rgb/1.png  mask/1.png depth/1.png\n"
                                        "rgb/2.png\tmask/2.png\tdepth/2.png\n")
    ds = RGBDSegmentation(str(tmp_path), "train")
    assert [[p[len(str(tmp_path)) + 1:] for p in item] for item in ds.items] == [
        ["rgb/1.png", "mask/1.png", "depth/1.png"], ["rgb/2.png", "mask/2.png", "depth/2.png"]]
    # two paths, or a tab list of a path holding spaces: refused as before
    (tmp_path / "bad.txt").write_text("rgb/1.png mask/1.png\n")
    with pytest.raises(ValueError, match=r"line 1: expected 3 tab-separated \(or "
                       r"space-separated\) paths \(rgb, mask, depth\), got 2"):
        RGBDSegmentation(str(tmp_path), list_file="bad.txt")
