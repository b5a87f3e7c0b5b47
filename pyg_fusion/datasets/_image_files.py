"""The library's reading of image files (:class:`~pyg_fusion.datasets.RGBDSegmentation`
and :class:`~pyg_fusion.datasets.TaskonomyFolder`): errors that name the file,
one table of colour modes, and EXIF orientation applied once, from headers
where only the size is needed; images as float tensors in ``[0, 1]``
(:func:`read_image`) and Taskonomy's depth with its pixels without depth
(:func:`read_depth`), which :mod:`pyg_fusion.datasets.taskonomy` re-exports."""
from __future__ import annotations

import os.path as osp

import numpy as np
import torch
from PIL import Image, ImageOps
from torch import Tensor

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


def _channels(mode: str) -> int:
    """The channels :func:`read_image` gives an image of PIL ``mode``."""
    bands = Image.getmodebands(_READ_AS.get(mode, mode))
    return 3 if bands == 4 else bands  # alpha is dropped


def _header(path: str) -> tuple[int, tuple[int, int]]:
    """``(channels, (H, W))`` that :func:`read_image` gives the file ``path``
    (before resizing; its EXIF orientation applied), from its header: no pixels
    are decoded."""
    try:
        with Image.open(path) as img:
            return _channels(img.mode), _upright_size(img)
    except (OSError, ValueError, Image.DecompressionBombError) as exc:
        raise _unreadable(path, exc) from exc


def _unreadable(path: str, exc: Exception) -> OSError:
    """The error naming an image file that Pillow cannot (or will not) read."""
    if isinstance(exc, Image.DecompressionBombError):
        return OSError(f"cannot read image file {path!r}: {str(exc).rstrip('.')}; if you "
                       f"trust the file, raise PIL.Image.MAX_IMAGE_PIXELS")
    return OSError(f"cannot read image file {path!r}: {exc}")


#: Taskonomy's marker of a pixel without depth in its 16-bit depth images
#: (``depth_zbuffer``, ``depth_euclidean``; 1/512 m, so past 128 m or off the
#: mesh), from which its ``mask_valid`` images are made.
NO_DEPTH = 65535


def _decode(path: str) -> np.ndarray:
    """The pixels ``[H, W]`` or ``[H, W, C]`` of an image file, upright as its
    EXIF orientation shows it (as viewers show it, and RGBDSegmentation), a
    palette, CMYK, YCbCr or LAB image by its RGB colours."""
    try:
        with Image.open(path) as img:
            img = _upright(img)
            if img.mode in _READ_AS:
                img = img.convert(_READ_AS[img.mode])
            return np.asarray(img)
    except (OSError, ValueError, Image.DecompressionBombError) as exc:
        raise _unreadable(path, exc) from exc


def _scaled(arr: np.ndarray, path: str) -> Tensor:
    """Pixels as float ``[C, H, W]`` in ``[0, 1]`` (alpha dropped), or an error
    naming the file ``path``."""
    if arr.dtype == np.uint8:
        x = torch.from_numpy(arr.astype(np.float32) / 255.0)
    elif arr.dtype.kind in "iu":  # 16-bit (or 32-bit mode "I") pixels
        x = torch.from_numpy(arr.astype(np.float32) / 65535.0)
    else:
        x = torch.from_numpy(arr.astype(np.float32))
    x = x.unsqueeze(0) if x.dim() == 2 else x.permute(2, 0, 1)
    if x.size(0) == 4:  # drop alpha
        x = x[:3]
    # a float image (TIFF) is taken as it is: NaN (missing depth) or values past
    # [0, 1] (depth in metres) were passed on or clamped to 1 with no word
    bad = ~torch.isfinite(x) | (x < -1e-6) | (x > 1 + 1e-6)
    if bad.any():
        finite = x[torch.isfinite(x)]
        seen = (f"values in [{float(finite.min()):.4g}, {float(finite.max()):.4g}]"
                if finite.numel() else "no finite value")
        raise ValueError(f"image file {path!r} holds {int(bad.sum())} pixel(s) that are NaN, "
                         f"Inf or outside [0, 1] once scaled ({arr.dtype} pixels, {seen}); "
                         f"expected 8- or 16-bit pixels, or float values in [0, 1] (scale "
                         f"them, fill missing values)")
    return x.clamp(0, 1)


def _resize(x: Tensor, image_size: int | None) -> Tensor:
    if image_size is None or tuple(x.shape[1:]) == (image_size, image_size):
        return x
    return torch.nn.functional.interpolate(
        x[None], size=(image_size, image_size), mode="bilinear",
        align_corners=False, antialias=True)[0]


def read_image(path: str, image_size: int | None = None) -> Tensor:
    """Reads an image file as float ``[C, H, W]`` in ``[0, 1]``, upright as its
    EXIF orientation shows it (a palette, CMYK, YCbCr or LAB image by its RGB
    colours; 8-bit images divided by 255,
    16-bit ones such as Taskonomy depth by 65535; a float image, e.g. a TIFF,
    must already hold values in ``[0, 1]``: NaN, Inf or values outside are an
    error naming the file), resized bilinearly to ``image_size`` if given.
    :func:`read_depth` reads Taskonomy's depth with its pixels without depth."""
    return _resize(_scaled(_decode(path), path), image_size)


def read_depth(path: str, image_size: int | None = None) -> tuple[Tensor, Tensor]:
    """Reads a depth image as :func:`read_image` does, and where it has depth:
    ``(depth [C, H, W], valid [1, H, W] bool)``. A 16-bit pixel of
    :data:`NO_DEPTH` (65535, Taskonomy's marker of no depth, which
    :func:`read_image` gives as 1, the farthest depth) is 0 and not valid, as
    in Taskonomy's ``mask_valid``. Resizing weighs the pixels with depth
    only, so that no depth of 0 bleeds into its neighbours; a resized pixel is
    valid where more than half of its weight is."""
    arr = _decode(path)
    # 16-bit pixels (mode "I;16", or "I" of Pillow < 10); 8-bit ones mark none
    missing = (arr == NO_DEPTH if arr.dtype.kind in "iu" and arr.dtype.itemsize > 1
               else np.zeros(arr.shape, bool))
    if missing.ndim == 3:
        missing = missing.any(-1)
    if not missing.any():
        x = _resize(_scaled(arr, path), image_size)
        return x, torch.ones((1, *x.shape[1:]), dtype=torch.bool)
    arr = np.where(missing[..., None] if arr.ndim == 3 else missing, 0, arr)
    x, valid = _scaled(arr, path), torch.from_numpy(~missing)[None].float()
    if image_size is None or tuple(x.shape[1:]) == (image_size, image_size):
        return x, valid.bool()
    weight = _resize(valid, image_size)
    keep = weight > 0.5
    x = torch.where(keep, _resize(x, image_size) / weight.clamp_min(0.5), 0.0).clamp(0, 1)
    return x, keep
