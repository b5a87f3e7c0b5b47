"""Adjacency heatmaps: one panel per source graph and the fused graph."""
from __future__ import annotations

import numpy as np
from torch import Tensor

from matplotlib.colors import Normalize

from ..data import source_names
from ._common import (closes_on_error, finish, graph_to_dense, is_data, label_ticks,
                      new_grid, node_ticks, order_nodes, plain_graph, source_graph,
                      tex_name)
from ._matrix import matrix_labels, show_matrix


@closes_on_error
def plot_adjacency(graphs, *, num_nodes=None, labels=None, label_names=None,
                   order=None, time=None, k=10, shared_scale=True, cmap=None,
                   show_diagonal=True, robust=False, ncols=None, title=None, ax=None,
                   path=None):
    r"""Heatmaps of dense or sparse graphs on a common node order, e.g. the
    relation graphs :math:`R_m` of each source beside the fused graph
    :math:`G`.

    Entry ``[i, j]`` is the edge ``j -> i`` (PyG's convention: messages flow
    from ``edge_index[0]`` to ``edge_index[1]``): rows are targets, columns
    sources. Nodes are ordered by ``labels`` (blocks of one class, ticked by class) or
    by time; with ``shared_scale`` every panel uses one colour scale and one
    colour bar, symmetric about zero (``RdBu_r``) as soon as any panel holds a
    negative entry (a signed fused :math:`G`), else ``[0, max]`` (``viridis``).

    Args:
        graphs: one graph or a dict ``{panel title: graph}``. A graph is a
            dense ``[N, N]`` tensor / array, a tuple ``(edge_index,
            edge_weight)`` (sparse; ``num_nodes`` sets ``N``) or a
            ``FusedGraph`` holding one graph. A
            :class:`~pyg_fusion.data.MultiSourceData` gives one panel
            :math:`R_m` per source (stored ``edge_index_<source>`` or a
            ``k``-NN relation graph of ``x_<source>``), labels from ``data.y``;
            a plain PyG ``Data`` / ``Batch`` its ``edge_index`` (weights
            ``edge_weight``, or a one-column ``edge_attr``), a ``Batch`` or a
            ``FusedGraph`` of several graphs as one block-diagonal graph.
        num_nodes: ``N`` for edge lists (default: largest index + 1).
        labels: ``[N]`` labels; the default order then groups the nodes by label.
        label_names: names of the classes, indexed by label (tick labels).
        order: ``None`` (by label if labels are given, else time),
            ``"label"``, ``"time"`` or an explicit permutation of the nodes.
        time: ``[N]`` time stamps for ``order="time"`` (default: index order).
        k: neighbours per node when a ``Data``'s graphs are built here.
        shared_scale: one colour scale for all panels (else one per panel).
        cmap: colour map (default: ``viridis``, or ``RdBu_r`` for signed data).
        show_diagonal: draw the diagonal (self loops); ``False`` draws it as
            0 and leaves it out of the colour scale, for graphs whose self
            loops outweigh every other entry (normalised powers, fused
            graphs with :math:`p = 0` terms).
        robust: end the colour scale at the 99th percentile of the non-zero
            magnitudes instead of the maximum (larger entries saturate), so
            that a few strong entries do not wash out the rest.
        ncols: panels per row (default: all in one row, at most 4).
        ax: a sequence of axes, one per panel (default: a new figure).
        title: the figure's title, above the panels: what the graphs are and
            on which data (default: none).
        path: write the figure here: PNG, PDF or SVG by its suffix (none: PNG).

    Returns:
        The :class:`matplotlib.figure.Figure`; panel ``i``'s image holds the
        reordered adjacency ``adj[perm][:, perm]``; above 256 nodes, a panel
        is too few pixels wide for one cell per node, and each cell shows
        the entry of largest magnitude of a block of ``b x b`` nodes (the
        x label says ``b``), so that no edge vanishes from the picture.
    """
    if is_data(graphs):
        data = graphs
        y = data.get("y")
        graphs = {}
        for s in source_names(data):
            ei, w, n = source_graph(data, s, k=k)
            graphs[f"$R_{{{tex_name(s)}}}$"] = (ei, w, n)
        if not graphs:  # a plain PyG Data / Batch: its own edge_index
            graphs[""] = plain_graph(data)
        # node labels only: a video's y is one label for the whole graph
        if labels is None and isinstance(y, Tensor) and y.dim() == 1 and \
                graphs and y.numel() == next(iter(graphs.values()))[2]:
            labels = y
    if not isinstance(graphs, dict):
        graphs = {"": graphs}
    if not graphs:
        raise ValueError("graphs is empty: give at least one graph")
    mats = {name: graph_to_dense(f"graphs[{name!r}]" if name else "graphs", g, num_nodes)
            for name, g in graphs.items()}
    sizes = {m.shape[0] for m in mats.values()}
    if len(sizes) != 1:
        raise ValueError(f"all graphs must have the same number of nodes, got "
                         f"{ {name: m.shape[0] for name, m in mats.items()} }")
    n = sizes.pop()
    if not show_diagonal:
        for name in mats:
            mats[name] = mats[name].copy()  # may share memory with the caller's tensor
            np.fill_diagonal(mats[name], 0.0)
    perm, sorted_labels = order_nodes(n, labels=labels, time=time, order=order)

    num = len(mats)
    ncols = min(num, 4) if ncols is None else max(1, min(int(ncols), num))
    nrows = -(-num // ncols)
    if ax is not None:
        fig, axes = new_grid(ax, 1, num)
        axes = list(axes.ravel())
    else:
        fig, grid = new_grid(None, nrows, ncols, panel_size=(3.6, 3.3),
                             layout="compressed")
        axes = list(grid.ravel())
        for extra in axes[num:]:
            extra.set_axis_off()

    signed_all = any((m < 0).any() for m in mats.values())
    norm_all = _norm(list(mats.values()), signed_all, robust)
    images = []
    for a, (name, m) in zip(axes, mats.items()):
        m = m[np.ix_(perm, perm)]
        signed = signed_all if shared_scale else bool((m < 0).any())
        norm = norm_all if shared_scale else _norm([m], signed, robust)
        im, block = show_matrix(a, m, cmap=cmap or ("RdBu_r" if signed else "viridis"),
                                norm=norm, aspect="equal")
        images.append(im)
        a.set_title(name, fontsize=10)
        if sorted_labels is not None and not _explicit(order):
            label_ticks(a, sorted_labels, names=label_names)
            how = "by label"
        else:
            node_ticks(a, perm)
            how = "time order" if not _explicit(order) else "in the order given"
        matrix_labels(a, how, block)
        if not shared_scale:
            fig.colorbar(im, ax=a, shrink=0.8, label="edge weight", extend="both" if robust and signed
                         else "max" if robust else "neither")
    if shared_scale:
        fig.colorbar(images[0], ax=axes[:num], shrink=0.8, label="edge weight",
                     extend="both" if robust and signed_all else "max" if robust
                     else "neither")
    if title is not None:
        fig.suptitle(title, fontsize=11)
    return finish(fig, path)


def _explicit(order) -> bool:
    return order is not None and not isinstance(order, str)


def _norm(mats, signed: bool, robust: bool = False) -> Normalize:
    if robust:
        mags = np.concatenate([np.abs(m[m != 0]) for m in mats])
        v = float(np.percentile(mags, 99)) if mags.size else 1.0
        return Normalize(-v, v) if signed else Normalize(0.0, v or 1.0)
    if signed:
        v = max(float(np.abs(m).max()) for m in mats) or 1.0
        return Normalize(-v, v)
    hi = max(float(m.max()) for m in mats)
    return Normalize(0.0, hi if hi > 0 else 1.0)
