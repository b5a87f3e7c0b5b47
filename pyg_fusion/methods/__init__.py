"""The method registry: short, stable method names -> model builders, shared
by ``pyg-fusion train / evaluate / compare / sweep / demo``.

Names (``<s>`` is a source / view name):

========================  ==================================================
``lego``                  LEGO, pairwise operators (random pair per training
                          step, mean over all pairs in evaluation); VAD:
                          one operator over all sources (``--operator
                          full``, the task's default), the row head on G
                          plus a GraphHead branch (each segment's absolute
                          deviation from its video, propagated over G;
                          zero at the start)
``lego-row``              VAD: LEGO (operator as ``lego``'s) scored by the
                          paper's RowHead (rows of G)
``lego-cp``               LEGO, M-way CP operator (all sources at once)
``single-<s>``            feature level: one source
``feature-concat``        feature level: concatenation
``feature-add``           feature level: sum (projections where widths differ)
``feature-product``       feature level: element-wise product (idem)
``mtn``                   feature level: MTN-style multi-scale temporal
                          network on the concatenation (VAD only)
``graph-<s>``             graph level: one source's relationship graph
``graph-concat``          graph level: graphs side by side
``graph-mean``            graph level: uniform mean of the graphs (addition)
``graph-product``         graph level: element-wise product of the graphs
``gcn-<s>``, ``gcn-mean`` GCN on one source's graph / the mean graph (node
                          classification only)
``asym-shuffle``          AsymFusion's asymmetric exchange on node features
                          (node classification)
========================  ==================================================

The table of builders is :func:`builders`; a method's hyper-parameters are
the typed configs of :mod:`pyg_fusion.specs.components`.

Every node-classification model maps a graph to logits ``[N, C]``
(:mod:`.node`); every VAD model maps a batch of videos to
``(logits [B, N], G or None)`` (:mod:`.vad`).
"""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from fnmatch import fnmatchcase
from typing import Any, Callable

from torch import nn

from .._option_rules import near_name
from ..functional._checks import check_int
from ..nn.baselines import FEATURE_MODES, GRAPH_MODES
from ..specs.components import SETTING_DEFAULTS, TASK_DEFAULTS, TASKS
from ..specs.method_spec import MethodSpec

# The registry's multi-source modes of the baselines. Graph "add" is left out:
# it is "mean" times M, and the paper's "addition" baseline is served by mean.
_FEATURE_FUSIONS = tuple(m for m in FEATURE_MODES if m != "single")
_GRAPH_FUSIONS = tuple(m for m in GRAPH_MODES if m not in ("single", "add"))


@dataclass
class Dims:
    """The data's dimensions a builder needs besides the spec.

    Args:
        in_channels (dict[str, int]): ``{source: feature width}``.
        num_classes (int, optional): classes (node task). (default: :obj:`None`)
        num_segments (int, optional): segments per video N (VAD). (default: :obj:`32`)
        num_nodes (int, optional): nodes, needed with ``features="none"``.
            (default: :obj:`None`)
    """
    in_channels: dict[str, int]
    num_classes: int | None = None
    num_segments: int = 32
    num_nodes: int | None = None


Builder = Callable[[MethodSpec, Dims], nn.Module]


def _node_head(s: MethodSpec, d: Dims) -> dict[str, Any]:
    h = s.head
    return dict(hidden_channels=h.hidden_channels, num_layers=h.num_layers,
                dropout=h.dropout, features=h.features, num_nodes=d.num_nodes)


def _node_builders(sources: list[str], features: str) -> dict[str, Builder]:
    from . import node as M

    def lego(s, d):
        return M.NodeLEGO(d.in_channels, d.num_classes, **s.lego_kwargs(), **_node_head(s, d))

    def feature(mode, only=None):
        return lambda s, d: M.NodeFeatureFusion(
            {only: d.in_channels[only]} if only else d.in_channels, d.num_classes,
            mode=mode, k=s.graph.k, **_node_head(s, d))

    def graph(mode, only=None):
        return lambda s, d: M.NodeGraphFusion(
            d.in_channels, d.num_classes, mode=mode, graph_sources=[only] if only else None,
            k=s.graph.k, **_node_head(s, d))

    def gcn(only=None):
        return lambda s, d: M.NodeGCN({only: d.in_channels[only]} if only else d.in_channels,
                                      d.num_classes, k=s.graph.k, **_node_head(s, d))

    table: dict[str, Builder] = {"lego": lego, "lego-cp": lego}
    table.update({f"single-{x}": feature("single", x) for x in sources})
    table.update({f"feature-{m}": feature(m) for m in _FEATURE_FUSIONS})
    table.update({f"graph-{x}": graph("single", x) for x in sources})
    table.update({f"graph-{m}": graph(m) for m in _GRAPH_FUSIONS})
    if features != "labels":
        table.update({f"gcn-{x}": gcn(x) for x in sources})
        table["gcn-mean"] = gcn()
    if features in (None, "concat"):  # it exchanges the views' features
        table["asym-shuffle"] = lambda s, d: M.NodeAsymShuffle(
            d.in_channels, d.num_classes, k=s.graph.k, **_node_head(s, d))
    return table


