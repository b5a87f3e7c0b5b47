"""Renders the ``results.json`` of ``pyg-fusion compare`` as a Markdown table
(one per dataset and setting, one row per method; ``mean ± std`` over the
seeds, the mean alone for one seed, in percent for accuracy and ranking
metrics; the number of seeds). A file of several runs (a study's, whose
records repeat a method's metric) gets a table per run, headed by the
recorded fields that tell the runs apart (the command, a variant).

    python benchmarks/results_table.py runs/digits/results.json
"""
from __future__ import annotations

import json
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

# the held-out metric beside each task's test metrics in the default columns
# (node: the one its epoch is chosen on; VAD: the loss, the default choice)
HELD_OUT = {"node": "val_accuracy", "vad": "val_loss"}
# the accuracy and ranking metrics (AUCs, AP), held-out ones and those of a
# restarts run's chosen and ensemble scores included
_RANKING = ("auc", "ap", "pr_auc_trapz", "val_video_auc", "val_pseudo_auc")
PERCENT = ("accuracy", "val_accuracy", *_RANKING,
           *(f"{kind}_{m}" for kind in ("chosen", "ensemble") for m in _RANKING))


def default_metrics(records: list[dict]) -> list[str]:
    """The columns of ``records`` when ``--metrics`` is not given: per task
    whose main metric they hold (node: accuracy, VAD: auc), its test metrics
    and held-out metric (:data:`HELD_OUT`), then ``params`` and
    ``time_per_epoch_s``; records of neither task: every metric they hold."""
    from pyg_fusion.experiments.records import METRICS
    held = list(dict.fromkeys(r["metric"] for r in records))
    tasks = [t for t, names in METRICS.items() if names[0] in held]
    if not tasks:
        return held
    return list(dict.fromkeys([m for t in tasks for m in (*METRICS[t], HELD_OUT[t])]
                              + ["params", "time_per_epoch_s"]))


def markdown(records: list[dict], metrics: list[str] | None = None) -> str:
    """One table per dataset and setting (``metrics`` ``None``: each table's
    :func:`default_metrics`), and per run where the records are several
    runs' (:func:`runs`): ``mean ± std`` over the seeds, the mean alone for
    one seed (which has no spread), and the number of seeds, as
    ``results.txt`` has them."""
    groups = list(dict.fromkeys((r.get("dataset"), r.get("setting")) for r in records))
    if len(groups) > 1:  # a row holds one dataset's and setting's numbers
        named = len({d for d, _ in groups}) > 1
        return "\n\n".join(f"**{f'{d}, ' if named else ''}{s}**\n\n" + markdown(
            [r for r in records if (r.get("dataset"), r.get("setting")) == (d, s)], metrics)
            for d, s in groups)
    split = runs(records)
    if len(split) > 1:
        return "\n\n".join(f"*{said}*\n\n" + markdown(run, metrics) for said, run in split)
    metrics = metrics or default_metrics(records)
    methods = list(dict.fromkeys(r["method"] for r in records))
    get = {(r["method"], r["metric"]): r for r in records}
    lines = ["| method | " + " | ".join(metrics) + " | seeds |",
             "|---" * (len(metrics) + 2) + "|"]
    for m in methods:
        cells = [cell(get.get((m, metric)), metric) for metric in metrics]
        cells.append(seeds_cell(records, m))
        lines.append(f"| {m} | " + " | ".join(cells) + " |")
    return "\n".join(lines)


# what a record measured; its other fields say which run made it (command, variant, ...)
MEASURED = ("dataset", "setting", "method", "metric", "mean", "std", "seeds", "values",
            "config", "versions")


