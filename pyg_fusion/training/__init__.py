"""Training and evaluation on PyTorch Lightning: one trainer factory shared by
every task (node classification, video anomaly detection, RGB-D segmentation,
image translation)."""
import importlib

_HOMES = {"build_trainer": "trainer", "seed_everything": "seeding"}
__all__ = list(_HOMES)


def __getattr__(name):
    # Lightning is imported on first use, so that light submodules
    # (``variants``) load without it (``pyg-fusion --help`` stays fast).
    if name in _HOMES:
        return getattr(importlib.import_module(f"{__name__}.{_HOMES[name]}"), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
