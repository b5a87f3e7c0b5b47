"""``--config FILE.yaml``: replaced, where it stands on the command line, by
the flags its mapping spells (a flat mapping of option names, or the nested
form ``--print-config`` writes): flags after it override it, and every value
goes through the flag's own check (:mod:`._config_tokens`).
"""
from __future__ import annotations

import argparse
import os
from typing import Any

from ..specs.components import COMPONENTS
from . import CLIError
from ._config_flags import DATA_SECTION, IMAGE_SECTIONS
from ._config_tokens import _field_of, setting_tokens


def _config_sections(prog: str) -> dict[str, set[str]] | None:
    """The sections of the config of the command ``prog`` ("pyg-fusion
    segment train"), each with its settings: an image command's
    (:data:`~pyg_fusion.experiments.image_config.SECTIONS`), else the graph
    commands' ``data`` and components; None for no command (``""``)."""
    import dataclasses

    from ..experiments.data import DataConfig
    from ..experiments.image_config import SECTIONS
    if not prog:
        return None
    classes = SECTIONS.get(tuple(prog.split()[-2:])) or {DATA_SECTION: DataConfig,
                                                         **COMPONENTS}
    return {s: {f.name for f in dataclasses.fields(c)} for s, c in classes.items()}


def _flatten(mapping: dict, path: str, prog: str = "") -> dict[str, Any]:
    # prog: the command whose sections are checked ("": none)
    sections = _config_sections(prog)
    flat: dict[str, Any] = {}
    for k, v in mapping.items():
        section = None
        if k in (DATA_SECTION, *COMPONENTS, *IMAGE_SECTIONS) and isinstance(v, dict):
            items, section = v.items(), k
        elif isinstance(v, dict) and _field_of(k) is None:
            # (a setting's own mapping, num_powers: {a: 1}, is none)
            raise CLIError(f"--config {path}: section {k!r} is none of "
                           f"{list(sections or [DATA_SECTION, *COMPONENTS])}")
        else:
            items = [(k, v)]
        for name, value in items:  # flat and in a section: the one would replace the other
            # a setting in another section than its own (model: {epochs: 3}) was
            # read as if it stood in its own
            home = [s for s, names in (sections or {}).items() if name in names]
            if section is not None and home and section not in home:
                raise CLIError(f"--config {path}: {name!r} is a setting of section "
                               f"{home[0]!r}, not of {section!r}: move it to {home[0]}")
            if name in flat and flat[name] != value:
                raise CLIError(f"--config {path}: {name!r} is given twice, as {flat[name]!r} "
                               f"and {value!r}: give it once")
            flat[name] = value
    return flat


def _safe_loader():
    """YAML's safe loader, refusing a key given twice in one mapping: the
    second silently replaced the first (``k: 1`` then ``k: 2`` ran with 2).
    It records the line of each key whose value is null (``null_lines``)."""
    import yaml

    class UniqueKeys(yaml.SafeLoader):
        def construct_mapping(self, node, deep=False):
            seen = set()
            for key_node, value_node in node.value:
                if key_node.tag == "tag:yaml.org,2002:merge":  # << merges: YAML's rule
                    continue
                key = self.construct_object(key_node, deep=True)
                if not isinstance(key, (str, int, float, bool)):
                    continue  # an unhashable key: the safe loader's own error
                if value_node.tag == "tag:yaml.org,2002:null":
                    self.null_lines.setdefault(key, key_node.start_mark.line + 1)
                if key in seen:
                    raise yaml.constructor.ConstructorError(
                        None, None, f"the key {key!r} is given twice in one mapping (the "
                        f"second would replace the first)", key_node.start_mark)
                seen.add(key)
            return super().construct_mapping(node, deep)
    return UniqueKeys


def _without_task(flat: dict[str, Any], path: str) -> dict[str, Any]:
    """``flat`` without its ``task``: the task that the file's dataset
    implies, which a run's record (``results.json``'s ``config``) names beside
    it. The task follows from the dataset (:data:`~pyg_fusion.experiments.DATASETS`),
    so another one is an error, never a setting read as ``--task`` (the image
    tasks' router, which acts on the command line alone) or dropped unread."""
    if "task" not in flat:
        return flat
    from ..experiments.data import task_of
    task, dataset = flat["task"], flat.get("dataset")
    if dataset is None:
        raise CLIError(f"--config {path}: task {task!r} without a dataset: the task follows "
                       f"from the dataset; give dataset instead")
    try:
        implied = task_of(dataset)
    except ValueError as exc:
        raise CLIError(f"--config {path}: {exc}") from None
    if task != implied:
        raise CLIError(f"--config {path}: task {task!r} is not the task of dataset "
                       f"{dataset!r} ({implied}); the task follows from the dataset")
    return {k: v for k, v in flat.items() if k != "task"}


