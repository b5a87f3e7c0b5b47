"""Which PyG object a figure was given: a ``Data`` / ``Batch`` and its
graph, a ``FusedGraph``, or another library's graph, refused with the PyG
conversion to use."""
from __future__ import annotations

import re

import torch
from torch import Tensor


def is_fused_graph(obj) -> bool:
    """Whether ``obj`` is LEGO's :class:`~pyg_fusion.nn.FusedGraph`."""
    from ..nn.fused_graph import FusedGraph
    return isinstance(obj, FusedGraph)


def is_data(obj) -> bool:
    from torch_geometric.data import Data
    return isinstance(obj, Data)


def graph_groups(obj):
    """The graph of each node (numpy) of a ``Batch`` or a ``FusedGraph`` of
    several graphs, else ``None``: figures keep each graph's nodes together."""
    batch = obj.get("batch") if is_data(obj) else obj.batch if is_fused_graph(obj) else None
    if isinstance(batch, Tensor) and batch.dim() == 1 and batch.numel() and \
            int(batch.max()) > 0:
        return batch.detach().cpu().numpy()
    return None


def plain_graph(data) -> tuple[Tensor, Tensor | None, int]:
    """The graph of a plain PyG ``Data`` / ``Batch`` (no ``x_<source>``):
    ``(edge_index, weights, num_nodes)``, the weights from ``edge_weight``,
    else a one-per-edge ``edge_attr`` (``[E]`` or ``[E, 1]``), else the
    ``weight`` of :func:`~torch_geometric.utils.from_networkx`, else ``None``;
    or the sparse ``adj_t`` of ``T.ToSparseTensor`` (its entry ``[i, j]``:
    the edge ``j -> i``) with its values."""
    if data.get("edge_index") is None and data.get("adj_t") is not None:
        return sparse_edges("adj_t", data.adj_t)
    if data.get("edge_index") is None:
        raise ValueError("the Data holds neither an edge_index nor sources x_<source> "
                         "(nor an adj_t): there is no graph to draw")
    key, w = edge_weights(data)
    if w is None and _one_per_edge(data.get("weight")) and \
            data.weight.size(0) == data.edge_index.size(1):
        # from_networkx(g) keeps networkx's edge weights as data.weight: its
        # weighted graph was drawn with every edge alike
        if data.weight.size(0) == data.num_nodes:
            raise ValueError(f"data.weight has one value per edge and one per node "
                             f"({data.weight.size(0)} of each): set data.edge_weight = "
                             f"data.weight to draw them as edge weights, or delete "
                             f"data.weight")
        key, w = "weight", data.weight
    w = checked_weights(key, w, edge_count(data.edge_index))
    num_nodes = data.num_nodes
    if num_nodes is None:
        raise ValueError("the Data has no num_nodes (nor x): set data.num_nodes")
    return data.edge_index, w, int(num_nodes)


def edge_weights(data, suffix: str = "") -> tuple[str, Tensor | None]:
    """The weights of the graph ``edge_index<suffix>`` of ``data`` (``suffix``
    ``"_<source>"`` for a source's stored graph) and their key:
    ``edge_weight<suffix>``, else a one-per-edge ``edge_attr<suffix>``
    (``[E]`` or ``[E, 1]``: PyG's ``T.GDC`` writes its weights there), else
    ``None``."""
    key = f"edge_weight{suffix}"
    if data.get(key) is None and _one_per_edge(data.get(f"edge_attr{suffix}")):
        key = f"edge_attr{suffix}"
    return key, data.get(key)


