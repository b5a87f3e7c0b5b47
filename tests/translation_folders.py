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
