"""Writing files: the one atomic-write path of the package (its one safe
loader of checkpoints and caches is :mod:`pyg_fusion._loading`).

Every file pyg_fusion writes (dataset caches, results, figures, metrics) goes
through :func:`atomic_write`: the bytes go to a temporary file in the target's
folder, which is moved into place with :func:`os.replace` only once complete,
so a reader never sees a truncated file. The temporary file is removed when
the write fails; after a kill (which no ``finally`` survives) its name,
``.<name>.<machine>.<pid>.<token>.pyg-fusion-tmp``, lets the next write into
that folder recognise it as an orphan and remove it: written on this machine
(``<machine>``: a tag of the host, its boot and its process namespace) by a
process that is gone. A temporary file of another machine sharing the folder
(a network file system, another container) is left alone, unless it is older
than :data:`FOREIGN_TEMP_AGE_S`. An entry that
:func:`~pyg_fusion._publish.publish_folder` set aside (its token starts with
:data:`KEPT`) is an earlier result, not a partial write: left by a kill, it
goes back under its name when nothing took its place, and is removed
otherwise. Files are created with mode ``0o666`` minus the umask, as ``open`` would, not the
``0o600`` of :func:`tempfile.mkstemp`.
"""
from __future__ import annotations

import contextlib
import json
import math
import os
import os.path as osp
import secrets
from contextlib import contextmanager
from typing import Any, Callable, Iterator

TMP_SUFFIX = ".pyg-fusion-tmp"
# The token's start in the temporary name of a finished entry set aside to be
# replaced: a kill before its replacement came in must not lose it.
KEPT = "kept"
# A temporary file whose writer runs elsewhere cannot be checked for life:
# removed only when older than any write could take.
FOREIGN_TEMP_AGE_S = 24 * 3600
_MACHINE: list[str] = []


def _machine() -> str:
    """A tag of where this process's PIDs mean something: the host name, its
    boot and (on Linux) the PID namespace; ``"m"`` + 10 hex digits."""
    if not _MACHINE:
        import hashlib
        import socket
        parts = [socket.gethostname()]
        with contextlib.suppress(OSError), open("/proc/sys/kernel/random/boot_id") as f:
            parts.append(f.read().strip())
        with contextlib.suppress(OSError):
            parts.append(str(os.stat("/proc/self/ns/pid").st_ino))
        _MACHINE.append("m" + hashlib.sha1("|".join(parts).encode()).hexdigest()[:10])
    return _MACHINE[0]


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except (PermissionError, OverflowError, ValueError):
        return True
    return True


def remove_stale_temps(folder: str) -> list[str]:
    """Removes the temporary files of :func:`atomic_write` in ``folder`` whose
    writing process no longer runs (left by a kill); returns their paths."""
    removed = []
    try:
        names = os.listdir(folder)
    except OSError:
        return removed
    import time
    for name in names:
        if not (name.startswith(".") and name.endswith(TMP_SUFFIX)):
            continue
        parts = name[:-len(TMP_SUFFIX)].split(".")
        path = osp.join(folder, name)
        if len(parts) >= 4 and parts[-3] == _machine():
            try:
                pid = int(parts[-2])
            except ValueError:
                continue
            if pid == os.getpid() or _alive(pid):
                continue
        else:  # written elsewhere (or by a version without the tag)
            try:
                if time.time() - os.stat(path).st_mtime < FOREIGN_TEMP_AGE_S:
                    continue
            except OSError:
                continue
        with contextlib.suppress(OSError):
            original = osp.join(folder, ".".join(parts[:-3])[1:])
            if len(parts) >= 5 and parts[-1].startswith(KEPT) and not osp.lexists(original):
                os.rename(path, original)  # publish_folder killed between its two renames
                continue
            if osp.isdir(path) and not osp.islink(path):  # a folder publish_folder set aside
                import shutil
                shutil.rmtree(path)
            else:
                os.remove(path)
            removed.append(path)
    return removed


def _temp_name(folder: str, name: str, token: str = "") -> str:
    return osp.join(folder, f".{name}.{_machine()}.{os.getpid()}.{token}"
                            f"{secrets.token_hex(4)}{TMP_SUFFIX}")


def existing_ancestor(path: str | os.PathLike) -> str:
    """The nearest folder above ``path`` (or file in its place) that exists:
    where creating ``path``'s folders starts."""
    parent = osp.dirname(osp.abspath(os.fspath(path)))
    while not osp.exists(parent) and osp.dirname(parent) != parent:
        parent = osp.dirname(parent)
    return parent


