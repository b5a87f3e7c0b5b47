"""Multi-modal image-to-image translation data: a Taskonomy-style folder
loader and a seeded synthetic generator whose modalities share one geometry.

Both datasets hold one :class:`torch_geometric.data.Data` per scene with
``x_<modality>`` of shape ``[1, C_m, H, W]`` and the target ``y`` of shape
``[1, C, H, W]`` (3 channels for colour, 1 for Taskonomy's depth), float32 in
``[0, 1]``; :class:`torch_geometric.loader.DataLoader` stacks them into
``[B, C, H, W]``.
"""
from __future__ import annotations

from typing import Callable, Sequence

import numpy as np
import torch
from torch import Tensor
from torch_geometric.data import Data

from ..functional._checks import check_choice, check_int, check_names
from ._base import FusionDataset
from .translation_scenes import render_scene

#: Channels of each synthetic modality.
SYNTHETIC_CHANNELS = {"depth": 1, "normal": 3, "shade": 1, "edge": 1, "rgb": 3}
IMAGE_EXTENSIONS = (".png", ".jpg", ".jpeg", ".bmp", ".tif", ".tiff", ".webp")


def image_pair_data(inputs: dict[str, Tensor], target: Tensor | None) -> Data:
    """Wraps ``{modality: [C, H, W]}`` and a ``[C, H, W]`` target as one
    :class:`Data` with ``x_<modality>`` ``[1, C, H, W]`` and ``y``.

    Args:
        inputs (dict[str, torch.Tensor]): each modality's ``[C, H, W]`` image.
        target (torch.Tensor or None): the ``[C, H, W]`` target; :obj:`None`:
            no ``y`` (scenes to predict).
    """
    data = Data()
    for name, img in inputs.items():
        data[f"x_{name}"] = img.unsqueeze(0).float().contiguous()
    if target is not None:
        data.y = target.unsqueeze(0).float().contiguous()
    # One "node" per scene keeps PyG from guessing a node count from image
    # tensors (and warning about it) when batching.
    data.num_nodes = 1
    return data


def check_modalities(modalities, target: str | None = None) -> tuple[str, ...]:
    """The input modalities of a translation set: distinct, non-empty names,
    none of them the ``target`` (a non-empty name). A repeated name was kept
    twice in ``modalities`` while the scenes held its images once.

    Args:
        modalities (list[str]): the input modalities' names.
        target (str, optional): the target's name. (default: :obj:`None`)
    """
    mods = tuple(check_names("modalities", modalities))
    if not mods:
        raise ValueError("modalities must name at least one input modality")
    if "" in mods:
        raise ValueError(f"modalities must be non-empty names, got {list(mods)}")
    if len(set(mods)) != len(mods):
        raise ValueError(f"modalities must be distinct, got {list(mods)}")
    if target is not None and target in mods:
        raise ValueError(f"target {target!r} is also an input modality")
    return mods


class ImagePairs:
    """What PyG's dataset attributes mean for scenes of images: PyG reads
    ``num_classes`` off ``y`` (here a ``[1, C, H, W]`` image: it gave ``W``)
    and ``num_features`` off ``x`` (absent: it gave 0), and
    :class:`FusionDataset` reads ``num_source_features`` off a graph item
    (here a plain AttributeError); each is an error naming :attr:`channels`
    instead."""

    @property
    def num_classes(self) -> int:
        raise ValueError(f"{self.__class__.__name__}: the target y is an image [1, C, H, W] "
                         f"to translate to, it has no classes")

    @property
    def num_node_features(self) -> int:
        raise ValueError(f"{self.__class__.__name__}: a scene has one image per modality, "
                         f"not one num_node_features / num_features: use channels "
                         f"({self.channels})")

    @property
    def num_features(self) -> int:
        return self.num_node_features

    @property
    def num_source_features(self) -> dict[str, int]:
        # FusionDataset's reads it off a graph item (x_<source> [N, F]): an
        # image item has none, and PyG's __getattr__ said "no attribute"
        raise ValueError(f"{self.__class__.__name__}: a scene has one image [1, C, H, W] per "
                         f"modality, not one feature width per source "
                         f"(num_source_features): use channels ({self.channels})")


_SPLITS = {"train": 0, "val": 1, "test": 2}


