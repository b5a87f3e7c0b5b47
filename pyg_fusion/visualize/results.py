"""The results of ``pyg-fusion compare`` / ``train`` as a figure: one panel
per metric, one bar per method, the spread over seeds as error bars and
every seed's value as a dot."""
from __future__ import annotations

import numpy as np

from .._files import nan_for_null
from .._option_rules import is_int, is_real
from ._common import (axes_width, check_span, closes_on_error, finish, fit_lines, new_grid,
                      shorten, text_width)
from ._values import check_once, read_json

# The widest figure plot_results makes (inches); wider rows of panels wrap.
MAX_WIDTH = 13.0
# a panel is 0.55 inch a bar: 1000 bars were a 551-inch panel (17 s to draw and
# save), a PNG of 60000 pixels across
MAX_BARS = 200
# matplotlib's default size of tick and axis labels ("medium"), in points
TICK_SIZE = 10


def _records(results) -> list[dict]:
    results = read_json("results", results)
    if not isinstance(results, list) or not all(isinstance(r, dict) for r in results):
        raise TypeError("results must be the list of records of pyg-fusion compare "
                        "(results.json) or its path")
    keys = ("dataset", "setting", "method", "metric", "mean", "std", "values")
    out = []
    for r in results:
        missing = [k for k in keys if k not in r]
        if missing:
            raise ValueError(f"results: a record lacks {missing}; expected the records of "
                             f"pyg-fusion compare (results.json)")
        values = r["values"]
        if isinstance(values, list):
            values = [nan_for_null(v) for v in values]
        r = {**r, "mean": nan_for_null(r["mean"]), "std": nan_for_null(r["std"]),
             "values": values}
        if not (is_real(r["mean"]) and is_real(r["std"]) and isinstance(values, list)
                and values and all(map(is_real, values))):
            raise ValueError(f"results: the record of {r['method']!r}, {r['metric']!r} must "
                             f"hold numbers: mean, std and a non-empty list of values, got "
                             f"mean={r['mean']!r}, std={r['std']!r}, values={values!r}")
        # matplotlib's axis limits overflowed ("arange: cannot compute length")
        check_span(f"results: the record of {r['method']!r}, {r['metric']!r}",
                   np.array([r["mean"], r["std"], *values], dtype=float))
        out.append(r)
    return out


