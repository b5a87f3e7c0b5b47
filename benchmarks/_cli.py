"""What every script of ``benchmarks/`` does with its command line: numbers
checked at parsing, output paths checked before the run (not after hours of
it), user errors in one line, and torch's threads set for a run and restored
after it (``main()`` is also called in-process, by the tests)."""
from __future__ import annotations

import argparse
import contextlib
import json
import os
import sys
import tempfile

# the numbers of the flags are checked as pyg-fusion's own are
from pyg_fusion.cli import nonneg_int, positive_float, positive_int  # noqa: F401


def check_writable(parser: argparse.ArgumentParser, path, flag: str = "--json") -> None:
    """Exits through ``parser.error`` (one line, code 2) unless a file can be
    written at ``path``: its folder is created (the run would create it
    anyway) and a temporary file is made and removed in it."""
    if path is None:
        return
    path = os.fspath(path)
    if os.path.isdir(path):
        parser.error(f"{flag} {path}: is a folder, expected a file path")
    _probe(parser, os.path.dirname(os.path.abspath(path)), f"{flag} {path}")


def check_folder(parser: argparse.ArgumentParser, folder, flag: str = "--out") -> None:
    """As :func:`check_writable`, for an output folder."""
    if folder is None:
        return
    folder = os.fspath(folder)
    if os.path.exists(folder) and not os.path.isdir(folder):
        parser.error(f"{flag} {folder}: is a file, expected a folder")
    _probe(parser, folder, f"{flag} {folder}")


def _probe(parser: argparse.ArgumentParser, folder: str, shown: str) -> None:
    """Creates ``folder`` and a temporary file in it, or exits naming ``shown``."""
    try:
        os.makedirs(folder, exist_ok=True)
        with tempfile.NamedTemporaryFile(dir=folder, prefix=".bench-write-check-"):
            pass
    except OSError as exc:
        parser.error(f"{shown}: cannot write there ({exc.strerror or exc})")


def read_json(parser: argparse.ArgumentParser, path: str, shown: str | None = None):
    """The JSON of ``path``, or an exit through ``parser.error`` naming
    ``shown`` (default: the path) when it cannot be read or is not JSON."""
    shown = path if shown is None else shown
    try:
        with open(path) as f:
            return json.load(f)
    except OSError as exc:
        parser.error(f"{shown}: {exc.strerror or exc}")
    except ValueError as exc:
        parser.error(f"{shown}: not JSON ({exc})")


@contextlib.contextmanager
def user_errors(prog: str):
    """A :class:`ValueError` or :class:`OSError` raised in the block (a bad
    flag value that the library refused, a missing input file) becomes one
    line on stderr and exit code 2, as the ``pyg-fusion`` command line does."""
    from pyg_fusion.cli import _describe, _one_line
    try:
        yield
    except (ValueError, OSError) as exc:
        print(f"{prog}: error: {_one_line(_describe(exc))}", file=sys.stderr)
        raise SystemExit(2) from None


@contextlib.contextmanager
def torch_threads(n: int | None):
    """torch's thread count ``n`` for the block (unchanged when ``n`` is
    None), restored after it."""
    import torch
    old = torch.get_num_threads()
    if n:
        torch.set_num_threads(n)
    try:
        yield
    finally:
        torch.set_num_threads(old)
