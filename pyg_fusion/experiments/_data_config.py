"""The typed data config of a graph run (:class:`DataConfig`: the CLI's
dataset flags are generated from its fields) and the checks of a config
before anything is loaded: a flag its dataset does not read, the files
without which it has nothing to load, the standardisation a run records
(:func:`as_done`). The loading of the data: :mod:`.data`."""
from __future__ import annotations

import dataclasses
from dataclasses import dataclass

from ..datasets._named_sources import SETTINGS
from ..specs.options import documented, option, unread_option
from ._dataset_names import DATASETS, GRAPH_DATASETS, task_of

VAD_DATASETS = tuple(k for k, v in DATASETS.items() if v.task == "vad")
SYNTHETIC_SETTINGS = tuple(SETTINGS)  # SyntheticVAD's, in its order
# vad_gt of test videos without ground truth (new videos to score, no metrics)
NO_GROUND_TRUTH = "none"
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
        "row is not a number; leave both out when your files differ)", check="bool",
        datasets=("tables", ))
    index_col: int | str | dict[str, int | str] = option(
        "auto", "tables: the column of row ids in every text file: its number (0: the "
        "first), none (no ids) or auto (column 0 when none of its cells is a number or its "
        "header cell is empty, as pandas writes); or one per file where they differ, "
        "FILE=N|none|auto,... with a view's name or labels (e.g. rgb=0,labels=none; a file "
        "not named: auto)", check="index_col", metavar="N|none|auto|FILE=...,...",
        per="file", datasets=("tables", ))
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
        None, "vad: a feature source and where its files are under ROOT/raw, one .npy file "
        "per video (RTFM's layout; repeat the flag per source): a pattern with {name} (the "
        "video's name), e.g. i3d=features/i3d/{name}.npy, or a folder of <video>.npy (or "
        "<video>__<crop>.npy) files, e.g. i3d=features/i3d", append=True,
        metavar="NAME=PATTERN", datasets=("vad", ))
    vad_train_list: str | None = option(None, "vad: train list (under ROOT/raw)",
                                        metavar="FILE", datasets=("vad", ))
    vad_test_list: str | None = option(None, "vad: test list (under ROOT/raw)",
                                       metavar="FILE", datasets=("vad", ))
    vad_gt: str | None = option(None, "vad: frame-level ground truth of the test split "
                                "(under ROOT/raw; a pattern with {name}: one file per "
                                "video, which a normal video may lack: all 0), or none: "
                                "videos without ground truth "
                                "(evaluate: each video's scores, no metrics; their labels "
                                "are not read)", metavar="FILE|none", datasets=("vad", ))
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
    if cfg.dataset == "vad" and cfg.vad_source:  # before --print-config
        vad_sources(cfg.vad_source)
    if cfg.dataset == "tables" and cfg.views:  # two views of one name, before --print-config
        from ..datasets._named_sources import (check_array_index_col, check_index_col_files,
                                               name_views)
        paths = {**name_views(cfg.views, "--views"), "labels": str(cfg.labels or "")}
        check_index_col_files(cfg.index_col, list(paths), "--index-col")
        check_array_index_col(cfg.index_col, paths, flag=True)
        _check_text_flags(cfg, paths)
    if complete:
        _check_required(cfg)


def _check_text_flags(cfg: DataConfig, paths: dict[str, str]) -> None:
    """Refuses ``--header`` / ``--no-header`` where no file it would apply to
    is text: ``.npy`` / ``.npz`` arrays have no header row, so the flag was
    recorded with the run without having been read (``--index-col``:
    :func:`~pyg_fusion.datasets._named_sources.check_array_index_col`)."""
    arrays = {k for k, f in paths.items() if f.endswith((".npy", ".npz"))}
    if arrays != set(paths):  # a text file reads them
        return
    if cfg.header is not None:
        flag = "--header" if cfg.header else "--no-header"
        raise ValueError(f"{flag}: every file ({', '.join(paths.values())}) is .npy / .npz, "
                         f"which have no header row nor row ids (only text files are read "
                         f"with it); leave it out")


