"""Text files as the datasets read them: the text of a file (UTF-8, or
UTF-16 after its mark; ``.gz`` decompressed), a text table's lines and
delimiter, split into cells, and the detection of its header row and index
column (:func:`~pyg_fusion.datasets._io.read_table`)."""
from __future__ import annotations

import codecs
import contextlib
import csv
import gzip
import itertools
import re
import zlib

from ._index_hint import index_col_arg

_ASCII = re.compile("[\t\n\r -~]")
_LINE_BOM = re.compile("^\ufeff", re.MULTILINE)
_NOT_TEXT = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufeff\ud800-\uf8ff\ufff0-\uffff]")


def read_text(path: str, what: str) -> str:
    """The text of ``path`` (UTF-8, or UTF-16 after its byte-order mark;
    ``.gz`` decompressed); a file that is cut short, not gzip or not text is
    a :class:`ValueError` naming ``what`` and the file (Python's errors name
    neither)."""
    try:
        if path.endswith(".gz"):
            with gzip.open(path, "rb") as f:
                raw = f.read()
        else:
            with open(path, "rb") as f:
                raw = f.read()
            if raw.startswith(b"\x1f\x8b"):  # gzip's mark: a .gz file named without it
                raw = gzip.decompress(raw)
            else:
                _check_not_compressed(raw, path, what)
        # utf-8-sig: the byte-order mark that Windows tools write is no cell;
        # UTF-16 with its mark is what Excel's "Unicode Text" saves (it was
        # refused as "not UTF-8 text: byte b'\xff' at offset 0")
        utf16 = raw.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE))
        with contextlib.suppress(UnicodeDecodeError):
            text = raw.decode("utf-16") if utf16 else None
            # a binary file that begins with the mark decodes too: as control
            # characters, stray marks, private or surrogate code points, and
            # without the ASCII that every table holds (digits, delimiters,
            # line ends)
            if text is not None and not _NOT_TEXT.search(text) and _ASCII.search(text):
                return _LINE_BOM.sub("", text)
        # a mark at the start of a later line: files that each have one, joined
        # (cat a.csv b.csv); its cell was "'\ufeff7' is not a number"
        return _LINE_BOM.sub("", raw.decode("utf-8-sig"))
    except UnicodeDecodeError as exc:
        why = (f"not UTF-8 text: byte {exc.object[exc.start:exc.start + 1]!r} at offset "
               f"{exc.start}{' of the decompressed data' if path.endswith('.gz') else ''}"
               f"{' (nor UTF-16, which its first two bytes mark)' if utf16 else ''}")
    except EOFError:  # gzip's stream ends before its end marker
        why = "the compressed file is cut short (truncated)"
    except (gzip.BadGzipFile, zlib.error) as exc:
        why = f"not a valid gzip file ({exc})"
    raise ValueError(f"{what}: cannot read {path}: {why}") from None


# the marks that begin a compressed file (pandas' to_csv compresses by the
# name's ending: .zip, .bz2, .xz, .zst), read as text 'not UTF-8 text: byte ...'
_COMPRESSED = ((rb"PK\x03\x04", "a zip archive", "unzip it"),
               (rb"BZh[1-9]1AY&SY", "bzip2-compressed", "bunzip2 it"),
               (rb"\xfd7zXZ\x00", "xz-compressed", "unxz it"),
               (rb"\x28\xb5\x2f\xfd", "zstd-compressed", "unzstd it"))


def _check_not_compressed(raw: bytes, path: str, what: str) -> None:
    for mark, kind, how in _COMPRESSED:
        if re.match(mark, raw):
            raise ValueError(f"{what}: {path} is {kind}, which is not read: {how}, or save it "
                             f"as text compressed with gzip (.gz; pandas: "
                             f"to_csv('name.csv.gz'))")


