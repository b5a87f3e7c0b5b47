"""RGBDSegmentation on a user's own image files: formats that change what a
file holds (a JPEG mask, CMYK or other colour spaces, a photo's EXIF
orientation), lists written by hand or on Windows, and header checks that
decode no pixels."""
import shutil

import numpy as np
import pytest
import torch
from PIL import Image

from pyg_fusion.datasets import RGBDSegmentation
from test_asym_user import _write_scenes


def _scene(root, rgb, mask, depth, names=("rgb.png", "mask.png", "depth.png")):
    """One scene listed in ``root/val.txt`` (arrays, or ready images for ``rgb``)."""
    root.mkdir(exist_ok=True)
    for name, img in zip(names, (rgb, mask, depth)):
        (img if isinstance(img, Image.Image) else Image.fromarray(img)).save(root / name)
    (root / "val.txt").write_text("\t".join(names) + "\n")
    return RGBDSegmentation(root, "val", num_classes=5, normalize=False)


def test_a_jpeg_mask_is_named_not_read_with_other_classes(tmp_path):
    # a label map saved as JPEG was read with the ids its compression made:
    # at quality 50 the whole region of class 3 became class 2, silently
    mask = np.zeros((16, 16), np.uint8)
    mask[:, 8:] = 3
    rgb = np.full((16, 16, 3), 90, np.uint8)
    depth = np.full((16, 16), 3000, np.uint16)
    ds = _scene(tmp_path / "jpg", rgb, mask, depth, ("rgb.jpg", "mask.jpg", "depth.png"))
    match = r"mask file \S+mask\.jpg is a JPEG: its lossy compression changes class ids; " \
            r"save label maps as PNG"
    with pytest.raises(ValueError, match=match):
        ds.check_files()   # from the header: before any training
    with pytest.raises(ValueError, match=match):
        ds[0]
    # a JPEG photo is fine; the PNG mask keeps its ids
    ds = _scene(tmp_path / "png", rgb, mask, depth, ("rgb.jpg", "mask.png", "depth.png"))
    assert ds.check_files() == [(16, 16)]
    assert torch.equal(ds[0]["mask"], torch.from_numpy(mask.astype(np.int64)))
    assert ds[0]["rgb"][:, 0, 0].tolist() == pytest.approx([90 / 255] * 3, abs=2 / 255)


@pytest.mark.parametrize("mode", ["CMYK", "YCbCr", "LAB"])
def test_rgb_of_another_colour_space_is_read_by_its_colours(tmp_path, mode):
    # a CMYK JPEG's channels were read as R, G, B: red (200, 0, 0) became
    # (0, 255, 255), cyan, for the network and the figure
    rgb = np.zeros((8, 8, 3), np.uint8)
    rgb[..., 0], rgb[:, 4:, 2] = 200, 120
    mask = np.zeros((8, 8), np.uint8)
    depth = np.full((8, 8), 3000, np.uint16)
    try:
        image = Image.fromarray(rgb).convert(mode)
    except ValueError as exc:  # Pillow 9 converts RGB to LAB only through an ICC profile
        pytest.skip(f"this Pillow makes no {mode} image: {exc}")
    ext = "jpg" if mode == "CMYK" else "tiff"
    ds = _scene(tmp_path, image, mask, depth, (f"rgb.{ext}", "mask.png", "depth.png"))
    try:
        Image.open(tmp_path / f"rgb.{ext}").load()
    except OSError as exc:  # Pillow 9 writes a YCbCr TIFF that it cannot read back
        pytest.skip(f"this Pillow cannot read the {mode} file it wrote: {exc}")
    got = (ds[0]["rgb"] * 255).permute(1, 2, 0).numpy()
    assert np.abs(got - rgb).max() <= 10   # the colour space's rounding (and JPEG's)


@pytest.mark.parametrize("layout", ["{} \t{}\t{}  ", " {}\t {} \t{}\t", "{}\t{}\t{}\t\t"])
def test_blanks_around_a_lists_paths_are_no_part_of_them(tmp_path, layout):
    # a trailing space (or tab) in val.txt stopped with 'depth file not found:
    # <root>/val0_depth.png' for a file that is there
    _write_scenes(tmp_path, "val", [(8, 8)])
    names = (tmp_path / "val.txt").read_text().split()
    clean = RGBDSegmentation(tmp_path, "val", num_classes=5).items
    (tmp_path / "val.txt").write_text(layout.format(*names) + "\n")
    ds = RGBDSegmentation(tmp_path, "val", num_classes=5)
    assert ds.items == clean
    assert ds.check_files() == [(8, 8)]


