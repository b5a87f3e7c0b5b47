"""Node-link drawing of one relation graph (or a fused graph G)."""
from __future__ import annotations

import numpy as np
from torch import Tensor

import matplotlib as mpl
import networkx as nx
from matplotlib.collections import LineCollection
from matplotlib.colors import BoundaryNorm, ListedColormap, Normalize
from matplotlib.ticker import MaxNLocator

from ..data import source_names
from .._option_rules import is_int, is_real
from ._common import (MAX_DENSE_NODES, TooLargeError, axes_width, check_graph,
                      check_node_count, closes_on_error, finish, fit_lines, new_figure,
                      per_node, shorten_all, source_graph, tex_name, to_numpy)
from ._values import check_flag, check_label_names, class_name, data_class_names
from ._edges import selected_edges
from ._graph_layout import _arcs, _positions
from ._matrix import spaced_ticks
from ._pyg_objects import (check_own_nodes, graph_groups, is_data, is_fused_graph, is_sparse,
                           plain_graph, refuse_foreign, sparse_edges)

# networkx's spring layout is O(N^2) per iteration; plot_relation_graph of a
# 10-NN graph on one core (networkx 3.6): 1000 nodes 3.5 s, 1500 5.5 s, 2000
# 10-19 s, 5000 151 s. A default plot stays within seconds (a loaded machine
# takes twice as long); the circular and temporal layouts are linear
SPRING_MAX_NODES = 1000

LAYOUTS = ("spring", "circular", "temporal")

# One arrow patch per edge: matplotlib draws a few thousand in seconds, more
# take minutes and are a solid block anyway
MAX_ARROWS = 2000

# The circular and temporal layouts: 1e5 nodes and 1e5 drawn edges take about
# 10 s; a million (a k-NN graph of 1e5 units) take minutes and gigabytes, and
# draw a solid block
MAX_NODES = 100_000
MAX_EDGES = 100_000
_HINT = "use top_k, or plot a subgraph"
# The largest marker area (points^2): a disc some 16 inches across, more than a
# figure; saving one of 1e28 never ended (Agg's path of a 1e14-point circle)
MAX_NODE_SIZE = 1e6


