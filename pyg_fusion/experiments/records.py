"""The records of a grid of runs (:func:`~.run.run_grid`, and the
``evaluate``, ``sweep`` and ``demo`` commands): one per metric, its mean and
std over the seeds (:func:`make_records`), their plain-text table
(:func:`format_table`) and the grid's files, ``results.partial.json`` while it
runs and ``results.json`` once finished (:func:`write_results`)."""
from __future__ import annotations

import math
import statistics
from pathlib import Path
from typing import Any

from .._files import nan_for_null, write_json
from .._versions import library_versions
from .data import TaskData

METRICS = {"node": ["accuracy"], "vad": ["auc", "ap", "pr_auc_trapz"]}


def make_records(td: TaskData, method: str, per_seed: dict[int, dict[str, float]],
                 extra: dict[str, Any] | None = None) -> list[dict[str, Any]]:
    """One record per metric: mean and (sample) std over the seeds (NaN for
    one seed, whose spread was not measured: ``null`` in the JSON), and the
    versions that computed them (``versions``: pyg_fusion, torch,
    torch_geometric, numpy, Python). A ``config`` of ``extra`` is recorded
    with the seeds (``seeds``, as ``--print-config`` writes them): read back
    with ``--config`` it reruns these seeds, not the default one.

    Args:
        td (TaskData): the data the runs used (its dataset and setting are recorded).
        method (str): the method's name.
        per_seed (dict[int, dict[str, float]]): ``{seed: {metric: value}}``.
        extra (dict, optional): more keys for every record (e.g. the config).
            (default: :obj:`None`)
    """
    seeds = sorted(per_seed)
    versions = library_versions()
    extra = dict(extra or {})
    if isinstance(extra.get("config"), dict):
        extra["config"] = {**extra["config"], "seeds": seeds}
    out = []
    names = [m for m in next(iter(per_seed.values())) if not m.startswith("_")]
    for metric in names:
        vals = [float(per_seed[s][metric]) for s in seeds]
        out.append({"dataset": td.dataset, "setting": td.setting, "method": method,
                    "metric": metric, "mean": statistics.fmean(vals),
                    "std": statistics.stdev(vals) if len(vals) > 1 else math.nan,
                    "seeds": seeds, "values": vals, **extra, "versions": versions})
    return out


def format_table(records: list[dict], metrics: list[str] | None = None) -> str:
    """A plain-text table: one row per (dataset, setting, method), one column
    per metric, ``mean ± std`` over the seeds (the mean alone where the std is
    not a number: one seed, whose spread was not measured, also in records
    that wrote it 0; a seed's NaN), and the number of seeds.

    Args:
        records (list[dict]): records of :func:`make_records`.
        metrics (list[str], optional): the columns, in order. (default: :obj:`None`, every
            metric of the records)
    """
    rows: dict[tuple, dict[str, dict]] = {}
    seen: list[str] = []
    for r in records:
        key = (r["dataset"], r["setting"], r["method"])
        rows.setdefault(key, {})[r["metric"]] = r
        if r["metric"] not in seen:
            seen.append(r["metric"])
    metrics = metrics or seen
    head = ["dataset", "setting", "method", *metrics, "seeds"]
    body = []
    for key, ms in rows.items():
        cells = list(key)
        seeds = {len(r.get("seeds", [])) for r in ms.values()}
        for m in metrics:
            r = ms.get(m)
            if r is None:
                cells.append("-")
            elif m == "params":
                cells.append(f"{int(r['mean']):,}")
            elif m == "time_per_epoch_s":
                cells.append(f"{r['mean']:.3f}")
            else:  # (JSON's null is NaN)
                mean, std = nan_for_null(r["mean"]), nan_for_null(r.get("std"))
                spread = len(r.get("seeds", [])) > 1 and math.isfinite(std)
                cells.append(f"{mean:.4f}" + (f" ± {std:.4f}" if spread else ""))
        cells.append("/".join(map(str, sorted(seeds))))
        body.append(cells)
    widths = [max(len(str(c)) for c in col) for col in zip(head, *body)]
    line = lambda cells: "  ".join(str(c).ljust(w) for c, w in zip(cells, widths))  # noqa: E731
    return "\n".join([line(head), line(["-" * w for w in widths]), *map(line, body)])


def _write_partial(out: Path, records: list[dict], td0: TaskData, method: str,
                   per_method: dict[str, dict[int, dict]], configs: dict[str, dict],
                   hardware: dict, seeds: list[int]) -> None:
    """Adds ``method``'s records to ``records`` once all its seeds finished,
    and writes ``out/results.partial.json``: every finished run survives an
    interrupted long comparison (a method's records list the seeds they hold:
    those finished so far)."""
    done = make_records(td0, method, per_method[method],
                        extra={"config": configs[method], **hardware})
    if len(per_method[method]) == len(seeds):
        records += done
        done = []
    write_json(out / "results.partial.json", records + done)


def write_results(out: Path, records: list[dict], name: str = "results") -> None:
    """``<name>.json`` of a finished grid; the partial file of
    :func:`run_grid` is then stale and removed, and an earlier grid's table
    and figure (``<name>.txt``, ``<name>.png``) are removed first, so that an
    interruption before this grid's are written never leaves them beside
    this grid's records.

    Args:
        out (Path): the grid's folder.
        records (list[dict]): the records of :func:`run_grid`.
        name (str, optional): the files' stem (``"sweep"`` for
            ``pyg-fusion sweep``). (default: :obj:`"results"`)
    """
    for suffix in (".txt", ".png"):
        (out / f"{name}{suffix}").unlink(missing_ok=True)
    write_json(out / f"{name}.json", records)
    (out / f"{name}.partial.json").unlink(missing_ok=True)
