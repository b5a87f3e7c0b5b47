"""Runs of a method: train one method on one seed and a grid of methods x
seeds (their records, mean and std over seeds, and their table:
:mod:`.records`; a VAD run's starts of ``init="auto"``: :mod:`._vad_starts`)."""
from __future__ import annotations

import dataclasses
import shutil
import sys
from pathlib import Path
from typing import Any

from ._rng import keeps_global_rng
from ._resume import check_same_settings, reusable_runs
from ._run_folders import check_out_entries, publish_run
# STARTS stays importable from here, where init="auto"'s folders are read
from ._vad_starts import START_LOSSES, STARTS, _fit_starts, vad_starts  # noqa: F401
from .._versions import library_versions
from .checkpoints import CHECKPOINT_FORMAT
from ..specs.components import TASKS
from ..specs.method_spec import MethodSpec, check_options, plain_options
from .data import DataConfig, TaskData, load_data, task_of
from .records import _write_partial


def run_method(td: TaskData, method: str, seed: int, out_dir: str | Path, *,
               options: dict[str, Any] | None = None, devices: int = 1,
               accelerator: str = "cpu", progress: bool = True,
               checkpoint: bool = True,
               split: tuple[list[int], list[int]] | None = None) -> tuple[dict[str, Any], Any]:
    """Trains ``method`` on ``td`` with ``seed``; returns ``(metrics, task)``:
    the test metrics (for the node task at the epoch of best validation) and
    the trained LightningModule.

    Args:
        td (TaskData): the data (:func:`~pyg_fusion.experiments.data.load_data`).
        method (str): a name of :func:`~pyg_fusion.methods.method_names`.
        seed (int): seeds the model's initialisation and the training; the
            caller's global random states (torch, ``random``, numpy) are put back
            on return.
        out_dir (str or Path): where the trainer writes logs and checkpoints.
        options (dict, optional): options of the method configs
            (:meth:`~pyg_fusion.experiments.MethodSpec.create`). (default: :obj:`None`)
        devices (int, optional): CPU processes or GPUs. (default: :obj:`1`)
        accelerator (str, optional): ``"cpu"``, ``"gpu"`` (= ``"cuda"``) or ``"auto"``.
            (default: :obj:`"cpu"`)
        progress (bool, optional): progress bars. (default: :obj:`True`)
        checkpoint (bool, optional): write checkpoints, whose
            ``hyper_parameters["config"]`` holds the spec and the data config.
            (default: :obj:`True`)
        split (tuple, optional): a VAD run's training and held-out videos, two lists of
            indices into ``td.train``, in place of the seeded split of its ``val_fraction``
            (:func:`~pyg_fusion.training.vad_fit.fit_vad`'s ``split``). (default: :obj:`None`)
    """
    return _run_method(td, method, seed, out_dir, options=options, devices=devices,
                       accelerator=accelerator, progress=progress, checkpoint=checkpoint,
                       split=split)


def check_per_source(options: dict[str, Any], sources: list[str], dataset: str) -> None:
    """Refuses an option given per source (``--num-powers i3d=2``) that does
    not name exactly the data's ``sources``, before any run: the model said
    'num_powers must be an int or give P for each of [...]', the Python
    name, once the first LEGO run was built.

    Args:
        options (dict[str, Any]): the method options given.
        sources (list[str]): the data's sources.
        dataset (str): the dataset's name, for the error.
    """
    for name, value in options.items():
        if isinstance(value, dict) and set(value) != set(sources):
            flag = "--" + name.replace("_", "-")
            raise ValueError(f"{flag}: the sources of {dataset} are {', '.join(sources)}; "
                             f"give one value for all, or one per source (SOURCE=N,...), got "
                             f"{', '.join(map(str, value)) or 'none'}")


