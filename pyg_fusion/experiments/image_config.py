"""Typed configs of the AsymFusion image tasks (RGB-D segmentation and
multi-modal translation): one dataclass per group of settings, declared with
:func:`~pyg_fusion.specs.options.option` like the graph methods'
configs, so that the CLI generates their flags (name, check, choices, help,
default) from the fields in the same way; and the checks of the settings that
only fail together, the sections of each command and the configs built from
parsed flags.

A setting has one name and one meaning across the image tasks: ``seed`` seeds
the run (weights, batches), ``batch_size`` is the images per step,
``epochs``/``lr``/``weight_decay`` are the optimiser's. Defaults differ by
task where the models do (``lr``: 2e-3 for the segmenter, 2e-4 for the GAN).

The fields are also the defaults of the Python API under the commands
(:class:`~pyg_fusion.training.segmentation.SegmentationModule`,
:func:`~pyg_fusion.training.segmentation.fit_segmentation`, the objective and
optimiser of :class:`~pyg_fusion.training.translation.TranslationModule`,
:func:`~pyg_fusion.training.translation.fit_translation`), which is why the
dataclasses are declared below the training layer
(:mod:`pyg_fusion.training._image_configs`) and used from there; where a
layer keeps a default of its own (the segmenter's network without ``arch``,
the translation networks' sizes: pix2pix's), its Args say so and why.
"""
from __future__ import annotations

import dataclasses
import os.path as osp
from typing import Any

# declared below training, whose Python API reads its defaults from them
from ..training._image_configs import (SegmentDataConfig, SegmentModelConfig,
                                       SegmentTrainConfig, TranslateDataConfig,
                                       TranslateEvalConfig, TranslateModelConfig,
                                       TranslateTrainDataConfig)
from ..specs.options import flag
# the evaluations' data settings, importable from here as before
from .image_checkpoint import (changed_flags, data_from_checkpoint,  # noqa: F401
                               defaults_notice)


# -- combinations the networks cannot run ---------------------------------
# The flags check each value on its own; these check the values that only
# fail together, before any data is made, with errors naming the flags (the
# networks would stop deep inside torch, naming none).
def check_segment(data: SegmentDataConfig, model: SegmentModelConfig,
                  num_listed: int | None = None) -> None:
    """Raises a :class:`ValueError` naming the flags when the segmenter
    cannot train on ``data``: a training batch of one image whose deepest
    encoder map (1/32 of the side, rounded up) is 1x1 leaves BatchNorm one
    value per channel, which it cannot normalise; or when a flag would be
    recorded but never read: one of the other kind of data, or ``--block`` /
    ``--layers`` beside ``--depth`` (which sets both), away from its default;
    or when the synthetic scenes' ``--size`` is under 16 pixels, or
    ``--pretrained`` names no file; a :class:`TypeError` naming the field when
    a switch (``light``, ``frozen_stats``) is not True or False (a string read
    from a JSON or YAML file, ``"false"``, is truthy).

    Args:
        data (SegmentDataConfig): the scenes.
        model (SegmentModelConfig): the segmenter.
        num_listed (int, optional): the scenes of a nyud ``train.txt``, once
            read: a list of one scene makes batches of one image whatever
            ``--batch-size``. (default: :obj:`None`, not read yet)
    """
    # a switch of a JSON / YAML config read in Python (light: "false", truthy)
    # was refused only by the network, once the scenes were made; the
    # network's own check (torch-free: segment train checks before torch loads)
    from .._option_rules import check_flag
    for cfg in (data, model):
        for f in dataclasses.fields(cfg):
            if f.metadata.get("check") == "store_true":
                check_flag(f.name, getattr(cfg, f.name))
    # a flag of the other kind of data, away from its default, would be
    # recorded with the run but never read
    other = (("num_classes", "crop_size", "depth_scale") if data.data == "synthetic" else
             ("size", "num_train", "num_test", "data_seed"))
    unread = [flag(f) for f in other
              if getattr(data, f) != SegmentDataConfig.__dataclass_fields__[f].default]
    if unread:
        kind = "nyud" if data.data == "synthetic" else "synthetic"
        raise ValueError(f"{', '.join(unread)}: {kind} data only, not read with "
                         f"--data {data.data}")
    if model.depth is not None:
        default = SegmentModelConfig()
        ignored = ((["--block"] if model.block != default.block else [])
                   + (["--layers"] if tuple(model.layers) != tuple(default.layers) else []))
        if ignored:
            raise ValueError(f"{', '.join(ignored)}: not read with --depth {model.depth}, "
                             f"which sets the ResNet's block and blocks per stage; give "
                             f"--depth or --block / --layers")
    from ..datasets._named_sources import MIN_SIZE  # the scenes' generator's least side
    if data.data == "synthetic" and data.size < MIN_SIZE:
        raise ValueError(f"--size must be >= {MIN_SIZE} (pixels of the synthetic scenes' "
                         f"side), got {data.size}")
    # not named flag: options.flag (the comprehension above) would be this local
    side, side_flag = ((data.size, "--size") if data.data == "synthetic"
                       else (data.crop_size, "--crop-size"))
    scenes = data.num_train if data.data == "synthetic" else num_listed
    smallest = data.batch_size if scenes is None else min(data.batch_size, scenes)
    if not (model.frozen_stats or side > 32 or smallest > 1):
        what = (f"--batch-size {data.batch_size}" if data.batch_size == 1
                else f"--num-train {data.num_train}" if data.data == "synthetic"
                else f"{osp.join(data.root, 'train.txt')} lists one scene, which")
        raise ValueError(f"{what} gives training batches of one image, and at {side_flag} "
                         f"{side} the encoder's deepest map is 1x1, so BatchNorm has one value "
                         f"per channel; use batches of >= 2 images, {side_flag} > 32 or "
                         f"--frozen-stats")
    if model.pretrained:  # read once the scenes were made: a typo cost their generation
        from .data import _check_file
        _check_file("--pretrained", model.pretrained)
    if data.data != "synthetic":  # last, as the run read the folder after these checks
        check_scenes_root(data)


