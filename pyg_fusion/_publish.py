"""Publishing a finished run's folder: :func:`staged_folder`, the folder a
run writes into, and :func:`publish_folder`, which moves its entries over the
last finished run's, each entry replaced so that a kill at any moment loses
neither (see :func:`_replace_entry`)."""
from __future__ import annotations

import contextlib
import os
import os.path as osp
from contextlib import contextmanager
from typing import Callable, Iterator, Sequence

from ._files import KEPT, _temp_name, made_folder, remove_stale_temps


def publish_folder(stage: str | os.PathLike, dst: str | os.PathLike,
                   remove: Sequence[str] = ()) -> None:
    """Moves what the finished run in the folder ``stage`` wrote into the
    folder ``dst``: each entry of ``stage`` replaces the entry of that name
    in ``dst`` (each by a rename; other entries of ``dst`` stay), then
    ``stage`` is removed. A run trains in ``stage``, so that an interrupted
    one leaves ``dst``, the last finished run, as it was.

    Args:
        stage (str or os.PathLike): the folder the finished run wrote.
        dst (str or os.PathLike): the folder it is published in.
        remove (Sequence[str], optional): names of entries of ``dst`` that
            ``stage`` lacks, removed too (each moved aside by a rename, then
            deleted): an earlier run's folders that this one does not write
            (:func:`~pyg_fusion.experiments._run_folders.stale_run_folders`).
            (default: :obj:`()`)
    """
    stage, dst = os.fspath(stage), os.fspath(dst)
    os.makedirs(dst, exist_ok=True)
    remove_stale_temps(dst)
    staged = sorted(os.listdir(stage))
    for name in staged:
        _replace_entry(osp.join(stage, name), osp.join(dst, name))
    for name in sorted(set(remove) - set(staged)):  # the earlier run's, not this one's
        if osp.lexists(osp.join(dst, name)):
            aside = _temp_name(dst, name)
            os.rename(osp.join(dst, name), aside)  # gone from dst in one step
            _discard(aside)
    os.rmdir(stage)


def _replace_entry(src: str, target: str) -> None:
    """Moves the entry ``src`` (a file or a folder) to ``target``, whose old
    entry is deleted. Where the OS swaps two names in one step (Linux's
    ``renameat2``), ``target`` is never missing and the old entry leaves
    through ``src``'s folder. Elsewhere the old entry is first set aside
    under a :data:`KEPT` temporary name: a kill before the new one is in
    leaves it there, and :func:`~pyg_fusion._files.remove_stale_temps` (the next write or run in
    that folder) puts it back."""
    if osp.lexists(target) and _exchange(src, target):
        _discard(src)
        return
    aside = None
    if osp.lexists(target):
        aside = _temp_name(osp.dirname(target), osp.basename(target), KEPT)
        os.rename(target, aside)
    try:
        os.rename(src, target)
    except BaseException:
        if aside is not None:  # the old entry goes back
            os.rename(aside, target)
        raise
    if aside is not None:
        _discard(aside)


def _exchange(a: str, b: str) -> bool:
    """Swaps the entries ``a`` and ``b`` in one step; ``False`` where the OS
    or the file system cannot (no ``renameat2``: macOS, Windows, old glibc;
    some network file systems)."""
    import ctypes
    import errno
    try:
        swap = ctypes.CDLL(None, use_errno=True).renameat2
    except (AttributeError, OSError, TypeError):  # TypeError: Windows has no CDLL(None)
        return False
    at_cwd, exchange = -100, 2  # AT_FDCWD, RENAME_EXCHANGE
    if swap(at_cwd, os.fsencode(a), at_cwd, os.fsencode(b), exchange) == 0:
        return True
    err = ctypes.get_errno()
    if err in (errno.EINVAL, errno.ENOSYS, errno.EOPNOTSUPP):
        return False
    raise OSError(err, os.strerror(err), a, None, b)


def _discard(path: str) -> None:
    """Deletes the entry that :func:`publish_folder` moved aside."""
    if osp.isdir(path) and not osp.islink(path):
        import shutil
        shutil.rmtree(path, ignore_errors=True)
    else:
        with contextlib.suppress(OSError):
            os.remove(path)


@contextmanager
def staged_folder(out_dir: str | os.PathLike, name: str = "run", *,
                  publish: Callable[[str, str], None] | None = None,
                  keep_failed: bool = True, resume: bool = False) -> Iterator[str]:
    """The folder ``<out_dir>/<name>.partial`` that a run writes into,
    moved into ``out_dir`` by :func:`publish_folder` once the body finished:
    an interrupted or failed run leaves ``out_dir`` (the last finished run's
    checkpoints beside its report) as it was, and its own files in the
    stage (a training run's last epoch), which the next run of ``name``
    removes first. With ``keep_failed=False`` (a prediction, an evaluation:
    nothing in the stage serves a rerun) a failed body's stage is removed, as
    :func:`~pyg_fusion._files.atomic_write` removes its temporary file; a kill,
    which no ``finally`` survives, leaves it to the next run. Either way the
    folders made for the stage are removed again when they are left empty.

    Args:
        out_dir (str or os.PathLike): the run's output folder.
        name (str, optional): the stage's name before ``.partial``. (default: :obj:`"run"`)
        publish (Callable, optional): ``publish(stage, out_dir)`` in place of
            :func:`publish_folder` (e.g. one that also removes an earlier run's files
            that this one does not write). (default: :obj:`None`)
        keep_failed (bool, optional): keep the stage of a failed body.
            (default: :obj:`True`)
        resume (bool, optional): keep the interrupted run's stage, which the body
            continues. (default: :obj:`False`)
    """
    import shutil
    stage = osp.join(os.fspath(out_dir), f"{name}.partial")
    if not resume:
        shutil.rmtree(stage, ignore_errors=True)  # an interrupted run's
    remove_stale_temps(os.fspath(out_dir))  # and the entries a killed publish set aside
    with made_folder(out_dir):
        os.makedirs(stage, exist_ok=resume)
        try:
            yield stage
            (publish or publish_folder)(stage, out_dir)
        except BaseException:
            if not keep_failed:
                shutil.rmtree(stage, ignore_errors=True)
            raise
