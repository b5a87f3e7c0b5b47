"""What every script of ``benchmarks/`` does with its command line: numbers
checked at parsing, output paths checked before the run (not after hours of
it), user errors in one line, and torch's threads set for a run and restored
after it (``main()`` is also called in-process, by the tests)."""
from __future__ import annotations

import argparse
import contextlib
import os
import sys
import tempfile


def _number(kind, ok, expected: str):
    def parse(text: str):
        try:
            value = kind(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"expected {expected}, got {text!r}") from None
        if not ok(value):
            raise argparse.ArgumentTypeError(f"expected {expected}, got {text!r}")
        return value
    parse.__name__ = expected  # argparse names the type in some messages
    return parse


positive_int = _number(int, lambda v: v >= 1, "a positive integer")
nonneg_int = _number(int, lambda v: v >= 0, "an integer >= 0")
positive_float = _number(float, lambda v: 0 < v < float("inf"), "a positive finite number")


def check_writable(parser: argparse.ArgumentParser, path, flag: str = "--json") -> None:
    """Exits through ``parser.error`` (one line, code 2) unless a file can be
    written at ``path``: its folder is created (the run would create it
    anyway) and a temporary file is made and removed in it."""
    if path is None:
        return
    path = os.fspath(path)
    if os.path.isdir(path):
        parser.error(f"{flag} {path}: is a folder, expected a file path")
    folder = os.path.dirname(os.path.abspath(path))
    try:
        os.makedirs(folder, exist_ok=True)
        with tempfile.NamedTemporaryFile(dir=folder, prefix=".bench-write-check-"):
            pass
    except OSError as exc:
        parser.error(f"{flag} {path}: cannot write there ({exc.strerror or exc})")


def check_folder(parser: argparse.ArgumentParser, folder, flag: str = "--out") -> None:
    """As :func:`check_writable`, for an output folder."""
    if folder is None:
        return
    folder = os.fspath(folder)
    if os.path.exists(folder) and not os.path.isdir(folder):
        parser.error(f"{flag} {folder}: is a file, expected a folder")
    try:
        os.makedirs(folder, exist_ok=True)
        with tempfile.NamedTemporaryFile(dir=folder, prefix=".bench-write-check-"):
            pass
    except OSError as exc:
        parser.error(f"{flag} {folder}: cannot write there ({exc.strerror or exc})")


@contextlib.contextmanager
def user_errors(prog: str):
    """A :class:`ValueError` or :class:`OSError` raised in the block (a bad
    flag value that the library refused, a missing input file) becomes one
    line on stderr and exit code 2, as the ``pyg-fusion`` command line does."""
    try:
        yield
    except (ValueError, OSError) as exc:
        if isinstance(exc, OSError) and exc.filename is not None and exc.strerror:
            text = f"{exc.filename}: {exc.strerror}"
        else:
            text = str(exc) or type(exc).__name__
        print(f"{prog}: error: {' '.join(text.split())}", file=sys.stderr)
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
