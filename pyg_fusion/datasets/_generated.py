"""What a dataset's generator writes into its folder (:class:`Generated`),
which tells its files from a user's, and how the folder is made ready for it
(:func:`regenerate_on_reload`); runs sharing the folder take turns
(:func:`~pyg_fusion.datasets._read_only.generation_turn`)."""
from __future__ import annotations

import dataclasses
import json
import os
import os.path as osp
import re
from typing import Callable

from ._cache_names import data_code_hash
from ._read_only import _denied


@dataclasses.dataclass(frozen=True)
class Generated:
    """What a dataset's generator writes into its folder, which tells its
    files from a user's.

    Args:
        what (str): the data, as a message names it (e.g. ``"the synthetic scenes"``).
        marker (str): the file it writes last, relative to the folder: a JSON
            object holding ``keys`` (and ``"code"``, :func:`data_code_hash`).
        keys (tuple[str, ...]): the keys of every marker it ever wrote.
        pattern (str): a regular expression that every path it writes,
            relative to the folder with ``/``, matches in full.
    """
    what: str
    marker: str
    keys: tuple[str, ...]
    pattern: str


def _foreign_files(folder: str, generated: Generated, limit: int = 3) -> list[str]:
    """Up to ``limit`` files under ``folder`` whose paths the generator never
    writes. Hidden files are left out: the generator writes none, so never
    replaces one, and its lock and :func:`atomic_write`'s temporary files are
    hidden."""
    foreign = []
    for parent, dirs, files in os.walk(folder):
        dirs[:] = sorted(d for d in dirs if not d.startswith("."))
        for name in sorted(files):
            rel = osp.relpath(osp.join(parent, name), folder).replace(os.sep, "/")
            if not name.startswith(".") and not re.fullmatch(generated.pattern, rel):
                foreign.append(rel)
                if len(foreign) == limit:
                    return foreign
    return foreign


def regenerate_on_reload(force_reload: bool, folder: str, generated: Generated,
                         argument: str, check: Callable | None = None) -> dict | None:
    """Makes ``folder`` ready for ``generated``'s generator: removes its
    marker with ``force_reload`` or when it records other code (or none: a
    marker written before the code was recorded); PyG then finds a raw file
    missing and the generator makes every file again (each replaced
    atomically), in the same folder. A run stopped part-way leaves no
    marker, so the next one generates again; a marker that cannot be read
    is removed too (a dataset may refuse it first, in ``check``).

    The generator writes only into a folder of its own: a folder without its
    marker (a user's folder given as its root, or a stopped run's) that holds
    a file it never writes, or a marker it did not write (e.g. a user's own
    ``meta.json``), is an error naming ``argument``, with or without
    ``force_reload``, and nothing in it is removed or replaced.

    Args:
        force_reload (bool): the dataset's ``force_reload``.
        folder (str): the folder the generator writes into.
        generated (Generated): what it writes there.
        argument (str): what gave the folder, as the error names it (e.g. ``"root"``).
        check (callable, optional): without ``force_reload``, called before
            anything else with the marker's path and what it holds (the JSON
            value read, or the exception of a marker that cannot be read),
            where there is one; it raises to refuse the folder (e.g. data of
            other options) before anything in it is removed. (default: :obj:`None`)

    Returns:
        dict | None: what the marker holds where it stays (the generator's,
        of this code), :obj:`None` where there is none or it was removed.
    """
    marker = osp.join(folder, generated.marker)
    written, damaged = None, None
    if osp.isfile(marker):
        try:
            with open(marker, encoding="utf-8") as f:
                written = json.load(f)
        except (OSError, UnicodeDecodeError, ValueError) as exc:
            damaged = exc
        if check is not None and not force_reload:
            check(marker, written if damaged is None else damaged)
    ours = isinstance(written, dict) and all(k in written for k in generated.keys)
    if not ours and osp.isdir(folder):
        foreign = _foreign_files(folder, generated, limit=4)
        foreign, more = foreign[:3], ", ..." if len(foreign) > 3 else ""
        if osp.isfile(marker) and damaged is None:
            foreign.insert(0, generated.marker)
        if foreign:
            raise ValueError(f"{argument} {folder} holds {', '.join(foreign)}{more}, which "
                             f"{generated.what} did not write: a folder of your own, never "
                             f"written into; give {generated.what} another {argument}")
    if not osp.isfile(marker):
        return None
    # a marker that cannot be read, among none but the generator's files,
    # tells no code: made again, as one of other code (it was kept, so that
    # data of any code were read as this code's until force_reload)
    if not (force_reload or damaged is not None or written.get("code") != data_code_hash()):
        return written
    remove_marker(folder, generated, argument, "force_reload" if force_reload
                  else f"{generated.marker} cannot be read" if damaged is not None
                  else "they were made by other code")
    return None


def remove_marker(folder: str, generated: Generated, argument: str, why: str) -> None:
    """Removes the marker of ``generated`` in ``folder``, before its data are
    generated again (``why``, as the error says it): a folder that cannot be
    written (a read-only copy) is an error naming ``argument`` (a bare
    PermissionError or OSError on the marker said neither why nor what to do)."""
    try:
        os.remove(osp.join(folder, generated.marker))
    except OSError as exc:
        if not _denied(exc):
            raise
        raise ValueError(f"{argument} {folder}: {generated.what} there are to be generated "
                         f"again ({why}), and it cannot be written (a read-only copy?): "
                         f"give {generated.what} a writable {argument}") from exc
