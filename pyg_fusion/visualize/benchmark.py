"""Time and peak memory of the dense and sparse backends against N."""
from __future__ import annotations

import math
from collections import defaultdict

import numpy as np

from matplotlib.ticker import FuncFormatter, NullFormatter

from .._option_rules import is_finite_real
from ._common import MAX_MAGNITUDE, closes_on_error, finish, new_grid, to_numpy
from ._values import read_json

_STYLE = {"dense": ("tab:orange", "o", "-"), "sparse": ("tab:blue", "s", "-"),
          "auto": ("tab:green", "^", ":")}


def load_benchmark(bench) -> dict:
    """The benchmark JSON of ``benchmarks/sparse_vs_dense.py --json FILE``,
    checked for its ``rows``.

    Args:
        bench (str, os.PathLike or dict): the path of the JSON file, or its
            parsed dict.

    Returns:
        dict: the benchmark, whose ``rows`` list holds dicts with at least
        ``"N"``, ``"backend"`` and ``"time_s"``.
    """
    bench = read_json("bench_json", bench)
    if not isinstance(bench, dict) or not isinstance(bench.get("rows"), list):
        raise ValueError("bench_json must be a dict with a 'rows' list (the output "
                         "of benchmarks/sparse_vs_dense.py --json)")
    for i, r in enumerate(bench["rows"]):
        if not isinstance(r, dict):
            raise ValueError(f"bench_json rows[{i}] must be a dict (a row), got {r!r}")
        missing = [k for k in ("N", "backend", "time_s") if k not in r]
        if missing:
            raise ValueError(f"bench_json rows[{i}] lacks {missing}")
        # drawn on log axes: matplotlib's errors named no row
        for key in ("N", "time_s", "peak_mem_mb"):
            if r.get(key) is not None and not _positive(r[key]):
                raise ValueError(f"bench_json rows[{i}] {key!r} must be a positive number "
                                 f"{_AT_MOST} (or null where not measured), got "
                                 f"{_short(r[key])}")
        times = r.get("times")
        if times is not None and not (isinstance(times, list) and all(map(_positive, times))):
            raise ValueError(f"bench_json rows[{i}] 'times' must be a list of positive "
                             f"numbers {_AT_MOST}, got {_short(times)}")
    return bench


# a plot's axes span values up to MAX_MAGNITUDE (a time of 1e308 was refused as
# the crossover's 'first', a name the caller never gave); an int past int64 (an
# N of 10**300) made an array of objects, on which numpy's isfinite failed
_AT_MOST = f"of at most {MAX_MAGNITUDE:.0e} (an int below 2**63)"


def _positive(x) -> bool:
    return (is_finite_real(x) and 0 < x <= MAX_MAGNITUDE
            and not (isinstance(x, int) and x >= 2 ** 63))


def _short(value) -> str:
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


def crossover(n, first, second) -> float | None:
    """The smallest ``N`` where ``second`` stops being larger than ``first``
    (e.g. where the sparse backend becomes faster than the dense one),
    interpolated linearly in log-log between the two measured sizes around it.

    Args:
        n (Sequence[float]): the measured sizes, increasing.
        first (Sequence[float]): the first series at ``n`` (positive, e.g.
            the dense backend's times).
        second (Sequence[float]): the second series at ``n`` (positive, e.g.
            the sparse backend's times).

    Returns:
        float or None: the crossover ``N``; :obj:`None` if ``second`` is not
        larger than ``first`` at the first size, or stays larger at every
        size.
    """
    n, a, b = (to_numpy(name, v, dims=(1, )) for name, v in (("n", n), ("first", first),
                                                              ("second", second)))
    if not len(n) == len(a) == len(b):
        raise ValueError(f"n, first and second must have one value per size, got "
                         f"{len(n)}, {len(a)} and {len(b)}")
    for name, v in (("n", n), ("first", a), ("second", b)):
        if (v <= 0).any():  # their logarithms are interpolated
            raise ValueError(f"{name} must be positive, got {v.tolist()}")
    if (np.diff(n) <= 0).any():
        raise ValueError(f"n must be increasing, got {n.tolist()}")
    r = np.log(b) - np.log(a)
    if len(r) == 0 or r[0] <= 0:
        return None
    for i in range(1, len(r)):
        if r[i] <= 0:
            x0, x1 = math.log(n[i - 1]), math.log(n[i])
            return float(math.exp(x0 + (x1 - x0) * r[i - 1] / (r[i - 1] - r[i])))
    return None


