"""How a setting of a typed config is declared, documented and checked:
:func:`option` (a dataclass field that carries its flag's help, check and
choices), :func:`documented` (the class's ``Args`` section written from those
fields), :func:`check_field` (a value given in Python against the field's
``check`` and ``choices``, the ranges the CLI's flag types parse text to) and
:func:`unread_option` (a value given for a setting that nothing chosen reads:
the ``datasets`` and ``methods`` that a field's metadata names) and
:func:`plain` (a value given in Python as the plain one a record holds)."""
from __future__ import annotations

import dataclasses
import os
import sys
from fnmatch import fnmatchcase
from typing import Any, Iterable, Mapping, Sequence

# the declarations and rules live below the layers that declare or check
# values (the training tasks too)
from .._option_rules import check_field, documented, flag, option


def plain(value):
    """``value`` with numpy's scalars as Python's and paths as str, in lists,
    tuples and dicts (keys too): a run records its options and data config
    in the checkpoint, which is read with ``weights_only=True``, and a numpy
    scalar or a ``pathlib.Path`` there (``epochs=np.int64(1)``,
    ``root=Path("data")``) made the run's checkpoint unreadable; Lightning
    also asserts a plain ``int`` of its ``max_epochs``. The value's checks
    come after, on the plain value: ``np.float64(1.5)`` is still no int. A
    tensor or a numpy array (even of one entry) is left as given, for the
    checks to refuse: where it came from is the caller's to say.

    Args:
        value (Any): a value given in Python.
    """
    # a numpy scalar exists only once numpy is loaded: --help and the
    # parsers, which check their defaults here, stay without it
    np = sys.modules.get("numpy")
    if np is not None and isinstance(value, np.generic):
        return value.item()
    if isinstance(value, os.PathLike):
        return os.fspath(value)
    if isinstance(value, list):
        return [plain(v) for v in value]
    if isinstance(value, tuple):  # a named tuple too: its class is no plain type
        return tuple(map(plain, value))
    if isinstance(value, dict):
        return {plain(k): plain(v) for k, v in value.items()}
    return value



def plain_config(cfg):
    """The config dataclass ``cfg`` (a component of a method run, a data
    config, a section of an image run) as a copy with its fields as plain
    Python (:func:`plain`: numpy's scalars as Python's); anything else as
    given. A run records its configs in its checkpoint and reports: an image
    run's ``epochs=np.int64(1)`` trained, then failed writing the report
    ('Object of type int64 is not JSON serializable'), and the run was not
    published.

    Args:
        cfg (dataclass or None): the config given.
    """
    if not dataclasses.is_dataclass(cfg) or isinstance(cfg, type):
        return cfg
    return dataclasses.replace(cfg, **{f.name: plain(getattr(cfg, f.name))
                                       for f in dataclasses.fields(cfg) if f.init})

def _reads(chosen: str, reader: str) -> bool:
    # either side may be a pattern: a chosen "graph-*" (every per-source graph
    # method) is read by a reader "graph-mean", a chosen "graph-mean" by "graph-*"
    return fnmatchcase(chosen, reader) or fnmatchcase(reader, chosen)


def unread_option(fields: Iterable[dataclasses.Field], values: Mapping[str, Any], key: str,
                  chosen: Sequence[str], *, scope: str | None = None,
                  defaults: Mapping[str, Any] | None = None
                  ) -> tuple[dataclasses.Field, tuple[str, ...]] | None:
    """The first of the :func:`option` ``fields`` whose value is given but
    that none of ``chosen`` reads, and its readers: a field's ``key``
    metadata names them (names or patterns, or ``{scope: those}``, a scope
    not named being read by all); ``None`` when there is none. A value that
    is ``None`` or its default was not given: a full config
    (``--print-config``) holds every field at its default and reads back.

    Args:
        fields (Iterable[dataclasses.Field]): the fields, declared with :func:`option`.
        values (Mapping[str, Any]): field names to the values given.
        key (str): the metadata naming the readers (``"datasets"``, ``"methods"``).
        chosen (Sequence[str]): what the run chose (a dataset; method names or patterns).
        scope (str, optional): the key of a per-scope declaration (the task).
            (default: :obj:`None`)
        defaults (Mapping[str, Any], optional): defaults that replace the
            fields' own (a task's). (default: :obj:`None`)
    """
    defaults = defaults or {}
    for f in fields:
        readers = f.metadata.get(key)
        if isinstance(readers, dict):
            readers = readers.get(scope)
        value = values.get(f.name)
        if readers is None or value is None or value == defaults.get(f.name, f.default):
            continue
        if not any(_reads(c, r) for c in chosen for r in readers):
            return f, tuple(readers)
    return None


__all__ = ["option", "flag", "documented", "check_field", "unread_option", "plain"]
