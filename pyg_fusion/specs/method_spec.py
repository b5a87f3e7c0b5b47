"""The spec of a method run: :class:`MethodSpec`, the configs of the
components (:mod:`~pyg_fusion.specs.components`) composed for one
method and task, and :func:`check_options`, the check of the options a user
gives for a task, which every method's spec passes through.

The components, their defaults and the ``option`` / ``documented``
declarations are defined in :mod:`~pyg_fusion.specs.components` and
:mod:`~pyg_fusion.specs.options`, and importable from here too.
"""
from __future__ import annotations

import dataclasses
import inspect
import re
from dataclasses import dataclass, field, fields
from typing import Any, Mapping, Sequence

from .components import (COMPONENTS, LEGO_CONFIGS, LEGO_METHODS, SETTING_DEFAULTS, STARTS,
                         TASK_DEFAULTS, TASKS, FusionConfig, GraphConfig, HeadConfig,
                         ObjectiveConfig, PowersConfig, TrainerConfig, option_fields)
from .options import check_field, documented, flag, option, plain, plain_config, unread_option


def _task_base(task: str, features: str) -> dict[str, Any]:
    """Where ``task`` and its ``features`` setting depart from the components' defaults."""
    return {**TASK_DEFAULTS[task], **SETTING_DEFAULTS.get((task, features), {})}


def _task_defaults(task: str, given: dict[str, Any]) -> dict[str, Any]:
    """Every option's default in a run of ``task`` with the ``features``
    setting of ``given``: an option given at it was not moved."""
    base = _task_base(task, given.get("features", HeadConfig.features))
    return {name: base.get(name, f.default) for name, (_, f) in option_fields().items()}


def plain_options(options: Mapping[str, Any] | None) -> dict[str, Any]:
    """``options`` (option names to values; ``None``: none) as a plain dict
    (:func:`~pyg_fusion.specs.options.plain`), what a run records.

    Args:
        options (Mapping or None): the options given.
    """
    if options is not None and not isinstance(options, Mapping):
        # dict() of "epochs=1" said 'dictionary update sequence element #0
        # has length 1; 2 is required', .items() of it 'str' has no attribute
        raise TypeError(f"options must be a dict {{option name: value}} (e.g. "
                        f"{{'epochs': 1}}), got {type(options).__name__} {options!r}")
    return plain(dict(options or {}))


def check_options(task: str, options: dict[str, Any] | None = None,
                  methods: Sequence[str] | None = None) -> dict[str, Any]:
    """Checks the options of the method configs given for ``task``, as every
    method's :meth:`MethodSpec.create` does: the task is known, each name is
    an option, each value lies in its field's range and choices, and no
    option the task does not read is set away from its default; with
    ``methods`` (the methods of one run), no option that none of them reads
    either (an option's ``methods`` metadata). Call it to find a user's error
    before the work of a run (loading the data) starts.

    Args:
        task (str): ``"node"`` or ``"vad"``.
        options (dict, optional): flat option names to values; a ``None``
            is what the option's help says it means (``patience=None``:
            never stop early) where it says so, an error for any other
            option (leave it out for the task's default). (default: :obj:`None`)
        methods (Sequence[str], optional): the methods the options are given
            for: names, or patterns such as ``graph-*`` for the methods of
            every source (:func:`~pyg_fusion.methods.chosen_methods`); ``None``
            or empty: not checked against methods. (default: :obj:`None`)

    Returns:
        dict: the options given, as plain
        Python (:func:`~pyg_fusion.specs.options.plain`: numpy's scalars as
        Python's), which a run records.
    """
    # plain Python before the checks: every entry (run_method, build_model,
    # a sweep's cells, a config file) records what this returns
    given = plain_options(options)
    _check_values(task, given)
    _check_task_options(task, given)
    if methods:
        _check_method_options(task, given, methods)
        _check_run_options(task, given)
        _check_lego_options(task, given, methods)
    return given


def _check_values(task: str, given: dict[str, Any]) -> None:
    """What any spec of ``task`` must hold, given as options or read back
    from a saved spec (:meth:`MethodSpec.from_dict`): known option names,
    each value in its field's range and choices, a ``None`` only where the
    option says what it means (``unset``; a ``None`` once read as the
    task's default: ``branch_dropout=None``, "--dropout", gave VAD's 0.1),
    and no value this task cannot run."""
    if task not in TASKS:
        raise ValueError(f"task must be one of {TASKS}, got {task!r}")
    known = option_fields()
    unknown = sorted(set(given) - set(known))
    if unknown:
        raise ValueError(f"unknown option(s) {unknown}; known: {', '.join(known)}")
    for name, value in given.items():
        f = known[name][1]
        if value is not None:
            check_field(name, f, value)
        elif "unset" not in f.metadata:
            try:
                check_field(name, f, value)
            except ValueError as exc:
                raise ValueError(f"{exc} (None is no value of it: leave it out for the "
                                 f"task's default)") from None
    # node heads have no width of their own (VAD's row heads are N wide)
    if task == "node" and "hidden_channels" in given and given["hidden_channels"] is None:
        raise ValueError("hidden_channels=None (the head's own width) is VAD's; the node "
                         "task's head needs an int >= 1")
    # init's "auto" value (not the option) is VAD's: the node task has no
    # held-out videos to choose a start by
    if task == "node" and given.get("init") == "auto":
        raise ValueError("--init auto is a VAD option (it chooses the start on held-out "
                         "videos); the node task takes --init product or mean")


