"""Flags generated from the typed configs of :mod:`pyg_fusion.experiments`,
and ``--config FILE.yaml`` / ``--print-config``.

Every field of a method config (:data:`~pyg_fusion.experiments.COMPONENTS`)
becomes ``--<field-name>`` with the field's type check, choices and help;
its default is ``None`` ("the task's", spelled out in the help), so that only
the options given reach :meth:`~pyg_fusion.experiments.MethodSpec.create`.
Written by hand rather than with jsonargparse: the commands stay plain
argparse (one error contract, the help formatter, under 0.1 s to start), and
the generator is the short loop below.

``--config FILE.yaml`` is replaced, where it stands on the command line, by
the flags its mapping spells (a flat mapping of option names, or the nested
form ``--print-config`` writes): flags after it override it, and every value
goes through the flag's own check.
"""
from __future__ import annotations

import argparse
import codecs
import dataclasses
import re
import sys
from typing import Any

from ..experiments.components import COMPONENTS, SETTING_DEFAULTS, TASKS, option_fields
from ..experiments.config import MethodSpec
from . import (AppendFlag, CLIError, FileItem, ListFlag, _number, fraction, nonneg_float, nonneg_int, out_folder,
               positive_float, positive_int, seed_int)



def rate(text: str) -> float:
    return _number(float, text, lambda v: 0 < v <= 1, "a number in (0, 1]")


def abnormal_counts(text: str) -> int | dict[str, int]:
    """``"N"`` (both splits) or ``"TRAIN,TEST"`` -> ``num_abnormal`` of
    :class:`~pyg_fusion.datasets.VADLayout`."""
    try:
        counts = [int(v) for v in str(text).split(",")]
    except ValueError:
        counts = []
    if len(counts) not in (1, 2) or min(counts) < 0:
        raise argparse.ArgumentTypeError(f"expected N or TRAIN,TEST (integers >= 0), got "
                                         f"{text!r}")
    return counts[0] if len(counts) == 1 else {"train": counts[0], "test": counts[1]}


def four_ints(text: str) -> tuple[int, ...]:
    """``"3,4,6,3"`` -> 4 positive ints (a ResNet's blocks per stage)."""
    try:
        vals = tuple(int(v) for v in text.split(","))
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected comma-separated ints, got {text!r}") from None
    if len(vals) != 4 or min(vals) < 1:
        raise argparse.ArgumentTypeError(f"expected 4 positive ints, got {text!r}")
    return vals


def nonneg_int_or_auto(text: str) -> int | str:
    """``"auto"`` or an int >= 0 (``--operator-warmup``)."""
    return "auto" if str(text) == "auto" else _number(int, text, lambda v: v >= 0,
                                                      "an integer >= 0 or auto")


def per_source(check):
    """The flag type of a field that holds one value or one per source
    (``num_powers: int | dict[str, int]``): ``"3"`` -> ``check("3")``,
    ``"c3d=1,i3d=2"`` -> ``{"c3d": 1, "i3d": 2}``, each value through
    ``check``. The per-source form is what a sweep's cell records, so that
    its config reads back with ``--config``."""
    def one_or_per_source(text: str):
        text = str(text)
        if "=" not in text:
            return check(text)
        out = {}
        for item in text.split(","):
            name, _, value = (part.strip() for part in item.partition("="))
            if not name or not value or name in out:
                raise argparse.ArgumentTypeError(
                    f"expected N or SOURCE=N,SOURCE=N,... (one value per source, each "
                    f"source once), got {text!r}")
            out[name] = check(value)
        return out
    return one_or_per_source


def _per_source(f: dataclasses.Field | None) -> bool:
    """Whether the option field ``f`` may hold one value per source."""
    return f is not None and "dict" in str(f.type)


def index_column(text: str) -> int | str:
    """``"auto"``, ``"none"`` or a column number >= 0 (``--index-col``)."""
    return str(text) if str(text) in ("auto", "none") else _number(
        int, text, lambda v: v >= 0, "a column number >= 0, none or auto")


def input_path(text: str) -> str:
    """argparse type of an input file's path (``--views``, ``--labels``, the
    ``--vad-*`` files, ``--pretrained``, ``--val-data``, ``--inception``):
    anything but an empty path (an unset shell variable), which would name
    the folder that the path is relative to (the current one, or ROOT/raw)
    and fail there as an OSError naming that folder, or read as not given
    (no pretrained weights, no validation folder)."""
    if not text.strip():
        raise argparse.ArgumentTypeError("expected a file, got an empty path")
    return text


