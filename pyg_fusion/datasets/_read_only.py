"""Folders that cannot be written (a read-only copy or mount, permissions):
the errors that say so, and the turn of one process to generate data in a
folder (:func:`generation_turn`), which reads a read-only folder as it is."""
from __future__ import annotations

import contextlib
import errno

from .._files import folder_lock


# The errors of a write into a folder that cannot be written: a read-only
# copy or mount (EROFS, which root gets too) or permissions. Found by trying
# the write: os.access answers from the mode bits alone, so it refused a
# folder that ACLs or a network file system let this process write, and
# allowed root a read-only one
_DENIED = (errno.EACCES, errno.EPERM, errno.EROFS)


def _denied(exc: OSError) -> bool:
    return exc.errno in _DENIED


@contextlib.contextmanager
def generation_turn(folder: str, argument: str):
    """The turn of one process to check, generate and read ``folder``: runs
    sharing it (of other options, e.g. one ``folder`` given to two runs at
    once) take turns (a lock file in it), so that none writes its files among
    another's. A folder that cannot be written (a read-only copy) cannot
    change: no turn; the data it holds are read, and a write there (no data
    yet: an empty read-only root) is an error naming ``argument``, as the
    other writes refused in a read-only copy are (a bare OSError named only
    the file)."""
    with contextlib.ExitStack() as turn:
        try:
            turn.enter_context(folder_lock(folder, argument, wait=True,
                                           name=".pyg-fusion-data.lock"))
        except OSError as exc:
            if not _denied(exc):
                raise
            read_only = True
        else:
            read_only = False
        try:
            yield
        except OSError as exc:
            if not (read_only and _denied(exc)):
                raise
            raise ValueError(f"{argument} {folder}: the data are to be generated there, and "
                             f"it cannot be written (a read-only copy?; {exc.strerror}: "
                             f"{exc.filename}): give a writable {argument}") from exc
