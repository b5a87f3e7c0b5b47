"""Data of a run: the typed dataset config of the graph tasks and their
loading (node classification and VAD; the image tasks' data is loaded by
:mod:`.segment_run` and :mod:`.translate_run`). The datasets by name
(:data:`DATASETS`) and their tasks (:func:`task_of`) are in
:mod:`._dataset_names`."""
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
from ..specs.options import documented, option, plain_config, unread_option


VAD_DATASETS = tuple(k for k, v in DATASETS.items() if v.task == "vad")
SYNTHETIC_SETTINGS = ("multi_representation", "multi_modal", "multi_domain")
# the vad_* options that locate and label a user's feature set; kept in the
# checkpoint so that evaluation finds the same videos
VAD_LAYOUT_ARGS = ("vad_source", "vad_train_list", "vad_test_list", "vad_gt", "vad_labels",
                   "vad_num_abnormal", "vad_normal_pattern", "vad_snippet_len")


@documented
@dataclass
class DataConfig:
    """Where a run's data comes from (the CLI's dataset flags are generated
    from these fields; see ``pyg-fusion train --help``). ``data_seed``, ``relational_shift`` and
    ``standardize`` may be ``None``: 0, 0 and what the dataset does by default (VAD: off;
    digits, tables: on, their only way), unless a checkpoint says otherwise
    (:func:`~pyg_fusion.experiments.checkpoint_data`)."""
    dataset: str = option(
        "digits", "digits: UCI multiple features (bundled); synthetic-vad: the seeded "
        "synthetic VAD set; motion-vad: VAD streams of real accelerometer + gyroscope "
        "recordings (UEA BasicMotions, needs aeon: pip install 'pyg-fusion[motion]'); vad: "
        "your VAD features (--vad-*); tables: your multi-view files (--views, --labels); "
        "the node datasets (digits, tables) are z-scored over all their rows (features, "
        "no labels: transductive)",
        choices=GRAPH_DATASETS)
    # records keep what can be made again as given (portable), the user's files absolute
    root: str = option("runs/data", "folder of the datasets' raw and processed files; "
                       "recorded as given for the data this package generates or bundles "
                       "(digits, synthetic-vad, motion-vad: a relative root is read, or "
                       "the same data generated, under the folder a later command runs "
                       "in) and for tables' cache (made again from --views and --labels, "
                       "recorded absolute), absolute for vad, whose features are yours")
    label_rate: float = option(0.05, "digits/tables: fraction of the training pool labelled",
                               check="rate", datasets=("digits", "tables"))
    setting: str = option("multi_representation",
                          "synthetic-vad: the paper's Table 2 setting",
                          choices=SYNTHETIC_SETTINGS, datasets=("synthetic-vad", ))
    data_seed: int | None = option(0, "synthetic-vad, motion-vad: seed of the generated "
                                   "streams", check="nonneg_int",
                                   datasets=("synthetic-vad", "motion-vad"))
    relational_shift: float | None = option(
        0.0, "synthetic-vad: anomalous segments are also an outlier cluster in every source, "
        "at distance R along a random latent direction (SyntheticVAD's relational_shift; "
        "e.g. 4; 0: off)", check="nonneg_float", metavar="R", datasets=("synthetic-vad", ))
    num_segments: int = option(32, "VAD: segments per video (32 is the paper's)",
                               check="positive_int", datasets=VAD_DATASETS)
    # None: not given, so that a --no-standardize that a node dataset cannot
    # honour is told from the default; a loaded run records what was done
    standardize: bool | None = option(
        None, "VAD: z-score every source's features with the statistics of the training "
        "split, kept in the checkpoint (default: off); digits, tables: always on, over all "
        "rows (--no-standardize is refused)", check="bool", datasets=VAD_DATASETS)
    views: list[str] | None = option(None, "tables: one CSV / NPY / NPZ file per view, rows "
                                     "aligned; a view is named after its file, or NAME=FILE",
                                     nargs="+", metavar="[NAME=]FILE", datasets=("tables", ))
    labels: str | None = option(None, "tables: the labels file", metavar="FILE",
                                datasets=("tables", ))
    header: bool | None = option(
        None, "tables: every text file (views and labels) has a header row (--header) or "
        "none (--no-header) (default: detected per file: a header when a cell of the first "
        "row is not a number)", check="bool", datasets=("tables", ))
    index_col: int | str = option(
        "auto", "tables: the column of row ids in every text file: its number (0: the "
        "first), none (no ids) or auto (column 0 when none of its cells is a number or its "
        "header cell is empty, as pandas writes)", check="index_col", metavar="N|none|auto",
        datasets=("tables", ))
    unlabelled: str = option(
        "auto", "tables: a label that marks rows without a label beside empty / NA / ? cells: "
        "e.g. -1 (scikit-learn's semi-supervised mark), none (-1 is a class like any other) "
        "or auto (labels holding -1 beside others than 1, such as -1,0,1,2, are an error "
        "asking which)", metavar="LABEL|none|auto", datasets=("tables", ))
    val_rate: float = option(0.1, "tables: fraction of each class's labelled rows held out "
                             "for validation (round(rate * rows of the class), halves up)",
                             check="fraction", datasets=("tables", ))
    test_rate: float = option(0.2, "tables: fraction of each class's labelled rows held out "
                              "for testing (round(rate * rows of the class), halves up)",
                              check="fraction", datasets=("tables", ))
    vad_source: list[str] | None = option(
        None, "vad: a feature source and its path pattern under ROOT/raw (repeat per "
        "source), e.g. i3d=features/i3d/{name}.npy", append=True, metavar="NAME=PATTERN",
        datasets=("vad", ))
    vad_train_list: str | None = option(None, "vad: train list (under ROOT/raw)",
                                        metavar="FILE", datasets=("vad", ))
    vad_test_list: str | None = option(None, "vad: test list (under ROOT/raw)",
                                       metavar="FILE", datasets=("vad", ))
    vad_gt: str | None = option(None, "vad: frame-level ground truth of the test split "
                                "(under ROOT/raw)", metavar="FILE", datasets=("vad", ))
    vad_labels: str = option(
        "auto", "vad: video labels from the list position (the first --vad-num-abnormal "
        "videos are abnormal), the name (normal when it matches --vad-normal-pattern), the "
        "list's label column, or auto (column, else position when --vad-num-abnormal is "
        "given, else name)", choices=("auto", "position", "name", "list"),
        datasets=("vad", ))
    vad_num_abnormal: int | dict[str, int] | None = option(
        None, "vad: abnormal videos at the head of each list (one count for both splits, or "
        "TRAIN,TEST)", check="abnormal_counts", metavar="N|TRAIN,TEST", datasets=("vad", ))
    vad_normal_pattern: str = option(r"(?i)(?<![a-z])normal|label_A",
                                     "vad: regular expression of normal videos' names / "
                                     "labels", datasets=("vad", ))
    vad_snippet_len: int = option(16, "vad: frames per snippet of the ground truth (16 for "
                                  "I3D / C3D)", check="positive_int", datasets=("vad", ))

    @classmethod
    def from_namespace(cls, ns) -> "DataConfig":
        """The fields of ``ns`` (e.g. parsed flags) that name a field; the
        others take their defaults."""
        from dataclasses import fields
        return cls(**{f.name: getattr(ns, f.name) for f in fields(cls) if hasattr(ns, f.name)})