@keeps_global_rng
def _run_method(td: TaskData, method: str, seed: int, out_dir: str | Path, *,
                options: dict[str, Any] | None, devices: int, accelerator: str,
                progress: bool, checkpoint: bool, starts: list[str] | None = None,
                split: tuple[list[int], list[int]] | None = None) -> tuple[dict[str, Any], Any]:
    """:func:`run_method`; a VAD run trains from ``starts``
    (:func:`~._vad_starts.vad_starts` of its data and spec) where the caller
    has them (:func:`run_grid`: one data object for every seed, so once per
    method), else finds them."""
    from ..training import seed_everything
    # the options and the seed are recorded in the checkpoint, which loads
    # with weights_only=True: plain Python (np.int64(1) as 1), as the spec's
    options = plain_options(options)
    from ..training.accelerators import check_accelerator
    # a plain int (Lightning takes no numpy int: an ambiguous truth value), named if no count
    devices = check_accelerator(accelerator, devices)
    out_dir = Path(out_dir)
    spec = MethodSpec.create(method, td.task, options)
    seed = seed_everything(seed)  # the seed checked, as a plain int
    config = {"format": CHECKPOINT_FORMAT, "method": spec.method, "task": td.task,
              "dataset": td.dataset,
              "setting": td.setting, "in_channels": td.in_channels,
              "num_classes": td.num_classes, "options": options, "spec": spec.to_dict(),
              "seed": seed, "data": dict(td.extra),
              "data_config": None if td.config is None else dataclasses.asdict(td.config),
              "versions": library_versions()}
    if td.task == "node":
        if split is not None:  # the node task's split is its data's masks
            raise ValueError("split chooses a VAD run's held-out videos: a node run's "
                             "split is its data's train / val masks")
        r = _fit_node(td, spec, config, seed, out_dir, devices=devices,
                      accelerator=accelerator, progress=progress, checkpoint=checkpoint)
        metrics = {"accuracy": r.get("test_acc", float("nan")),
                   "val_accuracy": r.get("val_acc", float("nan"))}
    else:
        from ..training.vad_fit import TEST_METRICS, VAL_METRICS
        r = _fit_starts(td, spec, config, seed, out_dir, starts=starts, devices=devices,
                        accelerator=accelerator, progress=progress, checkpoint=checkpoint,
                        split=split)
        metrics = {k: r[k] for k in TEST_METRICS}
        # the tested model's held-out metrics (none with val_fraction=0); with
        # restarts, both combinations' metrics (chosen_*, ensemble_*)
        both = [f"{p}_{k}" for p in ("chosen", "ensemble") for k in TEST_METRICS + VAL_METRICS]
        metrics.update({k: r[k] for k in (*VAL_METRICS, "epoch", "restart", *both,
                                          "members_val_loss", "operator_start_epoch",
                                          "branch_start_epoch",
                                          "start_mean", *START_LOSSES) if k in r})
    metrics["params"] = r["params"]
    metrics["time_per_epoch_s"] = r["time_per_epoch_s"]
    return metrics, r["task"]


def _fit_node(td: TaskData, spec: MethodSpec, config: dict[str, Any], seed: int,
              out_dir: Path, *, devices: int, accelerator: str, progress: bool,
              checkpoint: bool) -> dict[str, Any]:
    """A node run: the model of ``spec`` trained by
    :func:`~pyg_fusion.training.node.fit_node`, as ``_vad_starts._fit`` a VAD one."""
    from ..methods import Dims, build_spec
    from ..training.node import fit_node
    # every trainer field the node task reads (those whose help does not name
    # VAD first, _check_task_options' rule) is an argument of fit_node, by its
    # name (or the field's ``arg``): a new field needs no line here
    t = spec.trainer
    settings = {f.metadata.get("arg", f.name): getattr(t, f.name)
                for f in dataclasses.fields(t) if not f.metadata["help"].startswith("VAD")}
    model = build_spec(spec, Dims(td.in_channels, td.num_classes,
                                  num_nodes=td.graph.num_nodes))
    return fit_node(model, td.graph, out_dir=out_dir, **settings, seed=seed, devices=devices,
                    accelerator=accelerator, progress=progress, checkpoint=checkpoint,
                    config=config)


def _barrier() -> None:
    import torch.distributed as dist
    if dist.is_available() and dist.is_initialized():
        dist.barrier()


def is_main_process() -> bool:
    """False in the extra processes of a DDP run (``--devices > 1``), which
    must not print or write the results a second time."""
    from lightning.pytorch.utilities import rank_zero_only
    return getattr(rank_zero_only, "rank", 0) == 0


