"""The argparse types of the numbers and paths that every command's flags
take (re-exported by :mod:`pyg_fusion.cli`): each parses one flag's text
and raises :class:`argparse.ArgumentTypeError` naming what was expected;
:mod:`pyg_fusion.cli._flag_types` builds the rest on them."""
from __future__ import annotations

import argparse
import os


def _number(kind, text: str, ok, expected: str):
    try:
        v = kind(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected {expected}, got {text!r}") from None
    if not ok(v):
        raise argparse.ArgumentTypeError(f"expected {expected}, got {v}")
    return v


def positive_int(text: str) -> int:
    return _number(int, text, lambda v: v >= 1, "a positive integer")


def nonneg_int(text: str) -> int:
    return _number(int, text, lambda v: v >= 0, "an integer >= 0")


def positive_float(text: str) -> float:
    return _number(float, text, lambda v: v > 0 and v != float("inf"),
                   "a positive finite number")


def _creatable(text: str) -> None:
    from .._files import existing_ancestor
    parent = existing_ancestor(text)
    if not os.path.isdir(parent):
        raise argparse.ArgumentTypeError(f"{parent} is a file, so {text} cannot be created")


def seed_int(text: str) -> int:
    # numpy's seeds are 32-bit: a larger one fails only once the data loads
    return _number(int, text, lambda v: 0 <= v < 2 ** 32, "an integer >= 0 and < 2**32")


def finite_float(text: str) -> float:
    return _number(float, text, lambda v: abs(v) != float("inf") and v == v,
                   "a finite number")


def nonneg_float(text: str) -> float:
    return _number(float, text, lambda v: 0 <= v < float("inf"), "a finite number >= 0")


def fraction(text: str) -> float:
    return _number(float, text, lambda v: 0 <= v < 1, "a number in [0, 1)")


def user_path(text: str) -> str:
    """``text`` with a leading ``~`` expanded, as a shell does it to a word
    but not to a quoted path or a ``--config`` file's (``out: ~/runs``),
    which made a folder named ``~`` in the current one, where the datasets'
    ``root`` expands it (as PyG's): one meaning of ``~`` for every path."""
    return os.path.expanduser(text)


def out_folder(text: str) -> str:
    """argparse type of an output folder: anything but an existing file (or a
    path under one), nor an empty path (an unset shell variable: the current
    folder); ``~`` expanded (:func:`user_path`)."""
    if not text.strip():
        raise argparse.ArgumentTypeError("expected a folder, got an empty path")
    text = user_path(text)
    if os.path.exists(text) and not os.path.isdir(text):
        raise argparse.ArgumentTypeError(f"{text} is an existing file; expected a folder "
                                         "(existing or to be created)")
    _creatable(text)
    return text


def out_file(text: str) -> str:
    """argparse type of an output file: anything but an existing folder (or a
    path under a file), nor an empty path; ``~`` expanded (:func:`user_path`)."""
    if not text.strip():
        raise argparse.ArgumentTypeError("expected a file path, got an empty path")
    text = user_path(text)
    if os.path.isdir(text):
        raise argparse.ArgumentTypeError(f"{text} is a folder; expected a file path")
    _creatable(text)
    return text
