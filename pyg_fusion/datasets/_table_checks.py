"""The checks of a user's view and label tables against each other before
:class:`~pyg_fusion.datasets.MultiViewTables` makes its graph: rows aligned
(their counts, and their ids where the files have them), and the labels read
from the column that the header names as the label."""
from __future__ import annotations

import re

from .._notices import notice
from ._io import Table
from ._text import _is_number


def check_aligned(tables: list[Table], auto_header: bool = False) -> None:
    """Refuses tables of different row counts (naming the file whose first
    row ``header="auto"`` took for a header, or whose first row comes again),
    or whose ids differ row by row; notices (:class:`~pyg_fusion.PygFusionNotice`)
    tables without ids beside ids other than the row numbers: paired by
    position, their order unchecked."""
    ref = tables[0]
    for t in tables[1:]:
        if t.values.shape[0] != ref.values.shape[0]:
            hint = ""
            short = t if t.values.shape[0] < ref.values.shape[0] else ref
            if auto_header and short.header is not None and \
                    abs(t.values.shape[0] - ref.values.shape[0]) == 1:
                # a first row of string ids, or a label of a class met
                # once, reads as a header: the row count is all that shows it
                hint = (f"; the first row of {short.path} ({', '.join(short.header)}) "
                        f"was taken for a header: give that file a header row, or pass "
                        f"header=False (pyg-fusion: --no-header) if no text file has one")
                if short.header == [str(j) for j in range(len(short.header))]:
                    # pandas' header of unnamed columns, and its labels'
                    # (Series.to_csv: '0'), which reads as a label
                    hint = _pandas_header_hint(short.path, short.header, "is")
            elif short.header is not None and abs(t.values.shape[0] - ref.values.shape[0]) == 1 \
                    and all(map(_is_number, short.header)):
                # header=True is every text file's: a file of another's without
                # a header lost its first row of numbers (a label, a sample)
                hint = (f"; header=True took the first row of {short.path} "
                        f"({', '.join(short.header)}), numbers only, for a header: it "
                        f"applies to every text file; pass header='auto' (pyg-fusion: leave "
                        f"out --header), which tells a header from data file by file")
            long = t if short is ref else ref
            if auto_header and not hint and long.header is None and \
                    abs(t.values.shape[0] - ref.values.shape[0]) == 1 and \
                    _pandas_column_numbers(long):
                # the '0' that pandas writes over an unnamed labels column
                # (Series(y).to_csv(index=False)) reads as a label: the labels file
                # is the longer one, where the hint above looks at the shorter only
                hint = _pandas_header_hint(long.path, list(long.values[0]), "may be")
            again = _repeated_first_row(long, abs(t.values.shape[0] - ref.values.shape[0]))
            if again is not None:
                hint = (f"; line {again[0] + 1} of {long.path} repeats its first row "
                        f"({again[1]}): files joined one after another "
                        f"(cat a.csv b.csv)? Keep the first header only")
            raise ValueError(f"rows are not aligned: {ref.path} has {ref.values.shape[0]} "
                             f"rows, {t.path} has {t.values.shape[0]}{hint}")
    with_ids = [t for t in tables if t.index is not None]
    for t in with_ids[1:]:
        a = with_ids[0]
        for i, (u, v) in enumerate(zip(a.index, t.index)):
            if u != v:
                # the same ids in another order (one file sorted by a column): the
                # way out is one order, which the message did not say
                same = sorted(map(str, a.index)) == sorted(map(str, t.index))
                raise ValueError(f"rows are not aligned: row {i} is {u!r} in {a.path} "
                                 f"but {v!r} in {t.path}" + (
                                     "; both hold the same ids in another order: write "
                                     "every file in one order of its ids (pandas: "
                                     "df.sort_index().to_csv(path))" if same else ""))
    without = [t.path for t in tables if t.index is None]
    if with_ids and without and not _row_numbers(with_ids[0].index):
        # one file's ids (a CSV's, sorted by another column) beside arrays and
        # labels without any: paired by position, its order never checked
        a = with_ids[0]
        notice(f"rows are paired by position, unchecked: {a.path} has row ids "
               f"({', '.join(map(repr, a.index[:2]))}, ...), {', '.join(without)} none, "
               f"so row i of each is taken for the sample of its row i; if the orders "
               f"may differ, write the ids into every text file (column 0) to have them "
               f"checked, and save arrays (.npy) in the order of its ids")


def _row_numbers(ids: list[str]) -> bool:
    # 0..n-1 or 1..n in order (pandas' default index, R's row names) say no
    # more than the row's position: nothing to check the others against
    return any(list(ids) == [str(i) for i in range(s, s + len(ids))] for s in (0, 1))


def _pandas_header_hint(path: str, cells: list[str], verb: str) -> str:
    # the advice where a first row of pandas' column numbers makes one file a
    # row longer (read as data) or shorter (taken for a header) than the others
    return (f"; the first row of {path} ({','.join(cells)}) {verb} the column numbers "
            f"that pandas writes as a header: if every text file has a header row (pandas "
            f"writes '0' over an unnamed column), pass header=True (pyg-fusion: --header)")


def _pandas_column_numbers(table: Table) -> bool:
    """Whether the first row of a string table (labels) without an index
    column is ``0,1,...``, the header pandas writes over unnamed columns."""
    return table.values.dtype.kind == "U" and table.index is None and \
        list(table.values[0]) == [str(j) for j in range(table.values.shape[1])]


def _repeated_first_row(table: Table, extra: int) -> tuple[int, str] | None:
    """The row index and text (index column too) where a string table (labels) without a header repeats
    its first row, when the rows it has too many are that row's copies: a
    header that occurs again (files joined, ``cat a.csv b.csv``) made
    ``header="auto"`` take it for a value (a class ``y``); :obj:`None` otherwise."""
    if table.header is not None or table.values.dtype.kind != "U":
        return None
    rows = [([table.index[i]] if table.index is not None else []) + list(r)
            for i, r in enumerate(table.values)]
    copies = [i for i, r in enumerate(rows) if r == rows[0]]
    if len(copies) != extra or extra < 2 or all(_is_number(c) for c in rows[0]):
        return None
    return copies[1], ",".join(rows[0])


_LABEL_NAME = re.compile(r"(?i)(labels?|y|class(es)?|targets?|categor(y|ies))")


def check_label_name(table: Table, col: int) -> None:
    """Refuses a labels file whose header names another column than ``col``
    as the label, and not ``col``: ``label,fold`` gave every node its fold
    (the last column) as its class, without a word. A named column of the
    same classes as ``col`` (``label,label_name``: ids and their names) is
    no other label."""
    head = table.header
    if head is None or len(head) != table.values.shape[1] or _LABEL_NAME.fullmatch(head[col]):
        return
    read = [str(v) for v in table.values[:, col]]
    named = [j for j, h in enumerate(head) if _LABEL_NAME.fullmatch(h) and not _same_classes(
        [str(v) for v in table.values[:, j]], read)]
    if named:
        ids = " (counted after the ids column)" if table.index is not None else ""
        raise ValueError(f"labels: {table.path}'s column {named[0]}{ids} is named "
                         f"{head[named[0]]!r}, but the label is read from column "
                         f"{col % len(head)}, {head[col]!r}: pass "
                         f"label_column={named[0]}, or write the label as the file's last "
                         f"column (pyg-fusion reads the last)")


def _same_classes(a: list[str], b: list[str]) -> bool:
    # one value of b for each of a and back: the same partition of the rows
    return len(set(zip(a, b))) == len(set(a)) == len(set(b))
