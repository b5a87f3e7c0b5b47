"""The display order of a graph's nodes in a matrix figure (by label, by
time or a given permutation, each graph of a batch one block) and the ticks
that name what each position shows: a node, or a block of equal labels."""
from __future__ import annotations

import numpy as np
from torch import Tensor

from matplotlib.axes import Axes

from ._common import per_node, shorten_all
from ._matrix import spaced_ticks
from ._values import class_name


def order_nodes(num_nodes: int, *, labels=None, time=None, order=None, groups=None
                ) -> tuple[np.ndarray, np.ndarray | None]:
    """The display order of the nodes: ``order`` may be ``None`` (labels if
    given, else index order), ``"label"``, ``"time"`` or an explicit
    permutation. ``groups``: the graph of each node (a ``Batch``'s ``batch``),
    by which ``"label"`` and ``"time"`` order first, so that each graph stays
    one block. Returns ``(perm, labels_in_that_order or None)``."""
    lab = per_node("labels", labels, num_nodes)
    # checked whatever the order: another graph's time stamps beside a label
    # or explicit order were taken silently
    t = per_node("time", time, num_nodes)
    if order is None:
        order = "label" if lab is not None else "time"
    if isinstance(order, str):
        if order == "label":
            if lab is None:
                raise ValueError("order='label' needs labels")
            perm = sort_within(lab, groups)
        elif order == "time":
            perm = np.arange(num_nodes) if t is None else sort_within(t, groups)
        else:
            raise ValueError(f"order must be None, 'label', 'time' or a "
                             f"permutation, got {order!r}")
    else:
        perm = np.asarray(order.detach().cpu() if isinstance(order, Tensor) else order)
        if perm.shape != (num_nodes, ) or not np.array_equal(np.sort(perm),
                                                             np.arange(num_nodes)):
            raise ValueError(f"order must be a permutation of range({num_nodes})")
        perm = perm.astype(np.int64)
    return perm, (lab[perm] if lab is not None else None)


def sort_within(key: np.ndarray, groups=None) -> np.ndarray:
    """The stable argsort of ``key`` (ties keep the index order), within
    each of ``groups`` (the graph of each node) in the groups' order."""
    if groups is None:
        return np.argsort(key, kind="stable")
    return np.lexsort((np.arange(len(key)), key, np.asarray(groups)))


def node_ticks(ax: Axes, perm) -> None:
    """Integer ticks on both axes of a matrix drawn in the order ``perm``
    (position ``i`` shows node ``perm[i]``), labelled with the node each
    position shows, none outside the matrix."""
    from matplotlib.ticker import FuncFormatter, MaxNLocator
    perm = np.asarray(perm)

    def node(x, _):
        i = int(round(x))
        return str(int(perm[i])) if abs(x - i) < 1e-6 and 0 <= i < perm.size else ""

    for axis in (ax.xaxis, ax.yaxis):
        axis.set_major_locator(MaxNLocator(integer=True, nbins=5))
        axis.set_major_formatter(FuncFormatter(node))
    ax.tick_params(labelsize=7)


def label_ticks(ax: Axes, sorted_labels: np.ndarray, *, names=None,
                axis: str = "both") -> None:
    """Ticks at the centre of each block of equal labels (labels already in
    display order), with thin lines at the block boundaries; a block too close
    to the previous labelled one to be read keeps its line but no label."""
    change = np.flatnonzero(np.diff(sorted_labels)) + 1
    starts = np.concatenate([[0], change])
    ends = np.concatenate([change, [len(sorted_labels)]])
    centres = (starts + ends - 1) / 2
    text = shorten_all([_label_text(sorted_labels[s], names) for s in starts])
    for b in change:
        if axis in ("both", "x"):
            ax.axvline(b - 0.5, color="white", lw=0.6, alpha=0.8)
        if axis in ("both", "y"):
            ax.axhline(b - 0.5, color="white", lw=0.6, alpha=0.8)
    if axis in ("both", "x"):
        # side by side, names longer than a digit or two would overlap
        tilt = len(text) > 1 and max(map(len, text)) * len(text) > 24
        steep = len(text) > 6  # at 45 degrees, many neighbours still overlap
        rotation = (90 if steep else 45) if tilt else 0
        ax.set_xticks(centres, text, fontsize=7, rotation=rotation,
                      ha="right" if tilt else "center",
                      va="center" if tilt and steep else "top", rotation_mode="anchor")
        spaced_ticks(ax.xaxis, centres, text, rotation)
    if axis in ("both", "y"):
        ax.set_yticks(centres, text, fontsize=7)
        spaced_ticks(ax.yaxis, centres, text, 90)  # y labels stack as lines


def _label_text(value, names) -> str:
    v = int(value) if float(value).is_integer() else value
    return str(class_name(names, v))
