"""TaskonomyFolder's messages counted in the plural whatever the count: "has 1
channels", "1 of the 2 scenes ... are left out"."""
import re

import pytest
from translation_folders import translation_folder as _folder

from pyg_fusion.datasets.taskonomy import TaskonomyFolder


def test_one_channel_is_said_in_the_singular(tmp_path):
    from PIL import Image
    root = _folder(tmp_path / "d", n=2)
    Image.open(root / "depth" / "0000.png").convert("RGB").save(root / "depth" / "0000.png")
    with pytest.raises(ValueError, match=re.escape(
            f"{root / 'depth' / '0001.png'} has 1 channel, but 'depth' images have 3")):
        TaskonomyFolder(str(root), ["depth", "shade"], image_size=8)[1]


def test_one_scene_left_out_is_said_in_the_singular(tmp_path):
    root = _folder(tmp_path / "d", n=3)
    (root / "shade" / "0001.png").unlink()
    with pytest.warns(UserWarning, match=re.escape(
            f"1 of the 3 scenes under {str(root)!r} is left out, lacking")):
        TaskonomyFolder(str(root), ["depth", "shade"], image_size=8)
