r"""PyG transforms of multi-source data (``torch_geometric.transforms``
style): a dataset's ``pre_transform`` or ``transform``, or a step of
``T.Compose``."""
from __future__ import annotations

from typing import Sequence

import torch
from torch_geometric.data import Batch, Data
from torch_geometric.transforms import BaseTransform

from .data import MultiSourceData, source_batch, source_names
from .functional._autocast import float32_under_autocast
from .functional._checks import check_choice, check_like
from .functional._docs import KNN_ARG, SIMILARITY_ARGS, fill_doc
from .functional.relation import KNN, _relation_pairs, check_features, check_graph_options
from .functional.similarity import _pair_similarity
from .functional.support import _shared_support

__all__ = ["PerSource", "RelationGraphs"]

SUPPORTS = ("own", "shared")


@fill_doc(similarity=SIMILARITY_ARGS, knn=KNN_ARG)
class RelationGraphs(BaseTransform):
    r"""Stores each source's relationship graph (LEGO's, docs/methods.md §1.2;
    `paper <https://arxiv.org/abs/2410.01506>`_;
    :func:`~pyg_fusion.functional.relation_graph`) on the data, as
    ``edge_index_<source>`` and ``edge_weight_<source>`` (the convention of
    :class:`~pyg_fusion.data.MultiSourceData`), as PyG's
    :class:`~torch_geometric.transforms.KNNGraph` stores one ``edge_index``:

    .. math::
        R^{(s)}_{ij} = \mathrm{sim}(f^{(s)}_i, f^{(s)}_j)
        \quad \text{for the kept pairs } j \to i

    Each node receives from its ``k`` most similar units (its self loop
    kept) and/or those with similarity ``>= threshold``; edges follow PyG's
    direction (``edge_index[0]`` the source unit). A finer-level source
    (``assign_<source>``) gets its graph on its own units, and a source
    without units (a clip without frames) an empty graph. The data must be
    a :class:`~pyg_fusion.data.MultiSourceData`, which batches the stored
    graphs by each source's own units. Applied to a
    :class:`~torch_geometric.data.Batch`, graphs are never linked, and the
    batch's ``to_data_list`` / ``get_example`` give each graph its own (as
    transforming the graphs one by one); as a dataset's ``pre_transform`` or
    ``transform`` it runs per graph, before batching. With
    ``support="shared"`` every node-level source's similarity is evaluated on
    one support, the union of their graphs
    (:func:`~pyg_fusion.functional.shared_support_graphs`), so that their
    products do not shrink to intersections.

    The stored graphs are read by :mod:`pyg_fusion.visualize` (``source_graph``)
    and by your own layers (e.g. ``GCNConv(...)(data.x_rgb, data.edge_index_rgb,
    data.edge_weight_rgb)``); :class:`~pyg_fusion.nn.LEGO` builds its own graphs
    from the features, differentiably.

    Args:
        k (int, optional): neighbours kept per node. (default: :obj:`10`)
        threshold (float, optional): minimum similarity of a kept pair.
            (default: :obj:`None`)
        {similarity}
        {knn}
        sources (Sequence[str], optional): the sources to build graphs of.
            (default: :obj:`None`, every ``x_<source>`` of the data)
        support (str, optional): :obj:`"own"` (each source's graph) or
            :obj:`"shared"` (the union of the node-level sources' graphs, every
            source weighted on it). (default: :obj:`"own"`)

    Shapes:
        - **input:** data with ``x_<source>`` ``[N_s, d_s]`` (and ``batch``,
          ``assign_<source>`` where present)
        - **output:** the same data plus ``edge_index_<source>`` ``[2, E_s]``
          and ``edge_weight_<source>`` ``[E_s]`` for each of ``sources``
    """

    def __init__(self, k: int | None = 10, threshold: float | None = None, *,
                 metric: str = "cosine", nonneg: str | None = "clamp",
                 gamma: float | None = None, knn: str = "auto",
                 sources: Sequence[str] | None = None, support: str = "own"):
        check_choice("support", support, SUPPORTS)
        # the options are checked here, not at the first graph (a dataset's
        # pre_transform would fail mid-processing, and its repr names a cache)
        check_graph_options(k, threshold, metric, nonneg, gamma)
        check_choice("knn", knn, KNN)
        if sources is not None and (isinstance(sources, str) or not len(sources)):
            raise ValueError(f"sources must be a non-empty list of source names, got "
                             f"{sources!r}")
        self.k, self.threshold, self.metric, self.nonneg = k, threshold, metric, nonneg
        self.gamma, self.knn, self.support = gamma, knn, support
        self.sources = None if sources is None else list(sources)

    def forward(self, data: Data) -> Data:
        if not isinstance(data, MultiSourceData):
            # a plain Data batches neither assign_<source> nor edge_index_<source>
            # with the offsets of their own units: the stored graphs would link
            # graphs of a batch
            raise TypeError(f"RelationGraphs needs MultiSourceData (or a batch of it), got "
                            f"{type(data).__name__}: MultiSourceData batches the stored "
                            f"graphs by each source's own units")
        present = source_names(data)
        if not present:
            raise ValueError("RelationGraphs: the data has no sources (no x_<source> "
                             "attribute)")
        names = present if self.sources is None else self.sources
        missing = [s for s in names if s not in present]
        if missing:
            raise ValueError(f"RelationGraphs: sources {missing} are not in the data "
                             f"(its sources: {present}, stored as x_<source>)")
        _check_node_rows(data, present)
        opts = dict(k=self.k, threshold=self.threshold, metric=self.metric,
                    nonneg=self.nonneg, gamma=self.gamma, knn=self.knn)
        # named as the data holds them (relation_graph's say "x"); the searches
        # below do not check them again
        for s in names:
            if not _no_units(data[f"x_{s}"]):
                _named(lambda s=s: check_features(f"data.x_{s}", data[f"x_{s}"], self.metric,
                                                  self.nonneg, self.gamma))
        if self.support == "shared":
            finer = [s for s in names if f"assign_{s}" in data]
            if finer:
                raise ValueError(f"RelationGraphs(support='shared'): sources {finer} are at a "
                                 f"finer level (assign_<source>); a shared support needs "
                                 f"the same units in every source")
            if all(_no_units(data[f"x_{s}"]) for s in names):
                graphs = {s: _empty_graph(data[f"x_{s}"]) for s in names}
            else:
                graphs = _named(lambda: _shared_graphs(
                    {s: data[f"x_{s}"] for s in names}, source_batch(data, names[0]),
                    opts), f"sources {names}")
        else:
            graphs = {s: _empty_graph(data[f"x_{s}"]) if _no_units(data[f"x_{s}"])
                      else _named(lambda s=s: _graph(data[f"x_{s}"], source_batch(data, s),
                                                     opts), f"x_{s}")
                      for s in names}
        for s, (edge_index, edge_weight) in graphs.items():
            data[f"edge_index_{s}"] = edge_index
            # stored data, not a step of a model: no autograd graph is kept
            # (a dataset could not save it, and it would hold the features)
            data[f"edge_weight_{s}"] = edge_weight.detach()
        if isinstance(data, Batch) and getattr(data, "_slice_dict", None) is not None:
            _split_like_a_batch(data, list(graphs))
        return data

    def __repr__(self) -> str:
        # PyG compares a dataset's pre_transform by its repr: every option is in it
        args = [f"k={self.k}", f"threshold={self.threshold}", f"metric={self.metric!r}",
                f"nonneg={self.nonneg!r}", f"gamma={self.gamma}", f"knn={self.knn!r}",
                f"sources={self.sources!r}", f"support={self.support!r}"]
        return f"{self.__class__.__name__}({', '.join(args)})"


