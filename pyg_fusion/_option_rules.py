"""The rules of a setting's value, below every layer that checks one: how a
setting of a typed config is declared (:func:`option`, :func:`documented`), the
flag a setting's errors name (:func:`flag`), the named ranges of an option's
``check`` (:data:`RULES`, :func:`check_rule`, :func:`check_field`), the
functions' checks of a count, a switch and a choice (:func:`check_int`,
:func:`check_flag`, :func:`check_choice`), the
optimiser's settings that the tasks check where they are built
(:data:`ADAM_RULES`) and the choices of a VAD run (:data:`CHOICES`,
:data:`COMBINES`). The training tasks check values given in Python by
these, and the configs (those of :mod:`pyg_fusion.experiments`, and the image
tasks' that training reads its defaults from) declare their flags by them, so
that a rule is written once. Imports neither torch nor
Lightning: the CLI's start-up reads it."""
from __future__ import annotations

import dataclasses
import difflib
import inspect
import math
import numbers
import re
import sys
from collections.abc import Hashable
from dataclasses import field, fields
from typing import Any


def near_name(word: str, names, cutoff: float = 0.6) -> str | None:
    """The name of ``names`` nearest in spelling to ``word`` (difflib's
    ratio at least ``cutoff``), else :obj:`None`: the near spelling named
    beside a typo of a choice, a method, a flag or a config key.

    Args:
        word (str): the name given.
        names (Iterable[str]): the known names (``word`` itself is skipped).
        cutoff (float, optional): the least similarity that counts as near.
            (default: :obj:`0.6`)
    """
    found = difflib.get_close_matches(word, [n for n in names if n != word], 1, cutoff)
    return found[0] if found else None


