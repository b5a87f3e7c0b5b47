"""Multi-modal image-to-image translation data: a Taskonomy-style folder
loader and a seeded synthetic generator whose modalities share one geometry.

Both datasets hold one :class:`torch_geometric.data.Data` per scene with
``x_<modality>`` of shape ``[1, C_m, H, W]`` and the target ``y`` of shape
``[1, 3, H, W]``, float32 in ``[0, 1]``; :class:`torch_geometric.loader.DataLoader`
stacks them into ``[B, C, H, W]``.
"""
from __future__ import annotations

import os
import os.path as osp
import re
from typing import Callable, Sequence

import numpy as np
import torch
from torch import Tensor
from torch_geometric.data import Data, Dataset

from ..functional._checks import check_choice, check_int
from ._base import FusionDataset

#: Channels of each synthetic modality.
SYNTHETIC_CHANNELS = {"depth": 1, "normal": 3, "shade": 1, "edge": 1, "rgb": 3}
IMAGE_EXTENSIONS = (".png", ".jpg", ".jpeg", ".bmp", ".tif", ".tiff")


def image_pair_data(inputs: dict[str, Tensor], target: Tensor | None) -> Data:
    """Wraps ``{modality: [C, H, W]}`` and a ``[3, H, W]`` target as one
    :class:`Data` with ``x_<modality>`` ``[1, C, H, W]`` and ``y``."""
    data = Data()
    for name, img in inputs.items():
        data[f"x_{name}"] = img.unsqueeze(0).float().contiguous()
    if target is not None:
        data.y = target.unsqueeze(0).float().contiguous()
    # One "node" per scene keeps PyG from guessing a node count from image
    # tensors (and warning about it) when batching.
    data.num_nodes = 1
    return data


# --------------------------------------------------------------------------
# Synthetic scenes
# --------------------------------------------------------------------------

_SPHERE, _BOX = 0, 1
# Albedo of each surface kind: the material is a function of the geometry,
# so every input modality that shows shape also tells the material.
_ALBEDO = {
    "floor": np.array([0.80, 0.72, 0.55]),
    "wall": np.array([0.55, 0.65, 0.80]),
    _SPHERE: np.array([0.90, 0.25, 0.20]),
    _BOX: np.array([0.20, 0.75, 0.30]),
}
_FOG = np.array([0.75, 0.78, 0.82])
_WALL_Z = 9.0
_MAX_DEPTH = 12.0


def _ray_sphere(d: np.ndarray, c: np.ndarray, r: float):
    # Rays start at the origin: |t d - c|^2 = r^2 with |d| = 1.
    b = d @ c
    disc = b * b - (c @ c - r * r)
    ok = disc > 0
    t = np.where(ok, b - np.sqrt(np.maximum(disc, 0)), np.inf)
    t = np.where(t > 1e-4, t, np.inf)
    n = np.where(np.isfinite(t), t, 0.0)[..., None] * d - c
    n /= np.linalg.norm(n, axis=-1, keepdims=True) + 1e-12
    return t, n


def _ray_box(d: np.ndarray, c: np.ndarray, half: np.ndarray, angle: float):
    # Slab test in the box frame (rotated about the vertical axis by angle).
    ca, sa = np.cos(angle), np.sin(angle)
    rot = np.array([[ca, 0, -sa], [0, 1, 0], [sa, 0, ca]])  # world -> box
    o = rot @ (-c)
    db = d @ rot.T
    with np.errstate(divide="ignore", invalid="ignore"):
        inv = 1.0 / np.where(np.abs(db) < 1e-12, 1e-12, db)
        t1 = (-half - o) * inv
        t2 = (half - o) * inv
    tmin = np.minimum(t1, t2)
    tmax = np.maximum(t1, t2)
    t_near = tmin.max(-1)
    t_far = tmax.min(-1)
    hit = (t_near < t_far) & (t_near > 1e-4)
    t = np.where(hit, t_near, np.inf)
    axis = tmin.argmax(-1)
    nb = np.zeros_like(db)
    np.put_along_axis(nb, axis[..., None],
                      -np.sign(np.take_along_axis(db, axis[..., None], -1)), -1)
    return t, nb @ rot  # back to the world frame


