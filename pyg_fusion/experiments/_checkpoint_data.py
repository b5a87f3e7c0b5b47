"""The data a checkpoint of a run is scored on (:func:`checkpoint_data`):
the dataset options given anew, checked against those it was trained on
(its recorded files still there, a label rate or split rate that would
change no score or score trained rows, VAD sources, a test list's ground
truth, the options that ``vad_gt="none"``, new videos scored without ground
truth, never reads), the others taken from the checkpoint, and the data
loaded with its standardiser."""
from __future__ import annotations

import dataclasses

from .data import (NO_GROUND_TRUTH, SYNTHETIC_SETTINGS, VAD_LAYOUT_ARGS, DataConfig,
                   _check_test_widths, load_data, task_of, vad_sources)

# a DataConfig of None everywhere: every option is what the checkpoint's
# training used
FROM_CHECKPOINT = {f.name: None for f in dataclasses.fields(DataConfig)}


def _check_recorded_files(change: dict, path: str, dataset: str, command: str) -> None:
    """The user's files that the checkpoint ``path`` records and that no flag
    gives anew (``change``) must still be there: their error named --views /
    --labels ('--views: no such file'), or --vad-train-list for a moved
    --root, flags that the user had not given. ``command`` (``"evaluate"``
    or ``"plot"``) is the one that read it, whose flags the error names."""
    import os.path as osp
    if dataset == "vad" and change.get("root") and not osp.isdir(change["root"]):
        raise ValueError(f"--checkpoint {path} was trained on the features under "
                         f"{change['root']} (its --root), which is no longer there (moved or "
                         f"deleted?): put it back, or give its new place (pyg-fusion "
                         f"{command}: --root)")
    # plot has no --views / --labels: it draws the data the checkpoint records
    anew = ("give the files anew (pyg-fusion evaluate: --views and --labels)"
            if command == "evaluate" else
            f"score it on files given anew with pyg-fusion evaluate (--views and --labels; "
            f"pyg-fusion {command} reads the recorded ones)")
    files = [("--views", str(v).partition("=")[2] or str(v)) for v in change.get("views") or ()]
    files += [("--labels", change["labels"])] if change.get("labels") else []
    for flag, f in files:
        if not osp.isfile(f):
            raise ValueError(f"--checkpoint {path} was trained on {f} (its {flag}), which is no "
                             f"longer there (moved or deleted?): put it back, or {anew}")


def _check_label_rate(data: DataConfig, trained: dict, features: str | None,
                      path: str) -> None:
    """Refuses a label rate given anew that changes no score: it picks the
    training nodes, while the test and validation nodes are the same at any
    rate (:func:`~pyg_fusion.datasets._split.stratified_masks`); only a model
    that propagates the training nodes' labels (``features="labels"``) reads
    them when it scores."""
    rate = data.label_rate
    if rate is None or features == "labels" or rate == trained.get("label_rate", rate):
        return
    # accepted, its scores were recorded under a rate they are not of
    raise ValueError(f"--label-rate {rate:g}: the checkpoint {path} is scored on test nodes "
                     f"that no label rate changes (the rate picks the training nodes, whose "
                     f"labels its model, features={features or 'concat'}, does not read); "
                     f"leave --label-rate out (the checkpoint's)")


def _check_vad_given(data: DataConfig, change: dict, trained: dict, path: str,
                     trained_sources: list[str]) -> None:
    """Refuses sources given anew that are not the checkpoint's
    (``trained_sources``), the training list and label options given with
    ``vad_gt="none"`` (which reads neither), and a test list given anew that would keep the checkpoint's
    ground truth of one file (``change``: the options taken from the
    checkpoint), concatenated over its own test list: it fits no other list,
    and a list of as many frames was scored against other videos' frames."""
    given = data.vad_source if isinstance(data.vad_source, list) else []
    names = list(vad_sources(given))  # (the flag's one parsing)
    if given and sorted(names) != sorted(trained_sources):
        # (its model and statistics are of those sources: refused by the
        # standardiser's own words, or only after both splits were read)
        raise ValueError(f"--vad-source gives the sources {names}, the checkpoint {path} was "
                         f"trained on {sorted(trained_sources)}: give one --vad-source per "
                         f"source it was trained on, of that name")
    # given: neither None (the checkpoint's) nor DataConfig's default, which a
    # Python caller's DataConfig(vad_gt="none", ...) holds without giving it
    defaults = {f.name: f.default for f in dataclasses.fields(DataConfig)}
    unread = [f for f in ("vad_train_list", "vad_labels", "vad_num_abnormal",
                          "vad_normal_pattern") if getattr(data, f) not in (None, defaults[f])]
    if data.vad_gt == NO_GROUND_TRUTH and unread:
        # the training split and the labels are not read then: recorded, never applied
        flag = "--" + unread[0].replace("_", "-")
        raise ValueError(f"{flag}: --vad-gt none scores the test videos alone, without "
                         f"labels, and reads no training split; leave {flag} out")
    gt, listed = change.get("vad_gt"), data.vad_test_list
    if (listed is None or "vad_gt" not in change or data.vad_source or gt is None
            or gt == NO_GROUND_TRUTH or "{name}" in gt
            or listed == trained.get("vad_test_list")):
        return
    raise ValueError(f"--vad-test-list {listed}: the checkpoint {path} holds the ground truth "
                     f"of its own test list ({gt}, the frames of "
                     f"{trained.get('vad_test_list')} concatenated), which fits no other "
                     f"list; give this list's (--vad-gt FILE), or --vad-gt none to score "
                     f"its videos without ground truth (their scores, no metrics)")