def _lego_flags() -> dict[str, str]:
    """LEGOFusion's argument names -> the flags that set them (its ``mode``
    is LEGO's ``fusion``, the ``--operator`` option)."""
    out = {f.metadata.get("arg", name): flag(name) for name, (_, f) in option_fields().items()}
    return {**out, "mode": out["fusion"]}


def _lego_error(text: str, method: str, kwargs: dict[str, Any]) -> str:
    """A LEGOFusion error about ``method``'s options in the flags' words
    (``init='mean'`` -> ``--init mean``), and the values the method has of
    the options it names (given or the task's defaults)."""
    flags = _lego_flags()
    named: list[str] = []

    def in_flags(m: re.Match) -> str:
        name, value = m.group(1), m.group(2).strip("'")
        if name not in flags:
            return m.group(0)
        if name not in named:
            named.append(name)
        return f"{flags[name]} {value}" + re.sub(r"'(\w+)'", r"\1", m.group(3) or "")

    text = re.sub(r"\b(\w+)=('[^']*'|[\w.]+)((?: or '\w+')*)", in_flags, text)
    cp = method == "lego-cp"
    has = [f"{flags[n]} {kwargs['fusion' if n == 'mode' else n]}" for n in named
           if not (cp and n == "mode")]
    if cp and "mode" in named:
        has.append("the CP operator (whatever --operator says)")
    return f"{text}; {method} has {', '.join(has)}" if has else text


def _check_lego_options(task: str, given: dict[str, Any], methods: Sequence[str]) -> None:
    """The options of each LEGO method of a run through the rules of
    :class:`~pyg_fusion.nn.LEGOFusion` (which refuses an operator its
    options do not define together), so that a run refuses them before it
    loads its data, naming the flags; ``init="auto"`` (VAD) builds each of
    its starts."""
    from .._lego_rules import check_fusion_options
    # the rules' arguments that LEGO's arguments give (its fusion is LEGOFusion's
    # mode), by name: an argument added to both needs no line here
    rules = inspect.signature(check_fusion_options).parameters
    for method in [m for m in methods if m in LEGO_METHODS]:
        spec = MethodSpec.create(method, task, given)
        kw = spec.lego_kwargs()  # the model's: init "auto" is its first start
        args = {"mode" if a == "fusion" else a: v for a, v in kw.items()}
        args = {a: v for a, v in args.items() if a in rules}
        auto = spec.fusion.init == "auto"
        for start in STARTS if auto else [kw["init"]]:
            try:  # two sources: the rules of the options do not depend on the sources
                check_fusion_options(["a", "b"], **{**args, "init": start})
            except ValueError as exc:
                text = _lego_error(str(exc), method, {**kw, "init": spec.fusion.init})
                if auto and start != STARTS[0]:  # the first is the run's own start
                    text = (f"--init auto trains from the {' and the '.join(STARTS)} starts, "
                            f"but {method} has no {start} start: {text} (give --init product)")
                raise ValueError(text) from None


def _check_run_options(task: str, given: dict[str, Any]) -> None:
    """Options of a VAD run that its other options leave unread, set away
    from their defaults: they would be recorded with the run as if used. The
    ensemble of the restarts needs restarts; early stopping watches the
    held-out videos. (Checked for a run, as the methods' options are; a spec
    alone may hold them.)"""
    if task != "vad":
        return
    known, default = option_fields(), _task_defaults(task, given)

    def value(name):
        return given.get(name, default[name])

    def moved(name):  # None: patience's "never" reads no held-out videos
        return given.get(name) is not None and given[name] != default[name]

    if moved("restart_combine") and value("restarts") == 1:
        raise ValueError(f"--restart-combine {given['restart_combine']} combines the restarts "
                         f"of a run, and --restarts is 1: give --restarts > 1")
    if moved("branch_fresh_head") and not value("branch_warmup"):
        raise ValueError("--branch-fresh-head restarts the row head when the branch starts "
                         "after its warm-up: give --branch-warmup too")
    # fit_vad's own checks of these name its arguments (restarts > 1,
    # choice='pseudo_auc'), not the flags a user typed
    if value("restarts") > 1 and not value("val_fraction"):
        raise ValueError(f"--restarts {value('restarts')} chooses among the restarts on "
                         f"held-out videos, and --val-fraction 0 holds none out")
    if value("val_choice") != known["val_choice"][1].default and not value("val_fraction"):
        raise ValueError(f"--val-choice {value('val_choice')} scores the held-out videos, "
                         f"and --val-fraction 0 holds none out")
    unread = [flag(n) for n in ("patience", "min_epochs") if moved(n)]
    if unread and not value("val_fraction"):
        raise ValueError(f"{', '.join(unread)}: early stopping watches the held-out videos, "
                         f"and --val-fraction 0 holds none out")


