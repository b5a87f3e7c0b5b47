"""The caller's global random states across a run of :mod:`pyg_fusion.experiments`."""
from __future__ import annotations

import functools


def keeps_global_rng(run):
    """Decorates a run (train or evaluate) so that the caller's global random
    states (torch, ``random``, numpy) come back after it
    (:func:`~pyg_fusion.training.seeding.keep_global_rng`): the run seeds them
    and its data loaders draw from them, and a caller's next draw would
    otherwise depend on the run before it.

    Args:
        run (Callable): the run function (:func:`~.segment_run.run_segment`,
            :func:`~.checkpoints.evaluate_checkpoint`...).
    """
    @functools.wraps(run)
    def wrapper(*args, **kwargs):
        from ..training.seeding import keep_global_rng  # imports Lightning: at call time
        with keep_global_rng():
            return run(*args, **kwargs)
    return wrapper
