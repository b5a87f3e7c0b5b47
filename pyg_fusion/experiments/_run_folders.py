"""The folders that a run of :func:`~pyg_fusion.experiments.run.run_method`
names inside its own folder (and the report files of an image task's run),
and those of an earlier run there that a new run does not write: published
over the earlier run (:func:`~pyg_fusion._publish.publish_folder`), a run's
folder would otherwise hold the files of two runs (``restart2`` of a run of
three restarts beside the two of a run of two, ``init_*`` beside a run of one
start, an earlier evaluation's ``translation.png`` beside the report of one
that draws none). A run replaces or removes only what an earlier run of its
own command wrote (:func:`check_own_run`)."""
from __future__ import annotations

import os
import re
from contextlib import contextmanager
from typing import Iterator, Sequence

# init_<start>: the starts that init="auto" trains (run.STARTS, run._fit_starts);
# restart<r> and ensemble: the restarts and their ensemble (training.vad_fit.fit_vad)
RUN_FOLDERS = re.compile(r"init_(product|mean)|restart\d+|ensemble")
# the folders of a trained run (its Lightning checkpoints and CSV logs)
TRAINED = ("checkpoints", "logs")
# the entries that the runs of more than one command write: an image task's
# report (train's and evaluate's), its logs (and a graph run's), checkpoints
SHARED = TRAINED + ("metrics.json", "metrics.md", "predictions.png", "translation.png")


def stale_run_folders(stage: str | os.PathLike, folder: str | os.PathLike,
                      files: Sequence[str] = (), folders: Sequence[str] = (), *,
                      runs: bool = True) -> list[str]:
    """The folders of ``folder`` that a run names (:data:`RUN_FOLDERS` and
    ``folders``), and its files among ``files``, that the run finished in
    ``stage`` did not write, sorted: an earlier run's, which publishing
    ``stage`` into ``folder`` would leave beside the new run's. A user's
    other entries are never named.

    Args:
        stage (str or os.PathLike): the folder of the finished run.
        folder (str or os.PathLike): the folder it is published in.
        files (Sequence[str], optional): the files that a run of this kind
            writes there (an image task's report, a VAD run's scores.json).
            (default: :obj:`()`)
        folders (Sequence[str], optional): further folders that a run of this
            kind writes there (a graph run's ``logs``). (default: :obj:`()`)
        runs (bool, optional): name the folders of :data:`RUN_FOLDERS`, which
            a graph run writes; :obj:`False` for the image commands, which
            write none: a graph run's there is no earlier run of theirs.
            (default: :obj:`True`)
    """
    if not os.path.isdir(folder):
        return []
    written = set(os.listdir(stage))

    def stale(name: str) -> bool:
        path = os.path.join(folder, name)
        if name in written or os.path.islink(path):
            return False
        return ((runs and RUN_FOLDERS.fullmatch(name) is not None or name in folders)
                and os.path.isdir(path)
                or name in files and os.path.isfile(path))
    return sorted(filter(stale, os.listdir(folder)))


def check_out_entries(out_dir: str | os.PathLike, files: Sequence[str] = (),
                      folders: Sequence[str] = ()) -> None:
    """Refuses, before any work, an ``out_dir`` (``--out``) that holds a
    folder of the name of a file that a run writes there, or a file of the
    name of one of its folders: publishing the run (or writing its file)
    would replace a user's entry, a folder with everything inside it, or
    fail once the run finished. An entry of the right kind is an earlier
    run's, replaced as the run says (a link is replaced, never followed).

    Args:
        out_dir (str or os.PathLike): the run's output folder.
        files (Sequence[str], optional): the files the run writes there,
            paths relative to ``out_dir``. (default: :obj:`()`)
        folders (Sequence[str], optional): the folders it writes there.
            (default: :obj:`()`)
    """
    for name, folder in [(f, False) for f in files] + [(f, True) for f in folders]:
        path = os.path.join(out_dir, name)
        if os.path.islink(path) or not os.path.lexists(path) or os.path.isdir(path) == folder:
            continue
        kind = "a file" if folder else "a folder"
        raise ValueError(f"--out {os.fspath(out_dir)!r} holds {kind} {name!r}, where the run "
                         f"writes its {'folder' if folder else 'file'} of that name, which would "
                         f"replace it: move it, or give another --out")


