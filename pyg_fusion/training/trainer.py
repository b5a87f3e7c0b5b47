"""The one Lightning trainer factory every task of pyg_fusion uses.

Defaults a researcher expects: a progress bar, seeded and deterministic runs,
a CSV log and a checkpoint of the last (and, with ``monitor``, the best) epoch
under ``out_dir``; ``devices=2, strategy="ddp"`` on CPU uses gloo.
"""
from __future__ import annotations

import os
import signal
import threading
import warnings
from contextlib import contextmanager
from pathlib import Path

import lightning as L
import numpy as np
from lightning.pytorch.callbacks import ModelCheckpoint, ProgressBar, TQDMProgressBar
from lightning.pytorch.loggers import CSVLogger
from lightning.pytorch.plugins.io import CheckpointIO, TorchCheckpointIO
from lightning.pytorch.plugins.io.wrapper import _WrappingCheckpointIO

from ..functional._checks import check_choice, check_int
from .accelerators import check_accelerator, resolve_accelerator
from .seeding import RandomStates, seed_env, seed_everything


def training_strategy(devices: int) -> str:
    """Lightning's strategy of a training run on ``devices`` processes: DDP
    that tolerates parameters without a gradient in a step (LEGO's randomly
    sampled source pair, an operator frozen during its warm-up), which plain
    ``"ddp"`` refuses from the second step on.

    Args:
        devices (int): processes.
    """
    return "ddp_find_unused_parameters_true" if devices > 1 else "auto"


def check_schedule(epochs: int, eval_every: int, devices: int,
                   accelerator: str = "cpu") -> None:
    """The checks of a training call's ``epochs``, ``eval_every``,
    ``devices`` and ``accelerator`` (the flags' own, for the Python API).

    Args:
        epochs (int): training epochs, >= 1.
        eval_every (int): epochs between two evaluations, >= 1.
        devices (int): processes (CPU) or GPUs, >= 1.
        accelerator (str, optional): see
            :func:`~pyg_fusion.training.accelerators.check_accelerator`. (default: :obj:`"cpu"`)
    """
    check_int("epochs", epochs, minimum=1)
    check_int("eval_every", eval_every, minimum=1)
    check_int("devices", devices, minimum=1)
    check_accelerator(accelerator, devices)


class AtomicCheckpointIO(TorchCheckpointIO):
    """Lightning's checkpoint writer through :func:`pyg_fusion._files.save_torch`:
    the temporary file sits beside the checkpoint and replaces it whole.
    Lightning's goes to ``$TMPDIR`` and is moved into place, which across
    file systems (``/tmp`` on tmpfs, the run on a disk) is a copy into the
    checkpoint itself, so a kill left it truncated, and a full ``$TMPDIR``
    failed the save."""

    def save_checkpoint(self, checkpoint, path, storage_options=None) -> None:
        if storage_options is not None:
            raise TypeError("AtomicCheckpointIO.save_checkpoint takes no storage_options")
        from .._files import save_torch
        save_torch(checkpoint, path)


class _RunCheckpoint(ModelCheckpoint):
    """The :class:`~lightning.pytorch.callbacks.ModelCheckpoint` of
    :func:`build_trainer`'s ``best.ckpt`` and ``last.ckpt``, whose state in a
    checkpoint is keyed by its file name too. Lightning keys it by monitor,
    mode and intervals alone, so a caller's own ``ModelCheckpoint(dirpath=...)``
    had the key of ``last.ckpt``'s (one of ``monitor`` and ``mode``,
    ``best.ckpt``'s) and the trainer was refused ("Found more than one
    stateful callback of type `ModelCheckpoint`"). A checkpoint saved under
    Lightning's key (before this class) resumes into it too."""

    @property
    def _legacy_state_key(self) -> str:
        # Lightning's key of these settings, as a ModelCheckpoint has it
        own = ModelCheckpoint.state_key.fget(self)
        return ModelCheckpoint.__qualname__ + own[len(type(self).__qualname__):]

    @property
    def state_key(self) -> str:
        # "ModelCheckpoint{'monitor': ..., 'filename': 'last'}": found as Lightning's are
        return f"{self._legacy_state_key[:-1]}, 'filename': {self.filename!r}}}"


