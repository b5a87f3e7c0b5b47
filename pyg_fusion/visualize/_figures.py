"""Figures for every plot of :mod:`pyg_fusion.visualize`: the pyplot figure and
axes a plot draws in (made or given), and the file it is written to."""
from __future__ import annotations

import errno
import functools
import os
import tempfile
from pathlib import Path

import numpy as np

from matplotlib.axes import Axes
from matplotlib.figure import Figure

from .._files import FORMATS, existing_ancestor, save_figure
from ._values import check_once


def pyplot():
    """:mod:`matplotlib.pyplot`, imported by the first figure, not by importing
    the library: importing pyplot is the user's choice, made before they pick
    a backend (``matplotlib.use``), and a cost for those who draw nothing."""
    import matplotlib.pyplot as plt
    return plt


def made_figure(figsize, layout: str = "constrained") -> Figure:
    """A new pyplot figure for a plot given no ``ax``: :func:`finish` closes
    it once saved.

    Args:
        figsize (tuple[float, float]): width and height in inches.
        layout (str, optional): matplotlib's layout engine.
            (default: :obj:`"constrained"`)
    """
    fig = pyplot().figure(figsize=figsize, layout=layout)
    fig._pyg_fusion_made = True
    return fig


def new_figure(ax: Axes | None, *, figsize=(6, 5), projection: str | None = None
               ) -> tuple[Figure, Axes]:
    """The given axes and its figure, or a new figure with one axes.

    Args:
        ax (matplotlib.axes.Axes or None): the axes to draw in; :obj:`None`:
            a new figure.
        figsize (tuple[float, float], optional): the new figure's size in
            inches. (default: :obj:`(6, 5)`)
        projection (str, optional): the new axes' projection (``"3d"``).
            (default: :obj:`None`)
    """
    if ax is not None:
        if not isinstance(ax, Axes):
            raise TypeError(f"ax must be a matplotlib Axes, got {type(ax).__name__}")
        return ax.figure, ax
    fig = made_figure(figsize)
    return fig, fig.add_subplot(projection=projection)


def new_grid(ax, nrows: int, ncols: int, *, panel_size=(3.2, 3.0),
             projection: str | None = None, layout: str = "constrained") -> tuple[Figure, np.ndarray]:
    """``nrows x ncols`` axes: the given sequence of axes (which must hold
    exactly that many) or a new figure. Returns ``(fig, axes[nrows, ncols])``.

    Args:
        ax (sequence of matplotlib.axes.Axes or None): the panels' axes, row
            by row; :obj:`None`: a new figure.
        nrows (int): rows of panels.
        ncols (int): columns of panels.
        panel_size (tuple[float, float], optional): a panel's size in inches in
            a new figure. (default: :obj:`(3.2, 3.0)`)
        projection (str, optional): the new axes' projection.
            (default: :obj:`None`)
        layout (str, optional): the new figure's layout engine.
            (default: :obj:`"constrained"`)
    """
    n = nrows * ncols
    if ax is not None:
        axes = np.atleast_1d(np.asarray(ax, dtype=object)).ravel()
        foreign = sorted({type(a).__name__ for a in axes if not isinstance(a, Axes)})
        if len(axes) != n or foreign:  # "got 1" for ax="left" named no fault
            raise ValueError(f"ax must be {n} matplotlib Axes for this figure "
                             f"({nrows} x {ncols} panels), got "
                             f"{foreign[0] if foreign else len(axes)}")
        # one Axes given twice took two panels, the second drawn over the first
        check_once("ax", axes, "give each panel its own Axes")
        return axes[0].figure, axes.reshape(nrows, ncols)
    fig = made_figure((panel_size[0] * ncols, panel_size[1] * nrows), layout)
    axes = np.empty((nrows, ncols), dtype=object)
    for i in range(nrows):
        for j in range(ncols):
            axes[i, j] = fig.add_subplot(nrows, ncols, i * ncols + j + 1,
                                         projection=projection)
    return fig, axes


