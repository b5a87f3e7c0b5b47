"""A seeded generator of small RGB-D scenes where fusion matters.

Each scene is a floor seen in perspective (depth grows towards the top of the
image) with textured objects of six classes:

=====  ============  ======================  =======================
class  name          colour / texture        depth
=====  ============  ======================  =======================
0      floor         grey, noisy             floor
1      box           orange, striped square  raised above the floor
2      mat           orange, striped square  flat (= floor)
3      red poster    red, square or disc     flat
4      blue poster   blue, square or disc    flat
5      ball          green disc              raised
=====  ============  ======================  =======================

RGB alone cannot tell a box from a mat (same colour, texture and shape; only
depth differs); depth alone cannot tell the mat, the posters and the floor
apart (all flat; only colour differs). A network needs both inputs to label
every class.

The scenes are written under ``root`` in the NYUDv2 list layout read by
:class:`~pyg_fusion.datasets.RGBDSegmentation` (PNG files and ``train.txt`` /
``test.txt``), each file atomically, and read back from there.
"""
from __future__ import annotations

import os.path as osp

import numpy as np
from PIL import Image

from .._files import atomic_write, write_json, write_text
from ..functional._checks import check_int
from ._args import check_seed
from ._base import RELOAD
from ._cache_names import data_code_hash
from ._read_only import generation_turn
from ._generated import Generated, regenerate_on_reload, remove_marker
from ._io import check_root
from ._named_sources import MIN_SIZE
from .rgbd import RGBDSegmentation

__all__ = ["SyntheticRGBD", "SYNTHETIC_RGBD_CLASSES", "make_rgbd_scene"]

SYNTHETIC_RGBD_CLASSES = ("floor", "box", "mat", "red poster", "blue poster",
                          "ball")
_ORANGE, _RED, _BLUE, _GREEN = (0.9, 0.5, 0.1), (0.8, 0.1, 0.1), \
    (0.15, 0.25, 0.85), (0.2, 0.75, 0.2)