def _recorded_standardize(flat: dict[str, Any], path: str) -> dict[str, Any]:
    """``flat`` with a digits / tables config's ``standardize: false`` read as
    not given (what the dataset does: z-scoring), with a notice: versions before 2026-12-06 recorded every such run
    so (its config, results.json, --print-config), though its features were
    z-scored all the same, the one thing these datasets do; a saved config
    was refused ('--no-standardize: --dataset digits always z-scores ...').
    ``--no-standardize`` on the command line is still refused."""
    from ..experiments._dataset_names import DATASETS
    dataset = flat.get("dataset")
    known = DATASETS.get(dataset) if isinstance(dataset, str) else None
    if flat.get("standardize") is not False or known is None or known.task != "node":
        return flat
    from .._notices import notice
    notice(f"--config {path}: standardize: false with dataset {dataset} is read as not "
           f"given: {dataset} runs always z-score every feature column over all rows, which "
           f"earlier versions recorded as standardize: false; write standardize: true (or "
           f"remove the line) to say so")
    # not given, not true: a --dataset after the file (a VAD one) reads it as off
    return {k: v for k, v in flat.items() if k != "standardize"}


def _settings(parser: argparse.ArgumentParser) -> set[str]:
    return {a.dest for a in parser._actions if a.option_strings} - {"config", "print_config"}


def _commands(parser: argparse.ArgumentParser):
    # the parser's (sub-)commands, each once (an alias names the same parser)
    for a in parser._actions:
        if isinstance(a, argparse._SubParsersAction):
            for sub in dict.fromkeys(a.choices.values()):
                yield sub
                yield from _commands(sub)


def _refuse_another_commands(parser: argparse.ArgumentParser, loaded: dict,
                             flat: dict[str, Any], path: str) -> None:
    """The config of another command (``pyg-fusion train --config`` with the
    one ``segment train --print-config`` wrote) was refused for its first
    setting alone ("'data' is no setting of this command"): where every
    setting and section of the file is another command's, name that command,
    and the settings that this one has not (a compare's ``resume`` given to
    train named none)."""
    keys = set(flat) - {"task"}  # a record's task, beside its dataset
    own = _settings(parser)
    if keys <= own:
        return
    from . import build_parser
    sections = {k for k, v in loaded.items() if isinstance(v, dict) and k != "num_powers"}
    others = [p.prog for p in _commands(build_parser())
              if p.prog != parser.prog and "config" in {a.dest for a in p._actions}
              and keys <= _settings(p)
              and sections <= set(_config_sections(p.prog))]
    if others:
        named = " or ".join(f"`{p}`" for p in others)
        lacked = [repr(k) for k in flat if k not in own and k != "task"]
        said = (" and ".join(lacked) if len(lacked) <= 2
                else f"{', '.join(lacked[:2])} and {len(lacked) - 2} more")
        raise CLIError(f"--config {path}: {said} {'is' if len(lacked) == 1 else 'are'} no "
                       f"setting of `{parser.prog}`: this is a config of {named} (every "
                       f"setting it gives is one of {'theirs' if len(others) > 1 else 'its'}): "
                       f"give it to that command")


def _refuse_a_value_for_a_section(parser: argparse.ArgumentParser, loaded: dict,
                                  path: str) -> None:
    """A section of this command given a value (``data: 3`` to train) was
    taken for an image command's setting ``data`` ("this is a config of
    `pyg-fusion segment train`"). A string stays theirs: ``data: nyud``."""
    sections, own = _config_sections(parser.prog) or {}, _settings(parser)
    for k, v in loaded.items():
        if k in sections and k not in own and not isinstance(v, (dict, str)):
            raise CLIError(f"--config {path}: {k!r} must be a section of `{parser.prog}` "
                           f"(a mapping of its settings, as `{parser.prog} --print-config` "
                           f"writes it), got {v!r}")


def _refuse_an_image_dataset(dataset, path: str) -> None:
    """``dataset`` of an image task: the command line routes ``train
    --dataset nyud`` to ``segment train --data nyud`` (``_runs.route_task``),
    which reads no file; a config said "argument --dataset: invalid choice:
    'nyud'" (or "no setting of this command" for segment train)."""
    from ..experiments._dataset_names import DATASETS, IMAGE_TASKS
    image = DATASETS.get(dataset) if isinstance(dataset, str) else None
    if image is not None and image.task in IMAGE_TASKS:
        raise CLIError(f"--config {path}: dataset {dataset!r} is a {image.task} dataset, whose "
                       f"config says 'data: {image.data}' in its data section (as "
                       f"`pyg-fusion {image.task} train --print-config` writes it), for "
                       f"`pyg-fusion {image.task} train` or `evaluate`")


