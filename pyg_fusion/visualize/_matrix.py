"""Heatmaps of [N, N] graphs: the picture of a matrix at any N, and its axis
labels in PyG's edge convention."""
from __future__ import annotations

import numpy as np
import torch
from matplotlib.axes import Axes
from matplotlib.ticker import FuncFormatter, Locator

# A heatmap panel is a few hundred pixels wide: drawn one cell per node, a
# larger graph is resampled and most single-entry rows vanish from the picture.
MAX_CELLS = 256


class EdgeMatrix:
    """An ``[N, N]`` matrix held as the entries an edge list sets: ``[i, j]``
    the summed weights of the edges ``j -> i`` (as
    :func:`~pyg_fusion.functional.edges_to_dense` sums them), every other
    entry 0. A heatmap is pooled from it without the dense matrix (0.5 GiB in
    float64 at 8192 nodes): memory O(E + pixels)."""

    def __init__(self, row: np.ndarray, col: np.ndarray, value: np.ndarray, n: int):
        self.row, self.col, self.value, self.shape = row, col, value, (n, n)

    @classmethod
    def of_edges(cls, ei: np.ndarray, w: np.ndarray, n: int) -> "EdgeMatrix":
        """Of a checked edge list ``[2, E]`` (source, target) and ``[E]``
        weights: duplicates summed in edge order by a scatter-add, as
        PyG's ``to_dense_adj`` sums them for the dense picture."""
        return cls.columns_of_edges(ei, w[:, None], n)[0]

    @classmethod
    def columns_of_edges(cls, ei: np.ndarray, w: np.ndarray, n: int) -> list:
        """One matrix per column of ``w`` ``[E, C]`` (a graph's powers), as
        :meth:`of_edges`, sharing one pattern of the edges, made once."""
        uniq, inv = np.unique(ei[1] * n + ei[0], return_inverse=True)
        inv = torch.from_numpy(inv.reshape(-1))
        row, col = uniq // n, uniq % n
        w = torch.tensor(w)  # a copy: from_numpy warns on a read-only array
        return [cls(row, col, torch.zeros(len(uniq), dtype=w.dtype).scatter_add_(
            0, inv, w[:, c]).numpy(), n) for c in range(w.shape[1])]

    def permuted(self, perm: np.ndarray) -> "EdgeMatrix":
        """``m[perm][:, perm]``: position ``i`` shows node ``perm[i]``."""
        return permuted_all([self], perm)[0]

    def without_diagonal(self) -> "EdgeMatrix":
        value = np.where(self.row == self.col, 0, self.value).astype(self.value.dtype)
        return EdgeMatrix(self.row, self.col, value, self.shape[0])

    def entries(self) -> np.ndarray:
        """The matrix's values as a multiset (its set entries, and one 0
        where any entry is unset): what its min, max and percentiles read."""
        n = self.shape[0]
        if len(self.value) == n * n:
            return self.value
        return np.concatenate([self.value, np.zeros(1, dtype=self.value.dtype)])

    def dense(self) -> np.ndarray:
        out = np.zeros(self.shape, dtype=self.value.dtype)
        out[self.row, self.col] = self.value
        return out


class Reordered:
    """A dense ``[N, N]`` array shown in the order ``perm`` (position ``i``
    shows node ``perm[i]``), its diagonal drawn as 0 unless ``diagonal``:
    pooled block row by block row, so that no reordered ``[N, N]`` copy is
    made (0.5 GiB in float64 at 8192 nodes, one per panel and power) and the
    caller's array is never written."""

    def __init__(self, arr: np.ndarray, perm: np.ndarray, diagonal: bool = True):
        self.arr, self.perm, self.diagonal, self.shape = arr, perm, diagonal, arr.shape

    def rows(self, lo: int, hi: int) -> np.ndarray:
        """Rows ``lo:hi`` of the reordered matrix (a copy of those rows)."""
        out = self.arr[self.perm[lo:hi]][:, self.perm]
        if not self.diagonal:  # a permutation keeps the diagonal the diagonal
            i = np.arange(out.shape[0])
            out[i, lo + i] = 0.0
        return out

    def dense(self) -> np.ndarray:
        return self.rows(0, self.shape[0])

    def entries(self) -> np.ndarray:
        """The values as a multiset (the order is not read): the array itself
        when its diagonal is drawn, else its entries off the diagonal (a
        view of them, and the diagonal's zeros where the array is
        strided)."""
        n, arr = self.shape[0], self.arr
        if self.diagonal:
            return arr
        if n > 1 and arr.flags.c_contiguous:
            # between two diagonal entries lie the n off it: [n - 1, n + 1] rows
            return arr.reshape(-1)[1:].reshape(n - 1, n + 1)[:, :n]
        out = arr.copy()
        np.fill_diagonal(out, 0.0)
        return out


def permuted_all(mats: list, perm: np.ndarray) -> list:
    """:meth:`EdgeMatrix.permuted` of each of ``mats``, each pattern moved
    once (the powers of :meth:`EdgeMatrix.columns_of_edges` share one)."""
    at = np.empty(len(perm), dtype=np.int64)
    at[perm] = np.arange(len(perm))
    moved = {}
    for m in mats:
        if id(m.row) not in moved:
            moved[id(m.row)] = (m.row, at[m.row], at[m.col])  # row held: its id stays its own
    return [EdgeMatrix(*moved[id(m.row)][1:], m.value, m.shape[0]) for m in mats]


def entries(m) -> np.ndarray:
    """The values of a dense matrix or an :class:`EdgeMatrix` (min, max,
    signs and percentiles of a colour scale)."""
    return m.entries() if isinstance(m, (EdgeMatrix, Reordered)) else m


