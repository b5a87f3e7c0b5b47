"""What :class:`~pyg_fusion.training.translation.TranslationModule` reads of
a batch of scenes (``x_<modality>`` inputs and the target ``y``) and of its
``modality_channels``, each checked against what the generator was built for;
:mod:`.translation_eval` scores with the same check of the target."""
from __future__ import annotations

from typing import Sequence

import numpy as np
import torch
from torch import Tensor

from .._option_rules import is_int
from ..data import source_names
from ..functional._checks import channel_count


def _inputs(batch, modalities: Sequence[str], channels: Sequence[int],
            guessed: bool = False, num_downs: int = 0) -> list[Tensor]:
    xs = []
    for m, c in zip(modalities, channels):
        key = f"x_{m}"
        if key not in batch:
            have = source_names(batch)
            raise KeyError(f"batch has no modality {m!r} (attribute {key}); "
                           f"it has {have}")
        if batch[key].dim() != 4 or batch[key].size(1) != c:
            # the generator tiles 1 channel to 3, so grey images ran through a
            # generator of colour ones (and back) and were scored without a word
            have = (channel_count(batch[key].size(1)) if batch[key].dim() == 4
                    else f"shape {tuple(batch[key].shape)}")
            raise ValueError(f"{m!r} images have {have}, but the generator was built for "
                             f"{c}-channel {m!r} images (modality_channels"
                             + (", guessed from the names: pass modality_channels to build "
                                "it for others" if guessed else "")
                             + f"): give {m!r} images of {channel_count(c)}")
        if not batch[key].is_floating_point():  # 8-bit images wrapped around in 2 * x - 1
            raise TypeError(f"{m!r} images must be float images in [0, 1], got "
                            f"{batch[key].dtype} (scale 8-bit images by 1/255)")
        # images already in [-1, 1], or normalised by a mean and std, were mapped by
        # 2 * x - 1 a second time, without a word
        x = _unit_range(f"{m!r} images ({key})", batch[key], _INPUT_HINT)
        xs.append(_filled(x, _mask(batch, f"valid_{m}", x), m))
    _check_sizes(modalities, xs, num_downs)
    return xs


def _filled(x: Tensor, valid: Tensor | None, m: str) -> Tensor:
    """Input images ``x`` with each pixel that has no value (``valid`` False,
    e.g. Taskonomy's no-depth pixels, which read as 0, the nearest depth) given
    the value of the nearest pixel that has one (scipy's Euclidean distance
    transform picks it), as NYUDv2's depth inputs come filled. The generator
    was handed those 0s as depth. An image without any valid pixel is left as it
    is (nothing to fill from); images without holes are ``x`` itself."""
    if valid is None:
        return x
    holes = ~valid[:, 0].cpu().numpy()
    if not holes.any():
        return x
    from scipy.ndimage import distance_transform_edt

    out = x.clone()
    for b in np.flatnonzero(holes.any((1, 2)) & ~holes.all((1, 2))):
        rows, cols = torch.from_numpy(distance_transform_edt(
            holes[b], return_distances=False, return_indices=True)).to(x.device)
        out[b] = x[b][:, rows, cols]
    return out


def _check_sizes(modalities: Sequence[str], xs: list[Tensor], num_downs: int) -> None:
    """The generator named these as its xs[i], with their tiled shapes."""
    first = (xs[0].size(0), *xs[0].shape[-2:])
    for m, x in zip(modalities, xs):
        if (x.size(0), *x.shape[-2:]) != first:
            raise ValueError(f"{m!r} images (x_{m}) are {tuple(x.shape)}, {modalities[0]!r} "
                             f"images (x_{modalities[0]}) {tuple(xs[0].shape)}: the modalities "
                             f"of a batch must share the batch size and the image size")
    side = 2 ** num_downs
    if first[1] % side or first[2] % side:
        raise ValueError(f"{modalities[0]!r} images (x_{modalities[0]}) are "
                         f"{first[1]}x{first[2]}: the generator (num_downs={num_downs}) takes "
                         f"images whose sides are multiples of 2**{num_downs} = {side}")


_INPUT_HINT = ("; give them unnormalised: the module maps [0, 1] to the generator's "
               "[-1, 1] itself")


def _unit_range(what: str, x: Tensor, hint: str = "") -> Tensor:
    """``x`` if its values lie in ``[0, 1]``, the scale of the library's scenes,
    else a :class:`ValueError` naming ``what`` (``hint`` extends its advice)."""
    if x.numel() == 0:  # aminmax refuses an empty tensor; nothing is out of range
        return x
    lo, hi = torch.aminmax(x.detach())
    # a resized image's rounding may pass 1 by an ulp; NaN fails both
    if not (-1e-4 <= float(lo) and float(hi) <= 1 + 1e-4):
        raise ValueError(f"{what} must hold values in [0, 1] (scale 8-bit images by "
                         f"1/255{hint}), got values in [{float(lo):.4g}, {float(hi):.4g}]")
    return x


def _check_channels(modalities: list[str], channels) -> list[int]:
    """``channels`` as one count per modality that the shared generator takes:
    1 (tiled) or its input width ``C = max(3, *channels)``. ``int()`` read 1.7
    as 1 and took 0 or -1, and a 2-channel modality (or 3 beside 4) was
    refused only by the generator, at the first step."""
    counts = list(channels)
    if len(counts) != len(modalities):
        raise ValueError(f"modality_channels must give one count per modality "
                         f"({len(modalities)}), got {counts}")
    for m, c in zip(modalities, counts):
        if not is_int(c) or c < 1:
            raise ValueError(f"modality_channels: {m!r} must have an integer count >= 1, "
                             f"got {c!r}")
    width = max(3, *counts)
    odd = [f"{m!r} {c}" for m, c in zip(modalities, counts) if c not in (1, width)]
    if odd:
        raise ValueError(f"modality_channels: the shared generator takes images of 1 "
                         f"channel (tiled) or of its input width, here {width} (3, or the "
                         f"largest count); got {', '.join(odd)}: save those images with 1 "
                         f"or {width} channels")
    return [int(c) for c in counts]