class PerSource(BaseTransform):
    r"""Applies a PyG transform of one graph to each source's stored graph,
    ``edge_index_<source>`` with its ``edge_weight_<source>`` /
    ``edge_attr_<source>``: PyG's transforms read one graph, ``edge_index``,
    and on :class:`~pyg_fusion.data.MultiSourceData` holding a graph per
    source they are an error saying so. E.g.
    ``PerSource(T.Compose([T.ToUndirected(reduce="max"), T.GCNNorm()]))``
    (``T.ToUndirected()``'s default ``reduce="add"`` sums the two directions
    of a pair: a similarity graph's self loops of 1 become 2).

    Each graph is given to ``transform`` as a
    :class:`~torch_geometric.data.Data` of ``edge_index``, ``edge_weight``,
    ``edge_attr`` (those the source has) and ``num_nodes`` (the source's
    units: the rows of ``x_<source>``, else the nodes), and what it returns as
    those three is stored back. Transforms that change the units
    (:class:`~torch_geometric.transforms.RemoveIsolatedNodes`,
    :class:`~torch_geometric.transforms.LargestConnectedComponents`: the
    sources share their nodes) or give the graph in another form
    (:class:`~torch_geometric.transforms.ToSparseTensor`) are refused.

    Args:
        transform (Callable): a transform of one graph, e.g.
            :class:`~torch_geometric.transforms.GCNNorm`.
        sources (Sequence[str], optional): the sources whose graphs it
            transforms. (default: :obj:`None`, every ``edge_index_<source>``)
    """

    KEYS = ("edge_index", "edge_weight", "edge_attr")

    def __init__(self, transform, sources: Sequence[str] | None = None):
        if not callable(transform):
            raise TypeError(f"transform must be a callable transform of one graph (e.g. "
                            f"T.GCNNorm()), got {type(transform).__name__}")
        if sources is not None and (isinstance(sources, str) or not len(sources)):
            raise ValueError(f"sources must be a non-empty list of source names, got "
                             f"{sources!r}")
        self.transform = transform
        self.sources = None if sources is None else list(sources)

    def forward(self, data: Data) -> Data:
        if isinstance(data, Batch):
            # the batch's record of where each graph's edges lie would no
            # longer match them (a transform may add or drop edges)
            raise TypeError("PerSource transforms the graphs one by one: use it as a dataset's "
                            "transform or pre_transform, before batching, not on a Batch")
        present = sorted(k[len("edge_index_"):] for k in data.keys()
                         if k.startswith("edge_index_"))
        if not present:
            # e.g. PerSource placed before the RelationGraphs that stores them
            raise ValueError(f"PerSource({self.transform}): the data has no graph "
                             f"edge_index_<source> to transform")
        names = present if self.sources is None else self.sources
        missing = [s for s in names if s not in present]
        if missing:
            raise ValueError(f"PerSource: sources {missing} have no graph edge_index_<source> "
                             f"(graphs of sources {present})")
        for s in names:
            x = data.get(f"x_{s}")
            units = x.size(0) if isinstance(x, torch.Tensor) and x.dim() else data.num_nodes
            graph = Data(num_nodes=units, **{k: data[f"{k}_{s}"] for k in self.KEYS
                                            if data.get(f"{k}_{s}") is not None})
            what = f"PerSource({self.transform}), source {s!r}"
            try:
                out = self.transform(graph)
            except AssertionError as exc:
                # PyG's transforms assert what they read (data.x, data.pos), most
                # without a message: a bare AssertionError named neither
                raise ValueError(f"{what}: the transform failed an assertion of its own"
                                 f"{f' ({exc})' if str(exc) else ''} on the graph PerSource "
                                 f"gives it, a Data of {sorted(graph.keys())} (no node "
                                 f"features or positions); PerSource applies transforms of "
                                 f"the graph alone") from exc
            if not isinstance(out, Data) or not isinstance(out.get("edge_index"), torch.Tensor):
                raise ValueError(f"{what}: the transform returned no edge_index (got "
                                 f"{getattr(out, 'keys', lambda: type(out).__name__)()}); "
                                 f"PerSource stores back {list(self.KEYS)}")
            if out.num_nodes != units:
                raise ValueError(f"{what}: the transform changed the units ({units} -> "
                                 f"{out.num_nodes}), which every source shares; PerSource "
                                 f"applies transforms that keep them (e.g. T.GCNNorm, "
                                 f"T.ToUndirected, T.AddSelfLoops)")
            # PyG's T.TwoHop adds edges and keeps the weights of the old ones:
            # stored back, the weights would pair with the wrong edges
            short = {k: out[k].size(0) for k in self.KEYS[1:] if out.get(k) is not None
                     and out[k].size(0) != out.edge_index.size(1)}
            if set(short) == {"edge_weight"} and out.get("edge_attr") is not None:
                # PyG's T.GDC reads the weights from edge_attr (each 1 without
                # it) and writes them there: it diffused without edge_weight_<s>
                raise ValueError(
                    f"{what}: the transform returned the weights of its "
                    f"{out.edge_index.size(1)} edges as edge_attr and left edge_weight of "
                    f"the {short['edge_weight']} edges it was given: it reads the weights "
                    f"from edge_attr, not edge_weight (as PyG's T.GDC does: every weight 1 "
                    f"without edge_attr). Give it the weights as edge_attr_{s} (data."
                    f"edge_attr_{s} = data.edge_weight_{s}; del data.edge_weight_{s}), or "
                    f"delete edge_weight_{s} to transform the unweighted graph; its weights "
                    f"come back as edge_attr_{s}")
            if short:
                raise ValueError(f"{what}: the transform returned {out.edge_index.size(1)} "
                                 f"edges but {', '.join(f'{k} of {n}' for k, n in short.items())}"
                                 f" (it does not carry the weights of the edges it makes); "
                                 f"PerSource stores back only a graph whose edges keep theirs")
            extra = sorted(set(out.keys()) - {*self.KEYS, "num_nodes"})
            if extra:
                raise ValueError(f"{what}: the transform added {extra}; PerSource stores "
                                 f"back only the graph, {list(self.KEYS)}")
            for k in self.KEYS:
                if out.get(k) is not None:
                    data[f"{k}_{s}"] = out[k]
                elif f"{k}_{s}" in data:
                    del data[f"{k}_{s}"]
        return data

    def __repr__(self) -> str:
        return f"{self.__class__.__name__}({self.transform!r}, sources={self.sources!r})"


