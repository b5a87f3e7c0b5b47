"""File reading shared by the datasets.

Every file a dataset writes (caches, bundled copies, generated data) goes
through :func:`pyg_fusion._files.atomic_write`, so that an interrupted run
never leaves a truncated file that a later run would trust.

Tables are read without pandas (not a dependency): :func:`read_table` parses
CSV / TSV / whitespace text (optionally gzip-compressed), ``.npy`` and
``.npz`` files, with header rows and index columns detected or given.
"""
from __future__ import annotations

import os
import os.path as osp
from dataclasses import dataclass

import numpy as np

from ._npy import _check_real, _objects_error, load_npy, require_file
from ._separators import (comma_error, comma_number, cut_thousands, group_mark, grouped_error,
                          grouped_number, is_comma_number, split_group)
from ._index_hint import index_col_arg
from ._text import (_auto_header, _auto_index, _column_numbers_header, _is_number, _lines,
                    _missing, _split, _unnamed_index, check_header_width, header_says_index,
                    to_float)


def check_root(root) -> str:
    """A dataset's ``root``: a folder path (str or os.PathLike, not empty),
    returned as a str with ``~`` expanded (as PyG's datasets: not a folder
    named ``~``). ``str(None)`` was the folder ``./None``, and PyG reads
    ``None`` or ``""`` as its placeholder ``./???``: a dataset made it in the
    working directory and wrote its files there."""
    path = os.fspath(root) if isinstance(root, (str, os.PathLike)) else None
    if not isinstance(path, str):
        raise TypeError(f"root must be a folder path (a str or an os.PathLike), got {root!r}")
    if not path.strip():
        raise ValueError(f"root must be a folder path, got {root!r}")
    return osp.expanduser(path)


def check_header(header) -> bool | str:
    """A table's ``header``: ``True``, ``False`` (numpy's bools too) or
    ``"auto"``, returned plain. pandas' forms are refused by name: its
    ``header=0`` (the first row is the header) read as ``False`` here, the
    header row then a row of data."""
    if isinstance(header, (bool, np.bool_)):
        return bool(header)
    if isinstance(header, str) and header == "auto":
        return header
    pandas = (" (pandas' header=0, the first row as header, is header=True here; its "
              "header=None is header=False)" if header is None or
              isinstance(header, (int, np.integer)) else "")
    raise ValueError(f"header must be True, False or 'auto', got {header!r}{pandas}")


@dataclass
class Table:
    """A table read from a file: ``values`` ``[rows, cols]`` (float64, or str
    when ``numeric=False``), the row ``index`` (row ids from an index column,
    or ``None``) and the ``header`` (column names, or ``None``)."""
    values: np.ndarray
    index: list[str] | None
    header: list[str] | None
    path: str


def _fast_numeric(lines, delimiter, header, index_col, path) -> Table | None:
    # np.loadtxt parses in C, ~5x faster than splitting and converting cells in
    # Python; a converter keeps the ids of an index column. None: the general
    # path, which gives the precise errors (and reads True / False, U+2212).
    first = _split(lines[:1], delimiter)[0]
    if header == "auto" and index_col in (None, "auto"):
        header = not all(map(_is_number, first))
    data = lines[1:] if header else lines
    if header not in (True, False) or not data or not (
            index_col in (None, "auto") or type(index_col) is int):
        return None
    width = len(_split(data[:1], delimiter)[0])
    if index_col == "auto":  # _auto_index's clear cases
        says = header and header_says_index(first, width)
        firsts = [ln.split(delimiter, 1)[0].strip().strip('"') for ln in data]
        numbers = set(map(_is_number, firsts))
        index_col = (0 if header and _unnamed_index(first, width) else
                     None if numbers == {True} and not says else
                     0 if numbers == {False} and (says or len(set(firsts)) == len(data))
                     else -1)
    # R's header one name short, a column out of range, quoted ids: the general path
    if (header and len(first) != width) or index_col is not None and (
            index_col not in range(width) or width < 2 or any('"' in ln for ln in data)):
        return None
    ids: list[str] = []
    keep = {} if index_col is None else {index_col: lambda cell: ids.append(cell.strip()) or 0}
    try:
        # comments=None: "#" is no comment mark in these tables, so a cell holding one
        # reaches the slow path's error instead of being cut (numpy's default)
        # encoding=None: numpy < 2 passes converters bytes under its default ("bytes")
        values = np.loadtxt(data, delimiter=delimiter, ndmin=2, dtype=np.float64,
                            comments=None, converters=keep, encoding=None)
    except ValueError:
        return None
    if index_col is None:
        return Table(values, None, first if header else None, path)
    if header and first[index_col] in set(ids):
        # a row of the header's id (files joined one after another, its other
        # cells numbers: id,0,1): the general path says so
        return None
    cols = [j for j in range(width) if j != index_col]
    return Table(values[:, cols], ids, [first[j] for j in cols] if header else None, path)


