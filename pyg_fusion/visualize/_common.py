"""The conversions shared by every plot of :mod:`pyg_fusion.visualize`: values
and PyG graphs to arrays (the nodes' display order and its ticks:
:mod:`._node_order`); the figures themselves, made and written: :mod:`._figures`."""
from __future__ import annotations

import numpy as np
import torch
from torch import Tensor
from torch_geometric import EdgeIndex

from ._pyg_objects import (checked_weights, edge_count, edge_weights, is_data, is_fused_graph,
                           is_sparse, plain_graph, refuse_foreign, sparse_edges)
from ._matrix import EdgeMatrix
# the texts' and the figures' helpers, which every plot imports from here with the rest
from ._text import (CHAR_EM, axes_width, fit_lines, shorten, shorten_all,  # noqa: F401
                    tex_name, text_width)
from ._figures import (FORMATS, closes_on_error, finish, made_figure, new_figure,  # noqa: F401
                       new_grid)


def to_numpy(name: str, x, *, dims: tuple[int, ...] | None = None,
             finite: bool = True) -> np.ndarray:
    """A tensor / array / nested list as a float numpy array, with a clear
    error naming ``name`` for a wrong rank, complex or NaN/Inf values."""
    dtype = getattr(x, "dtype", None)
    # the conversion kept the real parts, with a warning only
    if (x.is_complex() if isinstance(x, Tensor) else
            isinstance(dtype, np.dtype) and dtype.kind == "c"):
        raise TypeError(f"{name} must hold real numbers, got complex values ({dtype})")
    if isinstance(x, Tensor):
        arr = x.detach().cpu().double().numpy()
    elif is_data(x):
        # numpy iterated its (key, tensor) pairs: 'holding text ('edge_index')', or
        # a RuntimeError of a weight that requires grad
        raise TypeError(f"{name} must be a tensor or an array of numbers, got a PyG "
                        f"{type(x).__name__}: give the tensor of it to draw")
    else:
        try:
            arr = np.asarray(x, dtype=float)
        except (TypeError, ValueError) as exc:
            raise TypeError(f"{name} must be a tensor or an array of numbers, "
                            f"got {type(x).__name__}{_text_hint(x)}") from exc
    if dims is not None and arr.ndim not in dims:
        raise ValueError(f"{name} must have {' or '.join(map(str, dims))} "
                         f"dimensions, got shape {tuple(arr.shape)}")
    if finite and arr.size and not np.isfinite(arr).all():
        bad = int((~np.isfinite(arr)).sum())
        raise ValueError(f"{name} contains {bad} NaN or Inf value(s)")
    check_span(name, arr)
    return arr


def _text_hint(x) -> str:
    """Names the first text value of ``x``: 'got ndarray' said nothing of why an
    array of class names (a user's labels, as read from a CSV) is not numbers."""
    try:
        flat = np.asarray(x, dtype=object).ravel()
    except (TypeError, ValueError):
        return ""
    text = next((v for v in flat if isinstance(v, (str, bytes, np.str_, np.bytes_))), None)
    if text is None:
        return ""
    return (f" holding text ({text!r}): map it to numbers first, e.g. class names to ids "
            f"with numpy.unique(values, return_inverse=True)[1]")


# The largest magnitude a plot draws: matplotlib's axis limits, colour norms
# and tick steps take differences of the values (and margins around them),
# which overflow to Inf from some 4e307 on ("Axis limits cannot be NaN or
# Inf", naming nothing), with RuntimeWarnings of overflow from 1e307 on; and
# matplotlib 3.7's imshow (the floor we support) widens a colour range by 1e7
# before clipping, which overflows for ranges beyond some 1e301.
MAX_MAGNITUDE = 1e300


def check_span(name: str, arr: np.ndarray) -> None:
    """Refuses finite values of ``arr`` beyond :data:`MAX_MAGNITUDE`, with a
    ``ValueError`` naming ``name`` (NaN and Inf are left to the caller)."""
    if not arr.size:
        return
    # the extremes first, without a copy of the array (a dense graph's was one
    # more [N, N] in float64); NaN skipped by fmax / fmin
    top = max(abs(float(np.fmax.reduce(arr, axis=None))),
              abs(float(np.fmin.reduce(arr, axis=None))))
    if np.isinf(top):  # Inf beside the finite values: those alone
        finite = arr[np.isfinite(arr)]
        top = float(np.abs(finite).max()) if finite.size else 0.0
    if top > MAX_MAGNITUDE:
        raise ValueError(f"{name} holds values up to {top:.3g} in magnitude, more than a "
                         f"plot's axes span (at most {MAX_MAGNITUDE:.0e}): rescale them")


