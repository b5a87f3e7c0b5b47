"""Training and evaluation on PyTorch Lightning: one trainer factory shared by
every task (node classification, video anomaly detection, RGB-D segmentation,
image translation)."""
from .trainer import build_trainer, seed_everything

__all__ = ["build_trainer", "seed_everything"]