@contextmanager
def atomic_write(path: str | os.PathLike, mode: str = "wb") -> Iterator[Any]:
    """Opens a temporary file beside ``path`` (``mode`` ``"wb"`` or ``"w"``);
    on success it replaces ``path``, on any error it is removed. Text is
    UTF-8 whatever the locale (``LC_ALL=C`` would make it ASCII, and a
    table's ``±`` an error)."""
    path = os.fspath(path)
    folder = osp.dirname(osp.abspath(path))
    parent = existing_ancestor(path)
    if not osp.isdir(parent):
        raise NotADirectoryError(f"cannot write {path}: {parent} is a file, not a folder")
    try:
        os.makedirs(folder, exist_ok=True)
    except OSError as exc:  # named by the folder that could not be made
        raise type(exc)(exc.errno, exc.strerror, exc.filename or folder) from None
    if osp.isdir(path):
        raise IsADirectoryError(f"{path} is a folder, expected a file path")
    remove_stale_temps(folder)
    tmp = _temp_name(folder, osp.basename(path))
    try:
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666)
    except OSError as exc:  # named by the file asked for, not the temporary one
        raise type(exc)(exc.errno, exc.strerror, path) from None
    try:
        with os.fdopen(fd, mode, encoding=None if "b" in mode else "utf-8") as f:
            yield f
        os.replace(tmp, path)
    except BaseException as exc:
        with contextlib.suppress(OSError):
            os.remove(tmp)
        unnamed = _unnamed_os_error(exc)
        if unnamed is not None:  # a full disk: writes name no file (torch's, no error)
            raise OSError(unnamed.errno, unnamed.strerror, path) from exc
        raise


def _unnamed_os_error(exc: BaseException) -> OSError | None:
    """The :class:`OSError` of a failed write that names no file
    (``f.write`` on a full disk), itself or under the ``RuntimeError`` of
    torch's zip writer, which ``torch.save`` raises instead."""
    if isinstance(exc, RuntimeError):
        exc = exc.__cause__ or exc.__context__
    if isinstance(exc, OSError) and exc.filename is None and exc.errno is not None:
        return exc
    return None


class FolderInUse(OSError):
    """Another process holds the folder's :func:`folder_lock`."""


@contextmanager
def folder_lock(folder: str | os.PathLike, what: str = "folder", *, wait: bool = False,
                name: str = ".pyg-fusion.lock") -> Iterator[None]:
    """Holds ``folder/<name>`` while a command writes into ``folder``: a
    second process asking for it meanwhile gets a :class:`FolderInUse`
    naming ``what`` (two runs writing into one folder at once mix their
    files), or with ``wait`` waits until it is free (a data folder that runs
    share, each writing and reading it in turn). The lock (``fcntl.flock``)
    goes with its process, so a killed run holds none; without ``fcntl``
    (Windows) or on a file system without locks nothing is locked. The
    folders made for the lock are removed again when the body fails and
    leaves them empty (a refused run leaves no output folder). Locks of
    other ``name`` are independent (one process may hold both)."""
    folder = os.fspath(folder)
    try:
        import fcntl
    except ImportError:  # pragma: no cover - Windows
        fcntl = None
    with made_folder(folder):
        yield from _locked(folder, what, wait, name, fcntl)


