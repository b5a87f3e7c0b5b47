"""Reading back a checkpoint of a run (:func:`~pyg_fusion.experiments.run_method`,
``pyg-fusion train``): the checkpoint and its config, its model (shared by
``evaluate`` and ``plot``), and its scores on the test split. The data it is
scored on: :mod:`._checkpoint_data` (its names importable here); whether that
data is the one it was trained on: :mod:`._fingerprint`; which command's
checkpoint a file is: :func:`pyg_fusion._loading.image_task`."""
from __future__ import annotations

import dataclasses
import os

from .._loading import image_task
from ._fingerprint import check_fingerprint, data_fingerprint  # noqa: F401 (importable here)
from ._rng import keeps_global_rng
from ._checkpoint_data import (FROM_CHECKPOINT, checkpoint_data,  # noqa: F401 (importable here)
                               _check_label_rate, _check_vad_given)
from .data import DataConfig, check_dataset_flags

# The layout of a run's config (``hyper_parameters["config"]``). 2:
# ``hidden_channels`` sizes the VAD row heads and graph baselines too; format
# 1 (no "format" key) built them at width N whatever it recorded.
CHECKPOINT_FORMAT = 2


def load_train_checkpoint(path: str, flag: str = "--checkpoint", *, figure: bool = False):
    """``(checkpoint, hyper_parameters, config)`` of a checkpoint written by
    ``pyg-fusion train``, loaded by :func:`pyg_fusion._loading.load_checkpoint`
    (``weights_only=True``); errors name ``flag`` and the file.

    Args:
        path (str): the ``.ckpt`` file.
        flag (str, optional): the name errors give the file. (default: :obj:`"--checkpoint"`)
        figure (bool, optional): read for a figure of ``pyg-fusion plot``: an
            image task's checkpoint is told apart from what plot draws, not
            sent to an evaluation as if one had been asked for.
            (default: :obj:`False`)
    """
    from .._loading import load_checkpoint
    ckpt = load_checkpoint(path, what=flag, keys=("state_dict", "hyper_parameters"))
    hp = ckpt["hyper_parameters"]
    cfg = hp.get("config") if isinstance(hp, dict) else None
    if not isinstance(cfg, dict) or not {"method", "dataset"} <= set(cfg) or \
            not isinstance(ckpt["state_dict"], dict):
        task = image_task(hp)
        if task is not None and figure:
            raise ValueError(f"{flag}: {path} is a checkpoint of the {task} task; plot draws "
                             f"the models of `pyg-fusion train` only. `pyg-fusion {task} "
                             f"evaluate` reads this one (or `pyg-fusion evaluate --task "
                             f"{task}`)")
        if task is not None:
            raise ValueError(f"{flag}: {path} is a checkpoint of the {task} task, not of "
                             f"`pyg-fusion train`; evaluate it with `pyg-fusion evaluate --task "
                             f"{task}` (or `pyg-fusion {task} evaluate`)")
        raise ValueError(f"{flag}: {path} is not a checkpoint of `pyg-fusion train` (its "
                         "hyper_parameters hold no config with method and dataset)")
    _check_config(cfg, f"{flag}: {path}")
    return ckpt, hp, cfg


def _check_config(cfg: dict, where: str) -> None:
    """A checkpoint's config that this version rebuilds as it was trained: a
    newer format, or a spec or data option this version does not know (a
    newer or other version's), would build another model or data silently,
    or end in a traceback."""
    from ..specs.components import COMPONENTS
    fmt = cfg.get("format", 1)
    if isinstance(fmt, bool) or not isinstance(fmt, int) or fmt > CHECKPOINT_FORMAT:
        raise ValueError(f"{where} has config format {fmt!r}; this version of pyg_fusion "
                         f"reads formats up to {CHECKPOINT_FORMAT}: evaluate it with the "
                         f"version that wrote it")
    unknown = []
    spec = cfg.get("spec")
    if spec is not None:
        if not isinstance(spec, dict) or not {"method", "task"} <= set(spec):
            raise ValueError(f"{where}: its config's spec is not a method spec "
                             f"(got {type(spec).__name__})")
        known = {"method", "task", *COMPONENTS}
        unknown += [k for k in spec if k not in known]
        for comp, cls in COMPONENTS.items():
            part = spec.get(comp, {})
            if not isinstance(part, dict):
                raise ValueError(f"{where}: its spec's {comp!r} is a {type(part).__name__}, "
                                 f"expected a dict of options")
            names = {f.name for f in dataclasses.fields(cls)}
            unknown += [f"{comp}.{k}" for k in part if k not in names]
    data = cfg.get("data_config")
    if data is not None:
        if not isinstance(data, dict):
            raise ValueError(f"{where}: its data_config is a {type(data).__name__}, expected a "
                             f"dict of dataset options")
        names = {f.name for f in dataclasses.fields(DataConfig)}
        unknown += [f"data_config.{k}" for k in data if k not in names]
    if unknown:
        raise ValueError(f"{where} was written by another version of pyg_fusion: this one "
                         f"does not know its options {unknown}; evaluate it with the version "
                         f"that wrote it")
    if spec is not None:  # its values, before the data loads (model_from_checkpoint builds it)
        from ..specs.method_spec import MethodSpec
        try:
            MethodSpec.from_dict(spec)
        except ValueError as exc:
            raise ValueError(f"{where}: {exc}") from None


