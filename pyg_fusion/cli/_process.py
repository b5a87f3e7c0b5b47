"""The process settings a command of the CLI owns while it runs: torch's
thread count (``--threads``) and Lightning's INFO banners (GPU/TPU
availability, tips and adverts), which say nothing useful about a CPU run.
Library functions never change them; the CLI sets them around one command and
restores them after it, so that calling :func:`pyg_fusion.cli.main` in a
running program leaves that program as it was."""
from __future__ import annotations

import argparse
import sys
from contextlib import contextmanager

from ..training.banners import hide_lightning_banners


def _cpu_bounded(text: str, low: int) -> int:
    """An integer from ``low`` to
    :func:`~pyg_fusion.training.accelerators.max_threads`, or an
    :class:`argparse.ArgumentTypeError` saying the bound."""
    from ._basic_types import _number
    from ..training.accelerators import cpu_bound, max_threads
    top = max_threads()
    return _number(int, text, lambda v: low <= v <= top, cpu_bound(low))


def thread_count(text: str) -> int:
    """``--threads`` (the CLI's and the benchmarks'): an integer from 1 to
    :func:`~pyg_fusion.training.accelerators.max_threads`, checked at
    parsing (a count far beyond the CPUs failed in the runtime: an OpenMP
    abort, a crash, or an integer overflow that named no flag)."""
    return _cpu_bounded(text, 1)


def worker_count(text: str) -> int:
    """``--workers`` (data loader processes): an integer from 0 to
    :func:`~pyg_fusion.training.accelerators.max_threads`, the bound of
    ``--threads``, checked at parsing: a count far beyond the CPUs made the
    loader start processes until the machine ran out, a hang that named no
    flag."""
    return _cpu_bounded(text, 0)


def add_threads_argument(parser) -> None:
    """Declares ``--threads`` (its one declaration, for every command that has
    it, graph and image tasks alike): torch's CPU threads for the command,
    from 1 to 4 x the CPUs (:func:`thread_count`), default 1, applied and
    restored by :func:`command_settings`."""
    from ..training.accelerators import THREADS_PER_CPU
    parser.add_argument("--threads", type=thread_count, default=1,
                        help="torch CPU threads for this command (default: 1, for every "
                        "command that trains or scores: the models here are small, and more threads mostly add "
                        "contention on a busy CPU; raise it for a large model on an idle "
                        "machine. The graph tasks give the same numbers at any count; the "
                        "image tasks' convolutions sum in an order that depends on it, so "
                        f"their last bits differ). At most {THREADS_PER_CPU} x the CPUs this "
                        "process may use; "
                        "per process: with --devices N on the CPU, N x THREADS may not exceed "
                        "the CPUs")


def output_is_terminal() -> bool:
    """Whether progress bars would reach a person: ``sys.stderr`` (where the
    project's tqdm bars draw) and ``sys.stdout`` (where Lightning's draw) are
    both terminals. Output sent to a file, a pipe, nohup or a CI log is not,
    and there every redraw of a bar is one more line in it."""
    try:
        return sys.stderr.isatty() and sys.stdout.isatty()
    except (AttributeError, ValueError):  # replaced by an object without it, or closed
        return False


def add_progress_argument(parser) -> None:
    """Declares ``--no-progress`` and ``--progress`` (their one declaration,
    for every command that trains or scores): the progress bars, the
    project's (tqdm) and Lightning's alike, hidden or shown. The default,
    the one rule of whether a command shows them, is
    :func:`output_is_terminal` when its parser is built: ``args.no_progress``
    is True when stdout or stderr is not a terminal."""
    hidden = not output_is_terminal()
    parser.add_argument("--no-progress", action="store_true", default=hidden,
                        help="hide progress bars (default: hidden when stdout or stderr is "
                        "not a terminal, e.g. sent to a file, a pipe or a CI log; shown on "
                        "a terminal)")
    parser.add_argument("--progress", dest="no_progress", action="store_false", default=hidden,
                        help="show progress bars even when stdout or stderr is not a terminal")