def _check_method_options(task: str, given: dict[str, Any], methods: Sequence[str]) -> None:
    """An option that none of ``methods`` reads, set away from the task's
    default, would be recorded with the runs as if used: an error naming the
    methods that read it. At the default it passes, as for the datasets'
    options (:func:`~pyg_fusion.experiments.data.check_dataset_flags`)."""
    unread = unread_option([f for _, f in option_fields().values()], given, "methods",
                           methods, scope=task, defaults=_task_defaults(task, given))
    if unread is not None:
        f, readers = unread
        raise ValueError(f"{flag(f.name)} is read by {', '.join(readers)}; "
                         f"the chosen methods ({', '.join(methods)}) read none of it")


def _check_task_options(task: str, given: dict[str, Any]) -> None:
    """Options of the other task only (their help names it first: "VAD: ...",
    "node task: ...") set away from this task's default would be recorded as
    if used: an error. At the default they pass, so that a full config
    (``--print-config``) reads back."""
    other = "VAD" if task == "node" else "node task"
    known, default = option_fields(), _task_defaults(task, given)
    misplaced = [flag(n) for n in sorted(given)
                 if known[n][1].metadata["help"].startswith(other) and given[n] != default[n]]
    if misplaced:
        raise ValueError(f"{', '.join(misplaced)}: these are {other} options, which the "
                         f"{'node task' if task == 'node' else 'VAD task'} does not read")
    # graph only (features="labels"): the head is label propagation, which
    # reads none of the feature head's widths, layers or dropout
    if task == "node" and given.get("features") == "labels":
        unread = [flag(n) for n in ("dropout", "hidden_channels", "num_layers")
                  if n in given and given[n] != default[n]]
        if unread:
            raise ValueError(f"{', '.join(unread)}: --features labels scores by label "
                             f"propagation (20 steps, alpha 0.9), which reads none of them")


