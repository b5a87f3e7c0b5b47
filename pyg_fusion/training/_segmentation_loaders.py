"""The loaders of :mod:`.segmentation`'s scenes: training batches of one
crop size, test scenes batched by size (each scored exactly as alone), what
a variant reads of a batch (:func:`_model_inputs`), and the checks that the
scenes mark unlabelled pixels as the module does and hold its classes."""
from __future__ import annotations

from numbers import Integral
from typing import TYPE_CHECKING

import torch
from torch import Tensor
from torch.utils.data import DataLoader, Dataset, default_collate

from ..functional._checks import channel_count, check_int, check_names
from ._scene_reading import read_from, record_reading

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


def _model_inputs(batch: dict, inputs: str) -> list[Tensor]:
    """What the variant reads of ``batch`` (``inputs``: ``rgb``, ``depth``,
    ``concat`` or ``both``); a dataset of other keys is named by its keys
    (a bare KeyError('rgb') named neither the dataset nor the keys expected)."""
    need = {"rgb": ("rgb", ), "depth": ("depth", )}.get(inputs, ("rgb", "depth"))
    if not isinstance(batch, dict) or any(k not in batch for k in need):
        have = sorted(batch) if isinstance(batch, dict) else type(batch).__name__
        raise (KeyError if isinstance(batch, dict) else TypeError)(f"a batch of scenes must be a dict holding {list(need)} (as "
                       f"RGBDSegmentation's items: rgb [B, 3, H, W], depth [B, 3, H, W] and, "
                       f"to train or score, mask [B, H, W]), got {have}")
    _check_sizes(batch, need)
    if inputs == "rgb":
        return [batch["rgb"]]
    if inputs == "depth":
        return [batch["depth"]]
    if inputs == "concat":
        _check_concat(batch["rgb"], batch["depth"])
        return [torch.cat([batch["rgb"], batch["depth"]], dim=1)]
    return [batch["rgb"], batch["depth"]]


def _check_concat(rgb, depth) -> None:
    """early-concat's network takes 6 channels, 3 of each (its variant fixes
    ``in_channels=6``): a 1-channel depth was refused as 'input 'rgbd' has 4
    channels', with the advice to tile the depth to 6."""
    chans = [x.size(1) if isinstance(x, Tensor) and x.dim() == 4 else None
             for x in (rgb, depth)]
    if None not in chans and chans != [3, 3]:
        raise ValueError(f"early-concat stacks rgb and depth of 3 channels each (6), got a "
                         f"batch's rgb of {channel_count(chans[0])} and depth of {channel_count(chans[1])} (a "
                         f"1-channel depth: tile it, depth.expand(-1, 3, -1, -1), as "
                         f"RGBDSegmentation does)")


def _check_sizes(batch: dict, need: tuple[str, ...]) -> None:
    """The images the variant reads, and the mask where the batch has one,
    share the batch size and the image size: torch.cat of early concatenation
    said 'Sizes of tensors must match except in dimension 1', and torchmetrics
    (scoring) a tuple of its own, naming neither key. Other faults (not a
    tensor, not 4-D) are the network's to name."""
    imgs = [(k, batch[k]) for k in need if isinstance(batch[k], Tensor) and batch[k].dim() == 4]
    if not imgs:
        return
    key, first = imgs[0]
    size = (first.size(0), *first.shape[-2:])
    for k, x in imgs[1:]:
        if (x.size(0), *x.shape[-2:]) != size:
            raise ValueError(f"a batch's {k} is {tuple(x.shape)} but its {key} is "
                             f"{tuple(first.shape)}: the modalities must share the batch "
                             f"size and the image size")
    mask = batch.get("mask")
    if isinstance(mask, Tensor) and tuple(mask.shape) != size:
        raise ValueError(f"a batch's mask is {tuple(mask.shape)}, its {key} "
                         f"{tuple(first.shape)}: give one label map per image, [B, H, W] = "
                         f"{size}")


def _check_class_ids(num_classes, ignore_index, class_names=None) -> int:
    """The module's classes, ignore index and class names, checked before
    torchmetrics sees them (the class count's type is the network's to check);
    returns ``ignore_index`` as an int (torchmetrics refuses a numpy one)."""
    if isinstance(ignore_index, bool) or not isinstance(ignore_index, Integral):
        # None passed torchmetrics and failed at the first step, in cross_entropy
        raise TypeError(f"ignore_index must be an integer label id, got {ignore_index!r} "
                        f"(masks without unlabelled pixels: keep the default 255, or any id "
                        f"outside the classes)")
    if class_names is not None:
        # a string was a name per letter; other counts labelled the legend's colours
        # of other classes, or left classes out of it, without a word
        names = check_names("class_names", class_names)
        if isinstance(num_classes, int) and len(names) != num_classes:
            raise ValueError(f"class_names must name each of the {num_classes} classes, got "
                             f"{len(names)} names")
    if isinstance(num_classes, int) and not isinstance(num_classes, bool):
        if num_classes < 2:
            # torchmetrics' own error named neither the argument's meaning nor the flag
            raise ValueError(f"num_classes must be >= 2, got {num_classes}: the "
                             f"cross-entropy of one class is 0 whatever the network "
                             f"predicts; a binary mask is 2 classes, background 0 and "
                             f"foreground 1 (pyg-fusion: --num-classes 2)")
        if ignore_index == 255 and num_classes > 255:
            # class 255 of 300 was neither trained nor scored: its pixels are the
            # default ignore value (one chosen inside the classes, e.g. 0 for
            # masks whose 0 is void, is the caller's choice)
            raise ValueError(f"num_classes={num_classes} holds class 255, the default "
                             f"ignore_index, whose pixels would be neither trained nor "
                             f"scored: give an ignore_index outside [0, {num_classes}), "
                             f"e.g. 65535 with 16-bit masks (pyg-fusion marks unlabelled "
                             f"pixels 255: --num-classes at most 255)")
    return int(ignore_index)


