"""RGB-D semantic segmentation in the NYUDv2 list layout of the AsymFusion /
RefineNet releases.

``<root>/<split>.txt`` lists one image per line: three tab-separated paths
(space-separated where none holds a space; relative to ``root``) to the RGB PNG, the label PNG (class ids, ``255`` =
ignore) and the depth PNG (16-bit). NYUDv2 has 40 classes; depth is divided by
5000 and tiled to 3 channels, RGB (8- or 16-bit; a grey image is tiled) is
scaled to [0, 1] by its bit depth and normalised with the
ImageNet mean and std (the release's settings). Training applies a random
scale in [0.5, 2] (RGB bilinear; mask and depth take the pixel whose centre
the RGB samples), a random crop (padded with ignore labels) and a random
horizontal flip.

These are images, not graphs: the dataset is a plain
:class:`torch.utils.data.Dataset` whose items are dicts
``{"rgb": [3, H, W], "depth": [3, H, W], "mask": [H, W] long}``.
"""
from __future__ import annotations

import operator
import os.path as osp
import warnings
from typing import Sequence

import numpy as np
import torch
import torch.nn.functional as F
from torch import Tensor
from torch.utils.data import Dataset

from .._option_rules import is_finite_real, is_int
from ..functional._checks import check_flag, check_int
from ._image_files import _png_size, _read_png
from ._io import check_root
from ._text import read_text

__all__ = ["RGBDSegmentation", "IMAGENET_MEAN", "IMAGENET_STD"]

IMAGENET_MEAN = (0.485, 0.456, 0.406)
IMAGENET_STD = (0.229, 0.224, 0.225)


def _kinds(paths: Sequence[str]) -> tuple[str, ...]:
    """What each path of a list's line is: rgb, mask, depth; rgb, depth without masks."""
    return ("rgb", "mask", "depth") if len(paths) == 3 else ("rgb", "depth")


def _sizes_differ(paths: Sequence[str], sizes: Sequence[tuple]) -> ValueError:
    return ValueError("image sizes differ: " + ", ".join(
        f"{what} {p} {tuple(size)}" for what, p, size in zip(_kinds(paths), paths, sizes)))


def _positive(name: str, value) -> float:
    """``value`` as a finite float > 0: a NaN or negative depth scale made
    every depth NaN or negative without a word, a string failed at the first
    item in torch's words."""
    if not (is_finite_real(value) and value > 0):
        raise ValueError(f"{name} must be a finite number > 0, got {value!r}")
    return float(value)


def _scale_range(value) -> tuple[float, float]:
    """``scale_range`` as ``(low, high)``, two finite numbers ``0 < low <= high``."""
    expected = "(low, high), two finite numbers 0 < low <= high"
    try:
        pair = tuple(value)
    except TypeError:
        pair = ()
    if len(pair) != 2:  # a 1-tuple failed unpacking, without the argument's name
        raise ValueError(f"scale_range must be {expected}, got {value!r}")
    lo, hi = (_positive(f"scale_range[{i}]", v) for i, v in enumerate(pair))
    if lo > hi:
        raise ValueError(f"scale_range must be {expected}, got {value!r}")
    return lo, hi


def _label_id(value) -> int:
    """``ignore_index``, an integer label id (a string failed at the first
    padded crop, in torch's words)."""
    if not is_int(value):
        raise TypeError(f"ignore_index must be an integer label id, got {value!r}")
    return int(value)