def model_from_checkpoint(cfg: dict, td, state_dict: dict):
    """The model of a checkpoint: built from its config (method and options)
    for the data ``td`` (:func:`checkpoint_data`), its weights (the
    ``model.*`` entries of ``state_dict``) loaded strictly; in eval mode. A
    VAD run with ``restarts`` > 1 and ``restart_combine="mean"`` saved the
    ensemble of its restarts (:class:`~pyg_fusion.training.vad_ensemble.RestartEnsemble`),
    which is rebuilt with as many members; one with ``init="auto"`` is rebuilt
    at the start it chose (``cfg["start"]``).

    Args:
        cfg (dict): the checkpoint's config (:func:`load_train_checkpoint`).
        td (TaskData): the data (:func:`checkpoint_data`), for the model's dimensions.
        state_dict (dict): the checkpoint's ``state_dict``.
    """
    from ..specs.method_spec import MethodSpec
    from ..methods import Dims, build_spec
    # checkpoints written before the spec was saved hold the given options only
    spec = (MethodSpec.from_dict(cfg["spec"]) if "spec" in cfg
            else MethodSpec.create(cfg["method"], td.task, cfg.get("options", {})))
    if td.task == "vad" and cfg.get("format", 1) < 2 and \
            str(cfg["method"]).startswith(("lego", "graph-")):
        spec = dataclasses.replace(spec, head=dataclasses.replace(spec.head, hidden_channels=None))
    if "start" in cfg:  # the start an init="auto" run chose (experiments.run)
        spec = spec.with_init(cfg["start"])
    if td.task == "node":
        dims = Dims(td.in_channels, td.num_classes, num_nodes=td.graph.num_nodes)
    else:
        videos = td.test if td.train is None else td.train  # (test_only: new videos)
        dims = Dims(td.in_channels, num_segments=int(videos[0].num_nodes))
    if td.task == "vad" and spec.trainer.restarts > 1 and spec.trainer.restart_combine == "mean":
        # the tested model of such a run is the ensemble of its restarts
        from ..training.vad_ensemble import RestartEnsemble
        model = RestartEnsemble([build_spec(spec, dims) for _ in range(spec.trainer.restarts)])
    else:
        model = build_spec(spec, dims)
    try:
        model.load_state_dict({k[len("model."):]: v for k, v in state_dict.items()
                               if k.startswith("model.")})
    except RuntimeError as exc:  # torch lists every mismatch on its own lines
        lines = [ln.strip() for ln in str(exc).splitlines()[1:] if ln.strip()]
        shown = "; ".join(lines[:2]) + (f"; and {len(lines) - 2} more" if len(lines) > 2 else "")
        raise ValueError(f"the checkpoint's weights do not fit the model its config builds for "
                         f"this data ({shown}): give the data options it was trained with "
                         f"(e.g. --num-segments), or a checkpoint that was saved whole") from None
    return model.eval()