def render_scene(rng: np.random.Generator, size: int) -> dict[str, np.ndarray]:
    """Renders one random scene; returns ``{modality: [C, size, size]}`` in
    ``[0, 1]`` for ``depth``, ``normal``, ``shade``, ``edge`` and ``rgb``
    (see :class:`SyntheticTranslation` for the generative model)."""
    fov = 1.0
    cam_h = rng.uniform(0.8, 1.6)  # floor distance below the camera
    pitch = rng.uniform(0.25, 0.55)  # camera looks slightly down
    lin = (np.arange(size) + 0.5) / size - 0.5
    v, u = np.meshgrid(lin * fov, lin * fov, indexing="ij")
    d = np.stack([u, v, np.ones_like(u)], -1)
    cp, sp = np.cos(pitch), np.sin(pitch)
    d = d @ np.array([[1, 0, 0], [0, cp, -sp], [0, sp, cp]])  # y points down
    d /= np.linalg.norm(d, axis=-1, keepdims=True)

    t_best = np.full(d.shape[:2], np.inf)
    normal = np.zeros(d.shape)
    kind = np.full(d.shape[:2], -1, dtype=np.int64)  # -1 floor/wall, else object
    obj = np.full(d.shape[:2], -1, dtype=np.int64)

    def keep(t, n, k, o):
        better = t < t_best
        t_best[better] = t[better]
        normal[better] = n[better]
        kind[better] = k
        obj[better] = o

    with np.errstate(divide="ignore"):
        t_floor = np.where(d[..., 1] > 1e-6, cam_h / d[..., 1], np.inf)
        t_wall = np.where(d[..., 2] > 1e-6, _WALL_Z / d[..., 2], np.inf)
    keep(t_floor, np.broadcast_to([0.0, -1.0, 0.0], d.shape), -2, 0)
    keep(t_wall, np.broadcast_to([0.0, 0.0, -1.0], d.shape), -3, 1)
    for i in range(int(rng.integers(2, 6))):
        z = rng.uniform(2.5, 6.0)
        x = rng.uniform(-0.45, 0.45) * z * fov
        if rng.random() < 0.5:
            r = rng.uniform(0.3, 0.9)
            t, n = _ray_sphere(d, np.array([x, cam_h - r, z]), r)
            keep(t, n, _SPHERE, 2 + i)
        else:
            half = rng.uniform(0.25, 0.8, size=3)
            t, n = _ray_box(d, np.array([x, cam_h - half[1], z]), half,
                            rng.uniform(0, np.pi / 2))
            keep(t, n, _BOX, 2 + i)

    # A directional light from a random direction on the camera's side.
    theta, phi = rng.uniform(0.2, 1.2), rng.uniform(0, 2 * np.pi)
    # Unit vector towards the light: above (-y) and on the camera's side (-z).
    to_light = np.array([np.sin(theta) * np.cos(phi), -np.cos(theta),
                         -0.5 - 0.5 * np.sin(theta) * abs(np.sin(phi))])
    to_light /= np.linalg.norm(to_light)
    ambient = 0.15
    shade = ambient + (1 - ambient) * np.clip(normal @ to_light, 0, 1)

    albedo = np.empty(d.shape)
    albedo[kind == -2] = _ALBEDO["floor"]
    albedo[kind == -3] = _ALBEDO["wall"]
    albedo[kind == _SPHERE] = _ALBEDO[_SPHERE]
    albedo[kind == _BOX] = _ALBEDO[_BOX]
    fog = 1 - np.exp(-0.12 * t_best)
    rgb = (1 - fog[..., None]) * albedo * shade[..., None] + fog[..., None] * _FOG

    # Edges: occlusion boundaries (surface id changes) and creases (normal
    # jumps), as a 4-neighbour test.
    edge = np.zeros(d.shape[:2], dtype=bool)
    for axis in (0, 1):
        a = [slice(None)] * 2
        b = [slice(None)] * 2
        a[axis], b[axis] = slice(1, None), slice(None, -1)
        jump = (obj[tuple(a)] != obj[tuple(b)]) | (
            (normal[tuple(a)] * normal[tuple(b)]).sum(-1) < 0.9)
        edge[tuple(a)] |= jump
        edge[tuple(b)] |= jump

    depth = np.clip(t_best / _MAX_DEPTH, 0, 1)
    # Camera-frame normals to [0, 1] colour coding, as Taskonomy stores them.
    out = {
        "depth": depth[None],
        "normal": ((normal + 1) / 2).transpose(2, 0, 1),
        "shade": shade[None],
        "edge": edge[None].astype(np.float64),
        "rgb": np.clip(rgb, 0, 1).transpose(2, 0, 1),
    }
    return {k: v.astype(np.float32) for k, v in out.items()}


