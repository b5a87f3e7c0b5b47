"""How a setting of a typed config is declared, documented and checked:
:func:`option` (a dataclass field that carries its flag's help, check and
choices), :func:`documented` (the class's ``Args`` section written from those
fields), :func:`check_field` (a value given in Python against the field's
``check`` and ``choices``, the ranges the CLI's flag types parse text to) and
:func:`unread_option` (a value given for a setting that nothing chosen reads:
the ``datasets`` and ``methods`` that a field's metadata names)."""
from __future__ import annotations

import dataclasses
import inspect
import re
from dataclasses import field, fields
from fnmatch import fnmatchcase
from typing import Any, Iterable, Mapping, Sequence

# the rules live below the layers that check values (the training tasks too)
from .._option_rules import check_field, flag


def option(default, help: str, **meta) -> Any:
    """A config field whose metadata the CLI generator reads: ``help``,
    ``check`` (the name of a flag type: ``positive_int``, ``fraction``,
    ``bool``...), ``choices``, ``flags`` (extra flag names), ``metavar``,
    ``nargs``/``append`` (lists), ``arg`` (the component's name for it),
    ``unset`` (what a value of ``None`` means, as the help and the docstring
    name that default: ``"never"``, ``"--lr"``; required of a method
    component's field that a task's default may leave ``None``), and
    who reads it (:func:`unread_option`): ``datasets`` (the dataset names) or
    ``methods`` (method names or patterns such as ``graph-*``, or ``{task:
    those}`` where they differ by task; a task not named: every method); a
    field without them is read by every dataset / method.

    Args:
        default (Any): the field's default.
        help (str): what the setting does (the flag's help and the docstring's text).
    """
    return field(default=default, metadata={"help": help, **meta})


def documented(cls: type) -> type:
    """Class decorator of an :func:`option` dataclass: appends an ``Args``
    section written from its fields (type, the flag's help, default), so that
    a setting's documentation and its flag's help are one text.

    Args:
        cls (type): a dataclass whose fields are declared with :func:`option`.
    """
    lines = ["", "Args:"]
    for f in fields(cls):
        kind = re.sub(r"\s*\|\s*None\b", "", str(f.type)) if f.default is None else str(f.type)
        text = " ".join(f.metadata["help"].replace("%%", "%").split())
        if f.default is not dataclasses.MISSING:
            kind += ", optional"
            if "(default" not in text:
                d = f.default
                shown = f'"{d}"' if isinstance(d, str) else repr(d)
                unset = f": {f.metadata['unset']}" if d is None and "unset" in f.metadata else ""
                text += f" (default: :obj:`{shown}`{unset})"
        words, cur = text.split(), f"    {f.name} ({kind}):"
        for w in words:
            if len(cur) + 1 + len(w) > 91:
                lines.append(cur)
                cur = "        " + w
            else:
                cur += " " + w
        lines.append(cur)
    # cleandoc: Python >= 3.13 strips a docstring's indentation at compile time, 3.10-3.12 keep it
    cls.__doc__ = inspect.cleandoc(cls.__doc__ or cls.__name__) + "\n" + "\n".join(lines) + "\n"
    return cls


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


__all__ = ["option", "flag", "documented", "check_field", "unread_option"]