def check_dataset_flags(cfg: DataConfig, *, complete: bool = False) -> None:
    """Refuses a data setting that ``cfg.dataset`` does not read (a field
    whose ``datasets`` metadata leaves it out, set to other than its default):
    it would be recorded with the run without having been applied.

    Args:
        cfg (DataConfig): the data of a run.
        complete (bool, optional): ``cfg`` is a fresh run's whole data (not
            the flags that override a checkpoint's): the files its dataset
            cannot load without are given too. (default: :obj:`False`)
    """
    values = dataclasses.asdict(cfg)
    if task_of(cfg.dataset) == "node":
        _check_node_standardize(cfg)
        values["standardize"] = None  # true: what these runs do, as their records say
    unread = unread_option(dataclasses.fields(DataConfig), values, "datasets", [cfg.dataset])
    if unread is not None:
        f, names = unread
        raise ValueError(f"--{f.name.replace('_', '-')} applies to --dataset "
                         f"{' / '.join(names)}, not to {cfg.dataset}")
    if cfg.dataset == "tables" and cfg.val_rate is not None and cfg.test_rate is not None \
            and cfg.val_rate + cfg.test_rate >= 1:  # nothing left to train on
        raise ValueError(f"--val-rate + --test-rate must be < 1, got {cfg.val_rate:g} + "
                         f"{cfg.test_rate:g}")
    if cfg.dataset == "tables" and cfg.views:  # two views of one name, before --print-config
        from ..datasets.tables import name_views
        name_views(cfg.views, "--views")
    if complete:
        _check_required(cfg)


def as_done(cfg: DataConfig) -> DataConfig:
    """``cfg`` with an unset ``standardize`` as a run of its dataset does it
    (what ``--print-config`` prints and a run records).

    Args:
        cfg (DataConfig): a config whose ``standardize`` ``None`` becomes ``True``
            for digits and tables (always z-scored), ``False`` for VAD."""
    if cfg.standardize is not None:
        return cfg
    return dataclasses.replace(cfg, standardize=task_of(cfg.dataset) == "node")


def _check_node_standardize(cfg: DataConfig) -> None:
    """Refuses ``standardize=False`` for a node dataset (digits, tables),
    whose features are z-scored over all rows on every run (:func:`load_data`):
    the run would record raw features it did not use."""
    if cfg.standardize is False:
        raise ValueError(f"--no-standardize: --dataset {cfg.dataset} always z-scores every "
                         f"feature column over all rows (transductive, no labels); leave "
                         f"--no-standardize out")