class RGBDSegmentation(Dataset):
    r"""NYUDv2-style RGB-D segmentation data from a list file.

    Args:
        root (str): data folder (made absolute here: items are read lazily).
        split (str, optional): ``"train"``, ``"val"`` or ``"test"``; the list is
            ``<root>/<split>.txt`` unless ``list_file`` is given. (default: :obj:`"train"`)
        list_file (str, optional): explicit list file (absolute or relative to ``root``).
            (default: :obj:`None`)
        num_classes (int, optional): label ids must be ``< num_classes`` or ``ignore_index``.
            (default: :obj:`40`)
        ignore_index (int, optional): label of unlabelled pixels (255). (default: :obj:`255`)
        depth_scale (float, optional): depth PNG values are multiplied by it (``1/5000``).
            (default: :obj:`0.0002`)
        augment (bool, optional): random scale, crop and flip; default: ``split == "train"``.
            (default: :obj:`None`)
        scale_range (Sequence[float], optional): range of the random scale factor. (default:
            :obj:`(0.5, 2.0)`)
        crop_size (int | None, optional): side of the square training crop (``None``: no crop).
            (default: :obj:`500`)
        normalize (bool, optional): ImageNet mean / std on RGB. (default: :obj:`True`)
        in_memory (bool, optional): decode every PNG once and keep the arrays (small sets).
            (default: :obj:`False`)
        masks (bool, optional): :obj:`False` for scenes without labels (to predict): each
            line holds two paths, the RGB and the depth PNG, and items hold no ``"mask"``;
            ``augment`` is then an error. (default: :obj:`True`)

    Items:
        ``{"rgb": [3, H, W] float, "depth": [3, H, W] float,
        "mask": [H, W] long, "index": int}``.
    """

    def __init__(self, root: str, split: str = "train", *,
                 list_file: str | None = None, num_classes: int = 40,
                 ignore_index: int = 255, depth_scale: float = 1 / 5000,
                 augment: bool | None = None,
                 scale_range: Sequence[float] = (0.5, 2.0),
                 crop_size: int | None = 500, normalize: bool = True,
                 in_memory: bool = False, masks: bool = True):
        super().__init__()
        check_flag("masks", masks)
        self.masks = bool(masks)
        if augment and not masks:  # the crop pads the mask, which is not there
            raise ValueError("augment=True with masks=False: augmentation is for training, "
                             "on labelled scenes; leave augment out")
        check_int("num_classes", num_classes, minimum=1)
        if crop_size is not None:
            check_int("crop_size", crop_size, minimum=1)
        ignore_index = _label_id(ignore_index)
        depth_scale = _positive("depth_scale", depth_scale)
        scale_range = _scale_range(scale_range)
        # '~/data' is a home's folder, as PyG's datasets read it; absolute: the
        # items are read lazily, so a relative root named no file after os.chdir
        self.root = osp.abspath(check_root(root))
        self.split = split
        if list_file is None:
            if split not in ("train", "val", "test"):
                raise ValueError(f"split must be 'train', 'val' or 'test' (or "
                                 f"give list_file), got {split!r}")
            list_file = f"{split}.txt"
        list_file = osp.expanduser(list_file)
        path = list_file if osp.isabs(list_file) else osp.join(self.root, list_file)
        if not osp.isabs(list_file) and not osp.isdir(self.root):
            # 'list file not found: ROOT/train.txt' did not say that ROOT was the problem
            file = osp.isfile(self.root)
            raise (NotADirectoryError if file else FileNotFoundError)(
                f"dataset folder {self.root!r} {'is a file' if file else 'does not exist'} "
                f"(expected the folder of {list_file} and the images it lists)")
        if not osp.isfile(path):
            raise FileNotFoundError(f"list file not found: {path}")
        self.list_file = path
        # (each item's line of the list: blank lines are skipped)
        self.items, self._lines = self._parse(path)
        if not self.items:
            raise ValueError(f"list file {path} lists no images")
        self.num_classes, self.ignore_index = num_classes, ignore_index
        self.depth_scale = depth_scale
        self.augment = (split == "train" and masks) if augment is None else bool(augment)
        self.scale_range = scale_range
        self.crop_size = crop_size
        self.normalize = normalize
        self._cache = [self._load(i) for i in range(len(self.items))] \
            if in_memory else None

    def _parse(self, path: str) -> tuple[list[tuple[str, ...]], list[int]]:
        items, lines, want = [], [], 3 if self.masks else 2
        kinds = ", ".join(_kinds(range(want)))
        for n, line in enumerate(read_text(path, "list file").splitlines(), 1):
            if not line.strip():
                continue
            # blanks around a path are the list's layout, not the file's name: a
            # trailing space reported 'file not found' for a file that is there
            parts = [p.strip() for p in line.strip().split("\t")]
            if len(parts) == 1 and len(line.split()) == want:
                # 'rgb/1.png mask/1.png depth/1.png' (a list written with spaces) was
                # refused as 1 path: paths of no space, split on the spaces
                parts = line.split()
            if len(parts) != want:
                # a line of two space-separated paths was counted as 1 (no tab)
                got = len(line.split()) if len(parts) == 1 else len(parts)
                hint = ("; a list of rgb and depth alone (no labels) is read with "
                        "masks=False" if self.masks and got == 2 else "")
                raise ValueError(f"{path}, line {n}: expected {want} tab-separated (or "
                                 f"space-separated) paths ({kinds}), got "
                                 f"{got}: {line.strip()!r}{hint}")
            items.append(tuple(self._path(p) for p in parts))
            lines.append(n)
        return items, lines

    def _path(self, p: str) -> str:
        path = p if osp.isabs(p) else osp.join(self.root, p)
        if "\\" in p and osp.sep == "/" and not osp.exists(path):
            # a list written on Windows names its files with backslashes (a
            # name that holds one, and exists, is kept as it is)
            windows = osp.join(self.root, p.replace("\\", "/"))
            if osp.exists(windows):
                return windows
        return path

    def __len__(self) -> int:
        return len(self.items)

    def check_files(self, pixels: bool = False, labels: bool = False,
                    progress: bool = False) -> list[tuple[int, int]]:
        """Checks every listed scene from the files' headers, without decoding
        pixels: its files (three, or two without ``masks``) exist, are images
        and share one size, and the mask is no JPEG. Returns each scene's ``(H, W)``.

        Items are read lazily, so without this a bad file of a test list
        surfaces only once training is over; the ``segment`` command calls it
        on both splits before training, with ``labels=True`` on the training
        split and ``pixels=True`` on the test split.

        Args:
            pixels (bool, optional): also read every scene as an item is read, for what
                the headers cannot tell: labels outside ``[0, num_classes)`` (a wrong
                ``num_classes``), a mask or depth of several channels, NaN depth, a file
                cut short, and masks whose every pixel is ``ignore_index`` (nothing to
                score); labelled pixels of one class only are a :class:`UserWarning` (a
                binary mask saved as 0 / 255). (default: :obj:`False`)
            labels (bool, optional): read the masks alone for those checks of their labels
                (a fraction of the time of ``pixels``). (default: :obj:`False`)
            progress (bool, optional): a progress bar while reading pixels or labels
                (seconds per hundred scenes of NYUDv2's size). (default: :obj:`False`)
        """
        from tqdm.auto import tqdm

        sizes, classes, ignored, total = [], set(), 0, 0
        read = pixels or labels
        bar = tqdm(self.items, disable=not (read and progress), leave=False,
                   desc=f"checking {osp.basename(self.list_file)}")
        for i, paths in enumerate(bar):
            dims = [_png_size(p, what) for p, what in zip(paths, _kinds(paths))]
            if len(set(dims)) != 1:
                raise _sizes_differ(paths, dims)
            sizes.append(dims[0])
            if not self.masks:  # no labels: the pixels' checks alone
                if pixels and self._cache is None:
                    self._load(i)
            elif read:  # in_memory: read (and checked) already
                mask = (self._cache[i][2] if self._cache is not None else
                        self._load(i)[2] if pixels else self._read_mask(i))
                kept = mask[mask != self.ignore_index]
                classes.update(kept.unique().tolist())
                ignored, total = ignored + mask.numel() - kept.numel(), total + mask.numel()
        if not (read and self.masks):
            return sizes
        if not classes:
            raise ValueError(f"{self.list_file}: every mask pixel of its {len(self)} scene(s) "
                             f"is ignore_index ({self.ignore_index}): no labelled pixel to "
                             f"train on or score")
        if len(classes) == 1:
            # a binary mask saved as 0 / 255 (what most tools write) trains and scores
            # its background alone: its foreground is the ignore value
            hint = (f"; {ignored / total:.0%} of its pixels are ignore_index "
                    f"({self.ignore_index}): a binary mask saved as 0 / {self.ignore_index} "
                    f"marks its foreground as unlabelled (save it as 0 / 1)" if ignored else "")
            warnings.warn(f"{self.list_file}: every labelled pixel of its {len(self)} "
                          f"scene(s) is class {classes.pop()}: one class to learn or "
                          f"score{hint}", UserWarning, stacklevel=2)
        return sizes

    def _check_labels(self, mask: np.ndarray, mask_p: str) -> None:
        """A single-channel mask's pixels are integer class ids in ``[0,
        num_classes)`` or ``ignore_index``; else a :class:`ValueError` naming it."""
        if not (np.issubdtype(mask.dtype, np.integer) or mask.dtype == np.bool_):  # 1-bit PNG
            # a float mask (TIFF) was cast to int64: 1.7 became class 1, NaN -2**63
            raise ValueError(f"mask {mask_p} holds {mask.dtype} pixels, expected integer "
                             f"class ids (an 8- or 16-bit PNG)")
        bad = ((mask < 0) | (mask >= self.num_classes)) & (mask != self.ignore_index)
        if bad.any():
            raise ValueError(f"mask {mask_p} holds labels outside [0, "
                             f"{self.num_classes}) and != {self.ignore_index}: "
                             f"{sorted(set(np.unique(mask[bad]).tolist()))[:5]}")

    def _read_mask(self, i: int) -> Tensor:
        """Scene ``i``'s mask alone, checked as :meth:`_load` checks it."""
        mask_p = self.items[i][1]
        mask = _read_png(mask_p, "mask")
        if mask.ndim != 2:
            raise ValueError(f"mask must be a single-channel PNG: {mask_p} {mask.shape}")
        self._check_labels(mask, mask_p)
        return torch.from_numpy(mask.astype(np.int64))

    def _load(self, i: int) -> tuple[Tensor, Tensor, Tensor | None]:
        rgb_p, depth_p = self.items[i][0], self.items[i][-1]
        rgb = _read_png(rgb_p, "rgb", color=True)
        if rgb.ndim == 2:
            rgb = np.repeat(rgb[..., None], 3, axis=2)
        rgb = rgb[..., :3]
        # the full range of the file's bit depth is [0, 1]: a 16-bit (grey) PNG
        # divided by 255 gave values up to 257
        if rgb.dtype.kind != "u" or rgb.dtype.itemsize > 2:  # big-endian 16-bit TIFFs too
            raise ValueError(f"rgb file {rgb_p} holds {rgb.dtype} pixels, expected an 8- or "
                             f"16-bit image")
        depth = _read_png(depth_p, "depth")
        if not self.masks:
            mask = mask_p = None
        else:
            mask_p = self.items[i][1]
            mask = _read_png(mask_p, "mask")
        if mask is None and depth.ndim != 2:  # (no mask to name: "None None")
            raise ValueError(f"depth must be a single-channel PNG: {depth_p} {depth.shape}")
        if mask is not None and (mask.ndim != 2 or depth.ndim != 2):
            raise ValueError(f"mask and depth must be single-channel PNGs: "
                             f"{mask_p} {mask.shape}, {depth_p} {depth.shape}")
        if np.issubdtype(depth.dtype, np.floating) and not np.isfinite(depth).all():
            # a float depth image (TIFF) marks missing depth with NaN: named here,
            # not by the network once a whole training run is over
            raise ValueError(f"depth file {depth_p} holds {int((~np.isfinite(depth)).sum())} "
                             f"NaN or Inf pixel(s); fill them in (e.g. with 0, no depth)")
        sizes = [a.shape[:2] for a in (rgb, mask, depth) if a is not None]
        if len(set(sizes)) != 1:
            raise _sizes_differ(self.items[i], sizes)
        if mask is not None:
            self._check_labels(mask, mask_p)
        rgb_t = torch.from_numpy(rgb.astype(np.float32)).permute(2, 0, 1) \
            / float(np.iinfo(rgb.dtype).max)
        depth_t = torch.from_numpy(depth.astype(np.float32)) * self.depth_scale
        return (rgb_t, depth_t[None],
                None if mask is None else torch.from_numpy(mask.astype(np.int64)))

    def _augment(self, rgb, depth, mask):
        lo, hi = self.scale_range
        s = float(torch.empty(()).uniform_(lo, hi)) if hi > lo else lo
        h, w = mask.shape
        if s != 1.0:
            size = (max(1, round(h * s)), max(1, round(w * s)))
            rgb = F.interpolate(rgb[None], size=size, mode="bilinear",
                                align_corners=False)[0]
            # nearest for depth too: averaging across an object border would
            # invent depths that exist nowhere in the scene. 'nearest-exact' takes
            # the pixel whose centre the bilinear RGB samples; torch's 'nearest' (as
            # the release's cv2 INTER_NEAREST) took the one under the output pixel's
            # corner, labels up to a pixel off their colours (scale 1/3: 3c for 3c + 1)
            depth = F.interpolate(depth[None], size=size, mode="nearest-exact")[0]
            mask = F.interpolate(mask[None, None].float(), size=size,
                                 mode="nearest-exact")[0, 0].long()
        if self.crop_size is not None:
            c = self.crop_size
            h, w = mask.shape
            ph, pw = max(0, c - h), max(0, c - w)
            if ph or pw:
                # RGB padded with the mean, as the release pads: 0 once normalised
                fill = torch.tensor(IMAGENET_MEAN if self.normalize else (0.0, 0.0, 0.0))
                rgb = torch.cat([F.pad(c[None], (0, pw, 0, ph), value=float(v))
                                 for c, v in zip(rgb, fill)])
                depth = F.pad(depth, (0, pw, 0, ph))
                mask = F.pad(mask, (0, pw, 0, ph), value=self.ignore_index)
            h, w = mask.shape
            top = int(torch.randint(0, h - c + 1, ()))
            left = int(torch.randint(0, w - c + 1, ()))
            rgb = rgb[:, top:top + c, left:left + c]
            depth = depth[:, top:top + c, left:left + c]
            mask = mask[top:top + c, left:left + c]
        if bool(torch.rand(()) < 0.5):
            rgb, depth, mask = rgb.flip(-1), depth.flip(-1), mask.flip(-1)
        return rgb, depth, mask

    def __getitem__(self, i: int) -> dict:
        try:  # numpy and 0-d tensor integers too; a slice or list is no scene
            if isinstance(i, (bool, np.bool_)) or getattr(i, "dtype", None) == torch.bool:
                raise TypeError  # read as the scene 1 or 0 (ds[mask.any()])
            i = operator.index(i)
        except TypeError:
            raise TypeError(f"{type(self).__name__} is indexed by one integer (a scene), got "
                            f"{type(i).__name__} {i!r}: for several scenes use "
                            f"torch.utils.data.Subset(dataset, indices)") from None
        if not -len(self) <= i < len(self):
            raise IndexError(f"index {i} out of range for {len(self)} images")
        i = i % len(self)
        if self._cache is None:
            rgb, depth, mask = self._load(i)
        else:
            # copies: an item edited in place must not change the dataset (an
            # unflipped, uncropped item would otherwise be the cached tensor;
            # depth is copied by the expand below)
            rgb, depth, mask = self._cache[i]
            rgb, mask = rgb.clone(), None if mask is None else mask.clone()
        if self.augment:
            rgb, depth, mask = self._augment(rgb, depth, mask)
        if self.normalize:
            mean = torch.tensor(IMAGENET_MEAN).view(3, 1, 1)
            std = torch.tensor(IMAGENET_STD).view(3, 1, 1)
            rgb = (rgb - mean) / std
        item = {"rgb": rgb.contiguous(), "depth": depth.expand(3, -1, -1).contiguous(),
                "index": i}
        if mask is not None:
            item["mask"] = mask.contiguous()
        return item

    def __repr__(self) -> str:
        return (f"{self.__class__.__name__}({len(self)}, split={self.split!r}, "
                f"augment={self.augment})")