# the usual files of a table in formats read_table does not parse
_NOT_TABLES = {".xlsx": "an Excel workbook", ".xls": "an Excel workbook",
               ".xlsm": "an Excel workbook", ".ods": "a spreadsheet (OpenDocument)",
               ".parquet": "a Parquet file", ".feather": "a Feather file",
               ".h5": "an HDF5 file", ".hdf5": "an HDF5 file", ".pkl": "a pickle",
               ".pickle": "a pickle", ".mat": "a MATLAB file", ".pt": "a torch file",
               ".pth": "a torch file", ".arff": "a Weka ARFF file",
               ".svm": "a libsvm / svmlight file", ".svmlight": "a libsvm / svmlight file",
               ".libsvm": "a libsvm / svmlight file"}
# read as text, these failed on their own lines ('@relation' a header, 'index:value'
# cells 'not a number', rows of other widths): how to convert them
_CONVERT = {".arff": "scipy.io.arff.loadarff(path) reads it: save its numeric columns with "
                     "np.save (the class column as the labels file)",
            ".svm": "sklearn.datasets.load_svmlight_file(path) reads it: save X.toarray() "
                    "and y with np.save (view and labels files)"}
_CONVERT[".svmlight"] = _CONVERT[".libsvm"] = _CONVERT[".svm"]


