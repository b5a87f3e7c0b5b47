"""The rules of a setting's value, below every layer that checks one: the
flag a setting's errors name (:func:`flag`), the named ranges of an option's
``check`` (:data:`RULES`, :func:`check_rule`, :func:`check_field`), the
optimiser's settings that the tasks check where they are built
(:data:`ADAM_RULES`) and the choices of a VAD run (:data:`CHOICES`,
:data:`COMBINES`). The training tasks check values given in Python by
these, and the configs of :mod:`pyg_fusion.experiments` declare their flags
by them, so that a rule is written once. Imports neither torch nor
Lightning: the CLI's start-up reads it."""
from __future__ import annotations

import dataclasses
import math
import numbers
from typing import Any


def flag(name: str) -> str:
    """The command line's flag of the setting ``name`` (``operator_lr`` ->
    ``--operator-lr``): what the errors of a setting's value name, since
    the CLI reports them as they are (its first flag; a field's ``flags``
    metadata adds others).

    Args:
        name (str): the setting's field name.
    """
    return "--" + name.replace("_", "-")


def _int(v) -> bool:
    return isinstance(v, numbers.Integral) and not isinstance(v, bool)


def _real(v) -> bool:
    return isinstance(v, numbers.Real) and not isinstance(v, bool) and math.isfinite(v)


# The rule of each option's ``check`` for values given in Python (the CLI's
# flag types parse text to the same ranges)
RULES = {
    "positive_int": (lambda v: _int(v) and v >= 1, "an int >= 1"),
    "nonneg_int": (lambda v: _int(v) and v >= 0, "an int >= 0"),
    "nonneg_int_or_auto": (lambda v: v == "auto" or (_int(v) and v >= 0),
                           "an int >= 0 or 'auto'"),
    "positive_float": (lambda v: _real(v) and v > 0, "a finite number > 0"),
    "nonneg_float": (lambda v: _real(v) and v >= 0, "a finite number >= 0"),
    "fraction": (lambda v: _real(v) and 0 <= v < 1, "a number in [0, 1)"),
    "float": (_real, "a finite number"),
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
    """Checks a value given for the
    :func:`~pyg_fusion.experiments.options.option` field ``f`` against its
    ``check`` and ``choices`` (a ``None``, "the default", is the caller's to
    drop first).

    Args:
        name (str): the setting's name, for the error.
        f (dataclasses.Field): the field, declared with
            :func:`~pyg_fusion.experiments.options.option`.
        value (Any): the value given.
    """
    rule = RULES.get(f.metadata.get("check"))
    # a per-source dict (num_powers) holds one such value per source
    values = value.values() if isinstance(value, dict) and "dict" in str(f.type) else [value]
    if rule is not None and not all(rule[0](v) for v in values):
        raise ValueError(f"{name} must be {rule[1]}, got {value!r}")
    choices = f.metadata.get("choices")
    if choices is not None and value not in choices:
        raise ValueError(f"{name} must be one of {list(choices)}, got {value!r}")


__all__ = ["flag", "RULES", "ADAM_RULES", "CHOICES", "COMBINES", "check_rule", "check_field"]