CHECKS = {"positive_int": positive_int, "nonneg_int": nonneg_int,
          "nonneg_int_or_auto": nonneg_int_or_auto,
          "positive_float": positive_float, "nonneg_float": nonneg_float,
          "fraction": fraction, "float": float, "int": int, "rate": rate,
          "abnormal_counts": abnormal_counts, "four_ints": four_ints,
          "index_col": index_column}
# Fields of one name in several configs (graph and image tasks) checked at
# parsing, naming the flag: an empty --root (an unset shell variable) would
# put the data in the current folder and a file there fails later as an
# OSError naming ROOT/<dataset>; a seed >= 2**32 fails in numpy once the data
# loads; an empty input file (an unset shell variable) names the folder it is
# relative to, or reads as not given.
FIELD_TYPES = {"root": out_folder, "seed": seed_int, "data_seed": seed_int,
               **dict.fromkeys(("views", "labels", "vad_train_list", "vad_test_list", "vad_gt",
                                "pretrained", "val_data", "inception"), input_path)}
# --print-config's sections besides the components
DATA_SECTION = "data"
# the sections of the image commands' configs (experiments.image_config.SECTIONS)
IMAGE_SECTIONS = ("model", "trainer", "splits", "eval")
# dests that are not settings of a run (or say what to do with one)
NOT_CONFIG = ("config", "print_config", "func", "_prog", "command", "task", "threads", "out",
              "no_progress", "devices", "accelerator", "force_reload")
# what a run does once, never a setting to repeat: refused in a --config file
ONCE = ("force_reload", )


def add_force_reload_argument(parser) -> None:
    """Declares ``--force-reload`` (its one declaration, for every command
    that loads a dataset with a processed cache, graph and image tasks
    alike): ``force_reload=True`` for the command's first load of each cache
    (:func:`~pyg_fusion.experiments.data.load_data`). An instruction to this
    run, not a setting of it: left out of ``--print-config`` and of the
    recorded configs and checkpoints (:data:`NOT_CONFIG`), refused in a
    ``--config`` file (:data:`ONCE`)."""
    parser.add_argument("--force-reload", action="store_true",
                        help="process the dataset's raw files again and replace its processed "
                        "cache, for this run's first load of it (once per cache, not per "
                        "seed): the way out of a damaged or stale cache. Generated data "
                        "(synthetic-vad, motion-vad, the synthetic scenes) is generated again "
                        "and a digits file that differs from the bundled copy replaced; the "
                        "files of tables and vad are yours, read again. Image folders (nyud, "
                        "a translate --data folder) have no cache. Not a setting of the run: "
                        "not recorded in its config or checkpoint, nor printed by "
                        "--print-config")


def _task_defaults() -> dict[str, dict[str, Any]]:
    return {t: MethodSpec.create("", t).options() for t in TASKS}


class _BooleanOptionalAction(argparse.BooleanOptionalAction):
    """argparse's, without Python 3.10's " (default: %(default)s)" suffix on the
    help (removed in 3.11): HelpFormatter appends defaults, the same on every Python."""

    def __init__(self, *args, help=None, **kwargs):
        super().__init__(*args, help=help, **kwargs)
        self.help = help


def _flag_kwargs(f: dataclasses.Field, default, text: str) -> dict[str, Any]:
    meta = f.metadata
    kw: dict[str, Any] = dict(dest=f.name, default=default, help=text)
    if meta.get("check") == "bool":
        kw["action"] = _BooleanOptionalAction
    elif meta.get("check") == "store_true":
        kw["action"] = "store_true"
    else:
        if "choices" in meta:
            kw["choices"] = meta["choices"]
        if "check" in meta:
            kw["type"] = CHECKS[meta["check"]]
            if _per_source(f):  # one value or one per source (num_powers)
                kw["type"] = per_source(kw["type"])
    if f.name in FIELD_TYPES:
        kw["type"] = FIELD_TYPES[f.name]
    if meta.get("append"):
        kw["action"] = AppendFlag
    elif meta.get("nargs") in ("+", "*"):
        kw["action"] = ListFlag
    for key in ("nargs", "metavar"):
        if key in meta:
            kw[key] = meta[key]
    return kw


