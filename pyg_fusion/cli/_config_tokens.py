"""A ``--config`` file's settings as the flags they spell: each key's flag,
its value as that flag's tokens (a list flag's items, a boolean's
``--no-`` form, a per-source mapping), checked as parsing checks them, the
error naming the file and the key."""
from __future__ import annotations

import argparse
from typing import Any

from ..specs.components import option_fields
from . import AppendFlag, CLIError, FileItem, ListFlag, out_folder
from ._flag_types import _per_source, abnormal_counts, input_path


# The flags that a config file cannot give, by name: never suggested for a key.
NOT_KEYS = ("config", "print-config", "help")


def _null_is_default(a: argparse.Action) -> bool:
    """Whether ``null`` stands for the flag's default, as a printed config
    writes it: a flag whose default is None, i.e. a method option of the
    graph commands (the task's and each method's default, which a config
    printed for several methods leaves to each), ``--pretrained``,
    ``--views``, an evaluation's "the checkpoint's". Any other flag has a
    value by default that no printed config writes as null: a null there is
    refused, not silently read as that value (``epochs: null`` of segment
    train, ``seeds: null``)."""
    return a.default is None


def _check_values(parser: argparse.ArgumentParser, a: argparse.Action, tokens: list[str],
                  path: str, key: str) -> None:
    """The values of ``tokens`` (the flags that ``key`` of the file ``path``
    became) through the flag's type and choices, as parsing would check them,
    with its error naming the file and key: parsing named the flag alone
    ("argument --epochs: ..."), which a config file does not spell."""
    if isinstance(a, (argparse.BooleanOptionalAction, argparse._StoreTrueAction)):
        return  # true / false, checked where the tokens are made
    from ._runs import SeedsFlag, flat_seeds
    flag = a.option_strings[0]
    values = [t.split("=", 1)[1] if t.startswith(flag + "=") else t for t in tokens
              if t != flag]
    if a.nargs == "+" and tokens and not values:  # argparse named the flag alone
        raise CLIError(f"--config {path}: {key}: expected at least one value, got []")
    for group in ([[v] for v in values] if isinstance(a, AppendFlag) or a.nargs is None
                  else [values]):
        try:
            parsed = parser._get_values(a, group)
            if isinstance(a, SeedsFlag):  # its words' seeds, each once
                flat_seeds(a, parsed)
        except argparse.ArgumentError as exc:
            raise CLIError(f"--config {path}: {key}: {exc.message}") from None


def _field_of(key: str):
    """The config field of the setting ``key``: a method option's, or the
    data's (:class:`~pyg_fusion.experiments.DataConfig`), else :obj:`None`."""
    import dataclasses
    from ..experiments._data_config import DataConfig
    data = {f.name: f for f in dataclasses.fields(DataConfig)}
    return option_fields().get(key, (None, data.get(key)))[1]


def setting_tokens(parser: argparse.ArgumentParser, flat: dict[str, Any], path: str,
                   from_files: dict[str, int], origin: int,
                   null_lines: dict[str, int] | None = None,
                   origins: dict[str, tuple[str, str, Any]] | None = None) -> list[str]:
    """The command-line tokens of the settings ``flat`` of the file ``path``
    (see :func:`~pyg_fusion.cli._config_file.expand_config_files` for
    ``from_files`` and ``origins``; ``origin`` numbers the file, ``null_lines``
    gives the line of each null key)."""
    actions = {a.dest: a for a in parser._actions if a.option_strings}
    out: list[str] = []
    for key, value in flat.items():
        start = len(out)
        a = actions.get(key)
        if a is None or key in ("config", "print_config"):
            from ._parser import close_names
            raise CLIError(f"--config {path}: {key!r} is no setting of this command"
                           f"{close_names(parser, [key], prefix='', skip=NOT_KEYS)}")
        if getattr(a, "once", False):  # a config is reused: every run would do it again
            raise CLIError(f"--config {path}: {key!r} is no setting of a run but an "
                           f"instruction to one: give {a.option_strings[0]} on the command "
                           f"line")
        flag = a.option_strings[0]
        if value is None and not _null_is_default(a):
            where = f", line {null_lines[key]}" if key in (null_lines or {}) else ""
            raise CLIError(f"--config {path}{where}: {key} is null, but it has a value by "
                           f"default: give a value, or remove the line for the default")
        if value is None:  # its default: as if not given
            continue
        if isinstance(a, ListFlag):
            from_files[flag] = from_files.get(flag, 0) + 1
        if isinstance(a, (argparse.BooleanOptionalAction, argparse._StoreTrueAction)):
            if not isinstance(value, bool):  # "false" would be a true string
                raise CLIError(f"--config {path}: {key} must be true or false, got {value!r}")
            if isinstance(a, argparse.BooleanOptionalAction):
                out.append(flag if value else "--no-" + flag[2:])
            else:
                out += [flag] if value else []
        elif isinstance(a, AppendFlag):  # items marked: they replace earlier ones
            for item in value if isinstance(value, list) else [value]:
                marked = FileItem(item)
                marked.origin = origin
                out += [flag, marked]
        elif a.nargs in ("+", "*"):
            out += [flag, *map(str, value if isinstance(value, list) else [value])]
        elif isinstance(value, list) and a.type in (out_folder, input_path):
            # joined with commas it would pass as one path ('a,b'), a folder made
            raise CLIError(f"--config {path}: {key} is one path, got the list {value!r}")
        elif isinstance(value, list):  # "0,1,2" lists (--seeds)
            out += [flag, ",".join(map(str, value))]
        elif isinstance(value, dict) and _per_source(_field_of(key)):
            # one value per source (a sweep cell's num_powers): SOURCE=N,...
            out.append(f"{flag}=" + ",".join(f"{k}={v}" for k, v in value.items()))
        elif isinstance(value, dict) and a.type is abnormal_counts:  # --vad-num-abnormal
            if set(value) != {"train", "test"}:
                raise CLIError(f"--config {path}: {key} must be N or {{train: N, test: N}}, "
                               f"got {value!r}")
            out.append(f"{flag}={value['train']},{value['test']}")
        elif isinstance(value, dict):
            raise CLIError(f"--config {path}: {key} must be a single value, got {value!r}")
        else:  # one token: a value that starts with "-" stays a value
            out.append(f"{flag}={value}")
        _check_values(parser, a, out[start:], path, key)
        if origins is not None:
            origins[a.dest] = (path, key, value)
    return out
