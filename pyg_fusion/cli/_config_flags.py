"""Flags generated from the typed configs of :mod:`pyg_fusion.experiments`,
and a run's full config for ``--print-config``.

Every field of a method config (:data:`~pyg_fusion.experiments.COMPONENTS`)
becomes ``--<field-name>`` with the field's type check, choices and help;
its default is ``None`` ("the task's", spelled out in the help), so that only
the options given reach :meth:`~pyg_fusion.experiments.MethodSpec.create`.
Written by hand rather than with jsonargparse: the commands stay plain
argparse (one error contract, the help formatter, under 0.1 s to start), and
the generator is the short loop below. The flags' value types are in
:mod:`pyg_fusion.cli._flag_types`; ``--config FILE.yaml`` is read by
:mod:`pyg_fusion.cli._config_file`.
"""
from __future__ import annotations

import argparse
import codecs
import dataclasses
import re
import sys
from typing import Any

from ..specs.components import COMPONENTS, SETTING_DEFAULTS, TASKS, option_fields
from ..specs.method_spec import MethodSpec
from . import AppendFlag, ListFlag
from ._flag_types import CHECKS, FIELD_TYPES, _per_source, per_source


# --print-config's sections besides the components
DATA_SECTION = "data"
# the sections of the image commands' configs (experiments.image_config.SECTIONS)
IMAGE_SECTIONS = ("model", "trainer", "splits", "eval")
# dests that are not settings of a run (or say what to do with one)
NOT_CONFIG = ("config", "print_config", "func", "check", "_prog", "command", "task", "threads",
              "out", "no_progress", "devices", "accelerator", "force_reload")


def once(action: argparse.Action) -> argparse.Action:
    """Marks the flag ``action`` as an instruction to one run, never a
    setting to repeat: refused in a ``--config`` file, which is reused. A mark
    of the flag, not of its name: ``resume`` is one of image train's
    (:func:`~pyg_fusion.cli._image_commands.add_resume_argument`) but a setting
    of compare and sweep, whose ``--no-resume`` undoes a config's."""
    action.once = True
    return action