def source_names(cfg: DataConfig) -> list[str] | None:
    """The names of the sources that ``cfg``'s data will have, as far as its
    config says them before anything is read (the bundled and generated
    sets' fixed names, the views' and ``--vad-source``'s names), else
    :obj:`None`; sorted, as the data's
    (:attr:`~pyg_fusion.data.MultiSourceData.sources`). What a method of one
    source (``gcn-fou``) and a per-source option (``--num-powers i3d=2``)
    are checked against before the data loads, so that ``--print-config``
    refuses a typo as the run does.

    Args:
        cfg (DataConfig): the data of a run.
    """
    if cfg.dataset == "digits":
        from ..datasets._named_sources import VIEWS
        return sorted(VIEWS)
    if cfg.dataset == "synthetic-vad":
        from ..datasets._named_sources import SETTINGS
        return sorted(SETTINGS[cfg.setting]["sources"]) if cfg.setting in SETTINGS else None
    if cfg.dataset == "motion-vad":
        from ..datasets._named_sources import SENSORS
        return sorted(SENSORS)
    if cfg.dataset == "tables" and cfg.views and not isinstance(cfg.views, str):
        from ..datasets._named_sources import name_views
        return sorted(name_views(cfg.views, "--views"))
    if cfg.dataset == "vad" and cfg.vad_source:
        return sorted(vad_sources(cfg.vad_source))
    return None


def vad_sources(items: list[str], raw: str | None = None) -> dict[str, str]:
    """``{source: pattern}`` of ``--vad-source``'s ``NAME=PATTERN`` items,
    refusing what reads as no RTFM layout: a pattern without ``{name}`` is
    the folder of the source's files (one per video), so one that names a
    ``.npy`` file (``rgb=cam/rgb/x.npy``), or a file under ``raw`` (ROOT/raw,
    when given), was looked up as ``cam/rgb/x.npy/<video>.npy`` ('no feature
    file matches'), and a source needs one file per video, not one for all.

    Args:
        items (list[str]): the flag's values.
        raw (str, optional): the folder the patterns are under, to look for
            a file that a pattern names. (default: :obj:`None`: not looked at)
    """
    import os
    import re
    if isinstance(items, str):  # iterated, 'rgb=...' was the source 'r'
        raise TypeError(f"--vad-source must be a list of NAME=PATTERN (one per source), "
                        f"got the single {items!r}: give [{items!r}]")
    sources: dict[str, str] = {}
    for item in items:
        name, sep, pattern = str(item).partition("=")
        if not sep or not re.fullmatch(r"[A-Za-z0-9_]+", name) or not pattern.strip():
            raise ValueError(f"--vad-source must be NAME=PATTERN (NAME: letters, digits or "
                             f"'_'; PATTERN: where its files are), got {item!r}")
        if name in sources:
            raise ValueError(f"--vad-source names the source {name!r} twice")
        if "{name}" not in pattern and (pattern.lower().endswith(".npy") or (
                raw is not None and os.path.isfile(os.path.join(raw, pattern)))):
            folder = os.path.dirname(pattern.rstrip("/"))
            raise ValueError(
                f"--vad-source {item}: {pattern} is one file, but a source is one .npy file "
                f"per video (RTFM's layout): give a pattern with {{name}}, the video's name "
                f"(e.g. {name}={os.path.join(folder, '{name}.npy')}), or the folder of the "
                f"videos' files (e.g. {name}={folder or '.'})")
        sources[name] = pattern
    return sources


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
    whose features are z-scored over all rows on every run (:func:`~.data.load_data`):
    the run would record raw features it did not use."""
    if cfg.standardize is False:
        raise ValueError(f"--no-standardize: --dataset {cfg.dataset} always z-scores every "
                         f"feature column over all rows (transductive, no labels); leave "
                         f"--no-standardize out")


def _check_required(cfg: DataConfig) -> None:
    """The flags without which ``cfg.dataset`` has nothing to load, checked
    by :func:`~.data.load_data` and before ``--print-config`` prints a config."""
    if cfg.dataset == "tables":
        if not cfg.views:
            raise ValueError("--views FILE... is required with --dataset tables")
        if not cfg.labels:
            raise ValueError("--labels is required with --dataset tables")
    if cfg.dataset == "vad" and not cfg.vad_source:
        raise ValueError("--vad-source NAME=PATTERN (one per source) is required with "
                         "--dataset vad")
