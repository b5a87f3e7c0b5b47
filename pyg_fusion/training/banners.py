"""Lightning's INFO banners (GPU/TPU availability, tips and adverts) hidden
for the duration of a ``with`` block: they say nothing useful about a CPU
run. Used by the CLI around a command and by the benchmark scripts around a
run; the library never calls it, and the loggers are left as they were after
the block. Imports ``logging`` only (the CLI's start-up stays fast)."""
from __future__ import annotations

import logging
from contextlib import contextmanager

# The loggers of Lightning's banners: its rank-zero messages, and the CUDA
# setup's "LOCAL_RANK: 0 - CUDA_VISIBLE_DEVICES: [0]" of every GPU run.
# Lightning resets the levels of its package loggers when it is imported
# (which may happen inside the block), so the banners are dropped by a filter
# on these loggers instead.
_LIGHTNING_BANNERS = ("lightning.pytorch.utilities.rank_zero",
                      "lightning.fabric.utilities.rank_zero",
                      "lightning.pytorch.accelerators.cuda")


def _below_warning(record: logging.LogRecord) -> bool:
    return record.levelno >= logging.WARNING


@contextmanager
def hide_lightning_banners():
    """Drops Lightning's rank-zero messages below WARNING inside the block."""
    loggers = [logging.getLogger(name) for name in _LIGHTNING_BANNERS]
    for lg in loggers:
        lg.addFilter(_below_warning)
    try:
        yield
    finally:
        for lg in loggers:
            lg.removeFilter(_below_warning)
