"""The graph power expansion R_m^0 .. R_m^P of each source, as a grid."""
from __future__ import annotations

import numpy as np
import torch
from torch import Tensor

from matplotlib.colors import Normalize

from ._common import (CHAR_EM, MAX_DENSE_NODES, axes_width, check_graph, check_node_count,
                      closes_on_error, finish, new_grid, shorten_all,
                      tex_name, to_numpy)
from ._matrix import EdgeMatrix, Reordered, entries, matrix_labels, permuted_all, show_matrix
from ._node_order import label_ticks, order_nodes
from ._values import check_label_names
from ._pyg_objects import is_data

SCALES = ("panel", "row", "shared")


@closes_on_error
def plot_power_expansion(powers, *, num_nodes=None, labels=None, label_names=None,
                         order=None, scale="panel", cmap=None, ax=None, path=None):
    r"""Draws the powers :math:`R_m^0 = I, R_m^1, \dots, R_m^P` of each
    source's (normalised) relation graph: one row per source, one column per
    power (entry ``[i, j]`` of a panel: the edge ``j -> i``; above 256 nodes
    a cell shows the largest entry of a block of nodes, see
    :func:`plot_adjacency`), as produced by :func:`pyg_fusion.functional.dense_graph_powers` or
    :func:`pyg_fusion.functional.graph_powers`.

    Args:
        powers (dict, torch.Tensor, numpy.ndarray or tuple): a dict
            ``{source: powers}`` (or one ``powers`` alone, drawn as source
            ``m``), where ``powers`` is a dense ``[P+1, N, N]`` tensor / array
            (a leading batch dimension of 1 is dropped; or a list of its
            ``P+1`` ``[N, N]`` matrices) or a sparse tuple
            ``(edge_index, edge_attr [E, P+1])``, optionally with
            ``num_nodes`` third. Sources may have different ``P``; dense
            powers of at most 8192 nodes, sparse ones of any number (each
            panel is pooled from the entries, never an ``[N, N]`` array).
        num_nodes (int, optional): ``N`` of sparse powers given without it.
            (default: :obj:`None`, the largest index + 1)
        labels (torch.Tensor or numpy.ndarray, optional): ``[N]`` node
            labels; the default order then groups the nodes by label, ticked
            by class. (default: :obj:`None`)
        label_names (Sequence[str] or dict, optional): names of the classes,
            indexed by label. (default: :obj:`None`, the labels)
        order (str or Sequence[int], optional): :obj:`"label"`,
            :obj:`"time"` (index order) or an explicit permutation of the
            nodes (see :func:`plot_adjacency`). (default: :obj:`None`, by
            label if there are labels, else index order)
        scale (str, optional): colour scale per :obj:`"panel"` (higher powers
            spread their mass and would fade on a common scale), per
            :obj:`"row"` (source) or :obj:`"shared"` by all panels.
            (default: :obj:`"panel"`)
        cmap (str or matplotlib.colors.Colormap, optional): colour map.
            (default: :obj:`None`, :obj:`"viridis"`, or :obj:`"RdBu_r"` for a
            scale holding negative values)
        ax (Sequence[matplotlib.axes.Axes], optional): ``sources x (P_max +
            1)`` axes, drawn into without setting their figure's title.
            (default: :obj:`None`, a new figure, titled)
        path (str or os.PathLike, optional): write the figure there: PNG, PDF
            or SVG by its suffix (none: PNG, ``.png`` added).
            (default: :obj:`None`, not written)

    Returns:
        matplotlib.figure.Figure: the figure: one row of panels per source,
        in the order of ``powers``, the panel in column ``p`` its
        :math:`R_m^p`.
    """
    check_label_names(label_names)
    if scale not in SCALES:
        raise ValueError(f"scale must be one of {SCALES}, got {scale!r}")
    if not isinstance(powers, dict):
        powers = {"m": powers}
    if not powers:
        raise ValueError("powers is empty: give at least one source")
    stacks = {name: _dense_powers(name, p, num_nodes) for name, p in powers.items()}
    sizes = {s[0].shape[0] for s in stacks.values()}
    if len(sizes) != 1:
        raise ValueError(f"all sources must have the same number of nodes, got "
                         f"{ {k: s[0].shape[0] for k, s in stacks.items()} }")
    n = sizes.pop()
    perm, sorted_labels = order_nodes(n, labels=labels, order=order)
    ncols = max(len(s) for s in stacks.values())
    nrows = len(stacks)
    fig, axes = new_grid(ax, nrows, ncols, panel_size=(2.6, 2.5),
                         layout="compressed")

    everything = [entries(m) for s in stacks.values() for m in s]
    # a source's name is a subscript (some 0.7 of the title's size) that a
    # long one ran out of its panel, into the next panel's
    fit = int(axes_width(axes[0, 0]) * 72 / (CHAR_EM * 10 * 0.7)) - 3
    shown = dict(zip(stacks, shorten_all(stacks, max(8, fit))))
    for r, (name, stack) in enumerate(stacks.items()):
        stack = permuted_all(stack, perm) if isinstance(stack[0], EdgeMatrix) else \
            [Reordered(m, perm) for m in stack]  # no reordered [N, N] copies
        row_norm = _norm([entries(m) for m in stack]) if scale == "row" else None
        shared_norm = _norm(everything) if scale == "shared" else None
        im = None
        for p in range(ncols):
            a = axes[r, p]
            if p >= len(stack):
                a.set_axis_off()
                continue
            norm = shared_norm or row_norm or _norm([entries(stack[p])])
            im, block = show_matrix(a, stack[p], norm=norm,
                                    cmap=cmap or ("RdBu_r" if norm.vmin < 0 else "viridis"))
            a.set_title(f"$R_{{{tex_name(shown[name])}}}^{{{p}}}$", fontsize=10)
            if sorted_labels is not None and (order is None or isinstance(order, str)):
                label_ticks(a, sorted_labels, names=label_names)
            else:
                a.set_xticks([])
                a.set_yticks([])
            # rows are targets, columns sources: said once per row and column
            matrix_labels(a, "", block, x=r == nrows - 1 or p >= _length(stacks, r + 1),
                          y=p == 0, width=axes_width(a))
            if scale == "panel":
                fig.colorbar(im, ax=a, shrink=0.75).ax.tick_params(labelsize=6)
        if scale == "row" and im is not None:
            fig.colorbar(im, ax=list(axes[r]), shrink=0.75)
    if scale == "shared":
        fig.colorbar(im, ax=list(axes.ravel()), shrink=0.75)
    if ax is None:  # a caller's figure keeps its own title
        fig.suptitle("graph power expansion $R_m^p$ (p = 0 is the identity)", fontsize=11)
    return finish(fig, path)


