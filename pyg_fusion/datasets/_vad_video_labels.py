"""The labels of a VAD feature set's videos (:func:`video_labels`): normal
or abnormal by list position, by name or by the list's label column, as
:class:`~pyg_fusion.datasets.VADLayout` says, and the refusals of a
labelling that would make every video abnormal without a word."""
from __future__ import annotations

import re
from typing import TYPE_CHECKING

from ._vad_lists import _NORMAL_VALUES, _check_label_numbers, _numbers, _zero

if TYPE_CHECKING:  # vad_layout imports this module
    from .vad_layout import VADLayout


def _naming(column: list[str]) -> str:
    """The way out of a label column of two values, neither normal to the
    reader ('benign' / 'anomaly'), where labels='list' alone made every video
    abnormal."""
    values = sorted({c.strip() for c in column})
    if len(values) != 2:
        return ""
    return (f"its values are {values[0]!r} and {values[1]!r}: if one marks normal videos, "
            f"name it with normal_pattern='^{re.escape(values[0])}$' or "
            f"'^{re.escape(values[1])}$' (pyg-fusion: --vad-normal-pattern); else ")


def _naming_id(ids: list[str]) -> str:
    return (f"if one marks normal videos, name it with normal_pattern='^{re.escape(ids[0])}$' "
            f"(or another id; pyg-fusion: --vad-normal-pattern); else ")


def video_labels(layout: VADLayout, split: str, names: list[str], column: list[str] | None,
                 domain: str) -> list[int | None]:
    """The labels (0 normal, 1 abnormal) of the videos ``names`` of the
    ``split`` of ``layout``, in list order, as ``layout.labels`` says: by
    list position, by name, or from the list's label ``column`` (``"none"``:
    ``None`` each, videos without a label); a labelling
    that cannot be what the user meant (every video abnormal, class ids, a
    count the column contradicts) is refused. ``domain``: how errors name
    the layout (``VADFeatures._domain_label``)."""
    mode = layout.labels
    if mode == "none":  # videos to score, whose labels are not known
        return [None] * len(names)
    count = layout.abnormal_count(split)
    if mode == "auto":
        mode = "list" if column is not None else ("position" if count is not None
                                                   else "name")
        auto_name = mode == "name"
    else:
        auto_name = False
    normal = re.compile(layout.normal_pattern)
    if mode == "position":
        if count is None or not 0 <= count <= len(names):
            raise ValueError(f"{domain}: labels='position' needs num_abnormal "
                             f"in [0, {len(names)}] for the {split} split, got "
                             f"{count}: the number of abnormal videos at the head of the "
                             f"list (pyg-fusion: --vad-num-abnormal N, or TRAIN,TEST)")
        return [int(i < count) for i in range(len(names))]
    if mode == "list":
        if column is None:
            raise ValueError(f"{domain}: labels='list' but the {split} list "
                             f"has no label column: write 'path,label' lines, or label "
                             f"by position or name (pyg-fusion: --vad-labels)")
        named = any(normal.search(c) for c in column)
        _check_label_numbers(column, f"{domain}: its label column", named=named)
        ids = _numbers(column)
        # a column of numbers whose normal value normal_pattern names: that
        # value alone is normal (a 0 among class ids was normal too)
        out = [0 if (normal.search(c) or (not (named and ids) and (
            c.strip().lower() in _NORMAL_VALUES or _zero(c)))) else 1 for c in column]
        if ids is not None and len(ids) > 2 and not named:
            # class ids (UCF-Crime's 14 classes): 0 read as normal, the others
            # abnormal, where their 0 may be a crime and Normal another id
            shown = ", ".join(ids[:4]) + (", ..." if len(ids) > 4 else "")
            raise ValueError(f"{domain}: the {split} list's label column holds "
                             f"{len(ids)} numbers ({shown}): class ids? 0 would be read as "
                             f"normal and the others abnormal; name the normal videos' id "
                             f"with normal_pattern, e.g. '^{re.escape(ids[0])}$' "
                             f"(pyg-fusion: --vad-normal-pattern), or write the column as "
                             f"0 (normal) / 1 (abnormal)")
        if all(out) and ids is not None and len(ids) > 1:
            # 1 / 2 (class ids counted from 1: MATLAB's, a spreadsheet's) read as
            # 'not 0', every video abnormal, under labels='list' without a word
            shown = ", ".join(ids[:4]) + (", ..." if len(ids) > 4 else "")
            raise ValueError(f"{domain}: the {split} list's label column holds the "
                             f"numbers {shown} and no 0 (normal), so every video would "
                             f"be abnormal: class ids counted from 1? "
                             f"{_naming(column) or _naming_id(ids)}write the column as "
                             f"0 (normal) / 1 (abnormal)")
        if layout.labels == "auto" and all(out):
            raise ValueError(f"{domain}: no label in the {split} list's "
                             f"label column is normal (a match of normal_pattern="
                             f"{layout.normal_pattern!r}, or 0 / false / no / A), so every "
                             f"video would be abnormal; {_naming(column)}give "
                             f"labels='list' to accept it (pyg-fusion: --vad-labels list)")
        if (layout.labels == "auto" and count is not None
                and out != [int(i < count) for i in range(len(names))]):
            # the column wins; a count that says otherwise would be recorded unread
            raise ValueError(f"{domain}: the {split} list's label column "
                             f"makes {sum(out)} of {len(names)} videos abnormal, not the "
                             f"first num_abnormal={count}; labels='auto' reads the "
                             f"column: drop num_abnormal, or give labels='position' to "
                             f"label by it (pyg-fusion: --vad-num-abnormal, --vad-labels "
                             f"position)")
        return out
    out = [0 if normal.search(n) else 1 for n in names]
    if auto_name and all(out):
        raise ValueError(f"{domain}: no video name matches normal_pattern="
                         f"{layout.normal_pattern!r}, so every video would be abnormal; "
                         f"give num_abnormal (list position), a label column, or "
                         f"labels='name' to accept it (pyg-fusion: --vad-num-abnormal, "
                         f"--vad-labels name)")
    return out