def read_table(path: str, *, header="auto", index_col="auto", numeric: bool = True,
               npz_key: str | None = None, what: str = "table",
               npz_hint: str = "pass npz_key to choose one", file: str | None = None) -> Table:
    """Read a 2-D table from CSV / TSV / whitespace text (``.gz`` allowed),
    ``.npy`` or ``.npz``.

    Args:
        header: ``True`` (the first row is a header), ``False``, or
            ``"auto"``: the first row is a header when one of its cells is not
            a number (for ``numeric=False``: and none of its cells occurs again
            in its column). A first row of the column numbers (``0,1,...``,
            pandas' header of unnamed columns) of a numeric table is a header
            over rows of other numbers, and an error (say which) over whole
            numbers (:func:`_column_numbers_header`). With ``index_col`` a column number, the
            first row's index cell counts as a header's only when it is unlike
            the column's ids (:func:`_auto_header`): ``s0,0.5,1.5`` is data,
            ``id,0,1`` a header.
        index_col: column number of row ids, ``None``, or ``"auto"``: column 0
            is an index when none of its data cells is a number, or when its
            header cell is empty (what ``pandas.DataFrame.to_csv`` writes); a
            column 0 that mixes numbers and other cells is an error naming the
            line and the cell, and so is a headerless column 0 of the row numbers
            (say which: :func:`_refuse_row_numbers`), of a ``.npy`` / ``.npz``
            too, the only use of ``index_col`` there (``None``: a feature; a column
            number, the text files', asks as ``"auto"``).
        numeric: convert the values to float64 (errors name the row and
            column); ``False`` keeps strings (labels).
        npz_key: the array of an ``.npz`` holding several; with one array it
            is optional.
        npz_hint: what the error of an ``.npz`` of several arrays and no
            ``npz_key`` tells the caller's user to do.
        file: the file's name among several (a view's, or ``"labels"``): the
            hints to pass ``index_col`` give its per-file form (``--index-col a=0``).
    """
    header = check_header(header)
    require_file(path, what)
    suffix = osp.splitext(path.lower())[1]
    if suffix in _NOT_TABLES:
        # read as text, a workbook said 'not UTF-8 text: byte b'\x..'' (or,
        # its bytes decoding, 'has a header but no data rows')
        how = f" ({_CONVERT[suffix]})" if suffix in _CONVERT else ""
        raise ValueError(f"{what}: {path} is {_NOT_TABLES[suffix]}, which is not read: save "
                         f"the table as CSV / TSV / whitespace text (optionally .gz), .npy "
                         f"or .npz{how}")
    if path.endswith((".npy", ".npz")):
        table = _read_array_table(path, npz_key=npz_key, numeric=numeric, what=what,
                                  hint=npz_hint)
        # a column number is the text files' (one for every file): an array's
        # column 0 of the row numbers is asked about as under "auto"
        if numeric and (index_col == "auto" or type(index_col) is int):
            _refuse_row_numbers(table, what, path, file)
        return table
    lines, delimiter = _lines(path, numeric, what)
    if not lines:
        raise ValueError(f"{what}: {path} is empty")
    if numeric and header == "auto":
        header = _column_numbers_header(lines, delimiter, what, path)
    try:
        table = _fast_numeric(lines, delimiter, header, index_col, path) if numeric else None
        if table is None:
            table = _parse(_split(lines, delimiter), header, index_col, numeric, what, path,
                           file)
    except ValueError as exc:
        grouped = grouped_number(lines, delimiter) if numeric else None
        if grouped is not None:
            raise grouped_error(what, path, *grouped) from None
        found = comma_number(lines, delimiter) if numeric else None
        # a header as wide as the numbers before they were cut
        cut = cut_thousands(lines, delimiter, index_col, what, path) if numeric else None
        if cut is not None:
            raise cut from None
        if found is None:
            widths = {len(r) for r in _split(lines, delimiter)} if numeric else set()
            cut = split_group(lines, delimiter) if len(widths) > 1 else None
            if cut is None:
                raise
            # rows of other widths: the numbers of 4 digits or more were cut in two
            raise ValueError(f"{exc}; line {cut[0]} holds {cut[1]!r}: numbers whose thousands "
                             f"separator is the delimiter? Save numbers without a thousands "
                             f"separator (1500), or quote them") from None
        # the error of the first cell that fails (or of a first row taken
        # for a header) does not say why: the file's numbers are not Python's
        raise comma_error(what, path, *found, lines, delimiter) from None
    if numeric and index_col == "auto" and table.index is not None:
        # a column 0 of such numbers, none of them a number to float(), was
        # taken for row ids and dropped (its first row for a header too)
        cells = table.index  # column 0 of the data rows
        # a data cell of column 0 that is no number of any writing (10.0.0.1
        # beside 192.168.100.200, an IP address; 'a7') says the column holds ids
        if any(not (_is_number(c) or group_mark(c) or is_comma_number(c)) for c in cells):
            cells = []
        elif table.header is not None:
            cells = _split(lines[:1], delimiter)[0][:1] + cells
        first = next(((i, c) for i, c in enumerate(cells) if group_mark(c)), None)
        ids = (f" (if column 0 holds row ids, pass {index_col_arg(0, file)}; pyg-fusion: "
               f"{index_col_arg(0, file, True)})")
        if first is not None:
            raise grouped_error(what, path, first[0] + 1, first[1], group_mark(first[1]), ids)
        # '1,5' (a decimal comma, quoted or ';'-separated; '"1,234"') likewise
        first = next(((i, c) for i, c in enumerate(cells) if is_comma_number(c)), None)
        if first is not None:
            raise comma_error(what, path, first[0] + 1, first[1], lines, delimiter, ids)
    cut = cut_thousands(lines, delimiter, index_col, what, path) if numeric else None
    if cut is not None:
        raise cut
    if numeric and index_col == "auto" and table.index is None and table.header is None:
        _refuse_row_numbers(table, what, path, file)
    return table


