"""The scenes of AsymFusion's multi-modal image translation
(:mod:`.translate_run`): the input modalities named by the config and one
split of the scenes, generated or read from a Taskonomy-style folder, and a
training run's validation scenes (:func:`_validation`)."""
from __future__ import annotations

import os.path as osp

from .._notices import notice
from .image_config import (TranslateDataConfig, TranslateEvalConfig, TranslateModelConfig,
                           TranslateTrainDataConfig, check_translate, check_translate_flags,
                           translate_levels)
from .image_run import SYNTHETIC


def check_translate_train(data: TranslateDataConfig, splits: TranslateTrainDataConfig,
                          model: TranslateModelConfig) -> tuple[int, list[str]]:
    """The checks of a ``translate train`` run's configs that need no scenes
    (the flags it would not read, the networks' sizes, the modalities), made
    by the run before any work and by ``--print-config``, so that a printed
    config runs. Returns the U-Net's levels and the input modalities.

    Args:
        data (TranslateDataConfig): the scenes.
        splits (TranslateTrainDataConfig): the training and validation scenes.
        model (TranslateModelConfig): the generator and its critic.
    """
    check_translate_data(data.data)
    if splits.val_data is not None:
        check_folder(splits.val_data, "--val-data")
    # settings not read would be recorded as if used (the module's hparams, metrics.json)
    check_translate_flags(data, splits, model)
    levels = translate_levels(data, model)
    critic = None if model.gan_mode == "none" else model.d_layers
    check_translate(data.image_size, levels, critic, levels_from="" if model.num_downs else
                    "--num-downs defaults to log2 of --image-size: give --num-downs, or an "
                    "--image-size that is a power of 2")
    mods = translate_modalities(data)
    check_scene_images(data, mods)
    given_depth_folders(data, splits, mods)
    return levels, mods


def check_translate_data(path: str | None) -> None:
    """A ``--data`` that is neither the synthetic scenes nor a folder (empty:
    an unset shell variable; a path that does not exist or is a file):
    refused by ``translate train`` and ``translate evaluate`` before any
    work, and by their ``--print-config``, so that a printed config runs.

    Args:
        path (str or None): the ``--data`` given.
    """
    if not (path or "").strip():
        raise ValueError("--data must be 'synthetic' or a folder, got an empty path")
    if path != SYNTHETIC:
        check_folder(path, "--data")


def check_folder(path: str, flag: str) -> None:
    """The folder of scenes that ``flag`` (``--data``, ``--val-data``) gives
    exists and is a folder.

    Args:
        path (str): the folder given.
        flag (str): the flag that gave it, named in the error.
    """
    if not osp.isdir(path):
        raise ValueError(f"{flag} folder {path!r} "
                         + ("is a file" if osp.exists(path) else "does not exist"))


def translate_modalities(data: TranslateDataConfig) -> list[str]:
    """The input modalities named by ``data.modalities`` (comma separated).

    Args:
        data (TranslateDataConfig): the scenes.
    """
    mods = comma_names(data.modalities or "", "TranslateDataConfig.modalities")
    if not mods:
        raise ValueError("--modalities must name at least one modality")
    if len(set(mods)) != len(mods):
        raise ValueError(f"--modalities must name distinct modalities, got {data.modalities!r}")
    return mods


def comma_names(value: str, field: str) -> list[str]:
    """The names of a comma-separated setting (``"shade, depth"``: ``shade``,
    ``depth``); another type than :class:`str` (a list given in Python, which
    failed with an ``AttributeError`` on ``split``) is a :class:`TypeError`
    naming ``field``.

    Args:
        value (str): the setting.
        field (str): the config field, named in the error.
    """
    if not isinstance(value, str):
        raise TypeError(f"{field} must be a str of comma-separated names (e.g. 'shade,depth'), "
                        f"got {type(value).__name__} {value!r}")
    return [m.strip() for m in value.split(",") if m.strip()]