def _as_list(value) -> list:
    return [] if value is None else list(value) if isinstance(value, (list, tuple)) else [value]


# Lightning's options that build_trainer sets from its own arguments
_OWN_OPTIONS = {"default_root_dir": "out_dir", "enable_checkpointing": "checkpoint",
                "enable_progress_bar": "progress"}


def build_trainer(out_dir: str | os.PathLike, *, max_epochs: int = 100,
                  seed: int | None = 0, accelerator: str = "cpu",
                  devices: int = 1, strategy: str = "auto",
                  monitor: str | None = None, mode: str = "max",
                  progress: bool = True, checkpoint: bool = True,
                  log_every_n_steps: int = 1, name: str = "logs",
                  **kwargs) -> L.Trainer:
    """Returns a :class:`lightning.Trainer` writing logs and checkpoints under
    ``out_dir``. Its checkpoints hold the random states
    (:class:`~pyg_fusion.training.seeding.RandomStates`): a run resumed from one
    (``fit(..., ckpt_path=...)``) trains as the uninterrupted run.

    Args:
        out_dir (str | os.PathLike): folder for ``<name>/version_*/metrics.csv`` and
            ``checkpoints/``.
        max_epochs (int, optional): number of epochs. (default: :obj:`100`)
        seed (int | None, optional): seeds everything before the trainer is built (``None``: no
            seeding). (default: :obj:`0`)
        accelerator (str, optional): one of
            :data:`~pyg_fusion.training.accelerators.ACCELERATORS`
            (:func:`~pyg_fusion.training.accelerators.check_accelerator`,
            :func:`~pyg_fusion.training.accelerators.resolve_accelerator`);
            ``strategy="ddp"`` with ``accelerator="cpu"`` runs gloo processes.
            (default: :obj:`"cpu"`)
        devices (int, optional): processes (CPU) or GPUs, ``>= 1``; ``strategy="ddp"``
            with ``accelerator="cpu"`` runs gloo processes. (default: :obj:`1`)
        strategy (str, optional): as in Lightning; ``strategy="ddp"`` with
            ``accelerator="cpu"`` runs gloo processes. (default: :obj:`"auto"`)
        monitor (str, optional): a logged metric whose best value is kept as ``best.ckpt``.
            (default: :obj:`None`)
        mode (str, optional): ``"max"`` or ``"min"`` for ``monitor``. (default: :obj:`"max"`)
        progress (bool, optional): show a progress bar (a ``ProgressBar`` in
            ``callbacks``, or else a ``TQDMProgressBar``). (default: :obj:`True`)
        checkpoint (bool, optional): write checkpoints (``last.ckpt`` always, ``best.ckpt``
            with ``monitor``). (default: :obj:`True`)
        log_every_n_steps (int, optional): as in Lightning. (default: :obj:`1`)
        name (str, optional): the CSV logger's folder under ``out_dir``.
            (default: :obj:`"logs"`)
        **kwargs (optional): Additional arguments of :class:`lightning.Trainer`
            (``deterministic``: by default ``True`` on the CPU, ``"warn"`` on an
            accelerator, where some ops have no deterministic kernel; ``logger`` replaces
            the CSV log (``True``: the CSV log, ``False``: none), ``enable_model_summary`` is ``False`` unless given; a
            ``CheckpointIO`` in ``plugins`` replaces the atomic writer,
            :class:`AtomicCheckpointIO`, and Lightning's ``AsyncCheckpointIO()``
            writes through it).
            ``default_root_dir``, ``enable_checkpointing`` and ``enable_progress_bar`` are
            set by ``out_dir``, ``checkpoint`` and ``progress``.
    """
    # before anything is seeded or written; a Python int, as Lightning takes it
    devices = check_accelerator(accelerator, devices)
    for flag, value in (("progress", progress), ("checkpoint", checkpoint)):
        # a string is truthy: checkpoint="no" (a config's text) wrote checkpoints
        if not isinstance(value, (bool, np.bool_)):
            raise TypeError(f"{flag} must be True or False, got {value!r}")
    if max_epochs != -1:  # -1: Lightning's "no limit" (with max_steps in kwargs)
        # (0 trained nothing, silently); a Python int: Lightning asserts one
        max_epochs = check_int("max_epochs", max_epochs, minimum=1)
    # Lightning checked mode only with a monitor, once out_dir was made; a
    # None out_dir was pathlib's "expected str, bytes or os.PathLike object"
    check_choice("mode", mode, ("max", "min"))
    if not isinstance(out_dir, (str, os.PathLike)):
        raise TypeError(f"out_dir must be a folder path (str or os.PathLike), got "
                        f"{type(out_dir).__name__}")
    for key, own in _OWN_OPTIONS.items():
        # (both given: a bare "got multiple values for keyword argument")
        if key in kwargs:
            raise TypeError(f"build_trainer sets Lightning's {key} from its own argument "
                            f"{own}: pass {own}= instead of {key}=")
    if seed is not None:
        seed = seed_everything(seed)  # as a Python int, which the Trainer keeps
    out_dir = Path(out_dir)
    if out_dir.exists() and not out_dir.is_dir():
        raise NotADirectoryError(f"out_dir {str(out_dir)!r} is a file; expected a folder "
                                 f"(existing or to be created)")
    out_dir.mkdir(parents=True, exist_ok=True)
    # Lightning takes one callback or plugin, a list of them, or None
    callbacks, plugins = (_as_list(kwargs.pop(key, None)) for key in ("callbacks", "plugins"))
    if not any(isinstance(c, RandomStates) for c in callbacks):
        callbacks.append(RandomStates())  # a run resumed from a checkpoint draws as the whole run
    given = [p for p in plugins if isinstance(p, CheckpointIO)]
    if not given:  # (the caller's own writer is Lightning's one; a second is refused)
        plugins.insert(0, AtomicCheckpointIO())
    for io in given:
        if isinstance(io, _WrappingCheckpointIO):  # AsyncCheckpointIO(): writes through ours
            io.checkpoint_io = AtomicCheckpointIO()  # (Lightning's setter: only where it has none)
    # Deterministic algorithms: an error for an op without one on the CPU
    # (where every op this library uses has one); on an accelerator a warning
    # (CUDA has none for bilinear upsampling's or 2-D NLL loss's backward)
    accelerator = resolve_accelerator(accelerator)
    deterministic = kwargs.pop("deterministic", True if accelerator == "cpu" else "warn")
    if checkpoint:
        # a run into a used folder replaces best.ckpt / last.ckpt: with
        # Lightning's counter it wrote best-v1.ckpt beside the old run's
        # best.ckpt, which evaluate then read
        if monitor:  # first: the trainer's checkpoint_callback is the best one
            callbacks.append(_RunCheckpoint(
                dirpath=out_dir / "checkpoints", filename="best", monitor=monitor, mode=mode,
                save_top_k=1, enable_version_counter=False))
        # last.ckpt after every training epoch, its own callback: save_last
        # wrote it only beside a new best one (Lightning >= 2.5), so that with
        # a monitor last.ckpt was the best epoch's and without one it came only
        # once training had ended (an interrupted run kept none)
        callbacks.append(_RunCheckpoint(
            dirpath=out_dir / "checkpoints", filename="last", monitor=None, save_top_k=1,
            save_on_train_epoch_end=True, enable_version_counter=False))
    if progress and not any(isinstance(c, ProgressBar) for c in callbacks):
        # (the caller's own bar, e.g. RichProgressBar, beside this one was refused)
        callbacks.append(TQDMProgressBar(refresh_rate=1))
    logger = kwargs.pop("logger", True)
    if logger is True:  # Lightning's default logger wrote lightning_logs/, not `name`
        logger = CSVLogger(str(out_dir), name=name)
    with quiet_lightning():
        return Trainer(
            seed=seed, default_root_dir=str(out_dir), max_epochs=max_epochs,
            accelerator=accelerator, devices=devices, strategy=strategy,
            logger=logger,
            callbacks=callbacks, plugins=plugins,
            enable_checkpointing=checkpoint, enable_progress_bar=progress,
            enable_model_summary=kwargs.pop("enable_model_summary", False),
            deterministic=deterministic, log_every_n_steps=log_every_n_steps, **kwargs)


