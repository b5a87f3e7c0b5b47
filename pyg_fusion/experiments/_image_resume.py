"""Resuming an interrupted training run of an image task (``segment train
--resume``, ``translate train --resume``): the run's stage
(``<out>/train.partial``, :func:`~._run_folders.staged_run`) keeps the
interrupted run's ``checkpoints/last.ckpt``, which records the run's settings
(:class:`RecordSettings`); a rerun with the same settings continues from it
with Lightning's ``Trainer.fit(..., ckpt_path=...)``, which trains as the
uninterrupted run (the checkpoint holds the random states:
:class:`~pyg_fusion.training.seeding.RandomStates`). Other settings are
refused, as ``compare --resume`` refuses records of other settings."""
from __future__ import annotations

import dataclasses
import json
import os.path as osp

import lightning as L

# where an interrupted run's last epoch is, under its stage
LAST = osp.join("checkpoints", "last.ckpt")
# the checkpoint's key of the run's settings
KEY = "run_config"


class RecordSettings(L.Callback):
    """Records ``config`` (the run's settings, as ``metrics.json`` records
    them) in every checkpoint the run writes, under ``"run_config"``."""

    def __init__(self, config: dict):
        self.config = config

    def on_save_checkpoint(self, trainer, pl_module, checkpoint):
        checkpoint[KEY] = self.config


def resume_point(stage: str, config: dict, resume: bool, **sections) -> str | None:
    """The checkpoint a run resumes from: ``<stage>/checkpoints/last.ckpt``
    with ``resume`` when it was written with ``config``; :obj:`None` without
    ``resume``, or when there is none (a notice says so: the run trains from
    the start). A checkpoint of other settings, or of none, is a
    :class:`ValueError` naming the first that differs. A setting of
    ``sections`` that the checkpoint lacks (written before it existed) and
    that this run holds at its default is no difference: that run ran as
    its default does; so is a whole section of them.

    Args:
        stage (str): the stage of the run (``<out>/train.partial``).
        config (dict): this run's settings, as :class:`RecordSettings` records them.
        resume (bool): whether to resume (``--resume``).
        **sections (optional): the run's typed configs by section name
            (``data=``, ``model=``...), whose fields' defaults these are.
    """
    if not resume:
        return None
    from .._loading import load_checkpoint
    from .._notices import notice
    from ._resume import _UNSET, _difference, _upgraded

    path = osp.join(stage, LAST)
    if not osp.isfile(path):
        notice(f"--resume: {path} does not exist (no interrupted run there): the run "
               f"trains from the start")
        return None
    earlier = load_checkpoint(path, what="--resume").get(KEY)
    if not isinstance(earlier, dict):
        raise ValueError(f"--resume: {path} records no settings of its run (a checkpoint "
                         f"of an earlier version): leave out --resume to train from the start")
    fields = {name: dataclasses.fields(cfg) for name, cfg in sections.items() if cfg is not None}
    defaults = json.loads(json.dumps(
        {name: {f.name: f.default for f in own if f.default is not dataclasses.MISSING}
         for name, own in fields.items()}))
    # a section that the checkpoint lacks, all at its defaults here, is none either
    defaults[""] = {name: d for name, d in defaults.items() if len(d) == len(fields[name])}
    diff = _difference(_upgraded(earlier, config, defaults=defaults), config)
    if diff is not None:
        where, was, now = ("(not set)" if v is _UNSET else repr(v) if i else v
                           for i, v in enumerate(diff))
        raise ValueError(f"--resume: the interrupted run in {stage} ran with {where}={was}, "
                         f"this run with {now}: rerun with its settings, or leave out "
                         f"--resume to train from the start")
    return path