def publish_run(stage: str | os.PathLike, folder: str | os.PathLike,
                files: Sequence[str] = (), folders: Sequence[str] = (), *,
                runs: bool = True) -> None:
    """Publishes the run finished in ``stage`` into its ``folder``
    (:func:`~pyg_fusion._publish.publish_folder`): each entry it wrote
    replaces the earlier run's of that name, and the earlier run's folders
    (and ``files``) that it does not write (:func:`stale_run_folders`) are
    removed, with a notice (:class:`~pyg_fusion.PygFusionNotice`) naming them.

    Args:
        stage (str or os.PathLike): the folder of the finished run.
        folder (str or os.PathLike): the run's folder.
        files (Sequence[str], optional): the files that a run of this kind
            writes there. (default: :obj:`()`)
        folders (Sequence[str], optional): further folders that a run of this
            kind writes there (:func:`stale_run_folders`). (default: :obj:`()`)
        runs (bool, optional): remove the graph run's folders of
            :data:`RUN_FOLDERS` too (:func:`stale_run_folders`). (default: :obj:`True`)
    """
    from .._publish import publish_folder
    from .._notices import notice
    stale = stale_run_folders(stage, folder, files, folders, runs=runs)
    if stale:
        notice(f"{folder} holds an earlier run: this run does not write its "
               f"{', '.join(stale)}: removed, so that the folder holds this run's files only")
    publish_folder(stage, folder, remove=stale)


def _report(out_dir: str | os.PathLike) -> dict | None:
    """``out_dir/metrics.json`` where it is an image task's report (a dict
    with its ``split``), else :obj:`None`."""
    import json
    try:
        with open(os.path.join(out_dir, "metrics.json"), encoding="utf-8") as f:
            report = json.load(f)
    except (OSError, ValueError):
        return None
    return report if isinstance(report, dict) and "split" in report else None


def report_command(out_dir: str | os.PathLike) -> str | None:
    """``"train"`` or ``"evaluate"``: the image command whose report
    ``out_dir/metrics.json`` is (an evaluation's names its checkpoint), or
    :obj:`None` where it is no report."""
    report = _report(out_dir)
    if report is None:
        return None
    config = report.get("config")
    evaluated = "checkpoint" in report or isinstance(config, dict) and "checkpoint" in config
    return "evaluate" if evaluated else "train"


# what only each image task's report holds (segment_run, translate_run)
_REPORT_KEYS = {"segment": "variant", "translate": "generator_parameters"}


def _logged_by(out_dir: str | os.PathLike) -> str | None:
    """``"graph"``, ``"segment"`` or ``"translate"``: whose module the
    trained run in ``out_dir`` logged, told by the top-level keys of its
    hyper-parameters (Lightning's ``logs/version_<k>/hparams.yaml``): an
    image task's module's (:func:`~pyg_fusion._loading.image_task`) or a
    graph task's ``config``; :obj:`None` where no log tells."""
    import glob
    from .._loading import image_task
    pattern = os.path.join(glob.escape(os.fspath(out_dir)), "logs", "version_*", "hparams.yaml")
    for path in sorted(glob.glob(pattern)):
        try:  # its top-level keys, read by line, not parsed: a value that yaml's
            # safe loader refuses (a tagged object a user's module logged) still tells
            with open(path, encoding="utf-8") as f:
                keys = dict.fromkeys(re.findall(r"^(\w+):", f.read(), re.M))
        except (OSError, UnicodeDecodeError):
            continue
        task = image_task(keys)
        if task is not None or "config" in keys:
            return task or "graph"
    return None


def _earlier_run(out_dir: str | os.PathLike) -> tuple[str, str | None, str] | None:
    """The command of the earlier run in ``out_dir``, its image task where
    that is known, and its entry that says so: ``"graph"`` (a run folder of
    train, compare or sweep, or a graph evaluate's ``--out``: its run
    folders or records, or the logs of its module), an image task's
    ``"train"`` (its report, or its logs or checkpoints) or ``"evaluate"``;
    :obj:`None` where none is there."""
    names = sorted(os.listdir(out_dir)) if os.path.isdir(out_dir) else []
    for name in names:
        path = os.path.join(out_dir, name)
        if RUN_FOLDERS.fullmatch(name) and os.path.isdir(path) or \
                name in ("scores.json", "results.json") and os.path.isfile(path):
            return "graph", None, (f"folder {name}" if name not in ("scores.json", "results.json")
                                   else name)
    report = _report(out_dir)
    if report is not None:
        task = next((t for t, key in _REPORT_KEYS.items() if key in report), None)
        return report_command(out_dir), task, "report (metrics.json)"
    trained = [n for n in TRAINED if os.path.isdir(os.path.join(out_dir, n))]
    by = _logged_by(out_dir) if trained else None
    if by == "graph":
        return "graph", None, f"folder {trained[0]}"
    if by is not None or "checkpoints" in trained:  # logs alone, telling nothing: a user's
        return "train", by, f"folder {trained[0]}"
    return None