def _not_a_mapping(path: str, loaded) -> str:
    """The error of a ``--config`` file that is no mapping; the records of a
    run (its ``results.json``, a list) are named as such, with the part of
    them that reads back: a record's ``config``."""
    records = isinstance(loaded, list) and loaded and all(
        isinstance(r, dict) and "metric" in r for r in loaded)
    if not records:
        return f"--config {path}: expected a mapping of settings, got {type(loaded).__name__}"
    with_config = [i for i, r in enumerate(loaded) if isinstance(r.get("config"), dict)]
    what = (f"--config {path} holds a list of {len(loaded)} records (the results of a run), "
            f"not a mapping of settings")
    if not with_config:  # evaluate's records: their settings are the checkpoint's
        return what + (", and none records a config (evaluate's records do not: the "
                       "results.json of the training run does)")
    return (what + f": a record's 'config' mapping is its run's settings, which reads back: "
            f"write one to a file, e.g. jq '.[{with_config[0]}].config' {path} > run.yaml "
            f"(JSON reads as YAML; the record of the method you want, by its 'method'), "
            f"then --config run.yaml")


def expand_config_files(parser: argparse.ArgumentParser, argv: list[str],
                        from_files: dict[str, int] | None = None,
                        origins: dict[str, tuple[str, str, Any]] | None = None) -> list[str]:
    """``argv`` with each ``--config FILE`` (or ``--config=FILE``) replaced
    by the flags of FILE, for the command ``parser`` parses; ``from_files``
    counts the :class:`~pyg_fusion.cli.ListFlag` flags that the files give
    (a flag after a file replaces its value: no repeat); the items of an
    :class:`~pyg_fusion.cli.AppendFlag` are marked with their file, so that
    the flag after it replaces them too. ``origins`` receives, per setting
    (its dest) that a file gives and no flag after it replaces, the file,
    its key and value, which :func:`name_config_key` adds to an error."""
    from_files = {} if from_files is None else from_files
    origins = {} if origins is None else origins
    by_flag = parser._option_string_actions
    import yaml
    out: list[str] = []
    i = origin = 0
    while i < len(argv):
        tok = argv[i]
        if tok == "--config" or tok.startswith("--config="):
            if tok == "--config":
                if i + 1 >= len(argv):
                    raise CLIError("--config needs a FILE.yaml")
                path, i = argv[i + 1], i + 2
            else:
                path, i = tok.split("=", 1)[1], i + 1
            if not path.strip():
                raise CLIError("--config needs a FILE.yaml, got an empty path")
            from . import user_path
            if os.path.isdir(user_path(path)):  # as the other file flags say, not "Is a directory"
                raise CLIError(f"--config: {path} is a folder; expected a file")
            try:
                with open(user_path(path), encoding="utf-8") as fh:  # YAML's own encoding
                    loader = _safe_loader()(fh)  # a SafeLoader
                    loader.null_lines = {}
                    try:
                        loaded = loader.get_single_data()
                    finally:
                        loader.dispose()
            except OSError as exc:  # the flag named, not only the file
                raise CLIError(f"--config {path}: {exc.strerror or exc}") from None
            except UnicodeDecodeError as exc:  # its message names neither flag nor file
                raise CLIError(f"--config {path}: not UTF-8 text ({exc.reason} at byte "
                               f"{exc.start})") from None
            except yaml.YAMLError as exc:
                raise CLIError(f"--config {path}: not valid YAML: "
                               f"{' '.join(str(exc).split())}") from None
            if loaded is None:
                loaded = {}
            if not isinstance(loaded, dict):
                raise CLIError(_not_a_mapping(path, loaded))
            origin += 1
            _refuse_a_value_for_a_section(parser, loaded, path)
            # another command's config: named before its sections are checked as this one's
            loose = _flatten(loaded, path)  # its sections not yet checked as this command's
            _refuse_an_image_dataset(loose.get("dataset"), path)
            _refuse_another_commands(parser, loaded, loose, path)
            flat = _recorded_standardize(_flatten(loaded, path, parser.prog), path)
            flat = _without_task(flat, path)
            out += setting_tokens(parser, flat, path, from_files, origin, loader.null_lines,
                                  origins)
        else:
            a = by_flag.get(tok.split("=", 1)[0]) if tok.startswith("--") else None
            if a is not None:  # a flag after the file: the value is no longer the file's
                origins.pop(a.dest, None)
            out.append(tok)
            i += 1
    return out


def name_config_key(message: str, parser: argparse.ArgumentParser,
                    origins: dict[str, tuple[str, str, Any]]) -> str:
    """``message`` (a run's error, which begins with the flag it is about:
    "--num-segments applies to ...") with the config file and key that gave
    that flag's value, when one did: the user wrote a key, not the flag.

    Args:
        message (str): the error's one line.
        parser (argparse.ArgumentParser): the command's parser (its flags).
        origins (dict): what :func:`expand_config_files` recorded.
    """
    import re
    m = re.match(r"(?:argument )?(--[a-z0-9][a-z0-9-]*)", message)
    a = parser._option_string_actions.get(m.group(1)) if m else None
    if a is None or a.dest not in origins:
        return message
    path, key, value = origins[a.dest]
    import yaml
    shown = yaml.safe_dump(value, default_flow_style=True, width=10**6).strip()
    shown = shown.removesuffix("...").strip()  # a scalar document's end mark
    return f"{message} (--config {path}: {key}: {shown})"