def _check_required(cfg: DataConfig) -> None:
    """The flags without which ``cfg.dataset`` has nothing to load, checked
    by :func:`load_data` and before ``--print-config`` prints a config."""
    if cfg.dataset == "tables":
        if not cfg.views:
            raise ValueError("--views FILE... is required with --dataset tables")
        if not cfg.labels:
            raise ValueError("--labels is required with --dataset tables")
    if cfg.dataset == "vad" and not cfg.vad_source:
        raise ValueError("--vad-source NAME=PATTERN (one per source) is required with "
                         "--dataset vad")


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


def load_data(cfg: DataConfig, seed: int = 0, standardizer=None,
              features: str | None = None, *, force_reload: bool = False) -> TaskData:
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
            named = D.tables.name_views(cfg.views, "--views")
            views = {n: os.path.abspath(_check_file("--views", v)) for n, v in named.items()}
            labels = os.path.abspath(_check_file("--labels", cfg.labels))
            # recorded absolute, so that a checkpoint is evaluated or plotted from any folder
            cfg = dataclasses.replace(cfg, views=[f"{n}={v}" for n, v in views.items()],
                                      labels=labels)
            header = "auto" if cfg.header is None else cfg.header
            index_col = {None: "auto", "none": None}.get(cfg.index_col, cfg.index_col)
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
        sources = {}
        if isinstance(cfg.vad_source, str):  # iterated, 'rgb=...' was the source 'r'
            raise TypeError(f"--vad-source must be a list of NAME=PATTERN (one per source), "
                            f"got the single {cfg.vad_source!r}: give [{cfg.vad_source!r}]")
        for item in cfg.vad_source:
            if "=" not in item:
                raise ValueError(f"--vad-source must be NAME=PATTERN, got {item!r}")
            name, pattern = item.split("=", 1)
            if name in sources:
                raise ValueError(f"--vad-source names the source {name!r} twice")
            sources[name] = pattern
        # VADFeatures' own message lists the missing files with the Python
        # API's advice (help(VADLayout)), naming no flag
        for flag, value in (("--vad-train-list", cfg.vad_train_list),
                            ("--vad-test-list", cfg.vad_test_list), ("--vad-gt", cfg.vad_gt)):
            if value and "{name}" not in value:
                _check_file(flag, os.path.join(str(root), "raw", value))
        _check_num_abnormal(cfg.vad_num_abnormal)
        layout = D.VADLayout(sources=sources, train_list=cfg.vad_train_list,
                             test_list=cfg.vad_test_list, gt=cfg.vad_gt,
                             labels=cfg.vad_labels, num_abnormal=cfg.vad_num_abnormal,
                             normal_pattern=cfg.vad_normal_pattern,
                             snippet_len=cfg.vad_snippet_len)
        kw = dict(num_segments=cfg.num_segments, standardize=standardize, log=False)
        # recorded absolute (as the tables' files): the checkpoint finds the user's
        # features from any folder, instead of a relative root that evaluate would
        # resolve in its own working folder (and leave an empty raw/ there)
        cfg = dataclasses.replace(cfg, root=os.path.abspath(cfg.root))
        train = D.VADFeatures(str(root), "train", layout, **kw, force_reload=force_reload)
        test = D.VADFeatures(str(root), "test", layout, **_test(kw, train),
                             force_reload=force_reload)
        setting = "custom"
        extra["vad"] = {k: getattr(cfg, k) for k in VAD_LAYOUT_ARGS}
    if extra["standardize"]:
        setting += ",standardized"
    d = train[0]
    inch = {s: int(d[f"x_{s}"].size(1)) for s in d.sources}
    # a graph-only model scores features of any width: other test features were
    # scored without a word (the others failed in a matrix product, or in the
    # standardisation); get() reads the stored features, before standardising
    t = test.get(0) if len(test) else None
    for s in inch if t is not None else ():
        if int(t[f"x_{s}"].size(1)) != inch[s]:
            raise ValueError(f"source {s!r} has {int(t[f'x_{s}'].size(1))} features in the "
                             f"test split (video {getattr(t, 'video', 0)!r}) but {inch[s]} "
                             f"in the training split (video {getattr(d, 'video', 0)!r}): "
                             f"a model of the one cannot score the other; give both "
                             f"splits the same features (pyg-fusion: --vad-source, "
                             f"--vad-test-list)")
    # what a run's checkpoint records of its data, which evaluate compares
    extra["fingerprint"] = data_fingerprint({"train": train, "test": test})
    return TaskData("vad", cfg.dataset, setting, inch, train=train, test=test, extra=extra,
                    config=cfg)


def _test(kw: dict, train) -> dict:
    """The test split's options: the training split's statistics, if any."""
    std = train.standardizer
    return {**kw, "standardize": std if std is not None else False}


