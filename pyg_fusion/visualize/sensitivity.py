"""Sensitivity of a metric to the numbers of powers (P, Q) of LEGO fusion."""
from __future__ import annotations

import os

import numpy as np

from matplotlib.axes import Axes
from matplotlib.patches import Rectangle

from .._files import nan_for_null
from .._option_rules import is_int, is_real
from ._common import (axes_width, check_span, closes_on_error, finish, fit_lines,
                      made_figure, tex_name, to_numpy)
from ._values import check_flag, check_once, read_json

PLOT_KINDS = ("both", "heatmap", "surface")


def load_pq_grid(results, *, metric=None, dataset=None, method=None, setting=None,
                 p_values=None, q_values=None):
    """Turns ``pyg-fusion sweep`` records (or a plain 2-D array) into a grid.

    Args:
        results (str, os.PathLike, list[dict], dict, torch.Tensor or numpy.ndarray):
            a path to the sweep's JSON; its list of records ``{"P", "Q",
            "metric", "mean", "std", "dataset", "method"}`` (``"value"`` in
            place of ``"mean"`` is accepted, and a dict with the list under
            ``"records"``, ``"results"`` or ``"rows"``); or a 2-D array
            ``[len(p_values), len(q_values)]`` of metric values (NaN: not
            run).
        metric (str, optional): the metric to keep; of a plain array, its
            name. (default: :obj:`None`, the first record's, which
            ``pyg-fusion sweep`` writes first: the task's main metric)
        dataset (str, optional): keep only the records of this dataset;
            required when the records hold several. (default: :obj:`None`)
        method (str, optional): keep only the records of this method;
            required when the records hold several. (default: :obj:`None`)
        setting (str, optional): keep only the records of this setting;
            required when the records hold several. (default: :obj:`None`)
        p_values (Sequence[int], optional): the ``P`` of each row (each once) of a plain
            array (records give their own). (default: :obj:`None`, ``1, 2,
            ...``)
        q_values (Sequence[int], optional): the ``Q`` of each column (each once) of a
            plain array. (default: :obj:`None`, ``1, 2, ...``)

    Returns:
        (numpy.ndarray, numpy.ndarray or None, numpy.ndarray, numpy.ndarray, dict):
        ``(mean [nP, nQ], std [nP, nQ] or None, p_values, q_values, info)``
        with NaN where a (P, Q) pair was not run (``std`` is :obj:`None`
        without a spread over seeds); ``info`` holds the ``metric``,
        ``dataset``, ``method`` and ``setting`` names and, from records, their
        ``seeds``, the ``epochs`` of their configs, ``sources``: ``(P's
        source, (Q's sources))`` when the configs' ``num_powers`` say so,
        else :obj:`None`, and ``at_start``: a bool array ``[nP, nQ]``, True
        where a record's ``operator_at_start`` says that the tested model of
        one of its seeds has LEGO's operator A at its start (untrained, the
        same for every P and Q), or :obj:`None` when no record says.
    """
    read = isinstance(results, (str, os.PathLike))
    results = read_json("results", results)
    if isinstance(results, dict):
        for key in ("records", "results", "rows"):
            if isinstance(results.get(key), list):
                results = results[key]
                break
        else:
            raise ValueError("results: a dict must hold a list under 'records', "
                             "'results' or 'rows'")
    if isinstance(results, list) and not results:
        # an empty list is read as records (a sweep that kept none), not as
        # an array, whose message ('2 dimensions, got (0,)') pointed elsewhere
        raise ValueError("results holds no records: a sweep's list of {'P', 'Q', "
                         "'mean'} records (or a 2-D array) is expected, got an empty list")
    if isinstance(results, list) and isinstance(results[0], dict):
        return _from_records(results, metric, dataset, method, setting)
    if read and not (isinstance(results, list) and all(
            isinstance(row, list) and all(v is None or is_real(v) for v in row)
            for row in results)):
        # a file's content, not the caller's object: a ValueError of the file
        raise ValueError("results: the file must hold a sweep's list of {'P', 'Q', 'mean'} "
                         "records or a 2-D list of numbers")
    grid = to_numpy("results", results, dims=(2, ), finite=False)
    if grid.size == 0:
        raise ValueError("results is empty")
    ps = np.arange(1, grid.shape[0] + 1) if p_values is None else np.asarray(p_values)
    qs = np.arange(1, grid.shape[1] + 1) if q_values is None else np.asarray(q_values)
    if ps.shape != (grid.shape[0], ) or qs.shape != (grid.shape[1], ):
        raise ValueError(f"p_values / q_values must have {grid.shape[0]} / "
                         f"{grid.shape[1]} entries to label a grid of shape "
                         f"{grid.shape}, got {ps.shape[0]} / {qs.shape[0]}")
    # two rows labelled P = 2 drew a grid whose cells could not be told apart
    check_once("p_values", ps.tolist(), "label each row")
    check_once("q_values", qs.tolist(), "label each column")
    return grid, None, ps, qs, {"metric": metric or "metric", "dataset": dataset,
                                "method": method, "setting": setting}


