"""The grammar of the ``pyg-fusion`` command line, argparse's with its
rules: one-line errors, no abbreviated flags, negative numbers taken as
values, a list flag given once (:class:`ListFlag`) and the items of a
repeated flag replaced by a later ``--config`` file's (:class:`AppendFlag`),
and a typo of a choice, a flag or a config key answered with its near spelling
(:func:`near_name`).
:func:`pyg_fusion.cli.main` reads what the actions record in the namespace."""
from __future__ import annotations

import argparse
import re

from .._option_rules import near_name

_NEGATIVE_NUMBER = re.compile(r"^-(\d[\d_]*\.?[\d_]*|\.\d[\d_]*)(e[-+]?\d+)?$"
                              r"|^-(inf|infinity|nan)$", re.IGNORECASE)


class _Parser(argparse.ArgumentParser):
    """argparse with the one-line error of the CLI contract (argparse's own
    prints the usage block first) and no abbreviated flags: with argparse's
    prefix matching ``--meth lego`` ran as ``--method lego``, and a flag added
    later that shares the prefix would silently change what such a command
    means. Every parser of the CLI is one (``add_subparsers`` makes its
    sub-commands of the parser's class)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **{**kwargs, "allow_abbrev": False})
        # argparse takes a value that starts with "-" for a flag unless it
        # reads as a plain negative number (-1, -.5): ``--alpha -inf`` and
        # ``--lr -1e-3`` said "expected one argument". Every number Python's
        # float() reads is a value here (no flag of the CLI looks like one),
        # so that the flag's type names what it expects.
        self._negative_number_matcher = _NEGATIVE_NUMBER

    def _check_value(self, action, value):
        # a typo of a choice ('trian', 'unoin') names the close one, as
        # Python 3.14's suggest_on_error does ('..., maybe you meant ...?')
        try:
            super()._check_value(action, value)
        except argparse.ArgumentError as exc:
            said, wrong = exc.message, f"invalid choice: {value!r}"
            close = near_name(str(value), [str(c) for c in action.choices])
            if close is None or "maybe you meant" in said or wrong not in said:
                raise
            raise argparse.ArgumentError(action, said.replace(
                wrong, f"{wrong}, maybe you meant {close!r}?", 1)) from None

    def error(self, message):
        self.exit(2, f"{self.prog}: error: {_one_line(message)} (see {self.prog} --help)\n")


# The namespace's count of each ListFlag given, keyed by the flag; main()
# reads and removes it.
_LIST_FLAGS_GIVEN = "_list_flags_given"


class ListFlag(argparse.Action):
    """argparse's store, for a flag whose value is a list of items
    (``--views A B``, ``--seeds 0,1,2``), counting its occurrences: a second
    one would silently replace the first's items, so :func:`main` refuses a
    list flag given twice on the command line (a config file's value is
    replaced by the flag after it, as every setting's is)."""

    def __call__(self, parser, namespace, values, option_string=None):
        given = namespace.__dict__.setdefault(_LIST_FLAGS_GIVEN, {})
        given[self.option_strings[0]] = given.get(self.option_strings[0], 0) + 1
        setattr(namespace, self.dest, values)


# The namespace's origin of each AppendFlag's items, keyed by dest; main()
# reads and removes it.
_APPEND_ORIGINS = "_append_origins"


class FileItem(str):
    """An item that a ``--config`` file gives an :class:`AppendFlag`:
    ``origin`` numbers the file (its place among the ``--config`` flags)."""

    origin: int


class AppendFlag(argparse._AppendAction):
    """argparse's append, for a flag repeated once per item (``--vad-source
    A --vad-source B``), with the override rule of every other setting: the
    items of a ``--config`` file (:class:`FileItem`) replace those given
    before it, and the command line's items after it replace the file's;
    repeated on the command line, the items add up."""

    def __call__(self, parser, namespace, values, option_string=None):
        origin = getattr(values, "origin", None)  # None: the command line
        origins = namespace.__dict__.setdefault(_APPEND_ORIGINS, {})
        if self.dest in origins and origins[self.dest] != origin:
            setattr(namespace, self.dest, None)  # another origin's items: replaced
        origins[self.dest] = origin
        super().__call__(parser, namespace, str(values), option_string)


def _one_line(text) -> str:
    return " ".join(str(text).split())


def close_names(parser: argparse.ArgumentParser, words: list[str], *,
                prefix: str = "--", skip: tuple[str, ...] = ()) -> str:
    """`` (maybe you meant --epochs?)`` for the words of ``words`` that look
    like a flag (``--epoch``, or with ``prefix=""`` a config key ``epoch``)
    of ``parser`` but are none, else ``""``: a typo of a flag was named
    alone. Close means a near spelling (cutoff 0.8: ``--seeds`` is not
    ``--data-seed``); the flags ``skip`` are never named."""
    names = [s[2:] for a in parser._actions for s in a.option_strings
             if s.startswith("--") and s[2:] not in skip]
    close = []
    for word in words:
        name = word.split("=", 1)[0]
        if prefix and not name.startswith(prefix):
            continue
        typed = name[len(prefix):].replace("_", "-")
        found = near_name(typed, names, 0.8)
        if found:
            close.append(prefix + found if prefix else repr(found.replace("-", "_")))
    return f" (maybe you meant {', '.join(dict.fromkeys(close))}?)" if close else ""


def method_elsewhere(name: str) -> bool:
    """Whether ``name`` names methods of some task and head (VAD's
    ``lego-row``, ``mtn``): its error says where it is known, no typo."""
    from ..specs.components import TASKS
    from ..specs.method_names import chosen_methods
    for task in TASKS:
        for features in (None, "labels"):
            try:
                chosen_methods([name], task, features)
                return True
            except ValueError:
                continue
    return False
