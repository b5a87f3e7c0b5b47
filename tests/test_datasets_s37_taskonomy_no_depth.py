"""Taskonomy's 16-bit depth marks a pixel without depth 65535: TaskonomyFolder
read it as 1.0 (65535 / 65535), the farthest depth, without a word."""
import numpy as np
import pytest
import torch
from PIL import Image
from torch_geometric.loader import DataLoader

from pyg_fusion.datasets import TaskonomyFolder
from pyg_fusion.datasets.taskonomy import read_depth


def _folder(root, depth_folder="depth_zbuffer", size=8):
    (root / depth_folder).mkdir(parents=True)
    (root / "rgb").mkdir()
    rng = np.random.default_rng(0)
    for i in range(2):
        z = rng.integers(1000, 30000, (size, size)).astype(np.uint16)
        z[:2, :3] = 65535  # no mesh there
        Image.fromarray(z).save(root / depth_folder / f"point_{i}_view_0_domain_depth_zbuffer.png")
        Image.fromarray(rng.integers(0, 255, (size, size, 3)).astype(np.uint8)).save(
            root / "rgb" / f"point_{i}_view_0_domain_rgb.png")
    return root


def test_no_depth_reads_as_0_and_is_marked_not_valid(tmp_path):
    ds = TaskonomyFolder(str(_folder(tmp_path)), ["depth_zbuffer"], image_size=None)
    d = ds[0]
    x, valid = d.x_depth_zbuffer[0, 0], d.valid_depth_zbuffer[0, 0]
    assert valid.dtype == torch.bool and d.valid_depth_zbuffer.shape == (1, 1, 8, 8)
    assert not valid[:2, :3].any() and valid.sum() == 64 - 6
    assert (x[:2, :3] == 0).all() and x.max() < 30000 / 65535 + 1e-6
    batch = next(iter(DataLoader(ds, batch_size=2)))
    assert batch.valid_depth_zbuffer.shape == (2, 1, 8, 8)


def test_resizing_weighs_the_pixels_with_depth_only(tmp_path):
    path = tmp_path / "d.png"
    z = np.full((8, 8), 13107, np.uint16)  # 0.2 everywhere it has depth
    z[:, :4] = 65535
    Image.fromarray(z).save(path)
    x, valid = read_depth(str(path), image_size=4)
    assert valid[0].tolist() == [[False, False, True, True]] * 4
    assert torch.allclose(x[0, :, 2:], torch.full((4, 2), 0.2))  # no 0 bled into them
    assert (x[0, :, :2] == 0).all()


def test_depth_without_holes_reads_as_before(tmp_path):
    path = tmp_path / "d.png"
    Image.fromarray(np.arange(64, dtype=np.uint16).reshape(8, 8) * 1000).save(path)
    from pyg_fusion.datasets.taskonomy import read_image
    x, valid = read_depth(str(path), image_size=5)
    assert torch.equal(x, read_image(str(path), image_size=5)) and valid.all()


def test_depth_names_the_folders(tmp_path):
    root = str(_folder(tmp_path, depth_folder="z"))
    assert "valid_z" not in TaskonomyFolder(root, ["z"], image_size=None)[0]
    d = TaskonomyFolder(root, ["z"], image_size=None, depth=["z"])[0]
    assert not d.valid_z[0, 0, :2, :3].any()
    with pytest.raises(ValueError, match="depth must name folders"):
        TaskonomyFolder(root, ["z"], depth=["depth"])
