"""The labels of a user's tables (:class:`~pyg_fusion.datasets.MultiViewTables`):
their classes, the rows without a label, and the label files refused for
what they would be read as."""
from __future__ import annotations

from typing import Sequence

import numpy as np
import torch

from .._notices import notice
from .._option_rules import is_int
from ._io import Table
from ._text import MISSING as _MISSING, number


def encode_labels(labels: Sequence[str]) -> tuple[torch.Tensor, list[str]]:
    """Map label strings to class ids ``0..C-1`` (numbers in numeric order,
    otherwise in sorted order); missing labels (empty, ``nan``, ``NA``, ``?``)
    become ``-1``. Returns ``(y, class_names)``."""
    present = sorted({s for s in labels if s.strip().lower() not in _MISSING})
    try:
        value = {s: number(s) for s in present}
    except ValueError:
        value = None
    if value is None:
        names = present
        ids = {s: i for i, s in enumerate(names)}
    else:  # "1" and "1.0" are one class
        uniq = sorted(set(value.values()))
        names = [str(int(v)) if v.is_integer() else repr(v) for v in uniq]
        # a dict, not uniq.index per label: a column of 20,000 distinct values
        # (continuous ones, refused later) took 6 s, quadratic in them
        rank = {v: i for i, v in enumerate(uniq)}
        ids = {s: rank[v] for s, v in value.items()}
    y = torch.tensor([ids.get(s, -1) for s in labels], dtype=torch.long)
    return y, names


def _check_unlabelled(value) -> str | None:
    """``unlabelled`` as a label's text (a number given as an int), ``"auto"``
    or :obj:`None`."""
    if is_int(value):
        return str(int(value))
    if value is None or (isinstance(value, str) and value.strip()):
        return value if value is None else value.strip()
    raise ValueError(f"unlabelled (pyg-fusion: --unlabelled) must be a label (e.g. '-1'), "
                     f"'auto' or None (pyg-fusion: none), got {value!r}")


def _number(label: str) -> float | None:
    try:
        return number(label)
    except ValueError:
        return None


def _unlabel(labels: list[str], unlabelled: str | None, lab: Table, col: int) -> list[str]:
    """``labels`` with the rows of the label ``unlabelled`` made missing
    (numbers compare by value: ``-1.0`` is ``-1``). Under ``"auto"`` a -1
    among labels of numbers, beside others than 1 and no other negative one,
    is refused: scikit-learn's semi-supervised estimators mark an unlabelled
    row so, and -1, 0, 1 (sentiment) are classes; read as one class of the
    others, it was trained on as a class without a word."""
    if unlabelled is None:
        return labels
    if unlabelled != "auto":
        mark = _number(unlabelled)
        return ["" if s.strip() == unlabelled or (mark is not None and _number(s) == mark)
                else s for s in labels]
    present = {s.strip() for s in labels if s.strip().lower() not in _MISSING}
    values = {_number(s) for s in present}
    if None in values or -1.0 not in values or min(values) < -1 or values == {-1.0, 1.0}:
        return labels
    width = lab.values.shape[1]
    others = sorted(values - {-1.0})
    shown = ", ".join(str(int(v)) if v.is_integer() else repr(v) for v in others[:4])
    raise ValueError(f"labels: {lab.path}'s label column (column {col % width} of {width}) "
                     f"holds -1 beside {shown}{', ...' if len(others) > 4 else ''}: "
                     f"scikit-learn's mark of an unlabelled row (semi-supervised learning), "
                     f"or a class (as in -1, 0, 1)? Say which: unlabelled='-1' (rows without "
                     f"a label, in no split) or unlabelled=None (a class) (pyg-fusion: "
                     f"--unlabelled -1, --unlabelled none)")


