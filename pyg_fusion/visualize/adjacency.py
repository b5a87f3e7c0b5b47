"""Adjacency heatmaps: one panel per source graph and the fused graph."""
from __future__ import annotations

import numpy as np
from torch import Tensor

from matplotlib.colors import Normalize

from ..data import source_names
from ._common import (MAX_DENSE_NODES, axes_width, closes_on_error, finish, fit_lines,
                      graph_matrix, new_grid, source_graph, tex_name)
from ._node_order import label_ticks, node_ticks, order_nodes
from .._option_rules import is_int
from ._values import check_flag, check_label_names, data_class_names
from ._pyg_objects import check_own_nodes, graph_groups, is_data, is_fused_graph, plain_graph
from ._matrix import EdgeMatrix, Reordered, entries, matrix_labels, show_matrix


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
        graphs (torch.Tensor, numpy.ndarray, tuple, dict or Data): one graph
            or a dict ``{panel title: graph}``. A graph is a dense ``[N, N]``
            tensor / array (or ``[1, N, N]``), a torch sparse adjacency
            (entry ``[i, j]`` the edge ``j -> i`` too: PyG's ``adj_t`` of
            ``T.ToSparseTensor``; ``to_torch_coo_tensor(edge_index)`` is its
            transpose), a
            tuple ``(edge_index, edge_weight)`` (sparse; ``num_nodes`` sets
            ``N``), optionally with ``num_nodes`` third, a ``FusedGraph``
            (several graphs: one block-diagonal graph) or a plain PyG
            ``Data`` (as below; in a dict, without its labels). A
            :class:`~pyg_fusion.data.MultiSourceData` gives one panel
            :math:`R_m` per source (stored ``edge_index_<source>`` or a
            ``k``-NN relation graph of ``x_<source>``), labels from ``data.y``;
            a plain PyG ``Data`` / ``Batch`` its ``edge_index`` (weights
            ``edge_weight``, or a one-column ``edge_attr``) or its ``adj_t``,
            a ``Batch`` as one block-diagonal graph (ordered by graph first,
            then by label or time within each). A dense graph, and a
            source whose ``k``-NN graph is built here, has at most 8192
            nodes; an edge list (a stored one too) any number (its panel is
            pooled from the edges, in memory O(E), never as an ``[N, N]``
            array).
            A networkx graph, scipy sparse matrix or ``HeteroData`` is
            refused with the PyG conversion to use.
        num_nodes (int, optional): ``N`` of graphs given as a tuple
            ``(edge_index, edge_weight)`` (a ``Data`` has its own: another is
            refused). (default: :obj:`None`, the largest index + 1)
        labels (torch.Tensor or numpy.ndarray, optional): ``[N]`` node labels;
            the default order then groups the nodes by label, ticked by class.
            (default: :obj:`None`; for a ``Data``, ``data.y`` when it holds
            one label per node)
        label_names (Sequence[str] or dict, optional): names of the classes,
            indexed by label (tick labels); a negative label (unlabelled)
            keeps its id. (default: :obj:`None`: for a ``Data`` ordered by
            ``data.y``, its ``class_names`` where it keeps them, ``-1`` as
            unlabelled, else the labels)
        order (str or Sequence[int], optional): :obj:`"label"`,
            :obj:`"time"` or an explicit permutation of the nodes (position
            ``i`` shows node ``order[i]``). (default: :obj:`None`, by label if
            there are labels, else by time)
        time (torch.Tensor or numpy.ndarray, optional): ``[N]`` time stamps
            by which ``order="time"`` (the default without labels) orders the
            nodes; another order does not read it, but it is checked all the
            same (one entry per node). (default: :obj:`None`, index order)
        k (int, optional): neighbours per node of the cosine relation graphs
            built here from a ``MultiSourceData``'s ``x_<source>`` (sources
            without a stored ``edge_index_<source>``). (default: :obj:`10`)
        shared_scale (bool, optional): one colour scale and colour bar for
            all panels; :obj:`False`: one per panel. (default: :obj:`True`)
        cmap (str or matplotlib.colors.Colormap, optional): colour map.
            (default: :obj:`None`, :obj:`"viridis"`, or :obj:`"RdBu_r"` with
            a scale symmetric about zero as soon as a negative entry is drawn
            on that scale)
        show_diagonal (bool, optional): draw the diagonal (self loops);
            :obj:`False` draws it as 0 and leaves it out of the colour scale,
            for graphs whose self loops outweigh every other entry (normalised
            powers, fused graphs with :math:`p = 0` terms).
            (default: :obj:`True`)
        robust (bool, optional): end the colour scale at the 99th percentile
            of the non-zero magnitudes instead of the maximum (larger entries
            saturate, the colour bar says so), so that a few strong entries do
            not wash out the rest. (default: :obj:`False`)
        ncols (int, optional): panels per row of a new figure (clipped to
            ``[1, len(graphs)]``). (default: :obj:`None`, all panels in one
            row up to 4, then further rows of 4)
        title (str, optional): the figure's title, above the panels: what
            the graphs are and on which data. (default: :obj:`None`, none)
        ax (matplotlib.axes.Axes or Sequence[matplotlib.axes.Axes], optional):
            one axes per panel, drawn into in place of a new figure.
            (default: :obj:`None`, a new figure)
        path (str or os.PathLike, optional): write the figure there: PNG, PDF
            or SVG by its suffix (none: PNG, ``.png`` added).
            (default: :obj:`None`, not written)

    Returns:
        matplotlib.figure.Figure: the figure; panel ``i``'s image holds the
        reordered adjacency ``adj[perm][:, perm]``; above 256 nodes, a panel
        is too few pixels wide for one cell per node, and each cell shows
        the entry of largest magnitude of a block of ``b x b`` nodes (the
        x label says ``b``), so that no edge vanishes from the picture.
    """
    check_label_names(label_names)
    for flag, value in (("shared_scale", shared_scale), ("show_diagonal", show_diagonal),
                        ("robust", robust)):
        check_flag(flag, value)
    if ncols is not None and not is_int(ncols):
        # int() read "x" as "invalid literal for int()" and 2.7 as 2
        raise TypeError(f"ncols must be an int or None, got {ncols!r}")
    groups = graph_groups(graphs)  # each graph of a batch stays one block
    if is_data(graphs):
        data = graphs
        y = data.get("y")
        graphs = {}
        for s in source_names(data):
            # a stored graph is an edge list, pooled at any size; the cap
            # stands before a k-NN search of the features
            built = data.get(f"edge_index_{s}") is None
            ei, w, n = source_graph(data, s, k=k, max_nodes=MAX_DENSE_NODES if built else None)
            graphs[f"$R_{{{tex_name(s)}}}$"] = (ei, w, n)
        if not graphs:  # a plain PyG Data / Batch: its own edge_index
            graphs[""] = plain_graph(data)
        check_own_nodes(num_nodes, next(iter(graphs.values()))[2], type(data).__name__)
        # node labels only: a video's y is one label for the whole graph
        if labels is None and isinstance(y, Tensor) and y.dim() == 1 and \
                graphs and y.numel() == next(iter(graphs.values()))[2]:
            labels = y
            label_names = data_class_names(data, label_names)
    if isinstance(graphs, (list, tuple)) and any(_is_graph(g) for g in graphs):
        # read as one (edge_index, edge_weight) pair, it failed inside numpy
        raise TypeError(f"graphs is a {type(graphs).__name__} of graphs: give several "
                        f"graphs as a dict {{panel title: graph}}, e.g. dict(zip(titles, "
                        f"graphs))")
    if not isinstance(graphs, dict):
        graphs = {"": graphs}
    if not graphs:
        raise ValueError("graphs is empty: give at least one graph")
    mats = {name: graph_matrix(f"graphs[{name!r}]" if name else "graphs", g, num_nodes)
            for name, g in graphs.items()}
    sizes = {m.shape[0] for m in mats.values()}
    if len(sizes) != 1:
        raise ValueError(f"all graphs must have the same number of nodes, got "
                         f"{ {name: m.shape[0] for name, m in mats.items()} }")
    n = sizes.pop()
    if groups is not None and len(groups) != n:
        groups = None  # a batch vector of other units than the graphs' nodes
    perm, sorted_labels = order_nodes(n, labels=labels, time=time, order=order, groups=groups)
    for name, m in mats.items():
        if isinstance(m, EdgeMatrix):  # relabelled: no [N, N] matrix
            m = m.permuted(perm)
            mats[name] = m if show_diagonal else m.without_diagonal()
            continue
        # read in the order perm as it is pooled: no reordered [N, N] copy,
        # and the caller's array is never written
        mats[name] = Reordered(m, perm, show_diagonal)

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

    values = {name: entries(m) for name, m in mats.items()}
    signed_all = any((v < 0).any() for v in values.values())
    norm_all = _norm(list(values.values()), signed_all, robust)
    images = []
    for a, (name, m) in zip(axes, mats.items()):
        signed = signed_all if shared_scale else bool((values[name] < 0).any())
        norm = norm_all if shared_scale else _norm([values[name]], signed, robust)
        im, block = show_matrix(a, m, cmap=cmap or ("RdBu_r" if signed else "viridis"),
                                norm=norm, aspect="equal")
        images.append(im)
        a.set_title(fit_lines(name, axes_width(a), 10), fontsize=10)
        if sorted_labels is not None and not _explicit(order):
            label_ticks(a, sorted_labels, names=label_names)
            how = "by label"
        else:
            node_ticks(a, perm)
            how = "time order" if not _explicit(order) else "in the order given"
        if groups is not None and not _explicit(order):
            how = f"by graph, then {'label' if how == 'by label' else 'time'}"
        matrix_labels(a, how, block)
        if not shared_scale:
            fig.colorbar(im, ax=a, shrink=0.8, label="edge weight", extend="both" if robust and signed
                         else "max" if robust else "neither")
    if shared_scale:
        fig.colorbar(images[0], ax=axes[:num], shrink=0.8, label="edge weight",
                     extend="both" if robust and signed_all else "max" if robust
                     else "neither")
    if title is not None:
        fig.suptitle(fit_lines(title, fig.get_figwidth(), 11), fontsize=11)
    return finish(fig, path)


def _is_graph(g) -> bool:
    # a Data, a FusedGraph, an (edge_index [2, E], edge_weight) pair or a
    # square [N, N] matrix (N != 2, which no edge_index has): never part of
    # one graph's pair (a [2, E] edge_index may be a list of two rows)
    return is_data(g) or is_fused_graph(g) or (
        isinstance(g, (tuple, list)) and len(g) in (2, 3) and
        isinstance(g[0], (Tensor, np.ndarray)) and g[0].ndim == 2) or (
        isinstance(g, (Tensor, np.ndarray)) and g.ndim == 2 and
        g.shape[0] == g.shape[1] != 2)


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