def checked_weights(key: str, w: Tensor | None, num_edges: int | None = None
                    ) -> Tensor | None:
    """One-per-edge weights ``data.<key>`` as ``[E]``, refused where not finite
    or (given ``num_edges``, the ``E`` of their ``edge_index``) not one per edge."""
    if _one_per_edge(w):  # an edge_weight of [E, 1] as an edge_attr of [E, 1]
        w = w.reshape(-1)
        # (both checks) the figure's own named edge_weight, which the caller never gave
        if num_edges is not None and w.numel() != num_edges:
            index = re.sub(r"^(edge_weight|edge_attr|weight)", "edge_index", key)
            raise ValueError(f"data.{key} has {w.numel()} values for the {num_edges} edges "
                             f"of data.{index}: expected one per edge")
        if w.is_floating_point() and not torch.isfinite(w).all():
            raise ValueError(f"data.{key} contains {int((~torch.isfinite(w)).sum())} NaN "
                             f"or Inf value(s): a figure of the graph needs finite weights")
    return w


def check_own_nodes(num_nodes, own: int, kind: str) -> None:
    """``num_nodes`` (the ``N`` of an edge list) given with a graph that has
    its own: another count was dropped without a word, the figure drawn at
    the graph's."""
    if num_nodes is not None and num_nodes != own:
        raise ValueError(f"num_nodes={num_nodes!r} for a {kind} of {own} nodes: num_nodes "
                         f"is the N of an edge list; a {kind} has its own (set "
                         f"data.num_nodes, or leave num_nodes out)")


def edge_count(edge_index) -> int | None:
    """The ``E`` of an ``[2, E]`` edge list; ``None`` for another form."""
    if isinstance(edge_index, Tensor) and not is_sparse(edge_index) and edge_index.dim() == 2:
        return edge_index.size(1)
    return None


def _one_per_edge(w) -> bool:
    return isinstance(w, Tensor) and (w.dim() == 1 or (w.dim() == 2 and w.size(1) == 1))


def is_sparse(obj) -> bool:
    """Whether ``obj`` is a torch sparse tensor (COO, CSR, CSC, ...)."""
    return isinstance(obj, Tensor) and obj.layout != torch.strided


def sparse_edges(name: str, adj: Tensor) -> tuple[Tensor, Tensor | None, int]:
    """A torch sparse ``[N, N]`` adjacency whose entry ``[i, j]`` is the edge
    ``j -> i`` (PyG's ``adj_t``) as ``(edge_index, weights, N)``: its
    entries only, never the ``N x N`` dense copy (4 TB at a million nodes)."""
    if adj.dim() != 2 or adj.size(0) != adj.size(1):
        raise ValueError(f"{name} must be a square [N, N] adjacency, got shape "
                         f"{tuple(adj.shape)}")
    from torch_geometric.utils import to_edge_index
    ei, w = to_edge_index(adj)  # rows of adj_t are targets
    return ei.flip(0), (w if w.dim() == 1 else None), int(adj.size(0))


def refuse_foreign(name: str, obj) -> None:
    """A clear error for graphs of other libraries, whose matrices put the
    edge ``j -> i`` at ``[j, i]`` (rows: sources) where a dense graph here has
    it at ``[i, j]``: converted with PyG's own functions, the direction holds."""
    kind = type(obj).__module__.split(".")[0]
    if kind == "networkx":
        # the Data itself: the pair (data.edge_index, data.weight) that this
        # advised was an AttributeError for a graph without weights (to_networkx's)
        raise TypeError(f"{name} is a networkx graph: give the PyG Data "
                        f"torch_geometric.utils.from_networkx(g) instead (its edges keep "
                        f"their direction; an edge attribute 'weight' gives the weights)")
    if kind == "scipy":
        raise TypeError(f"{name} is a scipy sparse matrix: give the pair "
                        f"torch_geometric.utils.from_scipy_sparse_matrix(A) (edge_index, "
                        f"edge_weight), which reads A[j, i] as the edge j -> i")
    from torch_geometric.data import HeteroData
    if isinstance(obj, HeteroData):
        raise TypeError(f"{name} is a HeteroData: give one of its graphs, "
                        f"e.g. data.to_homogeneous() or the pair (edge_index, edge_weight) "
                        f"of one edge type")