def validate_last_epoch(trainer: L.Trainer, module, loader) -> None:
    """Validates ``module`` after ``trainer.fit`` as the last epoch trained
    left it, under that epoch's number: after fit Lightning's
    ``current_epoch`` counts the epochs trained, so a plain ``validate``
    would log (``metrics.csv``) and see (``module.current_epoch``) the
    epoch after the last, and would not write the fit's record
    (:attr:`~pyg_fusion.training._task.TimedAdamTask.recording`). Lightning has no option for this; its epoch
    counter is set back by one for the call.

    Args:
        trainer (lightning.Trainer): the trainer that fitted ``module``.
        module (pyg_fusion.training._task.TimedAdamTask): the task.
        loader (torch.utils.data.DataLoader): the validation batches.
    """
    progress = trainer.fit_loop.epoch_progress.current
    progress.completed -= 1
    try:
        with module.record_validation():  # an epoch of the fit's record
            trainer.validate(module, loader, verbose=False)
    finally:
        progress.completed += 1


# Lightning's advice about data-loader workers and logging intervals, which
# are deliberate for the small in-memory graphs of this library.
# "GPU available but not used": the accelerator is always the caller's
# explicit choice here (build_trainer's ``accelerator``, the CLI's
# --accelerator), so on a GPU machine a CPU run is not an oversight to warn of.
_LIGHTNING_ADVICE = (".*does not have many workers.*", ".*log_every_n_steps.*",
                     ".*LeafSpec.*", ".*GPU available but not used.*")