def check_own_run(out_dir: str | os.PathLike, command: str, files: Sequence[str] = (),
                  folders: Sequence[str] = (), *, task: str | None = None) -> None:
    """Refuses, before any work, an ``out_dir`` (``--out``) whose entries of
    the names a run of ``command`` writes are another command's (of those
    that several write, :data:`SHARED`): an image run replaces only what an
    earlier run of its own command and task wrote, e.g. ``train`` never an
    evaluation's report, ``evaluate`` never a training run's logs or a graph
    run's, ``segment train`` never a ``translate train`` run's. Entries of
    the wrong kind are refused too (:func:`check_out_entries`).

    Args:
        out_dir (str or os.PathLike): the run's output folder.
        command (str): ``"train"``, ``"evaluate"`` or ``"predict"``.
        files (Sequence[str], optional): the files the run writes there.
            (default: :obj:`()`)
        folders (Sequence[str], optional): the folders it writes there.
            (default: :obj:`()`)
        task (str, optional): the image task of the run, ``"segment"`` or
            ``"translate"``; :obj:`None`: any. (default: :obj:`None`)
    """
    check_out_entries(out_dir, files, folders)
    earlier = _earlier_run(out_dir)
    if earlier is None:
        return
    kind, by, entry = earlier
    if kind == command and (by is None or task is None or by == task):
        return
    replaced = [n for n in (*files, *folders)
                if n in SHARED and os.path.lexists(os.path.join(out_dir, n))]
    if replaced:
        task_s = f"{by} " if by is not None else ""
        what = {"graph": "a graph run's", "train": f"a {task_s}training run's",
                "evaluate": f"{'an' if by is None else 'a'} {task_s}evaluation's"}[kind]
        raise ValueError(f"--out {os.fspath(out_dir)!r} holds {what} {entry}: "
                         f"{command} would replace its {', '.join(sorted(replaced))}; give "
                         f"another --out")


@contextmanager
def staged_run(out_dir: str | os.PathLike, name: str, files: Sequence[str],
               folders: Sequence[str] = (), *, keep_failed: bool = True,
               resume: bool = False, task: str | None = None) -> Iterator[str]:
    """:func:`~pyg_fusion._publish.staged_folder` of an image task's run, whose
    report ``files`` of an earlier run in ``out_dir`` are removed when this
    run does not write them (:func:`publish_run`): e.g. the figure of an
    earlier evaluation beside the report of one that draws none. Only an
    earlier run of the same command is replaced (:func:`check_own_run`); a
    graph run's folders are never removed. A notice says first that
    ``out_dir`` holds an earlier run's report, as the graph commands say of a
    used ``--out``.

    Args:
        out_dir (str or os.PathLike): the run's output folder.
        name (str): the command, ``"train"``, ``"evaluate"`` or ``"predict"``:
            the stage's name before ``.partial``.
        files (Sequence[str]): the report files a run of this kind writes.
        folders (Sequence[str], optional): the folders it writes there.
            (default: :obj:`()`)
        keep_failed (bool, optional): keep a failed run's stage (a training run's last
            epoch); :obj:`False` for an evaluation. (default: :obj:`True`)
        resume (bool, optional): keep the interrupted run's stage
            (:mod:`._image_resume`). (default: :obj:`False`)
        task (str, optional): the image task of the run (:func:`check_own_run`).
            (default: :obj:`None`)
    """
    from .._publish import staged_folder
    from .._notices import notice
    check_own_run(out_dir, name, files, folders, task=task)
    earlier = [f for f in files if os.path.isfile(os.path.join(out_dir, f))]
    if earlier:
        notice(f"{out_dir} holds an earlier run ({', '.join(earlier)}): this run's files "
               f"replace those of its own names once this run finishes")
    with staged_folder(out_dir, name, publish=lambda stage, dst: publish_run(
            stage, dst, files, runs=False), keep_failed=keep_failed, resume=resume) as stage:
        yield stage