def _from_records(records, metric, dataset, method, setting):
    for i, r in enumerate(records):
        if not isinstance(r, dict):
            raise ValueError(f"results[{i}] must be a record {{'P', 'Q', 'mean', ...}} as "
                             f"the first is, got {r!r}")
        missing = [k for k in ("P", "Q") if k not in r]
        if missing or not ("mean" in r or "value" in r):
            raise ValueError(f"results[{i}] must hold 'P', 'Q' and 'mean', got "
                             f"keys {sorted(r)}")
        for key in ("P", "Q"):  # int('x') said only "invalid literal for int()"
            if not is_real(r[key]) or r[key] < 0 or r[key] != int(r[key]):
                raise ValueError(f"results[{i}] {key!r} must be a power, a non-negative "
                                 f"integer, got {r[key]!r}")
        for key in ("mean", "value", "std"):
            if r.get(key) is not None and not is_real(r[key]):
                raise ValueError(f"results[{i}] {key!r} must be a number, got {r[key]!r}")
    info = {}
    if metric is None and "metric" in records[0]:
        metric = str(records[0]["metric"])
    for key, wanted in (("metric", metric), ("dataset", dataset), ("method", method),
                        ("setting", setting)):
        present = sorted({str(r[key]) for r in records if key in r})
        if wanted is not None:
            if wanted not in present:
                raise ValueError(f"{key}={wanted!r} is not in the results; "
                                 f"they hold {present}")
            records = [r for r in records if str(r.get(key)) == wanted]
        elif len(present) > 1:
            raise ValueError(f"the results hold several values of {key!r}: "
                             f"{present}; choose one with {key}=...")
        info[key] = wanted if wanted is not None else (present[0] if present else None)
    ps = np.array(sorted({int(r["P"]) for r in records}))
    qs = np.array(sorted({int(r["Q"]) for r in records}))
    mean = np.full((len(ps), len(qs)), np.nan)
    std = np.full((len(ps), len(qs)), np.nan)
    at_start = np.zeros((len(ps), len(qs)), dtype=bool)
    told = False
    seen = set()
    for r in records:
        i, j = int(np.searchsorted(ps, int(r["P"]))), int(np.searchsorted(qs, int(r["Q"])))
        if r.get("operator_at_start") is not None:  # older sweeps do not say
            told = True
            at_start[i, j] = any(r["operator_at_start"])
        if (i, j) in seen:
            raise ValueError(f"the results hold two records for P={r['P']}, "
                             f"Q={r['Q']}")
        seen.add((i, j))
        value = r.get("mean", r.get("value"))
        mean[i, j] = float(nan_for_null(value))
        # a std over one seed is 0 by construction: no spread to draw
        if r.get("std") is not None and len(r.get("seeds") or (0, 0)) != 1:
            std[i, j] = float(r["std"])
    check_span("results 'mean'", mean)
    check_span("results 'std'", std)
    has_std = bool(np.isfinite(std).any())
    info["metric"] = info.get("metric") or "metric"
    info.update(_run_info(records))
    info["at_start"] = at_start if told else None
    return mean, (std if has_std else None), ps, qs, info