@closes_on_error
def plot_relation_graph(edge_index, edge_weight=None, *, num_nodes=None,
                        source=None, k=10, top_k=None, labels=None, scores=None,
                        label_names=None, layout="spring", pos=None, time=None,
                        node_size=None, arrows=False, title=None, seed=0, ax=None,
                        path=None):
    r"""Draws a relation graph :math:`R_m` (or a fused graph :math:`G`) as
    nodes and weighted edges, with networkx layouts.

    Edge width and opacity grow with :math:`|w|` (see :func:`edge_style`):
    min-max scaled onto a range that starts above zero, so that, unlike
    :func:`torch_geometric.visualization.visualize_graph`, whose min-max
    scaling gives the weakest edge zero width, every drawn edge stays visible,
    and the contrast holds when all weights are close (cosine graphs of
    non-negative features). Signed graphs
    (a fused :math:`G` with negative entries) draw positive edges red and
    negative edges blue. Self loops and zero-weight entries are not drawn, and
    a pair linked in both directions is drawn once, with the larger
    :math:`|w|`, unless ``arrows`` asks for the direction of every edge.

    Args:
        edge_index (torch.Tensor, numpy.ndarray or Data): ``[2, E]`` integer
            edge list (source, target); or a dense ``[N, N]`` adjacency (of
            any dtype; ``[2, 2]`` is an edge list unless floating point) or a
            torch sparse one (entry ``[i, j]``: the edge ``j -> i``, as PyG's
            ``adj_t``); or a :class:`~pyg_fusion.data.MultiSourceData`,
            whose graph for ``source`` is the stored ``edge_index_<source>``
            or else the :math:`k`-nearest-neighbour relation graph of
            ``x_<source>``; or a plain PyG ``Data`` / ``Batch`` (its
            ``edge_index``, weights ``edge_weight`` or a one-column
            ``edge_attr``, or its ``adj_t``; labels ``y``); or a
            ``FusedGraph`` (a batch of graphs: all of them, unlinked). A
            networkx graph, scipy sparse matrix or ``HeteroData`` is refused
            with the PyG conversion to use.
        edge_weight (torch.Tensor or numpy.ndarray, optional): ``[E]``
            weights of an edge list (none for the other forms, which hold
            their weights). (default: :obj:`None`, ones)
        num_nodes (int, optional): number of nodes of an edge list (a
            ``Data`` or ``FusedGraph`` has its own: another is refused).
            (default: :obj:`None`, the largest index in ``edge_index`` + 1)
        source (str, optional): the source to draw when ``edge_index`` is a
            ``MultiSourceData`` (may be left out when it has a single
            source); it also names the graph :math:`R_m` in the default
            title. (default: :obj:`None`)
        k (int, optional): neighbours per node of the cosine relation graph
            built here from ``x_<source>`` of a ``MultiSourceData`` that
            stores no ``edge_index_<source>``. (default: :obj:`10`)
        top_k (int, optional): keep only the ``top_k`` strongest edges (by
            :math:`|w|`) into each node (>= 1; see :func:`select_edges`).
            (default: :obj:`None`, every edge)
        labels (torch.Tensor or numpy.ndarray, optional): ``[N]`` class
            labels: categorical node colours and colour bar. (default:
            :obj:`None`; for a ``Data``, ``data.y`` when it holds one label
            per node and ``scores`` is not given)
        scores (torch.Tensor or numpy.ndarray, optional): ``[N]`` anomaly
            scores: continuous node colours and colour bar (used instead of
            ``labels`` when both are given). (default: :obj:`None`)
        label_names (Sequence[str] or dict, optional): names of the classes,
            indexed by label; a negative label (unlabelled) keeps its id.
            (default: :obj:`None`: for a ``Data`` drawn by ``data.y``, its
            ``class_names`` where it keeps them, ``-1`` as unlabelled, else
            the labels)
        layout (str, optional): :obj:`"spring"` (at most 1000 nodes, a few
            seconds: its cost grows as N^2, 2000 nodes take 10-20 s and 5000
            minutes; positions of a larger graph's spring layout can be passed
            as ``pos``), :obj:`"circular"` or :obj:`"temporal"` (nodes on
            a line in time order, edges as arcs above it); these two draw at
            most 100000 nodes and 100000 edges (after ``top_k``), a dense
            adjacency at most 8192 nodes: a larger graph is refused, before
            any k-NN search, with a ``ValueError`` that says so.
            (default: :obj:`"spring"`)
        pos (torch.Tensor, numpy.ndarray or dict, optional): explicit
            ``[N, 2]`` node positions, or a networkx layout's ``{node: (x,
            y)}`` of the nodes ``0 .. N-1``, drawn with straight edges
            (overrides ``layout``).
            (default: :obj:`None`)
        time (torch.Tensor or numpy.ndarray, optional): ``[N]`` time stamps
            that order the nodes of the :obj:`"temporal"` layout (of a
            ``Batch``: graph after graph, each in its time order); the other
            layouts and ``pos`` do not read it, but it is checked all the same
            (one entry per node, else a ``ValueError``).
            (default: :obj:`None`, the node index)
        node_size (float, optional): marker area in points^2 (at most
            :data:`MAX_NODE_SIZE`).
            (default: :obj:`None`, ``6000 / N`` clipped to ``[8, 300]``)
        arrows (bool, optional): draw each edge ``j -> i`` (PyG's convention:
            ``edge_index[0]`` is the source) as its own arrow, source to
            target, instead of one line per linked pair (at most 2000 drawn
            edges, except on the :obj:`"temporal"` layout). On the
            :obj:`"temporal"` layout, arcs of edges forward in time (source
            earlier than target) are drawn above the line, backward below.
            (default: :obj:`False`)
        title (str, optional): the axes title. (default: :obj:`None`, the
            graph's name, its number of nodes and of edges drawn)
        seed (int, optional): seed of the spring layout, in ``[0, 2**32)``.
            (default: :obj:`0`)
        ax (matplotlib.axes.Axes, optional): axes to draw into.
            (default: :obj:`None`, a new figure)
        path (str or os.PathLike, optional): write the figure there: PNG, PDF
            or SVG by its suffix (none: PNG, ``.png`` added).
            (default: :obj:`None`, not written)

    Returns:
        matplotlib.figure.Figure: the figure. Its edge ``LineCollection`` has
        gid ``"edges"`` (with ``arrows`` on a non-temporal layout: one
        ``FancyArrowPatch`` per edge, gid ``"arrow"``), its node
        ``PathCollection`` gid ``"nodes"``.
    """
    check_label_names(label_names)
    if layout not in LAYOUTS:
        raise ValueError(f"layout must be one of {LAYOUTS}, got {layout!r}")
    if node_size is not None and not (is_real(node_size) and 0 < node_size <= MAX_NODE_SIZE):
        # a negative area drew no node, behind numpy's "invalid value in sqrt"
        raise ValueError(f"node_size must be a positive number (marker area in "
                         f"points^2) of at most {MAX_NODE_SIZE:.0e}, got {node_size!r}")
    if seed is not None and not is_int(seed):
        # networkx's message named the value, not the argument
        raise TypeError(f"seed must be an int or None, got {seed!r}")
    # numpy's range (networkx's -1 said 'Seed must be between 0 and 2**32 - 1');
    # a plain int: networkx refuses numpy's ints
    from ..datasets._args import check_seed
    seed = None if seed is None else check_seed(seed)
    check_flag("arrows", arrows)
    refuse_foreign("edge_index", edge_index)
    graph_name, weight_name = None, "edge_weight"
    groups = graph_groups(edge_index)  # a batch's graphs stay apart in time
    if is_fused_graph(edge_index):
        fused = edge_index
        if edge_weight is not None:
            raise ValueError("edge_weight must be None for a FusedGraph")
        # the global numbering: a batch's graphs side by side, none linked
        edge_index, edge_weight = fused.to_sparse()
        check_own_nodes(num_nodes, fused.num_nodes, "FusedGraph")
        num_nodes = fused.num_nodes
        graph_name = "fused graph $G$" if fused.num_graphs == 1 else \
            f"fused graphs $G$ of {fused.num_graphs} graphs"
    if is_data(edge_index):
        data = edge_index
        sources = source_names(data)
        if edge_weight is not None:
            raise ValueError("edge_weight must be None for a Data (its graph holds "
                             "its weights)")
        if not sources:  # a plain PyG Data / Batch: its own edge_index
            if source is not None:
                raise ValueError(f"source {source!r} not in data: it has no sources "
                                 f"x_<source>, only its edge_index")
            edge_index, edge_weight, own = plain_graph(data)
        else:
            if source is None:
                if len(sources) != 1:
                    raise ValueError(f"source is required for a Data with several "
                                     f"sources; its sources are {sources}")
                source = sources[0]
            edge_index, edge_weight, own = source_graph(
                data, source, k=k, max_nodes=_max_nodes(layout, pos), hint=_hint(layout, pos))
        check_own_nodes(num_nodes, own, type(data).__name__)
        num_nodes = own
        y = data.get("y")
        if labels is None and scores is None and isinstance(y, Tensor) \
                and y.dim() == 1 and y.numel() == num_nodes:
            labels = y
            label_names = data_class_names(data, label_names)
    elif is_sparse(edge_index):
        if edge_weight is not None:
            raise ValueError("edge_weight must be None when edge_index is a sparse "
                             "[N, N] adjacency (its values are the weights)")
        edge_index, edge_weight, num_nodes = sparse_edges("edge_index", edge_index)
        # its values are the weights: "edge_weight contains NaN" named no argument given
        weight_name = "edge_index (sparse adjacency) values"
    if (not is_data(edge_index) and isinstance(edge_index, (Tensor, np.ndarray))
            and edge_index.ndim == 2 and edge_index.shape[0] == edge_index.shape[1]
            and (edge_index.shape[0] != 2 or (
                edge_index.dtype.is_floating_point if isinstance(edge_index, Tensor)
                else np.issubdtype(edge_index.dtype, np.floating)))):
        # square: a dense adjacency (of any dtype: 0/1 ones are often integer);
        # only [2, 2] is ambiguous, and is an edge list unless floating point
        if edge_weight is not None:
            raise ValueError("edge_weight must be None when edge_index is a "
                             "dense [N, N] adjacency")
        # refused before the float64 copy and the edge list are built
        check_node_count("the graph", edge_index.shape[0],
                         min(_max_nodes(layout, pos), MAX_DENSE_NODES), _hint(layout, pos))
        adj = to_numpy("edge_index (dense adjacency)", edge_index)
        rows, cols = np.nonzero(adj)
        edge_index = np.stack([cols, rows])  # adj[i, j]: the edge j -> i
        edge_weight = adj[rows, cols]
        num_nodes = adj.shape[0]

    ei, w, n = check_graph(edge_index, edge_weight, num_nodes, weight_name)
    check_node_count("the graph", n, _max_nodes(layout, pos), _hint(layout, pos))
    edges, ew = selected_edges(ei, w, n, top_k=top_k, directed=bool(arrows))
    temporal = layout == "temporal" and pos is None
    if arrows and not temporal and len(edges) > MAX_ARROWS:
        raise ValueError(f"arrows draws at most {MAX_ARROWS} edges, this graph has "
                         f"{len(edges)}: use top_k, layout='temporal' or arrows=False")
    if len(edges) > MAX_EDGES:
        raise TooLargeError(f"this figure draws at most {MAX_EDGES} edges, this graph has "
                            f"{len(edges)} to draw: ", f"{_HINT} (e.g. "
                            f"torch_geometric.utils.subgraph)",
                            what="edges", count=len(edges), limit=MAX_EDGES)

    fig, ax = new_figure(ax, figsize=(6.4, 5.2) if layout != "temporal" else (9, 3.6))
    coords = _positions(n, edges, ew, layout=layout, pos=pos, time=time, seed=seed,
                        groups=groups if groups is not None and len(groups) == n else None)

    signed = bool((ew < 0).any())
    widths, alphas = edge_style(ew)
    colours = np.zeros((len(ew), 4))
    base = np.where(ew < 0, 0, 1) if signed else np.full(len(ew), 2)
    palette = np.array([mpl.colors.to_rgb("tab:blue"), mpl.colors.to_rgb("tab:red"),
                        (0.2, 0.2, 0.25)])
    colours[:, :3] = palette[base] if len(ew) else colours[:, :3]
    colours[:, 3] = alphas

    if node_size is None:
        node_size = float(np.clip(6000.0 / max(n, 1), 8, 300))
    if temporal:
        # directed: forward in time above the line, backward below
        segs = _arcs(coords, edges, below=(coords[edges[:, 0], 0] > coords[edges[:, 1], 0])
                     if arrows else None)
        lc = LineCollection(segs, linewidths=widths, colors=colours, zorder=1)
        ax.add_collection(lc)
    elif arrows and len(edges):
        g = nx.DiGraph()
        g.add_nodes_from(range(n))
        # curved, so that the two arrows of a pair linked both ways stay apart
        lc = nx.draw_networkx_edges(g, {i: coords[i] for i in range(n)},
                                    edgelist=list(map(tuple, edges)), arrows=True,
                                    arrowstyle="-|>", arrowsize=8, node_size=node_size,
                                    connectionstyle="arc3,rad=0.15",
                                    width=list(widths), edge_color=list(map(tuple, colours)),
                                    ax=ax)
        for patch in lc:
            patch.set_gid("arrow")
        lc = None
    else:
        g = nx.Graph()
        g.add_nodes_from(range(n))
        g.add_edges_from(map(tuple, edges))
        lc = nx.draw_networkx_edges(g, {i: coords[i] for i in range(n)},
                                    edgelist=list(map(tuple, edges)),
                                    width=list(widths), edge_color=list(map(tuple, colours)),
                                    ax=ax) if len(edges) else LineCollection([])
        if not len(edges):
            ax.add_collection(lc)
    if lc is not None:
        lc.set_gid("edges")

    values, cmap, norm, cbar_label, ticks = _node_colours(n, labels, scores, label_names)
    # a white rim helps big markers apart; on tiny ones it hides their colour
    nodes = ax.scatter(coords[:, 0], coords[:, 1], s=node_size,
                       # grey beside a signed graph's blue (w < 0) edges
                       c=values if values is not None else "0.35" if signed else "tab:blue",
                       cmap=cmap, norm=norm, edgecolors="white",
                       linewidths=0.4 if node_size >= 40 else 0.0, zorder=2)
    nodes.set_gid("nodes")
    if values is not None:
        cbar = fig.colorbar(nodes, ax=ax, shrink=0.8, pad=0.02)
        cbar.set_label(cbar_label)
        if ticks is not None:
            cbar.set_ticks(ticks[0], labels=ticks[1])
            # 60 classes: 60 labels over each other; keep those a line apart
            spaced_ticks(cbar.ax.yaxis, ticks[0], ticks[1], 90,
                         cbar.ax.yaxis.get_ticklabels()[0].get_fontsize())

    if signed:
        ax.plot([], [], color="tab:red", lw=2, label="w > 0")
        ax.plot([], [], color="tab:blue", lw=2, label="w < 0")
        ax.legend(loc="upper right", fontsize=8, frameon=False)
    if title is None:
        name = graph_name or (f"$R_{{{tex_name(source)}}}$" if source is not None
                              else "graph")
        title = f"{name}: {n} nodes, {len(edges)} edges drawn"
        if top_k is not None:
            title += f" (top-{top_k} per node)"
        if arrows:
            title += ("\nsource j \u2192 target i; forward in time above, backward below"
                      if temporal else "\narrows: source j \u2192 target i")
    ax.set_title(fit_lines(title, axes_width(ax), 10), fontsize=10)
    if temporal:
        ax.set_xlabel("snippet (time order)")
        ax.xaxis.set_major_locator(MaxNLocator(integer=True))
        ax.set_yticks([])
        for side in ("left", "right", "top"):
            ax.spines[side].set_visible(False)
        # from the arcs drawn: lc.get_segments() copied each of them, twice
        top = float(segs[..., 1].max()) if len(segs) else 1.0
        low = float(segs[..., 1].min()) if len(segs) else 0.0
        ax.set_ylim(min(low * 1.08, -0.08 * max(top, 1.0)), 1.08 * max(top, 1.0))
        ax.set_xlim(coords[:, 0].min() - 1, coords[:, 0].max() + 1)
    else:
        ax.set_axis_off()
        ax.autoscale_view()
    return finish(fig, path)


