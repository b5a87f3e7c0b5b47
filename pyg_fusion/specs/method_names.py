"""The method names: which methods a task has on some sources, and how a
``--method`` list reads (names, families, ``all``), without the models.

:func:`method_table` is the one list of names; :mod:`pyg_fusion.methods`
registers a builder per :class:`Method` kind against it. The command line
checks a name here before it imports torch and PyG (seconds), which the
models need.
"""
from __future__ import annotations

from fnmatch import fnmatchcase
from typing import NamedTuple

from .._option_rules import near_name
from .components import TASKS

# The multi-source modes of the baselines (pyg_fusion.nn.baselines'
# FEATURE_MODES and GRAPH_MODES but "single", which the per-source methods
# use). Graph "add" is left out: it is "mean" times M, and the paper's
# "addition" baseline is served by mean.
FEATURE_FUSIONS = ("concat", "add", "product")
GRAPH_FUSIONS = ("concat", "mean", "product")


class Method(NamedTuple):
    """What a method name stands for: the kind of model its builder makes,
    the baseline's mode (``"single"`` or a fusion) and its one source.

    Args:
        kind (str): ``"lego"``, ``"feature"``, ``"graph"``, ``"gcn"``,
            ``"asym"`` or ``"mtn"``.
        mode (str, optional): the feature or graph baseline's mode.
            (default: :obj:`None`)
        source (str, optional): the one source it reads. (default: :obj:`None`)
    """
    kind: str
    mode: str | None = None
    source: str | None = None


def method_table(task: str, sources: list[str], features: str | None = None
                 ) -> dict[str, Method]:
    """``{method name: Method}`` of ``task`` on these sources, in the order of
    :func:`method_names`.

    Args:
        task (str): ``"node"`` or ``"vad"``.
        sources (list[str]): the sources' names (the ``single-*`` methods are named after
            them).
        features (str, optional): the head's input (node task); ``"labels"`` keeps the
            methods that give a graph. (default: :obj:`None`, ``"concat"``)
    """
    if task not in TASKS:
        raise ValueError(f"task must be one of {TASKS}, got {task!r}")
    # a source named after a fusion gave its own method the fusion's name
    # (graph-mean: the view "mean"'s graph, or the mean of all graphs), and
    # the table kept the fusion only, silently
    for x in sources:
        if x in GRAPH_FUSIONS:
            raise ValueError(f"a source may not be named {x!r}: the method of its own graph, "
                             f"graph-{x}, would have the name of the fusion of all the sources' "
                             f"graphs, graph-{x}; rename the source (tables: --views "
                             f"NAME=FILE)")
    lego = ("lego", "lego-cp") if task == "node" else ("lego", "lego-cp", "lego-row")
    table = {name: Method("lego") for name in lego}
    table.update({f"single-{x}": Method("feature", "single", x) for x in sources})
    table.update({f"feature-{m}": Method("feature", m) for m in FEATURE_FUSIONS})
    if task == "vad":
        table["mtn"] = Method("mtn")
    table.update({f"graph-{x}": Method("graph", "single", x) for x in sources})
    table.update({f"graph-{m}": Method("graph", m) for m in GRAPH_FUSIONS})
    features = features or "concat"
    if task == "node" and features != "labels":
        table.update({f"gcn-{x}": Method("gcn", source=x) for x in sources})
        table["gcn-mean"] = Method("gcn")
    if task == "node" and features == "concat":  # it exchanges the views' features
        table["asym-shuffle"] = Method("asym")
    return table


def method_names(task: str, sources: list[str], features: str | None = None) -> list[str]:
    """All method names for ``task`` ("node" or "vad") on these sources
    (with ``features="labels"``, only the methods that give a graph).

    Args:
        task (str): ``"node"`` or ``"vad"``.
        sources (list[str]): the sources' names.
        features (str, optional): the head's input (see :func:`method_table`).
            (default: :obj:`None`)
    """
    return list(method_table(task, sources, features))


def _items(spec: str | list[str]) -> list[str]:
    """The names and families of ``spec`` (comma separated or a list),
    stripped, empty ones dropped; one given twice is an error (its second
    run would be dropped without a word, as a repeated seed would overwrite
    the first; a family that covers a name given beside it is fine)."""
    items = [i.strip() for i in (spec.split(",") if isinstance(spec, str) else list(spec))]
    items = [i for i in items if i]
    repeated = sorted({i for i in items if items.count(i) > 1})
    if repeated:
        raise ValueError(f"method(s) {', '.join(repeated)} given twice: name each once")
    return items


