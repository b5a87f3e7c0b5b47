"""The process settings a command of the CLI owns while it runs: torch's
thread count (``--threads``) and the level of Lightning's loggers (their
banners say nothing useful about a CPU run). Library functions never change
them; the CLI sets them around one command and restores them after it, so
that calling :func:`pyg_fusion.cli.main` in a running program leaves that
program as it was."""
from __future__ import annotations

import logging
from contextlib import contextmanager

_LIGHTNING_LOGGERS = ("lightning.pytorch", "lightning.fabric", "lightning")


@contextmanager
def command_settings(args):
    """Applies ``args.threads`` (when the command has it and it is >= 1) and
    quiets Lightning's INFO banners for the duration of the command."""
    import torch

    # Restored whatever the command does to it (segment and translate set
    # their own --threads).
    old_threads = torch.get_num_threads()
    threads = getattr(args, "threads", None)
    if isinstance(threads, int) and threads >= 1:
        torch.set_num_threads(threads)
    loggers = [logging.getLogger(name) for name in _LIGHTNING_LOGGERS]
    old_levels = [lg.level for lg in loggers]
    for lg in loggers:
        lg.setLevel(logging.WARNING)
    try:
        yield
    finally:
        for lg, level in zip(loggers, old_levels):
            lg.setLevel(level)
        torch.set_num_threads(old_threads)