def run_grid(data: DataConfig, methods_spec: str, seeds: list[int], *, out: Path,
             options: dict[str, Any] | None = None, checkpoint: bool = False,
             devices: int = 1, accelerator: str = "cpu",
             progress: bool = True, force_reload: bool = False,
             resume: list[dict] | None = None) -> list[dict]:
    """Trains every method of ``methods_spec`` (names or families, see
    :func:`~pyg_fusion.methods.resolve_methods`) on every seed, with the
    given ``options`` of the method configs; returns the records and keeps
    ``out/results.partial.json`` up to date.

    Args:
        data (DataConfig): the dataset.
        methods_spec (str): method names or families, comma separated (``"all"``...).
        seeds (list[int]): the seeds, at least one, distinct; each method trains once
            per seed.
        out (Path): the grid's folder (``<method>/seed<k>/`` per run, trained
            in ``<method>/seed<k>.partial/`` and moved into place once finished:
            an interrupted run leaves the last finished one as it was; a VAD run's
            holds ``scores.json``, its test videos' scores,
            :func:`~pyg_fusion.training._vad_scores.write_test_scores`).
        options (dict, optional): options of the method configs. (default: :obj:`None`)
        checkpoint (bool, optional): write every run's checkpoints. (default: :obj:`False`)
        devices (int, optional): CPU processes or GPUs. (default: :obj:`1`)
        accelerator (str, optional): ``"cpu"``, ``"gpu"`` (= ``"cuda"``) or ``"auto"``.
            (default: :obj:`"cpu"`)
        progress (bool, optional): progress bars. (default: :obj:`True`)
        force_reload (bool, optional): rebuild the data's processed caches, each once:
            passed to the first load of each (:func:`~pyg_fusion.experiments.data.load_data`).
            (default: :obj:`False`)
        resume (list[dict], optional): the records of an interrupted grid (its
            ``results.partial.json``): a (method, seed) run is taken from them, not
            trained, when its record holds the seed and records what this grid would
            record for that method (dataset, setting, config, accelerator, devices, threads);
            every other run trains. A line on stderr says how many runs were reused.
            (default: :obj:`None`, every run trains)
    """
    from ..specs.method_names import chosen_methods, resolve_methods
    from ..training.accelerators import check_accelerator, hardware_record
    from ..training.seeding import _checked_seed
    from tqdm.auto import tqdm
    # before the data loads; a plain int, recorded (results.json) and Lightning's
    devices = check_accelerator(accelerator, devices)
    if isinstance(seeds, (str, bytes)):  # the command line's text, taken letter by letter
        raise TypeError(f"seeds must be a list of ints (e.g. [0, 1, 2]), got the "
                        f"{type(seeds).__name__} {seeds!r}")
    # each checked before any trains, as plain ints: the records hold them
    # (results.json: a numpy int is no JSON)
    seeds = [_checked_seed(s) for s in seeds]
    if not seeds:
        raise ValueError("seeds must name at least one seed, got []")
    repeated = sorted({s for s in seeds if seeds.count(s) > 1})
    if repeated:  # a method's records wait for as many seeds as given: none would come
        raise ValueError(f"seeds must be distinct (each trains once, into <method>/seed<k>), "
                         f"got {seeds}, which repeats {repeated}")
    options = plain_options(options)
    features = options.get("features")
    # options of the other task, out of range, or that none of the methods
    # reads: found before the data loads (and is written under its root)
    task = task_of(data.dataset)
    if task in TASKS:  # load_data names an image dataset's command
        check_options(task, options, chosen_methods(methods_spec, task, features))
    td0 = load_data(data, seeds[0], features=features, force_reload=force_reload)
    check_per_source(options, list(td0.in_channels), td0.dataset)
    methods = resolve_methods(methods_spec, td0.task, list(td0.in_channels), features)
    if is_main_process():
        _notice_one_source(td0, methods)
    check_out_entries(out, ("results.partial.json",),
                      [f for m in methods for f in [m] + [f"{m}/seed{s}" for s in seeds]])
    records = []
    jobs = [(m, s) for m in methods for s in seeds]
    per_method: dict[str, dict[int, dict]] = {}
    hardware = hardware_record(accelerator, devices)
    # the full config of the runs: the method's spec and the data as loaded
    # (a user's files by absolute path, as the checkpoint: --config reads it
    # back from any folder)
    configs = {m: {**MethodSpec.create(m, td0.task, options).to_dict(),
                   "data": dataclasses.asdict(td0.config)} for m in methods}
    # VAD: a method that cannot start is named before any other trains; every
    # seed's runs train from these starts (VAD's data is one for all seeds)
    starts = {m: vad_starts(td0, MethodSpec.create(m, td0.task, options))
              for m in (methods if td0.task == "vad" else ())}
    reused: dict[str, dict[int, dict]] = {}
    if resume is not None:
        # a run of other versions is trained again: its numbers may differ
        identities = {m: {"dataset": td0.dataset, "setting": td0.setting, "method": m,
                          "config": configs[m], **hardware, "versions": library_versions()}
                      for m in methods}
        check_same_settings(resume, identities, seeds)
        reused = reusable_runs(resume, identities, seeds)
        if is_main_process():
            n = sum(map(len, reused.values()))
            print(f"resume: {n} of {len(jobs)} runs reused from the earlier records "
                  f"(same config and seed), {len(jobs) - n} to train", file=sys.stderr)
    bar = tqdm(jobs, desc="runs", disable=not progress or len(jobs) == 1)
    cache = {seeds[0]: td0}
    for method, seed in bar:
        bar.set_postfix_str(f"{method} seed {seed}")
        if seed in reused.get(method, {}):  # its folder is the earlier run's, as it finished
            per_method.setdefault(method, {})[seed] = reused[method][seed]
            _write_partial(out, records, td0, method, per_method, configs, hardware, seeds)
            continue
        if td0.task == "node" and seed not in cache:  # the digits' split follows the seed
            cache[seed] = load_data(data, seed, features=features, force_reload=force_reload)
        td = cache.get(seed, td0)
        r, _ = run_in_folder(td, method, seed, out / method / f"seed{seed}",
                             options=options, devices=devices, accelerator=accelerator,
                             progress=progress and len(jobs) == 1,
                             checkpoint=checkpoint, starts=starts.get(method))
        per_method.setdefault(method, {})[seed] = r
        _write_partial(out, records, td0, method, per_method, configs, hardware, seeds)
    return records


