"""Numbers written with a thousands separator or a decimal comma in a text
table, which ``float()`` does not read: found to name them in
:func:`~pyg_fusion.datasets._io.read_table`'s errors (a comma, a space, an
apostrophe; a separator that is also the delimiter cuts a number in two)."""
from __future__ import annotations

import re

from ._text import _is_number, _split

# a number written with a comma inside: a decimal comma (1,5) or a thousands
# separator (1,500); float() reads neither
_COMMA_NUMBER = re.compile(r"[+-]?\d*,\d+(?:[eE][+-]?\d+)?")


def is_comma_number(cell: str) -> bool:
    """Whether ``cell`` is a number written with a comma inside (``1,5``, ``1,500``)."""
    return bool(_COMMA_NUMBER.fullmatch(cell))


def comma_number(lines: list[str], delimiter: str | None) -> tuple[int, str] | None:
    """``(line number, cell)`` of the first cell of ``lines`` that is a number
    written with a comma inside, or :obj:`None`. Cells are split on
    ``delimiter``, and on ``;``, tab or spaces where a line holds one: the
    first line of ``1,5;2,3`` sniffs as comma-separated."""
    return _first_cell(lines, delimiter, _COMMA_NUMBER)


_DOT_GROUP = re.compile(r"[+-]?\d{1,3}(?:\.\d{3})+")


def dot_group(lines: list[str], delimiter: str | None) -> tuple[int, str] | None:
    """``(line number, cell)`` of the first cell of ``lines`` (split as
    :func:`comma_number` splits them) that reads as a number of three decimals
    (``1.234``), or :obj:`None`: in a file of decimal commas, a dot that
    groups thousands (1234), which replacing the commas with dots leaves 1.234."""
    return _first_cell(lines, delimiter, _DOT_GROUP)


def _first_cell(lines: list[str], delimiter: str | None,
                pattern: re.Pattern) -> tuple[int, str] | None:
    # split on delimiter, then on each other separator a line holds
    others = [d for d, mark in ((";", ";"), ("\t", "\t"), (None, " "))
              if d != delimiter and any(mark in ln for ln in lines)]
    for d in [delimiter, *others]:
        for i, row in enumerate(_split(lines, d)):
            for cell in row:
                if pattern.fullmatch(cell):
                    return i + 1, cell
    return None


# a number whose digits are grouped by thousands with a space (ISO, French),
# a no-break space (typeset exports) or an apostrophe (Swiss): 'not a number',
# with advice about ids and headers, or a comma found in a cell cut at the spaces
_GROUPED = re.compile(r"[+-]?\d{1,3}(?:([ \u00a0\u202f'\u2019])\d{3})+(?:[.,]\d+)?")
_GROUP_NAMES = {" ": "a space", "\u00a0": "a no-break space", "\u202f": "a narrow no-break space",
                "'": "an apostrophe", "\u2019": "an apostrophe"}


# dots that group thousands (German, Italian, Spanish locales): where two or
# more groups (1.234.567) or a decimal comma after them (1.234,5) show it. A
# column 0 of such cells, none a number, was taken for row ids and dropped;
# 1.234 alone is 1.234 to any reader, and stays so
_DOT_GROUPED = re.compile(r"[+-]?\d{1,3}(?:\.\d{3}){2,}(?:,\d+)?|[+-]?\d{1,3}(?:\.\d{3})+,\d+")


def group_mark(cell: str) -> str | None:
    """What separates the thousands of ``cell`` (``"a space"``, ``"an
    apostrophe"``, ``"a dot"``...) when it is a number written with a
    thousands separator other than a comma (``1 234``, ``1'234``,
    ``1.234.567``, ``1.234,5``), else :obj:`None`."""
    if _DOT_GROUPED.fullmatch(cell):
        return "a dot"
    m = _GROUPED.fullmatch(cell)
    return _GROUP_NAMES[m.group(1)] if m and m.group(1) else None


def grouped_number(lines: list[str], delimiter: str | None) -> tuple[int, str, str] | None:
    """``(line number, cell, what separates its groups)`` of the first cell of
    ``lines`` (split on ``delimiter``, or on ``;`` or tab where a line holds
    one) that is a number written with a thousands separator other than a
    comma (``1 234``, ``1'234``), or :obj:`None`."""
    others = [d for d in (";", "\t") if d != delimiter and any(d in ln for ln in lines)]
    for d in [delimiter, *others]:
        for i, row in enumerate(_split(lines, d)):
            for cell in row:
                mark = group_mark(cell)
                # runs of spaces split a number grouped by spaces into cells
                if mark is not None and (d is not None or mark == "a dot"):
                    return i + 1, cell, mark
    return None