def _split_like_a_batch(batch: Batch, sources: list[str]) -> None:
    """Records where each graph's new edges lie in ``batch`` and the offset of
    its units, as :meth:`Batch.from_data_list` records them, so that
    ``to_data_list`` splits the graphs built on the batch (PyG drops the
    attributes it has no record of: the graphs were lost silently)."""
    slices, incs = dict(batch._slice_dict), dict(batch._inc_dict)
    for s in sources:
        edge_index = batch[f"edge_index_{s}"]
        graph = source_batch(batch, s)
        of_edge = graph[edge_index[1]]
        if of_edge.numel() > 1 and bool((of_edge[1:] < of_edge[:-1]).any()):
            order = torch.sort(of_edge, stable=True).indices  # each graph's edges together
            batch[f"edge_index_{s}"] = edge_index = edge_index[:, order]
            batch[f"edge_weight_{s}"] = batch[f"edge_weight_{s}"][order]
            of_edge = of_edge[order]
        zero = torch.zeros(1, dtype=torch.long)
        count = torch.bincount(of_edge.cpu(), minlength=batch.num_graphs)
        units = torch.bincount(graph.cpu(), minlength=batch.num_graphs)
        slices[f"edge_index_{s}"] = slices[f"edge_weight_{s}"] = torch.cat([zero, count.cumsum(0)])
        incs[f"edge_index_{s}"] = torch.cat([zero, units.cumsum(0)[:-1]])
        incs[f"edge_weight_{s}"] = torch.zeros(batch.num_graphs, dtype=torch.long)
    # new dicts: the transform's input (a shallow copy shares them) keeps its own
    batch.__dict__["_slice_dict"], batch.__dict__["_inc_dict"] = slices, incs