def check_scenes_root(data: SegmentDataConfig) -> None:
    """The ``--root`` of the user's own scenes (``--data nyud``): a folder,
    and given (the default is the synthetic scenes' folder); checked by the
    run before any work and by ``--print-config``, so that a printed config runs.

    Args:
        data (SegmentDataConfig): the scenes.
    """
    synthetic_root = SegmentDataConfig.__dataclass_fields__["root"].default
    if osp.abspath(data.root) == osp.abspath(synthetic_root):
        # --root left out: the synthetic scenes' folder was read as the user's scenes
        # (or 'folder not found' named a folder the user never gave)
        raise ValueError(f"--data {data.data} reads your own scenes: give --root, their "
                         f"folder ({synthetic_root}, the default, is the synthetic scenes')")
    if not osp.isdir(data.root):
        raise ValueError(f"--root folder not found: {data.root}")


def check_translate_flags(data: TranslateDataConfig, splits: TranslateTrainDataConfig,
                          model: TranslateModelConfig) -> None:
    """Raises a :class:`ValueError` naming the flags of ``translate train``
    that would be recorded with the run but never read, set away from their
    defaults: the synthetic scenes' ``--num-train``, ``--num-val``,
    ``--root`` and ``--data-seed`` with a ``--data`` folder (``--num-val``
    also beside ``--val-data``, the validation folder), and the PatchGAN
    critic's ``--ndf``, ``--d-layers`` and ``--lambda-gan`` with ``--gan-mode
    none``, which trains none. At their defaults (a printed config) they pass.
    :func:`~.translate_run.run_translate` checks its configs with it, so the
    command and the Python API refuse the same settings.

    Args:
        data (TranslateDataConfig): the scenes.
        splits (TranslateTrainDataConfig): the training and validation scenes.
        model (TranslateModelConfig): the generator and its critic.
    """
    def moved(cfg, names):
        default = type(cfg)()
        return [flag(n) for n in names
                if getattr(cfg, n) != getattr(default, n)]

    if data.data != "synthetic":
        unread = moved(data, ("root", "data_seed")) + moved(splits, ("num_train", "num_val"))
        if unread:
            raise ValueError(f"{', '.join(unread)}: synthetic data only, not read with "
                             f"--data {data.data}")
    elif splits.val_data is not None and moved(splits, ("num_val", )):
        raise ValueError(f"--num-val: synthetic validation scenes, not read with --val-data "
                         f"{splits.val_data}")
    if model.gan_mode == "none":
        unread = moved(model, ("ndf", "d_layers", "lambda_gan"))
        if unread:
            raise ValueError(f"{', '.join(unread)}: the PatchGAN critic's, not read with "
                             f"--gan-mode none (which trains no critic)")