def _refuse_row_numbers(table: Table, what: str, path: str, file: str | None) -> None:
    """A headerless column 0 of the row numbers (``0..n-1`` or ``1..n``, in
    order: ``np.savetxt(path, np.c_[np.arange(n), X])``, or ``np.save`` of the
    same array) was read as a feature, without a word: the model read each row's
    position, which in a file sorted by class is the class. Row ids, or a
    feature: the user says which (an array has no index column: ids are dropped
    from it)."""
    n, width = table.values.shape
    col = table.values[:, 0]
    if width < 2 or n < 3:
        return
    for start in (0, 1):
        if np.array_equal(col, np.arange(start, start + n)):
            head = f"{what}: {path}'s column 0 holds the row numbers {start}..{start + n - 1}"
            if path.endswith((".npy", ".npz")):
                raise ValueError(
                    f"{head}, in order: row ids, or a feature? Say which: save the array "
                    f"without them if they are ids (X[:, 1:]; index_col reads text files "
                    f"only), or {index_col_arg(None, file)} to keep them as a feature "
                    f"(pyg-fusion: {index_col_arg(None, file, True)})")
            raise ValueError(
                f"{head}, in order, under no header: row ids, or a feature? Say which: "
                f"{index_col_arg(0, file)} or {index_col_arg(None, file)} (pyg-fusion: "
                f"{index_col_arg(0, file, True)}, {index_col_arg(None, file, True)})")


def _parse(rows: list[list[str]], header, index_col, numeric: bool, what: str,
           path: str, file: str | None = None) -> Table:
    """The table of a text file's cells (:func:`read_table`'s general path)."""
    head = None
    if header == "auto":
        header = _auto_header(rows, index_col)
        if header and not numeric and len(rows) > 1:
            # string tables (labels): a first row that repeats a value of its
            # column further down is data ("cat" twice), not a header ("label")
            seen = [set(col) for col in zip(*rows[1:])] if len(rows[0]) == len(rows[1]) else []
            # (an empty cell proves nothing: a trailing delimiter on every line)
            header = not any(c and c in s for c, s in zip(rows[0], seen))
    if header is True:
        head, rows = rows[0], rows[1:]
        again = next((i for i, r in enumerate(rows) if r == head), None)
        if again is not None and any(not _is_number(c) for c in head):
            # files joined one after another: the second header was 'not a
            # number' with advice about index columns
            raise ValueError(f"{what}: {path} line {again + 2} repeats the header row "
                             f"({','.join(head)}): files joined one after another (cat a.csv "
                             f"b.csv)? Keep the first header only")
    if not rows:
        raise ValueError(f"{what}: {path} has a header but no data rows")
    width = len(rows[0])
    for i, row in enumerate(rows):
        if len(row) != width:
            line = i + 1 + (head is not None)
            raise ValueError(f"{what}: {path} line {line} has {len(row)} fields, "
                             f"expected {width} like the first data row")
    auto = index_col == "auto"
    if auto:
        index_col = _auto_index(rows, head, width, what, path, numeric, file)
    if head is not None:
        check_header_width(head, rows, index_col, auto, what, path, file)
    index = None
    if index_col is not None:
        if not isinstance(index_col, int) or isinstance(index_col, bool):
            raise ValueError(f"index_col must be None, 'auto' or a column number, got "
                             f"{index_col!r}")
        if not 0 <= index_col < width:
            # the value as given, for this file where several are read (--index-col
            # a=5): named alone, as no hint that keeps the others' (str(file))
            name = None if file is None else str(file)
            raise ValueError(f"{what}: {path} has {width} column(s), no column {index_col} "
                             f"for {index_col_arg(index_col, name)} (pyg-fusion: "
                             f"{index_col_arg(index_col, name, True)}) to take: give a "
                             f"column number in [0, {width}), or none")
        index = [r[index_col] for r in rows]
        rows = [r[:index_col] + r[index_col + 1:] for r in rows]
        if head is not None and len(head) == width:
            head = head[:index_col] + head[index_col + 1:]
    if not rows[0]:
        raise ValueError(f"{what}: {path} has no columns left after the index column")
    if not numeric:
        return Table(np.asarray(rows, dtype=str), index, head, path)
    values = np.empty((len(rows), len(rows[0])), dtype=np.float64)
    for i, row in enumerate(rows):
        try:
            values[i] = [to_float(c) for c in row]
        except ValueError:
            j = next(j for j, c in enumerate(row) if not _is_number(c))
            line = i + 1 + (head is not None)
            col = j + (index_col is not None and j >= index_col)  # the file's column
            if row[j] == "":
                # an id or header hint would mislead: the value is missing
                raise ValueError(f"{what}: {path} line {line}, column {col} is empty: "
                                 f"features must be complete (fill in or drop the missing "
                                 f"value; a trailing delimiter makes an empty last "
                                 f"column)") from None
            missing = _missing(what, path, line, col, row[j])
            if missing is not None:
                raise missing from None
            raise ValueError(f"{what}: {path} line {line}, column {col}: {row[j]!r} is not a "
                             f"number (pass index_col / header if it is an id or a "
                             f"header; pyg-fusion: --index-col, --header)") from None
    return Table(values, index, head, path)