def pooled(m, cells: int = MAX_CELLS) -> tuple[np.ndarray, int]:
    """``m`` [N, N] (dense or an :class:`EdgeMatrix`) as at most ``cells`` x
    ``cells`` blocks, each showing its entry of largest magnitude (with its
    sign; the first in row-major order within the block on a tie), so that
    every non-zero entry stays visible. Returns ``(image, block)``; ``block``
    is 1 (``m`` itself) when ``N <= cells``."""
    n = m.shape[0]
    if n <= cells:
        return (m.dense() if isinstance(m, (EdgeMatrix, Reordered)) else m), 1
    b = -(-n // cells)
    nb = -(-n // b)
    if isinstance(m, EdgeMatrix):
        keep = m.value != 0
        r, c, v = m.row[keep], m.col[keep], m.value[keep]
        block = torch.from_numpy((r // b) * nb + c // b)
        # per block, the largest magnitude, then the first of the entries
        # that reach it: two scatters, O(E) (a sort of the entries took 5 s
        # per panel at 7.7M entries)
        mag = torch.from_numpy(np.abs(v).astype(np.float64))
        top = mag == torch.zeros(nb * nb, dtype=mag.dtype).scatter_reduce_(
            0, block, mag, "amax")[block]
        at = torch.from_numpy((r % b) * b + c % b)
        first = torch.full((nb * nb, ), b * b, dtype=at.dtype).scatter_reduce_(
            0, block[top], at[top], "amin")
        pick = (top & (at == first[block])).numpy()
        out = np.zeros(nb * nb)
        out[block.numpy()[pick]] = v[pick]
        return out.reshape(nb, nb), b
    out = np.zeros((nb, nb))
    cols = np.zeros((b, nb * b))
    for r in range(nb):  # block row by block row: no second [N, N] copy
        rows = m.rows(r * b, (r + 1) * b) if isinstance(m, Reordered) else \
            m[r * b:(r + 1) * b]
        cols[:] = 0.0
        cols[:rows.shape[0], :n] = rows
        blocks = cols.reshape(b, nb, b).transpose(1, 0, 2).reshape(nb, b * b)
        pick = np.abs(blocks).argmax(axis=1)
        out[r] = blocks[np.arange(nb), pick]
    return out, b


def show_matrix(ax: Axes, m: np.ndarray, **kwargs):
    """``ax.imshow`` of the [N, N] matrix ``m`` (dense or an
    :class:`EdgeMatrix`; pooled above
    :data:`MAX_CELLS` nodes), in node coordinates: cell ``(i, j)`` at
    ``x = j, y = i`` whatever the pooling. Returns ``(image, block)``."""
    img, b = pooled(m)
    n = m.shape[0]
    side = img.shape[0] * b - 0.5
    im = ax.imshow(img, extent=(-0.5, side, side, -0.5), interpolation="nearest",
                   **kwargs)
    ax.set_xlim(-0.5, n - 0.5)
    ax.set_ylim(n - 0.5, -0.5)
    return im, b


def matrix_labels(ax: Axes, how: str = "", block: int = 1, *, x: bool = True,
                  y: bool = True, width: float | None = None) -> None:
    """Axis labels of an adjacency panel, in PyG's convention: entry
    ``[i, j]`` is the edge ``j -> i``, so rows are targets, columns sources;
    ``width``: the inches the x label may take (a narrow panel's ran into
    its neighbour's), else one line per fact."""
    from ._text import fit_lines
    how = f" ({how})" if how else ""
    if x:
        note = f"\neach cell: largest |w| of {block} x {block} nodes" if block > 1 else ""
        text = f"source node j{how}{note}"
        if width is not None:  # "b x b" kept on one line (no-break spaces)
            text = fit_lines(text.replace(f"{block} x {block}", f"{block}\u00a0x\u00a0{block}"),
                             width, 8)
        ax.set_xlabel(text, fontsize=8)
    if y:
        ax.set_ylabel("target node i", fontsize=8)


class _Spaced(Locator):
    """The tick positions ``centres`` thinned, when the axis is drawn, so that
    each labelled tick is a text's room from the last one kept (first come
    first kept): 25 classes or more, or small classes side by side, put
    labels of 7 pt over each other. Measured on the axes as laid out."""

    def __init__(self, centres, room):
        self.centres, self.room = np.asarray(centres, dtype=float), room

    def __call__(self):
        ax = self.axis.axes
        ext = ax.get_window_extent()
        length = ext.width if self.axis is ax.xaxis else ext.height
        lo, hi = self.axis.get_view_interval()
        gap = abs(hi - lo) * self.room * ax.figure.dpi / 72 / max(length, 1.0)
        kept, last = [], -np.inf
        for c in self.centres:
            if c - last >= gap:
                kept.append(c)
                last = c
        return kept


def spaced_ticks(axis, centres, text, rotation: float, size: float = 7) -> None:
    """Ticks at ``centres`` labelled ``text`` (styled by the caller's
    ``set_ticks``), of which only those a label's room apart are drawn: a
    text line (``size`` pt) across a label rotated by 90 degrees or stacked on
    the y axis, that over sin(45) at 45 degrees, the longest label's width
    flat."""
    if rotation == 90:
        room = size * 1.05
    elif rotation:
        room = size * 1.05 / np.sin(np.radians(rotation))
    else:
        room = 0.62 * size * max(map(len, text)) + 3
    names = {float(c): t for c, t in zip(centres, text)}
    axis.set_major_locator(_Spaced(centres, room))
    axis.set_major_formatter(FuncFormatter(lambda x, _: names.get(float(x), "")))
