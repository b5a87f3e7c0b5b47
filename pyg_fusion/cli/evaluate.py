"""``pyg-fusion evaluate``: score a checkpoint of ``pyg-fusion train``."""
from __future__ import annotations

import dataclasses
import os
from pathlib import Path

from . import out_folder
from ._flag_types import input_path, method_text
from ._help import HelpFormatter
from ._process import add_progress_argument, add_threads_argument, kept_notices
from ..experiments.checkpoints import FROM_CHECKPOINT
from ._runs import (add_dataset_args, add_device_args, add_task_arg, data_config,
                    notice_earlier_run)

HELP = "evaluate a checkpoint written by `pyg-fusion train`"


def register(subparsers) -> None:
    p = subparsers.add_parser(
        "evaluate", help=HELP, description=HELP + ": OUT/results.json and OUT/results.txt (the "
        "printed table) of test accuracy (node "
        "classification) or frame-level auc / ap / pr_auc_trapz (VAD; and scores.json: each "
        "test video's snippet scores, frame scores and frame ground truth, in test order, "
        "which `pyg-fusion plot anomaly-scores --input` draws, and scores.csv: one row per "
        "snippet with its frames and score). New VAD videos without ground truth: "
        "--vad-test-list LIST --vad-gt none scores them (scores.json and scores.csv, no "
        "metrics). The method, its "
        "options, every dataset option (root, segments, --vad-*, data seed...) and the "
        "standardisation statistics come from the checkpoint; dataset options given here "
        "(--root, --vad-*, ...) override them, e.g. to say where to find the data. The "
        "checkpoint holds a fingerprint of the data it was trained and tested on (features, "
        "labels, split): scoring other data, e.g. files changed since, is named in a notice, "
        "which results.json records (notices).",
        formatter_class=HelpFormatter)
    p.add_argument("--checkpoint", required=True, type=input_path, help="a .ckpt file of `pyg-fusion train`")
    add_task_arg(p)
    add_dataset_args(p, from_checkpoint=True)
    p.set_defaults(**FROM_CHECKPOINT)
    p.add_argument("--method", type=method_text,
                   help="must match the checkpoint's method if given")
    add_device_args(p)
    p.add_argument("--out", type=out_folder, default="runs/eval", help="output folder")
    add_progress_argument(p)
    add_threads_argument(p)
    p.set_defaults(func=run, check=check)


def check(args) -> None:
    """Refuses a ``--checkpoint`` that is no file, or whose first bytes are
    no file of ``torch.save`` (empty, cut short, another format), before
    torch and Lightning load (seconds), as ``--print-config`` does (the run's
    load said the same once they had); segment's and translate's evaluate
    and predict too. A ``--method`` that is no method name at all is refused
    here too (the run compares it with the checkpoint's method)."""
    from .._loading import check_torch_file
    from ..experiments.data import _check_file
    check_torch_file(_check_file("--checkpoint", args.checkpoint), what="--checkpoint")
    if getattr(args, "method", None) is not None:  # segment's and translate's have none
        from ..specs.method_names import check_method_name
        check_method_name(args.method)


def check_results_replaceable(path: Path, command: str = "evaluate") -> None:
    """Refuses to replace a ``results.json`` that another command wrote (the
    records of a ``train``/``compare`` run under evaluate, an evaluation's,
    whose records carry ``checkpoint``, under train or compare), e.g.
    ``--out`` given as the training run's own folder; a file that does not
    read as records is replaced.

    Args:
        path (Path): the ``results.json`` that ``command`` writes.
        command (str, optional): ``"evaluate"``, ``"train"`` or ``"compare"``.
            (default: :obj:`"evaluate"`)
    """
    import json
    try:
        records = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return
    if not (isinstance(records, list) and records
            and all(isinstance(r, dict) for r in records)):
        return
    evaluated = all("checkpoint" in r for r in records)
    if evaluated == (command == "evaluate"):  # the same command's: replaced
        return
    what = "an evaluation" if evaluated else "a train or compare run"
    raise ValueError(f"--out {str(path.parent)!r} holds the results of {what} ({path.name}), "
                     f"which {command} would replace: give another --out")


