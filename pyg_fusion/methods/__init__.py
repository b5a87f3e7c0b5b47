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

The names are :func:`~pyg_fusion.specs.method_names.method_table`'s, which
needs no torch (the command line checks a name before the models load);
:func:`builders` registers a builder per kind of name against it. A method's
hyper-parameters are the typed configs of :mod:`pyg_fusion.specs.components`.

Every node-classification model maps a graph to logits ``[N, C]``
(:mod:`.node`); every VAD model maps a batch of videos to
``(logits [B, N], G or None)`` (:mod:`.vad`).
"""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Callable

from torch import nn

from ..functional._checks import check_int
from ..specs.components import SETTING_DEFAULTS, TASK_DEFAULTS, TASKS
from ..specs.method_names import (Method, chosen_methods, method_names, method_table,  # noqa: F401
                                  resolve_methods)
from ..specs.method_spec import MethodSpec


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


def _only(d: Dims, source: str | None) -> dict[str, int]:
    # the widths of the one source a method reads, else of all
    return {source: d.in_channels[source]} if source else d.in_channels


def _node_kinds() -> dict[str, Callable[[Method], Builder]]:
    """A builder per :class:`Method` kind of the node task."""
    from . import node as M

    def lego(m):
        return lambda s, d: M.NodeLEGO(d.in_channels, d.num_classes, **s.lego_kwargs(),
                                       **_node_head(s, d))

    def feature(m):
        return lambda s, d: M.NodeFeatureFusion(_only(d, m.source), d.num_classes, mode=m.mode,
                                                k=s.graph.k, **_node_head(s, d))

    def graph(m):
        return lambda s, d: M.NodeGraphFusion(
            d.in_channels, d.num_classes, mode=m.mode,
            graph_sources=[m.source] if m.source else None, k=s.graph.k, **_node_head(s, d))

    def gcn(m):
        return lambda s, d: M.NodeGCN(_only(d, m.source), d.num_classes, k=s.graph.k,
                                      **_node_head(s, d))

    def asym(m):
        return lambda s, d: M.NodeAsymShuffle(d.in_channels, d.num_classes, k=s.graph.k,
                                              **_node_head(s, d))

    return dict(lego=lego, feature=feature, graph=graph, gcn=gcn, asym=asym)


def _vad_kinds() -> dict[str, Callable[[Method], Builder]]:
    """A builder per :class:`Method` kind of the VAD task."""
    from . import vad as M

    def lego(m):
        return lambda s, d: M.VADLEGO(
            d.in_channels, d.num_segments, hidden_channels=s.head.hidden_channels,
            dropout=s.head.dropout, center=s.head.center,
            head="row" if s.method == "lego-row" else "graph",
            row_order=s.head.row_order, branch_dropout=s.head.branch_dropout,
            branch_detach=s.head.branch_detach, branch_scale=s.head.branch_scale,
            **s.lego_kwargs())

    def feature(m):
        return lambda s, d: M.VADFeatureFusion(
            _only(d, m.source), d.num_segments, mode=m.mode,
            hidden_channels=s.head.hidden_channels, dropout=s.head.dropout)

    def mtn(m):
        return lambda s, d: M.VADMTN(d.in_channels, d.num_segments,
                                     hidden_channels=s.head.hidden_channels,
                                     dropout=s.head.dropout)

    def graph(m):
        return lambda s, d: M.VADGraphFusion(
            _only(d, m.source), d.num_segments, mode=m.mode,
            hidden_channels=s.head.hidden_channels, dropout=s.head.dropout,
            center=s.head.center, row_order=s.head.row_order, k=s.graph.k)

    return dict(lego=lego, feature=feature, mtn=mtn, graph=graph)


def builders(task: str, sources: list[str], features: str | None = None
             ) -> dict[str, Builder]:
    """The registry: ``{method name: builder(spec, dims)}`` of ``task`` on
    these sources, a builder per name of
    :func:`~pyg_fusion.specs.method_names.method_table` (in its order).

    Args:
        task (str): ``"node"`` or ``"vad"``.
        sources (list[str]): the sources' names (the ``single-*`` methods are named after
            them).
        features (str, optional): the head's input; ``"labels"`` keeps the methods that
            give a graph. (default: :obj:`None`, ``"concat"``)
    """
    table = method_table(task, sources, features)
    kinds = _node_kinds() if task == "node" else _vad_kinds()
    return {name: kinds[m.kind](m) for name, m in table.items()}


def task_options(task: str, options: dict[str, Any] | None = None) -> dict[str, Any]:
    """Every option of a run of ``task``, flat (see :meth:`MethodSpec.create`).

    Args:
        task (str): ``"node"`` or ``"vad"``.
        options (dict, optional): options given, which override the task's defaults.
            (default: :obj:`None`)
    """
    return MethodSpec.create("", task, options).options()


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