def checkpoint_data(data: DataConfig | None, cfg: dict, state_dict: dict, path: str, *,
                    force_reload: bool = False, command: str = "evaluate"):
    """``(task data, standardizer)`` of a checkpoint. The dataset options that
    ``data`` leaves at ``None`` are those training used (``cfg["data_config"]``;
    for checkpoints written before it was saved, the data seed, relational
    shift and ``vad_*`` values of ``cfg["data"]``, the rest at their
    defaults), except that a ``vad_source`` given anew takes the other
    ``vad_*`` values given (or their defaults), and ``standardize=None``
    means: the checkpoint's statistics if it holds some (buffers
    ``standardizer.*``), which are then applied. With ``vad_gt="none"``
    (new videos to score) the test split alone is read, without ground
    truth or labels (``td.train`` is ``None``).

    Args:
        data (DataConfig or None): dataset options given anew (``None``: the checkpoint's).
        cfg (dict): the checkpoint's config (:func:`load_train_checkpoint`).
        state_dict (dict): the checkpoint's ``state_dict`` (its standardiser's buffers).
        path (str): the checkpoint's file, named in errors.
        force_reload (bool, optional): rebuild the data's processed caches
            (:func:`~pyg_fusion.experiments.data.load_data`). (default: :obj:`False`)
        command (str, optional): the ``pyg-fusion`` command that reads it
            (``"evaluate"`` or ``"plot"``), whose flags its errors name.
            (default: :obj:`"evaluate"`)
    """
    from ..datasets import StandardizeSources
    if data is None:  # every option the checkpoint's (was an AttributeError)
        data = DataConfig(**FROM_CHECKPOINT)
    setting = cfg.get("setting", "").split(",")[0]
    saved = cfg.get("data", {})
    legacy = {**saved.get("vad", {}), "data_seed": saved.get("data_seed", 0),
              "relational_shift": saved.get("relational_shift", 0.0)}
    trained = cfg.get("data_config") or legacy
    # the head's input names the setting, as it did when the run was trained
    features = cfg.get("spec", {}).get("head", {}).get("features")
    _check_label_rate(data, trained, features or cfg.get("options", {}).get("features"), path)
    change = {}
    for f in dataclasses.fields(DataConfig):
        if f.name in ("val_rate", "test_rate") and getattr(data, f.name) is not None and \
                getattr(data, f.name) != trained.get(f.name, f.default):
            # the split of another rate holds rows the model trained on
            flag = "--" + f.name.replace("_", "-")
            raise ValueError(f"{flag} {getattr(data, f.name):g}: the checkpoint {path} was "
                             f"trained with {flag} {trained.get(f.name, f.default):g}, and "
                             f"another rate would score rows it trained on; leave {flag} "
                             f"out (the checkpoint's)")
        if getattr(data, f.name) is not None or f.name == "standardize":
            continue
        fresh = f.name in VAD_LAYOUT_ARGS and data.vad_source
        change[f.name] = f.default if fresh else trained.get(f.name, f.default)
    if cfg["dataset"] == "synthetic-vad" and setting in SYNTHETIC_SETTINGS:
        change["setting"] = setting
    _check_recorded_files(change, path, cfg["dataset"], command)
    _check_vad_given(data, change, trained, path, list(cfg.get("in_channels", {})))
    data = dataclasses.replace(data, **change)
    standardizer = StandardizeSources.from_state_dict(state_dict, "standardizer.")
    # a node dataset's z-scoring is no statistics of the checkpoint (load_data)
    vad = task_of(cfg["dataset"]) == "vad"
    if vad and data.standardize and standardizer is None:
        raise ValueError(f"--standardize: the checkpoint {path} was trained without it, so "
                         f"it holds no training statistics")
    if vad and data.standardize is False and standardizer is not None:
        raise ValueError(f"--no-standardize: the checkpoint {path} was trained on "
                         f"standardised features; its statistics are applied")
    # new videos without ground truth: their scores need none of the training files
    test_only = cfg["dataset"] == "vad" and data.vad_gt == NO_GROUND_TRUTH
    td = load_data(data, cfg["seed"], standardizer=standardizer, features=features,
                   force_reload=force_reload, test_only=test_only)
    if test_only:  # (load_data compares the test split with a training split it read)
        widths = cfg.get("in_channels", {})
        _check_test_widths(td.test.get(0), {s: widths[s] for s in td.in_channels if s in widths},
                           f"of the checkpoint {path}", "give the test videos its features")
    return td, standardizer