def accelerator_arg(text: str) -> str:
    """``--accelerator``: a name torch can train on here, checked at parsing,
    before any data loads (``cpu``, the default, without importing the
    trainer)."""
    if text == "cpu":
        return text
    from ..training.accelerators import ACCELERATORS, check_accelerator
    try:
        check_accelerator(text)
    except ValueError as exc:
        from .._option_rules import near_name  # a typo's near spelling, as a choice's
        close = near_name(text, ACCELERATORS) if text not in ACCELERATORS else None
        raise argparse.ArgumentTypeError(str(exc) + (f", maybe you meant {close!r}?"
                                                     if close else "")) from None
    return text


def add_accelerator_argument(parser) -> None:
    """Declares ``--accelerator`` (its one declaration, for every command that
    trains or scores; declared here, beside ``--threads``, the other flag of
    where a command runs): Lightning's accelerator, checked at parsing."""
    parser.add_argument("--accelerator", type=accelerator_arg, default="cpu",
                        help="what to train and score on: cpu (the default: deterministic, "
                        "and what the tables of README were measured on), gpu or cuda (a "
                        "CUDA GPU), or auto (CUDA when torch sees it, else cpu)")


@contextmanager
def command_settings(args):
    """Applies ``args.threads`` (when the command has it and it is >= 1) and
    drops Lightning's INFO messages for the duration of the command.

    With ``--devices`` N > 1, every DDP process runs ``--threads`` threads:
    N times them may not exceed the CPUs (checked here, before any data
    loads: :func:`~pyg_fusion.training.accelerators.check_threads`), and
    ``OMP_NUM_THREADS`` is set to them for the command, the one way to stop
    Lightning's launcher from replacing them with CPUs // N in each
    process."""
    import os

    import torch

    threads = getattr(args, "threads", None)
    devices = getattr(args, "devices", 1)
    ddp = isinstance(threads, int) and isinstance(devices, int) and devices > 1
    if ddp:
        from ..training.accelerators import check_threads
        check_threads(args.accelerator, devices, threads)
    # restored after the command, so that main() leaves its caller as it was
    old_threads, old_omp = torch.get_num_threads(), os.environ.get("OMP_NUM_THREADS")
    if isinstance(threads, int) and threads >= 1:
        torch.set_num_threads(threads)
    if ddp:
        os.environ["OMP_NUM_THREADS"] = str(threads)
    try:
        with hide_lightning_banners():
            yield
    finally:
        torch.set_num_threads(old_threads)
        if old_omp is None:
            os.environ.pop("OMP_NUM_THREADS", None)
        else:
            os.environ["OMP_NUM_THREADS"] = old_omp


@contextmanager
def rendered_notices(prog: str):
    """Shows each :class:`~pyg_fusion.PygFusionNotice` of the command as one
    line ``<prog>: notice: ...`` on stderr (Python's display of a warning is
    two lines, its source file and line first), in the first process only
    (the others of a DDP run say it again); other warnings are shown as
    before. The filters are untouched (``-W error`` makes a notice an
    error); the display is put back after the command.

    Args:
        prog (str): the command, e.g. ``"pyg-fusion evaluate"``.
    """
    import sys
    import warnings

    from .._notices import PygFusionNotice

    with warnings.catch_warnings():  # puts back showwarning (and the filters) on exit
        shown = warnings.showwarning

        def show(message, category, filename, lineno, file=None, line=None):
            if not issubclass(category, PygFusionNotice):
                return shown(message, category, filename, lineno, file, line)
            from ..experiments.run import is_main_process
            if is_main_process():
                print(f"{prog}: notice: {' '.join(str(message).split())}", file=sys.stderr)

        warnings.showwarning = show
        yield


@contextmanager
def kept_notices():
    """Yields a list that holds the text of each
    :class:`~pyg_fusion.PygFusionNotice` shown inside the block (each still
    shown as it would be), for the records of what was said."""
    import warnings

    from .._notices import PygFusionNotice

    kept: list[str] = []
    with warnings.catch_warnings():
        shown = warnings.showwarning

        def show(message, category, *args, **kwargs):
            if issubclass(category, PygFusionNotice):
                kept.append(str(message))
            return shown(message, category, *args, **kwargs)

        warnings.showwarning = show
        yield kept