def _lines(path: str, numeric: bool = True,
           what: str = "table") -> tuple[list[str], str | None]:
    """The non-empty lines of a text table and its delimiter (``None``: runs
    of whitespace). A ``.csv`` / ``.tsv`` string table (labels) whose first
    line has no delimiter is one column, as any CSV reader has it (a ``.txt``
    one too: a list of class names, "big cat" beside "dog"); a numeric
    one is split on whitespace (``np.savetxt`` writes spaces whatever the
    file's name)."""
    every = _savetxt_comments(read_text(path, what).splitlines())
    lines = [ln for ln in every if ln.strip()]
    delimiter = None
    excel = _EXCEL_SEP.fullmatch(lines[0].strip(" ")) if lines else None
    if excel:
        # Excel's 'sep=;' line names the delimiter; read as a row, it made the
        # header a row of data ("'x' is not a number")
        every = every[every.index(lines[0]) + 1:]
        lines, delimiter = lines[1:], excel.group(1)
    elif lines and ("," in lines[0] or "\t" in lines[0] or ";" in lines[0]):
        try:
            delimiter = csv.Sniffer().sniff(lines[0], delimiters=",\t;").delimiter
        except csv.Error:
            delimiter = ","
    elif not numeric and path.lower().endswith((".csv", ".csv.gz", ".tsv", ".tsv.gz", ".txt",
                                                ".txt.gz")) \
            and (len({len(ln.split()) for ln in lines}) > 1
                 or any(_QUOTE.search(ln) for ln in lines)):
        # one column of labels may hold spaces or quotes: split on whitespace,
        # "big cat" and "small cat" were both the class "cat", '"cat"' kept its
        # quotes. Rows of one width with no quote stay split on whitespace: an
        # "id label" file written with spaces (np.savetxt, pandas sep=" ") is
        # two columns (labels of exactly two words each are read so too), and
        # so is one whose labels hold an apostrophe ("0 o'neill"), no quote
        delimiter = "\t" if ".tsv" in path.lower() else ","
    if not numeric and len(lines) < len(every) and all(len(r) == 1 for r in
                                                        _split(lines, delimiter)):
        # one column of labels: a blank line inside is a missing label (what
        # pandas writes for NaN), not a row to drop, which shifted every later one
        while every and not every[-1].strip():
            every.pop()
        first = next(i for i, ln in enumerate(every) if ln.strip())
        lines = every[first:]
    return lines, delimiter


_EXCEL_SEP = re.compile(r"sep=([,;\t|])")
# a double quote, or single ones around a cell ('big cat'); an apostrophe
# inside a word, ending or starting one (o'neill, james', '90s) is none
_QUOTE = re.compile(r"\"|(?<!\w)'.*'(?!\w)")


def _savetxt_comments(every: list[str]) -> list[str]:
    """The lines of a file without the ``# `` lines that ``np.savetxt``
    writes beyond a header row: of a header of several lines (``header="a,b,c
    \nunits: cm"``) the last whose cell count is the data's (none: all go),
    and the footer. Read as rows, the second header line was the first data
    row ('line 3 has 3 fields, expected 1'), and a footer a last row; a
    header of one line is the header row, as before."""
    full = [i for i, ln in enumerate(every) if ln.strip()]
    head = list(itertools.takewhile(lambda i: every[i].startswith("# "), full))
    tail = list(itertools.takewhile(lambda i: every[i].startswith("# "),
                                    reversed(full[len(head):])))
    if len(head) + len(tail) >= len(full) or (len(head) < 2 and not tail):
        return every
    data = every[full[len(head)]]
    sep = next((d for d in ",\t;" if d in data), None)
    width = len(data.split(sep))
    keep = [i for i in head if len(every[i][2:].split(sep)) == width][-1:]
    drop = set(head[1:] if len(head) < 2 else head) - set(keep) | set(tail)
    return [ln for i, ln in enumerate(every) if i not in drop]


def _split(lines: list[str], delimiter: str | None) -> list[list[str]]:
    if delimiter is None:
        return [ln.split() or [""] for ln in lines]
    return [[c.strip() for c in row] or [""] for row in csv.reader(lines, delimiter=delimiter)]


def _column_numbers_header(lines: list[str], delimiter: str | None, what: str,
                           path: str) -> bool | str:
    """``header="auto"`` of a numeric table whose first row is ``0,1,...,d-1``:
    the header pandas writes for a frame of unnamed columns
    (``DataFrame(X).to_csv(index=False)``), which, all numbers, read as a
    data row: one node more, whose features were the column numbers (and,
    with a labels file written alike, labelled by its header ``0``), without
    a word. Over rows of other numbers (a decimal point, an exponent, NaN) it
    is that header; over whole numbers it may be data (a one-hot row), so
    the user says which. A first row of other whole numbers in increasing or
    decreasing order over rows that each hold a decimal (numeric column
    names: wavelengths, years) was read as data too; it may be either, so
    the user says which. Other first rows: ``"auto"``, as before."""
    first = _split(lines[:1], delimiter)[0]
    if len(first) < 2:
        return "auto"
    say = "Say which: header=True or header=False (pyg-fusion: --header, --no-header)"
    if first != [str(j) for j in range(len(first))]:
        names = [int(c) for c in first if _WHOLE.fullmatch(c)]
        steps = {(b > a) - (b < a) for a, b in zip(names, names[1:])}
        if len(names) < len(first) or len(steps) != 1 or 0 in steps or len(lines) < 2 \
                or not all(_NOT_WHOLE.search(ln) for ln in lines[1:]):
            return "auto"
        raise ValueError(f"{what}: {path}'s first row is {','.join(first)}: whole numbers in "
                         f"{'increasing' if 1 in steps else 'decreasing'} order over rows of "
                         f"decimals: a header of numeric column names (wavelengths, years), "
                         f"or a row of data? {say}")
    if any(_NOT_WHOLE.search(ln) for ln in lines[1:]):
        return True
    raise ValueError(f"{what}: {path}'s first row is {','.join(first)}: the column numbers "
                     f"that pandas writes as a header, or a row of data? {say}")


