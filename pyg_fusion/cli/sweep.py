"""``pyg-fusion sweep``: LEGO's sensitivity to the numbers of powers P and Q."""
from __future__ import annotations

import dataclasses
import re
import sys
from pathlib import Path

from ._help import HelpFormatter
from . import CLIError
from ._runs import (SeedsFlag, add_dataset_args, add_resume_argument, add_training_args,
                    chosen_before_data, data_config, earlier_records, int_list, notice_earlier_run,
                    options_from_args)

HELP = "grid of LEGO's powers P x Q -> metric mean ± std (JSON for plot pq-sensitivity)"

# The sweep's own default of --operator-warmup (the flag means what it means
# for train and compare; only its default differs): with VAD's "auto", the
# choice on held-out videos may test an epoch of the first phase, in which A is
# still at its start (the product or the mean of the graphs, the same for every
# P and Q), and every cell then tests the same model. With 0, A trains from the
# first epoch, so every tested model's A has trained with its cell's powers.
SWEEP_OPERATOR_WARMUP = 0
# the text that marks a cell whose tested model has A at its start
AT_START = "*"


def register(subparsers) -> None:
    p = subparsers.add_parser(
        "sweep", help=HELP, description=HELP + ". P is the number of powers of the "
        "first source (sorted by name), Q that of every other source. Writes "
        "OUT/sweep.json: a list of records with P, Q, metric, mean, std, dataset, method, "
        "seeds and operator_at_start (per seed: whether the tested model has LEGO's "
        "operator A at its start, untrained, which P and Q do not change; its cell is marked "
        f"{AT_START}; with --restarts > 1, the chosen restart's A: under --restart-combine "
        "mean, which tests the ensemble of every restart, the other members' A are not "
        "checked) and config (the cell's full config: --config reruns the cell, num_powers "
        "per source); OUT/sweep.txt: the main metric's table; OUT/sweep.png: its heatmap "
        "(and surface); OUT/P<p>_Q<q>/seed<k>/: each run's folder (VAD: its scores.json, "
        "each test video's snippet and frame scores, which `pyg-fusion plot anomaly-scores "
        "--input` draws). OUT/sweep.partial.json holds the runs finished so far, which "
        "--resume reuses after an interrupted sweep.", formatter_class=HelpFormatter)
    add_dataset_args(p, default="synthetic-vad")
    add_training_args(p, method_default="lego", seeds_default="0")
    # string defaults: argparse parses them with `type` (as if typed), and the
    # help shows them in the syntax users type (1..3, not [1, 2, 3])
    # the words of --seeds too (1 2 3): one format for every list of runs
    p.add_argument("--p", action=SeedsFlag, type=int_list, nargs="+", default="1..3",
                   metavar="P", help="values of P, e.g. 1..9 or 1,2,4 (or 1 2 4)")
    p.add_argument("--q", action=SeedsFlag, type=int_list, nargs="+", default="1..3",
                   metavar="Q", help="values of Q, e.g. 1..9 or 1,2,4 (or 1 2 4)")
    add_resume_argument(p, "sweep.partial.json", "its cell's P and Q, method's config, data, "
                        "accelerator, devices, --threads")
    for a in p._actions:
        if a.dest == "operator_warmup":
            a.default = SWEEP_OPERATOR_WARMUP
            a.help = re.sub(r" \(default: [^)]*\)$", "", a.help) + (
                f" (default for sweep: {SWEEP_OPERATOR_WARMUP}, so that the tested model's A "
                f"has trained with its cell's P and Q; train and compare: node 0, vad auto, "
                f"under which a tested epoch before A trains is marked {AT_START} in the "
                f"table)")
    p.set_defaults(func=run, check=_check_run)


def figure_kind(ps, qs) -> str:
    """The panels of a sweep's figure (``sweep.png``, and ``pyg-fusion plot
    pq-sensitivity`` of its sweep.json): the heatmap, and its surface where the
    grid has two values at least on both axes (a surface of one row or one
    cell is a line or a point).

    Args:
        ps (Sequence[int]): the values of P.
        qs (Sequence[int]): the values of Q.
    """
    return "both" if len(ps) > 1 and len(qs) > 1 else "heatmap"


