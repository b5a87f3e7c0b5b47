"""A user's folders of translation scenes (TaskonomyFolder, read_image): files
that are missing, damaged, hidden, of other colour spaces or aspect ratios."""
import pytest
import torch
from translation_folders import translation_folder as _folder


@pytest.mark.parametrize("mode", ["CMYK", "YCbCr", "LAB"])
def test_colour_spaces_other_than_rgb_are_read_as_their_colours(tmp_path, mode):
    """A CMYK JPEG's channels were read as R, G, B (K dropped as if alpha):
    red (200, 30, 60) came out as (55, 225, 195), silently."""
    import numpy as np
    from PIL import Image

    from pyg_fusion.datasets.taskonomy import read_image
    rgb = np.zeros((8, 8, 3), np.uint8)
    rgb[:] = (200, 30, 60)
    rgb[4:] = (20, 120, 240)
    path = str(tmp_path / f"x.{'jpg' if mode == 'CMYK' else 'tiff'}")
    try:
        Image.fromarray(rgb).convert(mode).save(path, quality=100)
        with Image.open(path) as im:  # closed: Pillow 9 keeps a loaded TIFF open
            im.load()
    except (ValueError, OSError) as exc:
        # Pillow 9 converts RGB to LAB only through an ICC profile, and writes a
        # YCbCr TIFF that it cannot read back
        pytest.skip(f"this Pillow cannot write and read a {mode} file: {exc}")
    x = read_image(path)
    assert x.shape == (3, 8, 8)
    # the colours up to the colour space's rounding (and JPEG's, for CMYK)
    assert (x.permute(1, 2, 0) * 255 - torch.from_numpy(rgb).float()).abs().max() < 6


def test_scenes_left_out_for_a_missing_file_are_named(tmp_path):
    """A scene whose target (or an input) was missing was left out without a
    word: 6 scenes of a user's folder trained as 5."""
    from pyg_fusion.datasets.taskonomy import TaskonomyFolder
    root = _folder(tmp_path / "d", n=6)
    (root / "rgb" / "0002.png").unlink()
    for i in (1, 3, 4, 5):
        (root / "shade" / f"{i:04d}.png").unlink()
    with pytest.warns(UserWarning) as seen:
        folder = TaskonomyFolder(str(root), ["depth", "shade"], image_size=8)
    assert folder.names == ["0000"]
    assert [str(w.message) for w in seen] == [
        f"5 of the 6 scenes under {str(root)!r} are left out, lacking an image in some "
        f"folder (no 'shade' image: '0001', '0003', '0004' and 1 more; no 'rgb' image: "
        f"'0002'); only scenes present in every folder are kept, paired by file name"]


def test_a_bad_file_is_named_before_training(tmp_path, capsys, monkeypatch):
    """Scenes are read lazily: a damaged file of the validation folder ended the
    run once an epoch of training was over (reproduced: 20 validation scenes, the
    last one's target a cut PNG: 2 training steps, then the error)."""
    import pyg_fusion.training.translation as tr
    from pyg_fusion.cli import main
    train, val = _folder(tmp_path / "train"), _folder(tmp_path / "val", n=20)
    (val / "rgb" / "0019.png").write_bytes(b"\x89PNG\r\n\x1a\n cut short")
    monkeypatch.setattr(tr, "fit_translation", lambda *a, **k: pytest.fail("trained"))
    args = ["translate", "train", "--data", str(train), "--modalities", "depth,shade",
            "--image-size", "8", "--num-downs", "2", "--gan-mode", "none", "--out",
            str(tmp_path / "out"), "--no-progress"]
    assert main([*args, "--val-data", str(val)]) == 2
    err = capsys.readouterr().err
    assert err.startswith(f"pyg-fusion translate train: error: cannot read image file "
                          f"{str(val / 'rgb' / '0019.png')!r}") and err.count("\n") == 1
    # an input with other channels than its modality's first, from the headers too
    from PIL import Image
    Image.open(val / "rgb" / "0000.png").save(val / "rgb" / "0019.png")
    Image.open(val / "depth" / "0011.png").convert("RGB").save(val / "depth" / "0011.png")
    assert main([*args, "--val-data", str(val)]) == 2
    assert capsys.readouterr().err == (
        f"pyg-fusion translate train: error: {val / 'depth' / '0011.png'} has 3 channels, "
        f"but 'depth' images have 1 (as {val / 'depth' / '0000.png'}): save every 'depth' "
        f"image with the same channels\n")