def add_force_reload_argument(parser) -> None:
    """Declares ``--force-reload`` (its one declaration, for every command
    that loads a dataset with a processed cache, graph and image tasks
    alike): ``force_reload=True`` for the command's first load of each cache
    (:func:`~pyg_fusion.experiments.data.load_data`). An instruction to this
    run, not a setting of it: left out of ``--print-config`` and of the
    recorded configs and checkpoints (:data:`NOT_CONFIG`), refused in a
    ``--config`` file (:func:`once`)."""
    once(parser.add_argument("--force-reload", action="store_true",
                             help="process the dataset's raw files again and replace its processed "
                             "cache, for this run's first load of it (once per cache, not per "
                             "seed): the way out of a damaged or stale cache. Generated data "
                             "(synthetic-vad, motion-vad, the synthetic scenes) is generated again "
                             "and a digits file that differs from the bundled copy replaced; the "
                             "files of tables and vad are yours, read again. Image folders (nyud, "
                             "a translate --data folder) have no cache. Not a setting of the run: "
                             "not recorded in its config or checkpoint, nor printed by "
                             "--print-config"))


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
                kw["type"] = per_source(kw["type"], meta["per"])
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
    ``None`` and the help (the field's ``evaluate`` help where it has one)
    says "(default: the checkpoint's)" (the evaluate commands: the value the
    training run recorded). ``group`` may be a
    parser: the fields then go to a group named after the class's first
    docstring line."""
    defaults = defaults or {}
    if isinstance(group, argparse.ArgumentParser):
        group = group.add_argument_group((cls.__doc__ or cls.__name__).strip().split("\n")[0]
                                       .rstrip("."))
    for f in dataclasses.fields(cls):
        text, default = f.metadata["help"], defaults.get(f.name, f.default)
        if from_checkpoint:
            text = f.metadata.get("evaluate", text)
            text = re.sub(r"\s*\(default[^)]*\)", "", text) + " (default: the checkpoint's)"
            default = None
        group.add_argument("--" + f.name.replace("_", "-"), *f.metadata.get("flags", ()),
                           **_flag_kwargs(f, default, text))


def _shown(f: dataclasses.Field, value: Any) -> str:
    # None is no value a user types: the help says what it means (the
    # option's ``unset``), not Python's None
    return f.metadata["unset"] if value is None else str(value)


def _default_text(f: dataclasses.Field, defaults: dict[str, dict[str, Any]]) -> str:
    """The default of the option ``name`` as the help says it: one value, or
    one per task; and where a setting departs from its task's
    (:data:`~pyg_fusion.experiments.SETTING_DEFAULTS`: ``--features labels``
    trains 100 epochs at lr 0.05), that too, or the help would name a
    default that such a run does not take."""
    name = f.name
    per_task = {t: _shown(f, defaults[t][name]) for t in TASKS}
    settings = [(t, feat, _shown(f, spec.options()[name])) for (t, feat) in SETTING_DEFAULTS
                for spec in [MethodSpec.create("", t, {"features": feat})]
                if _shown(f, spec.options()[name]) != per_task[t]]
    if len(set(per_task.values())) == 1:
        return per_task[TASKS[0]] + "".join(
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
                text += f" (default: {_default_text(f, defaults)})"
            g.add_argument("--" + f.name.replace("_", "-"), *f.metadata.get("flags", ()),
                           **_flag_kwargs(f, None, text))


def options_from_args(args) -> dict[str, Any]:
    """The config options given on the command line (those not ``None``)."""
    return {k: getattr(args, k) for k in option_fields() if getattr(args, k, None) is not None}


def add_config_file_flags(parser: argparse.ArgumentParser) -> None:
    g = parser.add_argument_group("config file")
    g.add_argument("--config", metavar="FILE.yaml",
                   help="read settings from a YAML file (as written by --print-config, or a "
                   "flat mapping of option names); flags after it override it. A relative "
                   "path in it is read as the flag's: from the current folder, not the "
                   "file's (a printed config holds your files absolute). null (or an "
                   "empty value) is the default of a setting whose --help default is no value "
                   "(--pretrained) or the task's / method's (a method option: a config printed "
                   "for methods of other defaults holds null); for any other it is an error")
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
    out[DATA_SECTION] = _own_files_absolute(dataclasses.asdict(data_config(args)))
    task, options = task_of(args.dataset), options_from_args(args)
    # One spec per method named (and for "all", one of each kind of
    # defaults): an option whose default differs between them (lego-cp's start
    # and warm-up) is printed as null, "each method's default", so that the
    # YAML read back gives every method its own, as the flags did.
    items = [m.strip() for m in str(getattr(args, "method", "") or "").split(",") if m.strip()]
    # an option that none of the methods reads, as a run refuses it: the YAML would not run
    from ..specs.method_spec import check_options
    from ._runs import chosen_before_data
    check_options(task, options, chosen_before_data(",".join(items), data_config(args), options))
    methods = [m for m in items if m != "all"] + (["lego", "lego-cp"] if "all" in items else [])
    specs = [MethodSpec.create(m, task, options).to_dict() for m in methods or [""]]
    for c in COMPONENTS:
        out[c] = {k: v if all(sp[c][k] == v for sp in specs) else None
                  for k, v in specs[0][c].items()}
    return out


def _image_command(args) -> tuple[str, str] | None:
    action = getattr(args, "action", None)
    return (args.command, action) if args.command in ("segment", "translate") and action else None


def _own_files_absolute(data: dict[str, Any]) -> dict[str, Any]:
    """``data`` with the user's own files absolute, by the rule of the records
    (``DataConfig.root``'s help): the printed config of ``--views a.csv`` read
    back with ``--config`` from another folder was 'no such file: a.csv', as a
    record's config is not. The generated and bundled data keep ``root``."""
    import os
    if data.get("dataset") == "tables":
        from ..datasets._named_sources import name_views
        if data.get("views"):
            data["views"] = [f"{n}={os.path.abspath(f)}"
                             for n, f in name_views(data["views"], "--views").items()]
        if data.get("labels"):
            data["labels"] = os.path.abspath(data["labels"])
    elif data.get("dataset") == "vad" and data.get("root"):
        data["root"] = os.path.abspath(data["root"])
    return data


def check_image_command(args) -> None:
    """The settings of an image command (``segment``/``translate``
    ``train``, ``translate evaluate``'s ``--data``, ``segment evaluate``'s
    ``--root`` of ``--data nyud``), checked as its run
    checks them before any work, without torch: the command's ``check``
    (before torch and Lightning load, seconds) and ``--print-config`` (so
    that the YAML runs)."""
    from ..experiments.image_config import check_segment, image_configs
    task, action = _image_command(args)
    if action == "train":
        configs = image_configs(task, action, args)
        if task == "segment":
            check_segment(configs["data"], configs["model"])
        else:
            from ..experiments.translate_data import check_translate_train
            check_translate_train(configs["data"], configs["splits"], configs["model"])
    elif task == "translate" and args.data is not None:  # None: the checkpoint's
        from ..experiments.translate_data import check_translate_data
        check_translate_data(args.data)
    elif args.data not in (None, "synthetic") and args.root is not None:
        # segment evaluate's own scenes; a synthetic root (given or the
        # checkpoint's kind) is where the scenes are made
        import os.path as osp
        if not osp.isdir(args.root):
            raise ValueError(f"--root folder not found: {args.root}")


def image_full_config(args) -> dict[str, Any]:
    """The settings of an image command (``segment``/``translate``
    ``train``/``evaluate``): its own settings (``checkpoint``...), then one
    section per config (:data:`~pyg_fusion.experiments.image_config.SECTIONS`)."""
    from ..experiments.image_config import SECTIONS, image_config
    task, action = _image_command(args)
    fields = {f.name for cls in SECTIONS[(task, action)].values()
              for f in dataclasses.fields(cls)}
    out: dict[str, Any] = {k: v for k, v in sorted(vars(args).items())
                           if k not in NOT_CONFIG and k not in fields
                           and k not in ("action", "resume")}
    out.update(image_config(task, action, args))
    # the user's files and folders absolute, as the run records them: the
    # printed config read back from another folder found none of them
    # ('--checkpoint: no such file: run/checkpoints/last.ckpt')
    from ..experiments.image_config import image_configs
    from ..experiments.image_run import as_recorded, config_with_data
    data = image_configs(task, action, args)["data"]
    return config_with_data(out, as_recorded(data, "root" if task == "segment" else "data"))


def print_config(args) -> None:
    import yaml
    if args.command == "sweep":  # its own settings first, as its run checks them
        from .sweep import check_sweep
        check_sweep(args)
    if _image_command(args):
        check_image_command(args)
    cfg = image_full_config(args) if _image_command(args) else full_config(args)
    if getattr(args, "checkpoint", None) is not None:  # an evaluate's: the run's first read
        from .evaluate import check as check_checkpoint
        check_checkpoint(args)
    # Paths and names as written ("é", not "\xE9") where the output is UTF-8,
    # the encoding --config reads; elsewhere YAML's escapes, which read back
    # from any encoding.
    encoding = getattr(sys.stdout, "encoding", None) or "ascii"
    try:
        utf8 = codecs.lookup(encoding).name == "utf-8"
    except LookupError:
        utf8 = False
    # no folding: YAML's 80 columns split a long path over two lines at a space,
    # which reads back but cannot be copied or searched as the path it is
    print(yaml.safe_dump(cfg, sort_keys=False, allow_unicode=utf8, width=float("inf")), end="")
