"""RGBDSegmentation's random scale resized the RGB bilinearly (each output pixel sampled
at its centre) but the mask and depth with torch's legacy 'nearest', which takes the
source pixel under the output pixel's top-left corner: on a downscale the labels lay
up to a source pixel up and left of the colours they label (at scale 1/3, column c of
the mask held source column 3c, the RGB 3c + 1). The mask and depth now take the pixel
whose centre the RGB samples ('nearest-exact'); an integer upscale is unchanged."""
import numpy as np
import pytest
import torch
from PIL import Image

from pyg_fusion.datasets import RGBDSegmentation


def _column_scene(root, h=9, w=9):
    # every pixel of column j: red 20 j, label j, depth 1000 j
    for d in ("rgb", "mask", "depth"):
        (root / d).mkdir(parents=True)
    cols = np.broadcast_to(np.arange(w), (h, w))
    Image.fromarray(np.stack([cols * 20] * 3, -1).astype(np.uint8)).save(root / "rgb" / "0.png")
    Image.fromarray(cols.astype(np.uint8)).save(root / "mask" / "0.png")
    Image.fromarray((cols * 1000).astype(np.uint16)).save(root / "depth" / "0.png")
    (root / "train.txt").write_text("rgb/0.png\tmask/0.png\tdepth/0.png\n")


@pytest.mark.parametrize("scale", [1 / 3, 0.45, 0.7, 1.5, 2.0])
def test_the_scaled_mask_and_depth_label_the_pixels_the_rgb_samples(tmp_path, scale):
    _column_scene(tmp_path)
    ds = RGBDSegmentation(tmp_path, "train", num_classes=9, scale_range=(scale, scale),
                          crop_size=None, normalize=False, depth_scale=1 / 1000)
    torch.manual_seed(0)
    item = ds[0]
    sampled = item["rgb"][0] * 255 / 20  # the (interpolated) source column the RGB shows
    mask, depth = item["mask"], item["depth"][0]
    assert mask.shape == sampled.shape == (round(9 * scale), round(9 * scale))
    assert torch.equal(depth.round().long(), mask)
    # the nearest source column to each sampled one (half a pixel at most, rounding aside)
    assert float((mask - sampled).abs().max()) <= 0.5 + 1e-4
    if scale == 1 / 3:  # sampled at 3c + 1 exactly (legacy nearest: 3c)
        assert sorted(mask[0].tolist()) == [1, 4, 7]