def test_hidden_files_are_no_scenes(tmp_path):
    """A folder copied by macOS holds a '._<name>' companion (AppleDouble, no
    image) beside every file: each was a scene, and translate train stopped at
    'cannot read image file .../depth/._0000.png'."""
    from pyg_fusion.datasets.taskonomy import TaskonomyFolder
    root = _folder(tmp_path / "d", n=2)
    for m in ("depth", "shade", "rgb"):
        for i in range(2):
            (root / m / f"._{i:04d}.png").write_bytes(b"\x00\x05\x16\x07AppleDouble")
    folder = TaskonomyFolder(str(root), ["depth", "shade"], image_size=8)
    folder.check_files()
    assert folder.names == ["0000", "0001"]


def test_the_names_of_a_subset_are_its_scenes():
    """folder[perm] (as translate train holds out its validation scenes) gave
    the names of every scene of the folder, not of its own."""
    import tempfile
    from pathlib import Path

    from pyg_fusion.datasets.taskonomy import TaskonomyFolder
    with tempfile.TemporaryDirectory() as tmp:
        folder = TaskonomyFolder(str(_folder(Path(tmp), n=4)), ["depth", "shade"],
                                 image_size=8)
        subset = folder[torch.tensor([3, 1])]
        assert folder.names == ["0000", "0001", "0002", "0003"]
        assert subset.names == ["0003", "0001"] and len(subset) == 2
        assert torch.equal(subset[0].y, folder[3].y)


def test_scenes_of_images_of_other_aspect_ratios_are_named(tmp_path):
    """Every image is resized to image_size x image_size, so a scene whose rgb
    photo is portrait beside landscape depth trained with pixels that do not
    correspond, silently."""
    import numpy as np
    from PIL import Image

    from pyg_fusion import PygFusionNotice
    from pyg_fusion.datasets.taskonomy import TaskonomyFolder
    root = _folder(tmp_path / "d", n=2, size=8)
    Image.fromarray(np.zeros((12, 16), np.uint8)).save(root / "depth" / "0001.png")
    Image.fromarray(np.zeros((12, 16), np.uint8)).save(root / "shade" / "0001.png")
    Image.fromarray(np.zeros((16, 12, 3), np.uint8)).save(root / "rgb" / "0001.png")
    folder = TaskonomyFolder(str(root), ["depth", "shade"], image_size=8)
    with pytest.warns(PygFusionNotice) as seen:
        folder.check_files()
    assert [str(w.message) for w in seen] == [
        f"1 scene(s) under {str(root)!r} hold images of different aspect ratios (H x W), "
        f"e.g. '0001' (depth 12 x 16, shade 12 x 16, rgb 16 x 12): resized to one size, "
        f"their pixels do not correspond (cropped or turned otherwise?)"]
    # one aspect ratio at other sizes (a half-size depth map) is no concern
    Image.fromarray(np.zeros((8, 6, 3), np.uint8)).save(root / "rgb" / "0001.png")
    Image.fromarray(np.zeros((8, 6), np.uint8)).save(root / "depth" / "0001.png")
    Image.fromarray(np.zeros((4, 3), np.uint8)).save(root / "shade" / "0001.png")
    import warnings
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        folder.check_files()