def _families(names: list[str]) -> list[str]:
    """The families that stand for some of ``names`` (``graph`` for
    ``graph-a``...), in their order; a prefix that is a method's own name
    (``lego``) names that method alone."""
    prefixes = [n.split("-")[0] for n in names if "-" in n]
    return [p for p in dict.fromkeys(prefixes) if p not in names]


def _near_method(item: str, names: list[str], sources: list[str]) -> str:
    """`` (maybe you meant 'gcn-mean'?)`` for a typo of one of ``names`` or
    their families, ``""`` for a method of another task or head (VAD's
    ``lego-row`` on a node data set is no typo)."""
    for task in TASKS:
        for features in (None, "labels"):
            if any(fnmatchcase(item, n) or n.startswith(item + "-")
                   for n in method_names(task, sources, features)):
                return ""
    close = near_name(item, ["all", *_families(names), *(n for n in names if "*" not in n)])
    return f" (maybe you meant {close!r}?)" if close is not None else ""


def resolve_methods(spec: str | list[str], task: str, sources: list[str],
                    features: str | None = None) -> list[str]:
    """Expands a comma-separated list of names and groups: ``all``,
    ``lego``-family, ``single``, ``graph``, ``gcn``, ``feature`` (the prefix of
    a name stands for all names of that family).

    Args:
        spec (str or list[str]): names and families, comma separated or as a list.
        task (str): ``"node"`` or ``"vad"``.
        sources (list[str]): the sources' names.
        features (str, optional): the head's input (see :func:`method_table`).
            (default: :obj:`None`)
    """
    names = method_names(task, sources, features)
    out: list[str] = []
    for item in _items(spec):
        if item == "all":
            chosen = names
        elif item in names:
            chosen = [item]
        else:
            chosen = [n for n in names if n.startswith(item + "-")]
            every = method_names(task, sources)
            if not chosen and (item in every or any(n.startswith(item + "-") for n in every)):
                # a method of the features' head was 'unknown' under another head
                raise ValueError(f"unknown method {item!r} for task {task!r} with "
                                 f"features={features!r} (it has no form with that head); "
                                 f"known: {', '.join(names)}")
            if not chosen:
                hint = ", ".join(["all", *_families(names)])
                raise ValueError(f"unknown method {item!r} for task {task!r}; known: "
                                 f"{', '.join(names)} (or {hint})"
                                 f"{_near_method(item, names, sources)}")
        out += [c for c in chosen if c not in out]
    if not out:
        raise ValueError("no method given")
    return out


def chosen_methods(spec: str | list[str], task: str, features: str | None = None
                   ) -> list[str]:
    """The methods that ``spec`` names, as :func:`resolve_methods` reads it,
    before the sources are known: ``all`` and a family stand for their
    methods, those of every source as a pattern (``graph-*``), a method of
    one source (``graph-accel``) stays as given; an item that names no method
    of any sources, or none given, is :func:`resolve_methods`' error. What
    :func:`~pyg_fusion.specs.check_options` checks the options against
    before a run loads its data.

    Args:
        spec (str or list[str]): names and families, comma separated or as a list.
        task (str): ``"node"`` or ``"vad"``.
        features (str, optional): the head's input (see :func:`method_table`).
            (default: :obj:`None`)
    """
    names = method_names(task, ["*"], features)  # a source "*": single-*, graph-*, ...
    out: list[str] = []
    for item in _items(spec):
        if item == "all":
            chosen = names
        elif any(fnmatchcase(item, n) for n in names):
            chosen = [item]
        else:
            chosen = [n for n in names if n.startswith(item + "-")]
        if not chosen:  # no method of any sources: resolve_methods' error, before the data
            resolve_methods([item], task, ["*"], features)
        out += [c for c in chosen if c not in out]
    if not out:
        resolve_methods(out, task, ["*"], features)  # "no method given"
    return out


def check_method_name(name: str, flag: str = "--method") -> None:
    """Refuses ``name`` if it is no method of any task on any sources (a
    family or ``all`` is none either): what evaluate's ``--method``, one
    method compared with its checkpoint's, can be told before the checkpoint
    loads.

    Args:
        name (str): the name given.
        flag (str, optional): the flag named in the error. (default: :obj:`"--method"`)
    """
    known = list(dict.fromkeys(n for task in TASKS for n in method_names(task, ["*"])))
    if any(fnmatchcase(name, n) for n in known):
        return
    close = near_name(name, [n for n in known if "*" not in n])
    raise ValueError(f"{flag} {name!r} is no method name; known: {', '.join(known)} (* a "
                     f"source's name)" + (f" (maybe you meant {close!r}?)" if close else ""))


__all__ = ["FEATURE_FUSIONS", "GRAPH_FUSIONS", "Method", "method_table", "method_names",
           "resolve_methods", "chosen_methods", "check_method_name"]
