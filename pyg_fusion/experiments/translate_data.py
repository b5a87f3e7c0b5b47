"""The scenes of AsymFusion's multi-modal image translation
(:mod:`.translate_run`): the input modalities named by the config and one
split of the scenes, generated or read from a Taskonomy-style folder."""
from __future__ import annotations

import os.path as osp

from .image_config import TranslateDataConfig
from .image_run import SYNTHETIC


def translate_modalities(data: TranslateDataConfig) -> list[str]:
    """The input modalities named by ``data.modalities`` (comma separated).

    Args:
        data (TranslateDataConfig): the scenes.
    """
    mods = [m.strip() for m in (data.modalities or "").split(",") if m.strip()]
    if not mods:
        raise ValueError("--modalities must name at least one modality")
    if len(set(mods)) != len(mods):
        raise ValueError(f"--modalities must name distinct modalities, got {data.modalities!r}")
    return mods


def translate_dataset(data: TranslateDataConfig, split: str, num: int, mods: list[str], *,
                      progress: bool = True, path: str | None = None,
                      force_reload: bool = False):
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
    """
    from ..datasets.translation import SyntheticTranslation, TaskonomyFolder

    if data.target in mods:  # the folder's own error named neither flag
        raise ValueError(f"--target {data.target!r} is also one of --modalities "
                         f"{','.join(mods)!r}: give a --target that is not an input, or "
                         f"leave it out of --modalities")
    flag = "--data" if path is None else "--val-data"
    path = path or data.data
    if path == SYNTHETIC:
        bad = [m for m in mods if m not in SyntheticTranslation.MODALITIES]
        if bad:
            raise ValueError(f"synthetic data has no modality {bad}; choose from "
                             f"{list(SyntheticTranslation.MODALITIES)}")
        if data.target != "rgb":
            raise ValueError("synthetic data has only the target 'rgb'")
        seed = data.seed if data.data_seed is None else data.data_seed
        return SyntheticTranslation(data.root, split, num, data.image_size, seed,
                                    modalities=mods, progress=progress,
                                    force_reload=force_reload)
    if force_reload:
        raise ValueError(f"--force-reload: the folder {path!r} is read from its files at "
                         f"every run; it has no cache to rebuild")
    if not osp.isdir(path):
        raise ValueError(f"{flag} folder {path!r} "
                         + ("is a file" if osp.exists(path) else "does not exist"))
    folder = TaskonomyFolder(path, mods, data.target, data.image_size)
    folder.check_files()  # a bad file is named now, not once a batch reaches it
    return folder