@keeps_global_rng
def evaluate_checkpoint(path: str, data: DataConfig | None, out_dir, *, method: str | None = None,
                        devices: int = 1, accelerator: str = "cpu", progress: bool = True,
                        force_reload: bool = False, scores=None, table=None,
                        command: str = "evaluate", notices: list[str] | None = None):
    """Scores a checkpoint of :func:`~pyg_fusion.experiments.run.run_method`
    on the test split of the data it was trained on, or of other data given
    in ``data``; returns ``(task data, config, metrics)``: test accuracy (and
    the validation accuracy) for node classification, frame-level ``auc`` /
    ``ap`` / ``pr_auc_trapz`` for VAD, none (``{}``) for VAD test videos
    without ground truth (``vad_gt="none"``: new videos, whose scores alone
    ``scores`` and ``table`` hold).

    Args:
        path (str): the ``.ckpt`` file.
        data (DataConfig): dataset options given anew (``None``: the
            checkpoint's, see :func:`checkpoint_data`).
        out_dir (str or Path): logs.
        method (str, optional): must be the checkpoint's method if given.
            (default: :obj:`None`)
        devices (int, optional): CPU processes or GPUs. (default: :obj:`1`)
        accelerator (str, optional): ``"cpu"``, ``"gpu"`` (= ``"cuda"``) or ``"auto"``.
            (default: :obj:`"cpu"`)
        progress (bool, optional): show progress bars. (default: :obj:`True`)
        force_reload (bool, optional): rebuild the data's processed caches
            (:func:`~pyg_fusion.experiments.data.load_data`); the checkpoint does not
            record it, so a later evaluation reads the rebuilt caches. (default: :obj:`False`)
        scores (str or Path, optional): VAD: write each test video's snippet and frame
            scores there (:func:`~pyg_fusion.training._vad_scores.write_test_scores`) with
            what was scored (``checkpoint``, ``data``, ``notices``: new videos have no results.json).
            (default: :obj:`None`, not written)
        table (str or Path, optional): VAD, with ``scores``: write the same snippet scores
            there as CSV, one row per snippet with its frames
            (:func:`~pyg_fusion.training._vad_scores.write_scores_table`).
            (default: :obj:`None`, not written)
        command (str, optional): the ``pyg-fusion`` command that reads it, whose
            flags its errors name (:func:`checkpoint_data`). (default: :obj:`"evaluate"`)
        notices (list[str], optional): the list that collects the notices shown (the CLI's
            :func:`~pyg_fusion.cli._process.kept_notices`), recorded in ``scores``. (default: :obj:`None`)
    """
    from ..training.accelerators import check_accelerator
    check_accelerator(accelerator, devices)
    ckpt, _, cfg = load_train_checkpoint(path)
    if method and method != cfg["method"]:
        raise ValueError(f"--method {method!r} does not match the checkpoint's "
                         f"{cfg['method']!r}")
    if data is None:
        data = DataConfig(**FROM_CHECKPOINT)
    if data.dataset is None:
        data = dataclasses.replace(data, dataset=cfg["dataset"])
    if data.dataset != cfg["dataset"]:
        raise ValueError(f"--dataset {data.dataset!r} does not match the checkpoint's "
                         f"{cfg['dataset']!r}")
    check_dataset_flags(data)  # a flag this dataset does not read would change nothing
    td, standardizer = checkpoint_data(data, cfg, ckpt["state_dict"], path,
                                       force_reload=force_reload, command=command)
    if td.in_channels != cfg["in_channels"]:
        # named by the file: several checkpoints of one data set may hold other sources
        raise ValueError(f"the data's sources {td.in_channels} (name: features) differ from "
                         f"those the checkpoint {path} was trained on, {cfg['in_channels']}: "
                         f"give the data it was trained on")
    check_fingerprint(cfg, td, path, data)
    model = model_from_checkpoint(cfg, td, ckpt["state_dict"])
    if td.task == "node":
        from ..training.node import NodeClassification, single_graph_loader
        from ..training.trainer import build_trainer
        task = NodeClassification(model, config=cfg)
        trainer = build_trainer(out_dir, max_epochs=1, seed=None, accelerator=accelerator,
                                devices=devices, strategy="ddp" if devices > 1 else "auto",
                                progress=progress, checkpoint=False)
        trainer.test(task, single_graph_loader(td.graph), verbose=False)
        metrics = {"accuracy": task.last_metrics["test_acc"],
                   "val_accuracy": task.last_metrics.get("val_acc", float("nan"))}
    else:
        from ..training.vad import WeaklySupervisedVAD
        from ..training.vad_fit import evaluate_vad
        task = WeaklySupervisedVAD(model, config=cfg, standardizer=standardizer)
        result = evaluate_vad(task, td.test, out_dir=out_dir, devices=devices,
                              accelerator=accelerator, progress=progress)
        # none without ground truth (new videos): their scores only
        metrics = {k: result[k] for k in ("auc", "ap", "pr_auc_trapz") if k in result}
        from .run import is_main_process
        if scores is not None and is_main_process():
            from ..training._vad_scores import write_scores_table, write_test_scores
            # what was scored, as results.json records it (the checkpoint by absolute path)
            write_test_scores(scores, task.last_videos, {
                "checkpoint": os.path.abspath(path), "notices": list(notices or ()),
                "data": None if td.config is None else dataclasses.asdict(td.config)})
            if table is not None:
                write_scores_table(table, task.last_videos)
    return td, cfg, metrics
