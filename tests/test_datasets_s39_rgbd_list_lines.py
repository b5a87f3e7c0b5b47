"""A list line of RGBDSegmentation with too few or too many paths is named with
its count and its text: two space-separated paths were said to be 1 (the line has
no tab), which sent the user looking for a joined path."""
import pytest

from pyg_fusion.datasets import RGBDSegmentation


@pytest.mark.parametrize("line,got", [
    ("rgb/1.png mask/1.png", 2),
    ("rgb/1.png mask/1.png depth/1.png extra.png", 4),
    ("rgb/1.png\tmask/1.png", 2),
    ("rgb/1.png", 1)])
def test_a_short_or_long_line_says_its_count_and_text(tmp_path, line, got):
    (tmp_path / "train.txt").write_text(f"{line}\n")
    # two paths may be a list without labels, read with masks=False
    hint = r"; a list of rgb and depth alone \(no labels\) is read with masks=False" * (got == 2)
    with pytest.raises(ValueError, match=rf"train\.txt, line 1: expected 3 tab-separated \(or "
                                         rf"space-separated\) paths \(rgb, mask, depth\), got "
                                         rf"{got}: '{line.strip()}'{hint}$".replace("\t", r"\\t")):
        RGBDSegmentation(str(tmp_path), "train")
