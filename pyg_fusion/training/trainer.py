"""The one Lightning trainer factory every task of pyg_fusion uses.

Defaults a researcher expects: a progress bar, seeded and deterministic runs,
a CSV log and a checkpoint of the last (and, with ``monitor``, the best) epoch
under ``out_dir``; ``devices=2, strategy="ddp"`` on CPU uses gloo.
"""
from __future__ import annotations

import os
import warnings
from pathlib import Path

import lightning as L
from lightning.pytorch.callbacks import ModelCheckpoint, TQDMProgressBar
from lightning.pytorch.loggers import CSVLogger


def seed_everything(seed: int) -> int:
    """Seeds python, numpy and torch in this process (and data workers)."""
    return L.seed_everything(seed, workers=True, verbose=False)


def build_trainer(out_dir: str | os.PathLike, *, max_epochs: int = 100,
                  seed: int | None = 0, accelerator: str = "cpu",
                  devices: int | str = 1, strategy: str = "auto",
                  monitor: str | None = None, mode: str = "max",
                  progress: bool = True, checkpoint: bool = True,
                  log_every_n_steps: int = 1, name: str = "logs",
                  **kwargs) -> L.Trainer:
    """Returns a :class:`lightning.Trainer` writing logs and checkpoints under
    ``out_dir``.

    Args:
        out_dir: folder for ``<name>/version_*/metrics.csv`` and ``checkpoints/``.
        max_epochs: number of epochs.
        seed: seeds everything before the trainer is built (``None``: no seeding).
        accelerator, devices, strategy: as in Lightning; ``strategy="ddp"`` with
            ``accelerator="cpu"`` runs gloo processes.
        monitor: a logged metric whose best value is kept as ``best.ckpt``.
        mode: ``"max"`` or ``"min"`` for ``monitor``.
        progress: show a progress bar.
        checkpoint: write checkpoints (``last.ckpt`` always, ``best.ckpt`` with
            ``monitor``).
        **kwargs: passed to :class:`lightning.Trainer`.
    """
    if seed is not None:
        seed_everything(seed)
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    callbacks = list(kwargs.pop("callbacks", []))
    if checkpoint:
        callbacks.append(ModelCheckpoint(
            dirpath=out_dir / "checkpoints", save_last=True,
            monitor=monitor, mode=mode, save_top_k=1 if monitor else 0,
            filename="best" if monitor else None))
    if progress:
        callbacks.append(TQDMProgressBar(refresh_rate=1))
    # Lightning nags about num_workers and small logging intervals, which are
    # deliberate for the small in-memory graphs of this library.
    warnings.filterwarnings("ignore", ".*does not have many workers.*")
    warnings.filterwarnings("ignore", ".*log_every_n_steps.*")
    warnings.filterwarnings("ignore", ".*LeafSpec.*")
    return L.Trainer(
        default_root_dir=str(out_dir), max_epochs=max_epochs,
        accelerator=accelerator, devices=devices, strategy=strategy,
        logger=CSVLogger(str(out_dir), name=name), callbacks=callbacks,
        enable_checkpointing=checkpoint, enable_progress_bar=progress,
        enable_model_summary=False, deterministic=True,
        log_every_n_steps=log_every_n_steps, **kwargs)
