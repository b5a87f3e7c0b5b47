"""The process settings a command of the CLI owns while it runs: torch's
thread count (``--threads``) and Lightning's INFO banners (GPU/TPU
availability, tips and adverts), which say nothing useful about a CPU run.
Library functions never change them; the CLI sets them around one command and
restores them after it, so that calling :func:`pyg_fusion.cli.main` in a
running program leaves that program as it was."""
from __future__ import annotations

import logging
from contextlib import contextmanager

# The loggers of Lightning's rank-zero messages. Lightning resets the levels
# of its package loggers when it is imported (which happens inside a
# command), so the banners are dropped by a filter on these loggers instead.
_LIGHTNING_RANK_ZERO = ("lightning.pytorch.utilities.rank_zero",
                        "lightning.fabric.utilities.rank_zero")


def add_threads_argument(parser, default: int | None = 1) -> None:
    """Declares ``--threads`` (its one declaration, for every command that has
    it): torch's CPU threads for the command, N >= 1, applied and restored by
    :func:`command_settings`. ``default``: 1 for the graph tasks (their models
    are small, and more threads only add contention on a busy CPU), ``None``
    (torch's choice) for the image tasks."""
    from . import positive_int
    why = ("1: these models are small, and more threads only add contention on a busy "
           "CPU" if default == 1 else "torch's choice" if default is None else default)
    parser.add_argument("--threads", type=positive_int, default=default,
                        help=f"torch CPU threads for this command (default {why})")


def _below_warning(record: logging.LogRecord) -> bool:
    return record.levelno >= logging.WARNING


@contextmanager
def command_settings(args):
    """Applies ``args.threads`` (when the command has it and it is >= 1) and
    drops Lightning's INFO messages for the duration of the command."""
    import torch

    # Restored whatever the command does to it (segment and translate set
    # their own --threads).
    old_threads = torch.get_num_threads()
    threads = getattr(args, "threads", None)
    if isinstance(threads, int) and threads >= 1:
        torch.set_num_threads(threads)
    loggers = [logging.getLogger(name) for name in _LIGHTNING_RANK_ZERO]
    for lg in loggers:
        lg.addFilter(_below_warning)
    try:
        yield
    finally:
        for lg in loggers:
            lg.removeFilter(_below_warning)
        torch.set_num_threads(old_threads)