_NOT_WHOLE = re.compile(r"[.eEnN]")
_WHOLE = re.compile(r"[+-]?\d+")


# the cells that say a value is missing (lower case): a label, or a
# feature that must be filled in
MISSING = {"", "nan", "na", "n/a", "none", "null", "?"}


def _missing(what: str, path: str, line: int, col: int, cell: str) -> ValueError | None:
    """The error of a feature cell that marks a missing value (``NA``,
    ``?``), which was called 'not a number' with advice about ids and
    headers; :obj:`None` for other cells (``nan`` is a number, checked as
    such; an empty cell has its own message)."""
    if cell.strip().lower() not in MISSING - {"nan", ""}:
        return None
    return ValueError(f"{what}: {path} line {line}, column {col} is {cell!r}, a missing value: "
                      f"features must be complete (fill in or drop the missing value)")


# pandas writes a bool column (get_dummies' since pandas 2.0) as True / False
_BOOLS = {"true": 1.0, "false": 0.0}


def number(cell: str) -> float:
    """``float(cell)`` without Python's digit separator ``_``, which no data
    file writes in a number: ids of the form ``1_2`` (subject 1, trial 2)
    were the numbers 12 (a feature column, a class ``12``), ``1_0`` and
    ``10`` one value."""
    if "_" in cell:
        raise ValueError(f"could not convert string to float: {cell!r}")
    return float(cell)


def to_float(cell: str) -> float:
    """A feature cell's value: a number (its minus sign may be U+2212), or
    ``True`` / ``False`` as 1 / 0 (both refused before as 'not a number',
    with advice about ids and headers)."""
    value = _BOOLS.get(cell.lower())
    # U+2212, the minus sign of typeset text and of some locales' exports
    return number(cell.replace("\u2212", "-")) if value is None else value


def _is_number(cell: str) -> bool:
    try:
        to_float(cell)
        return True
    except ValueError:
        return False


# a header cell that names a column of row ids (id, index, sample_id ...)
_ID_NAME = re.compile(r"(?i)(ids?|idx|index|rows?|row[ _.-]?(ids?|names?|no|nr)|"
                      r".+[ _.-](ids?|idx|no|nr))")


def header_says_index(head: list[str] | None, width: int) -> bool:
    """Whether the header ``head`` over rows of ``width`` cells makes column 0
    a candidate for row ids, whatever its cells: its cell is empty (what
    pandas writes over an unnamed index) or an id's name, or the header has
    one cell fewer than the rows (R's ``write.table``, which writes no name
    over its row names)."""
    return _unnamed_index(head, width) or (
        head is not None and width >= 2 and len(head) == width
        and bool(_ID_NAME.fullmatch(head[0])))


def _unnamed_index(head: list[str] | None, width: int) -> bool:
    """Whether ``head`` leaves column 0 of rows of ``width`` cells unnamed:
    its cell empty (pandas' unnamed index) or missing (R's row names)."""
    return head is not None and width >= 2 and (
        len(head) == width - 1 or (len(head) == width and head[0] == ""))