@closes_on_error
def plot_sparse_vs_dense(bench_json, *, batch=None, scatter=None, ax=None, path=None):
    r"""Draws time and peak memory of one LEGO forward pass against the number
    of nodes :math:`N`, log-log, for the dense and sparse backends, with the
    crossover (the :math:`N` from which the sparse backend is cheaper) marked.

    Args:
        bench_json (str, os.PathLike or dict): the path to, or the dict of,
            the JSON written by ``benchmarks/sparse_vs_dense.py --json FILE``:
            ``{"machine", "config", "rows": [{"N", "batch", "backend",
            "scatter", "time_s", "times", "peak_mem_mb", "status"}]}``.
        batch (int, optional): the batch size whose rows to draw (one of the
            benchmark's). (default: :obj:`None`, per N, its smallest batch:
            the benchmark batches many graphs only at the smallest N)
        scatter (str, optional): the scatter implementation whose rows to
            draw (:obj:`"native"` or :obj:`"torch_scatter"`, one of the
            benchmark's). (default: :obj:`None`, every one, as separate lines)
        ax (Sequence[matplotlib.axes.Axes], optional): a pair of axes (time,
            memory), drawn into without setting their figure's title (the
            backends' runs that did not run are listed under the time axes).
            (default: :obj:`None`, a new figure, titled)
        path (str or os.PathLike, optional): write the figure there: PNG, PDF
            or SVG by its suffix (none: PNG, ``.png`` added).
            (default: :obj:`None`, not written)

    Returns:
        matplotlib.figure.Figure: the figure; one line per backend and
        scatter implementation per panel, the crossover as a vertical line
        with gid ``"crossover"``. Rows that did not run are listed under the
        panels. A new figure has one legend, right of the panels; axes given
        as ``ax`` each get their own.
    """
    bench = load_benchmark(bench_json)
    rows = bench["rows"]
    if not rows:
        raise ValueError("bench_json holds no rows")
    batches = sorted({r.get("batch", 1) for r in rows})
    if batch is None:
        # One configuration per N (the benchmark batches many small graphs at
        # the smallest N): keep, per N, the rows of its smallest batch.
        smallest = {}
        for r in rows:
            smallest[r["N"]] = min(smallest.get(r["N"], r.get("batch", 1)), r.get("batch", 1))
        rows = [r for r in rows if r.get("batch", 1) == smallest[r["N"]]]
    elif batch not in batches:
        raise ValueError(f"batch={batch} is not in the benchmark; it has {batches}")
    else:
        rows = [r for r in rows if r.get("batch", 1) == batch]
    scatters = sorted({r.get("scatter", "native") for r in rows})
    if scatter is not None:
        if scatter not in scatters:
            raise ValueError(f"scatter={scatter!r} is not in the benchmark; it has "
                             f"{scatters}")
        rows = [r for r in rows if r.get("scatter", "native") == scatter]
        scatters = [scatter]

    series: dict[tuple[str, str], list[dict]] = defaultdict(list)
    skipped = []
    for r in rows:
        ok = r.get("time_s") is not None and str(r.get("status", "ok")) == "ok"
        if ok:
            series[(r["backend"], r.get("scatter", "native"))].append(r)
        else:
            skipped.append(r)

    fig, axes = new_grid(ax, 1, 2, panel_size=(5.2, 4.2))
    t_ax, m_ax = axes[0]
    for (backend, sc), rs in sorted(series.items()):
        rs = sorted(rs, key=lambda r: r["N"])
        n = [r["N"] for r in rs]
        colour, marker, ls = _STYLE.get(backend, ("0.4", "d", "--"))
        if sc == "torch_scatter":
            ls = "--"
        label = backend if len(scatters) == 1 else f"{backend} ({sc})"
        t_ax.plot(n, [r["time_s"] for r in rs], color=colour, marker=marker, ls=ls,
                  label=label, gid=f"time:{backend}:{sc}")
        lo = [min(r.get("times") or [r["time_s"]]) for r in rs]
        hi = [max(r.get("times") or [r["time_s"]]) for r in rs]
        t_ax.fill_between(n, lo, hi, color=colour, alpha=0.15, lw=0)
        mem = [(r["N"], r["peak_mem_mb"]) for r in rs if r.get("peak_mem_mb")]
        if mem:
            m_ax.plot(*zip(*mem), color=colour, marker=marker, ls=ls, label=label,
                      gid=f"mem:{backend}:{sc}")
        for r in rs:
            if r.get("batch", 1) > 1 and backend == "dense":
                t_ax.annotate(f"{r['batch']} graphs", (r["N"], r["time_s"]), fontsize=7,
                              xytext=(4, -10), textcoords="offset points", color="0.3")

    for a, key, unit in ((t_ax, "time_s", "time (s)"),
                         (m_ax, "peak_mem_mb", "peak memory (MiB)")):
        for sc in scatters:
            x = _crossover_of(series, key, sc)
            if x is not None:
                a.axvline(x, color="0.3", ls="--", lw=1, gid="crossover")
                a.annotate(f"crossover\nN ≈ {x:.0f}", (x, 0.96), xycoords=("data", "axes fraction"),
                           ha="left", va="top", fontsize=8, xytext=(4, 0),
                           textcoords="offset points")
        a.set_xscale("log")
        a.set_yscale("log")
        sizes = sorted({r["N"] for r in rows})
        if 0 < len(sizes) <= 12:
            # the measured sizes as plain numbers, not 3x10^1
            a.set_xticks(sizes, [str(x) for x in sizes])
            a.xaxis.set_minor_formatter(NullFormatter())
        a.yaxis.set_major_formatter(FuncFormatter(_plain))
        a.yaxis.set_minor_formatter(FuncFormatter(_plain_minor))
        a.set_xlabel("N (nodes)")
        a.set_ylabel(unit)
        a.grid(True, which="both", alpha=0.25)
        if a.lines and ax is not None:
            a.legend(fontsize=8, loc="best")
    if ax is None:
        # one legend for both panels, outside them: inside, 'best' still hid
        # points (the dense backend's largest N under the memory legend)
        entries = {}
        for a in (t_ax, m_ax):
            for h, lab in zip(*a.get_legend_handles_labels()):
                entries.setdefault(lab, h)
        if entries:
            # at the right: above the panels it ran into the figure's title
            fig.legend(list(entries.values()), list(entries), loc="outside right upper",
                       fontsize=8, frameon=False)
    for a in (t_ax, m_ax):
        if a.lines and _labelled(*a.get_ylim()) < 2:
            # a range under a few fold (memory 350..800 MiB) shows one or no
            # 1x / 2x / 5x tick: label every minor tick, or the axis reads nothing
            a.yaxis.set_minor_formatter(FuncFormatter(_plain))
    t_ax.set_title("time", fontsize=10)
    m_ax.set_title("peak memory", fontsize=10)
    if not m_ax.lines:
        m_ax.set_axis_off()
        m_ax.text(0.5, 0.5, "no memory measurements in this benchmark", ha="center",
                  va="center", transform=m_ax.transAxes, color="0.4")
    used = sorted({r.get("batch", 1) for r in rows})
    head = "sparse vs dense backends"
    if len(used) == 1 and used[0] > 1:
        head += f" (batch of {used[0]} graphs)"
    elif len(used) > 1:
        head += " (one graph per N, a batch at the smallest N)"
    machine = bench.get("machine")
    if isinstance(machine, dict):
        desc = [str(machine[k]) for k in ("device", "gpu", "cpu", "processor")
                if machine.get(k)]
        if desc:
            head += f", {desc[0]}"
    if ax is None:  # a caller's figure keeps its own title
        fig.suptitle(head, fontsize=11)
    if skipped:
        # one row a line (a line of all ran past a 10-inch figure), as the
        # figure's x label, for which the layout makes room: a plain fig.text
        # at the bottom was drawn over the panels' 'N (nodes)'
        note = "\n".join(f"{r['backend']} N={r['N']}: {r.get('status', 'did not run')}"
                          for r in sorted(skipped, key=lambda r: (r["backend"], r["N"]))[:4])
        if len(skipped) > 4:
            note += f"\nand {len(skipped) - 4} more"
        if ax is None:
            fig.supxlabel("not run: " + note, fontsize=7, color="0.35")
        else:  # under the caller's axes, not as their figure's x label
            t_ax.set_xlabel(f"{t_ax.get_xlabel()}\nnot run: {note}")
    return finish(fig, path)


