"""Seeds and random states of a training run: what pyg_fusion seeds before
it trains and how a caller's random states are kept across a run."""
from __future__ import annotations

import os
import random
from contextlib import contextmanager

import lightning as L
import numpy as np
import torch

from .._option_rules import is_int


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


def _checked_seed(seed) -> int:
    """``seed`` as an int in numpy's range (numpy's ints taken, as Lightning
    takes them); Lightning's own check names no argument (2.6) or, in older
    releases, warns and draws a random seed instead."""
    from ..datasets._args import check_seed
    if is_int(seed):
        seed = int(seed)
    return check_seed(seed)


def seed_everything(seed: int) -> int:
    """Seeds python, numpy and torch in this process (data workers are
    seeded by the :class:`Trainer` built with the same seed).

    Args:
        seed (int): the seed, in ``[0, 2**32)`` (numpy's seeds).
    """
    seed = _checked_seed(seed)
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


def _train_loaders(iterables) -> list:
    """The data loaders of what a trainer trains on (a loader, or lists and
    dicts of them, as ``fit`` takes them), in their order. (Lightning's
    ``CombinedLoader(...).flattened`` warns of a deprecated torch API where
    no trainer filters it: a checkpoint saved after ``fit``.)"""
    if iterables is None or isinstance(iterables, (L.LightningModule, L.LightningDataModule)):
        return []  # loaders a hook makes: each call builds new ones, generators and all
    if isinstance(iterables, dict):
        return [dl for v in iterables.values() for dl in _train_loaders(v)]
    if isinstance(iterables, (list, tuple)):
        return [dl for v in iterables for dl in _train_loaders(v)]
    return [iterables]


def _start_persistent_workers(loaders: list, rank: int) -> None:
    """Makes the iterator (and workers) of each loader of ``loaders`` with
    persistent workers, drawing nothing from the generators: a loader makes
    them once, drawing its workers' base seed from torch's generator (or its
    own), which the uninterrupted run did in its first epoch, before the
    states of its checkpoint, and a resumed run did again (other dropout
    masks and batch orders from then on; a held-out loader's, at its first
    validation, when no sanity check had made it under Lightning's
    ``isolate_rng``). Lightning then iterates them as the uninterrupted
    run's next epoch did. Their workers are seeded as Lightning's would be
    (``PL_SEED_WORKERS``)."""
    from lightning.fabric.utilities.data import _auto_add_worker_init_fn
    for dl in loaders:
        if not (getattr(dl, "persistent_workers", False) and dl.num_workers > 0):
            continue
        _auto_add_worker_init_fn(dl, rank)  # what Lightning does to it later
        own = dl.generator.get_state() if dl.generator is not None else None
        with torch.random.fork_rng(devices=[]):
            iter(dl)  # kept by the loader (persistent), its draw undone
        if own is not None:
            dl.generator.set_state(own)