def translate_levels(data: TranslateDataConfig, model: TranslateModelConfig) -> int:
    """The U-Net's levels: ``model.num_downs``, or log2 of the image size.

    Args:
        data (TranslateDataConfig): the scenes.
        model (TranslateModelConfig): the generator.
    """
    return model.num_downs or data.image_size.bit_length() - 1


def check_translate(image_size: int, num_downs: int, d_layers: int | None = None,
                    *, levels_from: str = "") -> None:
    """Raises a :class:`ValueError` naming the flags when the translation
    networks cannot run on ``image_size`` x ``image_size`` images: the U-Net
    needs >= 2 levels and a side divisible by ``2**num_downs``; the PatchGAN
    critic (``d_layers``, ``None`` without one) at least
    :meth:`~pyg_fusion.nn.asym.PatchGANDiscriminator.min_input_size` pixels.

    Args:
        image_size (int): the images' side.
        num_downs (int): the U-Net's levels.
        d_layers (int, optional): the critic's stride-2 layers (default: :obj:`None`,
            no critic).
        levels_from (str, optional): where ``num_downs`` comes from, when not from
            ``--num-downs`` (said in the message). (default: :obj:`""`)
    """
    if image_size < 8:
        raise ValueError(f"--image-size must be >= 8, got {image_size}")
    if num_downs < 2:
        raise ValueError(f"--num-downs must be >= 2, got {num_downs}")
    # 2**num_downs and the critic's 3 * 2**d_layers outgrow the side once the
    # exponent reaches its bit length: so compared, a huge value (10**12) is
    # no power of two to compute (a hang) nor to print (too many digits)
    if num_downs >= image_size.bit_length() or image_size % 2 ** num_downs:
        raise ValueError(f"--image-size {image_size} is not divisible by 2**num_downs = "
                         f"{_power_of_two(num_downs)}"
                         + (f" ({levels_from})" if levels_from else ""))
    if d_layers is None:
        return
    from ..nn.asym.patchgan import PatchGANDiscriminator
    if d_layers >= image_size.bit_length() or \
            image_size < PatchGANDiscriminator.min_input_size(d_layers):
        need = (PatchGANDiscriminator.min_input_size(d_layers) if d_layers < 64
                else f"3 * {_power_of_two(d_layers)}")
        raise ValueError(f"--image-size {image_size} is too small for the PatchGAN critic "
                         f"with --d-layers {d_layers}, which needs >= {need} pixels "
                         f"(3 * 2**d_layers); lower --d-layers, raise --image-size, or "
                         f"train with --gan-mode none")


def _power_of_two(n: int) -> int | str:
    return 2 ** n if n < 64 else f"2**{n}"


# The config sections of each image command, in --print-config's order.
SECTIONS: dict[tuple[str, str], dict[str, type]] = {
    ("segment", "train"): {"data": SegmentDataConfig, "model": SegmentModelConfig,
                           "trainer": SegmentTrainConfig},
    ("segment", "evaluate"): {"data": SegmentDataConfig},
    ("translate", "train"): {"data": TranslateDataConfig, "splits": TranslateTrainDataConfig,
                             "model": TranslateModelConfig},
    ("translate", "evaluate"): {"data": TranslateDataConfig, "eval": TranslateEvalConfig},
}


def image_configs(task: str, action: str, values) -> dict[str, Any]:
    """The typed configs of the image command ``task action``, section ->
    config, from ``values`` (an object with one attribute per field, e.g.
    parsed flags).

    Args:
        task (str): ``"segment"`` or ``"translate"``.
        action (str): ``"train"`` or ``"evaluate"``.
        values (Any): an object with one attribute per field (e.g. parsed flags).
    """
    return {name: cls(**{f.name: getattr(values, f.name) for f in dataclasses.fields(cls)})
            for name, cls in SECTIONS[(task, action)].items()}


def image_config(task: str, action: str, values) -> dict[str, dict]:
    """:func:`image_configs` as plain data (section -> ``dataclasses.asdict``
    of its config, tuples as lists), as saved and printed.

    Args:
        task (str): ``"segment"`` or ``"translate"``.
        action (str): ``"train"`` or ``"evaluate"``.
        values (Any): an object with one attribute per field (e.g. parsed flags).
    """
    out = {}
    for name, cfg in image_configs(task, action, values).items():
        d = dataclasses.asdict(cfg)
        out[name] = {k: list(v) if isinstance(v, tuple) else v for k, v in d.items()}
    return out
