"""The sources of the data sets whose config names them before anything is
read: the bundled and generated sets' fixed sources and a table's views;
and the least side of the synthetic RGB-D scenes. No torch: the command
line checks a method of one source (``gcn-fou``) and a per-source option
against them (:func:`pyg_fusion.experiments._data_config.source_names`),
and ``segment train --size`` against the least side, before the models and
data load."""
from __future__ import annotations

import os
import os.path as osp
import re
from collections.abc import Mapping, Sequence

from ._index_hint import index_col_arg

# MultiFeatureDigits' six views (UCI mfeat-*)
VIEWS = ("fou", "fac", "kar", "pix", "zer", "mor")
# MotionVAD's sensors: their columns of the recordings' six axes
SENSORS = {"accel": slice(0, 3), "gyro": slice(3, 6)}

# SyntheticVAD's settings. source: (width, noise std); "hold": snippets over
# which a source's view of the latent is held constant (caption-like text features)
SETTINGS = {
    "multi_representation": dict(sources={"i3d": (64, 0.8), "c3d": (48, 1.0), "swin": (80, 0.9)},
                                 hold={}, num_domains=1),
    "multi_modal": dict(sources={"visual": (64, 0.8), "text": (32, 1.0), "pose": (24, 1.1)},
                        hold={"text": 4}, num_domains=1),
    "multi_domain": dict(sources={"i3d": (64, 0.8), "c3d": (48, 1.0), "swin": (80, 0.9)},
                         hold={}, num_domains=2),
}

# the least side of a synthetic RGB-D scene (SyntheticRGBD), which
# segment train checks before torch loads (check_segment)
MIN_SIZE = 16

_SUFFIXES = (".csv.gz", ".tsv.gz", ".txt.gz", ".csv", ".tsv", ".txt", ".npy", ".npz")


def _view_name(path: str) -> str:
    base = osp.basename(path)
    for suffix in _SUFFIXES:
        if base.endswith(suffix):
            return base[:-len(suffix)]
    return osp.splitext(base)[0]


def name_views(files: Sequence[str], what: str = "views") -> dict[str, str]:
    """``{name: file}`` of a list of view files: each ``NAME=FILE`` entry is
    named ``NAME``, any other after its file (``rgb/feat.csv`` -> ``feat``).
    Two views of one name are an error (one would silently replace the
    other)."""
    if isinstance(files, (str, os.PathLike)):
        # iterated, 'raw/a.csv' was the files 'r', 'a', 'w', '/' ...: "view ''
        # (named after its file /)"
        raise TypeError(f"{what} must be a list of files (FILE or NAME=FILE each), got the "
                        f"single {os.fspath(files)!r}: give [{os.fspath(files)!r}]")
    out, given = {}, set()
    for f in files:
        parts = str(f).split(",")
        if len(parts) > 1 and not osp.exists(f) and all(
                osp.isfile(p) or osp.isfile(p.partition("=")[2]) for p in parts):
            # as --method takes a list: read as one file 'a.csv,b', whose
            # name the error below advised renaming
            raise ValueError(f"{what}: {str(f)!r} is no file, but each of its comma-separated "
                             f"parts is: give the views one file each, separated by spaces "
                             f"(pyg-fusion: --views {' '.join(parts)})")
        name, sep, path = str(f).partition("=")
        named = bool(sep and re.fullmatch(r"[A-Za-z0-9_]+", name) and not osp.isfile(f))
        if sep and not named and name and not osp.isfile(f) and osp.isfile(path):
            # 'x-y=a.csv' was looked up as a file of that name: 'no such file'
            raise ValueError(f"{what}: the view name {name!r} of {f!r} must be letters, "
                             f"digits or '_' (it becomes the attribute x_<name>)")
        if not named:
            name, path = _view_name(f), f
            if not re.fullmatch(r"[A-Za-z0-9_]+", name):
                # a common file name (my-view.csv): the way out is a name of one's own
                fix = re.sub(r"[^A-Za-z0-9_]", "_", name) or "view"
                raise ValueError(f"{what}: view {name!r} (named after its file {f}): the name "
                                 f"{name!r} must be letters, digits or '_' (it becomes the "
                                 f"attribute x_{name}); name it as NAME=FILE: {fix}={f}")
        if name in out:
            how = ("both are given that name" if named and name in given else
                   "a view is named after its file")
            raise ValueError(f"{what}: two files make the view {name!r} ({out[name]} and "
                             f"{path}; {how}): name them as NAME=FILE, a name each")
        if named:
            given.add(name)
        out[name] = path
    return out


def check_index_col_files(index_col, files: list[str], what: str = "index_col") -> None:
    """Refuses an ``index_col`` mapping that names no file among ``files``
    (the views' names and ``"labels"``): a misspelt view's value was never
    read. ``what``: the argument's name in the error (``--index-col``)."""
    unknown = [str(k) for k in index_col if k not in files] \
        if isinstance(index_col, Mapping) else []
    if unknown:
        views = [f for f in files if f != "labels"]
        raise ValueError(f"{what} names {', '.join(unknown)}, which "
                         f"{'is' if len(unknown) == 1 else 'are'} no file: name a view "
                         f"({', '.join(views)}) or labels")


def check_array_index_col(index_col, files: Mapping[str, str], flag: bool = False) -> None:
    """Refuses a column of row ids given for ``.npy`` / ``.npz`` files (``files``:
    ``{view name or "labels": path}``), which have none: named per file, or as
    one value where every file is an array, it was ignored, the ids kept as a
    feature. One value beside text files is theirs; :obj:`None` is read (it
    keeps an array's column 0 of the row numbers as a feature). ``flag``:
    named as pyg-fusion's ``--index-col``."""
    def column(v) -> bool:  # per_file_index_col's plain ints, the CLI's parsed ones
        return isinstance(v, int) and not isinstance(v, bool)
    arrays = {k: str(f) for k, f in files.items() if str(f).endswith((".npy", ".npz"))}
    if isinstance(index_col, Mapping):
        unread = [(k, v) for k, v in index_col.items() if k in arrays and column(v)]
        if unread:
            k, v = unread[0]
            raise ValueError(f"{index_col_arg(v, k, flag)}: {arrays[k]} is .npy / .npz, which "
                             f"has no row ids (only text files have them); leave it out (save "
                             f"the array without its ids: np.delete(X, {v}, axis=1))")
    elif column(index_col) and len(arrays) == len(files):
        raise ValueError(f"{'--index-col' if flag else index_col_arg(index_col)}: every file "
                         f"({', '.join(arrays.values())}) is .npy / .npz, which have no row "
                         f"ids (only text files have them); leave it out (save an array "
                         f"without its ids: np.delete(X, {index_col}, axis=1))")
