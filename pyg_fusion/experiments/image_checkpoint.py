"""The data settings with which an image task's checkpoint is evaluated
(``evaluate_segment``, ``evaluate_translate``): what the caller gave, the
rest the training run's (the module's ``data_config`` hyper-parameter), and
the notices that say where they part."""
from __future__ import annotations

import dataclasses

from ..specs.options import flag, plain_config


def given_data(cls: type, data):
    """``data`` as an evaluation of a checkpoint takes it: a ``cls`` config
    in which each field ``None`` is a setting not given, the checkpoint's
    (:func:`data_from_checkpoint`), as the evaluate commands parse their flags.

    Args:
        cls (type): :class:`~.image_config.SegmentDataConfig` or
            :class:`~.image_config.TranslateDataConfig`.
        data (cls or dict or None): :obj:`None` (every setting the checkpoint's),
            a dict of the settings given (e.g. ``{"root": "scenes"}``), or a config
            (its fields ``None`` not given; one built with defaults gives them all).
    """
    names = [f.name for f in dataclasses.fields(cls)]
    if data is None:
        return cls(**dict.fromkeys(names))
    if isinstance(data, cls):
        return plain_config(data)
    if isinstance(data, dict):
        unknown = sorted(set(data) - set(names))
        if unknown:
            raise TypeError(f"data: {cls.__name__} has no setting {', '.join(unknown)}; "
                            f"its settings are {', '.join(names)}")
        return plain_config(cls(**{**dict.fromkeys(names), **data}))
    raise TypeError(f"data must be a {cls.__name__}, a dict of its settings or None (every "
                    f"setting the checkpoint's), got {type(data).__name__}")


def data_from_checkpoint(given, recorded: dict | None):
    """``(data, defaulted)``: the data config to evaluate a checkpoint on, in
    which each field of ``given`` that is ``None`` (not given) takes the value
    the training run recorded (``recorded``, the module's ``data_config``
    hyper-parameter); fields given override it. A checkpoint written before
    the data was recorded (``recorded=None``) takes the defaults for the
    fields not given, which ``defaulted`` lists (``{}`` otherwise) for
    :func:`defaults_notice`: its evaluation used those defaults before, and a
    printed notice keeps such a checkpoint usable without scoring data
    silently.

    Args:
        given (SegmentDataConfig or TranslateDataConfig): the settings given
            anew (``None``: the checkpoint's).
        recorded (dict or None): the training run's data settings
            (:obj:`None`: the checkpoint records none).
    """
    fields = [f for f in dataclasses.fields(given) if getattr(given, f.name) is None]
    if recorded is None:
        defaulted = {f.name: f.default for f in fields}
        return dataclasses.replace(given, **defaulted), defaulted
    return dataclasses.replace(given, **{f.name: recorded.get(f.name, f.default)
                                         for f in fields}), {}


def changed_flags(given, recorded: dict | None, names) -> list[str]:
    """The flags of the fields ``names`` that the user gave (not ``None`` in
    ``given``) with another value than the evaluation takes without them: the
    checkpoint's (``recorded``), or the default where the checkpoint records
    none. The evaluations refuse such a flag where they would record it but
    not read it; the checkpoint's own value (e.g. an evaluation's recorded
    config read back with ``--config``) is no change and passes.

    Args:
        given (SegmentDataConfig or TranslateDataConfig): the settings given
            anew (``None``: the checkpoint's).
        recorded (dict or None): the training run's data settings
            (:obj:`None`: the checkpoint records none).
        names (Iterable[str]): the fields to look at.
    """
    return [flag(n) for n in _changed(given, recorded, names)]


def _changed(given, recorded: dict | None, names) -> list[str]:
    # the fields of changed_flags, by name
    defaults = {f.name: f.default for f in dataclasses.fields(given)}
    taken = recorded or {}
    return [n for n in names if getattr(given, n) is not None
            and getattr(given, n) != taken.get(n, defaults[n])]


def defaults_notice(path: str, defaulted: dict) -> None:
    """Says which data settings of the checkpoint ``path`` are the defaults
    (:func:`data_from_checkpoint`), a :class:`~pyg_fusion.PygFusionNotice`
    at the caller of the evaluation (``evaluate_segment``,
    ``evaluate_translate``); nothing if none.

    Args:
        path (str): the checkpoint.
        defaulted (dict): the settings taken from the defaults.
    """
    from .._notices import notice
    if defaulted:
        # past the evaluation and its keeps_global_rng wrapper
        notice(f"--checkpoint {path} records no data settings (written before they were "
               f"saved); evaluating with the flags given and the defaults: "
               + ", ".join(f"{flag(k)} {v}" for k, v in defaulted.items()),
               stacklevel=4)


def moved_notice(given, recorded: dict | None, names) -> None:
    """Says which settings of ``names`` that shape the scored scenes were
    given (:func:`changed_flags`) away from the checkpoint's, a
    :class:`~pyg_fusion.PygFusionNotice` at the caller of the evaluation: they
    are scored as given, which is not the data the checkpoint was trained for
    (e.g. a config built with its defaults, whose every field is given).
    Nothing for a checkpoint that records no settings (:func:`defaults_notice`).

    Args:
        given (SegmentDataConfig or TranslateDataConfig): the settings given
            anew (``None``: the checkpoint's).
        recorded (dict or None): the training run's data settings.
        names (Iterable[str]): the fields to look at.
    """
    from .._notices import notice
    moved = _changed(given, recorded, names)
    if recorded is None or not moved:
        return
    fields = {f.name: f.default for f in dataclasses.fields(given)}

    def shown(values):
        return ", ".join(f"{flag(n)} {v}" for n, v in zip(moved, values))
    notice(f"{shown(getattr(given, n) for n in moved)}: the checkpoint was trained with "
           f"{shown(recorded.get(n, fields[n]) for n in moved)}; scoring with the settings "
           f"given (left out, or None in Python, a setting is the checkpoint's)",
           stacklevel=4)