_SPLITS = {"train": 0, "val": 1, "test": 2}


class SyntheticTranslation(FusionDataset):
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
      (camera frame); ``edge`` = 1 where the surface changes or the normal
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
        root: folder for the processed file.
        split: ``"train"``, ``"val"`` or ``"test"`` (disjoint random streams).
        num_images: number of scenes in this split.
        image_size: height and width in pixels.
        seed: base seed.
        modalities: input modalities to keep (default all four).
        transform, pre_transform: as in PyG.
        progress: show a progress bar while rendering.
    """

    MODALITIES = ("depth", "normal", "shade", "edge")

    def __init__(self, root: str, split: str = "train", num_images: int = 1000,
                 image_size: int = 32, seed: int = 0,
                 modalities: Sequence[str] | None = None,
                 transform: Callable | None = None,
                 pre_transform: Callable | None = None,
                 progress: bool = True, force_reload: bool = False):
        check_choice("split", split, _SPLITS)
        self.split = split
        self.num_images = check_int("num_images", num_images, minimum=1)
        self.image_size = check_int("image_size", image_size, minimum=8)
        self.seed = check_int("seed", seed, minimum=0)
        mods = tuple(self.MODALITIES if modalities is None else modalities)
        if not mods:
            raise ValueError("modalities must not be empty")
        for m in mods:
            check_choice("modalities", m, self.MODALITIES)
        self.modalities = mods
        self.progress = progress
        super().__init__(root, transform, pre_transform,
                         force_reload=force_reload)
        self.load(self.processed_paths[0], Data)
        # The file holds all four modalities; keep the requested ones.
        drop = [f"x_{m}" for m in self.MODALITIES if m not in mods]
        for key in drop:
            del self._data[key]
            self.slices.pop(key, None)

    @property
    def raw_file_names(self) -> list[str]:
        return []

    @property
    def processed_file_names(self) -> list[str]:
        return [f"synthetic_{self.split}_n{self.num_images}_s{self.image_size}"
                f"_seed{self.seed}.pt"]

    def download(self) -> None:
        pass

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
            data = image_pair_data(imgs, target)
            if self.pre_transform is not None:
                data = self.pre_transform(data)
            data_list.append(data)
        self.save(data_list, self.processed_paths[0])

    def __repr__(self) -> str:
        return (f"{self.__class__.__name__}({len(self)}, split={self.split!r}, "
                f"size={self.image_size}, modalities={list(self.modalities)})")


# --------------------------------------------------------------------------
# Taskonomy-style folders
# --------------------------------------------------------------------------

# Taskonomy names a file point_<p>_view_<v>_domain_<modality>.png: strip the
# domain suffix so that files of different modalities pair by their stem.
_DOMAIN_SUFFIX = re.compile(r"_domain_[A-Za-z0-9_]+$")


def _stem(name: str) -> str:
    return _DOMAIN_SUFFIX.sub("", osp.splitext(name)[0])


def read_image(path: str, image_size: int | None = None) -> Tensor:
    """Reads an image file as float ``[C, H, W]`` in ``[0, 1]`` (8-bit images
    divided by 255, 16-bit ones such as Taskonomy depth by 65535), resized
    bilinearly to ``image_size`` if given."""
    from PIL import Image

    try:
        with Image.open(path) as img:
            img.load()
            mode = img.mode
            arr = np.asarray(img)
    except (OSError, ValueError) as exc:
        raise OSError(f"cannot read image file {path!r}: {exc}") from exc
    if arr.dtype == np.uint8:
        x = torch.from_numpy(arr.astype(np.float32) / 255.0)
    elif arr.dtype in (np.uint16, np.int32) or mode.startswith("I"):
        x = torch.from_numpy(arr.astype(np.float32) / 65535.0)
    elif arr.dtype == bool:
        x = torch.from_numpy(arr.astype(np.float32))
    else:
        x = torch.from_numpy(arr.astype(np.float32))
    x = x.unsqueeze(0) if x.dim() == 2 else x.permute(2, 0, 1)
    if x.size(0) == 4:  # drop alpha
        x = x[:3]
    x = x.clamp(0, 1)
    if image_size is not None and tuple(x.shape[1:]) != (image_size, image_size):
        x = torch.nn.functional.interpolate(
            x[None], size=(image_size, image_size), mode="bilinear",
            align_corners=False, antialias=True)[0]
    return x


class TaskonomyFolder(Dataset):
    r"""Image translation data laid out as in Taskonomy: one folder per
    modality under ``root``, files paired by name.

    ::

        root/rgb/point_0_view_0_domain_rgb.png
        root/depth_zbuffer/point_0_view_0_domain_depth_zbuffer.png
        root/normal/point_0_view_0_domain_normal.png

    A ``_domain_<name>`` suffix is ignored when pairing, so plain names
    (``root/depth/0001.png``, ``root/rgb/0001.png``) work as well. Only scenes
    present in every requested folder are kept (sorted by name). Images are
    read lazily, scaled to ``[0, 1]`` (16-bit files by 65535) and resized to
    ``image_size``.

    Args:
        root: the folder holding one sub-folder per modality.
        modalities: input modality folder names.
        target: target folder name (3-channel images; grey ones are tiled).
        image_size: resize every image to ``image_size x image_size``
            (``None``: keep; then all files must share one size).
        transform: as in PyG.
    """

    def __init__(self, root: str, modalities: Sequence[str],
                 target: str = "rgb", image_size: int | None = 256,
                 transform: Callable | None = None):
        self.modalities = tuple(modalities)
        if not self.modalities:
            raise ValueError("modalities must name at least one folder")
        if target in self.modalities:
            raise ValueError(f"target {target!r} is also an input modality")
        self.target = target
        if image_size is not None:
            check_int("image_size", image_size, minimum=1)
        self.image_size = image_size
        if not osp.isdir(root):
            raise FileNotFoundError(f"dataset folder {root!r} does not exist")
        self._root = root
        self._files = self._index()
        super().__init__(root, transform)

    @property
    def raw_dir(self) -> str:
        return self._root

    @property
    def raw_file_names(self) -> list[str]:
        return [*self.modalities, self.target]

    @property
    def processed_file_names(self) -> list[str]:
        return []

    def download(self) -> None:  # only reached when a folder is missing
        missing = [p for p in self.raw_paths if not osp.isdir(p)]
        raise FileNotFoundError(f"modality folder(s) missing: {missing}")

    def _index(self) -> list[dict[str, str]]:
        tables = {}
        for m in (*self.modalities, self.target):
            folder = osp.join(self._root, m)
            if not osp.isdir(folder):
                raise FileNotFoundError(
                    f"modality folder {folder!r} does not exist (expected one "
                    f"folder per modality under {self._root!r})")
            tables[m] = {_stem(f): osp.join(folder, f)
                         for f in sorted(os.listdir(folder))
                         if f.lower().endswith(IMAGE_EXTENSIONS)}
            if not tables[m]:
                raise FileNotFoundError(f"no image files in {folder!r}")
        common = sorted(set.intersection(*(set(t) for t in tables.values())))
        if not common:
            raise ValueError(f"no scene is present in all of the folders "
                             f"{list(tables)} under {self._root!r}")
        return [{m: tables[m][s] for m in tables} for s in common]

    @property
    def names(self) -> list[str]:
        """Scene names (file stems), in dataset order."""
        return [_stem(osp.basename(f[self.target])) for f in self._files]

    def len(self) -> int:
        return len(self._files)

    def get(self, idx: int) -> Data:
        files = self._files[idx]
        inputs = {m: read_image(files[m], self.image_size)
                  for m in self.modalities}
        y = read_image(files[self.target], self.image_size)
        if y.size(0) == 1:
            y = y.expand(3, -1, -1)
        shapes = {tuple(v.shape[1:]) for v in (*inputs.values(), y)}
        if len(shapes) != 1:
            raise ValueError(f"images of scene {self.names[idx]!r} differ in "
                             f"size {sorted(shapes)}; pass image_size")
        return image_pair_data(inputs, y)

    def __repr__(self) -> str:
        return (f"{self.__class__.__name__}({len(self)}, "
                f"modalities={list(self.modalities)}, target={self.target!r})")