class SyntheticTranslation(ImagePairs, FusionDataset):
    r"""Seeded synthetic scenes for multi-modal image translation: depth,
    surface normals, shading and edges rendered from the same geometry, and
    an RGB target that no single one of them predicts.

    Generative model (per scene, from ``numpy.random.SeedSequence([seed,
    split, index])``):

    * A pinhole camera (random height above the floor and random pitch) sees a
      floor, a back wall at depth 9 and 2-5 objects standing on the floor:
      spheres and boxes (rotated about the vertical), random size and place.
      Ray casting gives per pixel the distance :math:`t`, the unit normal
      :math:`\mathbf{n}` and the surface kind.
    * ``depth`` :math:`= \min(t / 12, 1)`; ``normal`` :math:`= (\mathbf{n}+1)/2`
      (the scene's frame, y down: the floor is always :math:`(0.5, 0, 0.5)`, unlike
      Taskonomy's camera-frame normals); ``edge`` = 1 where the surface changes or the normal
      jumps between neighbouring pixels.
    * ``shade`` :math:`s = 0.15 + 0.85 \max(0, \mathbf{n}\cdot\mathbf{l})`
      with a random unit vector :math:`\mathbf{l}` towards the light per
      scene (from above, on the camera's side).
    * ``rgb`` :math:`= (1-f)\, a \odot s + f\, c_{fog}`, with fog
      :math:`f = 1 - e^{-0.12 t}` and albedo :math:`a` fixed per surface kind
      (floor, wall, sphere, box).

    Shading alone lacks the fog (depth); depth, normals and edges lack the
    light direction, so each single input leaves part of the target unknown,
    while ``shade`` and ``depth`` together determine it exactly.

    Scenes are rendered once, written atomically to
    ``root/processed/`` and read back from there.

    Args:
        root (str): folder for the processed file.
        split (str, optional): ``"train"``, ``"val"`` or ``"test"`` (disjoint random streams).
            (default: :obj:`"train"`)
        num_images (int, optional): number of scenes in this split. (default: :obj:`1000`)
        image_size (int, optional): height and width in pixels. (default: :obj:`32`)
        seed (int, optional): base seed. (default: :obj:`0`)
        modalities (Sequence[str], optional): input modalities to keep. (default:
            :obj:`None`, all four)
        transform (Callable, optional): as in PyG. (default: :obj:`None`)
        pre_transform (Callable, optional): as in PyG. (default: :obj:`None`)
        progress (bool, optional): show a progress bar (and PyG's processing messages)
            while rendering. (default: :obj:`True`)
        force_reload (bool, optional): re-generate the scenes. (default: :obj:`False`)
        pre_filter (Callable, optional): as in PyG: keeps the scenes for which it is true
            (before ``pre_transform``). (default: :obj:`None`)
    """

    MODALITIES = ("depth", "normal", "shade", "edge")

    def __init__(self, root: str, split: str = "train", num_images: int = 1000,
                 image_size: int = 32, seed: int = 0,
                 modalities: Sequence[str] | None = None,
                 transform: Callable | None = None,
                 pre_transform: Callable | None = None,
                 progress: bool = True, force_reload: bool = False,
                 pre_filter: Callable | None = None):
        check_choice("split", split, _SPLITS)
        self.split = split
        self.num_images = check_int("num_images", num_images, minimum=1)
        self.image_size = check_int("image_size", image_size, minimum=8)
        self.seed = check_int("seed", seed, minimum=0)
        mods = self.MODALITIES if modalities is None else check_modalities(modalities)
        for m in mods:
            check_choice("modalities", m, self.MODALITIES)
        self.modalities = mods
        if not isinstance(progress, (bool, np.bool_)):  # PyG's log, named as given here
            raise TypeError(f"progress must be True or False, got {progress!r}")
        self.progress = progress
        super().__init__(root, transform, pre_transform, pre_filter,
                         force_reload=force_reload, log=progress)
        self.load(self.processed_paths[0], Data)
        # The file holds all four modalities; keep the requested ones.
        drop = [f"x_{m}" for m in self.MODALITIES if m not in mods]
        for key in drop:
            del self._data[key]
            if self.slices is not None:  # PyG keeps no slices for a single graph
                self.slices.pop(key, None)

    @property
    def raw_file_names(self) -> list[str]:
        # no raw files and no download() (PyG then makes no raw/): a read-only
        # root failed making the empty raw/ with a bare OSError, before the
        # processed file was looked for (a copy that left raw/ out did too)
        return []

    @property
    def processed_file_names(self) -> list[str]:
        # cache_file: the name holds pre_transform too (a new one loaded the
        # scenes another had transformed)
        return [self.cache_file(f"synthetic_{self.split}_n{self.num_images}_s{self.image_size}"
                                f"_seed{self.seed}", {})]

    @property
    def channels(self) -> dict[str, int]:
        """``{modality: C}`` of the input modalities."""
        return {m: SYNTHETIC_CHANNELS[m] for m in self.modalities}

    def process(self) -> None:
        from tqdm.auto import tqdm

        data_list = []
        for i in tqdm(range(self.num_images), disable=not self.progress,
                      desc=f"rendering {self.split} scenes"):
            rng = np.random.default_rng(
                np.random.SeedSequence([self.seed, _SPLITS[self.split], i]))
            imgs = {k: torch.from_numpy(v)
                    for k, v in render_scene(rng, self.image_size).items()}
            target = imgs.pop("rgb")
            data_list.append(image_pair_data(imgs, target))
        self.save_processed(data_list, f"{self.split} scenes")

    def __repr__(self) -> str:
        return (f"{self.__class__.__name__}({len(self)}, split={self.split!r}, "
                f"size={self.image_size}, modalities={list(self.modalities)})")


def __getattr__(name):
    # The folder reader lives in its own module, which imports this one: its
    # names are kept importable from here, loaded on first use (imported at
    # the end of this module, pyg_fusion.datasets.taskonomy imported first
    # met this module half made: ImportError)
    if name in ("TaskonomyFolder", "read_image"):
        from . import taskonomy
        return getattr(taskonomy, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