def _auto_index(rows, head, width: int, what: str, path: str,
                numeric: bool = True, file: str | None = None) -> int | None:
    """Column 0 holds row ids when its header cell is empty (what
    ``pandas.DataFrame.to_csv`` writes), when the header has one cell fewer
    than the rows (R's ``write.table``: as R's ``read.table`` reads it, and
    the row names were a feature column) or when none of its cells is a
    number; a column that mixes numbers and other cells is an error naming
    the first odd cell (a typo or an empty cell must not turn a feature column
    into ids). A column of whole numbers whose header names ids (``id``,
    ``index``, ``sample_id``: a data frame's index written with its name) may
    be either; in a table of features (``numeric``) it was a feature, the
    rows' numbers read by the model, so the user says which (a labels file
    keeps it as a column: its label is the last). ``file``: the hints' per-file
    form (:func:`index_col_arg`)."""
    def say(value, flag=False):
        return index_col_arg(value, file, flag)
    if width < 2:
        return None
    if _unnamed_index(head, width):
        return 0
    numbers = [_is_number(r[0]) for r in rows]
    if all(numbers):
        if numeric and header_says_index(head, width) and \
                all(_WHOLE.fullmatch(r[0]) for r in rows):
            raise ValueError(f"{what}: {path}'s column 0 is named {head[0]!r} and holds whole "
                             f"numbers: row ids, or a feature? Say which: {say(0)} or "
                             f"{say(None)} (pyg-fusion: {say(0, True)}, {say(None, True)})")
        return None
    if not any(numbers):
        seen: dict[str, int] = {}
        for i, r in enumerate(rows):
            if numeric and r[0] in seen and not header_says_index(head, width):
                # ids are unique: a column of categories ('red', 'blue') was
                # dropped as ids without a word, where column 1 was refused
                lines = [j + 1 + (head is not None) for j in (seen[r[0]], i)]
                raise ValueError(f"{what}: {path}'s column 0 holds no number, which makes it "
                                 f"row ids, but {r[0]!r} is on lines {lines[0]} and {lines[1]}: "
                                 f"a feature of categories? Write it as numbers (one-hot: "
                                 f"pandas.get_dummies), or pass {say(0)} if it holds row ids "
                                 f"(pyg-fusion: {say(0, True)})")
            seen.setdefault(r[0], i)
        return 0
    n_num, n_text = numbers.count(True), numbers.count(False)
    if n_text <= n_num:
        odd = numbers.index(False)
        missing = _missing(what, path, odd + 1 + (head is not None), 0, rows[odd][0])
        if missing is not None:
            raise missing
        why = f"is not a number while {n_num} other cells of column 0 are"
    else:
        odd = numbers.index(True)
        why = f"is a number while {n_text} other cells of column 0 are not"
    line = odd + 1 + (head is not None)
    raise ValueError(f"{what}: {path} line {line}, column 0: {rows[odd][0]!r} {why}; pass "
                     f"{say(0)} if column 0 holds row ids, {say(None)} if it holds features "
                     f"(pyg-fusion: {say(0, True)}, {say(None, True)}), or fix the cell")


def _id_form(cell: str) -> str:
    return re.sub(r"\d+", "0", cell)


def _auto_header(rows: list[list[str]], index_col) -> bool:
    """Whether the first row is a header: one of its cells is not a number.
    With an index column given (``index_col`` a column number), its cell is
    judged against the column's ids instead: a header's when it is empty,
    not a number over numeric ids, or of a form (digits aside) that none of
    the ids has (``id`` over ``s0``, ``s1``, ...); a first row of string ids
    (``s0,0.5,1.5``) is then data, and a header of column numbers
    (``id,0,1``) still a header."""
    first = rows[0]
    if not (isinstance(index_col, int) and not isinstance(index_col, bool)
            and 0 <= index_col < len(first) and len(rows) > 1):
        return not all(_is_number(c) for c in first)
    if not all(_is_number(c) for j, c in enumerate(first) if j != index_col):
        return True
    cell = first[index_col]
    ids = [r[index_col] for r in rows[1:] if index_col < len(r)]
    if cell == "" or _is_number(cell):
        return cell == ""
    if all(_is_number(i) for i in ids):
        return True
    return _id_form(cell) not in {_id_form(i) for i in ids}


def check_header_width(head: list[str], rows: list[list[str]], index_col, auto: bool,
                       what: str, path: str, file: str | None = None) -> None:
    """Refuses a header row of another width than the data rows: the rows'
    width was read and the header's names went to other columns (or none),
    without a word. A header one name short is R's ``write.table`` over its
    row names (column 0 the ids), read so where column 0 looks like row names
    (unique, no fractions) or ``index_col`` says it holds ids. ``file``: the
    hints' per-file form (:func:`index_col_arg`)."""
    width = len(rows[0])
    if head[0] == "#" and len(head) == width + 1:
        head.pop(0)  # np.savetxt's header over numbers split on spaces: '# a b c'
    if len(head) == width:
        return
    col0 = [r[0] for r in rows]
    fraction = next((c for c in col0 if _is_number(c) and not float(to_float(c)).is_integer()),
                    None)
    row_names = fraction is None and len(set(col0)) == len(col0)
    if len(head) == width - 1 and index_col is not None and (not auto or row_names):
        return
    said = (f"{what}: {path}'s header row names {len(head)} column(s), its data rows hold "
            f"{width} fields (line 2)")
    if len(head) == width - 1 and index_col is None:
        why = (f"R's write.table writes a header one name short over its row names: pass "
               f"{index_col_arg(0, file)} if column 0 holds row ids (pyg-fusion: "
               f"{index_col_arg(0, file, True)}), else give the header a name for every column")
    elif len(head) == width - 1:
        odd = (f"holds {fraction!r}, a fraction" if fraction is not None else
               "repeats a value")
        why = (f"a header one name short is R's write.table over its row names, but column 0 "
               f"{odd}: no row names; give the header a name for every column")
    elif len(head) > width and not any(head[width:]):
        why = ("its last cell(s) are empty: a delimiter at the end of the header line? "
               "Remove it")
    else:
        why = ("give the header one name per column, or pass header=False if the file has "
               "none (pyg-fusion: --no-header)")
    raise ValueError(f"{said}: {why}")
