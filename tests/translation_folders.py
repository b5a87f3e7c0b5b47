"""A user's folder of translation scenes for the tests: one sub-folder per
modality, seeded random PNG files named by scene."""


def translation_folder(root, n=4, size=8, mods=("depth", "shade", "rgb")):
    """``root/<modality>/<i>.png``: seeded random scenes of ``size`` pixels."""
    import numpy as np
    from PIL import Image
    rng = np.random.default_rng(0)
    for m in mods:
        (root / m).mkdir(parents=True, exist_ok=True)
        for i in range(n):
            shape = (size, size, 3) if m == "rgb" else (size, size)
            Image.fromarray((rng.random(shape) * 255).astype(np.uint8)).save(
                root / m / f"{i:04d}.png")
    return root


def depth_scenes(root, folders, names=("a", "b"), size=16):
    """``root/<folder>/<name>.png`` of each scene in ``names``, the folders
    drawn in the order of ``folders`` (``{folder: kind}``) scene by scene from
    one seeded generator: ``"gray"`` 8-bit, ``"rgb"`` 8-bit RGB, ``"depth"``
    16-bit Taskonomy depth whose first 4 rows are 65535 (no depth)."""
    import numpy as np
    from PIL import Image
    rng = np.random.default_rng(0)
    for m in folders:
        (root / m).mkdir(parents=True)
    for n in names:
        for m, kind in folders.items():
            if kind == "depth":
                image = rng.integers(0, 60000, (size, size)).astype(np.uint16)
                image[:4] = 65535  # no depth
            else:
                shape = (size, size, 3) if kind == "rgb" else (size, size)
                image = rng.integers(0, 255, shape, dtype=np.uint8)
            Image.fromarray(image).save(root / m / f"{n}.png")
    return root