def add_field_flags(group, cls, defaults: dict[str, Any] | None = None, *,
                    from_checkpoint: bool = False) -> None:
    """One flag per field of the dataclass ``cls``, with the field's default
    (or that of ``defaults``); with ``from_checkpoint``, every default is
    ``None`` and the help says "(default: the checkpoint's)" (the evaluate
    commands: the value the training run recorded). ``group`` may be a
    parser: the fields then go to a group named after the class's first
    docstring line."""
    defaults = defaults or {}
    if isinstance(group, argparse.ArgumentParser):
        group = group.add_argument_group((cls.__doc__ or cls.__name__).strip().split("\n")[0]
                                       .rstrip("."))
    for f in dataclasses.fields(cls):
        text, default = f.metadata["help"], defaults.get(f.name, f.default)
        if from_checkpoint:
            text = re.sub(r"\s*\(default[^)]*\)", "", text) + " (default: the checkpoint's)"
            default = None
        group.add_argument("--" + f.name.replace("_", "-"), *f.metadata.get("flags", ()),
                           **_flag_kwargs(f, default, text))


def _default_text(name: str, defaults: dict[str, dict[str, Any]]) -> str:
    """The default of the option ``name`` as the help says it: one value, or
    one per task; and where a setting departs from its task's
    (:data:`~pyg_fusion.experiments.SETTING_DEFAULTS`: ``--features labels``
    trains 100 epochs at lr 0.05), that too, or the help would name a
    default that such a run does not take."""
    per_task = {t: defaults[t][name] for t in TASKS}
    settings = [(t, feat, spec.options()[name]) for (t, feat) in SETTING_DEFAULTS
                for spec in [MethodSpec.create("", t, {"features": feat})]
                if spec.options()[name] != per_task[t]]
    if len(set(map(repr, per_task.values()))) == 1:
        return str(per_task[TASKS[0]]) + "".join(
            f"; {t} with --features {feat}: {v}" for t, feat, v in settings)
    return ", ".join(f"{t} {v}" + "".join(f" ({sv} with --features {feat})"
                                          for st, feat, sv in settings if st == t)
                     for t, v in per_task.items())


def add_config_flags(parser: argparse.ArgumentParser) -> None:
    """One argument group per method component, one flag per field, default
    ``None`` (the task's, named in the help)."""
    defaults = _task_defaults()
    for comp, cls in COMPONENTS.items():
        doc = (cls.__doc__ or "").strip().split("\n")[0].rstrip(".")
        g = parser.add_argument_group(f"{comp} config", doc)
        for f in dataclasses.fields(cls):
            text = f.metadata["help"]
            if "(default" not in text:
                text += f" (default: {_default_text(f.name, defaults)})"
            g.add_argument("--" + f.name.replace("_", "-"), *f.metadata.get("flags", ()),
                           **_flag_kwargs(f, None, text))


def options_from_args(args) -> dict[str, Any]:
    """The config options given on the command line (those not ``None``)."""
    return {k: getattr(args, k) for k in option_fields() if getattr(args, k, None) is not None}


def add_config_file_flags(parser: argparse.ArgumentParser) -> None:
    g = parser.add_argument_group("config file")
    g.add_argument("--config", metavar="FILE.yaml",
                   help="read settings from a YAML file (as written by --print-config, or a "
                   "flat mapping of option names); flags after it override it")
    g.add_argument("--print-config", action="store_true",
                   help="print the full config of the run as YAML (the task's defaults "
                   "filled in) and exit")


def full_config(args) -> dict[str, Any]:
    """The settings of a run, nested: the command's own settings (method,
    seeds, ...), ``data`` (:class:`~pyg_fusion.experiments.DataConfig`) and
    one section per component, every option resolved for the task."""
    from ..experiments.data import DataConfig, task_of
    from ._runs import data_config
    data_fields = {f.name for f in dataclasses.fields(DataConfig)}
    opts = option_fields()
    out: dict[str, Any] = {}
    for k, v in sorted(vars(args).items()):
        if k not in NOT_CONFIG and k not in data_fields and k not in opts:
            out[k] = v
    # checked as a run checks them, so that the YAML reads back
    out[DATA_SECTION] = dataclasses.asdict(data_config(args))
    task, options = task_of(args.dataset), options_from_args(args)
    # One spec per method named (and for "all", one of each kind of
    # defaults): an option whose default differs between them (lego-cp's start
    # and warm-up) is printed as null, "each method's default", so that the
    # YAML read back gives every method its own, as the flags did.
    items = [m.strip() for m in str(getattr(args, "method", "") or "").split(",") if m.strip()]
    # an option that none of the methods reads, as a run refuses it: the YAML would not run
    from ..experiments.config import check_options
    from ..methods import chosen_methods
    check_options(task, options, chosen_methods(items, task, options.get("features")))
    methods = [m for m in items if m != "all"] + (["lego", "lego-cp"] if "all" in items else [])
    specs = [MethodSpec.create(m, task, options).to_dict() for m in methods or [""]]
    for c in COMPONENTS:
        out[c] = {k: v if all(sp[c][k] == v for sp in specs) else None
                  for k, v in specs[0][c].items()}
    return out