def _training_entry(out: Path, top: bool = True) -> str | None:
    """What in ``out`` is a training run's, or ``None``: its ``checkpoints``,
    a checkpoint file (``out`` is the ``checkpoints`` folder), a start,
    restart or ensemble folder (``init_<start>``, ``restart<r>``,
    ``ensemble``), a training log (a ``logs/version_<k>/metrics.csv`` of ``train_loss``:
    an evaluation logs test metrics only), for a method's folder a
    ``seed<k>`` run folder and, with ``top``, for a run's top folder a
    method's folder (a sweep's: a cell's; a run interrupted before its
    results.json, which :func:`check_results_replaceable` guards). A compare run keeps no
    checkpoints: its ``<method>/seed<k>`` holds its scores.json and logs
    only. An evaluation's folder, finished or interrupted, holds none of these."""
    import csv
    import re
    from ..experiments._run_folders import RUN_FOLDERS
    if (out / "checkpoints").is_dir():
        return "checkpoints"
    if not out.is_dir():
        return None
    # the runs keep theirs in a folder of that name (graph: <method>/seed<k>/
    # checkpoints, image: OUT/checkpoints): a user's own folder of models is
    # no run's, and evaluating beside them replaces nothing of one
    ckpt = (next(iter(sorted(out.glob("*.ckpt"))), None)
            if out.resolve().name == "checkpoints" else None)
    if ckpt is not None:
        return f"checkpoint {ckpt.name}"
    for entry in sorted(out.iterdir()):
        if entry.is_dir() and RUN_FOLDERS.fullmatch(entry.name):
            return f"folder {entry.name}"
    for log in sorted((out / "logs").glob("version_*/metrics.csv")):
        try:
            with open(log, newline="", encoding="utf-8") as f:
                header = next(csv.reader(f), [])
        except (OSError, UnicodeDecodeError):
            continue
        if "train_loss" in header:
            return f"CSV log {log.parent.parent.name}/{log.parent.name}"
    for entry in sorted(out.iterdir()):
        if entry.is_dir() and re.fullmatch(r"seed\d+", entry.name) \
                and _training_entry(entry, top=False) is not None:
            return f"folder {entry.name}"
    for entry in sorted(out.iterdir()) if top else ():
        if entry.is_dir() and not re.fullmatch(r"seed\d+", entry.name) \
                and (_training_entry(entry, top=False) or "").startswith("folder seed"):
            return f"folder {entry.name}"
    return None


def check_not_a_run_folder(out: Path, writes: str = "scores.json and logs") -> None:
    """Refuses an ``--out`` that is a training run's folder (``<method>/seed<k>``
    of ``pyg-fusion train`` or ``compare``, its ``checkpoints``, the method's
    folder above it or the run's top folder, :func:`_training_entry`): evaluate
    would write its scores.json over that run's, and replace its logs (the CSV
    logs of earlier evaluations are removed) with its own; an image task's
    evaluate (``writes``: what it writes) its report beside them."""
    what = _training_entry(Path(out))
    if what is not None:
        run = ("a run folder of pyg-fusion train" if what == "checkpoints" else
               "the checkpoints folder of a pyg-fusion train run" if what.startswith("checkpoint ")
               else "a folder of a pyg-fusion train or compare run")
        raise ValueError(f"--out {str(out)!r} holds a training run's {what} ({run}), among "
                         f"whose {writes} evaluate would write its own: give another --out")


def _earlier_scores(path: Path) -> bool:
    """Whether ``path`` holds the scores of an earlier VAD evaluation (a
    user's other file of that name is left alone)."""
    import json
    try:
        obj = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return False
    from ..training._vad_scores import is_test_scores
    return is_test_scores(obj)