@closes_on_error
def plot_results(results, *, metrics=None, title=None, ax=None, path=None):
    r"""Bars of each method's mean over seeds, one panel per metric, with
    :math:`\pm` one standard deviation as error bars (none for one seed) and
    each seed's value as a dot, so that a spread is seen, not only read.

    Args:
        results (list[dict], str or os.PathLike): the records of
            :func:`~pyg_fusion.experiments.records.make_records` (``results.json``
            of ``pyg-fusion compare``), or the path of that file.
        metrics (str or list[str], optional): the panels, in order, each once. (default: :obj:`None`,
            every metric of the records but ``params`` and ``time_per_epoch_s``,
            in the order of the records)
        title (str, optional): the figure's title. (default: :obj:`None`, the
            datasets and settings of the records, their seeds and the epochs
            their configs record; with ``ax``, none: the caller's figure keeps
            its own title)
        ax (matplotlib.axes.Axes or Sequence[matplotlib.axes.Axes], optional):
            one axes per metric. (default: :obj:`None`, a new figure)
        path (str or os.PathLike, optional): write the figure there: PNG, PDF
            or SVG by its suffix (none: PNG, ``.png`` added).
            (default: :obj:`None`, not written)

    Returns:
        matplotlib.figure.Figure: the figure: per metric, one bar per
        dataset / setting / method of the records that hold the metric (named by its method,
        after the dataset and the setting where the bars differ in them). A
        panel of positive values starts its axis below the lowest value, not
        at 0 (a point's difference stays visible), and its y label says
        where. A mean that is not finite (a diverged seed) is written in its
        bar's place (``"mean nan"``; its finite seeds still dots). A new
        figure puts the panels side by side up to :data:`MAX_WIDTH` inches,
        then in further rows. At most :data:`MAX_BARS` (200) bars a panel:
        more are a ``ValueError`` (draw the records of some methods).
    """
    records = _records(results)
    if not records:
        raise ValueError("results holds no records: there is nothing to draw")
    shown = [r["metric"] for r in records if r["metric"] not in ("params", "time_per_epoch_s")]
    if isinstance(metrics, str):  # one metric; list() made it one panel per letter
        metrics = [metrics]
    metrics = list(dict.fromkeys(shown)) if metrics is None else list(metrics)
    unknown = [m for m in metrics if m not in shown]
    if unknown or not metrics:
        raise ValueError(f"metrics {unknown or metrics} are not in the results, which hold "
                         f"{sorted(set(shown))}")
    check_once("metrics", metrics, "name each panel")  # a repeat drew its panel twice
    rows = list(dict.fromkeys((r["dataset"], r["setting"], r["method"]) for r in records))
    if len(rows) > MAX_BARS:
        raise ValueError(f"results hold {len(rows)} (dataset, setting, method) bars a panel, "
                         f"more than this figure draws ({MAX_BARS}): give the records of "
                         f"some methods or datasets")
    by = {}
    for r in records:
        key = (r["dataset"], r["setting"], r["method"], r["metric"])
        if key in by:  # the later one was drawn, the earlier one lost without a word
            sweep = " (a sweep's cells: plot_pq_sensitivity draws them)" \
                if "P" in r and "Q" in r else ""
            raise ValueError(f"results hold two records of method {r['method']!r}, metric "
                             f"{r['metric']!r} on {r['dataset']} ({r['setting']}){sweep}; a "
                             f"bar is one record: give the records of one run")
        by[key] = r
    names = [_bar_name(row, rows) for row in rows]
    # the tick labels run down and left at 45 degrees: two 37-character names
    # took all of a 3.2 x 3.4-inch panel, leaving a plot a few points high
    reach = max(text_width(n, TICK_SIZE) for n in names) * 0.71
    # a panel's bars: the rows that hold its metric (an AUC panel of a digits
    # run beside a VAD run had a slot per digits method, all empty)
    present = {m: [i for i, row in enumerate(rows) if (*row, m) in by] for m in metrics}
    most = max(map(len, present.values()))
    width = max(3.2, 0.55 * most + 1.2, reach + 2.2)
    height = 3.4 + max(0.0, reach - 0.5)
    if ax is None:
        # panels side by side up to MAX_WIDTH inches, then further rows: one row
        # of three 9-inch panels (14 methods) is a figure no page holds
        ncols = max(1, min(len(metrics), int(MAX_WIDTH // width)))
        nrows = -(-len(metrics) // ncols)
    else:
        nrows, ncols = 1, len(metrics)
    fig, axes = new_grid(ax, nrows, ncols, panel_size=(width, height))
    for extra in axes.ravel()[len(metrics):]:
        extra.set_axis_off()
    colours = _bar_colours(len(rows))
    # a title is centred on its plot, which the tick labels push right in a
    # new panel: one as wide as the panel ran out of the figure
    title_width = min(axes_width(axes.flat[0]),
                      width - max(0.9, reach) - 0.1 if ax is None else np.inf)
    for a, metric in zip(axes.ravel(), metrics):
        for x, i in enumerate(present[metric]):
            r = by[(*rows[i], metric)]
            values = np.asarray(r["values"], dtype=float)
            spread = r["std"] if len(values) > 1 and np.isfinite(r["std"]) else None
            if np.isfinite(r["mean"]):
                a.bar(x, r["mean"], yerr=spread, capsize=4, color=colours[i], alpha=0.75)
            else:  # a diverged seed's NaN: said where its bar would be, not left blank
                a.annotate(f"mean {r['mean']}", (x, 0), xycoords=("data", "axes fraction"),
                           xytext=(0, 3), textcoords="offset points", rotation=90,
                           ha="center", va="bottom", fontsize=7, color="tab:red", gid="not finite")
            finite = np.isfinite(values)
            a.plot(np.full(int(finite.sum()), x), values[finite], "k.", markersize=4)
        a.set_xticks(range(len(present[metric])), [names[i] for i in present[metric]],
                     rotation=45, ha="right")
        if len(present[metric]) < most:  # bars as wide as the fullest panel's, not one wide slab
            a.set_xlim(-0.5, most - 0.5)
        # a long metric ran along the axis past the panel's height
        label = fit_lines(metric, max(1.5, a.get_position().height * fig.get_figheight() - reach),
                          TICK_SIZE, max_lines=2)
        a.set_ylabel(label)
        seeds = sorted({len(by[(*row, metric)]["values"]) for row in rows
                        if (*row, metric) in by})
        # two lines: on one, a long metric's title ran out of a 3-inch panel
        a.set_title(fit_lines(f"{metric}\n(mean ± std over {'/'.join(map(str, seeds))} seed(s))",
                              title_width, 9), fontsize=9)
        drawn = [by[(*row, metric)] for row in rows if (*row, metric) in by]
        ends = np.array([x for r in drawn for x in (*r["values"], r["mean"] - r["std"],
                                                     r["mean"] + r["std"])], dtype=float)
        ends = ends[np.isfinite(ends)]
        low, top = (float(ends.min()), float(ends.max())) if ends.size else (0.0, 0.0)
        # a zero baseline hides differences of a point between methods; one bar,
        # or bars of one value, have no difference to show: a zoom would only
        # make a 0.69 bar look half full on an axis of 0.690..0.692
        if low > 0 and len(drawn) > 1 and top > low:
            # the 1e-3 is a metric's (of 0..1) margin; bars of 1e-5 drew 1% of a
            # 0..0.001 axis, too low to be seen, and their differences none
            pad = 0.1 * (top - low) + min(1e-3, 0.1 * top)
            # a round start (0.75, not 0.752), which the y label can name
            step = 10 ** np.floor(np.log10(top - low + pad)) / 2
            bottom = max(0.0, float(np.floor((low - pad) / step) * step))
            a.set_ylim(bottom, top + pad)
            if bottom > 0:  # bars that start above 0: their lengths are not ratios
                a.set_ylabel(f"{label}\n(axis starts at {bottom:.3g}, not 0)")
    if title is None and ax is None:  # a caller's figure keeps its own title
        title = ", ".join(sorted({f"{d} ({s})" for d, s, _ in rows})) + _run_note(records)
    if title is not None:
        fig.suptitle(fit_lines(title, fig.get_figwidth(), 10), fontsize=10)
    return finish(fig, path)


def _bar_colours(num: int) -> list:
    """The bars' colours: matplotlib's ten cycle colours up to ten bars (C0 ...
    C9, as the other figures), one colour for all beyond. Past ten the cycle
    gave the 11th method the 1st one's colour, and tab20's pairs of shades pair
    methods too, as if they belonged together; the tick labels name the bars."""
    return [f"C{i}" for i in range(num)] if num <= 10 else ["C0"] * num


def _bar_name(row, rows, limit: int = 40) -> str:
    """A bar's tick label: its method, after the dataset and the setting where
    the bars differ (the title names the shared ones); a long prefix is cut,
    never the method, which tells the bars apart."""
    d, s, m = row
    prefix = "/".join(v for i, v in enumerate((d, s))
                      if len({r[i] for r in rows}) > 1)
    if not prefix:
        return shorten(m, limit)
    return f"{shorten(prefix, max(8, limit - len(m) - 1))}/{m}"


def _run_note(records) -> str:
    """``": seeds 0, 1; 3 epochs"``: the seeds of the records and the epochs
    of their ``config`` (as ``make_records`` writes it), so that a short run's
    figure does not pass for the README's study."""
    seeds = sorted({int(x) for r in records for x in (r.get("seeds") or ())})
    epochs = set()
    for r in records:
        trainer = r.get("config", {}).get("trainer") if isinstance(r.get("config"), dict) \
            else None
        e = trainer.get("epochs") if isinstance(trainer, dict) else None
        if is_int(e):
            epochs.add(e)
    epochs = sorted(epochs)
    parts = []
    if seeds:
        parts.append(("seed " if len(seeds) == 1 else "seeds ") + ", ".join(map(str, seeds)))
    if epochs:
        parts.append(f"{epochs[0]} epochs" if len(epochs) == 1
                     else f"{epochs[0]}-{epochs[-1]} epochs")
    return ": " + "; ".join(parts) if parts else ""
