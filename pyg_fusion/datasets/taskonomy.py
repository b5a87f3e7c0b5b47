"""Taskonomy-style image folders for multi-modal translation: one folder per
modality, files paired by their stem."""
from __future__ import annotations

import os
import os.path as osp
import re
from typing import Callable, Sequence

from torch_geometric.data import Data, Dataset

from .._notices import notice
from ..functional._checks import channel_count, check_int, check_names
# the reading of image files; read_image, read_depth and NO_DEPTH keep this import path
from ._args import CheckedIndex
from ._image_files import NO_DEPTH, _header, read_depth, read_image  # noqa: F401
from ._io import check_root
from .translation import IMAGE_EXTENSIONS, ImagePairs, check_modalities, image_pair_data


# Taskonomy names a file point_<p>_view_<v>_domain_<modality>.png: strip the
# domain suffix so that files of different modalities pair by their stem.
_DOMAIN_SUFFIX = re.compile(r"_domain_[A-Za-z0-9_]+$")


def _stem(name: str) -> str:
    return _DOMAIN_SUFFIX.sub("", osp.splitext(name)[0])


def _no_images(folder: str) -> str:
    """The error of a modality folder without image files: what it holds instead."""
    entries = [e for e in os.listdir(folder) if not e.startswith(".")]
    subs = sorted(e for e in entries if osp.isdir(osp.join(folder, e)))
    kinds = sorted({osp.splitext(e)[1].lower() or e for e in entries if e not in subs})
    if subs:
        return (f"no image files in {folder!r} (it holds the folders {subs[:3]}: the images "
                f"are read from the modality folder itself, not from folders in it)")
    if kinds:
        return (f"no image files in {folder!r}: it holds {kinds[:3]} files, and images are "
                f"read from files ending in {', '.join(IMAGE_EXTENSIONS)}")
    return f"no image files in {folder!r}"


