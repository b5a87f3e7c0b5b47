"""The library's reading of image files (:class:`~pyg_fusion.datasets.RGBDSegmentation`
and :class:`~pyg_fusion.datasets.TaskonomyFolder`): errors that name the file,
one table of colour modes, and EXIF orientation applied once, from headers
where only the size is needed."""
from __future__ import annotations

import os.path as osp

import numpy as np
from PIL import Image, ImageOps

# A JPEG's lossy compression moves a label map's ids (around every edge, and
# whole regions at low quality: class 3 read as 2) without a word
_LOSSY = ("JPEG", "MPO")


def _open(path: str, what: str) -> Image.Image:
    """The opened image (header read, no pixels decoded); errors name ``what``
    and the file."""
    if not osp.isfile(path):
        raise FileNotFoundError(f"{what} file not found: {path}")
    try:
        im = Image.open(path)
    except Exception as exc:
        raise ValueError(f"cannot read {what} file {path}: {exc}") from exc
    if what == "mask" and im.format in _LOSSY:
        im.close()
        raise ValueError(f"mask file {path} is a {im.format}: its lossy compression changes "
                         f"class ids; save label maps as PNG")
    return im


# the modes read by their RGB colours (a palette image's array is its indices;
# other colour spaces' channels are no RGB: a CMYK JPEG's first three, C, M, Y,
# read red (200, 0, 0) as cyan) or as grey (a grey image with alpha); others as
# they are. One table for the library's image readers.
_READ_AS = {"P": "RGB", "PA": "RGB", "CMYK": "RGB", "YCbCr": "RGB", "LAB": "RGB",
            "HSV": "RGB", "LA": "L"}

# EXIF orientations that turn the stored pixels by 90 degrees to show them
_TURNED = (5, 6, 7, 8)


def _orientation(im: Image.Image) -> int:
    """The EXIF orientation of ``im`` (1: as stored), from its header. A camera
    stores a portrait photo's pixels on their side with the orientation that
    shows it upright, as every viewer does (the scene's mask and depth are drawn
    on the upright picture)."""
    if im.format == "PNG" and "exif" not in im.info:
        # Pillow decodes a whole PNG to look for an EXIF block after its pixels:
        # the header checks of a list would read every file
        return 1
    try:
        return int(im.getexif().get(0x0112, 1))
    except Exception:  # an unreadable EXIF block: the pixels as stored
        return 1


def _upright(im: Image.Image) -> Image.Image:
    """``im`` with its pixels loaded, turned upright by its EXIF orientation,
    once. Pillow turns a TIFF itself as it loads it: a recent Pillow then
    drops the orientation from its EXIF, but Pillow 9 keeps it (and the
    private ``_tile_orientation`` it turned by), so that turning by the EXIF
    again turned it twice."""
    im.load()
    if getattr(im, "_tile_orientation", None) or _orientation(im) == 1:
        return im
    return ImageOps.exif_transpose(im)


def _read_png(path: str, what: str, *, color: bool = False) -> np.ndarray:
    with _open(path, what) as im:
        fmt = im.format
        try:
            im = _upright(im)
            # a label mask keeps a palette's indices, which are its classes
            if color and im.mode in _READ_AS:
                im = im.convert(_READ_AS[im.mode])
            arr = np.array(im)
        except Exception as exc:
            raise ValueError(f"cannot read {what} file {path}: {exc}") from exc
        if fmt == "PNG" and arr.dtype == np.int32:
            # Pillow < 10 opens a 16-bit grey PNG as 32-bit mode "I"; a PNG
            # sample has at most 16 bits, so its bit depth is uint16
            arr = arr.astype(np.uint16)
        return arr


def _upright_size(img: Image.Image) -> tuple[int, int]:
    """``(H, W)`` of the opened image ``img`` turned upright by its EXIF
    orientation, from its header. A recent Pillow turns a TIFF upright itself
    on load and reports its size so already: it is not swapped again."""
    w, h = img.size
    turned = _orientation(img) in _TURNED
    if turned and img.format == "TIFF" and (w, h) != (img.tag_v2.get(256), img.tag_v2.get(257)):
        turned = False
    return (w, h) if turned else (h, w)


def _png_size(path: str, what: str) -> tuple[int, int]:
    """``(H, W)`` of an image file as shown (its EXIF orientation applied),
    from its header (no pixels decoded)."""
    with _open(path, what) as im:
        return _upright_size(im)
