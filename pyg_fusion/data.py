"""``MultiSourceData``: one graph whose units are described by several sources.

Conventions (used by every dataset, layer and figure of pyg_fusion):

* ``x_<source>``: ``[N_source, d_source]`` features of one source. Sources at the
  node level have ``N_source == num_nodes``.
* ``assign_<source>``: for a source at a finer level (frames, patches, tokens)
  ``[N_source]`` long, the node (parent unit) each of its units belongs to.
* ``edge_index_<source>`` / ``edge_weight_<source>``: an optional stored
  relationship graph of that source, on its own units.
* ``y``, ``train_mask``, ``val_mask``, ``test_mask`` as usual in PyG.

The node count ``num_nodes`` is the number of rows of the node-level sources
(those without ``assign_<source>``) unless set explicitly, so that a PyG
``DataLoader`` builds a correct ``batch`` vector from the sources alone.

Batching (``Batch.from_data_list``) offsets ``assign_<source>`` by the number of
nodes and ``edge_index_<source>`` by the number of that source's units, so that
graphs of different sizes stay separate.

PyG's structural tools (``T.ToUndirected``, ``is_undirected()``, ...) read one graph,
``edge_index``: on graphs per source they are an error, and
:class:`~pyg_fusion.transforms.PerSource` applies a transform to each. Select nodes
with :meth:`MultiSourceData.subgraph`, which keeps every source aligned
(``T.RemoveIsolatedNodes`` and ``T.FixedPoints`` leave finer units and per-source
graphs on dropped nodes: batching such a graph is an error naming the attribute).
PyG's feature transforms read ``x`` unless told otherwise: name the sources, as in
``T.NormalizeFeatures(attrs=["x_rgb", "x_depth"])`` (by default it finds no ``x``
and leaves the sources as they are).
"""
from __future__ import annotations

import torch
from torch_geometric.data import Data

from ._data_checks import check_node_rows, check_offset_ids, validate_sources
from ._data_subgraph import select_nodes
from ._source_keys import (_followed, _names, _source_values, rebatched,  # noqa: F401
                           source_batch, source_names)

# what ``from pyg_fusion.data import *`` gives: the data class and its key
# helpers, not the modules and input checks imported here (torch, Data)
__all__ = ["MultiSourceData", "source_batch", "source_names"]


