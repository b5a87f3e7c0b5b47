"""A colour depth PNG in a list of scenes without labels (masks=False) was
refused as "mask and depth must be single-channel PNGs: None None, ...": the
message named a mask the list does not have."""
import numpy as np
import pytest
from PIL import Image

from pyg_fusion.datasets import RGBDSegmentation


def test_colour_depth_without_masks_names_the_depth_alone(tmp_path):
    Image.fromarray(np.zeros((8, 8, 3), np.uint8)).save(tmp_path / "rgb.png")
    Image.fromarray(np.zeros((8, 8, 3), np.uint8)).save(tmp_path / "depth.png")
    (tmp_path / "new.txt").write_text("rgb.png depth.png\n")
    scenes = RGBDSegmentation(str(tmp_path), list_file="new.txt", masks=False)
    with pytest.raises(ValueError, match=r"^depth must be a single-channel PNG: \S+depth\.png "
                                         r"\(8, 8, 3\)$"):
        scenes[0]