def test_an_image_past_pillows_pixel_limit_is_named(tmp_path, monkeypatch):
    """Pillow refuses images of more than 2 * MAX_IMAGE_PIXELS pixels with a
    DecompressionBombError, no OSError: translate train ended in its traceback."""
    from PIL import Image

    from pyg_fusion.datasets.taskonomy import TaskonomyFolder, read_image
    root = _folder(tmp_path / "d", n=1)
    monkeypatch.setattr(Image, "MAX_IMAGE_PIXELS", 20)
    path = str(root / "depth" / "0000.png")
    message = (f"cannot read image file {path!r}: Image size (64 pixels) exceeds limit of 40 "
               f"pixels, could be decompression bomb DOS attack; if you trust the file, "
               f"raise PIL.Image.MAX_IMAGE_PIXELS")
    for read in (lambda: TaskonomyFolder(str(root), ["depth"]).check_files(),
                 lambda: read_image(path)):
        with pytest.raises(OSError) as err:
            read()
        assert str(err.value) == message


def test_folders_whose_names_do_not_pair_show_them(tmp_path):
    """'no scene is present in all of the folders' did not say how files pair
    nor which names the folders hold (img_0000.png beside depth_0000.png)."""
    from pyg_fusion.datasets.taskonomy import TaskonomyFolder
    root = _folder(tmp_path / "d", n=1)
    for m in ("depth", "shade", "rgb"):
        (root / m / "0000.png").rename(root / m / f"{m}_0000.png")
    with pytest.raises(ValueError) as err:
        TaskonomyFolder(str(root), ["depth", "shade"])
    assert str(err.value) == (
        f"no scene is present in all of the folders ['depth', 'shade', 'rgb'] under "
        f"{str(root)!r}: files pair by their name without extension or '_domain_<name>' "
        f"suffix, and the first names are depth/ 'depth_0000', shade/ 'shade_0000', "
        f"rgb/ 'rgb_0000'")


def test_images_in_folders_below_a_modality_folder_are_named(tmp_path):
    """Taskonomy's own downloads keep a building's images one level down
    (rgb/<building>/...): 'no image files in ROOT/rgb' did not say where they were
    looked for, nor that sub-folders are not read."""
    from pyg_fusion.datasets.taskonomy import TaskonomyFolder
    root = _folder(tmp_path / "d", n=1)
    (root / "rgb" / "allensville").mkdir()
    (root / "rgb" / "0000.png").rename(root / "rgb" / "allensville" / "0000.png")
    with pytest.raises(FileNotFoundError) as err:
        TaskonomyFolder(str(root), ["depth", "shade"])
    assert str(err.value) == (f"no image files in {str(root / 'rgb')!r} (it holds the "
                              f"folders ['allensville']: the images are read from the "
                              f"modality folder itself, not from folders in it)")


def test_a_folder_of_other_files_says_which_files_are_read(tmp_path):
    """A folder of WebP images (which Pillow reads) gave 'no image files in
    ROOT/rgb', as one of HEIC photos does, with no word of the extensions read."""
    from PIL import Image

    from pyg_fusion.datasets.taskonomy import TaskonomyFolder
    root = _folder(tmp_path / "d", n=1)
    Image.open(root / "rgb" / "0000.png").save(root / "rgb" / "0000.webp", lossless=True)
    (root / "rgb" / "0000.png").unlink()
    folder = TaskonomyFolder(str(root), ["depth", "shade"], image_size=8)
    assert folder.names == ["0000"] and folder[0].y.shape == (1, 3, 8, 8)
    (root / "rgb" / "0000.webp").rename(root / "rgb" / "0000.heic")
    with pytest.raises(FileNotFoundError) as err:
        TaskonomyFolder(str(root), ["depth", "shade"])
    assert str(err.value) == (f"no image files in {str(root / 'rgb')!r}: it holds ['.heic'] "
                              f"files, and images are read from files ending in .png, .jpg, "
                              f".jpeg, .bmp, .tif, .tiff, .webp")