def _plain(value, _pos=None) -> str:
    # 0.1, 10, 2000 rather than 10^-1, 10^1, 2x10^3
    return f"{value:g}"


def _plain_minor(value, _pos=None) -> str:
    # label the minor ticks 2x and 5x a power of ten, so short axes still read
    mantissa = value / 10 ** math.floor(math.log10(value)) if value > 0 else 0
    return f"{value:g}" if round(mantissa, 6) in (2.0, 5.0) else ""


def _labelled(lo: float, hi: float) -> int:
    """How many ticks of a log axis over ``[lo, hi]`` :func:`_plain` and
    :func:`_plain_minor` label (1x, 2x and 5x a power of ten)."""
    if not (0 < lo < hi):
        return 0
    return sum(lo <= m * 10.0 ** k <= hi for k in range(math.floor(math.log10(lo)),
                                                      math.floor(math.log10(hi)) + 1)
               for m in (1, 2, 5))


def _crossover_of(series, key, sc) -> float | None:
    dense = {r["N"]: r[key] for r in series.get(("dense", sc), []) if r.get(key)}
    sparse = {r["N"]: r[key] for r in series.get(("sparse", sc), []) if r.get(key)}
    common = sorted(set(dense) & set(sparse))
    if len(common) < 2:
        return None
    return crossover(common, [dense[n] for n in common], [sparse[n] for n in common])
