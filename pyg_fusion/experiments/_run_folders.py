"""The folders that a run of :func:`~pyg_fusion.experiments.run.run_method`
names inside its own folder, and those of an earlier run there that a new
run does not write: published over the earlier run
(:func:`~pyg_fusion._files.publish_folder`), a run's folder would otherwise
hold the files of two runs (``restart2`` of a run of three restarts beside
the two of a run of two, ``init_*`` beside a run of one start)."""
from __future__ import annotations

import os
import re

# init_<start>: the starts that init="auto" trains (run.STARTS, run._fit_starts);
# restart<r> and ensemble: the restarts and their ensemble (training.vad_fit.fit_vad)
RUN_FOLDERS = re.compile(r"init_(product|mean)|restart\d+|ensemble")


def stale_run_folders(stage: str | os.PathLike, folder: str | os.PathLike) -> list[str]:
    """The folders of ``folder`` that a run names (:data:`RUN_FOLDERS`) and
    that the run finished in ``stage`` did not write, sorted: an earlier
    run's, which publishing ``stage`` into ``folder`` would leave beside the
    new run's. A user's other entries are never named.

    Args:
        stage (str or os.PathLike): the folder of the finished run.
        folder (str or os.PathLike): the folder it is published in.
    """
    if not os.path.isdir(folder):
        return []
    written = set(os.listdir(stage))
    return sorted(name for name in os.listdir(folder)
                  if RUN_FOLDERS.fullmatch(name) and name not in written
                  and os.path.isdir(os.path.join(folder, name))
                  and not os.path.islink(os.path.join(folder, name)))


def publish_run(stage: str | os.PathLike, folder: str | os.PathLike) -> None:
    """Publishes the run finished in ``stage`` into its ``folder``
    (:func:`~pyg_fusion._files.publish_folder`): each entry it wrote
    replaces the earlier run's of that name, and the earlier run's folders
    that it does not write (:func:`stale_run_folders`) are removed, with a
    notice (:class:`~pyg_fusion.PygFusionNotice`) naming them.

    Args:
        stage (str or os.PathLike): the folder of the finished run.
        folder (str or os.PathLike): the run's folder.
    """
    from .._files import publish_folder
    from .._notices import notice
    stale = stale_run_folders(stage, folder)
    if stale:
        notice(f"{folder} holds an earlier run: this run does not write its "
               f"{', '.join(stale)}: removed, so that the folder holds this run's files only")
    publish_folder(stage, folder, remove=stale)