def test_one_modality_given_as_a_string_is_named(tmp_path):
    """TranslationModule('depth') built a generator of five modalities, 'd',
    'e', 'p', 't', 'h' (list of a string), without a word; the datasets looked
    for a folder 'd' or refused a modality 'd'."""
    from pyg_fusion.datasets.taskonomy import TaskonomyFolder
    from pyg_fusion.datasets.translation import SyntheticTranslation
    from pyg_fusion.training.translation import TranslationModule
    root = str(_folder(tmp_path / "d", n=1))
    for build in (lambda: TranslationModule("depth", ngf=2, num_downs=3),
                  lambda: TaskonomyFolder(root, "depth"),
                  lambda: SyntheticTranslation(str(tmp_path / "s"), modalities="depth")):
        with pytest.raises(TypeError) as err:
            build()
        assert str(err.value) == ("modalities must be a sequence of names, got the string "
                                  "'depth': pass ['depth']")
    with pytest.raises(TypeError) as err:
        TaskonomyFolder(root, "depth,shade")
    assert str(err.value).endswith("pass ['depth,shade'] or ['depth', 'shade']")
    assert TaskonomyFolder(root, ["depth"]).modalities == ("depth", )


@pytest.mark.parametrize("fmt", ["tiff", "png"])
@pytest.mark.parametrize("orientation", [6, 3, 8])
def test_a_photo_is_read_upright_as_its_exif_orientation_shows_it(tmp_path, orientation, fmt):
    """A phone stores a portrait photo's pixels on their side with an EXIF
    orientation that every viewer applies (and RGBDSegmentation since a67d717):
    read as stored, an rgb target was turned against its depth, silently (turned
    by 180 degrees no aspect ratio tells)."""
    import numpy as np
    from PIL import Image, ImageOps

    from pyg_fusion.datasets.taskonomy import TaskonomyFolder, read_image
    root = _folder(tmp_path / "d", n=1, size=8)
    for m in ("depth", "shade"):
        Image.fromarray(np.zeros((12, 16), np.uint8)).save(root / m / "0000.png")
    shown = np.random.default_rng(0).integers(0, 255, (12, 16, 3), dtype=np.uint8)
    turn = {6: Image.Transpose.ROTATE_90, 3: Image.Transpose.ROTATE_180,
            8: Image.Transpose.ROTATE_270}[orientation]
    stored = Image.fromarray(shown).transpose(turn)
    exif = stored.getexif()
    exif[0x0112] = orientation
    (root / "rgb" / "0000.png").unlink()  # the scene's file is the stored photo
    stored.save(root / "rgb" / f"0000.{fmt}", exif=exif)
    if fmt == "png":  # Pillow 9 turns a TIFF as it loads it and by its EXIF again
        upright = np.asarray(ImageOps.exif_transpose(Image.open(root / "rgb" / "0000.png")))
        assert np.array_equal(upright, shown)  # the picture a viewer shows
    x = read_image(str(root / "rgb" / f"0000.{fmt}"))
    assert torch.equal(x, torch.from_numpy(shown).permute(2, 0, 1).float() / 255)
    import warnings
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # one aspect ratio: no notice
        TaskonomyFolder(str(root), ["depth", "shade"], image_size=None).check_files()


def test_a_relative_root_reads_its_scenes_after_a_chdir(tmp_path, monkeypatch):
    # scenes are read lazily: a relative root named no file after os.chdir
    # ("cannot read image file 'tk/depth/0000.png'")
    from pyg_fusion.datasets import TaskonomyFolder
    _folder(tmp_path / "tk")
    (tmp_path / "elsewhere").mkdir()
    monkeypatch.chdir(tmp_path)
    ds = TaskonomyFolder("tk", ["depth"], image_size=8)
    monkeypatch.chdir(tmp_path / "elsewhere")
    assert ds.raw_dir == str(tmp_path / "tk") and ds[0].x_depth.shape == (1, 1, 8, 8)
