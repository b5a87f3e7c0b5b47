"""Reading checkpoints and caches: the package's one safe loader.

Every ``torch.load`` of a checkpoint or a cache goes through
:func:`load_torch` with ``weights_only=True``: loading a file someone sent you
runs no code of theirs; the classes the files hold are registered with
:func:`torch.serialization.add_safe_globals` where they are defined. Files are
written by :mod:`pyg_fusion._files`. A checkpoint of another command than
the one reading it is named as such (:func:`other_task`).
"""
from __future__ import annotations

import os
import os.path as osp
from typing import BinaryIO


def load_torch(path: str | os.PathLike, *, what: str = "file",
               recover: str | None = None, allowed: tuple = ()):
    """``torch.load(path, weights_only=True)`` on the CPU with errors that name
    ``what`` and the file: :class:`FileNotFoundError` when it is missing,
    :class:`ValueError` when it cannot be read (truncated, not a torch file, or
    holding classes that are not allowed), with ``recover`` (how to get a good
    file) appended. ``allowed``: further classes the file may hold, allowed
    for this load only."""
    import torch
    path = os.fspath(path)
    hint = f"; {recover}" if recover else ""
    # One open: the checksums are checked on the file that torch.load then
    # reads, not on another one written over the path (an atomic replace)
    # between two opens. (Reading the bytes once into memory instead took
    # twice the time of the two passes, the second of which comes from the
    # page cache, and the file's size in memory besides.)
    with _opened(path, what, hint) as f:
        # torch's safe_globals removes its classes on exit, also those that were
        # registered for the whole process before: only the others go in
        known = torch.serialization.get_safe_globals()
        extra = [c for c in allowed if c not in known]
        member = _checksum_failure(f)
        if member is not None:
            raise ValueError(f"{what}: cannot read {path} (the file is damaged: its record "
                             f"{member} does not match its checksum){hint}")
        try:
            f.seek(0)
            with torch.serialization.safe_globals(extra):
                return torch.load(f, map_location="cpu", weights_only=True)
        except Exception as exc:  # torch raises many types for broken files
            raise ValueError(f"{what}: cannot read {path} ({_reason(exc)}){hint}") from exc


def check_torch_file(path: str | os.PathLike, *, what: str = "file") -> None:
    """Refuses ``path`` as :func:`load_torch` would before ``torch.load``:
    a folder, a missing or unreadable file, or one whose first bytes are no
    file of ``torch.save`` (empty, a zip archive cut short, neither an archive
    nor a pickle), naming ``what``. Imports no torch: the commands check a
    ``--checkpoint`` by it before torch loads (seconds).

    Args:
        path (str or os.PathLike): the file.
        what (str, optional): what gave the file, named in the errors.
            (default: :obj:`"file"`)
    """
    with _opened(os.fspath(path), what, ""):
        pass


def _opened(path: str, what: str, hint: str) -> BinaryIO:
    """``path`` opened for reading, or the error of :func:`load_torch` for
    a file that its first bytes tell is none of ``torch.save`` (:func:`_damage`)."""
    if osp.isdir(path):
        raise ValueError(f"{what}: {path} is a folder; expected a file")
    if not osp.isfile(path):
        raise FileNotFoundError(f"{what}: no such file: {path}")
    try:
        f = open(path, "rb")
    except OSError as exc:  # unreadable (permissions): named as torch.load's errors
        raise ValueError(f"{what}: cannot read {path} ({_reason(exc)}){hint}") from exc
    reason = _damage(f)
    if reason is not None:
        f.close()
        raise ValueError(f"{what}: cannot read {path} ({reason}){hint}")
    return f


def _reason(exc: Exception) -> str:
    """The reason a file could not be read, from the error that said so."""
    reason = str(exc).strip().splitlines()[0] if str(exc).strip() else ""
    if reason.startswith("Weights only load failed"):
        # torch's advice (reload with weights_only=False) would run the
        # file's code; the reason is what matters here
        reason = ("not a file of tensors that loads safely (weights_only=True: a "
                  "file runs no code)")
    return f"{type(exc).__name__}: {reason[:200]}".rstrip(": ")


def _checksum_failure(f: BinaryIO) -> str | None:
    """The first record of the zip archive in the file ``f`` (``torch.save``'s format)
    whose bytes do not match the CRC-32 that the archive stores for them, or
    ``None``: torch's reader does not check them, so bytes changed on disk
    inside a tensor would load as other weights or data, without an error. A
    file that is no readable archive is left to ``torch.load`` (and
    :func:`_damage`)."""
    import zipfile
    try:
        with zipfile.ZipFile(f) as z:
            return z.testzip()
    except Exception:  # not a zip, or one cut short: torch.load says so
        return None