def run_in_folder(td: TaskData, method: str, seed: int, folder: Path,
                  **kwargs) -> tuple[dict[str, Any], Any]:
    """:func:`_run_method` (``kwargs``) of one run of a grid (:func:`run_grid`,
    ``pyg-fusion sweep``), trained in ``<folder>.partial`` and moved into
    ``folder`` once finished: an interrupted run never replaces the last
    finished one's files. A VAD run's folder holds ``scores.json``, its test
    videos' scores (:func:`~pyg_fusion.training._vad_scores.write_test_scores`).

    Args:
        td (TaskData): the loaded data (:func:`load_data`).
        method (str): the method's name (:func:`~pyg_fusion.methods.build_model`).
        seed (int): the run's seed.
        folder (Path): the run's folder, ``<out>/<method>/seed<k>`` or a
            sweep cell's.
        **kwargs (optional): :func:`_run_method`'s settings (the configs).

    Returns:
        tuple: ``(metrics, task)``, the run's records and its trained task.
    """
    stage = folder.with_name(folder.name + ".partial")
    if is_main_process():
        shutil.rmtree(stage, ignore_errors=True)  # an interrupted run's
    r, task = _run_method(td, method, seed, stage, **kwargs)
    _barrier()  # every DDP process is done with the folder
    if is_main_process():
        if td.task == "vad":  # where each test video's anomalies are, as tested
            from ..training._vad_scores import write_test_scores
            write_test_scores(stage / "scores.json", task.last_videos)
        # and the earlier run's restart / start folders, its logs where this run
        # keeps them per start or restart, its scores.json where this run scores nodes
        publish_run(stage, folder, ("scores.json", ), ("logs", ))
    return r, task


def _notice_one_source(td: TaskData, methods: list[str]) -> None:
    """A notice when ``td`` has one source and ``methods`` hold methods that
    fuse sources: each then fuses the source with itself, which the records
    would show as a fusion."""
    if len(td.in_channels) != 1:
        return
    (source, ) = td.in_channels
    own = {f"{family}-{source}" for family in ("single", "graph", "gcn")}
    fused = [m for m in methods if m not in own]
    if fused:
        from .._notices import notice
        flag = {"tables": " (--views)", "vad": " (--vad-source)"}.get(td.dataset, "")
        what = {"lego": f"one operator {source}|{source} on the powers of its graph",
                "graph-mean": "its graph", "feature-concat": "its features"}
        said = "; ".join(f"{m}: {what[m]}" for m in fused if m in what)
        notice(f"only one source was given, {source!r}{flag}: the fusion methods "
               f"({', '.join(fused)}) fuse it with itself, each a model of that one source, "
               f"not a fusion" + (f" ({said})" if said else "") + "; give two or more "
               "sources to compare fusions", stacklevel=3)