def closes_on_error(fn):
    """A plotting function that closes the pyplot figures it opened when it
    fails (bad input found after the figure was made, a path it cannot
    write): a loop over many inputs would otherwise pile them up. A ``path``
    it could not write as a figure (a folder, a ``.jpg``) is refused first,
    not after a drawing of many seconds.

    Args:
        fn (callable): the plotting function (its ``path`` a keyword).
    """
    @functools.wraps(fn)
    def wrapper(*args, **kwargs):
        if kwargs.get("path") is not None:
            _check_writable(figure_path(kwargs["path"])[0])
        plt = pyplot()
        before = set(plt.get_fignums())
        try:
            return fn(*args, **kwargs)
        except BaseException:
            for num in set(plt.get_fignums()) - before:
                plt.close(num)
            raise
    return wrapper


def _check_writable(path: Path) -> None:
    """Refuses ``path`` whose folder cannot be made or written, before the drawing."""
    parent = existing_ancestor(path)
    try:
        if not os.path.isdir(parent):
            raise NotADirectoryError(errno.ENOTDIR, "a file, not a folder")
        tempfile.TemporaryFile(dir=parent).close()
    except OSError as exc:
        raise type(exc)(f"path {str(path)!r} cannot be written: {parent}: "
                        f"{exc.strerror or exc}") from None


def figure_path(path: str | os.PathLike) -> tuple[Path, str]:
    """The file a figure is written to for ``path``, and its format: PNG, or
    PDF / SVG by the suffix (none: PNG, ``.png`` added).

    Args:
        path (str or os.PathLike): the path the user gave.
    """
    if not isinstance(path, (str, os.PathLike)):  # pathlib's TypeError named no argument
        raise TypeError(f"path must be a str or os.PathLike, got {type(path).__name__}")
    if not os.fspath(path).strip():  # Path("") is ".": "path '.' is a folder"
        raise ValueError(f"path is empty ({path!r}): expected a {', '.join(FORMATS)} file path")
    path = Path(path)
    if path.is_dir():  # else it became a file <folder>.png beside it
        raise IsADirectoryError(f"path {str(path)!r} is a folder; expected a "
                                f"{', '.join(FORMATS)} file path")
    # pathlib reads neither as a suffix, so ".png" was added to them: a name
    # that is a suffix alone ("figs/.png" wrote "figs/.png.png") and one that
    # ends with a dot ("x.svg." wrote a PNG "x.svg..png")
    if path.name.lower() in FORMATS:
        raise ValueError(f"path {str(path)!r} is a suffix without a file name: expected "
                         f"e.g. {str(path.with_name('figure' + path.name))!r}")
    if path.name.endswith("."):
        raise ValueError(f"path {str(path)!r} ends with a dot: expected a "
                         f"{', '.join(FORMATS)} file path (or a name without a suffix: PNG)")
    suffix = path.suffix.lower()
    if suffix not in ("", *FORMATS):
        raise ValueError(f"path must name a {', '.join(FORMATS)} file, got "
                         f"{str(path)!r}")
    return (path if suffix else path.with_suffix(".png")), suffix[1:] or "png"


def finish(fig: Figure, path: str | os.PathLike | None, *, dpi: int = 110
           ) -> Figure:
    """Writes ``fig`` to ``path`` (atomically, see
    :func:`pyg_fusion._files.atomic_write`) when a path is given: PNG, or PDF /
    SVG by the suffix (none: PNG, ``.png`` added), at ``dpi`` unless the
    user's ``rcParams["savefig.dpi"]`` sets a number; returns ``fig``.
    A figure that the plotting function made itself (no ``ax`` given) is then
    closed in pyplot, so that saving many plots keeps no figure open: it stays
    a usable :class:`~matplotlib.figure.Figure`, but ``plt.show()`` no longer
    lists it. Without ``path`` it stays open, for ``plt.show()``.

    Args:
        fig (matplotlib.figure.Figure): the drawn figure.
        path (str or os.PathLike or None): where to write it; :obj:`None`:
            nowhere.
        dpi (int, optional): the resolution of a PNG. (default: :obj:`110`)
    """
    if path is not None:
        path, fmt = figure_path(path)
        save_figure(fig, path, dpi=dpi, format=fmt)
        if getattr(fig, "_pyg_fusion_made", False):
            pyplot().close(fig)
    return fig