class TaskonomyFolder(ImagePairs, CheckedIndex, Dataset):
    r"""Image translation data laid out as in Taskonomy: one folder per
    modality under ``root``, files paired by name.

    ::

        root/rgb/point_0_view_0_domain_rgb.png
        root/depth_zbuffer/point_0_view_0_domain_depth_zbuffer.png
        root/normal/point_0_view_0_domain_normal.png

    A ``_domain_<name>`` suffix is ignored when pairing, so plain names
    (``root/depth/0001.png``, ``root/rgb/0001.png``) work as well. Only scenes
    present in every requested folder are kept (sorted by name; a
    :class:`~pyg_fusion.PygFusionNotice` names those left out); hidden files (``.<name>``) are
    skipped. Images are read lazily, scaled
    to ``[0, 1]`` (16-bit files by 65535) and resized to ``image_size``;
    :meth:`check_files` checks every file's header at once.

    Taskonomy's 16-bit depth marks a pixel without depth (off the mesh, or
    past 128 m) 65535, which as a value is the farthest depth: in the
    ``depth`` folders it reads as 0 (no depth, as
    :class:`~pyg_fusion.datasets.RGBDSegmentation`'s), and each scene holds
    ``valid_<folder>`` (``[1, 1, H, W]`` bool, Taskonomy's ``mask_valid``),
    False there (see :func:`read_depth`).

    Args:
        root (str): the folder holding one sub-folder per modality (made absolute
            here: scenes are read lazily).
        modalities (Sequence[str]): input modality folder names.
        target (str | None, optional): target folder name; its images keep their channels
            (:attr:`target_channels`: 1 for depth, 3 for colour). :obj:`None` for scenes
            without targets (to predict them): the scenes hold no ``y``.
            (default: :obj:`"rgb"`)
        image_size (int | None, optional): resize every image to ``image_size x image_size``
            (``None``: keep; then all files must share one size). (default: :obj:`256`)
        transform (Callable, optional): as in PyG. (default: :obj:`None`)
        depth (Sequence[str], optional): the folders (among ``modalities`` and
            ``target``) of depth images, whose 16-bit pixels of 65535 have no depth
            (``[]``: none). (default: :obj:`None`: those named ``depth...``, e.g.
            ``depth_zbuffer``, ``depth_euclidean``)
    """

    def __init__(self, root: str, modalities: Sequence[str],
                 target: str | None = "rgb", image_size: int | None = 256,
                 transform: Callable | None = None,
                 depth: Sequence[str] | None = None):
        if target is not None and (not isinstance(target, str) or not target):
            raise TypeError(f"target must be the name of a modality folder or None, got "
                            f"{target!r}")
        self.modalities = check_modalities(modalities, target)
        self.target = target
        # the folders read, the target's last; a scene is named by its file there
        self._folders = folders = (*self.modalities, *([target] if target else []))
        if depth is None:
            depth = [m for m in folders if m.lower().startswith("depth")]
        self.depth = tuple(check_names("depth", depth))
        if set(self.depth) - set(folders):
            raise ValueError(f"depth must name folders among the modalities and the target "
                             f"{list(folders)}, got {list(self.depth)}")
        if image_size is not None:
            check_int("image_size", image_size, minimum=1)
        self.image_size = image_size
        # absolute: scenes are read lazily, so a relative root named no file after
        # os.chdir; '~/data' is a home's folder, as PyG's datasets read it
        root = osp.abspath(check_root(root))
        if osp.isfile(root):  # was called missing
            raise NotADirectoryError(f"dataset folder {root!r} is a file; expected the folder "
                                     f"holding one folder per modality")
        if not osp.isdir(root):
            raise FileNotFoundError(f"dataset folder {root!r} does not exist")
        self._root = root
        self._files = self._index()
        self._channels: dict[str, int] | None = None
        self._size: tuple[int, int] | None = None
        super().__init__(root, transform)

    @property
    def raw_dir(self) -> str:
        return self._root

    @property
    def raw_file_names(self) -> list[str]:
        return list(self._folders)

    @property
    def processed_file_names(self) -> list[str]:
        return []

    def download(self) -> None:  # only reached when a folder is missing
        missing = [p for p in self.raw_paths if not osp.isdir(p)]
        raise FileNotFoundError(f"modality folder(s) missing: {missing}")

    def _index(self) -> list[dict[str, str]]:
        tables = {}
        for m in self._folders:
            folder = osp.join(self._root, m)
            if not osp.isdir(folder):
                # named no flag, nor whether the target or an input was missing,
                # nor the folders there are (a typo of one of them)
                role = ("modality", "--modalities") if m in self.modalities else \
                    ("target", "--target")
                there = sorted(f for f in os.listdir(self._root)
                               if osp.isdir(osp.join(self._root, f)) and not f.startswith("."))
                # scenes without targets (translate predict, whose modalities are the
                # checkpoint's): no target folder, no flag but --data
                want, flags = (("modality and one for the target", f"--data, {role[1]}")
                               if self.target is not None else
                               (f"modality ({', '.join(map(repr, self.modalities))})", "--data"))
                raise FileNotFoundError(
                    f"{role[0]} folder {folder!r} does not exist: expected one folder per "
                    f"{want} under {self._root!r}, which holds "
                    f"{', '.join(map(repr, there)) or 'no folder'} (pyg-fusion: {flags})")
            tables[m] = {}
            for f in sorted(os.listdir(folder)):
                # hidden files are no scenes: macOS writes a '._<name>' companion
                # (AppleDouble, not an image) beside every file it copies to some drives
                if f.startswith(".") or not f.lower().endswith(IMAGE_EXTENSIONS):
                    continue
                if _stem(f) in tables[m]:  # which one is the scene's image is unknowable
                    raise ValueError(f"two image files of scene {_stem(f)!r} in {folder!r}: "
                                     f"{osp.basename(tables[m][_stem(f)])!r} and {f!r}")
                tables[m][_stem(f)] = osp.join(folder, f)
            if not tables[m]:
                raise FileNotFoundError(_no_images(folder))
        common = sorted(set.intersection(*(set(t) for t in tables.values())))
        if not common:  # the names tell the user what did not pair
            firsts = ", ".join(f"{m}/ {min(t)!r}" for m, t in tables.items())
            raise ValueError(f"no scene is present in all of the folders "
                             f"{list(tables)} under {self._root!r}: files pair by their name "
                             f"without extension or '_domain_<name>' suffix, and the first "
                             f"names are {firsts}")
        scenes = set().union(*tables.values())
        if len(scenes) > len(common):  # a user's scenes, fewer without a word
            lack = {m: sorted(scenes - set(t)) for m, t in tables.items()}
            said = "; ".join(f"no {m!r} image: " + ", ".join(map(repr, v[:3]))
                             + (f" and {len(v) - 3} more" if len(v) > 3 else "")
                             for m, v in lack.items() if v)
            out = len(scenes) - len(common)
            notice(f"{out} of the {len(scenes)} scenes under "
                   f"{self._root!r} {'is' if out == 1 else 'are'} left out, lacking an image in some folder ({said}); "
                   f"only scenes present in every folder are kept, paired by file name",
                   stacklevel=3)
        return [{m: tables[m][s] for m in tables} for s in common]

    @property
    def names(self) -> list[str]:
        """Scene names (file stems), in dataset order (of a subset, e.g.
        ``folder[perm]``, its own scenes)."""
        return [self._name(i) for i in self.indices()]

    def _name(self, idx: int) -> str:
        """The name of the scene ``idx`` of the folder (not of a subset)."""
        return _stem(osp.basename(self._files[idx][self._folders[-1]]))

    @property
    def channels(self) -> dict[str, int]:
        """``{modality: C}`` of the input modalities, as in the first scene;
        every scene must have them (a batch stacks its scenes)."""
        return {m: self._first_channels()[m] for m in self.modalities}

    @property
    def target_channels(self) -> int:
        """``C`` of the target's images (e.g. 1 for depth), as in the first
        scene: the translator's ``out_channels``."""
        if self.target is None:
            raise ValueError("target_channels: this folder was read with target=None (no "
                             "targets)")
        return self._first_channels()[self.target]

    def _first_channels(self) -> dict[str, int]:
        """``{folder: C}`` of the first scene's files (inputs and target)."""
        if self._channels is None:
            self._channels = {m: _header(p)[0] for m, p in self._files[0].items()}
        return self._channels

    def check_files(self) -> None:
        """Checks every scene from its files' headers, without decoding pixels:
        each file is an image, each image has the channels of its folder's
        first one (the inputs' and the target's) and, with ``image_size=None``,
        every image has the first scene's size. Scenes are read lazily, so without this a bad file
        surfaces only when a batch reaches it (a validation or test folder's
        once an epoch of training is over); ``translate`` calls it on each
        folder before training or scoring. Scenes whose images differ in
        aspect ratio are named in a notice: resizing each to ``image_size``
        stretches them differently, so their pixels do not correspond."""
        skewed = []
        for idx, files in enumerate(self._files):
            heads = {m: _header(p) for m, p in files.items()}
            self._check_scene(idx, {m: heads[m][0] for m in files},
                              {size for _, size in heads.values()})
            ratios = [w / h for _, (h, w) in heads.values()]
            if max(ratios) > 1.01 * min(ratios):  # beyond rounding a side
                skewed.append(f"{self._name(idx)!r} (" + ", ".join(
                    f"{m} {h} x {w}" for m, (_, (h, w)) in heads.items()) + ")")
        if skewed:
            notice(f"{len(skewed)} scene(s) under {self._root!r} hold images of different "
                   f"aspect ratios (H x W), e.g. {skewed[0]}: resized to one size, their "
                   f"pixels do not correspond (cropped or turned otherwise?)", stacklevel=2)

    def _check_scene(self, idx: int, channels: dict[str, int],
                     sizes: set[tuple[int, int]]) -> None:
        """Raises naming the file or scene when the ``channels`` of scene ``idx``
        (inputs and target) are not its folders' first ones or, with
        ``image_size=None``, its images' ``sizes`` (H, W) are not the first
        scene's: batching would fail naming none."""
        files = self._files[idx]
        for m, c in channels.items():
            want = self._first_channels()[m]
            if c != want:
                raise ValueError(f"{files[m]} has {channel_count(c)}, but {m!r} images "
                                 f"have {want} (as {self._files[0][m]}): save "
                                 f"every {m!r} image with the same channels")
        if self.image_size is not None:
            return  # every image is resized to one size
        if len(sizes) != 1:
            raise ValueError(f"images of scene {self._name(idx)!r} differ in "
                             f"size {sorted(sizes)}; pass image_size")
        if sizes != {self.first_size}:
            raise ValueError(f"scene {self._name(idx)!r} is {sizes.pop()} (H, W), but the "
                             f"first scene {self._name(0)!r} is {self.first_size}: with "
                             f"image_size=None every scene must have one size; pass "
                             f"image_size")

    def len(self) -> int:
        return len(self._files)

    def get(self, idx: int) -> Data:
        files, valid = self._files[idx], {}
        images = {}
        for m in self._folders:
            if m in self.depth:
                images[m], valid[m] = read_depth(files[m], self.image_size)
            else:
                images[m] = read_image(files[m], self.image_size)
        self._check_scene(idx, {m: int(img.size(0)) for m, img in images.items()},
                          {tuple(v.shape[1:]) for v in images.values()})
        # its own channels: a depth target stays one channel
        y = images.pop(self.target) if self.target is not None else None
        data = image_pair_data(images, y)
        for m, v in valid.items():
            data[f"valid_{m}"] = v.unsqueeze(0)
        return data

    @property
    def first_size(self) -> tuple[int, int]:
        """``(H, W)`` of the folder's first scene as stored (before resizing to
        ``image_size``), from its target file's header."""
        if self._size is None:
            self._size = _header(self._files[0][self._folders[-1]])[1]
        return self._size

    def __repr__(self) -> str:
        return (f"{self.__class__.__name__}({len(self)}, "
                f"modalities={list(self.modalities)}, target={self.target!r})")