def _read_array_table(path: str, *, npz_key, numeric, what, hint) -> Table:
    if path.endswith(".npz"):
        try:
            archive = np.load(path, allow_pickle=False)
        except Exception as exc:
            raise ValueError(f"{what}: cannot read {path} as .npz ({exc})") from exc
        keys = list(archive.keys())
        if not keys:  # "holds arrays []; pass npz_key to choose one": none to choose
            raise ValueError(f"{what}: {path} is an .npz archive of no arrays (np.savez(path) "
                             f"with none given); save the array in it: np.savez(path, X)")
        if npz_key is None:
            if len(keys) != 1:
                raise ValueError(f"{what}: {path} holds arrays {keys}; {hint}")
            npz_key = keys[0]
        if npz_key not in keys:
            raise ValueError(f"{what}: {path} has no array {npz_key!r}; arrays are {keys}")
        try:
            array = archive[npz_key]
        except Exception as exc:
            with archive.zip.open(f"{npz_key}.npy") as f:
                objects = _objects_error(f, what, path)
            raise (objects or ValueError(f"{what}: cannot read array {npz_key!r} of {path} "
                                         f"({exc})")) from exc
    else:
        array = np.asarray(load_npy(path, what))
    if array.ndim == 1:
        array = array[:, None]
    if array.ndim != 2:
        raise ValueError(f"{what}: {path} must hold a 1-D or 2-D array, got shape "
                         f"{array.shape}")
    if array.shape[0] == 0:
        raise ValueError(f"{what}: {path} is empty")
    if array.shape[1] == 0:  # an IndexError of the row-number check, or a view of no feature
        raise ValueError(f"{what}: {path} holds no column (shape {array.shape})")
    if numeric:
        _check_real(array, what, path)
        array = array.astype(np.float64)
    elif array.dtype.kind == "S":
        # byte strings (h5py's, np.array([b'cat'])) were labels "b'cat'", and an
        # empty one the class "b''", not a missing label
        try:
            array = np.char.decode(array, "utf-8")
        except UnicodeDecodeError as exc:
            raise ValueError(f"{what}: {path} holds byte strings that are not UTF-8 text "
                             f"({exc})") from None
    return Table(array, None, None, path)
