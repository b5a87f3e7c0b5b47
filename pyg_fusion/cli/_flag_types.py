"""The argparse types of the flags' values that :mod:`pyg_fusion.cli`
does not declare itself (those of numbers and paths are in
:mod:`pyg_fusion.cli._basic_types`): each parses one flag's text and raises
:class:`argparse.ArgumentTypeError` naming what was expected, and
:data:`CHECKS` / :data:`FIELD_TYPES` map a config field to its type.
"""
from __future__ import annotations

import argparse
import dataclasses
import re

from ._basic_types import (_number, finite_float, fraction, nonneg_float, nonneg_int, out_folder,
                           positive_float, positive_int, seed_int, user_path)
from ._process import worker_count


def rate(text: str) -> float:
    return _number(float, text, lambda v: 0 < v <= 1, "a number in (0, 1]")


def abnormal_counts(text: str) -> int | dict[str, int]:
    """``"N"`` (both splits) or ``"TRAIN,TEST"`` -> ``num_abnormal`` of
    :class:`~pyg_fusion.datasets.VADLayout`."""
    try:
        counts = [int(v) for v in str(text).split(",")]
    except ValueError:
        counts = []
    if len(counts) not in (1, 2) or min(counts) < 0:
        raise argparse.ArgumentTypeError(f"expected N or TRAIN,TEST (integers >= 0), got "
                                         f"{text!r}")
    return counts[0] if len(counts) == 1 else {"train": counts[0], "test": counts[1]}


def four_ints(text: str) -> tuple[int, ...]:
    """``"3,4,6,3"`` -> 4 positive ints (a ResNet's blocks per stage)."""
    try:
        vals = tuple(int(v) for v in text.split(","))
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected comma-separated ints, got {text!r}") from None
    if len(vals) != 4 or min(vals) < 1:
        raise argparse.ArgumentTypeError(f"expected 4 positive ints, got {text!r}")
    return vals


def nonneg_int_or_auto(text: str) -> int | str:
    """``"auto"`` or an int >= 0 (``--operator-warmup``)."""
    return "auto" if str(text) == "auto" else _number(int, text, lambda v: v >= 0,
                                                      "an integer >= 0 or auto")


def per_source(check, unit: str = "source"):
    """The flag type of a field that holds one value or one per source
    (``num_powers: int | dict[str, int]``): ``"3"`` -> ``check("3")``,
    ``"c3d=1,i3d=2"`` -> ``{"c3d": 1, "i3d": 2}``, each value through
    ``check``. The per-source form is what a sweep's cell records, so that
    its config reads back with ``--config``. ``unit`` names what the keys
    are in the error (``"file"``: ``--index-col``'s)."""
    def one_or_per_source(text: str):
        text = str(text)
        if "=" not in text:
            return check(text)
        out = {}
        for item in text.split(","):
            name, _, value = (part.strip() for part in item.partition("="))
            if not name or not value or name in out:
                raise argparse.ArgumentTypeError(
                    f"expected N or {unit.upper()}=N,{unit.upper()}=N,... (one value per "
                    f"{unit}, each {unit} once), got {text!r}")
            out[name] = check(value)
        return out
    return one_or_per_source


def _per_source(f: dataclasses.Field | None) -> bool:
    """Whether the option field ``f`` may hold one value per source or file
    (its ``per`` metadata: ``num_powers``, ``index_col``); not every dict a
    field holds is one (``vad_num_abnormal``'s ``{train, test}``, which the
    per-source form took as ``--vad-num-abnormal foo=3``: ``{foo: 3}``)."""
    return f is not None and "per" in f.metadata


def index_column(text: str) -> int | str:
    """``"auto"``, ``"none"`` or a column number >= 0 (``--index-col``)."""
    return str(text) if str(text) in ("auto", "none") else _number(
        int, text, lambda v: v >= 0, "a column number >= 0, none or auto")


def input_path(text: str) -> str:
    """argparse type of an input file's path (``--views``, ``--labels``, the
    ``--vad-*`` files, ``--pretrained``, ``--val-data``, ``--inception``):
    anything but an empty path (an unset shell variable), which would name
    the folder that the path is relative to (the current one, or ROOT/raw)
    and fail there as an OSError naming that folder, or read as not given
    (no pretrained weights, no validation folder); ``~`` expanded
    (:func:`~pyg_fusion.cli.user_path`), in a view's ``NAME=~/FILE`` too."""
    if not text.strip():
        raise argparse.ArgumentTypeError("expected a file, got an empty path")
    name, sep, path = text.partition("=")
    if sep and re.fullmatch(r"[A-Za-z0-9_]+", name) and path.startswith("~"):
        return f"{name}={user_path(path)}"  # a view's NAME=FILE
    return user_path(text)


def regular_expression(text: str) -> str:
    """argparse type of ``--vad-normal-pattern``: a regular expression, as
    Python's :mod:`re` compiles it (``(`` passed ``--print-config`` and the
    run refused it once the data loaded, naming ``normal_pattern``)."""
    try:
        re.compile(text)
    except re.error as exc:
        raise argparse.ArgumentTypeError(f"expected a regular expression, got {text!r} "
                                         f"({exc})") from None
    return text


def method_text(text: str) -> str:
    """argparse type of ``--method`` (a name, or train's / compare's comma
    separated names): anything but an empty value (an unset shell variable),
    which evaluate read as not given (the checkpoint's method, unchecked) and
    train / compare refused as 'no method given', naming no flag."""
    if not text.strip(" ,"):
        raise argparse.ArgumentTypeError(f"expected a method name, got {text!r}")
    return text


CHECKS = {"positive_int": positive_int, "nonneg_int": nonneg_int,
          "nonneg_int_or_auto": nonneg_int_or_auto,
          "positive_float": positive_float, "nonneg_float": nonneg_float,
          "fraction": fraction, "float": finite_float, "int": int, "rate": rate,
          "abnormal_counts": abnormal_counts, "four_ints": four_ints,
          "index_col": index_column}
# Fields of one name in several configs (graph and image tasks) checked at
# parsing, naming the flag: an empty --root (an unset shell variable) would
# put the data in the current folder and a file there fails later as an
# OSError naming ROOT/<dataset>; a seed >= 2**32 fails in numpy once the data
# loads; an empty input file (an unset shell variable) names the folder it is
# relative to, or reads as not given; a count of loader workers far beyond the
# CPUs starts processes until the machine runs out (a hang); a regular
# expression that does not compile failed once the data had loaded.
FIELD_TYPES = {"root": out_folder, "seed": seed_int, "data_seed": seed_int,
               "workers": worker_count, "vad_normal_pattern": regular_expression,
               **dict.fromkeys(("views", "labels", "vad_train_list", "vad_test_list", "vad_gt",
                                "pretrained", "val_data", "inception"), input_path)}
