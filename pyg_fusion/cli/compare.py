"""``pyg-fusion compare``: methods x seeds -> a mean ± std table and
``results.json``."""
from __future__ import annotations

from pathlib import Path

from ._help import HelpFormatter
from . import CLIError
from ._runs import (METRICS, add_dataset_args, add_training_args, format_table, is_main_process,
                    load_data, make_records, options_from_args, run_method, write_json)

HELP = "train several methods over several seeds; print a mean ± std table"


def register(subparsers) -> None:
    p = subparsers.add_parser(
        "compare", help=HELP, description=HELP + ". Writes OUT/results.json (a list of "
        "records: dataset, setting, method, metric, mean, std, seeds, values).",
        formatter_class=HelpFormatter)
    add_dataset_args(p)
    add_training_args(p, method_default="all", seeds_default="0..4")
    p.set_defaults(func=run)


def run_grid(args, methods_spec: str, seeds: list[int], *, checkpoint: bool,
             out: Path, echo=print) -> list[dict]:
    """Trains every method on every seed; returns the records."""
    from ..methods import resolve_methods
    from tqdm.auto import tqdm
    td0 = load_data(args, seeds[0])
    try:
        methods = resolve_methods(methods_spec, td0.task, list(td0.in_channels),
                                  getattr(args, "features", None))
    except ValueError as exc:
        raise CLIError(str(exc)) from None
    records = []
    jobs = [(m, s) for m in methods for s in seeds]
    per_method: dict[str, dict[int, dict]] = {}
    bar = tqdm(jobs, desc="runs", disable=args.no_progress or len(jobs) == 1)
    cache = {seeds[0]: td0}
    for method, seed in bar:
        bar.set_postfix_str(f"{method} seed {seed}")
        if td0.task == "node" and seed not in cache:
            cache[seed] = load_data(args, seed)  # the digits' split follows the seed
        td = cache.get(seed, td0)
        r, _ = run_method(td, method, seed, out / method / f"seed{seed}",
                          options=options_from_args(args), devices=args.devices,
                          progress=not args.no_progress and len(jobs) == 1,
                          checkpoint=checkpoint)
        per_method.setdefault(method, {})[seed] = r
        if len(per_method[method]) == len(seeds):
            records += make_records(td0, method, per_method[method])
            # partial results survive an interrupted long comparison
            write_json(out / "results.partial.json", records)
    return records


def write_results(out: Path, records: list[dict]) -> None:
    """``results.json`` of a finished grid; the partial file of
    :func:`run_grid` is then stale and removed."""
    write_json(out / "results.json", records)
    (out / "results.partial.json").unlink(missing_ok=True)


def run(args) -> int:
    out = Path(args.out)
    records = run_grid(args, args.method, args.seeds, checkpoint=False, out=out)
    if not is_main_process():
        return 0
    write_results(out, records)
    task = "node" if args.dataset in ("digits", "tables") else "vad"
    print(format_table(records, METRICS[task] + ["params", "time_per_epoch_s"]))
    print(f"\nwrote {out / 'results.json'}")
    return 0