# float32_under_autocast: relation_graph's and shared_support_graphs' rule (the
# weights of 16-bit features under autocast were 16-bit, computed in 16 bits)
@float32_under_autocast
def _graph(x: torch.Tensor, batch, opts: dict) -> tuple[torch.Tensor, torch.Tensor]:
    """:func:`~pyg_fusion.functional.relation_graph` of features checked by
    :func:`check_features` (one scan of each)."""
    index = _relation_pairs(x, batch, **opts)
    return index, _pair_similarity(x, index[1], index[0], opts["metric"], opts["nonneg"],
                                   opts["gamma"])


@float32_under_autocast
def _shared_graphs(xs: dict, batch, opts: dict) -> dict:
    """:func:`~pyg_fusion.functional.shared_support_graphs` of sources checked by
    :func:`check_features`."""
    first = next(iter(xs))
    for s, x in xs.items():  # its one check that check_features does not make
        check_like(f"xs[{s!r}]", x, f"xs[{first!r}]", xs[first], dtype=False)
    index = _shared_support(xs, batch, checked=True, **opts)
    return {s: (index, _pair_similarity(x, index[1], index[0], opts["metric"], opts["nonneg"],
                                        opts["gamma"])) for s, x in xs.items()}


def _check_node_rows(data: Data, sources: list[str]) -> None:
    # a graph was built per source and the data refused only later (validate,
    # batching, LEGO): a node-level source has one row per node
    rows = {s: data[f"x_{s}"].size(0) for s in sources if f"assign_{s}" not in data
            and isinstance(data[f"x_{s}"], torch.Tensor) and data[f"x_{s}"].dim()}
    if len(set(rows.values())) > 1:
        raise ValueError("RelationGraphs: the sources without assign_<source> have one row "
                         "per node, but their row counts differ ("
                         + ", ".join(f"x_{s}: {n}" for s, n in rows.items())
                         + "); a source at a finer level (frames, patches) gives "
                         "assign_<source>, its units' node ids")
    # an explicit num_nodes the sources contradict was refused only later,
    # by validate, after every graph was built
    n = data.num_nodes
    if rows and n is not None and set(rows.values()) != {n}:
        raise ValueError(f"RelationGraphs: num_nodes is {n}, but the sources without "
                         f"assign_<source> have one row per node ("
                         + ", ".join(f"x_{s}: {r}" for s, r in rows.items())
                         + "); set num_nodes to their rows, or give a finer-level source "
                         "assign_<source>")


def _no_units(x) -> bool:
    # a source without units (a clip without frames, a graph without nodes)
    # has no edges: as the same graph gets within a batch, and as LEGO fuses it
    return isinstance(x, torch.Tensor) and x.dim() == 2 and x.size(0) == 0 \
        and x.is_floating_point()


def _empty_graph(x: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
    return torch.empty(2, 0, dtype=torch.long, device=x.device), x.new_empty(0)


def _named(build, what: str | None = None):
    """``build()``, whose input errors speak of ``x``: named after the
    attribute of the data (or the sources) the graph was built from, if
    ``what``; the transform's name in any case."""
    try:
        return build()
    except (TypeError, ValueError) as exc:  # a TypeError too: int features
        raise type(exc)(f"RelationGraphs{f', {what}' if what else ''}: {exc}") from None