def runs(records: list[dict]) -> list[tuple[str, list[dict]]]:
    """The records of one dataset and setting as one run's, or, where a
    method's metric is recorded more than once (a study's file: runs of
    several commands or variants), per run: the fields beside the
    measurement (:data:`MEASURED`; ``config`` is each method's own) whose
    values differ, said as ``field: value``, and that run's records. Without
    this, the last record of each method's metric was its row, the other
    runs' dropped without a word."""
    if len({(r["method"], r["metric"]) for r in records}) == len(records):
        return [("", records)]

    def shown(value) -> str:
        return json.dumps(value, sort_keys=True, default=str) if not isinstance(value, str) \
            else value
    fields = [k for k in dict.fromkeys(k for r in records for k in r)
              if k not in MEASURED and len({shown(r.get(k)) for r in records}) > 1]
    split: dict[tuple, list[dict]] = {}
    for r in records:
        split.setdefault(tuple(shown(r.get(k)) for k in fields), []).append(r)
    for run in split.values():
        twice = [(r["method"], r["metric"]) for r in run]
        twice = next((m for m in twice if twice.count(m) > 1), None)
        if twice:
            raise ValueError(f"{twice[0]}'s {twice[1]} of {run[0].get('dataset')} "
                             f"({run[0].get('setting')}) is recorded more than once, and no "
                             "field but its numbers tells the records apart: give one run's "
                             "records")
    return [(", ".join(f"{k}: `{v}`" for k, v in zip(fields, key)), run)
            for key, run in split.items()]


def cell(r: dict | None, metric: str) -> str:
    """The cell of the record ``r`` of ``metric`` (``-`` for ``None``):
    ``mean ± std`` over the seeds, the mean alone for one seed (which has no
    spread), in percent for :data:`PERCENT`; ``params`` as a whole number,
    other metrics to 3 decimals."""
    if r is None:
        return "-"
    from pyg_fusion._files import nan_for_null
    # null: a NaN or Inf (a diverged seed's), as write_json writes it: "nan" as before
    mean, std = (nan_for_null(r.get(k)) for k in ("mean", "std"))
    if metric in PERCENT:
        one = len(r.get("seeds", ())) == 1
        return (f"{100 * mean:.2f}" if one
                else f"{100 * mean:.2f} ± {100 * std:.2f}")
    if metric == "params":
        return f"{int(mean):,}"
    return f"{mean:.3f}"


def seeds_cell(records: list[dict], method: str) -> str:
    """The numbers of seeds of ``method``'s records (``5``, or ``5/4`` where
    they differ; ``-`` for records without seeds)."""
    seeds = sorted({len(r["seeds"]) for r in records if r["method"] == method and "seeds" in r})
    return "/".join(map(str, seeds)) or "-"


def main(argv=None) -> int:
    from _cli import parser, read_json
    p = parser(__file__, __doc__.split("\n\n")[0])
    p.add_argument("results", help="a results.json of pyg-fusion compare")
    p.add_argument("--metrics", default=None,
                   help="comma-separated metrics, the columns (default: per task, from what "
                   "each setting's records hold: node accuracy,val_accuracy,params,"
                   "time_per_epoch_s; VAD auc,ap,pr_auc_trapz,val_loss,params,time_per_epoch_s)")
    args = p.parse_args(argv)
    records = read_json(p, args.results)
    if not isinstance(records, list) or not all(
            isinstance(r, dict) and {"method", "metric", "mean"} <= r.keys() for r in records):
        p.error(f"{args.results}: not the records of pyg-fusion compare (a list of "
                "{method, metric, mean, std, ...})")
    metrics = None
    if args.metrics is not None:
        metrics = [m for m in args.metrics.split(",") if m]
        held = list(dict.fromkeys(r["metric"] for r in records))
        # a misspelt metric (accurracy) was a column of '-' for every method
        unknown = [m for m in metrics if m not in held]
        if not metrics or unknown:
            said = (f"no record holds {', '.join(map(repr, unknown))}" if unknown
                    else f"expected metric names, got {args.metrics!r}")
            p.error(f"--metrics: {said}; {args.results} holds {', '.join(held)}")
    from _cli import user_errors
    with user_errors("results_table.py"):  # records it cannot tell apart: one line
        text = markdown(records, metrics)
    print(text)
    return 0


if __name__ == "__main__":
    from _cli import run_script
    run_script(main)
