"""The plain values that the plotting functions take (numbers, switches, a
JSON input given as a path), checked with errors that name the argument."""
from __future__ import annotations

import os

from .. import _files
from .._option_rules import is_int
from ..functional._checks import check_flag  # noqa: F401  (the plotting functions' import)


def check_label_names(label_names) -> None:
    """``label_names`` is None, a dict ``{label: name}`` or a sequence of
    names indexed by label: a string indexed by label named each class by a
    letter of it (``"cat"``: class 0 ``"c"``), with no word."""
    if isinstance(label_names, str):
        raise TypeError(f"label_names must be a sequence of names or a dict {{label: name}}, "
                        f"got the string {label_names!r}: pass [{label_names!r}]")


def class_name(names, label):
    """The name ``names`` gives the class ``label`` (a dict by key, a sequence
    by index), else ``label`` itself: a negative label (an unlabelled node,
    ``-1``) indexes no sequence, where Python's ``names[-1]`` named it after
    the last class."""
    if names is None:
        return label
    if not isinstance(names, dict) and not (is_int(label) and 0 <= label < len(names)):
        return label
    try:
        return names[label]
    except (KeyError, IndexError, TypeError):
        return label


def data_class_names(data, label_names):
    """``label_names``, else the names of the classes that ``data`` keeps
    (``class_names``, as :class:`~pyg_fusion.datasets.MultiViewTables` stores
    the labels a user gave): a figure whose labels come from ``data.y``
    names the classes as the user did, not by their ids; its label ``-1``
    (MultiViewTables' row without a label) as ``"unlabelled"``."""
    if label_names is not None:
        return label_names
    names = data.get("class_names")
    if not (isinstance(names, (list, tuple)) and all(isinstance(n, str) for n in names)):
        return None
    return {-1: "unlabelled", **dict(enumerate(names))}


def check_once(name: str, values, what: str) -> None:
    """Each entry of ``values`` once: a repeated metric drew its panel twice, a
    repeated P labelled two rows alike, an Axes given twice took two panels."""
    values = list(values)
    for i, v in enumerate(values):
        if v in values[:i]:
            raise ValueError(f"{name} must {what} once, got {v!r} {values.count(v)} times")


def read_json(name: str, value):
    """``value`` parsed from its JSON file when it is a path (str or
    os.PathLike), else as given; a missing or unreadable file is an error
    naming the argument ``name`` (:func:`pyg_fusion._files.read_json`)."""
    if not isinstance(value, (str, os.PathLike)):
        return value
    return _files.read_json(value, name)