class MultiSourceData(Data):
    """A :class:`torch_geometric.data.Data` holding features of several sources
    (``x_<source>``) of the same units, see the module docstring.

    Args:
        x (torch.Tensor, optional): node features, as in PyG; the sources'
            features are the ``x_<source>`` keyword arguments.
            (default: :obj:`None`)
        edge_index (torch.Tensor, optional): graph connectivity ``[2, E]``
            (source, target), as in PyG. (default: :obj:`None`)
        edge_attr (torch.Tensor, optional): edge features. (default: :obj:`None`)
        y (torch.Tensor, int or float, optional): labels. (default: :obj:`None`)
        pos (torch.Tensor, optional): node positions. (default: :obj:`None`)
        time (torch.Tensor, optional): timestamps. (default: :obj:`None`)
        **kwargs (optional): further attributes: ``x_<source>``
            ``[N_source, d_source]``, ``assign_<source>``, ``edge_index_<source>``
            / ``edge_weight_<source>``, masks (see the module docstring).
    """

    # The node count comes from the sources: PyG infers it only from keys such
    # as ``x``, so a loader would otherwise build no ``batch`` vector for data
    # holding only ``x_<source>`` and could not offset ``assign_<source>``.
    # It is kept in the store (so that batching, saving and slicing see it)
    # and follows the sources until the user sets ``num_nodes`` explicitly.
    def __setattr__(self, key: str, value):
        before = self._before(key)
        super().__setattr__(key, value)
        self._after_set(key, value, before)

    def __setitem__(self, key: str, value):
        before = self._before(key)
        super().__setitem__(key, value)
        self._after_set(key, value, before)

    def __delattr__(self, key: str):
        before = self._before(key)
        super().__delattr__(key)
        self._after_set(key, None, before)

    def __delitem__(self, key: str):
        before = self._before(key)
        super().__delitem__(key)
        self._after_set(key, None, before)

    def _before(self, key: str) -> int | None:
        # the count the sources gave before a source changes
        if "_store" in self.__dict__ and key.startswith(("x_", "assign_")):
            return self._source_num_nodes()
        return None

    def _after_set(self, key: str, value, before: int | None) -> None:
        if key == "num_nodes":
            self.__dict__["_num_nodes_from_sources"] = value is None
            if value is not None:
                return
        elif not key.startswith(("x_", "assign_")):
            return
        self._follow_sources(before)

    def apply(self, func, *args: str):
        # PyG's apply (and .to, .cpu, .clone, .pin_memory on it) writes the
        # store's tensors directly: a function selecting rows left the old count
        before = self._source_num_nodes()
        super().apply(func, *args)
        self._follow_sources(before)
        return self

    def _follow_sources(self, before: int | None) -> None:
        """Sets the stored count to the sources' (``before``: theirs before
        the change) unless ``num_nodes`` was set explicitly."""
        follows = self.__dict__.get("_num_nodes_from_sources")
        if follows is None:
            # No record on this object (a graph taken out of a Batch, or loaded
            # from a file: PyG rebuilds those from the store alone): a stored
            # count that is not the sources' was set explicitly.
            stored = self.__dict__["_store"].get("num_nodes")
            follows = stored is None or stored == before
            self.__dict__["_num_nodes_from_sources"] = follows
        if not follows:
            return
        n = self._source_num_nodes()
        store = self.__dict__["_store"]
        if n is not None:
            store["num_nodes"] = n
        elif "num_nodes" in store:
            del store["num_nodes"]

    @classmethod
    def from_dict(cls, mapping: dict) -> MultiSourceData:
        # to_dict() holds the count the sources gave (it is in the store), and
        # PyG's from_dict passes it to the constructor as an explicit
        # num_nodes: a graph saved as a dict (the weights_only=True way) kept
        # its old count when its sources changed, and batched with a wrong
        # batch vector. Rebuilt with no record, as a graph loaded from a
        # file: the count follows the sources unless it differs from theirs.
        out = super().from_dict(mapping)
        out.__dict__.pop("_num_nodes_from_sources", None)
        return out

    def _source_num_nodes(self) -> int | None:
        """Rows of the first node-level source (an ``x_<source>`` without
        ``assign_<source>``), or ``None`` when there is none."""
        store = self.__dict__["_store"]
        # source_names: a follow_batch vector x_<source>_batch is no source
        # (it counted the finer units of a source with an assign); read from
        # the one store's keys, not Data.keys() (a list of a set of every
        # store's): batching asks once per source of every graph
        for s in _names(store):
            value = store[f"x_{s}"]
            if f"assign_{s}" not in store and isinstance(value, torch.Tensor) and value.dim() >= 1:
                return value.size(0)
        return None

    @property
    def sources(self) -> list[str]:
        """Sorted names of the sources (the ``x_<source>`` attributes)."""
        return source_names(self)

    @property
    def num_source_features(self) -> dict[str, int]:
        """``{source: feature width}`` (1 for a 1-D ``x_<source>``, as PyG's ``num_node_features``),
        the widths a model is built with (e.g. :class:`~pyg_fusion.nn.LEGO`'s ``in_channels``)."""
        return {s: 1 if (x := self[f"x_{s}"]).dim() == 1 else int(x.size(-1)) for s in self.sources}

    @property
    def num_node_features(self) -> int:
        # PyG's num_node_features / num_features read x, which a multi-source
        # graph lacks: they were 0, and GraphHead(dataset.num_features, ...)
        # built a layer of width 0
        if "x" in self:
            return super().num_node_features
        raise ValueError(f"{self.__class__.__name__} has one feature width per source, "
                         f"not one num_node_features / num_features: use "
                         f"num_source_features ({self.num_source_features})")

    @property
    def num_features(self) -> int:
        return self.num_node_features

    @property
    def num_source_edges(self) -> dict[str, int]:
        """``{source: edges}`` of each stored graph ``edge_index_<source>``."""
        keys = set(self.keys())
        return {k[len("edge_index_"):]: int(v.size(-1)) for k, v in self.items()
                if k.startswith("edge_index_") and not _followed(k, keys)
                and isinstance(v, torch.Tensor) and v.dim()}

    @property
    def num_edges(self) -> int:
        """The edges of ``edge_index`` where it has one (PyG's transforms size its
        edge weights by this count); else the edges of all its graphs per source
        (:attr:`num_source_edges` per source), as PyG's ``HeteroData.num_edges`` sums
        its edge types: what PyG's ``dataset.print_summary()`` shows as ``#edges``."""
        # PyG counts the first attribute named like an edge one: with a graph
        # per source that was one source's graph, whichever was set first
        graphs = self.num_source_edges
        if not graphs or "edge_index" in self:
            return super().num_edges
        return sum(graphs.values())

    # PyG's structural tools (T.ToUndirected, T.AddSelfLoops, T.RemoveIsolatedNodes,
    # is_undirected(), coalesce(), ...) go through edge_stores: without edge_index
    # T.RemoveIsolatedNodes dropped every node, T.ToUndirected did nothing; beside
    # an edge_index of as many edges, PyG took a source's graph for its edge
    # attributes (T.ToSparseTensor permuted it). data.edge_index stays None, as
    # PyG's: RandomNodeLoader reads it and then selects nodes with subgraph().
    def _check_one_graph(self) -> None:
        graphs, edge_index = self.num_source_edges, self._store.get("edge_index")
        if edge_index is None:
            problem = f"has no edge_index but one graph per source, edges per source {graphs}"
        else:
            edges = edge_index.size(-1) if isinstance(edge_index, torch.Tensor) \
                and edge_index.dim() else None
            same = sorted(s for s, e in graphs.items() if e == edges)
            problem = (f"has an edge_index of {edges} edges and graphs edge_index_<source> "
                       f"of as many, of sources {same}, which PyG takes for edge attributes "
                       f"of edge_index") if same else None
        if graphs and problem is not None:
            # not "set edge_index to that graph": edge_index_<source> then has as
            # many edges as edge_index, the second refusal above
            s = sorted(graphs)[0]
            x = self._store.get(f"x_{s}")
            units = x.size(0) if isinstance(x, torch.Tensor) and x.dim() else self.num_nodes
            weight = f", edge_weight=data.edge_weight_{s}" if f"edge_weight_{s}" in self else ""
            raise ValueError(
                f"{self.__class__.__name__} {problem} (edge_index_<source>): PyG's graph "
                f"tools (its transforms, is_undirected(), has_isolated_nodes(), "
                f"to_networkx(), ...) read one graph, edge_index. Apply a transform to every "
                f"source's graph with pyg_fusion.transforms.PerSource(transform), or give "
                f"the tool one source's graph as a Data of its own: Data(edge_index="
                f"data.edge_index_{s}{weight}, num_nodes={units})")

    @property
    def edge_stores(self) -> list:
        self._check_one_graph()
        return super().edge_stores

    def to_heterogeneous(self, *args, **kwargs):
        # PyG's read edge_index, None: "'NoneType' object is not subscriptable"
        self._check_one_graph()
        return super().to_heterogeneous(*args, **kwargs)

    def edge_subgraph(self, subset: torch.Tensor) -> MultiSourceData:
        graphs = self.num_source_edges
        if graphs:
            # PyG selects every attribute of num_edges rows: with a graph per
            # source it cut one source's graph (or any of that size) and kept the rest
            raise ValueError(f"edge_subgraph selects the edges of one graph, but "
                             f"{self.__class__.__name__} has one per source {sorted(graphs)} "
                             f"(edge_index_<source>): select edge_index_<source> and its "
                             f"edge_weight_<source> / edge_attr_<source> directly")
        return super().edge_subgraph(subset)

    def source(self, name: str) -> torch.Tensor:
        key = f"x_{name}"
        if key not in self:
            raise KeyError(f"no source {name!r}; sources are {self.sources}")
        return self[key]

    def subgraph(self, subset: torch.Tensor) -> MultiSourceData:
        """The graph induced by the nodes ``subset`` (indices, in the new
        order, or a bool mask ``[num_nodes]``), each source's own graph and
        finer-level units included.

        PyG's :meth:`~torch_geometric.data.Data.subgraph` relabels
        ``edge_index`` only: ``edge_index_<source>`` kept the old node ids
        (beyond the new node count) and finer-level units kept every unit and
        its old ``assign_<source>``. Here a unit stays when its node does (a
        node-level source's units are the nodes), in the order of the new
        nodes, and a source's edges (with ``edge_weight_<source>`` /
        ``edge_attr_<source>``) stay when both ends do, relabelled. A VAD
        video (``snippet_segment``, ``frame_gt``, ...) is refused. Of a
        ``Batch``, ``ptr`` counts each graph's kept nodes (PyG's kept the old
        one); the result does not split into graphs (``to_data_list()`` is
        PyG's error; select nodes of each graph, then batch them)."""
        return select_nodes(self, subset)

    def validate(self, raise_on_error: bool = True) -> bool:
        r"""PyG's checks (``num_nodes``, ``edge_index``) and those of each
        source: a node-level ``x_<source>`` has ``num_nodes`` rows, an
        ``assign_<source>`` is ``[N_source]`` integer node ids below
        ``num_nodes``, an ``edge_index_<source>`` is ``[2, E]`` integer ids of
        that source's units, with ``edge_weight_<source>`` /
        ``edge_attr_<source>`` of ``E`` rows.

        Args:
            raise_on_error (bool, optional): raise a :class:`ValueError` at the
                first problem, else warn of each. (default: :obj:`True`)
        """
        status = super().validate(raise_on_error)
        return validate_sources(self, raise_on_error) and status

    def __inc__(self, key, value, *args, **kwargs):
        if key.startswith("assign_"):
            if self.num_nodes is None:
                # PyG's own error here was "Could not infer dtype of NoneType"
                raise ValueError(f"{self.__class__.__name__}: cannot offset '{key}' when "
                                 f"batching: the graph has no node-level source (an x_<source> "
                                 f"without assign_<source>) to count its nodes; set num_nodes")
            return check_offset_ids(self, key, value, self.num_nodes, "nodes (num_nodes)")
        if key.startswith("edge_index_"):
            source = key[len("edge_index_"):]
            x = self.get(f"x_{source}")
            units, what = ((x.size(0), f"rows of x_{source}") if x is not None
                           else (self.num_nodes, "nodes (num_nodes)"))
            return check_offset_ids(self, key, value, units, what)
        if key.startswith("x_") and f"assign_{key[2:]}" not in self._store \
                and isinstance(value, torch.Tensor) and value.dim():
            check_node_rows(self, key, value)
        # PyG offsets every key holding 'batch' or 'index' (and concatenates
        # the second along its last dim): x_batchnorm's features were offset
        if _source_values(key, self._store):
            return 0
        return super().__inc__(key, value, *args, **kwargs)

    def __cat_dim__(self, key, value, *args, **kwargs):
        if key.startswith("edge_index_"):
            return -1
        if _source_values(key, self._store):
            return 0
        return super().__cat_dim__(key, value, *args, **kwargs)


# Datasets save and load MultiSourceData with torch.load(weights_only=True):
# register the class so that loading neither warns nor falls back to unsafe
# unpickling.
torch.serialization.add_safe_globals([MultiSourceData])
