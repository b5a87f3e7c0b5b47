"""A user's own multi-view tables (one file per view, aligned rows) as one
multi-view graph."""
from __future__ import annotations

import os.path as osp
import re
from typing import Callable, Iterable, Mapping, Sequence

import torch

from ..data import MultiSourceData
from .._option_rules import is_int
from ._args import check_transductive_standardize, index_col_of, per_file_index_col
from ._base import FusionDataset
from ._io import Table, check_header, read_table
from ._index_hint import FileName
from ._text import _WHOLE, _is_number, _lines, header_says_index
from ._named_sources import check_array_index_col, name_views
from ._labels import (_check_not_one_hot, _check_unlabelled, _no_label, _unlabel,
                      encode_labels, notice_case_classes, notice_label_column)
from ._split import check_split, stratified_masks
from ._table_checks import check_aligned, check_label_name
from .standardize import zscore_columns

class MultiViewTables(FusionDataset):
    r"""A user's multi-view data as ONE graph (node = sample, one source per
    view), in the same form as :class:`MultiFeatureDigits`.

    Each view is one file with one row per sample, the rows of all files in
    the same order: CSV / TSV / whitespace text (optionally ``.gz``),
    ``.npy`` (``[n, d]``) or ``.npz`` (one array, or pick it with
    ``npz_keys``). Text files may have a header row and an index column of
    row ids (see :func:`~pyg_fusion.datasets._io.read_table` for the
    detection); when several files have row ids they must agree row by row,
    and files without ids beside one with ids (other than the row numbers) are
    paired with it by position, with a :class:`~pyg_fusion.PygFusionNotice`.
    The labels file has one label per row (numbers or strings, mapped to
    ``0..C-1``, see :attr:`classes`; missing labels (``NA``, ``nan``, ``?``,
    an empty cell, a blank line of a one-column file) become ``-1`` and are
    in no mask; so do the rows of the label ``unlabelled`` names), in its
    last column unless ``label_column`` says otherwise.
    A one-column ``.csv`` / ``.tsv`` / ``.txt`` labels file is one column whatever its
    spaces (``big cat``) or quotes; ``index_col`` leaves it alone (it has no
    room for ids).

    The graph: ``x_<view>`` ``[n, d_view]`` float32, ``y`` ``[n]`` long,
    ``train_mask`` / ``val_mask`` / ``test_mask`` from
    :func:`~pyg_fusion.datasets._split.stratified_masks` over the labelled
    rows (per class: ``round(test_rate * n_c)`` test, ``round(val_rate *
    n_c)`` validation, ``max(1, round(label_rate * rest))`` training), and
    ``class_names``.

    Args:
        root (str): dataset folder; relative file names are looked up in ``root/raw``.
        views (Mapping[str, str] | Sequence[str]): ``{name: file}``, or a list of files (names
            from the file names, e.g. ``rgb.csv`` -> ``x_rgb``).
        labels (str): the labels file.
        header (bool or str, optional): whether text files have a header row, as in
            :func:`~pyg_fusion.datasets._io.read_table`, for every text file.
            (default: :obj:`"auto"`)
        index_col (int, str, None or Mapping, optional): the column of row ids of text files (a
            column number, :obj:`None` or :obj:`"auto"`; of a ``.npy`` / ``.npz``, :obj:`None`
            keeps a column 0 of the row numbers as a feature, which ``"auto"`` asks about; a
            column number named for it is an error, as is one number for every file when all
            are arrays), as in
            :func:`~pyg_fusion.datasets._io.read_table`; or ``{file: value}`` for files that
            differ, keyed by view name or ``"labels"``, a file not named ``"auto"``.
            (default: :obj:`"auto"`)
        label_column (int, optional): column of the labels file holding the label. (default:
            :obj:`-1`)
        unlabelled (str, int or None, optional): a label that marks an unlabelled row beside
            the missing cells, e.g. ``"-1"`` (scikit-learn's semi-supervised mark); :obj:`None`:
            none, a ``-1`` is a class like any other; :obj:`"auto"`: none, but labels of
            numbers holding ``-1`` beside others than ``1`` (``-1, 0, 1, 2``: either reading)
            are an error asking which (``-1`` / ``1`` are two classes). (default:
            :obj:`"auto"`)
        npz_keys (Mapping[str, str], optional): ``{name: key}`` for ``.npz`` views holding
            several arrays. (default: :obj:`None`)
        label_rate (float, optional): the masks. (default: :obj:`0.1`)
        val_rate (float, optional): the masks. (default: :obj:`0.1`)
        test_rate (float, optional): the masks. (default: :obj:`0.2`)
        split_seed (int, optional): the masks. (default: :obj:`0`)
        standardize (bool, optional): z-score every feature column over all rows, labelled
            or not (transductive, as :class:`MultiFeatureDigits`; sample standard deviation,
            :func:`~pyg_fusion.datasets.standardize.zscore_columns`; constant columns are only
            centred). For statistics of the training nodes only, apply
            :class:`~pyg_fusion.datasets.StandardizeSources` as a transform. (default:
            :obj:`False`)
        transform (callable, optional): a function/transform that takes a
            :class:`~torch_geometric.data.Data` object and returns a transformed version,
            applied on every access. (default: :obj:`None`)
        pre_transform (callable, optional): a function/transform applied to every
            :class:`~torch_geometric.data.Data` object before it is saved to disk.
            (default: :obj:`None`)
        pre_filter (callable, optional): a function that takes a
            :class:`~torch_geometric.data.Data` object and returns whether it belongs in the
            dataset. (default: :obj:`None`)
        force_reload (bool, optional): re-process the dataset. (default: :obj:`False`)
        log (bool, optional): print progress while processing. (default: :obj:`True`)
    """

    def __init__(self, root: str, views: Mapping[str, str] | Sequence[str], labels: str, *,
                 header="auto", index_col="auto", label_column: int = -1,
                 unlabelled: str | int | None = "auto", npz_keys: Mapping[str, str] | None = None, label_rate: float = 0.1,
                 val_rate: float = 0.1, test_rate: float = 0.2, split_seed: int = 0,
                 standardize: bool = False, transform: Callable | None = None,
                 pre_transform: Callable | None = None, pre_filter: Callable | None = None,
                 force_reload: bool = False, log: bool = True):
        if isinstance(views, str):
            raise TypeError("views must be a dict {name: file} or a list of files, got a "
                            "single string")
        if not isinstance(views, Iterable):  # a set or a generator of files is a list
            raise TypeError(f"views must be a dict {{name: file}} or a list of files, got "
                            f"{type(views).__name__}")
        if not is_int(label_column):
            # a column's name would fail in a comparison, a float as an index
            raise TypeError(f"label_column must be an int (a column number, -1 the last), got "
                            f"{label_column!r}")
        label_column = int(label_column)
        unlabelled = _check_unlabelled(unlabelled)
        header = check_header(header)  # before any file is read; plain in the cache key
        if not isinstance(views, Mapping):
            views = name_views(views)
        index_col = per_file_index_col(index_col, [*map(str, views), "labels"])
        check_array_index_col(index_col, {**{str(k): v for k, v in views.items()},
                                          "labels": labels})
        if not views:
            raise ValueError("views must name at least one file")
        for name in views:
            if not re.fullmatch(r"[A-Za-z0-9_]+", str(name)):
                raise ValueError(f"view name {name!r} must be letters, digits or '_' (it "
                                 f"becomes the attribute x_{name})")
        unknown = sorted(set(npz_keys or {}) - set(map(str, views)))
        if unknown:  # a misspelt view's key was never read
            raise ValueError(f"npz_keys names {unknown}, which are not views (views: "
                             f"{list(views)})")
        self.view_files = dict(views)
        self.labels_file = labels
        # before any file is touched; numpy's numbers as Python's (the cache's name)
        label_rate, val_rate, test_rate, split_seed = check_split(label_rate, val_rate,
                                                                  test_rate, split_seed)
        self.options = dict(views=self.view_files, labels=labels, header=header,
                            index_col=index_col, label_column=label_column,
                            unlabelled=unlabelled,
                            npz_keys=dict(npz_keys or {}), label_rate=label_rate,
                            val_rate=val_rate, test_rate=test_rate, split_seed=split_seed,
                            standardize=check_transductive_standardize(standardize))
        super().__init__(root, transform, pre_transform, pre_filter, log=log,
                         force_reload=force_reload)
        self.load(self.processed_paths[0])

    @property
    def raw_file_names(self) -> list[str]:
        return [*self.view_files.values(), self.labels_file]

    @property
    def processed_file_names(self) -> list[str]:
        return [self.cache_file("tables", self.options, self.raw_paths)]

    @property
    def classes(self) -> list[str]:
        """The original label of each class id."""
        return list(self._data.class_names)

    @property
    def num_classes(self) -> int:
        return len(self.classes)

    def download(self) -> None:
        raise self.raw_files_missing()

    def _read(self, what: str, path: str, **kw) -> Table:
        o = self.options
        # the labels have no key to choose an array by; the views give their index_col
        kw = {"header": o["header"], "index_col": index_col_of(o["index_col"], "labels"),
              "file": self._hint_file("labels"),
              "npz_hint": "save the labels as a file of their own (.npy, .csv)", **kw}
        return read_table(path, what=what, **kw)

    def _hint_file(self, name: str) -> FileName | None:
        # the hints to pass index_col name the file where several views are
        # read, beside every other file's index_col as given
        if len(self.view_files) == 1:
            return None
        index_col = self.options["index_col"]
        if not isinstance(index_col, Mapping):
            index_col = dict.fromkeys([*self.view_files, "labels"], index_col)
        return FileName(name, index_col)

    def _labels_index(self, path: str) -> dict:
        # index_col=0 for views with numeric ids must not take the only
        # column of a labels file without ids: there it could hold no label
        index_col = index_col_of(self.options["index_col"], "labels")
        if isinstance(index_col, int) and not isinstance(index_col, bool):
            plain = self._read("labels", path, numeric=False, index_col=None)
            if plain.values.shape[1] == 1:
                return {"index_col": None}
        elif index_col == "auto":
            # ids are unique: a first column of repeated names is a label
            # ('label,sample'), taken for ids ('rows are not aligned'), where
            # the label column's name check says which column is read
            plain = self._read("labels", path, numeric=False, index_col=None)
            if plain.values.shape[1] == 1:
                _check_ids_before_names(path)
            first = [str(v) for v in plain.values[:, 0]]
            # (a last column empty in every row, a trailing delimiter, has its own error)
            if plain.values.shape[1] > 1 and len(set(first)) < len(first) and \
                    any(str(v).strip() for v in plain.values[:, -1]) and \
                    not header_says_index(plain.header, plain.values.shape[1]):
                self._check_spaced_names(path, plain, first)
                return {"index_col": None}
            if plain.values.shape[1] > 2 and len(set(first)) == len(first):
                self._check_spaced_names(path, plain, first, ids=True)
        return {}

    def _check_spaced_names(self, path: str, plain: Table, first: list[str],
                            ids: bool = False) -> None:
        # class names of two words each ("big cat", "small cat") split on
        # spaces: the last word was read as the label, "big cat" and "small
        # cat" one class 'cat', without a word; after a column of row ids
        # ("0 big cat", ``ids``) the names are the words after it, which
        # repeat (classes) and are no numbers ("0 1 cat": a fold, not a name)
        rows = [tuple(map(str, r[int(ids):])) for r in plain.values]
        merged = len(set(rows)) > len({r[-1] for r in rows})
        if ids:
            merged = merged and len(set(rows)) < len(rows) and \
                not any(_is_number(v) for r in rows for v in r[:-1])
        if merged and plain.header is None and self.options["label_column"] == -1 and \
                not all(_is_number(v) for r in rows for v in r) and \
                _lines(path, numeric=False, what="labels")[1] is None:
            example = " ".join(map(str, plain.values[0]))
            if ids:
                raise ValueError(f"labels: {path} splits on spaces into a column of row ids "
                                 f"and {len(rows[0])} words, the last of which would be the "
                                 f"label: class names with spaces ({example!r})? Write "
                                 f"'id,label' rows in a .csv ({first[0]},{' '.join(rows[0])})")
            seen = set()
            rep = next(v for v in first if v in seen or seen.add(v))
            raise ValueError(f"labels: {path} splits on spaces into {plain.values.shape[1]} "
                             f"columns whose first repeats ({rep!r}), so it holds no row ids "
                             f"and its last word would be the label: class names with "
                             f"spaces ({example!r})? Write one name "
                             f"per line in a .csv (one column); if the first column is the "
                             f"label, pass label_column=0")

    def process(self) -> None:
        paths = dict(zip(self.raw_file_names, self.raw_paths))
        labels = osp.realpath(paths[self.labels_file])
        for name, f in self.view_files.items():
            # an .npz view of a chosen array reads another array than the labels
            if osp.realpath(paths[f]) == labels and name not in self.options["npz_keys"]:
                # a folder's files given as views (data/*.csv) take the labels
                # file too: the model read the labels as features, its scores
                # perfect, without a word
                raise ValueError(f"view {name!r} is the labels file {paths[f]}: the labels "
                                 f"would be features of every node; leave it out of the "
                                 f"views, and give the features of a file that holds both in "
                                 f"a file of their own")
        index_col = self.options["index_col"]
        tables = {name: self._read(f"view {name!r}", paths[f],
                                   index_col=index_col_of(index_col, name),
                                   file=self._hint_file(name),
                                   npz_key=self.options["npz_keys"].get(name),
                                   npz_hint=f"choose one with npz_keys={{{name!r}: KEY}} "
                                            f"(pyg-fusion: one array per file)")
                  for name, f in self.view_files.items()}
        lab = self._read("labels", paths[self.labels_file], numeric=False,
                         **self._labels_index(paths[self.labels_file]))
        col = self.options["label_column"]
        if not -lab.values.shape[1] <= col < lab.values.shape[1]:
            raise ValueError(f"label_column={col} is out of range: {lab.path} has "
                             f"{lab.values.shape[1]} column(s)")
        _check_not_one_hot(lab, col)
        check_label_name(lab, col)
        check_aligned([*tables.values(), lab], self.options["header"] == "auto")
        y, names = encode_labels(_unlabel([str(s) for s in lab.values[:, col]],
                                          self.options["unlabelled"], lab, col))
        notice_case_classes(names, lab.path)

        data = MultiSourceData()
        for name, table in tables.items():
            x = torch.from_numpy(table.values)
            if not bool(torch.isfinite(x).all()):
                bad = ~torch.isfinite(x)
                row, col = (int(i) for i in bad.nonzero()[0])
                raise ValueError(f"view {name!r}: {table.path} holds {int(bad.sum())} NaN or "
                                 f"Inf value(s), the first at data row {row}, column {col} "
                                 f"({table.values[row, col]}); fill in or drop them")
            notice_label_column(name, table, x, y, index_col_of(index_col, name))
            if self.options["standardize"]:
                x = zscore_columns(x)
            x = x.float()
            if not bool(torch.isfinite(x).all()):  # finite in float64 only
                raise ValueError(f"view {name!r}: {table.path} holds values beyond float32's "
                                 f"range (largest magnitude {float(abs(table.values).max()):.3g}); "
                                 f"rescale them or pass standardize=True")
            data[f"x_{name}"] = x
        data.y = y
        data.num_nodes = y.numel()
        data.class_names = names
        known = (y >= 0).nonzero().view(-1)
        if known.numel() == 0:
            raise ValueError(_no_label(lab, self.options["label_column"]))
        if known.numel() > 2 and len(names) == known.numel():
            # a regression target given as labels: a class per row, none of
            # which any split can test (the API's masks: every row training)
            raise ValueError(f"labels: {lab.path} gives each of its {len(names)} labelled "
                             f"rows a class of its own ({names[0]!r}, {names[1]!r}, ...): "
                             f"continuous values? MultiViewTables classifies: bin them into "
                             f"classes")
        o = self.options
        masks = stratified_masks(y[known], o["label_rate"], val_rate=o["val_rate"],
                                 test_rate=o["test_rate"], seed=o["split_seed"],
                                 class_names=names)
        for key, m in zip(("train_mask", "val_mask", "test_mask"), masks):
            full = torch.zeros(y.numel(), dtype=torch.bool)
            full[known[m]] = True
            data[key] = full
        self.save_processed([data], "graphs")

    def _repr_options(self) -> str:
        return f"views={list(self.view_files)}, label_rate={self.options['label_rate']}"


def _check_ids_before_names(path: str) -> None:
    """Refuses a labels file read as one column whose lines are each a row id
    and a class name of another number of words ("0 cat" / "1 big cat", or a
    quoted "0 'cat'"): each line was a class of its own, the first taken for
    a header ('rows are not aligned'; header=False then gave one class per
    row)."""
    if path.endswith((".npy", ".npz")):
        return
    lines, delimiter = _lines(path, numeric=False, what="labels")
    if delimiter is None or any(delimiter in ln for ln in lines):
        return
    heads = [ln.split(None, 1) for ln in lines]
    if any(len(h) < 2 or not _WHOLE.fullmatch(h[0]) for h in heads) or \
            len({h[0] for h in heads}) < len(heads):
        return
    names = [h[1].strip() for h in heads]
    if len(set(names)) < len(names):  # names that repeat are classes
        raise ValueError(f"labels: {path}'s lines are a row id and a class name with spaces "
                         f"({lines[0].strip()!r}, ...), read as one column, each line a class "
                         f"of its own: write 'id,label' rows in a .csv ({heads[0][0]},"
                         f"{names[0]}), or the names alone, one per line")
