"""Per-video snippet anomaly scores against the ground-truth frames."""
from __future__ import annotations


import numpy as np

from ..training.metrics import roc_auc
from .._option_rules import is_finite_real, is_int
from ._common import (axes_width, check_span, closes_on_error, finish, fit_lines, new_grid,
                      text_width, to_numpy)

# A panel is about a thousand pixels wide, and matplotlib spends some 50 us a
# step (and more a shaded run): a video of a million snippets took minutes to
# draw. Longer videos are drawn in blocks of snippets, each at its largest score.
MAX_STEPS = 4096
# The frames of a video: its scores (and a snippet-level ground truth) are
# repeated a frame each for the frame-level AUC, a frame axis past int64 failed
# in numpy ('Python int too large to convert to C long') and 2**40 frames asked
# for 40 TiB ('Unable to allocate'): 2**27 (1 GiB an array) is 52 days at 30 fps.
MAX_FRAMES = 2 ** 27


@closes_on_error
def plot_anomaly_scores(scores, ground_truth=None, *, frames_per_snippet=16,
                        threshold=None, max_videos=8, title=None, ax=None, path=None):
    r"""Draws each video's snippet anomaly scores as a step curve over its
    frames, with the ground-truth anomalous frames shaded.

    VAD convention: snippet :math:`i` covers frames
    :math:`[i f, (i+1) f)` with :math:`f` = ``frames_per_snippet`` (16 for
    I3D / C3D features); its score is repeated over those frames, as in the
    frame-level evaluation. When a video's frame-level ground truth is given,
    the title shows its frame-level ROC-AUC (if it holds both classes).

    A video of more than 4096 snippets (:data:`MAX_STEPS`) is drawn in blocks
    of :math:`b = \lceil T / 4096 \rceil` snippets, each block at its largest
    score (the peaks an anomaly curve is read for), and its panel's title says
    ``max of every b snippets``; the ground truth is shaded in blocks of at
    most 1/4096 of the video (a block's frames when pooled), each shaded when
    it holds an anomalous frame. The frame-level AUC is the whole video's.

    Args:
        scores (dict, list, torch.Tensor or numpy.ndarray): ``{video: [T]
            scores}``, a list of ``[T]`` arrays (videos ``"video 0"``, ...),
            or one ``[T]`` array; or ``{method: {video: [T] scores}}`` to
            compare several methods on the same videos (one curve each).
        ground_truth (dict, list, torch.Tensor or numpy.ndarray, optional):
            each video's 0/1 labels (above 0.5: anomalous), keyed as the
            videos of ``scores`` (a dict ``{video: labels}``, a list in the
            videos' order or one array), also when ``scores`` compares
            methods; either frame-level (``F`` values,
            ``(T-1) f < F <= T f``) or snippet-level (``T`` values).
            (default: :obj:`None`, no shading and no AUC)
        frames_per_snippet (int or dict, optional): frames per snippet ``f``
            (>= 1; at most :data:`MAX_FRAMES` frames a video), or ``{video:
            f}`` for videos of other rates (every drawn video's, keyed as
            ``scores``). (default: :obj:`16`)
        threshold (float, optional): draw a horizontal decision threshold
            at this score. (default: :obj:`None`, none)
        max_videos (int, optional): draw at most this many videos, the first
            ones (>= 1). (default: :obj:`8`)
        title (str, optional): the figure's title, above the legend (as the
            legend's title): which model and data. (default: :obj:`None`,
            none)
        ax (matplotlib.axes.Axes or Sequence[matplotlib.axes.Axes], optional):
            one axes per drawn video; the legend is drawn in the first, not on
            their figure. (default: :obj:`None`, a new figure, the legend above
            its panels)
        path (str or os.PathLike, optional): write the figure there: PNG, PDF
            or SVG by its suffix (none: PNG, ``.png`` added).
            (default: :obj:`None`, not written)

    Returns:
        matplotlib.figure.Figure: the figure: per axes, a ``StepPatch`` of
        the scores (gid ``"scores"``; comparing methods, one per method, gid
        ``"scores:<method>"``) and one shaded span per run of anomalous
        frames (gid ``"gt"``). A new figure has one column of panels up to 8
        videos, two up to 20, then three.
    """
    rates = frames_per_snippet if isinstance(frames_per_snippet, dict) else \
        {None: frames_per_snippet}
    for key, rate in rates.items():
        if not (is_int(rate) and rate >= 1):
            where = "" if key is None else f"[{key!r}]"
            raise ValueError(f"frames_per_snippet{where} must be a positive int, got "
                             f"{rate!r}")
    if isinstance(scores, dict) and scores and all(isinstance(v, dict)
                                                   for v in scores.values()):
        methods = {str(m): _as_dict(f"scores[{m!r}]", v) for m, v in scores.items()}
    else:
        methods = {"": _as_dict("scores", scores)}
    videos = next(iter(methods.values()))
    if not videos:
        raise ValueError("scores is empty: give at least one video")
    for m, vids in methods.items():
        if list(vids) != list(videos):
            raise ValueError(f"scores[{m!r}] must hold the same videos as the first "
                             f"method: {list(videos)}, got {list(vids)}")
    gts = None
    if ground_truth is not None:
        gts = _as_dict("ground_truth", ground_truth)
        missing = [k for k in videos if k not in gts]
        if missing:
            raise ValueError(f"ground_truth has no entry for video(s) {missing}")
    if threshold is not None and not is_finite_real(threshold):
        # a str was drawn on a category axis of its own, NaN drew nothing
        raise ValueError(f"threshold must be a finite number or None, got {threshold!r}")
    if threshold is not None:  # the scores' axis spans it
        check_span("threshold", np.array([threshold], dtype=float))
    if not (is_int(max_videos) and max_videos >= 1):
        raise ValueError(f"max_videos must be an int >= 1, got {max_videos!r}")
    names = list(videos)[:max_videos]
    if isinstance(frames_per_snippet, dict) and set(names) - set(frames_per_snippet):
        raise ValueError(f"frames_per_snippet has no entry for video(s) "
                         f"{[k for k in names if k not in frames_per_snippet]}")
    if ax is None:
        # one column of 9-inch panels up to 8 videos; more in two or three
        # columns (40 videos in one column made a figure 76 inches tall)
        ncols = 1 if len(names) <= 8 else 2 if len(names) <= 20 else 3
        width = {1: 9.0, 2: 6.5, 3: 5.2}[ncols]
        nrows = -(-len(names) // ncols)
        fig, axes = new_grid(None, nrows, ncols, panel_size=(width, 1.9 if ncols == 1 else 1.6))
        for extra in axes.ravel()[len(names):]:
            extra.set_axis_off()
    else:
        width, ncols = 9.0, 1
        fig, axes = new_grid(ax, len(names), 1)
    # tab10 without its red, the colour of the ground truth's shading: nine
    # methods apart (five colours drew a sixth method in the first one's blue)
    palette = ["tab:blue", "tab:green", "tab:purple", "tab:orange", "tab:brown", "tab:pink",
               "tab:gray", "tab:olive", "tab:cyan"]
    for a, name in zip(axes.ravel(), names):
        f = rates[name] if isinstance(frames_per_snippet, dict) else frames_per_snippet
        curves = {m: to_numpy(f"scores[{name!r}]" if not m else f"scores[{m!r}][{name!r}]",
                              vids[name], dims=(1, )) for m, vids in methods.items()}
        s = next(iter(curves.values()))
        if s.size == 0:
            raise ValueError(f"scores[{name!r}] is empty")
        t = s.shape[0]
        for m, c in curves.items():
            if c.shape[0] != t:
                raise ValueError(f"scores[{m!r}][{name!r}] has {c.shape[0]} snippets, "
                                 f"the first method {t}")
        num_frames = t * f
        if num_frames > MAX_FRAMES:
            raise ValueError(f"frames_per_snippet={f if f < 10 ** 9 else format(f, '.3g')} "
                             f"makes {num_frames:.3g} frames of video "
                             f"{name!r} ({t} snippets), more than this figure draws "
                             f"({MAX_FRAMES}): frames_per_snippet is the frames one snippet "
                             f"covers (16 for I3D / C3D features)")
        head = fit_lines(name, axes_width(a), 9)
        g = None
        if gts is not None:
            g = to_numpy(f"ground_truth[{name!r}]", gts[name], dims=(1, ))
            if g.shape[0] == t:
                g = np.repeat(g, f)
            elif not (t - 1) * f < g.shape[0] <= t * f:
                raise ValueError(
                    f"ground_truth[{name!r}] must have {t} snippet labels or "
                    f"between {(t - 1) * f + 1} and {t * f} frame labels for "
                    f"{t} snippets of {f} frames, got {g.shape[0]}")
            num_frames = g.shape[0]
        block = -(-t // MAX_STEPS)  # snippets per drawn step
        starts = np.arange(0, t, block)
        if g is not None:
            # the runs of anomalous blocks of frames: a step's frames, at most
            # 1/4096 of the video (a frame's run per axvspan took seconds)
            unit = block * f if block > 1 else -(-num_frames // MAX_STEPS)
            hit = g > 0.5
            if unit > 1:
                hit = np.maximum.reduceat(hit, np.arange(0, num_frames, unit))
            for start, stop in _runs(hit):
                a.axvspan(start * unit, min(stop * unit, num_frames),
                          color="tab:red", alpha=0.18, lw=0, gid="gt")
        edges = np.minimum(np.append(starts, t) * f, num_frames)
        if block > 1:
            head += f" (max of every {block} snippets)"
        aucs = []
        for i, (m, c) in enumerate(curves.items()):
            # baseline=None: the outline only, no drop to 0 after the last frame
            a.stairs(np.maximum.reduceat(c, starts), edges, baseline=None,
                     color=palette[i % len(palette)], lw=1.5,
                     gid="scores" if not m else f"scores:{m}",
                     label=f"{m} score" if m else "snippet score")
            if g is not None and 0 < g.sum() < len(g):
                auc = roc_auc(np.repeat(c, f)[:num_frames], g > 0.5)
                aucs.append(f"{m} {auc:.3f}" if m else f"{auc:.3f}")
        if aucs:
            head += _auc_text(aucs, int(8 * width))  # about 8 characters an inch
        s = np.concatenate(list(curves.values()))
        if threshold is not None:
            a.axhline(threshold, color="0.3", ls="--", lw=0.8, label="threshold")
        a.set_xlim(0, num_frames)
        lo, hi = (0.0, 1.0) if s.min() >= 0 and s.max() <= 1 else (s.min(), s.max())
        if threshold is not None:  # one past the scores was in the legend, not in view
            lo, hi = min(lo, threshold), max(hi, threshold)
        pad = 0.05 * (hi - lo or 1.0)
        a.set_ylim(lo - pad, hi + pad)
        a.set_ylabel("score")
        a.set_title(head, fontsize=9, loc="left")
    for a in axes.ravel()[max(0, len(names) - ncols):len(names)]:  # the bottom row
        a.set_xlabel("frame")
    handles, labels = axes.ravel()[0].get_legend_handles_labels()
    if gts is not None:
        from matplotlib.patches import Patch
        handles.append(Patch(color="tab:red", alpha=0.18))
        labels.append("anomalous frames (ground truth)")
    if len(videos) > len(names):
        axes.ravel()[0].set_title(f"first {len(names)} of {len(videos)} videos",
                                  fontsize=8, loc="right", color="0.35")
    # at most four entries a row, fewer of long ones: seven methods in one row,
    # or four of 50 characters, ran past both edges of the figure
    # a caller's axes: the legend in the first of them, not on their figure
    # (over its title and other panels)
    width = fig.get_figwidth() if ax is None else axes_width(axes.ravel()[0])
    labels = [fit_lines(text, width - 1.0, 8) for text in labels]
    across = _legend_columns(labels, width - 0.2)
    if ax is None:  # each further row of the legend took the plots' height
        rows = -(-len(labels) // across) * max(text.count("\n") + 1 for text in labels)
        fig.set_figheight(fig.get_figheight() + 0.25 * (rows - 1))
    # above the panels, so that it never hides a curve or a title
    (fig if ax is None else axes.ravel()[0]).legend(
        handles, labels, loc="outside upper center" if ax is None else "best",
        fontsize=8, ncols=across, frameon=ax is not None,
        # the legend's own title: a suptitle would overlap an outside legend
        title=None if title is None else fit_lines(title, width, 11),
        title_fontproperties={"size": 11})
    return finish(fig, path)


def _legend_columns(labels: list[str], width: float, most: int = 4) -> int:
    """The most columns, up to ``most``, in which a legend of ``labels`` (at 8
    points) is at most ``width`` inches wide. matplotlib fills its columns
    one after the other, the first ones one entry longer; a column is as wide
    as its longest text and its handle and spacing (some 4.8 em)."""
    widths = [max(text_width(line, 8) for line in text.split("\n")) for text in labels]
    for across in range(min(most, len(labels)), 1, -1):
        rows, longer = divmod(len(labels), across)
        total, start = 0.0, 0
        for col in range(across):
            stop = start + rows + (col < longer)
            total += max(widths[start:stop]) + 4.8 * 8 / 72
            start = stop
        if total <= width:
            return across
    return 1


def _auc_text(aucs: list[str], width: int = 72) -> str:
    """``"  (frame AUC a 0.9, b 0.8)"``, broken into lines of about ``width``
    characters: seven methods' AUCs on one line ran out of the panel (and
    into its right-hand note)."""
    lines, line = [], "  (frame AUC "
    for i, item in enumerate(aucs):
        item += ")" if i == len(aucs) - 1 else ","
        if len(line) + len(item) > width and line.strip() not in ("", "(frame AUC"):
            lines.append(line.rstrip())
            line = ""
        line += item + " "
    return "\n".join(lines + [line.rstrip()])


def _as_dict(name, value) -> dict:
    if isinstance(value, dict):
        return dict(value)
    if isinstance(value, (list, tuple)) and value and np.ndim(value[0]) == 1:
        return {f"video {i}": v for i, v in enumerate(value)}
    if np.ndim(value) == 1:
        return {"video 0": value}
    raise ValueError(f"{name} must be a dict of 1-D arrays, a list of 1-D "
                     f"arrays or one 1-D array, got {type(value).__name__} of "
                     f"{np.ndim(value)} dimensions")


def _runs(mask: np.ndarray) -> list[tuple[int, int]]:
    """``[start, stop)`` of each run of True values."""
    padded = np.r_[False, mask, False].astype(np.int8)
    change = np.flatnonzero(np.diff(padded))
    return list(zip(change[0::2].tolist(), change[1::2].tolist()))