def per_node(name: str, x, num_nodes: int) -> np.ndarray | None:
    """``x`` (``None`` passes) as a ``[num_nodes]`` numpy array: one value per
    node, else a ``ValueError`` naming ``name``."""
    if x is None:
        return None
    arr = to_numpy(name, x, dims=(1, ))
    if arr.shape[0] != num_nodes:
        raise ValueError(f"{name} must have one entry per node ({num_nodes}), "
                         f"got {arr.shape[0]}")
    return arr


# A dense picture is an [N, N] array (read in its order, never copied
# reordered): 8192 nodes are 0.5 GiB in float64; larger dense graphs are
# refused before any allocation (an edge list is pooled at any size).
MAX_DENSE_NODES = 8192


class TooLargeError(ValueError):
    """A graph beyond what a figure draws: ``count`` ``what`` (``"nodes"`` or
    ``"edges"``) over its ``limit``. The message is ``fact`` (the counts)
    followed by ``advice`` (the Python arguments that help), so that a caller
    with other means, the CLI's flags, words its own advice from the data."""

    def __init__(self, fact: str, advice: str, *, what: str, count: int, limit: int):
        super().__init__(f"{fact}{advice}")
        self.fact, self.advice = fact, advice
        self.what, self.count, self.limit = what, count, limit


def check_node_count(name: str, num_nodes: int, limit: int | None = None,
                     hint: str = "plot a subgraph") -> None:
    """A graph to draw has at least one node, and at most ``limit`` (else a
    :class:`TooLargeError`)."""
    if num_nodes == 0:
        raise ValueError(f"{name} has no nodes: there is nothing to draw")
    if limit is not None and num_nodes > limit:
        raise TooLargeError(f"{name} has {num_nodes} nodes, more than this figure draws "
                            f"({limit}); ", f"{hint} (e.g. torch_geometric.utils.subgraph)",
                            what="nodes", count=num_nodes, limit=limit)


def check_graph(edge_index, edge_weight, num_nodes: int | None,
                weight_name: str = "edge_weight", index_name: str = "edge_index"
                ) -> tuple[np.ndarray, np.ndarray, int]:
    """Validates an edge list; returns ``(edge_index [2, E] int64,
    edge_weight [E] float, num_nodes)``. Missing weights are ones;
    ``weight_name`` and ``index_name`` name the two in errors."""
    if not isinstance(edge_index, Tensor):
        try:
            edge_index = torch.as_tensor(np.asarray(edge_index))
        except (TypeError, ValueError) as exc:  # numpy's message named no argument
            raise TypeError(f"{index_name} must be a [2, E] tensor or array of integer node "
                            f"indices, got {type(edge_index).__name__} that is no array "
                            f"({exc})") from None
    if edge_index.dim() != 2 or edge_index.size(0) != 2:
        raise ValueError(f"{index_name} must have shape [2, E], got "
                         f"{tuple(edge_index.shape)}")
    if edge_index.is_floating_point() or edge_index.dtype == torch.bool:
        raise TypeError(f"{index_name} must hold integer node indices, got "
                        f"{edge_index.dtype}")
    if num_nodes is None and isinstance(edge_index, EdgeIndex):
        # the node count it states, as PyG's layers read it: the largest
        # index + 1 left out the isolated nodes after it
        sizes = {s for s in edge_index.sparse_size() if s is not None}
        num_nodes = sizes.pop() if len(sizes) == 1 else None
    ei = edge_index.detach().cpu().long().numpy()
    if num_nodes is None:
        num_nodes = int(ei.max()) + 1 if ei.size else 0
    if ei.size and (ei.min() < 0 or ei.max() >= num_nodes):
        raise ValueError(f"{index_name} holds node indices outside [0, {num_nodes}) "
                         f"(min {int(ei.min())}, max {int(ei.max())})")
    if edge_weight is None:
        w = np.ones(ei.shape[1])
    else:
        w = to_numpy(weight_name, edge_weight, dims=(1, ))
        if w.shape[0] != ei.shape[1]:
            raise ValueError(f"{weight_name} must have one value per edge: "
                             f"{ei.shape[1]} edges in {index_name}, got "
                             f"{w.shape[0]} weights")
    return ei, w, int(num_nodes)


def graph_to_dense(name: str, graph, num_nodes: int | None = None) -> np.ndarray:
    """A graph in any of the library's forms as a dense ``[N, N]`` array
    (:func:`graph_matrix`, an edge list made dense)."""
    m = graph_matrix(name, graph, num_nodes)
    if isinstance(m, EdgeMatrix):
        check_node_count(name, m.shape[0], MAX_DENSE_NODES)
        return m.dense()
    return m