def option(default, help: str, **meta) -> Any:
    """A config field whose metadata the CLI generator reads: ``help``,
    ``check`` (the name of a flag type: ``positive_int``, ``fraction``,
    ``bool``...), ``choices``, ``flags`` (extra flag names), ``metavar``,
    ``nargs``/``append`` (lists), ``per`` (the field also takes one value
    per source, ``"source"``, or per file, ``"file"``: ``SOURCE=N,...``),
    ``arg`` (the component's name for it),
    ``unset`` (what a value of ``None`` means, as the help and the docstring
    name that default: ``"never"``, ``"--lr"``; required of a method
    component's field that a task's default may leave ``None``),
    ``evaluate`` (the help of the evaluate commands' flag, whose value is
    the checkpoint's, where training's help would mislead), and
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


def flag(name: str) -> str:
    """The command line's flag of the setting ``name`` (``operator_lr`` ->
    ``--operator-lr``): what the errors of a setting's value name, since
    the CLI reports them as they are (its first flag; a field's ``flags``
    metadata adds others).

    Args:
        name (str): the setting's field name.
    """
    return "--" + name.replace("_", "-")


def is_int(value) -> bool:
    """Whether ``value`` is an integer: numpy's too (a count read from an
    array), never a bool (``True`` is not a count) nor an integral float.

    Args:
        value (Any): the value to look at.
    """
    return isinstance(value, numbers.Integral) and not isinstance(value, bool)


def is_real(value) -> bool:
    """Whether ``value`` is a real number: numpy's floats and ints too (a rate
    read from an array), never a bool (``True`` is not a rate).

    Args:
        value (Any): the value to look at.
    """
    return isinstance(value, numbers.Real) and not isinstance(value, bool)


def is_finite_real(value) -> bool:
    """Whether ``value`` is a finite real number (:func:`is_real`, not NaN
    or infinite): an int beyond a float's range is not (``math.isfinite``
    raised OverflowError on it, naming no argument).

    Args:
        value (Any): the value to look at.
    """
    if not is_real(value):
        return False
    try:
        return math.isfinite(value)
    except OverflowError:
        return False


def check_int(name: str, value, *, minimum: int) -> int:
    """``value`` as an integer ``>= minimum``, errors naming ``name``;
    returned as a Python ``int``. numpy's integers (a count read from an
    array) are taken and converted, so configs and JSON keep plain numbers.
    A bool is refused (``True`` is not a count), and so is a tensor, even of
    one integer: ``int(t)`` of a CUDA tensor is a host synchronisation the
    caller should make where it sees it.

    Args:
        name (str): the argument's name in the errors.
        value (int): the value to check (any :class:`numbers.Integral`).
        minimum (int): the least value taken.
    """
    if not is_int(value):
        torch = sys.modules.get("torch")  # a tensor exists only once torch is imported
        one = torch is not None and isinstance(value, torch.Tensor) and value.numel() == 1 \
            and not value.is_floating_point() and value.dtype != torch.bool
        raise TypeError(f"{name} must be an int, got {value!r}" +
                        " (a tensor: pass int(value))" * one)
    if value < minimum:
        raise ValueError(f"{name} must be >= {minimum}, got {value}")
    return int(value)


def check_flag(name: str, value, optional: bool = False) -> None:
    """``value`` is True or False (numpy's too), or None where ``optional``:
    a string such as ``"False"`` is truthy, and would do the opposite of
    what it says.

    Args:
        name (str): the argument's name, for the error.
        value (Any): the value given.
        optional (bool, optional): None is taken too. (default: :obj:`False`)
    """
    np = sys.modules.get("numpy")  # numpy's bool exists only once numpy is imported
    if not (isinstance(value, bool) or (np is not None and isinstance(value, np.bool_))
            or (optional and value is None)):
        raise TypeError(f"{name} must be {'True, False or None' if optional else 'True or False'}"
                        f", got {value!r}")


def check_choice(name: str, value, choices) -> None:
    """``value`` is one of ``choices``, else a ValueError naming ``name``.

    Args:
        name (str): the argument's name, for the error.
        value (Any): the value given.
        choices (Sequence): the values taken.
    """
    if value not in choices:
        raise ValueError(f"{name} must be one of {tuple(choices)}, got {value!r}")


# The rule of each option's ``check`` for values given in Python (the CLI's
# flag types parse text to the same ranges)
RULES = {
    "positive_int": (lambda v: is_int(v) and v >= 1, "an int >= 1"),
    "nonneg_int": (lambda v: is_int(v) and v >= 0, "an int >= 0"),
    # str first: an array's == is entry-wise (np.array(["auto"]) == "auto" is truthy)
    "nonneg_int_or_auto": (lambda v: (isinstance(v, str) and v == "auto")
                           or (is_int(v) and v >= 0),
                           "an int >= 0 or 'auto'"),
    "positive_float": (lambda v: is_finite_real(v) and v > 0, "a finite number > 0"),
    "nonneg_float": (lambda v: is_finite_real(v) and v >= 0, "a finite number >= 0"),
    "fraction": (lambda v: is_finite_real(v) and 0 <= v < 1, "a number in [0, 1)"),
    "float": (is_finite_real, "a finite number"),
    "bool": (lambda v: isinstance(v, bool), "True or False"),
}

# Adam's settings of every graph task (TimedAdamTask), which the trainer's
# config (TrainerConfig) gives its flags: torch's Adam checks lr and
# weight_decay only when fit starts, and never a parameter group's own rate
ADAM_RULES = {"lr": "positive_float", "weight_decay": "nonneg_float",
              "operator_lr": "positive_float"}

# what chooses the epoch and the restart on a VAD run's held-out videos
CHOICES = ("loss", "pseudo_auc")
# how the restarts of a VAD run are combined into the tested model: the one
# of best held-out score, or the mean of all of them
COMBINES = ("best", "mean")


def check_rule(name: str, rule: str, value: Any) -> None:
    """Raises a ValueError naming ``name`` unless ``value`` keeps the rule
    ``rule`` (a key of :data:`RULES`).

    Args:
        name (str): the setting's name, for the error.
        rule (str): the rule's name (``"positive_float"``...).
        value (Any): the value given.
    """
    ok, what = RULES[rule]
    if not ok(value):
        raise ValueError(f"{name} must be {what}, got {value!r}")


def check_field(name: str, f: dataclasses.Field, value: Any) -> None:
    """Checks a value given for the :func:`option` field ``f`` against its
    ``check`` and ``choices`` (a ``None``, "the default", is the caller's to
    drop first).

    Args:
        name (str): the setting's name, for the error.
        f (dataclasses.Field): the field, declared with :func:`option`.
        value (Any): the value given.
    """
    rule = RULES.get(f.metadata.get("check"))
    # a per-source dict (num_powers) holds one such value per source
    values = value.values() if isinstance(value, dict) and "dict" in str(f.type) else [value]
    if rule is not None and not all(rule[0](v) for v in values):
        raise ValueError(f"{name} must be {rule[1]}, got {value!r}")
    choices = f.metadata.get("choices")
    # a numpy array is no choice: `in` compares it entry-wise, and
    # np.array(["union"]) == "union" is truthy (taken, and recorded as an array)
    if choices is not None and not (isinstance(value, Hashable) and value in choices):
        raise ValueError(f"{name} must be one of {list(choices)}, got {value!r}")


__all__ = ["option", "documented", "flag", "RULES", "ADAM_RULES", "CHOICES", "COMBINES", "check_rule", "check_field"]
