"""Data of a run: the typed dataset config and the loading of the datasets
the experiments run on (node classification and VAD)."""
from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

DATASETS = ("digits", "synthetic-vad", "motion-vad", "vad", "tables")
SYNTHETIC_SETTINGS = ("multi_representation", "multi_modal", "multi_domain")
# the vad_* options that locate and label a user's feature set; kept in the
# checkpoint so that evaluation finds the same videos
VAD_LAYOUT_ARGS = ("vad_source", "vad_train_list", "vad_test_list", "vad_gt", "vad_labels",
                   "vad_num_abnormal", "vad_normal_pattern", "vad_snippet_len")


@dataclass
class DataConfig:
    """Where a run's data comes from (the CLI's dataset flags, one field each;
    see ``pyg-fusion train --help``). ``data_seed``, ``relational_shift`` and
    ``standardize`` may be ``None``: 0, 0 and off, unless a checkpoint says
    otherwise (:func:`~pyg_fusion.experiments.checkpoint_data`)."""
    dataset: str = "digits"
    root: str = "runs/data"
    label_rate: float = 0.05
    setting: str = "multi_representation"
    data_seed: int | None = 0
    relational_shift: float | None = 0.0
    num_segments: int = 32
    standardize: bool | None = False
    views: list[str] | None = None
    labels: str | None = None
    vad_source: list[str] | None = None
    vad_train_list: str | None = None
    vad_test_list: str | None = None
    vad_gt: str | None = None
    vad_labels: str = "auto"
    vad_num_abnormal: Any = None
    vad_normal_pattern: str = r"(?i)normal|label_A"
    vad_snippet_len: int = 16

    @classmethod
    def from_namespace(cls, ns) -> "DataConfig":
        """The fields of ``ns`` (e.g. parsed flags) that name a field; the
        others take their defaults."""
        from dataclasses import fields
        return cls(**{f.name: getattr(ns, f.name) for f in fields(cls) if hasattr(ns, f.name)})


@dataclass
class TaskData:
    task: str                      # "node" | "vad"
    dataset: str
    setting: str
    in_channels: dict[str, int]
    num_classes: int | None = None
    graph: Any = None              # node task
    train: Any = None              # vad task
    test: Any = None
    extra: dict = field(default_factory=dict)


def _check_file(what: str, path: str | None) -> str:
    if not path:
        raise ValueError(f"{what} is required")
    if not os.path.isfile(path):
        raise ValueError(f"{what}: no such file: {path}")
    return path


def load_data(cfg: DataConfig, seed: int = 0, standardizer=None,
              features: str | None = None) -> TaskData:
    """The dataset of ``cfg`` (node task: the split of ``seed``; VAD:
    standardised with ``standardizer``, e.g. a checkpoint's statistics, else
    fitted on the training split when ``cfg.standardize``); ``features`` (the
    head's input, :class:`~pyg_fusion.experiments.HeadConfig`) is named in the
    node task's setting when it is not ``"concat"``."""
    from .. import datasets as D
    root = Path(cfg.root)
    if cfg.dataset in ("digits", "tables"):
        if cfg.dataset == "digits":
            ds = D.MultiFeatureDigits(str(root / "digits"), label_rate=cfg.label_rate,
                                      split_seed=seed, standardize=True, log=False)
        else:
            # absolute paths: the dataset looks relative names up in root/raw
            views = [os.path.abspath(_check_file("--views", v)) for v in (cfg.views or [])]
            if not views:
                raise ValueError("--views FILE... is required with --dataset tables")
            labels = os.path.abspath(_check_file("--labels", cfg.labels))
            ds = D.MultiViewTables(str(root / "tables"), views=views, labels=labels,
                                   label_rate=cfg.label_rate, split_seed=seed,
                                   standardize=True, log=False)
        data = ds[0]
        inch = {s: int(data[f"x_{s}"].size(1)) for s in data.sources}
        setting = f"label_rate={cfg.label_rate:g}"
        if features not in (None, "concat"):
            setting += f",features={features}"
        return TaskData("node", cfg.dataset, setting, inch,
                        num_classes=int(data.y.max()) + 1, graph=data)
    standardize = standardizer if standardizer is not None else bool(
        cfg.standardize)
    data_seed = 0 if cfg.data_seed is None else cfg.data_seed
    extra = {"standardize": bool(standardize)}
    if cfg.dataset == "synthetic-vad":
        shift = cfg.relational_shift or 0.0
        kw = dict(setting=cfg.setting, seed=data_seed, num_segments=cfg.num_segments,
                  relational_shift=shift, standardize=standardize, log=False)
        train = D.SyntheticVAD(str(root / "synthetic_vad"), "train", **kw)
        test = D.SyntheticVAD(str(root / "synthetic_vad"), "test", **_test(kw, train))
        setting, extra["data_seed"] = cfg.setting, data_seed
        if shift:
            setting += f",relational_shift={shift:g}"
            extra["relational_shift"] = shift
    elif cfg.dataset == "motion-vad":
        kw = dict(seed=data_seed, num_segments=cfg.num_segments, standardize=standardize,
                  log=False)
        try:
            train = D.MotionVAD(str(root / "motion_vad"), "train", **kw)
            test = D.MotionVAD(str(root / "motion_vad"), "test", **_test(kw, train))
        except ImportError as exc:  # aeon missing: the message says what to install
            raise ValueError(str(exc)) from None
        setting, extra["data_seed"] = "basic_motions", data_seed
    else:
        if not cfg.vad_source:
            raise ValueError("--vad-source NAME=PATTERN (one per source) is required with "
                           "--dataset vad")
        sources = {}
        for item in cfg.vad_source:
            if "=" not in item:
                raise ValueError(f"--vad-source must be NAME=PATTERN, got {item!r}")
            name, pattern = item.split("=", 1)
            sources[name] = pattern
        layout = D.VADLayout(sources=sources, train_list=cfg.vad_train_list,
                             test_list=cfg.vad_test_list, gt=cfg.vad_gt,
                             labels=cfg.vad_labels, num_abnormal=cfg.vad_num_abnormal,
                             normal_pattern=cfg.vad_normal_pattern,
                             snippet_len=cfg.vad_snippet_len)
        kw = dict(num_segments=cfg.num_segments, standardize=standardize, log=False)
        train = D.VADFeatures(str(root), "train", layout, **kw)
        test = D.VADFeatures(str(root), "test", layout, **_test(kw, train))
        setting = "custom"
        extra["vad"] = {k: getattr(cfg, k) for k in VAD_LAYOUT_ARGS}
    if extra["standardize"]:
        setting += ",standardized"
    d = train[0]
    inch = {s: int(d[f"x_{s}"].size(1)) for s in d.sources}
    return TaskData("vad", cfg.dataset, setting, inch, train=train, test=test, extra=extra)


def _test(kw: dict, train) -> dict:
    """The test split's options: the training split's statistics, if any."""
    std = train.standardizer
    return {**kw, "standardize": std if std is not None else False}