def _run_info(records) -> dict:
    """What the records of ``pyg-fusion sweep`` say of their runs: ``seeds``,
    ``epochs`` (of their configs) and ``sources``: ``(P's source, Q's
    sources)`` when every record's ``config.powers.num_powers`` gives the first
    source (by name) P powers and every other Q, as the sweep does."""
    seeds = sorted({int(x) for r in records for x in (r.get("seeds") or ())})
    epochs, splits = set(), set()
    for r in records:
        config = r.get("config") if isinstance(r.get("config"), dict) else {}
        trainer, powers = config.get("trainer"), config.get("powers")
        e = trainer.get("epochs") if isinstance(trainer, dict) else None
        if is_int(e):
            epochs.add(e)
        num = powers.get("num_powers") if isinstance(powers, dict) else None
        if not isinstance(num, dict) or len(num) < 2:
            splits.add(None)
            continue
        first, *rest = sorted(num)
        ok = num[first] == r["P"] and all(num[s] == r["Q"] for s in rest)
        splits.add((first, tuple(rest)) if ok else None)
    sources = splits.pop() if len(splits) == 1 else None
    return {"seeds": seeds, "epochs": sorted(epochs), "sources": sources}


# Metrics of a sweep's records where the best cell is the lowest.
LOWER_IS_BETTER = ("val_loss", "time_per_epoch_s", "params")


