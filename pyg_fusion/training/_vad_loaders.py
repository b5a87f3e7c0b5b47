"""The loaders and the scoring trainer of a VAD run (:func:`~pyg_fusion.training.vad_fit.fit_vad`,
:func:`~pyg_fusion.training.vad_fit.evaluate_vad`). ``vad_fit`` imports them, so that
``pyg_fusion.training.vad_fit._loaders`` is still the name a probe patches (``benchmarks/vad_kfold_start.py``)."""
from __future__ import annotations

from pathlib import Path

import torch
from torch_geometric.loader import DataLoader

from .trainer import build_trainer
from .vad import IndexedDataset


def _loaders(train_ds, eval_ds, batch_size: int, seed: int):
    g = torch.Generator().manual_seed(seed)
    train = (DataLoader(IndexedDataset(train_ds), batch_size=batch_size, shuffle=True,
                        generator=g, drop_last=len(train_ds) > batch_size)
             if train_ds is not None else None)
    ev = (DataLoader(IndexedDataset(eval_ds), batch_size=batch_size, shuffle=False)
          if eval_ds is not None else None)
    return train, ev


def _scoring_trainer(out_dir: str | Path, devices: int, accelerator: str, progress: bool,
                     strategy: str | None = None):
    """A trainer that only scores (validate / test): no seeding, no checkpoints."""
    return build_trainer(out_dir, max_epochs=1, seed=None, accelerator=accelerator,
                         devices=devices,
                         strategy=strategy or ("ddp" if devices > 1 else "auto"),
                         progress=progress, checkpoint=False)
