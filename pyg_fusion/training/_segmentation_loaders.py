"""The loaders of :mod:`.segmentation`'s scenes: training batches of one
crop size, test scenes batched by size (each scored exactly as alone), and
the checks that the scenes mark unlabelled pixels as the module does and hold
its classes."""
from __future__ import annotations

from typing import TYPE_CHECKING

import torch
from torch.utils.data import DataLoader, Dataset, default_collate

if TYPE_CHECKING:  # the module's type only: segmentation imports this module
    from .segmentation import SegmentationModule


def _shape(item: dict) -> tuple:
    return tuple(item["mask"].shape)


def _collate_by_size(items: list[dict]):
    """Test scenes of one size as one batch; of several sizes (NYUDv2-layout
    folders are not cropped for testing) a list of one batch per size, which
    scores each scene exactly as alone, unlike padding."""
    sizes = list(dict.fromkeys(_shape(it) for it in items))
    if len(sizes) == 1:
        return default_collate(items)
    return [default_collate([it for it in items if _shape(it) == s]) for s in sizes]


def _collate_train(items: list[dict]):
    sizes = sorted({_shape(it) for it in items})
    if len(sizes) > 1:
        raise ValueError(f"training scenes of one batch differ in size {sizes}: give the "
                         f"training data a crop_size so that its crops share one size")
    return default_collate(items)


def _check_ignore_index(module: "SegmentationModule", ds: Dataset, what: str) -> None:
    """The scenes' unlabelled id (``RGBDSegmentation(ignore_index=...)``, which
    also pads its crops) must be the module's: else those pixels train and
    score as a class, with no word."""
    ours, theirs = module.hparams.ignore_index, getattr(ds, "ignore_index", None)
    if theirs is not None and theirs != ours:
        raise ValueError(f"{what} marks unlabelled pixels with ignore_index={theirs}, the "
                         f"module with ignore_index={ours}: give "
                         f"SegmentationModule(..., ignore_index={theirs})")


def _check_labels(module: "SegmentationModule", part: dict) -> None:
    """A scored batch's labels must be the module's classes or its ignore
    index: a label beyond the classes left the confusion matrix without a
    word (torchmetrics' deterministic bincount drops it), so scenes made for
    more classes than the model's (``RGBDSegmentation``'s default 40) scored
    as if those pixels were unlabelled; training names them (the loss)."""
    mask, k = part["mask"], module.hparams.num_classes
    bad = ((mask < 0) | (mask >= k)) & (mask != module.hparams.ignore_index)
    if bool(bad.any()):
        scenes = bad.flatten(1).any(1).nonzero().flatten()
        index = part.get("index")
        where = (f"scene(s) {part['index'][scenes].tolist()[:5]}" if index is not None
                 else f"{len(scenes)} scene(s)")
        raise ValueError(f"{where} hold labels {mask[bad].unique().tolist()[:5]}, "
                         f"outside the model's {k} classes (0..{k - 1}, "
                         f"{module.hparams.ignore_index} = ignore_index): give the scenes "
                         f"num_classes={k}, or a model of their classes")


def _loader(ds: Dataset, batch_size: int, shuffle: bool, seed: int,
            num_workers: int = 0) -> DataLoader:
    g = torch.Generator().manual_seed(seed)
    return DataLoader(ds, batch_size=batch_size, shuffle=shuffle, generator=g,
                      num_workers=num_workers, drop_last=shuffle
                      and len(ds) > batch_size,
                      collate_fn=_collate_train if shuffle else _collate_by_size)