def _no_label(lab: Table, col: int) -> str:
    """Why the labels file ``lab`` gives no row a label: its label column is
    empty in every row (a trailing delimiter on each line, as spreadsheets
    export, makes an empty last column) or missing (``NA``, ``?``) in every
    row."""
    width = lab.values.shape[1]
    where = (f"its label column (label_column={col}: column {col % width}"
             f"{', the last' if 1 < width == col % width + 1 else ''} of {width})")
    if all(not str(c).strip() for c in lab.values[:, col]):
        trailing = " (a delimiter at the end of each line makes an empty last column: " \
                   "remove it)" if (width > 1 or lab.index is not None) and \
            col % width == width - 1 else ""  # beside an index column: width 1
        return f"labels: {lab.path} holds no label: {where} is empty in every row{trailing}"
    return (f"labels: {lab.path} holds no label: {where} is missing in every row "
            f"({', '.join(repr(m) for m in sorted(_MISSING) if m)} or empty)")


def _check_not_one_hot(lab: Table, col: int) -> None:
    """Labels one-hot encoded (``[n, C]`` of 0 / 1, one 1 per row, ``C >= 3``)
    gave ``label_column`` one of their columns: a two-class task of one class
    against the rest, without a word (two columns are safe: the last is the
    class id)."""
    values = lab.values
    if values.shape[1] < 3:
        return
    try:
        numbers = values.astype(np.float64)
    except ValueError:
        return
    if np.isin(numbers, (0, 1)).all() and (numbers.sum(axis=1) == 1).all():
        raise ValueError(f"labels: {lab.path} holds {values.shape[1]} columns of 0 / 1 with "
                         f"one 1 in every row: one-hot labels, of which label_column={col} "
                         f"would read one column as a two-class label; save one column of "
                         f"class labels (np.argmax(Y, axis=1), or pandas' idxmax(axis=1))")


def notice_label_column(name: str, table: Table, x: torch.Tensor, y: torch.Tensor,
                        index_col) -> None:
    """Notices the first column of the view ``name`` (``x``, its values, read
    from ``table`` with ``index_col``) that recodes the labels ``y``: one value
    in each class, another in each (the labels themselves, or ``1 - y``, a
    class's code), over classes of two or more labelled rows. The model read
    the label as a feature, its scores perfect, without a word (a table
    exported with its label column, a view cut from the labels file's
    frame). A notice, not an error: a feature may be so on few rows."""
    known = y >= 0
    yk, xk = y[known], x[known]
    counts = torch.bincount(yk)
    present = counts > 0
    if int(present.sum()) < 2 or int(counts[present].min()) < 2 or xk.size(1) == 0:
        return
    index = yk.view(-1, 1).expand_as(xk)
    shape = (counts.numel(), xk.size(1))
    lo = torch.full(shape, float("inf"), dtype=xk.dtype).scatter_reduce(0, index, xk, "amin")
    hi = torch.full(shape, -float("inf"), dtype=xk.dtype).scatter_reduce(0, index, xk, "amax")
    lo, hi = lo[present], hi[present]
    ranked = lo.sort(0).values
    hits = ((lo == hi).all(0) & (ranked[1:] != ranked[:-1]).all(0)).nonzero().view(-1)
    if hits.numel() == 0:
        return
    j = int(hits[0])
    col = j if table.index is None else j + (j >= (0 if index_col == "auto" else index_col))
    named = (f" ({table.header[j]!r})" if table.header is not None
             and len(table.header) == xk.size(1) else "")
    notice(f"view {name!r}: column {col}{named} of {table.path} holds one value per class, "
           f"another for each: the labels (or a code of them), which the model reads as a "
           f"feature (label leakage: its scores are no measure); leave that column out of "
           f"the view")


def notice_case_classes(names: list[str], path: str) -> None:
    """Notices classes whose names differ only in case (``Yes`` / ``yes``,
    ``Cat`` / ``cat``: a hand-edited or joined labels file): two classes, as
    read, where they may be one, without a word."""
    seen: dict[str, str] = {}
    for name in names:
        other = seen.setdefault(name.casefold(), name)
        if other != name:
            notice(f"labels: {path}'s classes {other!r} and {name!r} differ only in case: two "
                   f"classes, as read; if they are one, write them alike")
            return