def check_scene_images(data: TranslateDataConfig, mods: list[str]) -> None:
    """The input modalities ``mods`` and ``--target`` are images that the
    scenes have, the target none of the inputs: checked by the run before
    any scene (:func:`translate_dataset`) and by ``--print-config``, so that
    a printed config runs.

    Args:
        data (TranslateDataConfig): the scenes.
        mods (list[str]): the input modalities.
    """
    from ..datasets.translation import SyntheticTranslation

    if data.target in mods:  # the folder's own error named neither flag
        raise ValueError(f"--target {data.target!r} is also one of --modalities "
                         f"{','.join(mods)!r}: give a --target that is not an input, or "
                         f"leave it out of --modalities")
    if data.data == SYNTHETIC:
        bad = [m for m in mods if m not in SyntheticTranslation.MODALITIES]
        if bad:
            raise ValueError(f"synthetic data has no modality {bad}; choose from "
                             f"{list(SyntheticTranslation.MODALITIES)}")
        if data.target != "rgb":
            raise ValueError("synthetic data has only the target 'rgb'")


def given_depth_folders(data: TranslateDataConfig, splits: TranslateTrainDataConfig,
                        mods: list[str]) -> list[str] | None:
    """The folders that ``translate train`` reads as depth
    (:class:`~pyg_fusion.datasets.TaskonomyFolder`'s ``depth``): those that
    ``splits.depth_folders`` names (comma separated; ``"none"``: none), each
    an input modality or the target; :obj:`None` where it is not given (the
    folders named ``depth...``). Checked by the run before any work and by
    ``--print-config``; a synthetic run reads no folder, so it refuses them.

    Args:
        data (TranslateDataConfig): the scenes.
        splits (TranslateTrainDataConfig): the training and validation scenes.
        mods (list[str]): the input modalities.
    """
    given = splits.depth_folders
    if given is None:
        return None
    if data.data == SYNTHETIC:
        raise ValueError(f"--depth-folders {given}: a folder's, not read with --data synthetic "
                         f"(whose depth has no holes)")
    names = comma_names(given, "TranslateTrainDataConfig.depth_folders")
    if not names:
        raise ValueError("--depth-folders must name folders, or be 'none' (no folder read as "
                         "depth), got an empty value")
    if names == ["none"]:
        return []
    folders = mods + [data.target]
    bad = [m for m in names if m not in folders]
    if bad or len(set(names)) != len(names):
        raise ValueError(f"--depth-folders {given}: must name distinct folders among "
                         f"--modalities and --target {folders}"
                         + (f"; {bad} are not" if bad else ""))
    return names


def check_test_config(test, *, optional: bool = False) -> None:
    """Refuses a ``test`` that is no :class:`~.image_config.TranslateEvalConfig`
    (``optional``: or :obj:`None`), e.g. a dict, which failed later with an
    ``AttributeError`` (``run_translate``'s: after training).

    Args:
        test (TranslateEvalConfig): the test settings given.
        optional (bool, optional): :obj:`None` is accepted. (default: :obj:`False`)
    """
    if not (isinstance(test, TranslateEvalConfig) or (optional and test is None)):
        raise TypeError(f"test must be a TranslateEvalConfig (the test scenes and the feature "
                        f"network; TranslateEvalConfig() for the defaults)"
                        f"{' or None' if optional else ''}, got {type(test).__name__}")


def depth_folders(module, data: TranslateDataConfig) -> list[str] | None:
    """The folders that evaluating ``module`` on ``data`` reads as depth: the
    inputs it was trained to read so (its ``depth_inputs``) and the target where
    its training target was read so (its ``depth_target``); what a checkpoint does
    not record (older ones) is read by its name, ``depth...``, as ``translate
    train`` read it then; :obj:`None` (the folders named ``depth...``) where it
    records neither.

    Args:
        module (TranslationModule): the checkpoint's module.
        data (TranslateDataConfig): the scenes scored.
    """
    inputs, target = module.hparams.get("depth_inputs"), module.hparams.get("depth_target")
    if inputs is None and target is None:
        return None
    if inputs is None:
        inputs = [m for m in module.modalities if m.lower().startswith("depth")]
    if target is None:
        target = data.target.lower().startswith("depth")
    return list(inputs) + ([data.target] if target else [])