def graph_matrix(name: str, graph, num_nodes: int | None = None):
    """A graph in any of the library's forms as an ``[N, N]`` matrix: an
    :class:`EdgeMatrix` of an edge list (no dense ``[N, N]`` copy), else the
    dense array.

    Accepted: a dense ``[N, N]`` tensor / array (or ``[1, N, N]``); a tuple
    ``(edge_index, edge_weight)``, optionally with ``num_nodes`` third; an
    object with ``to_dense()`` (a ``FusedGraph``) holding one graph.
    """
    refuse_foreign(name, graph)
    if is_data(graph):
        # one panel of several ({title: data}): its edge_index, as a Data alone
        graph = _panel_graph(name, graph)
    if is_fused_graph(graph):
        # its global numbering, so a batch is block-diagonal
        # (no two graphs linked), as for a Batch of MultiSourceData
        graph = (*graph.to_sparse(), graph.num_nodes)
    elif is_sparse(graph):
        graph = sparse_edges(name, graph[0] if graph.dim() == 3 and len(graph) == 1 else graph)
    if isinstance(graph, (tuple, list)) and len(graph) in (2, 3) and not _is_matrix(graph):
        n = graph[2] if len(graph) == 3 else num_nodes
        ei, w, n = check_graph(graph[0], graph[1], n, f"{name} edge_weight", f"{name} edge_index")
        check_node_count(name, n)  # any N: its heatmap is pooled from the edges
        return EdgeMatrix.of_edges(ei, w, n)
    if hasattr(graph, "shape") and len(graph.shape) in (2, 3):
        # refused before the copy to numpy (9000 x 9000 float32: 0.3 GB more)
        check_node_count(name, graph.shape[-1], MAX_DENSE_NODES)
    arr = to_numpy(name, graph, dims=(2, 3))
    if arr.ndim == 3:
        if arr.shape[0] != 1:
            raise ValueError(f"{name} must be one graph [N, N]; got a batch of "
                             f"{arr.shape[0]} (index one graph first)")
        arr = arr[0]
    if arr.shape[0] != arr.shape[1]:
        raise ValueError(f"{name} must be a square [N, N] adjacency, got "
                         f"shape {tuple(arr.shape)}")
    check_node_count(name, arr.shape[0], MAX_DENSE_NODES)
    return arr


def _panel_graph(name: str, data) -> tuple:
    """The ``(edge_index, weights, num_nodes)`` of a plain PyG ``Data`` given as
    one graph among several."""
    from ..data import source_names
    if source_names(data):
        raise ValueError(f"{name} is a MultiSourceData, which is one panel per source: "
                         f"give it alone as graphs, or one of its graphs")
    return plain_graph(data)


def _is_matrix(seq) -> bool:
    # A nested list of numbers is a dense matrix, not an (edge_index, weight) pair.
    return all(isinstance(r, (list, tuple)) and r and not isinstance(
        r[0], (list, tuple, Tensor, np.ndarray)) for r in seq) and len(
            {len(r) for r in seq}) == 1 and len(seq[0]) == len(seq)


def source_graph(data, source: str, *, k: int | None = 10, metric: str = "cosine",
                 max_nodes: int | None = None, hint: str = "plot a subgraph"
                 ) -> tuple[Tensor, Tensor, int]:
    """The relation graph of one source of a ``MultiSourceData``: the stored
    ``edge_index_<source>`` with its ``edge_weight_<source>`` (else a
    one-per-edge ``edge_attr_<source>``) if present, otherwise
    built from ``x_<source>`` with :func:`pyg_fusion.functional.relation_graph`.
    More than ``max_nodes`` units are refused first, before a k-NN search
    that takes minutes at a million units (see :func:`check_node_count`).
    Returns ``(edge_index, edge_weight, num_units)``."""
    key = f"x_{source}"
    if key not in data:
        from ..data import source_names
        raise ValueError(f"source {source!r} not in data; its sources are "
                         f"{source_names(data)}")
    x = data[key]
    check_node_count(f"source {source!r}", x.size(0), max_nodes, hint)
    stored = data.get(f"edge_index_{source}")
    if stored is not None:
        # a one-per-edge edge_attr_<source> too: PyG's T.GDC (through PerSource)
        # writes its weights there
        w = checked_weights(*edge_weights(data, f"_{source}"), edge_count(stored))
        if w is None:
            w = torch.ones(stored.size(1), device=stored.device)
        return stored, w, x.size(0)
    from ..data import source_batch
    from ..functional import relation_graph
    from ..functional._checks import check_finite

    # named by its key: relation_graph's own error said "x contains NaN", of
    # a Data that holds no x, nor which of its sources
    x = check_finite(f"data.{key}", x.float())
    edge_index, edge_weight = relation_graph(x, source_batch(data, source), k=k,
                                             metric=metric)
    return edge_index, edge_weight, x.size(0)