class RandomStates(L.Callback):
    """Saves the random states in every checkpoint, and puts them back when a
    run resumes from one (``Trainer.fit(..., ckpt_path=...)``), so that the
    resumed run draws what the uninterrupted one drew (dropout, LEGO's sampled
    source pairs, the batches' order): torch's generator (and CUDA's, where
    it started), numpy's, python's ``random`` and the generator of each
    training loader (``DataLoader(generator=...)``), given to ``fit`` or
    made by a hook (a ``LightningDataModule``'s ``train_dataloader``).
    Lightning keeps none of them: a resumed run drew from the trainer's
    fresh seed, another run than the one it continues.
    :func:`~pyg_fusion.training.build_trainer` adds one.

    The states are put back as ``fit`` starts, before the first batches are
    drawn; a checkpoint written before they were saved resumes as before.
    Releases of Lightning before 2.5.3 (those whose loops have no
    ``is_resuming``; checked: 2.2.0) make the data iterator of a run resumed
    at an epoch's end twice, as ``fit`` starts and again as the epoch starts,
    each drawing from the generators (a loader's base seed): there the states
    are put back once more as that epoch starts, so that the iterator it
    trains on draws what the uninterrupted run's did.
    """

    def __init__(self):
        self._trainer = None
        self._resumed: dict | None = None
        self._again: dict | None = None  # (Lightning < 2.5.3, see above)
        self._remake: dict | None = None  # (loaders a hook makes, see on_train_start)

    def setup(self, trainer, pl_module, stage) -> None:
        self._trainer = trainer

    # Lightning's _collect_rng_states / _set_rng_states (private) keep numpy's
    # state as its array, which the project's weights_only loads refuse, and
    # ask torch.cuda.is_available() (which starts CUDA): plain values here
    def state_dict(self) -> dict:
        _, key, pos, has_gauss, gauss = np.random.get_state()
        # plain values (not numpy's array): weights_only loads read them
        numpy = {"key": torch.from_numpy(key.astype(np.int64)), "pos": int(pos),
                 "has_gauss": int(has_gauss), "gauss": float(gauss)}
        cuda = torch.cuda.get_rng_state_all() if torch.cuda.is_initialized() else []
        loaders = _train_loaders(self._trainer.train_dataloader) if self._trainer else []
        return {"torch": torch.get_rng_state(), "cuda": cuda, "numpy": numpy,
                "python": random.getstate(),
                "loaders": [None if getattr(dl, "generator", None) is None
                            else dl.generator.get_state() for dl in loaders]}

    def load_state_dict(self, state_dict: dict) -> None:
        self._resumed = state_dict

    def on_fit_start(self, trainer, pl_module) -> None:
        # before the loop makes its first iterator: that draws from the states
        # as the uninterrupted run's next epoch did
        state, self._resumed, self._again, self._remake = self._resumed, None, None, None
        if not state:
            return
        # the loaders given to fit (Lightning has them only there until the loop starts)
        source = getattr(getattr(trainer.fit_loop, "_data_source", None), "instance", None)
        val_loop = getattr(getattr(trainer.fit_loop, "epoch_loop", None), "val_loop", None)
        held_out = getattr(getattr(val_loop, "_data_source", None), "instance", None)
        if trainer.world_size == 1:  # (DDP trains on copies of them that Lightning makes)
            _start_persistent_workers(_train_loaders(source) + _train_loaders(held_out),
                                      trainer.global_rank)
        self._put_back(state, _train_loaders(source))
        if isinstance(source, (L.LightningModule, L.LightningDataModule)):
            self._remake = state  # its loaders are not made yet
        if not hasattr(trainer.fit_loop, "is_resuming"):
            self._again = state

    def on_train_start(self, trainer, pl_module) -> None:
        # loaders made by a hook (a LightningDataModule's train_dataloader, or
        # the module's own) exist once the loop has made their first iterator,
        # which drew from fresh generators: the states go back to them (and
        # to the global generators, which that iterator may have drawn from)
        # and the iterator is made again, as the uninterrupted run's next
        # epoch made it (a loader keeping its workers made them there, which
        # its next iterator, as the uninterrupted run's, does not do again)
        state, self._remake = self._remake, None
        if not state:
            return
        if trainer.world_size == 1:  # (as on_fit_start: a hook-made held-out loader)
            _start_persistent_workers(_train_loaders(trainer.val_dataloaders),
                                      trainer.global_rank)
        self._put_back(state, _train_loaders(trainer.train_dataloader))
        iter(trainer.fit_loop._data_fetcher)

    def on_train_epoch_start(self, trainer, pl_module) -> None:
        state, self._again = self._again, None
        # the condition on which those releases' epoch loop makes the iterator again
        if state and trainer.current_epoch > 0 and not trainer.fit_loop.epoch_loop.restarting:
            self._put_back(state, _train_loaders(trainer.train_dataloader))

    def on_train_batch_start(self, trainer, pl_module, batch, batch_idx) -> None:
        self._again = None  # (a run resumed within an epoch, which has no epoch start)

    def on_fit_end(self, trainer, pl_module) -> None:
        self._again = None  # (a run resumed after its last epoch starts none)

    @staticmethod
    def _put_back(state: dict, loaders: list) -> None:
        torch.set_rng_state(state["torch"])
        if state["cuda"] and torch.cuda.is_available():
            torch.cuda.set_rng_state_all(state["cuda"])
        kept = state["numpy"]
        np.random.set_state(("MT19937", kept["key"].numpy().astype(np.uint32), kept["pos"],
                             kept.get("has_gauss", 0), kept.get("gauss", 0.0)))
        random.setstate(state["python"])
        for dl, saved in zip(loaders, state["loaders"]):
            if saved is not None and getattr(dl, "generator", None) is not None:
                dl.generator.set_state(saved)