@closes_on_error
def plot_pq_sensitivity(results, *, metric=None, dataset=None, method=None,
                        setting=None, p_values=None, q_values=None, kind="both",
                        cmap="viridis", ax=None, path=None, higher_is_better=None):
    r"""Draws a metric (e.g. AUC) over the grid of the numbers of powers
    :math:`(P, Q)` of the two sources, as a heatmap with the best cell
    framed and as a 3-D surface, from a ``pyg-fusion sweep --p 1..9 --q 1..9``
    run. The paper searched :math:`P, Q \in 1..9` and found the results
    sensitive to them.

    Args:
        results (str, os.PathLike, list[dict], dict, torch.Tensor or numpy.ndarray):
            see :func:`load_pq_grid` (a sweep JSON path, its records, or a
            2-D array with ``p_values`` / ``q_values``).
        metric (str, optional): the metric to draw (see :func:`load_pq_grid`).
            (default: :obj:`None`, the first record's)
        dataset (str, optional): the dataset whose records to draw; required
            when the records hold several. (default: :obj:`None`)
        method (str, optional): the method whose records to draw; required
            when the records hold several. (default: :obj:`None`)
        setting (str, optional): the setting whose records to draw; required
            when the records hold several. (default: :obj:`None`)
        p_values (Sequence[int], optional): the ``P`` of each row (each once) of a plain
            array. (default: :obj:`None`, ``1, 2, ...``)
        q_values (Sequence[int], optional): the ``Q`` of each column (each once) of a
            plain array. (default: :obj:`None`, ``1, 2, ...``)
        kind (str, optional): :obj:`"both"`, :obj:`"heatmap"` or
            :obj:`"surface"`. (default: :obj:`"both"`)
        cmap (str or matplotlib.colors.Colormap, optional): colour map.
            (default: :obj:`"viridis"`)
        ax (matplotlib.axes.Axes or Sequence[matplotlib.axes.Axes], optional):
            one axes (:obj:`"heatmap"`), one 3-D axes (:obj:`"surface"`) or
            a pair ``(heatmap axes, 3-D axes)`` (:obj:`"both"`).
            (default: :obj:`None`, a new figure)
        path (str or os.PathLike, optional): write the figure there: PNG, PDF
            or SVG by its suffix (none: PNG, ``.png`` added).
            (default: :obj:`None`, not written)
        higher_is_better (bool, optional): which cell is framed as the best.
            (default: :obj:`None`, the lowest for a metric whose name ends in
            ``loss`` or is in :data:`LOWER_IS_BETTER`, else the highest)

    Returns:
        matplotlib.figure.Figure: the figure; the best cell's frame on the
        heatmap has gid ``"best"``; a cell whose tested model has LEGO's
        operator A at its start (``operator_at_start`` of the sweep's records)
        is hatched, gid ``"at_start"``: P and Q did not change that model.
    """
    if kind not in PLOT_KINDS:
        raise ValueError(f"kind must be one of {PLOT_KINDS}, got {kind!r}")
    check_flag("higher_is_better", higher_is_better, optional=True)
    mean, std, ps, qs, info = load_pq_grid(results, metric=metric, dataset=dataset,
                                           method=method, setting=setting,
                                           p_values=p_values, q_values=q_values)
    if np.isinf(mean).any():  # NaN is a cell not run; an infinite one has no colour
        cells = [(int(ps[i]), int(qs[j])) for i, j in np.argwhere(np.isinf(mean))]
        raise ValueError(f"results hold infinite values at (P, Q) = {cells[:5]}")
    if not np.isfinite(mean).any():
        raise ValueError("results hold no finite metric value")
    name = info["metric"]
    if ax is None:
        if kind == "both":
            fig = made_figure((12, 5))
            heat_ax = fig.add_subplot(1, 2, 1)
            surf_ax = fig.add_subplot(1, 2, 2, projection="3d")
        else:
            fig = made_figure((6.2, 5))
            heat_ax = fig.add_subplot() if kind == "heatmap" else None
            surf_ax = fig.add_subplot(projection="3d") if kind == "surface" else None
    else:
        axes = list(ax) if isinstance(ax, (list, tuple, np.ndarray)) else [ax]
        need = 2 if kind == "both" else 1
        if len(axes) != need or not all(isinstance(a, Axes) for a in axes):
            raise ValueError(f"ax must be {need} matplotlib Axes for kind={kind!r}")
        heat_ax = axes[0] if kind in ("both", "heatmap") else None
        surf_ax = axes[-1] if kind in ("both", "surface") else None
        if surf_ax is not None and getattr(surf_ax, "name", "") != "3d":
            # 'the surface needs a 3-D axes' named no argument
            raise ValueError(f"ax{'[1]' if kind == 'both' else ''} must be a 3-D axes for "
                             f"the surface (fig.add_subplot(projection='3d')), got a "
                             f"{getattr(surf_ax, 'name', type(surf_ax).__name__)!r} axes")
        fig = axes[0].figure
    vmin, vmax = float(np.nanmin(mean)), float(np.nanmax(mean))
    if higher_is_better is None:
        higher_is_better = not (name in LOWER_IS_BETTER or name.endswith("loss"))
    best = np.unravel_index((np.nanargmax if higher_is_better else np.nanargmin)(mean),
                            mean.shape)
    # the frame marks the first of equal cells (short runs tie often): say so
    ties = int(np.isclose(mean, mean[best], rtol=0.0, atol=1e-12).sum())
    subtitle = ", ".join(str(v) for v in (info.get("dataset"), info.get("setting"),
                                          info.get("method")) if v)
    runs = _runs_note(info)
    spread = std is not None and mean.size <= 30  # the cells write their ± std
    heat_runs = _runs_note(info, spread=spread)
    if info.get("sources"):  # the sources the sweep's P and Q count the powers of
        first, rest = info["sources"]
        p_of = f"$R_{{{tex_name(first)}}}$"
        q_of = ", ".join(f"$R_{{{tex_name(s)}}}$" for s in rest)
    else:
        p_of, q_of = "$R_a$", "$R_b$"

    if heat_ax is not None:
        im = heat_ax.imshow(np.ma.masked_invalid(mean), origin="lower", cmap=cmap,
                            vmin=vmin, vmax=vmax, aspect="auto",
                            interpolation="nearest")
        heat_ax.set_xticks(range(len(qs)), [str(q) for q in qs])
        heat_ax.set_yticks(range(len(ps)), [str(p) for p in ps])
        heat_ax.set_xlabel(f"Q (powers of {q_of})")
        heat_ax.set_ylabel(f"P (powers of {p_of})")
        if mean.size <= 100:
            for (i, j), v in np.ndenumerate(mean):
                if not np.isfinite(v):
                    continue
                # a metric under 0.0005 (a small loss) read "0.000" in every cell
                text = (f"{v:.3g}" if abs(v) >= 10 else f"{v:.3f}"
                        if v == 0 or abs(v) >= 0.0005 else f"{v:.2g}")
                if spread and np.isfinite(std[i, j]) and std[i, j] > 0:
                    text += f"\n±{std[i, j]:.2g}"
                bright = (v - vmin) / (vmax - vmin or 1.0) > 0.6
                heat_ax.text(j, i, text, ha="center", va="center", fontsize=7,
                             color="black" if bright else "white")
        frame = Rectangle((best[1] - 0.5, best[0] - 0.5), 1, 1, fill=False,
                          edgecolor="red", linewidth=2.5, gid="best",
                          label=f"best ({'highest' if higher_is_better else 'lowest'} "
                                f"{name}): P={ps[best[0]]}, Q={qs[best[1]]}" + (
                                    f", tied with {ties - 1} more" if ties > 1 else ""))
        heat_ax.add_patch(frame)
        marked = info.get("at_start")
        for n, (i, j) in enumerate(np.argwhere(marked) if marked is not None else ()):
            heat_ax.add_patch(Rectangle(
                (j - 0.5, i - 0.5), 1, 1, fill=False, hatch="//", edgecolor="0.5",
                linewidth=0, gid="at_start",
                label=None if n else "tested with A at its start (untrained): the same for every P, Q"))
        heat_ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.12),
                       fontsize=8, frameon=False)
        fig.colorbar(im, ax=heat_ax, label=name, shrink=0.85)
        heat_ax.set_title(fit_lines(f"{name} over (P, Q)" + (f": {subtitle}" if subtitle else "")
                                    + (f"\n{heat_runs}" if heat_runs else ""),
                                    axes_width(heat_ax), 10), fontsize=10)
    if surf_ax is not None:
        qq, pp = np.meshgrid(qs.astype(float), ps.astype(float))
        if min(mean.shape) > 1:
            surf_ax.plot_surface(qq, pp, np.ma.masked_invalid(mean), cmap=cmap,
                                 vmin=vmin, vmax=vmax, edgecolor="k", linewidth=0.2,
                                 alpha=0.95)
            # a facet's colour is the mean of its corners (a 2 x 2 sweep: one
            # colour for all four cells); the measured cells keep their own
            ok = np.isfinite(mean)
            surf_ax.scatter(qq[ok], pp[ok], mean[ok], c=mean[ok], cmap=cmap, vmin=vmin,
                            vmax=vmax, s=24, edgecolors="k", linewidths=0.5,
                            depthshade=False, gid="cells")
        else:  # one value of P or of Q: a surface needs 2 x 2 points, a line does not
            surf_ax.plot(qq.ravel(), pp.ravel(), mean.ravel(), marker="o", color="k")
        surf_ax.set_xticks(qs.astype(float), [str(q) for q in qs])
        surf_ax.set_yticks(ps.astype(float), [str(p) for p in ps])
        surf_ax.tick_params(axis="z", labelsize=7)
        surf_ax.set_xlabel(f"Q ({q_of})")
        surf_ax.set_ylabel(f"P ({p_of})")
        surf_ax.set_zlabel(name, labelpad=10)
        # alone (kind="surface") it names the data as the heatmap does
        surf_ax.set_title(fit_lines(f"{name} surface" + (
            f": {subtitle}" + (f"\n{runs}" if runs else "") if heat_ax is None and subtitle
            else ""), axes_width(surf_ax), 10), fontsize=10)
    return finish(fig, path)


def _runs_note(info, spread: bool = False) -> str:
    # "mean ± std over seeds 0, 1; 2 epochs": what each cell shows (± std
    # only where the cells write it)
    seeds, epochs = info.get("seeds") or [], info.get("epochs") or []
    parts = []
    if seeds:
        parts.append(("seed " if len(seeds) == 1 else
                      f"mean{' ± std' if spread else ''} over seeds ")
                     + ", ".join(map(str, seeds)))
    if epochs:
        parts.append(f"{epochs[0]} epochs" if len(epochs) == 1
                     else f"{epochs[0]}-{epochs[-1]} epochs")
    return "; ".join(parts)