@contextmanager
def quiet_lightning():
    """Filters :data:`_LIGHTNING_ADVICE` inside the ``with`` block only (the
    process's warning filters are restored after it)."""
    with warnings.catch_warnings():
        for pattern in _LIGHTNING_ADVICE:
            warnings.filterwarnings("ignore", pattern)
        yield


@contextmanager
def without_validation(validating: bool):
    """Inside the block, when not ``validating``, filters Lightning's warning
    that a module with a ``validation_step`` is fitted without validation
    data: the image tasks do that on purpose when they are given no
    validation scenes (the process's warning filters are restored after it).

    Args:
        validating (bool): validation data is passed to the fit (nothing is
            filtered).
    """
    with warnings.catch_warnings():
        if not validating:
            warnings.filterwarnings("ignore", "You defined a `validation_step` but have no "
                                    "`val_dataloader`")
        yield


# Environment variables that Lightning sets for the whole process: cuBLAS's
# workspace (deterministic runs) and, on CUDA, CUDA_DEVICE_ORDER.
_LIGHTNING_ENV = ("CUBLAS_WORKSPACE_CONFIG", "CUDA_DEVICE_ORDER")


def _torch_flags() -> tuple:
    import torch
    # the current CUDA device (Lightning's CUDA setup sets it), read only once
    # CUDA is initialised: reading it would initialise CUDA
    device = torch.cuda.current_device() if torch.cuda.is_initialized() else None
    return (torch.are_deterministic_algorithms_enabled(),
            torch.is_deterministic_algorithms_warn_only_enabled(),
            torch.backends.cudnn.benchmark, torch.backends.cudnn.deterministic,
            tuple(os.environ.get(k) for k in _LIGHTNING_ENV), device)


