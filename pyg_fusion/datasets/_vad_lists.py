"""The list files of a VAD feature set (:class:`~pyg_fusion.datasets.VADLayout`'s
``train_list`` / ``test_list``) as rows of cells, and the values of their
label column."""
from __future__ import annotations

import csv
import math

from ._text import read_text

# Label-column values of a normal video besides normal_pattern's matches
# (0/1 columns, True/False as pandas writes booleans, no/yes or N/Y of an
# is_anomaly column, and "A": XD-Violence's normal class in VadCLIP's CSVs,
# whose abnormal ones are "B1-0-0", ...).
_NORMAL_VALUES = {"0", "0.0", "false", "no", "n", "a"}
# a list's header row (a spreadsheet's or pandas' column names), read as a
# video of that name otherwise
_LIST_HEADER = {"path", "label", "name", "video", "feature", "features", "file", "filename",
                "file_name", "filepath", "file_path", "feature_path", "video_name",
                "video_path", "videos", "paths", "labels", "class", "category", "target",
                "is_anomaly"}

# the files a list may name its videos by (UCF-Crime's Anomaly_Train.txt:
# Abuse/Abuse028_x264.mp4), whose features are named by the video
VIDEO_EXTENSIONS = (".mp4", ".avi", ".mkv", ".mov", ".webm", ".mpg", ".mpeg", ".m4v", ".wmv",
                    ".flv", ".3gp")


def list_rows(path: str) -> list[list[str]]:
    """The rows of a list file: its entry (a feature path or a video name)
    first, then its label cells; a header line of header words and ``#``
    comment lines skipped."""
    # a '# ...' line (a note on the split, a commented-out video) was read as a
    # video: 'file not found', or with a comma in it a label column on one line
    lines = [ln.strip() for ln in read_text(path, "list file").splitlines()
             if ln.strip() and not ln.lstrip().startswith("#")]
    # read as CSV: a quoted cell ("i3d/a.npy","Abuse", as csv.writer or a
    # spreadsheet writes) kept its quotes, the video 'a.npy"' found in no file
    # a list saved as TSV or with ';' (a spreadsheet's export in some
    # locales) was one column: 'a.npy<TAB>0' the video's name, its label lost
    delimiter = next((d for d in "\t;" if all(d in ln for ln in lines)
                      and not any("," in ln for ln in lines)), ",")
    rows = [[c.strip() for c in row] for row in csv.reader(lines, delimiter=delimiter)]
    if len(rows) > 1 and len(rows[0]) > 1 and not rows[0][0] and rows[0][1] and \
            {c.lower() for c in rows[0][1:]} <= _LIST_HEADER and \
            all(len(r) == len(rows[0]) and r[0].isdigit() for r in rows[1:]):
        # pandas' to_csv without index=False: ',path,label' over '0,a.npy,0' made
        # the row numbers the videos ('0'), the path part of the label
        rows = [r[1:] for r in rows]
    head = rows[:1] if rows and {c.lower() for c in rows[0][0].split()} <= _LIST_HEADER \
        else []
    if rows[len(head):] and all(len(r) == 1 and len(r[0].split()) > 1
                                and r[0].split()[0].endswith(".npy")
                                for r in rows[len(head):]):
        # 'i3d/a.npy 1' (a list written with spaces) was the video 'a.npy 1',
        # its label lost: a path that ends at .npy before a space is the entry
        rows = [r[0].split() for r in rows]
    for row in rows:
        # a delimiter at the end of each line (spreadsheets write one) made
        # the label '0,': no normal value, so every video was abnormal
        while len(row) > 1 and not row[-1]:
            row.pop()
    if rows and {c.lower() for c in rows[0]} <= _LIST_HEADER:
        rows = rows[1:]
    return rows


def _zero(label: str) -> bool:
    """Whether ``label`` is the number 0 in any form (``0.00`` of a format
    ``%.2f``, ``0e0``), which was abnormal unless written ``0`` or ``0.0``."""
    try:
        return float(label) == 0
    except ValueError:
        return False


def _numbers(column: list[str]) -> list[str] | None:
    """The distinct values of a label column of numbers, one cell each
    (``1`` and ``1.0`` one value), in numeric order; :obj:`None` where a cell
    is no number."""
    values: dict[float, str] = {}
    for c in column:
        try:
            values.setdefault(float(c), c.strip())
        except ValueError:
            return None
    return [values[v] for v in sorted(values)]


def _check_label_numbers(column: list[str], where: str, named: bool = False) -> None:
    """Refuses the numbers of a label column that ``labels="list"`` would read
    as abnormal without a word, as it does any value that is not normal: a
    -1, which is abnormal to scikit-learn's outlier detectors (their normal is
    1) and normal to a -1 / 1 classifier's labels (every video was abnormal),
    unless ``named`` (normal_pattern matches a value of the column, e.g.
    ``'^1$'``: the user said which reading), and a fraction (``0.5``: a soft
    or averaged label)."""
    values = {}
    for c in column:
        try:
            values.setdefault(float(c), c.strip())
        except ValueError:
            continue
    if -1.0 in values and not named:
        others = sorted(set(c.strip() for c in column) - {values[-1.0]})
        raise ValueError(f"{where} holds -1{f' beside {others[:4]}' if others else ''}: "
                         f"scikit-learn's outlier detectors (IsolationForest, OneClassSVM) "
                         f"mark an anomaly -1 and a normal sample 1, a -1 / 1 classifier's "
                         f"labels mark a normal sample -1; write the column as 0 (normal) / "
                         f"1 (abnormal), or name the normal value with normal_pattern='^1$' or "
                         f"'^-1$' (pyg-fusion: --vad-normal-pattern)")
    frac = [c for v, c in values.items() if math.isfinite(v) and not v.is_integer()]
    if frac:
        raise ValueError(f"{where} holds {frac[0]!r}, a fraction: a video's label is 0 "
                         f"(normal) or 1 (abnormal) (or a class name); threshold the values "
                         f"first")
