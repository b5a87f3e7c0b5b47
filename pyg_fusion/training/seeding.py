"""Seeds and random states of a training run: what pyg_fusion seeds before
it trains and how a caller's random states are kept across a run."""
from __future__ import annotations

import os
from contextlib import contextmanager

import lightning as L


# Lightning passes the seed to data-loader workers and DDP processes through
# these environment variables; they are set only while a Trainer runs.
_SEED_ENV = ("PL_GLOBAL_SEED", "PL_SEED_WORKERS")


@contextmanager
def seed_env(seed: int | None):
    """Sets Lightning's seed variables for the block and restores the
    caller's after it (``None``: sets nothing, restores what the block set).

    Args:
        seed (int or None): the run's seed (:obj:`None`: sets nothing).
    """
    old = {k: os.environ.get(k) for k in _SEED_ENV}
    if seed is not None:
        os.environ.update(PL_GLOBAL_SEED=str(seed), PL_SEED_WORKERS="1")
    try:
        yield
    finally:
        for k, v in old.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v


def seed_everything(seed: int) -> int:
    """Seeds python, numpy and torch in this process (data workers are
    seeded by the :class:`Trainer` built with the same seed).

    Args:
        seed (int): the seed.
    """
    with seed_env(None):  # restores the variables Lightning sets
        try:
            return L.seed_everything(seed, workers=True, verbose=False)
        except TypeError:  # lightning < 2.4: no `verbose` (logs 'Seed set to N' at INFO)
            return L.seed_everything(seed, workers=True)


@contextmanager
def keep_global_rng():
    """Restores the caller's global random states (torch's CPU generator,
    CUDA's where CUDA is initialised, python's ``random`` and numpy's) after
    the block: the training calls seed and draw from them while they run
    (:func:`build_trainer`'s ``seed``, dropout, shuffles), and without this
    a caller's next draw (e.g. the next model's initialisation) would depend
    on how long the previous run trained."""
    import random

    import numpy as np
    import torch
    # torch's fork_rng keeps torch's generators; python's and numpy's by hand
    cuda = torch.cuda.is_initialized()  # asking for CUDA's state would start it
    devices = list(range(torch.cuda.device_count())) if cuda else []
    state = (random.getstate(), np.random.get_state())
    try:
        with torch.random.fork_rng(devices=devices):
            yield
    finally:
        random.setstate(state[0])
        np.random.set_state(state[1])
        if not cuda and torch.cuda.is_initialized():
            # CUDA started inside (a GPU run): its generators get the state they
            # would have had starting now, from the caller's last seed, not the
            # state the training left them in
            torch.cuda.manual_seed_all(torch.initial_seed())