def _length(stacks, row) -> int:
    # the number of powers of the source drawn in row ``row`` (0 past the last)
    rows = list(stacks.values())
    return len(rows[row]) if row < len(rows) else 0


def _dense_powers(name, p, num_nodes) -> list:
    # R^0 .. R^P: an EdgeMatrix each of an edge list, else views of the
    # dense [P+1, N, N] array
    label = f"powers[{name!r}]"
    if is_data(p):
        raise TypeError(f"{label} is a PyG {type(p).__name__}, a graph: this figure draws a "
                        f"graph's powers, e.g. pyg_fusion.functional.graph_powers(data."
                        f"edge_index, edge_weight, data.num_nodes, P) (edge_index, edge_attr "
                        f"[E, P+1]) or dense_graph_powers(adj, P) [P+1, N, N]")
    if isinstance(p, (tuple, list)) and len(p) in (2, 3) and not _dense_list(p):
        n = p[2] if len(p) == 3 else num_nodes
        attr = to_numpy(f"{label} edge_attr", p[1], dims=(1, 2))
        if attr.ndim == 1:
            attr = attr[:, None]
        if attr.shape[1] == 0:  # no column: an IndexError at the first one
            raise ValueError(f"{label} holds no power: its edge_attr must be [E, P+1] "
                             f"with P >= 0, got {tuple(attr.shape)}")
        ei, _, n = check_graph(p[0], attr[:, 0], n, f"{label} edge_attr", f"{label} edge_index")
        check_node_count(label, n)  # any N: each panel is pooled from the entries
        return EdgeMatrix.columns_of_edges(ei, attr, n)
    if hasattr(p, "shape") and len(p.shape) in (3, 4):
        # refused before the float64 copy (4 x 9000 x 9000: 2.6 GB more)
        check_node_count(label, p.shape[-1], MAX_DENSE_NODES)
    arr = to_numpy(label, p.detach() if isinstance(p, Tensor) else p, dims=(3, 4))
    if arr.ndim == 4:
        if arr.shape[0] != 1:
            raise ValueError(f"{label} must be one graph's powers [P+1, N, N], got a "
                             f"batch of {arr.shape[0]} (index one graph first)")
        arr = arr[0]
    if arr.shape[1] != arr.shape[2]:
        raise ValueError(f"{label} must have shape [P+1, N, N], got {tuple(arr.shape)}")
    if arr.shape[0] == 0:  # else a figure of no panel
        raise ValueError(f"{label} holds no power: expected [P+1, N, N] with P >= 0, "
                         f"got {tuple(arr.shape)}")
    check_node_count(label, arr.shape[1], MAX_DENSE_NODES)
    return list(arr)


def _dense_list(p) -> bool:
    # Two or three [N, N] matrices are powers R^0 .. R^P, as four or more are,
    # not an (edge_index, edge_attr) pair; [2, 2] ones are an edge list when
    # the first holds integers, as an edge_index does.
    shapes = {tuple(np.shape(x)) for x in p}
    if len(shapes) != 1 or len(next(iter(shapes))) != 2:
        return False
    rows, cols = next(iter(shapes))
    kind = p[0].dtype if hasattr(p[0], "dtype") else np.asarray(p[0]).dtype
    integer = not (kind.is_floating_point if isinstance(kind, torch.dtype)
                   else np.issubdtype(kind, np.floating))
    return rows == cols and not (rows == 2 and integer)


def _norm(mats) -> Normalize:
    lo = min(float(m.min()) for m in mats)
    hi = max(float(m.max()) for m in mats)
    if lo < 0:
        v = max(abs(lo), abs(hi)) or 1.0
        return Normalize(-v, v)
    return Normalize(0.0, hi if hi > 0 else 1.0)
