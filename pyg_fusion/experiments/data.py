"""Data of a run: the loading of the graph tasks' data (node classification
and VAD; the image tasks' data is loaded by :mod:`.segment_run` and
:mod:`.translate_run`). Their typed config (:class:`DataConfig`) and its
checks are in :mod:`._data_config`, the datasets by name (:data:`DATASETS`)
and their tasks (:func:`task_of`) in :mod:`._dataset_names`."""
from __future__ import annotations

import dataclasses
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

# the names and tasks of the datasets, importable from here as before
from ._dataset_names import DATASETS, GRAPH_DATASETS, IMAGE_TASKS, Dataset, task_of  # noqa: F401
from ..specs.components import TASKS
from ._data_inputs import _check_num_abnormal, _check_split, _tables_flag
from ..specs.options import plain_config
from ..datasets._named_sources import name_views
# the config and its checks, importable from here as before
from ._data_config import (NO_GROUND_TRUTH, SYNTHETIC_SETTINGS, VAD_DATASETS,  # noqa: F401
                           VAD_LAYOUT_ARGS, DataConfig, _check_node_standardize,
                           _check_required, as_done, check_dataset_flags, vad_sources)


@dataclass
class TaskData:
    """The loaded data of a graph run (:func:`load_data`).

    Args:
        task (str): ``"node"`` or ``"vad"``.
        dataset (str): its name in :data:`DATASETS`.
        setting (str): the setting as recorded in results (label rate, synthetic setting...).
        in_channels (dict[str, int]): ``{source: feature width}``.
        num_classes (int, optional): classes (node task). (default: :obj:`None`)
        graph (torch_geometric.data.Data, optional): the one graph of the node task.
            (default: :obj:`None`)
        train (torch_geometric.data.Dataset, optional): the training videos (VAD).
            (default: :obj:`None`)
        test (torch_geometric.data.Dataset, optional): the test videos (VAD).
            (default: :obj:`None`)
        extra (dict, optional): facts of the data saved with a run (its
            fingerprint, :func:`~pyg_fusion.experiments.checkpoints.data_fingerprint`; data seed,
            standardisation...). (default: :obj:`{}`)
        config (DataConfig, optional): what it was loaded from (saved with a run).
            (default: :obj:`None`)
    """
    task: str                      # "node" | "vad"
    dataset: str
    setting: str
    in_channels: dict[str, int]
    num_classes: int | None = None
    graph: Any = None              # node task
    train: Any = None              # vad task
    test: Any = None
    extra: dict = field(default_factory=dict)
    config: DataConfig | None = None   # what it was loaded from (saved with a run)


def _check_file(what: str, path: str | None) -> str:
    if not path:
        raise ValueError(f"{what} is required")
    if os.path.isdir(path):
        raise ValueError(f"{what}: {path} is a folder; expected a file")
    if not os.path.isfile(path):
        raise ValueError(f"{what}: no such file: {path}")
    return path


def check_user_files(cfg: DataConfig, *, test_only: bool = False) -> None:
    """Refuses a file of the user's that ``cfg`` names and that is missing or
    a folder, naming its flag: tables' ``--views`` and ``--labels``, vad's
    list and ground-truth files under ROOT/raw (not the training list with
    ``test_only``). Checked by :func:`load_data`, and by the commands that
    train before torch and Lightning load (seconds).

    Args:
        cfg (DataConfig): the data of a run.
        test_only (bool, optional): the test split alone is read (see
            :func:`load_data`). (default: :obj:`False`)
    """
    if cfg.dataset == "tables" and cfg.views and not isinstance(cfg.views, str):
        for path in name_views(cfg.views, "--views").values():
            _check_file("--views", path)
        _check_file("--labels", cfg.labels)
    if cfg.dataset == "vad":
        gt = None if cfg.vad_gt == NO_GROUND_TRUTH else cfg.vad_gt
        for flag, value in (("--vad-train-list", None if test_only else cfg.vad_train_list),
                            ("--vad-test-list", cfg.vad_test_list), ("--vad-gt", gt)):
            if value and "{name}" not in value:
                _check_file(flag, os.path.join(str(cfg.root), "raw", value))


