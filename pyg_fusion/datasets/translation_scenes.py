"""The renderer of :class:`~pyg_fusion.datasets.SyntheticTranslation`'s
scenes: a pinhole camera ray-casting a floor, a back wall and spheres and
boxes, giving depth, normals, shading, edges and the RGB target of one scene."""
from __future__ import annotations

import numpy as np


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
    (see :class:`SyntheticTranslation` for the generative model).

    Args:
        rng (numpy.random.Generator): draws the scene.
        size (int): the images' side in pixels.
    """
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
    # Normals in the scene's frame (not the camera's, as Taskonomy stores them)
    # to Taskonomy's [0, 1] colour coding.
    out = {
        "depth": depth[None],
        "normal": ((normal + 1) / 2).transpose(2, 0, 1),
        "shade": shade[None],
        "edge": edge[None].astype(np.float64),
        "rgb": np.clip(rgb, 0, 1).transpose(2, 0, 1),
    }
    return {k: v.astype(np.float32) for k, v in out.items()}