# SSIM's 11 x 11 Gaussian window (torchmetrics' default) reflect-pads by 5:
# torch refused smaller images with 'Padding size should be less than ...'
SSIM_MIN_SIDE = 6


def _target(batch, out_channels: int, like: Tensor, *, scored: bool = False) -> Tensor:
    """The batch's target ``y``: images ``[B, out_channels, H, W]`` of the
    inputs' batch and size (``like``), values in ``[0, 1]``; ``scored``: of at
    least :data:`SSIM_MIN_SIDE` pixels a side. A grey target of a colour
    generator was broadcast by the L1 loss (torch's warning alone), and one in
    ``[0, 255]`` was trained towards and scored as given."""
    y = batch.y if "y" in batch else None
    if not isinstance(y, Tensor):
        raise KeyError("batch has no target images y (a Data attribute [B, C, H, W])")
    want = (like.size(0), out_channels, *like.shape[-2:])
    if tuple(y.shape) != want:
        raise ValueError(f"target y is {tuple(y.shape)}, expected {want} (the inputs' batch "
                         f"and size, out_channels={out_channels})"
                         + (_other_channels(y.size(1), out_channels)
                            if y.dim() == 4 and (y.size(0), *y.shape[2:]) == (want[0], *want[2:])
                            else ""))
    if not y.is_floating_point():
        raise TypeError(f"target y must be float images in [0, 1], got {y.dtype}")
    if scored and min(y.shape[-2:]) < SSIM_MIN_SIDE:
        raise ValueError(f"target y is {y.size(-2)}x{y.size(-1)}: scoring needs images of at "
                         f"least {SSIM_MIN_SIDE} pixels a side (SSIM's 11x11 window pads by "
                         f"5): score larger images (train smaller ones without val)")
    return _unit_range("target y", y)


def _other_channels(have: int, out_channels: int) -> str:
    """What to do with targets of ``have`` channels and a generator built for
    ``out_channels``: 'tile a grey one' could not be done from the command line,
    where a checkpoint trained when a depth target was tiled to 3 channels
    (before targets kept their channels) meets Taskonomy's one-channel depth."""
    hint = (f": the generator gives {channel_count(out_channels)}, and no option scores it "
            f"against targets of {have}: train a model on them (translate train builds the "
            f"generator with the target's channels; in Python, out_channels={have})")
    if have == 1 and out_channels == 3:
        hint += (", e.g. for a checkpoint trained when a grey (depth) target was tiled to 3 "
                 "channels; or tile them in a transform: data.y = "
                 "data.y.expand(-1, 3, -1, -1)")
    return hint


def _target_valid(batch, modalities: Sequence[str], y: Tensor) -> Tensor | None:
    """Where the target ``y`` has a value: the batch's ``valid_<name>`` of the
    one ``name`` that is not an input modality, nor any image ``x_<name>`` of
    the scenes (``[B, 1, H, W]`` bool, as
    :class:`~pyg_fusion.datasets.TaskonomyFolder` gives a depth target's
    ``mask_valid``), else ``None``: every pixel counts. A depth target's
    pixels without depth read as 0, which an unmasked loss trained towards
    and the metrics scored against. (The mask of a depth input that the
    module leaves out, e.g. a one-modality baseline on two-modality scenes,
    was taken for the target's.)"""
    keys = [k for k in batch.keys() if k.startswith("valid_") and k[6:] not in modalities
            and f"x_{k[6:]}" not in batch]
    if not keys:
        return None
    if len(keys) > 1:
        raise ValueError(f"batch has valid masks {sorted(keys)} of no input modality: the "
                         f"target's mask (valid_<target>) must be the only one")
    return _mask(batch, keys[0], y, "the target's valid pixels")


def _mask(batch, key: str, x: Tensor, what: str = "the input's valid pixels") -> Tensor | None:
    """``batch[key]``, a bool ``[B, 1, H, W]`` mask of images ``x``, on their
    device; ``None`` where the batch has none."""
    if key not in batch:
        return None
    valid = batch[key]
    want = (x.size(0), 1, *x.shape[-2:])
    if not isinstance(valid, Tensor) or valid.dtype != torch.bool or tuple(valid.shape) != want:
        have = (f"{valid.dtype} {tuple(valid.shape)}" if isinstance(valid, Tensor)
                else type(valid).__name__)
        raise ValueError(f"{key} ({what}) must be bool {want}, got {have}")
    return valid.to(x.device)


def _masked_l1(out: Tensor, y: Tensor, valid: Tensor | None) -> Tensor:
    """The mean absolute error over the target's valid pixels (all channels);
    0 for a batch without any (no gradient: nothing to learn from), not NaN.
    Without a mask, torch's L1 loss over every pixel, as before."""
    if valid is None:
        return torch.nn.functional.l1_loss(out, y)
    count = valid.sum() * y.size(1)
    return (out - y).abs().mul(valid).sum() / count.clamp_min(1)


def _with_target_holes(out: Tensor, y: Tensor, valid: Tensor | None) -> Tensor:
    """``out`` with the target's own values where it has none: what the critic,
    SSIM and FID / KID see of an output, so that real and translated images
    show the same holes and nothing is learned or scored there."""
    return out if valid is None else torch.where(valid, out, y)
