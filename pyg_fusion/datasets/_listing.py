"""One listing of a feature folder, matched by the pattern of each video:
``glob.glob`` listed the whole folder once per video (a list line, a load),
quadratic in a UCF-Crime-sized set (1,900 videos, ten crop files each)."""
from __future__ import annotations

import bisect
import fnmatch
import glob
import os
import os.path as osp
import re


def glob_pattern(pattern: str, **values) -> str:
    """A source pattern as a glob expression: its text escaped (folders and
    video names may hold ``[``, ``]``, ``*`` or ``?``, which glob would read
    as wildcards and then miss the files), ``{name}`` / ``{crop}`` replaced by
    the escaped value given, or by ``*``."""
    out = []
    for part in re.split(r"(\{name\}|\{crop\})", pattern):
        if part in ("{name}", "{crop}"):
            value = values.get(part[1:-1])
            out.append("*" if value is None else glob.escape(str(value)))
        else:
            out.append(glob.escape(part))
    return "".join(out)


def _literal_prefix(pattern: str, **values) -> str:
    """The text of a source pattern before its first ``*`` (:func:`glob_pattern`)."""
    out = []
    for part in re.split(r"(\{name\}|\{crop\})", pattern):
        if part in ("{name}", "{crop}"):
            part = values.get(part[1:-1])
            if part is None:
                break
        out.append(str(part))
    return "".join(out)


class FolderListings:
    """The entries of each folder, listed once, and the files a source pattern
    finds there: what ``glob.glob(osp.join(glob.escape(base), pattern))``
    finds, hidden files left out as glob leaves them, in the order glob uses
    (none)."""

    def __init__(self):
        self._folders: dict[str, tuple[list[str], list[str]]] = {}

    def _listing(self, folder: str) -> tuple[list[str], list[str]]:
        if folder not in self._folders:
            try:
                names = os.listdir(folder)
            except OSError:  # no such folder: glob finds nothing there either
                names = []
            # sorted as the file system compares names (case-blind on Windows)
            entries = sorted((osp.normcase(n), n) for n in names)
            self._folders[folder] = ([k for k, _ in entries], [n for _, n in entries])
        return self._folders[folder]

    def files(self, base: str, pattern: str, **values) -> list[str]:
        """The paths under ``base`` that the source ``pattern`` (with
        ``values`` of ``name`` / ``crop``, the rest any text) finds."""
        folder, leaf = osp.split(pattern)
        if "{name}" in folder or "{crop}" in folder:  # glob walks such folders
            return glob.glob(osp.join(glob.escape(base), glob_pattern(pattern, **values)))
        expr, prefix = glob_pattern(leaf, **values), _literal_prefix(leaf, **values)
        keys, names = self._listing(osp.join(base, folder))
        key = osp.normcase(prefix)
        out = []
        for i in range(bisect.bisect_left(keys, key), len(keys)):
            if not keys[i].startswith(key):
                break
            if (expr.startswith(".") or not names[i].startswith(".")) \
                    and fnmatch.fnmatch(names[i], expr):
                out.append(osp.join(base, folder, names[i]))
        return out