def _check_ignore_index(module: "SegmentationModule", ds: Dataset, what: str) -> None:
    """The scenes' unlabelled id (``RGBDSegmentation(ignore_index=...)``, which
    also pads its crops) must be the module's: else those pixels train and
    score as a class, with no word (a Subset's data set's: ``random_split``)."""
    ours, theirs = module.hparams.ignore_index, getattr(read_from(ds), "ignore_index", None)
    if theirs is not None and theirs != ours:
        raise ValueError(f"{what} marks unlabelled pixels with ignore_index={theirs}, the "
                         f"module with ignore_index={ours}: give "
                         f"SegmentationModule(..., ignore_index={theirs})")


# how RGBDSegmentation reads a scene's pixels, as SegmentationModule records it
PREPROCESSING = ("depth_scale", "normalize")


def _check_preprocessing(value) -> dict | None:
    """SegmentationModule's ``preprocessing``: ``None`` or a dict of
    :data:`PREPROCESSING` (a depth scale > 0, an on/off normalisation)."""
    if value is None:
        return None
    from ..datasets.rgbd import _positive
    from ..functional._checks import check_flag
    if not isinstance(value, dict) or set(value) != set(PREPROCESSING):
        raise ValueError(f"preprocessing must be None or a dict of {', '.join(PREPROCESSING)}"
                         f" (RGBDSegmentation's), got {value!r}")
    check_flag("preprocessing['normalize']", value["normalize"])
    return {"depth_scale": _positive("preprocessing['depth_scale']", value["depth_scale"]),
            "normalize": bool(value["normalize"])}


def _record_preprocessing(module: "SegmentationModule", ds: Dataset, what: str) -> None:
    """Records in ``module.hparams.preprocessing`` how the training scenes
    ``ds`` read their pixels (an :class:`~pyg_fusion.datasets.RGBDSegmentation`,
    or a Subset of one; other data sets say nothing), so that a prediction on
    new scenes reads them the same way; training on scenes read otherwise
    than recorded is an error (a prediction would read them one way only), and
    so is validating on them (``what="val"``: scores of another reading)."""
    ds = read_from(ds)
    if not all(hasattr(ds, k) for k in PREPROCESSING):
        return
    seen = _check_preprocessing({k: getattr(ds, k) for k in PREPROCESSING})
    record_reading(module, "preprocessing", seen, what, f"reads its scenes with {seen}",
                   ": read them as recorded"
                   + (f", or give SegmentationModule(..., preprocessing={seen})"
                      if what == "train" else " (as the training scenes)"))


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


def check_workers(num_workers) -> None:
    """Raises a :class:`ValueError` naming ``num_workers`` unless it is an
    integer from 0 to :func:`~pyg_fusion.training.accelerators.max_threads`,
    the bound of the CLI's ``--workers``: the loader forks that many processes,
    so a count far beyond the CPUs hangs the machine, and a float or a string
    failed only once the first epoch began, inside torch.

    Args:
        num_workers (int): data loader worker processes (a numpy integer too).
    """
    from .accelerators import cpu_bound, max_threads
    if isinstance(num_workers, bool) or not isinstance(num_workers, Integral) or \
            not 0 <= num_workers <= max_threads():
        raise ValueError(f"num_workers (--workers) must be {cpu_bound(0)}, "
                         f"got {num_workers!r}")


def _loader(ds: Dataset, batch_size: int, shuffle: bool, seed: int,
            num_workers: int = 0) -> DataLoader:
    check_workers(num_workers)  # before any scene is read or step taken
    # a string failed inside torch's sampler, "'>' not supported between 'int' and 'str'"
    batch_size = check_int("batch_size", batch_size, minimum=1)
    g = torch.Generator().manual_seed(seed)
    return DataLoader(ds, batch_size=batch_size, shuffle=shuffle, generator=g,
                      num_workers=num_workers, drop_last=shuffle
                      and len(ds) > batch_size,
                      collate_fn=_collate_train if shuffle else _collate_by_size)