def translate_dataset(data: TranslateDataConfig, split: str, num: int, mods: list[str], *,
                      progress: bool = True, path: str | None = None,
                      force_reload: bool = False, depth: list[str] | None = None):
    """One split of the scenes: generated (``data.data == "synthetic"``,
    seeded by ``data.data_seed``, else ``data.seed``) or a Taskonomy-style
    folder, whose files are checked from their headers first
    (:meth:`~pyg_fusion.datasets.TaskonomyFolder.check_files`).

    Args:
        data (TranslateDataConfig): the scenes.
        split (str): ``"train"``, ``"val"`` or ``"test"`` (synthetic data).
        num (int): scenes of a synthetic split.
        mods (list[str]): the input modalities.
        progress (bool, optional): progress bar while generating.
            (default: :obj:`True`)
        path (str, optional): a folder to read instead of ``data.data``: the
            validation folder (``--val-data``, as errors name it). (default: :obj:`None`)
        force_reload (bool, optional): render the synthetic split's scenes again and
            replace its processed file (``--force-reload``; an instruction to this load,
            not recorded with the run). A folder is read as it is at every run: with one
            it is an error. (default: :obj:`False`)
        depth (list[str], optional): a folder's sub-folders read as depth
            (:class:`~pyg_fusion.datasets.TaskonomyFolder`'s ``depth``). (default:
            :obj:`None`: those named ``depth...``)
    """
    from ..datasets.translation import SyntheticTranslation, TaskonomyFolder

    check_scene_images(data, mods)
    flag = "--data" if path is None else "--val-data"
    path = path or data.data
    if path == SYNTHETIC:
        seed = data.seed if data.data_seed is None else data.data_seed
        return SyntheticTranslation(data.root, split, num, data.image_size, seed,
                                    modalities=mods, progress=progress,
                                    force_reload=force_reload)
    if force_reload:
        raise ValueError(f"--force-reload: the folder {path!r} is read from its files at "
                         f"every run; it has no cache to rebuild")
    check_folder(path, flag)
    folder = TaskonomyFolder(path, mods, data.target, data.image_size, depth=depth)
    folder.check_files()  # a bad file is named now, not once a batch reaches it
    return folder


def _validation(data: TranslateDataConfig, splits: TranslateTrainDataConfig, train,
                mods: list[str], progress: bool, force_reload: bool = False, depth=None):
    """``(train, val)``: a folder's, the synthetic split, or 10% of ``train``
    (``force_reload``: the synthetic split's, a cache of its own)."""
    import torch

    if splits.val_data is not None:
        if data.data != SYNTHETIC and osp.realpath(splits.val_data) == osp.realpath(data.data):
            notice(f"--val-data {splits.val_data} is the --data folder: the validation scores, "
                   f"and best.ckpt chosen by them, are of the training scenes")
        val = translate_dataset(data, "val", splits.num_val, mods, progress=progress,
                                path=splits.val_data, depth=depth)
        _check_val_channels(train, val, splits.val_data)
        return train, val
    if data.data == SYNTHETIC:
        return train, translate_dataset(data, "val", splits.num_val, mods, progress=progress,
                                        force_reload=force_reload)
    if len(train) < 2:
        raise ValueError(f"--data {data.data} holds one scene: the validation scenes are "
                         f"10% of it (at least one), held out of training, so it needs at "
                         f"least 2; give more scenes, or the validation folder with "
                         f"--val-data")
    perm = torch.randperm(len(train), generator=torch.Generator().manual_seed(data.seed))
    n_val = max(1, len(train) // 10)
    return train[perm[n_val:]], train[perm[:n_val]]


def _check_val_channels(train, val, val_data: str) -> None:
    """The generator is built for the channels of ``--data``'s images: another
    count in ``--val-data`` was refused at the first validation batch as if the
    model were at fault ('train a model on them')."""
    from ..functional._checks import channel_count  # (this module loads without torch)

    if not hasattr(train, "target_channels") or not hasattr(val, "target_channels"):
        return  # synthetic scenes: their channels are the library's
    want = {**train.channels, train.target: train.target_channels}
    have = {**val.channels, val.target: val.target_channels}
    odd = [f"{m!r} images have {channel_count(have[m])} there, {want[m]} in "
           f"--data" for m in want if have[m] != want[m]]
    if odd:
        raise ValueError(f"--val-data {val_data}: {'; '.join(odd)}: the generator is built for "
                         f"--data's images; save the validation images with their channels")
