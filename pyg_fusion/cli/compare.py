"""``pyg-fusion compare``: methods x seeds -> a mean ± std table and
``results.json``."""
from __future__ import annotations

from pathlib import Path

from ._help import HelpFormatter
from ._runs import add_dataset_args, add_training_args

HELP = "train several methods over several seeds; print a mean ± std table"


def register(subparsers) -> None:
    p = subparsers.add_parser(
        "compare", help=HELP, description=HELP + ". Writes OUT/results.json (a list of "
        "records: dataset, setting, method, metric, mean, std, seeds, values).",
        formatter_class=HelpFormatter)
    add_dataset_args(p)
    add_training_args(p, method_default="all", seeds_default="0..4")
    p.set_defaults(func=run)


def run(args) -> int:
    from ..experiments.run import METRICS, format_table, is_main_process, write_results
    from ._runs import grid
    out = Path(args.out)
    records = grid(args, checkpoint=False, out=out)
    if not is_main_process():
        return 0
    write_results(out, records)
    task = "node" if args.dataset in ("digits", "tables") else "vad"
    print(format_table(records, METRICS[task] + ["params", "time_per_epoch_s"]))
    print(f"\nwrote {out / 'results.json'}")
    return 0
