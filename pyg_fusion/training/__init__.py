"""Training and evaluation on PyTorch Lightning: one trainer factory shared by
every task (node classification, video anomaly detection, RGB-D segmentation,
image translation)."""
import importlib

__all__ = ["build_trainer", "seed_everything"]


def __getattr__(name):
    # Lightning is imported on first use, so that light submodules
    # (``variants``) load without it (``pyg-fusion --help`` stays fast).
    if name in __all__:
        return getattr(importlib.import_module(f"{__name__}.trainer"), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