def _vad_builders(sources: list[str]) -> dict[str, Builder]:
    from . import vad as M

    def lego(s, d):
        return M.VADLEGO(d.in_channels, d.num_segments, hidden_channels=s.head.hidden_channels,
                         dropout=s.head.dropout, center=s.head.center,
                         head="row" if s.method == "lego-row" else "graph",
                         row_order=s.head.row_order, branch_dropout=s.head.branch_dropout,
                         branch_detach=s.head.branch_detach, branch_scale=s.head.branch_scale,
                         **s.lego_kwargs())

    def feature(mode, only=None):
        return lambda s, d: M.VADFeatureFusion(
            {only: d.in_channels[only]} if only else d.in_channels, d.num_segments,
            mode=mode, hidden_channels=s.head.hidden_channels, dropout=s.head.dropout)

    def graph(mode, only=None):
        return lambda s, d: M.VADGraphFusion(
            {only: d.in_channels[only]} if only else d.in_channels, d.num_segments,
            mode=mode, hidden_channels=s.head.hidden_channels, dropout=s.head.dropout,
            center=s.head.center, row_order=s.head.row_order, k=s.graph.k)

    table: dict[str, Builder] = {"lego": lego, "lego-cp": lego, "lego-row": lego}
    table.update({f"single-{x}": feature("single", x) for x in sources})
    table.update({f"feature-{m}": feature(m) for m in _FEATURE_FUSIONS})
    table["mtn"] = lambda s, d: M.VADMTN(d.in_channels, d.num_segments,
                                        hidden_channels=s.head.hidden_channels,
                                        dropout=s.head.dropout)
    table.update({f"graph-{x}": graph("single", x) for x in sources})
    table.update({f"graph-{m}": graph(m) for m in _GRAPH_FUSIONS})
    return table


def builders(task: str, sources: list[str], features: str | None = None
             ) -> dict[str, Builder]:
    """The registry: ``{method name: builder(spec, dims)}`` of ``task`` on
    these sources, in the order of :func:`method_names`.

    Args:
        task (str): ``"node"`` or ``"vad"``.
        sources (list[str]): the sources' names (the ``single-*`` methods are named after
            them).
        features (str, optional): the head's input; ``"labels"`` keeps the methods that
            give a graph. (default: :obj:`None`, ``"concat"``)
    """
    if task not in TASKS:
        raise ValueError(f"task must be one of {TASKS}, got {task!r}")
    # a source named after a fusion gave its own method the fusion's name
    # (graph-mean: the view "mean"'s graph, or the mean of all graphs), and
    # the table kept the fusion only, silently
    for x in sources:
        if x in _GRAPH_FUSIONS:
            raise ValueError(f"a source may not be named {x!r}: the method of its own graph, "
                             f"graph-{x}, would have the name of the fusion of all the sources' "
                             f"graphs, graph-{x}; rename the source (tables: --views "
                             f"NAME=FILE)")
    if task == "node":
        return _node_builders(sources, features or "concat")
    return _vad_builders(sources)


def task_options(task: str, options: dict[str, Any] | None = None) -> dict[str, Any]:
    """Every option of a run of ``task``, flat (see :meth:`MethodSpec.create`).

    Args:
        task (str): ``"node"`` or ``"vad"``.
        options (dict, optional): options given, which override the task's defaults.
            (default: :obj:`None`)
    """
    return MethodSpec.create("", task, options).options()


