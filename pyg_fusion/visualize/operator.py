"""The learned fusion operator A (or its CP factors) as signed heatmaps."""
from __future__ import annotations

import re

import numpy as np
import torch
from torch import Tensor

from matplotlib.colors import Normalize
from matplotlib.ticker import MaxNLocator

from ..functional._checks import check_names
from ._common import closes_on_error, finish, fit_lines, new_grid, tex_name, to_numpy
from ._values import check_flag, check_once

KINDS = ("auto", "pairwise", "cp")
# 200 panels (a [200, R, P+1] tensor taken for CP factors) made a figure 201
# inches tall and took a minute; a panel is ticked at every index up to 32
MAX_PANELS, MAX_TICKS = 64, 32

# Keys of a LEGOFusion's state_dict (a checkpoint's), never of an operator's
# dict: a source's name holds no '.', and the anchors are start_A / start_factors
_STATE_KEY = re.compile(r"(^|\.)(start_A|start_factors)|(^|\.)(A|factors)\.")


@closes_on_error
def plot_fusion_operator(A, *, kind="auto", names=None, annotate=None,
                         cmap="RdBu_r", title=None, ax=None, path=None):
    r"""Draws the learned fusion operator of LEGO fusion,

    .. math::
        G = \sum_{p=0}^{P} \sum_{q=0}^{Q} A[p, q] \,
            (R_a^p \odot R_b^q),

    as a signed heatmap with rows :math:`p` (powers of :math:`R_a`) and
    columns :math:`q` (powers of :math:`R_b`), one panel per source pair; or,
    for the CP operator :math:`G = \sum_r \prod_m \sum_p a[m, r, p] R_m^p`,
    one panel per source :math:`m` with rows :math:`r` and columns :math:`p`.
    All panels share one colour scale, symmetric about zero, so that colour
    alone tells the sign and the relative size of every entry.
    At most 64 panels are drawn (more: a ``ValueError``; draw a dict of some);
    a panel of more than 32 rows or columns is ticked at some of them.

    Args:
        A (torch.Tensor, numpy.ndarray, dict, list or torch.nn.Module): one
            ``[P+1, Q+1]`` tensor / array; a dict (or ``ParameterDict``)
            ``{"a|b": A_ab}`` of pairwise operators; CP factors as a list of
            ``[R, P_m+1]`` tensors, a ``[M, R, P+1]`` tensor or a dict
            ``{source: factor}`` whose keys hold no ``"|"``; or a ``LEGO`` /
            ``LEGOFusion`` module (its ``A``, shared ``A`` or CP ``factors``;
            the ``mode="full"`` operator as one panel over its first two
            sources per power of each further source).
        kind (str, optional): :obj:`"auto"` (dict keys that all hold
            ``"|"`` and 2-D arrays are pairwise; lists, other dicts and 3-D
            arrays are CP factors; a module's own mode), :obj:`"pairwise"` or
            :obj:`"cp"`. (default: :obj:`"auto"`)
        names (Sequence[str], optional): one name per panel: source pairs
            ``"a|b"`` (pairwise) or source names (CP), replacing the keys or
            the default numbering. (default: :obj:`None`)
        annotate (bool, optional): write each entry's value in its cell.
            (default: :obj:`None`, when a panel has at most 100 cells)
        cmap (str or matplotlib.colors.Colormap, optional): a diverging
            colour map. (default: :obj:`"RdBu_r"`)
        title (str, optional): the figure's title, above the panels: which
            model and data. (default: :obj:`None`, none)
        ax (matplotlib.axes.Axes or Sequence[matplotlib.axes.Axes], optional):
            one axes per panel. (default: :obj:`None`, a new figure)
        path (str or os.PathLike, optional): write the figure there: PNG, PDF
            or SVG by its suffix (none: PNG, ``.png`` added).
            (default: :obj:`None`, not written)

    Returns:
        matplotlib.figure.Figure: the figure; every panel's image has the
        colour limits ``(-v, v)`` with ``v = max |A|``.
    """
    if kind not in KINDS:
        raise ValueError(f"kind must be one of {KINDS}, got {kind!r}")
    check_flag("annotate", annotate, optional=True)
    panels, kind = _panels(A, kind)
    if names is not None:
        # a string was one name per letter; a name given twice drew one panel
        # for both, the last one's operator
        names = check_names("names", names)
        if len(names) != len(panels):
            raise ValueError(f"names must have {len(panels)} entries (one per "
                             f"panel), got {len(names)}")
        check_once("names", names, "name each panel")
        panels = dict(zip(names, panels.values()))
    if len(panels) > MAX_PANELS:
        raise ValueError(f"A has {len(panels)} panels, more than this figure draws "
                         f"({MAX_PANELS}): give a dict of the operators to draw")
    v = max(float(np.abs(m).max()) for m in panels.values()) or 1.0
    norm = Normalize(-v, v)
    num = len(panels)
    ncols = min(num, 3)
    nrows = -(-num // ncols)
    texts = [_texts(name, kind) for name in panels]
    if ax is not None:
        fig, axes = new_grid(ax, 1, num)
    else:
        widest = max(m.shape[1] for m in panels.values())
        size = float(np.clip(0.45 * widest + 1.6, 3.0, 6.0))
        # long source names: a panel wide and tall enough for its title and
        # labels (about 0.085 inch a character at 10 pt), which ran out of it
        chars = max(len(line) for ts in texts for t in ts for line in _plain(t).split("\n"))
        size = float(np.clip(0.085 * chars + 0.6, size, 8.0))
        fig, axes = new_grid(None, nrows, ncols, panel_size=(size + 0.6, size),
                             layout="compressed")
    axes = list(axes.ravel())
    for extra in axes[num:]:
        extra.set_axis_off()
    im = None
    for a, m, (head, ylabel, xlabel) in zip(axes, panels.values(), texts):
        im = a.imshow(m, cmap=cmap, norm=norm, interpolation="nearest")
        rows, cols = m.shape
        for axis, count in ((a.xaxis, cols), (a.yaxis, rows)):
            if count <= MAX_TICKS:
                axis.set_ticks(range(count))
            else:  # a tick a cell: thousands of overlapping labels, seconds each
                axis.set_major_locator(MaxNLocator(nbins=10, integer=True))
        a.set_title(head, fontsize=10)
        a.set_ylabel(ylabel)
        a.set_xlabel(xlabel)
        if annotate or (annotate is None and m.size <= 100):
            for (i, j), val in np.ndenumerate(m):
                # 1e100 written out in .2f was a 100-digit text that collapsed the
                # layout; an operator of entries under 0.005 read "0.00" in every cell
                text = (f"{val:.3g}" if abs(val) >= 1000 else f"{val:.2f}"
                        if val == 0 or abs(val) >= 0.005 else f"{val:.2g}")
                a.text(j, i, text, ha="center", va="center", fontsize=7,
                       color="white" if abs(val) > 0.6 * v else "black")
    fig.colorbar(im, ax=axes[:num], shrink=0.8,
                 label="A[p, q]" if kind == "pairwise" else "a[m, r, p]")
    if title is not None:
        fig.suptitle(fit_lines(title, fig.get_figwidth(), 11), fontsize=11)
    return finish(fig, path)


def _texts(name, kind) -> tuple[str, str, str]:
    """``(title, y label, x label)`` of the panel of ``name``."""
    if kind != "pairwise":
        return (f"$a[m, r, p]$: m = {name}", "r (rank)",
                f"p (power of $R_{{{tex_name(name)}}}$)")
    base, _, rest = str(name).partition(" @ ")  # a slice of a full operator
    src_a, bar, src_b = base.partition("|")
    head = (f"$A[p, q]$: {src_a} | {src_b}" + (f" @ {rest}" if rest else "")) if bar \
        else f"$A[p, q]$: {name}"
    if bar and len(_plain(head)) > 32:  # two lines: the pair, then the slice
        head = f"$A[p, q]$: {src_a} |\n{src_b}" + (f" @ {rest}" if rest else "")
    if not bar:
        src_a, src_b = "a", "b"
    return (head, f"p (power of $R_{{{tex_name(src_a)}}}$)",
            f"q (power of $R_{{{tex_name(src_b)}}}$)")


def _plain(text: str) -> str:
    # the characters a label shows: mathtext's markup left out
    return text.replace(r"\mathrm", "").translate({ord(c): None for c in "${}_\\"})


def _full_panels(sources: list[str], A: Tensor) -> dict[str, Tensor]:
    """The full M-way operator as 2-D panels over its first two sources, one
    per power of each further source (``"a|b @ c^1"``: the slice
    ``A[:, :, 1]``)."""
    if A.dim() == 1:  # one source: a single row of weights over its powers
        return {f"{sources[0]}|{sources[0]}": A.unsqueeze(0)}
    if A.dim() == 2:
        return {f"{sources[0]}|{sources[1]}": A}
    out = {}
    for idx in np.ndindex(*A.shape[2:]):
        rest = ", ".join(f"{s}^{i}" for s, i in zip(sources[2:], idx))
        out[f"{sources[0]}|{sources[1]} @ {rest}"] = A[(slice(None), slice(None), *idx)]
    return out


def _panels(A, kind) -> tuple[dict[str, np.ndarray], str]:
    if isinstance(A, torch.nn.Module) and not isinstance(
            A, (torch.nn.ParameterDict, torch.nn.ParameterList)):
        inner = getattr(A, "fusion", A)
        if getattr(inner, "mode", None) == "cp" and hasattr(inner, "factors"):
            A, kind = inner.factors, ("cp" if kind == "auto" else kind)
        elif getattr(inner, "mode", None) == "full":
            A, kind = _full_panels(inner.sources, inner.A.detach()), "pairwise"
        elif hasattr(inner, "A"):
            A = inner.A
            # one A shared by all pairs (a Tensor where a parametrization is registered)
            if isinstance(A, Tensor):
                A = {"shared by all pairs": A}
                kind = "pairwise" if kind == "auto" else kind
        else:
            raise TypeError(f"A: the module {type(A).__name__} has no fusion "
                            f"operator (.fusion.A, .fusion.factors or .A)")
    if isinstance(A, (dict, torch.nn.ParameterDict)):
        if not len(A):
            raise ValueError("A is empty: give at least one operator")
        state = [str(k) for k in A if _STATE_KEY.search(str(k))]
        if state:
            # drawn as operators, its anchor buffers and 'A.a|b' / 'factors.a'
            # made twice the panels (or 'A[...] must have 2 dimensions')
            raise TypeError(f"A is a module's state_dict (keys {state[:3]}): load it into "
                            f"its LEGOFusion (fusion.load_state_dict(state)) and give the "
                            f"module, or the operator's own entries, e.g. {{k[2:]: v for k, "
                            f"v in state.items() if k.startswith('A.')}}")
        if kind == "auto":
            kind = "pairwise" if all("|" in str(k) for k in A.keys()) else "cp"
        out = {str(k): to_numpy(f"A[{k!r}]", v, dims=(2, )) for k, v in A.items()}
        return out, kind
    if isinstance(A, (list, tuple, torch.nn.ParameterList)) and len(A) and all(
            isinstance(x, (Tensor, np.ndarray)) for x in A):
        if kind == "auto":
            kind = "cp"
        out = {(f"{i}" if kind == "cp" else f"a{i}|b{i}"): to_numpy(f"A[{i}]", x, dims=(2, ))
               for i, x in enumerate(A)}
        return out, kind
    arr = to_numpy("A", A, dims=(2, 3))
    if arr.size == 0:
        raise ValueError("A is empty: give at least one operator")
    if arr.ndim == 3:
        if kind == "auto":
            kind = "cp"
        return {(f"{i}" if kind == "cp" else f"a{i}|b{i}"): m
                for i, m in enumerate(arr)}, kind
    if kind == "auto":
        kind = "pairwise"
    return {("a|b" if kind == "pairwise" else "0"): arr}, kind