def make_rgbd_scene(rng: np.random.Generator, size: int = 64,
                    max_objects: int = 5):
    """One scene: ``rgb`` ``[size, size, 3]`` uint8, ``depth`` ``[size, size]``
    uint16 in millimetres, ``mask`` ``[size, size]`` uint8 class ids.

    Args:
        rng (numpy.random.Generator): draws the scene.
        size (int, optional): the images' side in pixels. (default: :obj:`64`)
        max_objects (int, optional): the most objects on the floor (at
            least 2 are drawn). (default: :obj:`5`)
    """
    s = size
    rows = np.linspace(0.0, 1.0, s)[:, None] * np.ones((1, s))
    floor = 4.0 - 2.5 * rows                      # 4 m at the top, 1.5 m below
    depth = floor.copy()
    rgb = np.clip(rng.uniform(0.35, 0.6) + 0.06 * rng.standard_normal((s, s, 1)),
                  0, 1) * np.ones((1, 1, 3))
    mask = np.zeros((s, s), np.uint8)
    yy, xx = np.mgrid[0:s, 0:s]
    for _ in range(int(rng.integers(2, max_objects + 1))):
        cls = int(rng.integers(1, 6))
        r = rng.uniform(0.08, 0.16) * s
        cy, cx = rng.uniform(r, s - r, size=2)
        disc = (yy - cy) ** 2 + (xx - cx) ** 2 <= r * r
        square = (np.abs(yy - cy) <= r) & (np.abs(xx - cx) <= r)
        if cls in (1, 2):
            region, colour = square, _ORANGE
            stripes = ((xx + yy) // 3) % 2 == 0           # same texture
            tex = np.where(stripes, 1.0, 0.75)[..., None]
        elif cls in (3, 4):
            region = disc if rng.random() < 0.5 else square
            colour, tex = (_RED if cls == 3 else _BLUE), 1.0
        else:
            region, colour, tex = disc, _GREEN, 1.0
        bright = rng.uniform(0.85, 1.15)
        rgb[region] = np.clip(np.asarray(colour) * bright * (
            tex[region] if np.ndim(tex) else tex), 0, 1)
        if cls in (1, 5):                           # raised above its base
            base = floor[int(min(s - 1, cy + r)), 0]
            depth[region] = base - rng.uniform(0.5, 1.0)
        else:
            depth[region] = floor[region]
        mask[region] = cls
    rgb = np.clip(rgb + 0.03 * rng.standard_normal(rgb.shape), 0, 1)
    depth = depth + 0.01 * rng.standard_normal(depth.shape)
    return ((rgb * 255).round().astype(np.uint8),
            (depth * 1000).round().astype(np.uint16), mask)


# what _generate writes under root
GENERATED = Generated("the synthetic scenes", "meta.json",
                      ("size", "num_train", "num_test", "seed"),
                      r"meta\.json|(train|test)\.txt|(rgb|mask|depth)/(train|test)_\d{5,}\.png")


def _foreign_lists(root: str) -> list[str]:
    """The list files under ``root`` that the generator did not write (a user's
    NYUDv2-layout folder given as the synthetic scenes' root): a ``val.txt``
    (never written here), or a ``train.txt`` / ``test.txt`` other than its
    ``rgb/<split>_00000.png ...`` lines, such as one a stopped generation left."""
    foreign = []
    for split in ("train", "val", "test"):
        path = osp.join(root, f"{split}.txt")
        if not osp.isfile(path):
            continue
        try:
            with open(path, encoding="utf-8") as f:
                lines = f.read().splitlines()
        except (OSError, UnicodeDecodeError):
            lines = None
        if split == "val" or lines is None or any(
                line != "\t".join(f"{kind}/{split}_{i:05d}.png"
                                   for kind in ("rgb", "mask", "depth"))
                for i, line in enumerate(lines)):
            foreign.append(f"{split}.txt")
    return foreign


def _save_png(path: str, array: np.ndarray) -> None:
    with atomic_write(path) as f:
        Image.fromarray(array).save(f, format="PNG")


class SyntheticRGBD(RGBDSegmentation):
    r"""Seeded synthetic RGB-D scenes (see the module docstring) written to
    ``root`` and read back through :class:`RGBDSegmentation`.

    Files are generated once per configuration: ``root/meta.json`` records the
    generator settings and the code's hash (``data_code_hash``), and a different
    configuration, or changed code, regenerates. Processes sharing ``root``
    take turns (a lock file in it) from that check until the scenes are read
    into memory, so each reads its own configuration's scenes (with
    ``in_memory=False`` items are read later, outside the turn: give each
    configuration its own ``root`` then). A ``root`` that holds files the
    generator did not write (a folder of your own scenes, your own
    ``meta.json``) is an error, never overwritten.

    Args:
        root (str): folder for the PNGs and lists.
        split (str, optional): ``"train"`` or ``"test"``. (default: :obj:`"train"`)
        size (int, optional): image side in pixels. (default: :obj:`64`)
        num_train (int, optional): scenes per split. (default: :obj:`192`)
        num_test (int, optional): scenes per split. (default: :obj:`64`)
        seed (int, optional): generator seed (the test split uses a different stream).
            (default: :obj:`0`)
        augment (bool, optional): random flip (and scale / crop if given), default for train.
            (default: :obj:`None`)
        force_reload (bool, optional): generate the scenes of both splits again.
            (default: :obj:`False`)
        progress (bool, optional): a progress bar while generating (large ``size`` takes
            minutes). (default: :obj:`True`)
        **kwargs (optional): passed to :class:`RGBDSegmentation` (e.g. ``scale_range``,
            ``crop_size``).
    """

    num_classes_default = len(SYNTHETIC_RGBD_CLASSES)

    def __init__(self, root: str, split: str = "train", *, size: int = 64,
                 num_train: int = 192, num_test: int = 64, seed: int = 0,
                 augment: bool | None = None, force_reload: bool = False,
                 progress: bool = True, **kwargs):
        root = check_root(root)
        if split not in ("train", "test"):
            raise ValueError(f"split must be 'train' or 'test', got {split!r}")
        # numpy's integers too (a count read from an array), stored as plain ints
        size, num_train, num_test = (
            check_int(name, v, minimum=1) for name, v in (
                ("size", size), ("num_train", num_train), ("num_test", num_test)))
        if size < MIN_SIZE:
            raise ValueError(f"size must be >= {MIN_SIZE} pixels, got {size}")
        # before any file is written: numpy refused -1 without naming seed, and
        # a numpy integer was refused only by meta.json, once every scene was written
        seed = check_seed(seed)
        # the code that draws the scenes, not a version to bump by hand
        self.meta = {"code": data_code_hash(), "size": size, "num_train": num_train,
                     "num_test": num_test, "seed": seed}
        kwargs.setdefault("scale_range", (1.0, 1.0))
        kwargs.setdefault("crop_size", None)
        kwargs.setdefault("in_memory", True)
        # One folder holds the scenes of one setting at a time: runs of other
        # settings sharing it (--root's default) would regenerate it under each
        # other's reading, so that a run read the other's scenes as its own.
        # Each checks, generates and reads the scenes (into memory) in turn; a
        # folder that cannot be written (a read-only copy) cannot change: no turn.
        with generation_turn(root, "--root"):
            # before anything in root is removed (a marker of other code) or written
            foreign = _foreign_lists(str(root))
            if foreign:
                raise ValueError(f"--root {root} holds {', '.join(foreign)}, which the "
                                 f"synthetic scenes did not write: a folder of your own "
                                 f"scenes, whose lists --data synthetic (the default) would "
                                 f"overwrite; give --data nyud to train on them, or another "
                                 f"--root for the synthetic scenes")
            written = regenerate_on_reload(force_reload, str(root), GENERATED, "--root")
            self._generate(str(root), progress, written)
            self._read(root, split, augment, kwargs)

    def _read(self, root: str, split: str, augment: bool | None, kwargs: dict) -> None:
        try:
            super().__init__(root, split, num_classes=len(SYNTHETIC_RGBD_CLASSES),
                             depth_scale=1 / 5000, augment=augment, **kwargs)
        except (FileNotFoundError, ValueError) as exc:
            if str(root) not in str(exc):
                raise
            # a damaged or deleted scene: the marker alone says whether to regenerate
            cls = FileNotFoundError if isinstance(exc, FileNotFoundError) else ValueError
            raise cls(f"{exc}; the scenes of {root} are generated: delete "
                      f"{osp.join(root, 'meta.json')}, or pass {RELOAD}, and they are "
                      f"generated again") from exc

    def _generate(self, root: str, progress: bool, written: dict | None) -> None:
        # written: the marker regenerate_on_reload read and kept (of this code)
        meta_path = osp.join(root, "meta.json")
        if written == self.meta:
            return
        if written is not None:
            # The old marker goes before any file is rewritten: a run stopped
            # part-way must leave no marker, never the old one over new files.
            remove_marker(root, GENERATED, "--root", "they are of other options")
        from tqdm.auto import tqdm

        bar = tqdm(total=self.meta["num_train"] + self.meta["num_test"], disable=not progress,
                   desc="synthetic RGB-D scenes", leave=False)
        for split, n, stream in (("train", self.meta["num_train"], 0),
                                 ("test", self.meta["num_test"], 1)):
            rng = np.random.default_rng([self.meta["seed"], stream])
            lines = []
            for i in range(n):
                bar.update()
                rgb, depth, mask = make_rgbd_scene(rng, self.meta["size"])
                rel = [f"{kind}/{split}_{i:05d}.png" for kind in ("rgb", "mask", "depth")]
                for path, arr in zip(rel, (rgb, mask, depth)):
                    _save_png(osp.join(root, path), arr)
                lines.append("\t".join(rel))
            write_text(osp.join(root, f"{split}.txt"), "\n".join(lines) + "\n")
        bar.close()
        # written last: its presence means every file above is complete
        write_json(meta_path, self.meta, indent=None)