def operator_at_start(metrics: dict, warmup) -> bool:
    """Whether the tested model of a run has LEGO's operator A at its start
    (A never trained: its tested epoch comes before ``operator_start_epoch``,
    or A's phase never began), which the numbers of powers do not change.
    With restarts, the metrics are the chosen restart's (its ``epoch`` and
    ``operator_start_epoch``): under ``restart_combine="mean"`` the tested
    model is the ensemble of every restart, and this says whether the chosen
    member's A is at its start, not the others' (their start epochs are not
    in the metrics).

    Args:
        metrics (dict): the run's metrics (:func:`~pyg_fusion.experiments.run.run_method`).
        warmup (int or str): the run's ``operator_warmup``.
    """
    if "epoch" not in metrics:  # the node task: A trains from the first epoch
        return False
    # "auto" records where A's phase began (None: it never did); an int is it
    start = metrics.get("operator_start_epoch", warmup if isinstance(warmup, int) else 0)
    return start is None or metrics["epoch"] < start


def check_sweep(args) -> None:
    """The sweep's own settings, checked as its ``check``
    (:func:`pyg_fusion.cli.main` calls it before torch's threads are set and
    Lightning loads, which took seconds) and by ``--print-config`` before it
    prints (its YAML then runs): one LEGO method, its options, and no
    --num-powers besides the grid's."""
    from ..experiments.data import task_of
    from ..specs.components import LEGO_METHODS
    from ..specs.method_spec import MethodSpec, check_options
    # the methods with numbers of powers to sweep (lego-row: VAD only, which the
    # library says for a node dataset); one name: a list would reach the library unnamed
    if args.method not in LEGO_METHODS:
        from .._option_rules import near_name
        from ._parser import method_elsewhere
        # a list, or another method (graph-mean), is no typo of one
        close = (near_name(args.method, LEGO_METHODS) if "," not in args.method
                 and not method_elsewhere(args.method) else None)
        raise CLIError(f"--method must be lego or lego-cp (or VAD's lego-row) for a sweep: "
                       f"one LEGO method, whose powers the grid sets; got {args.method!r}"
                       + (f" (maybe you meant {close!r}?)" if close else ""))
    options = options_from_args(args)
    given = options.pop("num_powers", None)
    # the grid sets the powers; a --num-powers away from the method's default
    # (a printed config holds the default) would be recorded but never run
    setting = {"features": options["features"]} if "features" in options else {}
    # an option that the method does not read would be recorded as if used
    check_options(task_of(args.dataset), options, [args.method])
    chosen_before_data(args.method, data_config(args), options)  # as train's (--topk)
    if given is not None and given != MethodSpec.create(args.method, task_of(args.dataset),
                                                         setting).powers.num_powers:
        raise CLIError(f"--num-powers {given}: a sweep sets the numbers of powers from --p "
                       f"and --q")


def _check_run(args) -> None:
    """sweep's ``check``: its settings (:func:`check_sweep`, which
    ``--print-config`` checks too) and the user's files, which a printed
    config need not have (:func:`~pyg_fusion.experiments.data.check_user_files`)."""
    from ..experiments.data import check_user_files
    check_user_files(data_config(args))  # the data first, as train's (check_methods)
    check_sweep(args)


def _check_one_source(td, args) -> None:
    """Data of one source has no other source whose powers Q sets: each
    column of values of --q would be the same runs."""
    if len(td.in_channels) == 1 and len(args.q) > 1:
        (source, ) = td.in_channels
        raise CLIError(f"--q {','.join(map(str, args.q))}: the data has one source, "
                       f"{source!r}, whose powers P sets (--p); Q sets those of every other "
                       f"source, of which there is none, so each value of --q would train "
                       f"the same models: give --q one value, or data of two sources or more")


def _earlier_cells(out: Path, args) -> list[dict]:
    """The records of an interrupted sweep (its ``sweep.partial.json``) for
    ``--resume``, each of a cell of this grid: one of another cell is
    refused, as compare refuses a method it does not train (this grid's
    records would drop that finished cell)."""
    earlier = earlier_records(out, "sweep.partial.json", "sweep") or []
    grid = {(p, q) for p in args.p for q in args.q}
    for r in earlier:
        cell = (r.get("P"), r.get("Q"))
        if not all(isinstance(v, int) for v in cell):
            raise CLIError(f"--resume: {out / 'sweep.partial.json'} holds records without "
                           f"their P and Q (not a sweep's); remove it to train every run")
        if cell not in grid:
            raise CLIError(f"--resume: the earlier records hold finished runs of P={cell[0]}, "
                           f"Q={cell[1]}, which this grid does not run (--p "
                           f"{','.join(map(str, args.p))} --q {','.join(map(str, args.q))}): "
                           f"resume with their --p and --q, or leave out --resume (or pass "
                           f"--no-resume) to start a new grid")
    return earlier


