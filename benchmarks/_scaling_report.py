"""The report of ``benchmarks/scaling.py``: its table (medians, ratios to the
anchors of the same run, busy / idle, peak memory) and its log-log figure
against N, from the rows its workers measure or from its JSON."""
from __future__ import annotations

PLOTTED = (("knn_exact_s", "kNN exact"), ("knn_approx_s", "kNN approx"),
           ("powers_s", "powers fwd"), ("scipy_s", "scipy SpGEMM + top-k"),
           ("fusion_s", "fusion fwd"), ("step_fwd_s", "LEGO step fwd"),
           ("step_bwd_s", "LEGO step bwd"), ("dense_step_s", "dense step"),
           ("bound_s", "gather + index_add bound"))


def plot(json_path: str, out: str):
    """Log-log time against N per stage (and per kind of features, when the
    file holds both: one line each, never one line through both), with a
    line of slope 1 (linear scaling) through the smallest N of the powers for
    reference. Returns the figure."""
    from matplotlib.figure import Figure  # no pyplot: no global backend state

    from pyg_fusion._files import read_json
    data = read_json(json_path)
    rows = [r for r in data["rows"] if "status" not in r]
    if not rows or not all("N" in r and "features" in r for r in rows):
        raise ValueError("no measured row of N and features")
    kinds = list(dict.fromkeys(r["features"] for r in rows))
    fig = Figure(figsize=(6.4, 4.4))
    ax = fig.add_subplot()
    for kind in kinds:
        of_kind = [r for r in rows if r["features"] == kind]
        for key, label in PLOTTED:
            pts = sorted((r["N"], r[key]) for r in of_kind if key in r)
            if pts:
                ax.plot(*zip(*pts), marker="o" if kind == kinds[0] else "s",
                        ls="-" if kind == kinds[0] else ":",
                        label=label if len(kinds) == 1 else f"{label} ({kind})")
    ref = sorted((r["N"], r["powers_s"]) for r in rows
                 if "powers_s" in r and r["features"] == kinds[0])
    if ref:
        n0, t0 = ref[0]
        ns = [n for n, _ in ref]
        ax.plot(ns, [t0 * n / n0 for n in ns], "k--", lw=1, label="slope 1 (linear)")
    ax.set_xscale("log", base=2)
    ax.set_yscale("log")
    ax.set_xlabel("N (units per source)")
    ax.set_ylabel(f"seconds (median of {data.get('repeats', 3)}, "
                  f"{data.get('worker_threads', 1)} thread(s))")
    ax.legend(fontsize=7)
    fig.tight_layout()
    from pyg_fusion._files import save_figure
    save_figure(fig, out, dpi=120)
    return fig


COLUMNS = (("knn_exact_s", "kNN exact"), ("knn_approx_s", "kNN approx"),
           ("recall", "recall@17"), ("recall_rows", "recall@17 (min(N, 2048) rows)"),
           ("powers_s", "powers fwd"), ("scipy_s", "scipy"), ("fusion_s", "fusion fwd"),
           ("step_fwd_s", "step fwd"), ("step_bwd_s", "step bwd"),
           ("dense_step_s", "dense step"), ("bound_s", "bound"), ("copy_gbs", "copy GB/s"))


def table(rows: list[dict]) -> str:
    """Markdown table of the medians (seconds), with the ratios to the
    anchors of the same run, busy / idle per stage, and each size's peak
    memory; a size whose process failed is a row that says so."""
    failed = [r for r in rows if "status" in r]
    rows = [r for r in rows if "status" not in r]
    cols = [(k, h) for k, h in COLUMNS if any(k in r for r in rows)]
    busy = [k for k, _ in COLUMNS if any(_busy_key(k) in r for r in rows)]
    ratios = (("powers / scipy", "powers_s", "scipy_s"),
              ("step / bound", "step_s", "bound_s"),
              ("dense / sparse step", "dense_step_s", "step_s"))
    head = ["N", "features"] + [h for _, h in cols]
    head += [name for name, a, b in ratios if any(_get(r, a) and _get(r, b) for r in rows)]
    peaks = ["_maxrss_gib"] + (["_gpu_peak_gib"] if any(
        k.endswith("_gpu_peak_gib") for r in rows for k in r) else [])
    head += [f"{h} busy (busy / idle)" for k, h in COLUMNS if k in busy] + ["peak GiB"]
    head += ["GPU peak GiB"] * (len(peaks) - 1)
    lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    for r in rows:
        cells = [str(r["N"]), r["features"]]
        cells += [_fmt(r.get(k)) for k, _ in cols]
        cells += [_ratio(_get(r, a), _get(r, b)) for name, a, b in ratios
                  if any(_get(q, a) and _get(q, b) for q in rows)]
        cells += [f"{_fmt(r.get(_busy_key(k)))} s, {_ratio(r.get(_busy_key(k)), r.get(k))}"
                  for k in busy]
        cells += [_fmt(max((v for k, v in r.items() if k.endswith(end)), default=None))
                  for end in peaks]
        lines.append("| " + " | ".join(cells) + " |")
    for r in failed:
        lines.append(f"| {r['N']} | {r['features']} | {r['status']} |"
                     + " |" * (len(head) - 3))
    return "\n".join(lines)


def _busy_key(key: str) -> str:
    return key[:-2] + "_busy_s" if key.endswith("_s") else key + "_busy"


def _get(row: dict, key: str):
    if key == "step_s" and "step_fwd_s" in row:
        return row["step_fwd_s"] + row["step_bwd_s"]
    return row.get(key)


def _fmt(v) -> str:
    return "-" if v is None else f"{v:.4g}"


def _ratio(a, b) -> str:
    return "-" if not a or not b else f"{a / b:.2f}x"