def _split_groups(delimiter: str | None) -> re.Pattern | None:
    # a nonzero lead of 1-3 digits, the delimiter, then 3 digits of which the
    # first is 0: '1,037' in a comma-separated file (a thousands separator
    # that is also the delimiter), '1 037' in a whitespace-separated one; no
    # locale groups thousands with ';' or a tab, so such files are never cut
    sep = {",": ",", None: r"\s+"}.get(delimiter)
    if sep is None:
        return None
    return re.compile(rf"(?:^|{sep})\s*[+-]?[1-9]\d{{0,2}}{sep}0\d\d(?:\.\d+)?(?=\s*(?:{sep}|$))")


def split_group(lines: list[str], delimiter: str | None) -> tuple[int, str] | None:
    """``(line number, text)`` of the first place in ``lines`` where a lead
    of 1-3 digits, the delimiter and 3 digits beginning with 0 meet
    (``1,037``), or :obj:`None`."""
    rx = _split_groups(delimiter)
    if rx is None:
        return None
    # a search that begins with a literal is fast (1 s less on 300 rows of 10k numbers)
    quick = re.compile(re.escape(delimiter or " ") + r"0\d\d")
    for i, ln in enumerate(lines):
        m = rx.search(ln) if quick.search(ln) else None
        if m:
            return i + 1, m.group(0).lstrip(delimiter or None).strip()
    return None


_LEAD, _GROUP = re.compile(r"[+-]?[1-9]\d{0,2}"), re.compile(r"\d{3}(?:\.\d+)?")


def split_thousands(lines: list[str], delimiter: str | None,
                    index_col=None) -> tuple[int, int, str] | None:
    """``(line number, column, 'a<delimiter>bcd')`` where the cells of a numeric
    table look like numbers whose thousands separator is the delimiter, cut in
    two: a column of 1-3 digits beside one of exactly 3 digits, some with a
    leading zero (``1,037``; written so, a number is never ``037``), in every
    row but a header; :obj:`None` otherwise, and where a header names as
    many columns as the rows hold (nothing was cut) or the pair holds
    ``index_col`` (ids 1, 2, ... beside zero-padded codes). Read, each number
    was two features (1 and 37) without a word."""
    if split_group(lines, delimiter) is None:
        return None
    rows = _split(lines, delimiter)
    body = rows[1:] if rows and not all(map(_is_number, rows[0])) else rows
    width = len(body[0]) if body else 0
    if not body or any(len(r) != width for r in body) \
            or len(body) < len(rows) and len(rows[0]) == width:
        return None
    for j in range(1, width):
        if index_col in (j - 1, j):
            continue
        col = [r[j] for r in body]
        if all(_GROUP.fullmatch(c) for c in col) and any(c[0] == "0" for c in col) \
                and all(_LEAD.fullmatch(r[j - 1]) for r in body):
            i = next(i for i, c in enumerate(col) if c[0] == "0")
            gap = delimiter if delimiter is not None else " "
            return i + 1 + (len(rows) - len(body)), j, f"{body[i][j - 1]}{gap}{col[i]}"
    return None


def cut_thousands(lines: list[str], delimiter: str | None, index_col, what: str,
                  path: str) -> ValueError | None:
    cut = split_thousands(lines, delimiter, index_col)
    if cut is None:
        return None
    sep = "spaces" if delimiter is None else repr(delimiter)
    return ValueError(f"{what}: {path} line {cut[0]}, columns {cut[1] - 1} and {cut[1]} read "
                      f"{cut[2]!r}: a number whose thousands separator is the delimiter "
                      f"({sep}), cut into two cells? Its second cell, of three digits "
                      f"with a leading zero, is what a thousands group looks like: save "
                      f"numbers without a thousands separator (1500; pandas' to_csv "
                      f"writes so), or quote them; codes with leading zeros: write them "
                      f"without")


def comma_error(what: str, path: str, line: int, cell: str, lines: list[str],
                delimiter: str | None, ids: str = "") -> ValueError:
    dots = dot_group(lines, delimiter)
    dots = ("" if dots is None else
            f"; its {dots[1]!r} (line {dots[0]}) may be {dots[1].replace('.', '')} with a "
            f"dot grouping thousands, which replacing commas with dots would read as "
            f"{dots[1]}: pandas.read_csv(path, sep=..., decimal=',', thousands='.') reads "
            f"both")
    return ValueError(f"{what}: {path} line {line} holds {cell!r}, a number with a comma "
                      f"inside (a decimal comma, or a thousands separator); expected numbers "
                      f"with a decimal point and no thousands separator (1.5, 1500): save the "
                      f"file so (e.g. pandas' to_csv(decimal='.'), or a spreadsheet's CSV "
                      f"export in an English locale){dots}{ids}")


def grouped_error(what: str, path: str, line: int, cell: str, mark: str,
                  ids: str = "") -> ValueError:
    return ValueError(f"{what}: {path} line {line} holds {cell!r}, a number whose thousands "
                      f"are separated by {mark}; expected numbers without a thousands "
                      f"separator (1500, 1234.5): save the file so (e.g. a spreadsheet's CSV "
                      f"export in an English locale, or the column formatted as plain "
                      f"numbers){ids}")