def run(args) -> int:
    from .._files import write_json, write_text
    from ..experiments.checkpoints import evaluate_checkpoint
    from ..experiments.records import METRICS, format_table, make_records
    from ..experiments.run import is_main_process
    from ..training.accelerators import hardware_record
    out = Path(args.out)
    from ..experiments._run_folders import check_out_entries
    # Lightning's CSV logger writes logs/version_<k>: a file of that name failed it at the end
    check_out_entries(out, ("results.json", "results.txt", "scores.json", "scores.csv"),
                      folders=("logs",))
    check_results_replaceable(out / "results.json")
    check_not_a_run_folder(out)
    # an earlier evaluation's logs: replaced, as its results.json, once this one finishes
    earlier_logs = sorted(p for p in (out / "logs").glob("version_*") if p.is_dir())
    notice_earlier_run(out, ("results.json", "scores.json", "scores.csv", "logs"), "evaluation",
                       "its results.json, results.txt, scores.json, scores.csv and logs are "
                       "replaced by this evaluation's once it finishes")
    with kept_notices() as notices:  # e.g. the data changed since training: recorded
        td, cfg, metrics = evaluate_checkpoint(args.checkpoint, data_config(args, fresh=False),
                                               out, method=args.method, devices=args.devices,
                                               accelerator=args.accelerator,
                                               progress=not args.no_progress,
                                               force_reload=args.force_reload,
                                               scores=out / "scores.json",
                                               table=out / "scores.csv", notices=notices)
    if not is_main_process():
        return 0
    import shutil
    # an earlier evaluation's table, never left beside another results.json
    table_stale = (out / "results.txt").is_file()
    (out / "results.txt").unlink(missing_ok=True)
    if td.task == "vad" and not metrics:  # videos without ground truth: their scores only
        for folder in earlier_logs:
            shutil.rmtree(folder, ignore_errors=True)
        # an earlier evaluation's metrics would sit beside these videos' scores
        stale = (out / "results.json").is_file()
        (out / "results.json").unlink(missing_ok=True)
        print(f"scored {len(td.test)} test videos without ground truth (no metrics)\n\nwrote "
              f"{out / 'scores.json'} and scores.csv (each video's snippet and frame scores)"
              + (" and removed the earlier evaluation's results.json" if stale else "")
              + (" and results.txt" if stale and table_stale else ""))
        return 0
    records = make_records(td, cfg["method"], {cfg["seed"]: metrics},
                           # by absolute path, as the data's files: the same file from any folder
                           extra={"checkpoint": os.path.abspath(args.checkpoint),
                                  # the data scored (the checkpoint's, or flags given anew)
                                  "data": None if td.config is None
                                  else dataclasses.asdict(td.config),
                                  **hardware_record(args.accelerator, args.devices),
                                  "notices": notices})
    write_json(out / "results.json", records)
    table = format_table(records, METRICS[td.task])
    write_text(out / "results.txt", table + "\n")
    for folder in earlier_logs:  # the earlier evaluations' CSV logs (logs/version_<k>)
        shutil.rmtree(folder, ignore_errors=True)
    print(table)
    # this evaluation's CSV log (Lightning's next logs/version_<k>), which the last
    # line names as it names the other files written, as the image commands end
    logs = [f"{p.parent.name}/{p.name}" for p in sorted((out / "logs").glob("version_*"))
            if p.is_dir() and p not in earlier_logs]
    log = f" and {', '.join(logs)} (the CSV log)" if logs else ""
    if td.task == "vad":
        print(f"\nwrote {out / 'results.json'}, results.txt (the table), scores.json and "
              f"scores.csv (each test "
              f"video's snippet and frame scores){log}")
        return 0
    # an earlier VAD evaluation's scores would sit beside this checkpoint's results
    stale = _earlier_scores(out / "scores.json")
    print(f"\nwrote {out / 'results.json'}, results.txt (the table){log}" + (
        " (and removed the earlier evaluation's scores.json and scores.csv: this checkpoint "
        "scores nodes)" if stale else ""))
    if stale:
        (out / "scores.json").unlink()
        (out / "scores.csv").unlink(missing_ok=True)
    return 0
