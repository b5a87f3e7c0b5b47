"""The names of the datasets' processed caches and generated folders: a hash
of the options, of the input files (their size and time, and their contents
when small) and of the code that makes the data (:data:`DATA_CODE`), and the
removal of the caches that a new one replaces."""
from __future__ import annotations

import contextlib
import functools
import glob
import hashlib
import json
import os
import os.path as osp
import re
from typing import Any, Sequence

from .._notices import notice


# The code that makes what a processed file holds and what a generator
# writes, as globs under the package folder: the datasets' readers, checks,
# features and generators (datasets/), the data class they store (data.py, with
# its checks in _data_checks.py, its source keys in _source_keys.py and its
# subgraph in _data_subgraph.py), how the files are written and read
# (_files.py, _loading.py), and the library's
# transforms with the ops they call (transforms.py, functional/, _scatter.py: a
# pre_transform such as RelationGraphs stores graphs that functional computes)
# and the rules those check their options with (_option_rules.py,
# _lego_rules.py). The package's version never changes, so the bytes of these
# files are what tell the data of one release (or checkout) from another's; a
# hash of them, not a hand-bumped constant, so that no edit can forget it. The
# modules that only use the data (nn, methods, training, experiments, cli,
# visualize) are left out: an edit there re-processes nothing. Every module
# these import from the package is among them (tests/test_data_code.py).
DATA_CODE = ("datasets/*.py", "data.py", "_data_checks.py", "_data_subgraph.py",
             "_source_keys.py", "_files.py", "_loading.py", "_notices.py", "transforms.py",
             "functional/*.py", "_scatter.py", "_option_rules.py", "_lego_rules.py")
_PACKAGE = osp.dirname(osp.dirname(osp.abspath(__file__)))


def data_code_hash() -> str:
    """A short hash of the source files of the modules that make processed
    and generated data (:data:`DATA_CODE`), read once per process: the same
    code names the same caches run after run, and changed code makes new
    ones (and generates its data again) with no step to remember."""
    return _code_hash(_PACKAGE)


@functools.lru_cache(maxsize=None)
def _code_hash(package: str) -> str:
    digest = hashlib.sha1()
    for pattern in DATA_CODE:
        # a package installed without its sources (.pyc only) is hashed by those
        for path in sorted(glob.glob(osp.join(glob.escape(package), pattern))
                           + glob.glob(osp.join(glob.escape(package), pattern + "c"))):
            with open(path, "rb") as f:
                text = f.read()
            name = osp.relpath(path, package).replace(os.sep, "/")
            digest.update(f"{name}:{len(text)}:".encode() + text)
    return digest.hexdigest()[:10]


# inputs this small in all are stamped by their contents too: an edit that
# keeps a file's size and time (a filesystem of 1 s or 2 s timestamps, ext3's
# or FAT's, an edit in the same tick, cp -p) loaded the old cache. Hashing
# 4 MiB takes ~10 ms a load; feature folders of videos stay stamped by size
# and time alone
_CONTENT_STAMPED = 4 << 20


def options_hash(options: Any, files: Sequence[str] = ()) -> str:
    """A short stable hash of JSON-able ``options`` and of the size and
    modification time of ``files`` (so that edited raw files re-process),
    and of their contents where they hold at most 4 MiB in all."""
    stamp = []
    for f in files:
        st = os.stat(f) if osp.exists(f) else None
        stamp.append([osp.abspath(f), st.st_size if st else None,
                      st.st_mtime_ns if st else None])
    if files and sum(s[1] or 0 for s in stamp) <= _CONTENT_STAMPED:
        for entry in stamp:
            # one that cannot be read fails in process, with its own message
            with contextlib.suppress(OSError), open(entry[0], "rb") as fh:
                entry.append(hashlib.sha1(fh.read()).hexdigest())
    text = json.dumps([options, stamp], sort_keys=True, default=str)
    return hashlib.sha1(text.encode()).hexdigest()[:10]


def remove_replaced(path: str) -> None:
    """Removes the caches that ``path``, just written, replaces: the files
    beside it named as it is (``<prefix>_<setting hash>_<inputs hash>.pt``,
    :meth:`FusionDataset.cache_file`) but for the hash of the inputs. They
    were made from input files since changed, and no run of the setting loads
    them again: every ``force_reload`` of generated data (new files, new
    stamps) left one more behind. Only such names are removed, never a file
    of other options, of other code (another checkout sharing the root: named
    in a notice, :func:`_note_other_versions`) or a user's."""
    name = osp.basename(path)
    if not re.fullmatch(r".+_[0-9a-f]{10}_[0-9a-f]{10}\.pt", name):
        return
    pattern = glob.escape(osp.join(osp.dirname(path), name[:-13])) + "[0-9a-f]" * 10 + ".pt"
    for other in glob.glob(pattern):
        if osp.basename(other) != name:
            # gone already (another run's turn), or another user's in a
            # shared folder: the new cache is in place, which is what counts
            with contextlib.suppress(OSError):
                os.remove(other)
    _note_other_versions(path)


def _note_other_versions(path: str) -> None:
    """A notice naming the caches beside ``path`` (just written) of its options made by other
    code (:func:`data_code_hash`), one per release or edit. Not removed: another version
    sharing the root would process its data again on each turn."""
    m = re.fullmatch(r"(.+)_([0-9a-f]{10})_[0-9a-f]{10}\.pt", osp.basename(path))
    if m is None or m.group(2) != data_code_hash():
        return
    hexes = "[0-9a-f]" * 10
    others = [f for f in glob.glob(glob.escape(osp.join(osp.dirname(path), m.group(1))) +
                                   f"_{hexes}_{hexes}.pt") if f.split("_")[-2] != m.group(2)]
    if not others:
        return
    with contextlib.suppress(OSError):  # one removed meanwhile: no notice this time
        size, names = sum(map(osp.getsize, others)) / 1e6, sorted(map(osp.basename, others))
        notice(f"{osp.dirname(path)} holds {len(others)} cache file(s) of these options made "
               f"by other versions of pyg_fusion's data code ({size:.1f} MB: "
               f"{', '.join(names[:3])}{', ...' if len(others) > 3 else ''}), which this "
               f"version never loads: delete them unless another installed version or "
               f"checkout uses this root")