def _set_torch_flags(flags: tuple) -> None:
    import torch
    deterministic, warn_only, benchmark, cudnn_deterministic, env, device = flags
    torch.use_deterministic_algorithms(deterministic, warn_only=warn_only)
    torch.backends.cudnn.benchmark = benchmark
    torch.backends.cudnn.deterministic = cudnn_deterministic
    for key, value in zip(_LIGHTNING_ENV, env):
        if value is None:
            os.environ.pop(key, None)
        else:
            os.environ[key] = value
    if device is not None:
        torch.cuda.set_device(device)


class TrainingTerminated(KeyboardInterrupt):
    """Training stopped by SIGTERM (a scheduler's preemption or ``kill``).
    A :class:`KeyboardInterrupt`, so every caller that keeps finished work on
    Ctrl-C keeps it here too; the CLI exits with the shell's code of a
    SIGTERM, 143, where Ctrl-C gives 130."""


class Trainer(L.Trainer):
    """:class:`lightning.Trainer` whose ``fit``, ``validate``, ``test`` and
    ``predict`` run inside :func:`quiet_lightning`, with Lightning's seed
    variables set for their duration only (``seed``: the seed of the data
    workers and DDP processes; ``None``: unseeded).

    Args:
        seed (int, optional): the seed of data workers and DDP processes
            (``None``: unseeded). (default: :obj:`None`)
        *args (optional): passed to :class:`lightning.Trainer`.
        **kwargs (optional): passed to :class:`lightning.Trainer`.
    """

    def __init__(self, *args, seed: int | None = None, **kwargs):
        outside = _torch_flags()
        # Lightning sets torch's determinism flags (and its environment
        # variables, the CUDA device) for the whole process when it is built
        # and runs: they are kept for this trainer's runs and the process's
        # own are put back, also where Lightning refuses an option after it
        # set them (deterministic algorithms were left on for the process)
        try:
            super().__init__(*args, **kwargs)
            self._flags = _torch_flags()
        finally:
            _set_torch_flags(outside)
        self._seed = seed

    def _quietly(self, method, args, kwargs):
        outside = _torch_flags()
        _set_torch_flags(self._flags)
        sigint = signal.getsignal(signal.SIGINT)
        try:
            with quiet_lightning(), seed_env(self._seed):
                out = method(*args, **kwargs)
            if self.interrupted:  # lightning < 2.5.3 returns after Ctrl-C
                raise self._interruption()
            return out
        except SystemExit:
            # Lightning answers Ctrl-C with sys.exit(1) after its shutdown,
            # and SIGTERM with its SIGTERMException (a SystemExit): the caller
            # gets the KeyboardInterrupt it was (a library call does not end
            # the process)
            if self.interrupted:
                raise self._interruption() from None
            raise
        finally:
            _set_torch_flags(outside)
            # ... and Lightning ignores SIGINT from then on, for the process
            if (signal.getsignal(signal.SIGINT) is not sigint and sigint is not None
                    and threading.current_thread() is threading.main_thread()):
                signal.signal(signal.SIGINT, sigint)

    def _interruption(self) -> KeyboardInterrupt:
        if self.received_sigterm:
            return TrainingTerminated("training terminated by SIGTERM")
        return KeyboardInterrupt("training interrupted")

    def fit(self, *args, **kwargs):
        return self._quietly(super().fit, args, kwargs)

    def validate(self, *args, **kwargs):
        return self._quietly(super().validate, args, kwargs)

    def test(self, *args, **kwargs):
        return self._quietly(super().test, args, kwargs)

    def predict(self, *args, **kwargs):
        return self._quietly(super().predict, args, kwargs)