def _max_nodes(layout: str, pos) -> int:
    return SPRING_MAX_NODES if layout == "spring" and pos is None else MAX_NODES


def _hint(layout: str, pos) -> str:
    return ("use layout='circular' or 'temporal', pass pos= (a spring layout of this many "
            "nodes takes minutes), or plot a subgraph"
            if layout == "spring" and pos is None else "plot a subgraph")


def edge_style(weight: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Line widths and opacities of edges of weights ``weight``: min-max
    scaled :math:`|w|` mapped onto ``[0.15, 1]`` of the full width and
    opacity; the full opacity drops as ``1 / sqrt(E)`` beyond 200 edges so
    that dense drawings do not turn into a solid block.

    Args:
        weight (numpy.ndarray): ``[E]`` edge weights.

    Returns:
        (numpy.ndarray, numpy.ndarray): ``(widths [E], opacities [E])``.
    """
    s = np.abs(weight)
    if len(s) == 0:
        return s, s
    span = s.max() - s.min()
    t = (s - s.min()) / span if span > 0 else np.ones_like(s)
    t = 0.15 + 0.85 * t
    num = len(s)
    top_alpha = 0.9 if num <= 200 else float(np.clip(0.9 * np.sqrt(200 / num), 0.2, 0.9))
    top_width = 2.8 if num <= 200 else 1.6
    return top_width * t, top_alpha * t


def _node_colours(n, labels, scores, label_names):
    if scores is not None:
        s = per_node("scores", scores, n)
        lo, hi = (0.0, 1.0) if s.size and s.min() >= 0 and s.max() <= 1 else (
            float(s.min()), float(s.max()))
        return s, "plasma", Normalize(lo, hi), "anomaly score", None
    if labels is not None:
        lab = per_node("labels", labels, n)
        classes, idx = np.unique(lab, return_inverse=True)
        if len(classes) <= 20:
            base = mpl.colormaps["tab10" if len(classes) <= 10 else "tab20"]
            cmap = ListedColormap([base(i) for i in range(len(classes))])
        else:  # more classes than a qualitative map has colours: one colour each
            cmap = ListedColormap(mpl.colormaps["turbo"](np.linspace(0, 1, len(classes))))
        norm = BoundaryNorm(np.arange(len(classes) + 1) - 0.5, len(classes))
        names = []
        for c in classes:
            names.append(class_name(label_names, int(c) if float(c).is_integer() else c))
        return idx.astype(float), cmap, norm, "label", (np.arange(len(classes)),
                                                        shorten_all(names))
    return None, None, None, None, None
