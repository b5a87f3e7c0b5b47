"""The folders that a run of :func:`~pyg_fusion.experiments.run.run_method`
names inside its own folder (and the report files of an image task's run),
and those of an earlier run there that a new run does not write: published
over the earlier run (:func:`~pyg_fusion._publish.publish_folder`), a run's
folder would otherwise hold the files of two runs (``restart2`` of a run of
three restarts beside the two of a run of two, ``init_*`` beside a run of one
start, an earlier evaluation's ``translation.png`` beside the report of one
that draws none)."""
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


def stale_run_folders(stage: str | os.PathLike, folder: str | os.PathLike,
                      files: Sequence[str] = (), folders: Sequence[str] = ()) -> list[str]:
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
    """
    if not os.path.isdir(folder):
        return []
    written = set(os.listdir(stage))

    def stale(name: str) -> bool:
        path = os.path.join(folder, name)
        if name in written or os.path.islink(path):
            return False
        return ((RUN_FOLDERS.fullmatch(name) is not None or name in folders)
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
                files: Sequence[str] = (), folders: Sequence[str] = ()) -> None:
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
    """
    from .._publish import publish_folder
    from .._notices import notice
    stale = stale_run_folders(stage, folder, files, folders)
    if stale:
        notice(f"{folder} holds an earlier run: this run does not write its "
               f"{', '.join(stale)}: removed, so that the folder holds this run's files only")
    publish_folder(stage, folder, remove=stale)


@contextmanager
def staged_run(out_dir: str | os.PathLike, name: str, files: Sequence[str], *,
               keep_failed: bool = True, resume: bool = False) -> Iterator[str]:
    """:func:`~pyg_fusion._publish.staged_folder` of an image task's run, whose
    report ``files`` of an earlier run in ``out_dir`` are removed when this
    run does not write them (:func:`publish_run`): e.g. the figure of an
    earlier evaluation beside the report of one that draws none. A notice
    says first that ``out_dir`` holds an earlier run's report, as the graph
    commands say of a used ``--out``.

    Args:
        out_dir (str or os.PathLike): the run's output folder.
        name (str): the stage's name before ``.partial``.
        files (Sequence[str]): the report files a run of this kind writes.
        keep_failed (bool, optional): keep a failed run's stage (a training run's last
            epoch); :obj:`False` for an evaluation. (default: :obj:`True`)
        resume (bool, optional): keep the interrupted run's stage
            (:mod:`._image_resume`). (default: :obj:`False`)
    """
    from .._publish import staged_folder
    from .._notices import notice
    earlier = [f for f in files if os.path.isfile(os.path.join(out_dir, f))]
    if earlier:
        notice(f"{out_dir} holds an earlier run ({', '.join(earlier)}): this run's files "
               f"replace those of its own names once this run finishes")
    with staged_folder(out_dir, name, publish=lambda stage, dst: publish_run(
            stage, dst, files), keep_failed=keep_failed, resume=resume) as stage:
        yield stage