def _damage(f: BinaryIO) -> str | None:
    """What is wrong with the file ``f``, when its first bytes tell that
    ``torch.load`` would fail on it (torch's own messages for these are an
    ``OSError: [Errno 22]`` or a cut-off paragraph of its zip reader);
    ``None``: left to ``torch.load``."""
    import zipfile
    try:
        f.seek(0)
        head = f.read(4)
        if not head:
            return "the file is empty"
        if head == b"PK\x03\x04":  # torch.save's zip archive
            return None if zipfile.is_zipfile(f) else "the file is cut short or damaged"
    except OSError:
        return None
    # neither a zip archive nor the pickle of torch's legacy format
    return None if head.startswith(b"\x80") else "not a file written by torch.save"


def load_checkpoint(path: str | os.PathLike, *, what: str = "checkpoint",
                    keys: tuple[str, ...] = ()) -> dict:
    """A checkpoint (a dict, e.g. Lightning's) loaded with :func:`load_torch`;
    ``keys`` it must hold. Every place that rebuilds a model from a file
    loads it here."""
    ckpt = load_torch(path, what=what)
    if not isinstance(ckpt, dict):
        raise ValueError(f"{what}: {os.fspath(path)} holds a {type(ckpt).__name__}, "
                         "expected a checkpoint (a dict)")
    missing = [k for k in keys if k not in ckpt]
    if missing:
        raise ValueError(f"{what}: {os.fspath(path)} lacks {missing}; it is not a "
                         "checkpoint of this kind")
    return ckpt


def load_lightning(cls, path: str | os.PathLike, *, what: str = "checkpoint",
                   task: str | None = None, command: str = "evaluate"):
    """A :class:`lightning.LightningModule` of class ``cls`` rebuilt from a
    checkpoint its ``save_hyperparameters`` wrote: ``cls(**hyper_parameters)``
    with the saved weights (the hyper-parameters first passed through
    ``cls.hparams_from_checkpoint(hparams)`` where the class has one). ``task``:
    the command's task (``"segment"``, ``"translate"``), so that a checkpoint of
    another command is named as such, with the command that reads it as the
    user's does: ``command`` (``"evaluate"``, ``"predict"``)."""
    ckpt = load_checkpoint(path, what=what, keys=("state_dict", "hyper_parameters"))
    hp = ckpt["hyper_parameters"]
    if task is not None:
        other = other_task(hp, task, command)
        if other is not None:
            raise ValueError(f"{what}: {os.fspath(path)} is a checkpoint of {other[0]}, not "
                             f"of the {task} task; {other[1]}")
    # a class may read the settings of its older checkpoints anew (ones it now refuses)
    upgrade = getattr(cls, "hparams_from_checkpoint", lambda hparams: hparams)
    try:
        module = cls(**upgrade(dict(hp)))
        module.load_state_dict(ckpt["state_dict"])
    except (TypeError, ValueError, KeyError, RuntimeError) as exc:
        raise ValueError(f"{what}: {os.fspath(path)} is not a checkpoint of "
                         f"{cls.__name__} ({str(exc).splitlines()[0][:200]})") from exc
    return module


# The hyper-parameters that only the image tasks' modules save
# (SegmentationModule, TranslationModule), which tell their checkpoints apart.
_IMAGE_HPARAMS = {"segment": {"variant", "arch", "num_classes"},
                  "translate": {"modalities", "ngf", "num_downs"}}


def image_task(hp) -> str | None:
    """The image task (``"segment"`` / ``"translate"``) whose module saved the
    checkpoint ``hyper_parameters`` ``hp``; ``None`` for any other.

    Args:
        hp (dict): a checkpoint's ``hyper_parameters`` (any other value: ``None``).
    """
    if not isinstance(hp, dict):
        return None
    return next((t for t, keys in _IMAGE_HPARAMS.items() if keys <= set(hp)), None)


def other_task(hp, task: str, command: str = "evaluate") -> tuple[str, str] | None:
    """``(what it is, the remedy)`` of a checkpoint that is not of ``task``
    but of another command, the remedy naming the command that reads it
    (``"evaluate it with `pyg-fusion evaluate`"``, ``"predict with ..."``);
    ``None`` when it is not recognisably another's.

    Args:
        hp (dict): the checkpoint's ``hyper_parameters``.
        task (str): the task of the command reading it, ``"segment"`` or
            ``"translate"``.
        command (str, optional): what the user ran, ``"evaluate"`` or ``"predict"``:
            the other image task's command of that name is named (``pyg-fusion
            train``'s checkpoints have ``evaluate`` only). (default: :obj:`"evaluate"`)
    """
    if isinstance(hp, dict) and isinstance(hp.get("config"), dict) and \
            {"method", "dataset"} <= set(hp["config"]):
        return "`pyg-fusion train`", "evaluate it with `pyg-fusion evaluate`"
    found = image_task(hp)
    if found is None or found == task:
        return None
    if command != "evaluate":
        return f"the {found} task", f"{command} with `pyg-fusion {found} {command}`"
    return (f"the {found} task", f"evaluate it with `pyg-fusion {found} evaluate` (or "
            f"`pyg-fusion evaluate --task {found}`)")