@dataclass
class MethodSpec:
    """A method and the configs of its components for one task.

    Args:
        method (str): the method's name (:func:`~pyg_fusion.methods.method_names`).
        task (str): ``"node"`` or ``"vad"``.
        graph (GraphConfig, optional): the relationship graphs.
            (default: :obj:`GraphConfig()`)
        powers (PowersConfig, optional): the graph powers. (default: :obj:`PowersConfig()`)
        fusion (FusionConfig, optional): LEGO's operator. (default: :obj:`FusionConfig()`)
        head (HeadConfig, optional): the head. (default: :obj:`HeadConfig()`)
        objective (ObjectiveConfig, optional): the loss. (default: :obj:`ObjectiveConfig()`)
        trainer (TrainerConfig, optional): the optimisation. (default: :obj:`TrainerConfig()`)
    """
    method: str
    task: str
    graph: GraphConfig = field(default_factory=GraphConfig)
    powers: PowersConfig = field(default_factory=PowersConfig)
    fusion: FusionConfig = field(default_factory=FusionConfig)
    head: HeadConfig = field(default_factory=HeadConfig)
    objective: ObjectiveConfig = field(default_factory=ObjectiveConfig)
    trainer: TrainerConfig = field(default_factory=TrainerConfig)

    def __post_init__(self):
        # a spec built in Python is built into models and recorded as
        # create's is: numpy's scalars as Python's (PyG's convs index a width
        # that is no int), each config a copy, the caller's left as given
        self.method, self.task = plain(self.method), plain(self.task)
        for comp, cls in COMPONENTS.items():
            cfg = getattr(self, comp)
            if not isinstance(cfg, cls):
                raise TypeError(f"MethodSpec's {comp} must be a {cls.__name__}, got "
                                f"{type(cfg).__name__} (from a dict of options: "
                                f"MethodSpec.create or MethodSpec.from_dict)")
            setattr(self, comp, plain_config(cfg))
        # what create's options and a saved spec pass (one check): a spec built
        # in Python (HeadConfig(center=1)) built a model silently
        _check_values(self.task, self.options())

    @classmethod
    def create(cls, method: str, task: str, options: dict[str, Any] | None = None
               ) -> "MethodSpec":
        """The spec of ``method`` for ``task``: the components' defaults, then
        :data:`TASK_DEFAULTS`, then :data:`SETTING_DEFAULTS` of the
        ``features`` setting, then ``options`` (flat option names; a ``None``
        is what the option documents for it, e.g. ``patience=None``: never),
        checked by :func:`check_options`."""
        given = check_options(task, options)
        known = option_fields()
        features = given.get("features", HeadConfig.features)
        # a rank-1 CP operator cannot be the mean of the graphs: lego-cp starts
        # at their product unless the user says otherwise (LEGOFusion rejects
        # an explicit init="mean" with cp); the VAD warm-up auto raised
        # lego-cp's held-out loss, so lego-cp trains A from the start
        method_defaults = ({"init": "product", "operator_warmup": 0}
                           if method == "lego-cp" else {})
        base = {**_task_base(task, features), **method_defaults}
        flat = {**base, **given}
        parts: dict[str, dict[str, Any]] = {c: {} for c in COMPONENTS}
        for name, value in flat.items():
            parts[known[name][0]][name] = value
        return cls(method, task, **{c: COMPONENTS[c](**kw) for c, kw in parts.items()})

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> "MethodSpec":
        """Inverse of :meth:`to_dict` (fields a saved spec lacks take their
        components' defaults, so older saved specs load). Its values pass the
        checks of :meth:`create`'s options (:func:`check_options`) that hold
        for any spec of its task; not those of options given but unread,
        since a saved spec holds every field (at the defaults of its time).

        Args:
            d (dict): a saved spec (:meth:`to_dict`).
        """
        if not isinstance(d, Mapping) or not {"method", "task"} <= set(d):
            raise ValueError(f"a saved spec is a dict with the keys 'method', 'task' and its "
                             f"components {list(COMPONENTS)}, got {d!r}")
        known = option_fields()
        extra = sorted(set(d) - {"method", "task", *COMPONENTS}, key=str)
        wrong = [f"{c}.{k}" for c in COMPONENTS if isinstance(d.get(c, {}), Mapping)
                 for k in d.get(c, {}) if k in known and known[k][0] != c]
        if extra or wrong or not all(isinstance(d.get(c, {}), Mapping) for c in COMPONENTS):
            raise ValueError(f"saved spec ({d['method']}, {d['task']}): its keys are 'method', "
                             f"'task' and a dict of fields per component {list(COMPONENTS)}, "
                             f"got {extra + wrong or d!r}")
        parts = {c: plain(dict(d.get(c, {}))) for c in COMPONENTS}
        unknown = sorted(k for kw in parts.values() for k in kw if k not in known)
        try:
            if unknown:
                raise ValueError(f"unknown option(s) {unknown}; known: {', '.join(known)}")
            return cls(d["method"], d["task"], **{c: COMPONENTS[c](**parts[c])
                                                 for c in COMPONENTS})
        except ValueError as exc:  # the checks of __post_init__
            raise ValueError(f"saved spec ({d['method']}, {d['task']}): {exc}") from None

    def to_dict(self) -> dict[str, Any]:
        return dataclasses.asdict(self)

    def options(self) -> dict[str, Any]:
        """Every option of every component, flat."""
        return {name: getattr(getattr(self, comp), name)
                for name, (comp, _) in option_fields().items()}

    def with_init(self, init: str) -> "MethodSpec":
        """This spec with the operator started at ``init`` (the start an
        ``init="auto"`` run trains or chose)."""
        return dataclasses.replace(self, fusion=dataclasses.replace(self.fusion, init=init))

    def lego_kwargs(self) -> dict[str, Any]:
        """The keyword arguments of :class:`~pyg_fusion.nn.LEGO` that the
        method's model is built with: every field of :data:`LEGO_CONFIGS`,
        the operator being lego-cp's CP form whatever ``operator`` says, and
        ``fusion_rank`` lego-cp's alone."""
        out = {}
        for comp in LEGO_CONFIGS:
            cfg = getattr(self, comp)
            for f in fields(cfg):
                out[f.metadata.get("arg", f.name)] = getattr(cfg, f.name)
        # init="auto" is a choice a VAD run makes between trained starts
        # (experiments.run); a model built from the spec alone gets the first
        # start the run tries
        if out["init"] == "auto":
            out["init"] = STARTS[0]
        # a run of lego and lego-cp shares --fusion-rank, and LEGO refuses a
        # rank for the other operators
        if self.method == "lego-cp":
            out["fusion"] = "cp"
        else:
            out["rank"] = 1
        return out


__all__ = ["TASKS", "GraphConfig", "PowersConfig", "FusionConfig", "HeadConfig",
           "ObjectiveConfig", "TrainerConfig", "COMPONENTS", "LEGO_CONFIGS", "TASK_DEFAULTS",
           "SETTING_DEFAULTS", "MethodSpec", "option", "option_fields", "check_options",
           "plain_options", "documented"]