def method_names(task: str, sources: list[str], features: str | None = None) -> list[str]:
    """All method names for ``task`` ("node" or "vad") on these sources
    (with ``features="labels"``, only the methods that give a graph).

    Args:
        task (str): ``"node"`` or ``"vad"``.
        sources (list[str]): the sources' names.
        features (str, optional): the head's input (see :func:`builders`).
            (default: :obj:`None`)
    """
    return list(builders(task, sources, features))


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
        features (str, optional): the head's input (see :func:`builders`).
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
        features (str, optional): the head's input (see :func:`builders`).
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


def build_spec(spec: MethodSpec, dims: Dims) -> nn.Module:
    """Builds the model of ``spec`` (its method, task and configs) for data
    of dimensions ``dims``.

    Args:
        spec (MethodSpec): the method, its task and its configs.
        dims (Dims): the data's dimensions.
    """
    widths = _widths(dims.in_channels)
    sources = list(widths)
    table = builders(spec.task, sources, spec.head.features)
    if spec.method not in table:
        raise ValueError(f"unknown method {spec.method!r} for task {spec.task!r} with sources "
                         f"{sources}" + (f" and features={spec.head.features!r}"
                                         if spec.head.features == "labels" else "")
                         + f"; known: {', '.join(table)}")
    if spec.task == "node" and dims.num_classes is None:
        raise ValueError("num_classes is required for node classification")
    # by their own names: the layers named them num_nodes and out_channels, or
    # built (one class: a loss of 0), or left torch's error (a negative size);
    # the builders get them as check_int's plain ints (PyG's GraphConv indexes
    # a width of numpy's int as if a pair of widths)
    num_classes, num_segments, num_nodes = dims.num_classes, dims.num_segments, dims.num_nodes
    if spec.task == "node":
        num_classes = check_int("num_classes", num_classes, minimum=1)
        if num_classes < 2:
            raise ValueError(f"num_classes must be >= 2 (the classes of the graph's y, "
                             f"0..num_classes-1), got {num_classes}: one class leaves "
                             f"nothing to tell apart")
    else:
        num_segments = check_int("num_segments", num_segments, minimum=1)
    if num_nodes is not None:
        num_nodes = check_int("num_nodes", num_nodes, minimum=1)
    return table[spec.method](spec, Dims(widths, num_classes, num_segments, num_nodes))


def _widths(in_channels: Mapping[str, int]) -> dict[str, int]:
    """``in_channels`` checked: ``{source name: width >= 1}``, widths as ints."""
    if not isinstance(in_channels, Mapping):
        # a list of widths failed in dict(): 'cannot convert dictionary update
        # sequence element #0 to a sequence', naming nothing
        raise TypeError(f"in_channels must be a dict {{source: width}} (e.g. "
                        f"{{'a': 3, 'b': 2}}: the graph's x_a, x_b), got "
                        f"{type(in_channels).__name__}")
    widths = {}
    for source, width in in_channels.items():
        # a string width failed inside a layer ("unsupported operand type(s) for
        # +: 'int' and 'str'"), a float in torch.empty, and 0 built a layer of nothing
        if not isinstance(source, str):
            raise TypeError(f"in_channels must be keyed by source names (str), got {source!r}")
        widths[str(source)] = check_int(f"in_channels[{source!r}]", width, minimum=1)
    return widths


def build_model(name: str, task: str, in_channels: dict[str, int], *,
                num_classes: int | None = None, num_segments: int = 32,
                num_nodes: int | None = None, **options) -> nn.Module:
    """Builds the model of method ``name`` for ``task``.

    Args:
        name (str): a name of :func:`method_names`.
        task (str): ``"node"`` or ``"vad"``.
        in_channels (dict[str, int]): ``{source: width}`` (order kept for
            concatenation).
        num_classes (int, optional): classes (node classification).
            (default: :obj:`None`)
        num_segments (int, optional): N (VAD). (default: :obj:`32`)
        num_nodes (int, optional): N, needed with ``features="none"``.
            (default: :obj:`None`)
        **options (optional): Additional options of the components' configs
            (:class:`~pyg_fusion.specs.MethodSpec`; the task's defaults
            fill the rest); ``num_powers`` may be an int or a dict per source.
    """
    widths = _widths(in_channels)  # before the options: the data's error first, as before
    spec = MethodSpec.create(name, task, options)
    return build_spec(spec, Dims(widths, num_classes, num_segments, num_nodes))


__all__ = ["TASKS", "TASK_DEFAULTS", "SETTING_DEFAULTS", "Dims", "builders", "task_options",
           "method_names", "resolve_methods", "chosen_methods", "build_spec", "build_model"]