def _locked(folder: str, what: str, wait: bool, name: str, fcntl) -> Iterator[None]:
    path = osp.join(folder, name)
    fd, held = None, False
    try:
        while fcntl is not None:
            try:
                fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o666)
            except OSError as exc:  # a folder that cannot be written: named as such
                raise type(exc)(exc.errno, exc.strerror, folder) from None
            try:
                fcntl.flock(fd, fcntl.LOCK_EX if wait else fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                os.close(fd)
                fd = None
                raise FolderInUse(f"{what} {folder} is in use by another pyg-fusion run; "
                                  f"wait for it to finish or choose another folder") from None
            except OSError:  # a file system without locks (some network ones)
                os.close(fd)
                fd = None
                break
            try:  # the holder before may have removed the file we locked: lock anew
                if os.stat(path).st_ino == os.fstat(fd).st_ino:
                    held = True
                    break
            except FileNotFoundError:
                pass
            os.close(fd)
            fd = None
        yield
    finally:
        if fd is not None:
            if held:  # a wait that was interrupted removes nobody's lock file
                with contextlib.suppress(OSError):
                    os.remove(path)
            os.close(fd)


@contextmanager
def made_folder(folder: str | os.PathLike,
                unmade_ok: Callable[[OSError], bool] | None = None) -> Iterator[None]:
    """Makes ``folder`` and the missing folders above it for the body; those
    it made are removed again when the body fails and leaves them empty (a
    refused or interrupted command leaves no output folder). Where
    ``unmade_ok(error)`` says so, the body runs even though the folder could
    not be made (a dataset's read-only root: its download names the files
    that are missing)."""
    made, parent = [], osp.abspath(os.fspath(folder))
    while not osp.exists(parent):
        made.append(parent)
        parent = osp.dirname(parent)
    try:
        try:
            os.makedirs(folder, exist_ok=True)
        except OSError as exc:
            if unmade_ok is None or not unmade_ok(exc):
                raise
        yield
    except BaseException:
        for d in made:
            with contextlib.suppress(OSError):  # not empty (or never made): kept
                os.rmdir(d)
        raise


def write_text(path: str | os.PathLike, text: str) -> None:
    with atomic_write(path, "w") as f:
        f.write(text)


def write_json(path: str | os.PathLike, obj, **kwargs) -> None:
    """JSON written atomically (``indent=1`` unless given), strict: a NaN or
    infinite float (a diverged seed's metric, a loss never recorded) is
    written as ``null``, its meaning in JSON, which has no NaN or Infinity
    (Python's ``json`` wrote the bare words, which browsers, Node and other
    languages refuse, and ``jq`` read ``Infinity`` as ``1.8e308``). The run's
    numbers are all written: the readers of pyg_fusion's records read a
    ``null`` number as NaN."""
    kwargs.setdefault("indent", 1)
    # allow_nan=False: whatever _finite does not reach (a default= encoder's
    # output) is refused before the file is replaced, not written invalid.
    # dumps, not dump: dump always runs json's pure-Python encoder, one write
    # per token; dumps uses the C encoder where it can (indent=None: a VAD
    # run's scores.json took 8% of a short compare's CPU time), same text
    text = json.dumps(_finite(obj), allow_nan=False, **kwargs)
    with atomic_write(path, "w") as f:
        f.write(text)


def read_json(path: str | os.PathLike, name: str | None = None):
    """The JSON of the file ``path``, read as UTF-8 whatever the locale. A
    path that holds no JSON is the user's error, named as one: ``name`` (the
    argument or flag that gave the path, when given), the path and what is
    wrong, as :class:`FileNotFoundError`, :class:`IsADirectoryError` or
    :class:`ValueError` (an empty path, not JSON); other errors of the file
    system (no permission) as they come."""
    said = f"{name}: " if name else ""
    if not os.fspath(path).strip():  # "" is the current folder to open(): "is a folder"
        raise ValueError(f"{f'{name} is' if name else 'got'} an empty path ({path!r}): "
                         f"expected the path of a JSON file")
    shown = repr(os.fspath(path))
    if osp.isdir(path):  # "no such file" sent the user looking for a missing path
        raise IsADirectoryError(f"{said}{shown} is a folder; expected the path of a JSON file")
    try:
        with open(path, encoding="utf-8") as f:
            return json.load(f)
    except FileNotFoundError:
        raise FileNotFoundError(f"{said}no such file: {shown}") from None
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise ValueError(f"{said}{shown} is not valid JSON: {exc}") from exc


def nan_for_null(value):
    """A number read back from a file of :func:`write_json`: ``null`` (a NaN
    or infinite value, as written) is NaN, anything else as it is."""
    return float("nan") if value is None else value


def _finite(obj):
    """``obj`` with every non-finite float (in dicts, lists, tuples) as :obj:`None`."""
    if isinstance(obj, float):
        return obj if math.isfinite(obj) else None
    if isinstance(obj, dict):
        return {k: _finite(v) for k, v in obj.items()}
    if isinstance(obj, (list, tuple)):
        return [_finite(v) for v in obj]
    return obj


def save_torch(obj, path: str | os.PathLike) -> None:
    import torch
    with atomic_write(path) as f:
        torch.save(obj, f)


# The figure files that save_figure writes (a path of visualize without a
# suffix becomes a PNG)
FORMATS = (".png", ".pdf", ".svg")


def save_figure(fig, path: str | os.PathLike, *, dpi: int = 110, format: str = "png") -> None:
    """A matplotlib figure as PNG (or ``format``: ``"pdf"``, ``"svg"``),
    written atomically, at ``dpi`` unless the user's
    ``rcParams["savefig.dpi"]`` is a number: every figure the package saves
    keeps a researcher's setting (300 for print, in their matplotlibrc or a
    style); matplotlib's default, ``"figure"``, is none of theirs."""
    import matplotlib as mpl
    theirs = mpl.rcParams["savefig.dpi"]
    with atomic_write(path) as f:
        fig.savefig(f, format=format, dpi=dpi if theirs == "figure" else theirs)