def _image_command(args) -> tuple[str, str] | None:
    action = getattr(args, "action", None)
    return (args.command, action) if args.command in ("segment", "translate") and action else None


def image_full_config(args) -> dict[str, Any]:
    """The settings of an image command (``segment``/``translate``
    ``train``/``evaluate``): its own settings (``checkpoint``...), then one
    section per config (:data:`~pyg_fusion.experiments.image_config.SECTIONS`)."""
    from ..experiments.image_config import SECTIONS, image_config
    task, action = _image_command(args)
    fields = {f.name for cls in SECTIONS[(task, action)].values()
              for f in dataclasses.fields(cls)}
    out: dict[str, Any] = {k: v for k, v in sorted(vars(args).items())
                           if k not in NOT_CONFIG and k not in fields and k != "action"}
    out.update(image_config(task, action, args))
    return out


def print_config(args) -> None:
    import yaml
    cfg = image_full_config(args) if _image_command(args) else full_config(args)
    # Paths and names as written ("é", not "\xE9") where the output is UTF-8,
    # the encoding --config reads; elsewhere YAML's escapes, which read back
    # from any encoding.
    encoding = getattr(sys.stdout, "encoding", None) or "ascii"
    try:
        utf8 = codecs.lookup(encoding).name == "utf-8"
    except LookupError:
        utf8 = False
    print(yaml.safe_dump(cfg, sort_keys=False, allow_unicode=utf8), end="")


def _flatten(mapping: dict, path: str) -> dict[str, Any]:
    flat: dict[str, Any] = {}
    for k, v in mapping.items():
        if k in (DATA_SECTION, *COMPONENTS, *IMAGE_SECTIONS) and isinstance(v, dict):
            flat.update(v)
        elif isinstance(v, dict) and k != "num_powers":
            raise CLIError(f"--config {path}: section {k!r} is none of "
                           f"{[DATA_SECTION, *COMPONENTS]}")
        else:
            flat[k] = v
    return flat


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


def _tokens(parser: argparse.ArgumentParser, flat: dict[str, Any], path: str,
            from_files: dict[str, int], origin: int) -> list[str]:
    actions = {a.dest: a for a in parser._actions if a.option_strings}
    out: list[str] = []
    flat = _without_task(flat, path)
    for key, value in flat.items():
        a = actions.get(key)
        if a is None or key in ("config", "print_config"):
            raise CLIError(f"--config {path}: {key!r} is no setting of this command")
        if key in ONCE:  # a config is reused: every run would do it again
            raise CLIError(f"--config {path}: {key!r} is no setting of a run but an "
                           f"instruction to one: give {a.option_strings[0]} on the command "
                           f"line")
        flag = a.option_strings[0]
        if value is None:
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
        elif isinstance(value, dict) and _per_source(option_fields().get(key, (None, None))[1]):
            # one value per source (a sweep cell's num_powers): SOURCE=N,...
            out.append(f"{flag}=" + ",".join(f"{k}={v}" for k, v in value.items()))
        elif isinstance(value, dict) and set(value) == {"train", "test"}:
            out.append(f"{flag}={value['train']},{value['test']}")  # --vad-num-abnormal
        elif isinstance(value, dict):
            raise CLIError(f"--config {path}: {key} must be a single value, got {value!r}")
        else:  # one token: a value that starts with "-" stays a value
            out.append(f"{flag}={value}")
    return out


def expand_config_files(parser: argparse.ArgumentParser, argv: list[str],
                        from_files: dict[str, int] | None = None) -> list[str]:
    """``argv`` with each ``--config FILE`` (or ``--config=FILE``) replaced
    by the flags of FILE, for the command ``parser`` parses; ``from_files``
    counts the :class:`~pyg_fusion.cli.ListFlag` flags that the files give
    (a flag after a file replaces its value: no repeat); the items of an
    :class:`~pyg_fusion.cli.AppendFlag` are marked with their file, so that
    the flag after it replaces them too."""
    from_files = {} if from_files is None else from_files
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
            try:
                with open(path, encoding="utf-8") as fh:  # YAML's own encoding
                    loaded = yaml.safe_load(fh)
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
                raise CLIError(f"--config {path}: expected a mapping of settings, got "
                               f"{type(loaded).__name__}")
            origin += 1
            out += _tokens(parser, _flatten(loaded, path), path, from_files, origin)
        else:
            out.append(tok)
            i += 1
    return out