def load_data(cfg: DataConfig, seed: int = 0, standardizer=None,
              features: str | None = None, *, force_reload: bool = False,
              test_only: bool = False) -> TaskData:
    """The dataset of ``cfg`` (node task: the split of ``seed``; VAD:
    standardised with ``standardizer``, e.g. a checkpoint's statistics, else
    fitted on the training split when ``cfg.standardize``); ``features`` (the
    head's input, :class:`~pyg_fusion.experiments.HeadConfig`) is named in the
    node task's setting when it is not ``"concat"``.

    ``force_reload`` is an instruction for this load, not a property of the
    data: it is no field of :class:`DataConfig`, so a run's recorded config
    and checkpoint never carry it. A command passes it to its first load of
    each processed cache (the node task has one per split ``seed``, VAD one
    per split, loaded once for all seeds), not to the loads that follow.

    Args:
        cfg (DataConfig): the dataset and its options.
        seed (int, optional): the split seed of the node task's masks. (default: :obj:`0`)
        standardizer (StandardizeSources, optional): statistics to apply to VAD features
            (e.g. a checkpoint's). (default: :obj:`None`)
        features (str, optional): the head's input (``"concat"``, ``"none"``,
            ``"labels"``), named in the setting. (default: :obj:`None`)
        force_reload (bool, optional): process the raw files again and replace the
            processed caches of this load (``pyg-fusion``'s ``--force-reload``): the
            generated sets (synthetic-vad, motion-vad) are generated again, the digits
            copied again from the bundled copy; the files of tables and vad are the
            user's and are read again. (default: :obj:`False`)
        test_only (bool, optional): ``vad``: read the test split alone (``train`` is
            ``None``): a checkpoint's new videos, scored with its statistics
            (``standardizer``), need none of its training files. (default: :obj:`False`)
    """
    from .. import datasets as D
    from ._fingerprint import data_fingerprint
    cfg = plain_config(cfg)
    root = Path(cfg.root)
    task = task_of(cfg.dataset)
    if task not in TASKS:
        raise ValueError(f"--dataset {cfg.dataset} is an image dataset ({task}): run it with "
                         f"`pyg-fusion train --dataset {cfg.dataset}`")
    if task == "node":
        _check_node_standardize(cfg)
        cfg = as_done(cfg)
        if cfg.dataset == "digits":
            ds = D.MultiFeatureDigits(str(root / "digits"), label_rate=cfg.label_rate,
                                      split_seed=seed, standardize=True, log=False,
                                      force_reload=force_reload)
        else:
            _check_required(cfg)
            # absolute paths: the dataset looks relative names up in root/raw
            check_user_files(cfg)
            views = {n: os.path.abspath(v) for n, v in name_views(cfg.views, "--views").items()}
            labels = os.path.abspath(cfg.labels)
            # recorded absolute, so that a checkpoint is evaluated or plotted from any folder
            cfg = dataclasses.replace(cfg, views=[f"{n}={v}" for n, v in views.items()],
                                      labels=labels)
            header = "auto" if cfg.header is None else cfg.header
            index_col = _index_col(cfg.index_col)
            try:
                ds = D.MultiViewTables(str(root / "tables"), views=views, labels=labels,
                                       header=header, index_col=index_col,
                                       unlabelled=None if cfg.unlabelled == "none" else
                                       cfg.unlabelled,
                                       label_rate=cfg.label_rate,
                                       val_rate=cfg.val_rate, test_rate=cfg.test_rate,
                                       split_seed=seed, standardize=True, log=False,
                                       force_reload=force_reload)
            except ValueError as exc:
                raise ValueError(_tables_flag(str(exc))) from None
            _check_split(ds[0], cfg)
        data = ds[0]
        inch = {s: int(data[f"x_{s}"].size(1)) for s in data.sources}
        setting = f"label_rate={cfg.label_rate:g}"
        if features not in (None, "concat"):
            setting += f",features={features}"
        return TaskData("node", cfg.dataset, setting, inch,
                        num_classes=int(data.y.max()) + 1, graph=data, config=cfg,
                        extra={"fingerprint": data_fingerprint({"": ds})})
    standardize = standardizer if standardizer is not None else bool(
        cfg.standardize)
    data_seed = 0 if cfg.data_seed is None else cfg.data_seed
    extra = {"standardize": bool(standardize)}
    cfg = dataclasses.replace(cfg, standardize=extra["standardize"])  # recorded as done
    if cfg.dataset == "synthetic-vad":
        shift = cfg.relational_shift or 0.0
        kw = dict(setting=cfg.setting, seed=data_seed, num_segments=cfg.num_segments,
                  relational_shift=shift, standardize=standardize, log=False)
        # force_reload generates both splits' files again; the test split's
        # cache, named by their stamps (VADFeatures), is then new without it
        train = D.SyntheticVAD(str(root / "synthetic_vad"), "train", **kw,
                               force_reload=force_reload)
        test = D.SyntheticVAD(str(root / "synthetic_vad"), "test", **_test(kw, train))
        setting, extra["data_seed"] = cfg.setting, data_seed
        if shift:
            setting += f",relational_shift={shift:g}"
            extra["relational_shift"] = shift
    elif cfg.dataset == "motion-vad":
        kw = dict(seed=data_seed, num_segments=cfg.num_segments, standardize=standardize,
                  log=False)
        try:
            train = D.MotionVAD(str(root / "motion_vad"), "train", **kw,  # as synthetic-vad
                                force_reload=force_reload)
            test = D.MotionVAD(str(root / "motion_vad"), "test", **_test(kw, train))
        except ImportError as exc:  # aeon missing: the message says what to install
            raise ValueError(str(exc)) from None
        setting, extra["data_seed"] = "basic_motions", data_seed
    else:
        _check_required(cfg)
        sources = vad_sources(cfg.vad_source, os.path.join(str(root), "raw"))
        # VADFeatures' own message lists the missing files with the Python
        # API's advice (help(VADLayout)), naming no flag
        # "none": test videos without ground truth, scored without metrics (evaluate);
        # their labels are not known either
        gt = None if cfg.vad_gt == NO_GROUND_TRUTH else cfg.vad_gt
        check_user_files(cfg, test_only=test_only)
        _check_num_abnormal(cfg.vad_num_abnormal)
        layout = D.VADLayout(sources=sources, train_list=cfg.vad_train_list,
                             test_list=cfg.vad_test_list, gt=gt,
                             labels=cfg.vad_labels, num_abnormal=cfg.vad_num_abnormal,
                             normal_pattern=cfg.vad_normal_pattern,
                             snippet_len=cfg.vad_snippet_len)
        kw = dict(num_segments=cfg.num_segments, standardize=standardize, log=False)
        # recorded absolute (as the tables' files): the checkpoint finds the user's
        # features from any folder, instead of a relative root that evaluate would
        # resolve in its own working folder (and leave an empty raw/ there)
        cfg = dataclasses.replace(cfg, root=os.path.abspath(cfg.root))
        if test_only and standardize is True:
            raise ValueError("test_only: standardize=True fits the statistics of the training "
                             "split, which is not read; pass them (standardizer=)")
        train = None if test_only else D.VADFeatures(str(root), "train", layout, **kw,
                                                     force_reload=force_reload)
        unlabelled = dataclasses.replace(layout, labels="none", num_abnormal=None)
        test = D.VADFeatures(str(root), "test", layout if gt is not None else unlabelled,
                             **(kw if train is None else _test(kw, train)),
                             force_reload=force_reload)
        setting = "custom"
        extra["vad"] = {k: getattr(cfg, k) for k in VAD_LAYOUT_ARGS}
    if extra["standardize"]:
        setting += ",standardized"
    d = test.get(0) if train is None else train[0]  # (stored: before the statistics)
    inch = {s: int(d[f"x_{s}"].size(1)) for s in d.sources}
    # a graph-only model scores features of any width: other test features were
    # scored without a word (the others failed in a matrix product, or in the
    # standardisation); get() reads the stored features, before standardising
    if len(test) and train is not None:
        _check_test_widths(test.get(0), inch, f"(video {getattr(d, 'video', 0)!r})",
                           "give both splits the same features")
    # what a run's checkpoint records of its data, which evaluate compares
    extra["fingerprint"] = data_fingerprint({k: v for k, v in (("train", train),
                                                               ("test", test)) if v is not None})
    return TaskData("vad", cfg.dataset, setting, inch, train=train, test=test, extra=extra,
                    config=cfg)


def _index_col(value):
    """``--index-col``'s value as :class:`~pyg_fusion.datasets.MultiViewTables`
    takes it: ``"none"`` is :obj:`None`, in each file's value too."""
    if isinstance(value, dict):
        return {k: _index_col(v) for k, v in value.items()}
    return {None: "auto", "none": None}.get(value, value)


def _check_test_widths(video, widths: dict[str, int], training: str, advice: str) -> None:
    """Refuses a test ``video`` whose features are not of the training split's
    ``widths`` (``{source: width}``); ``training`` says where those are from
    (a video, a checkpoint), ``advice`` what to give."""
    for s, width in widths.items():
        have = int(video[f"x_{s}"].size(1))
        if have != width:
            raise ValueError(f"source {s!r} has {have} features in the test split (video "
                             f"{getattr(video, 'video', 0)!r}) but {width} in the training "
                             f"split {training}: a model of the one cannot score the other; "
                             f"{advice} (pyg-fusion: --vad-source, --vad-test-list)")


def _test(kw: dict, train) -> dict:
    """The test split's options: the training split's statistics, if any."""
    std = train.standardizer
    return {**kw, "standardize": std if std is not None else False}