def _reused(earlier: list[dict], identity: dict, seeds: list[int]) -> dict[int, dict]:
    """``{seed: metrics}`` of the runs of the cell of ``identity`` (what this
    grid records for it) that ``earlier`` holds, as compare --resume reuses
    them (:mod:`pyg_fusion.experiments._resume`): other settings are refused,
    other versions train again. operator_at_start is a number of the runs,
    found again from their metrics."""
    from ..experiments._resume import check_same_settings, reusable_runs
    cell = [{k: v for k, v in r.items() if k != "operator_at_start"} for r in earlier
            if (r["P"], r["Q"]) == (identity["P"], identity["Q"])]
    method = {identity["method"]: identity}
    try:
        check_same_settings(cell, method, seeds)
    except ValueError as exc:
        raise CLIError(f"{exc} (P={identity['P']}, Q={identity['Q']})") from None
    return reusable_runs(cell, method, seeds).get(identity["method"], {})


def run(args) -> int:
    from tqdm.auto import tqdm
    from .._files import write_json, write_text
    from .._versions import library_versions
    from ..experiments.data import load_data, task_of
    from ..experiments._run_folders import check_out_entries
    from ..specs.method_spec import MethodSpec
    from ..experiments.records import METRICS, make_records, write_results
    from ..experiments.run import _notice_one_source, is_main_process, run_in_folder, vad_starts
    from ..training.accelerators import check_accelerator, hardware_record
    from ..visualize import plot_pq_sensitivity
    check_accelerator(args.accelerator, args.devices)  # before the data loads
    out = Path(args.out)
    cache = {}
    data = data_config(args)
    options = options_from_args(args)
    options.pop("num_powers", None)
    check_out_entries(out, ("sweep.json", "sweep.partial.json", "sweep.txt", "sweep.png"),
                      [f for p in args.p for q in args.q
                       for f in [f"P{p}_Q{q}"] + [f"P{p}_Q{q}/seed{s}" for s in args.seeds]])
    earlier = _earlier_cells(out, args) if args.resume else []
    partial = ("; its sweep.partial.json (the runs an interrupted sweep finished) is replaced "
               "once this grid's first run finishes: pass --resume to reuse them, or copy it "
               "elsewhere to keep it"
               if (out / "sweep.partial.json").is_file() and not args.resume else "")
    notice_earlier_run(out, ("sweep.json", "sweep.partial.json"), "sweep",
                       "its sweep.json, sweep.txt and sweep.png are replaced by this grid's once "
                       "it finishes, each cell's run folder once its run has"
                       + (" (those --resume reuses are kept)" if args.resume else "")
                       + "; the earlier grid's cells that this one does not run stay in their "
                       "folders" + partial)
    hardware = hardware_record(args.accelerator, args.devices)
    records, marked, reused_runs = [], [], 0
    grid = [(p, q) for p in args.p for q in args.q]
    for p, q in tqdm(grid, desc="P x Q", disable=args.no_progress):
        per_seed, at_start, starts, reused = {}, {}, None, None
        for seed in args.seeds:
            # the node task's split follows the seed; VAD's data is one for all seeds
            key = seed if task_of(args.dataset) == "node" else 0
            if key not in cache:  # first load of its cache: the one --force-reload forces
                cache[key] = load_data(data, key, features=options.get("features"),
                                       force_reload=args.force_reload)
                if len(cache) == 1:  # once the sources are known, before any run
                    _check_one_source(cache[key], args)
                    if is_main_process():  # as train's
                        _notice_one_source(cache[key], [args.method])
            td = cache[key]
            first, *rest = sorted(td.in_channels)
            powers = {first: p, **{s: q for s in rest}}
            cell = {**options, "num_powers": powers}
            # the full config of the cell: the method's spec with its powers, the data as
            # loaded (a user's files by absolute path, read back from any folder)
            config = {**MethodSpec.create(args.method, td.task, cell).to_dict(),
                      "data": dataclasses.asdict(td.config)}
            warmup = config["trainer"]["operator_warmup"]
            extra = {"P": p, "Q": q, "config": config}
            if reused is None:  # what this grid records for the cell, as compare's
                reused = _reused(earlier, {"dataset": td.dataset, "setting": td.setting,
                                           "method": args.method, **extra, **hardware,
                                           "versions": library_versions()}, args.seeds)
            if seed in reused:  # its folder is the earlier run's, as it finished
                r = reused[seed]
                reused_runs += 1
            else:
                # VAD's starts follow the cell's spec (its powers build the probe
                # models), not the seed: found once per cell, every seed trains from them
                if td.task == "vad" and starts is None:
                    starts = vad_starts(td, MethodSpec.create(args.method, td.task, cell))
                # as compare's runs: an earlier sweep's files of this cell are replaced
                # once this one finishes, its restart / start folders that it does not
                # write removed; a VAD run's holds scores.json
                r, _ = run_in_folder(td, args.method, seed,
                                     out / f"P{p}_Q{q}" / f"seed{seed}", options=cell,
                                     devices=args.devices, accelerator=args.accelerator,
                                     progress=False, checkpoint=False, starts=starts)
            per_seed[seed] = r
            at_start[seed] = operator_at_start(r, warmup)
            if at_start[seed]:
                start = r.get("operator_start_epoch", warmup)
                marked.append(f"  P={p}, Q={q}, seed {seed}: tested epoch {int(r['epoch'])}, "
                              + ("A never trained" if start is None
                                 else f"A trains from epoch {int(start)}"))
            done = make_records(td, args.method, per_seed, extra={
                **extra, "operator_at_start": [at_start[s] for s in sorted(at_start)],
                **hardware})
            if is_main_process():  # every finished run survives an interrupted sweep
                write_json(out / "sweep.partial.json", records + done)
        records += done
    if args.resume and is_main_process():
        total = len(grid) * len(args.seeds)
        print(f"resume: {reused_runs} of {total} runs reused from the earlier records (same "
              f"config and seed), {total - reused_runs} trained", file=sys.stderr)
    if not is_main_process():
        return 0
    write_results(out, records, "sweep")
    main = METRICS[td.task][0]
    table = {(r["P"], r["Q"]): r for r in records if r["metric"] == main}
    # the sources by name, as the grid gives them their powers: P is not the
    # first of --views (or --vad-source) but the first by name
    first, *rest = sorted(td.in_channels)
    cols = f"powers of {', '.join(rest)}" if rest else "no other source"
    lines = [f"{main} (mean over seeds {args.seeds}); rows P (powers of {first}), "
             f"columns Q ({cols})",
             "P\\Q " + " ".join(f"{q:>7d}" for q in args.q),
             *(f"{p:>3d} " + " ".join(_cell(table[(p, q)]) for q in args.q)
               for p in args.p)]
    text = "\n".join(lines + _at_start_notice(marked))
    print(text)
    write_text(out / "sweep.txt", text + "\n")
    plot_pq_sensitivity(records, metric=main, kind=figure_kind(args.p, args.q),
                        path=out / "sweep.png")
    print(f"\nwrote {out / 'sweep.json'}, sweep.txt (the table) and sweep.png (the figure)"
          + (f"; each run's test scores per video in {out}/P<p>_Q<q>/seed<k>/scores.json"
             if td.task == "vad" else ""))
    return 0


def _cell(record: dict) -> str:
    """A cell of the table, 7 characters: the mean, marked when the tested
    model of one of its seeds has A at its start."""
    if any(record["operator_at_start"]):
        return f"{record['mean']:6.4f}{AT_START}".rjust(7)
    return f"{record['mean']:7.4f}"


def _at_start_notice(marked: list[str]) -> list[str]:
    """The lines under the table that name the marked cells (``marked``: one
    line per seed; none: no line)."""
    if not marked:
        return []
    return ["", f"{AT_START} the tested model (the epoch chosen on held-out data) has LEGO's "
            "operator A at its start, before A trained: the same for every P and Q, so the "
            "cell does not measure them (operator_at_start in sweep.json):", *marked,
            f"--operator-warmup {SWEEP_OPERATOR_WARMUP} (the sweep's default) trains A from "
            "the first epoch, so that the grid measures the operator's own sensitivity to P "
            "and Q."]