def test_a_list_written_on_windows_names_its_files_with_backslashes(tmp_path):
    # 'scenes\val0_rgb.png' was joined as one file name: 'rgb file not found'
    _write_scenes(tmp_path / "scenes", "val", [(8, 8)])
    names = (tmp_path / "scenes" / "val.txt").read_text().split()
    (tmp_path / "val.txt").write_text("\t".join(f"scenes\\{n}" for n in names) + "\r\n")
    ds = RGBDSegmentation(tmp_path, "val", num_classes=5)
    assert ds.items == [tuple(str(tmp_path / "scenes" / n) for n in names)]
    assert ds.check_files() == [(8, 8)]
    # a file whose name holds a backslash, and exists, is that file
    odd = tmp_path / "odd\\val0_rgb.png"
    shutil.copy(tmp_path / "scenes" / names[0], odd)
    (tmp_path / "val.txt").write_text("\t".join(["odd\\val0_rgb.png"] + [
        f"scenes\\{n}" for n in names[1:]]) + "\n")
    assert RGBDSegmentation(tmp_path, "val", num_classes=5).items[0][0] == str(odd)


@pytest.mark.parametrize("orientation,stored", [(6, Image.Transpose.ROTATE_90),
                                                (3, Image.Transpose.ROTATE_180),
                                                (8, Image.Transpose.ROTATE_270)])
def test_a_photo_is_read_upright_as_its_exif_orientation_shows_it(tmp_path, orientation,
                                                                   stored):
    # a phone stores a photo's pixels turned, with the EXIF orientation that shows
    # it upright: read as stored, a portrait photo was 'image sizes differ' beside
    # its mask, and one turned by 180 degrees was paired with a mirrored mask
    shown = np.zeros((20, 30, 3), np.uint8)
    shown[:, :15] = (200, 0, 0)
    mask = np.zeros((20, 30), np.uint8)
    mask[:, :15] = 1
    exif = Image.Exif()
    exif[0x0112] = orientation
    ds = _scene(tmp_path, shown, mask, np.full((20, 30), 3000, np.uint16))
    Image.fromarray(shown).transpose(stored).save(tmp_path / "rgb.png", exif=exif)
    assert ds.check_files(pixels=True) == [(20, 30)]
    item = ds[0]
    assert torch.equal(item["mask"], torch.from_numpy(mask.astype(np.int64)))
    assert torch.equal((item["rgb"] * 255).round().permute(1, 2, 0).to(torch.uint8),
                       torch.from_numpy(shown))


def test_the_header_checks_decode_no_pixels(tmp_path, monkeypatch):
    # the EXIF orientation check (a67d717) asked Pillow for a PNG's EXIF, which
    # decodes the whole file to look past its pixels: check_files() of 30
    # 480x640 scenes took 0.63 s instead of 0.02 s
    from PIL import PngImagePlugin
    _write_scenes(tmp_path, "val", [(24, 32), (20, 28)])
    ds = RGBDSegmentation(tmp_path, "val", num_classes=5)

    decoded, load = [], PngImagePlugin.PngImageFile.load

    def spy(self):
        if self.tile:  # pixels still to decode (a loaded image's load() returns at once)
            decoded.append(self.filename)
        return load(self)
    monkeypatch.setattr(PngImagePlugin.PngImageFile, "load", spy)
    assert ds.check_files() == [(24, 32), (20, 28)]
    assert decoded == []
    assert ds.check_files(pixels=True) == [(24, 32), (20, 28)]
    assert len(decoded) == 6   # the pixels: each file once


def test_a_turned_tiff_photo_has_its_upright_size_from_its_header(tmp_path):
    # Pillow turns a TIFF upright itself and reports its size so: the header
    # check swapped it a second time, (30, 20) against the (20, 30) mask read
    shown = np.zeros((20, 30, 3), np.uint8)
    shown[:, :15] = (200, 0, 0)
    mask = np.zeros((20, 30), np.uint8)
    mask[:, :15] = 1
    exif = Image.Exif()
    exif[0x0112] = 6
    ds = _scene(tmp_path, shown, mask, np.full((20, 30), 3000, np.uint16))
    Image.fromarray(shown).transpose(Image.Transpose.ROTATE_90).save(
        tmp_path / "rgb.png", format="TIFF", exif=exif)
    assert ds.check_files() == [(20, 30)]
    assert ds.check_files(pixels=True) == [(20, 30)]
    assert torch.equal((ds[0]["rgb"] * 255).round().permute(1, 2, 0).to(torch.uint8),
                       torch.from_numpy(shown))
