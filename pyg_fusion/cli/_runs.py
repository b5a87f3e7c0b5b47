"""The flags of the training commands (train, evaluate, compare, sweep) and
their translation into the configs of :mod:`pyg_fusion.experiments`."""
from __future__ import annotations

import argparse
from pathlib import Path

from ..experiments.data import (DATASETS, IMAGE_TASKS, DataConfig, as_done, check_user_files,
                               check_dataset_flags, task_of)
from ._config_flags import (_BooleanOptionalAction, add_config_file_flags, add_config_flags,
                            add_field_flags, add_force_reload_argument, options_from_args)
from ._flag_types import method_text
from ._process import add_accelerator_argument, add_progress_argument, add_threads_argument
from . import CLIError, ListFlag, out_folder, positive_int



# -- argument parsing ------------------------------------------------------
# Each value is a run (a seed, a P or Q of a sweep): a list longer than this
# is a typo, and building it would take the machine's memory first.
MAX_INTS = 10_000


def int_list(text: str) -> list[int]:
    """``"0,1,2"``, ``"1..9"`` or a mix (``"1..3,7"``) -> a list of ints."""
    from collections import Counter
    out: list[int] = []
    for part in str(text).split(","):
        part = part.strip()
        if not part:
            continue
        try:
            if ".." in part:
                lo, hi = (int(p) for p in part.split(".."))
                if hi < lo:
                    raise ValueError
            else:
                lo = hi = int(part)
        except ValueError:
            raise argparse.ArgumentTypeError(
                f"expected integers like '0,1,2' or '1..9', got {text!r}") from None
        if lo < 0 or hi >= 2 ** 32:  # numpy's seeds are 32-bit
            raise argparse.ArgumentTypeError(f"expected integers in [0, 2**32), got {text!r}")
        if len(out) + hi - lo + 1 > MAX_INTS:
            raise argparse.ArgumentTypeError(f"expected at most {MAX_INTS:,} integers (one run "
                                             f"each), got {text!r}")
        out += range(lo, hi + 1)
    repeated = sorted(v for v, n in Counter(out).items() if n > 1)
    if repeated:  # a repeated run would overwrite the first one's folder
        raise argparse.ArgumentTypeError(f"{text!r} repeats {repeated}")
    if not out:
        raise argparse.ArgumentTypeError(f"expected at least one integer, got {text!r}")
    return out


def flat_seeds(action: argparse.Action, words: list[list[int]]) -> list[int]:
    """The seeds of ``--seeds``' words (each an :func:`int_list`: ``0,1,2``,
    ``0..4``, or one seed of the space-separated form, ``--seeds 0 1 2``) as
    one list; a seed named twice is refused (it would run twice)."""
    seeds = [s for word in words for s in word]
    twice = sorted({s for s in seeds if seeds.count(s) > 1})
    if twice:
        raise argparse.ArgumentError(action, f"{','.join(map(str, seeds))} repeats {twice}")
    return seeds


class SeedsFlag(ListFlag):
    """``--seeds`` of the graph commands, and ``sweep``'s ``--p`` and ``--q``
    (one format for every list of runs): :func:`flat_seeds` of its words,
    given once (:class:`~pyg_fusion.cli.ListFlag`)."""

    def __call__(self, parser, namespace, values, option_string=None):
        super().__call__(parser, namespace, flat_seeds(self, values), option_string)


class MethodsFlag(ListFlag):
    """``--method`` of train, compare and sweep: its words (``lego,gcn-mean``
    or ``lego gcn-mean``, as ``--seeds``' words) as one comma-separated
    text, given once (:class:`~pyg_fusion.cli.ListFlag`)."""

    def __call__(self, parser, namespace, values, option_string=None):
        super().__call__(parser, namespace, ",".join(values), option_string)


def add_device_args(g) -> None:
    """``--accelerator`` and ``--devices`` (their one declaration, for every
    command that trains or scores a graph task)."""
    add_accelerator_argument(g)
    g.add_argument("--devices", type=positive_int, default=1,
                   help="processes: CPU processes (at most the CPUs this process may use), "
                   "or GPUs when --accelerator picks CUDA (> 1: DDP, gloo on the CPU)")


def add_task_arg(p: argparse.ArgumentParser) -> None:
    """``--task``: declared here for the help; :func:`route_task` acts on it
    before parsing."""
    verb = p.prog.split()[-1]
    image = ", ".join(f"{k} ({v.task})" for k, v in DATASETS.items() if v.task in IMAGE_TASKS)
    p.add_argument("--task", choices=IMAGE_TASKS, default=None,
                   help=f"an AsymFusion image task: `{verb} --task segment ...` is `segment "
                   f"{verb} ...` (see `pyg-fusion {verb} --task segment --help` for its "
                   f"flags); default: the task of --dataset, which may also name an image "
                   f"dataset: {image}")


def _take(rest: list[str], flag: str) -> tuple[str | None, list[str]]:
    """The value of ``flag`` in ``rest`` (``--flag V`` or ``--flag=V``; the
    last one given) and ``rest`` without it."""
    value, out, i = None, [], 0
    while i < len(rest):
        tok = rest[i]
        if tok == flag and i + 1 < len(rest):
            value, i = rest[i + 1], i + 2
        elif tok.startswith(flag + "="):
            value, i = tok.split("=", 1)[1], i + 1
        else:
            out.append(tok)
            i += 1
    return value, out


def route_task(argv: list[str]) -> list[str]:
    """Every task verb first: ``[verb, ..., --task T, ...]`` and ``[verb, ...,
    --dataset D, ...]`` with an image dataset ``D`` (:data:`DATASETS`) become
    ``[T, verb, ..., --data <D's data>, ...]``; ``segment train --dataset D``
    too. Anything else is returned unchanged (the parsers judge it)."""
    if len(argv) < 2:
        return argv
    if argv[0] in ("train", "evaluate"):
        head, rest = [argv[0]], list(argv[1:])
    elif argv[0] in IMAGE_TASKS and argv[1] in ("train", "evaluate"):
        head, rest = [argv[0], argv[1]], list(argv[2:])
    else:
        return argv
    task, without_task = _take(rest, "--task")
    if task is not None and task not in IMAGE_TASKS or len(head) == 2 and task is not None:
        return argv  # not an image task (or --task after a noun): the parser says so
    dataset, without_dataset = _take(without_task, "--dataset")
    image = DATASETS.get(dataset) if dataset is not None else None
    if image is None or image.task not in IMAGE_TASKS:
        return [task, *head, *without_task] if task else argv
    named = head[0] if len(head) == 2 else task
    if named is not None and named != image.task:
        raise CLIError(f"--dataset {dataset} is a {image.task} dataset, not {named}")
    if _take(without_dataset, "--data")[0] is not None:
        raise CLIError(f"--dataset {dataset} and --data both name the data; give one")
    return [image.task, head[-1], *without_dataset, "--data", image.data]


def add_dataset_args(p: argparse.ArgumentParser, default: str | None = "digits", *,
                     from_checkpoint: bool = False) -> None:
    """The flags of :class:`~pyg_fusion.experiments.DataConfig` (``--dataset``
    defaulting to ``default``; with ``from_checkpoint``, every flag defaults to
    ``None`` and its help says "(default: the checkpoint's)"), and
    ``--force-reload``."""
    g = p.add_argument_group("dataset")
    add_field_flags(g, DataConfig, {"dataset": default}, from_checkpoint=from_checkpoint)
    add_force_reload_argument(g)


def add_training_args(p: argparse.ArgumentParser, *, method_default: str = "lego",
                      seeds_default: str = "0") -> None:
    g = p.add_argument_group("training")
    g.add_argument("--method", action=MethodsFlag, default=method_default, type=method_text,
                   nargs="+", metavar="METHOD",
                   help="method name(s), comma (or space) separated: lego, lego-cp, lego-row (VAD), "
                   "single-<view>, "
                   "feature-concat|add|product, mtn (VAD), graph-<view>, graph-concat|mean|"
                   "product, gcn-<view>, gcn-mean (node), asym-shuffle; or a family: all, "
                   "single, feature, graph, gcn")
    # the words of the benchmark scripts' --seeds too (0 1 2): one format for both
    g.add_argument("--seeds", action=SeedsFlag, type=int_list, nargs="+", metavar="SEEDS",
                   default=int_list(seeds_default),
                   help=f"seeds, e.g. 0,1,2 or 0..4 (or 0 1 2) (default {seeds_default})")
    add_device_args(g)
    add_threads_argument(g)
    # one folder per command: train then compare with the defaults wrote into
    # one runs/out, the second replacing the first's results.json
    g.add_argument("--out", type=out_folder, default=f"runs/{p.prog.split()[-1]}",
                   help="output folder")
    add_progress_argument(g)
    add_config_flags(p)
    add_config_file_flags(p)


def data_config(args, *, fresh: bool = True) -> DataConfig:
    """The data flags of ``args``; for a fresh run (``fresh``) a flag that
    its dataset does not read is an error (it would be recorded unused)."""
    cfg = DataConfig.from_namespace(args)
    if fresh:
        check_dataset_flags(cfg, complete=True)
        cfg = as_done(cfg)  # --print-config prints what the run does and records
    return cfg


def chosen_before_data(spec: str, data: DataConfig, options: dict) -> list[str]:
    """The methods that ``spec`` (``--method``) names, as
    :func:`~pyg_fusion.methods.chosen_methods` reads them, checked before the
    data loads against the sources that its config names
    (:func:`~pyg_fusion.experiments._data_config.source_names`): a method of
    no such source (``gcn-typo`` on digits) and an option given for one
    (``--num-powers typo=2``) are refused with their near spellings, by
    ``--print-config`` as by the run, instead of read as the method of a
    source that the data might have. A ``--topk`` beyond the segments of a
    video is refused too."""
    from ..experiments._data_config import source_names
    from ..experiments.run import check_per_source
    from ..specs.method_names import chosen_methods, resolve_methods
    task, features = task_of(data.dataset), options.get("features")
    topk = options.get("topk")
    if task == "vad" and topk is not None and data.num_segments is not None \
            and topk > data.num_segments:
        # the MIL mean takes min(topk, segments): the run recorded a topk it did not use
        raise ValueError(f"--topk {topk} is more than the {data.num_segments} segments of "
                         f"each video (--num-segments): the MIL mean would take all of "
                         f"them; give --topk <= {data.num_segments}")
    sources = source_names(data)
    if sources is not None:
        resolve_methods(spec, task, sources, features)
        check_per_source(options, sources, data.dataset)
    return chosen_methods(spec, task, features)


def notice_earlier_run(out: Path, files: tuple[str, ...], what: str, replaced: str) -> None:
    """Says, before a command writes into ``out``, that ``out`` holds an
    earlier run and what of it this one replaces (a
    :class:`~pyg_fusion.PygFusionNotice`): a command in a used ``--out``
    replaces nothing without a word, whichever version wrote it.

    Args:
        out (Path): the command's ``--out``.
        files (tuple[str, ...]): the files of ``out`` that an earlier run leaves.
        what (str): what the earlier one was (``"run"``, ``"sweep"``).
        replaced (str): what this command replaces of it, and when.
    """
    from .._notices import notice
    if any((out / f).exists() for f in files):
        notice(f"--out {out} holds an earlier {what}: {replaced}")


def add_resume_argument(p: argparse.ArgumentParser, partial: str, runs: str) -> None:
    """``--resume`` of compare and sweep (``--no-resume``: a config file's
    ``resume: true``, as any setting of one, is undone by a flag after it).

    Args:
        p (argparse.ArgumentParser): the command's parser.
        partial (str): the file of the finished runs (``results.partial.json``).
        runs (str): what a run is recorded with besides its config and seed.
    """
    verb = p.prog.split()[-1]
    p.add_argument("--resume", action=_BooleanOptionalAction, default=False,
                   help=f"after an interrupted {verb} into the same --out: reuse each run "
                   f"of OUT/{partial} whose recorded config ({runs}) and seed are this "
                   f"run's; train the others (without the file, a notice and every run "
                   f"trains); --no-resume: train every run (a --config file's resume: true "
                   f"undone)")


def earlier_records(out: Path, partial: str = "results.partial.json",
                    verb: str = "compare") -> list[dict] | None:
    """The records of ``out/<partial>`` for ``--resume`` (of ``verb``);
    without the file (a first launch of a job that always passes --resume, or
    a finished run) a notice, and :obj:`None`: every run trains."""
    import json
    from .._notices import notice
    from ..experiments._resume import check_records
    path = out / partial
    if not path.is_file():
        notice(f"--resume: {path} does not exist (no interrupted {verb} there): every run "
               "trains")
        return None
    try:
        records = json.loads(path.read_text(encoding="utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise CLIError(f"--resume: {path} is not the JSON a {verb} writes ({exc}); "
                       "remove it to train every run") from None
    try:
        check_records(records, str(path), verb)
    except ValueError as exc:
        raise CLIError(f"--resume: {exc}; remove it to train every run") from None
    return records


def check_methods(args) -> None:
    """The ``check`` of train and compare (:func:`pyg_fusion.cli.main` calls it
    before torch's threads are set and Lightning loads): their data flags,
    the user's files (:func:`~pyg_fusion.experiments.data.check_user_files`),
    ``--method`` (:func:`chosen_before_data`: a typo's near spelling) and the
    methods' options (:func:`~pyg_fusion.specs.method_spec.check_options`,
    as ``--print-config`` and the run check them: LEGO's operator options
    together), which waited seconds for those imports."""
    task = task_of(args.dataset)
    if task not in IMAGE_TASKS:
        from ..specs.method_spec import check_options
        data = data_config(args)  # the data flags first, as the files
        check_user_files(data)
        options = options_from_args(args)
        check_options(task, options, chosen_before_data(args.method, data, options))


def run_grid_command(args, *, checkpoint: bool) -> int:
    """``train`` (``checkpoint=True``) and ``compare``: every method x seed
    (:func:`~pyg_fusion.experiments.run.run_grid`), ``results.json`` and the
    table."""
    from ..experiments.records import METRICS, format_table, write_results
    from ..experiments.run import is_main_process, run_grid
    out = Path(args.out)
    replaced = ("each of its runs that --resume does not reuse" if getattr(args, "resume", False)
                else "each of its runs")
    replaced += " is replaced once the new one finishes, results.json once all have"
    if not checkpoint and any(out.glob("*/seed*/checkpoints")):
        # publish_folder keeps what a run does not write: train's checkpoints stay
        replaced += ("; compare writes no checkpoints, so the checkpoints of the earlier run "
                     "stay in its run folders, beside this run's logs: they are not this run's")
    from ..experiments._run_folders import check_out_entries
    # run_grid checks its run folders once the methods are known (after the data)
    check_out_entries(out, ("results.json", "results.partial.json", "results.txt", "results.png"))
    from .evaluate import check_results_replaceable
    check_results_replaceable(out / "results.json", args.command)  # an evaluation's
    notice_earlier_run(out, ("results.json", "results.partial.json"), "run", replaced)
    resume = earlier_records(out) if getattr(args, "resume", False) else None
    data, options = data_config(args), options_from_args(args)  # checked by check_methods
    records = run_grid(data, args.method, args.seeds, out=out,
                       options=options, checkpoint=checkpoint,
                       devices=args.devices, accelerator=args.accelerator,
                       progress=not args.no_progress, force_reload=args.force_reload,
                       resume=resume)
    if not is_main_process():
        return 0
    from .._files import write_text
    from ..visualize import plot_results
    write_results(out, records)
    table = format_table(records, METRICS[task_of(args.dataset)] + ["params", "time_per_epoch_s"])
    write_text(out / "results.txt", table + "\n")
    plot_results(records, metrics=METRICS[task_of(args.dataset)], path=out / "results.png")
    _notice_other_runs(out, records)
    print(table)
    print(f"\nwrote {out / 'results.json'}, results.txt (the table) and results.png (the "
          f"figure)" + (f", and checkpoints under {out}" if checkpoint else "")
          + (f"; each run's test scores per video in {out}/<method>/seed<k>/scores.json"
             if task_of(args.dataset) == "vad" else ""))
    return 0


def _notice_other_runs(out: Path, records: list[dict]) -> None:
    """Names the run folders ``<method>/seed<k>`` of ``out`` that no record
    of this run is of: an earlier run's (other seeds or methods), kept, but
    not in the results.json, table and figure beside them."""
    import re
    from .._notices import notice
    ran = {(r["method"], s) for r in records for s in r.get("seeds", ())}
    seed = re.compile(r"seed(-?\d+)")
    other = sorted(f"{p.parent.name}/{p.name}" for p in out.glob("*/seed*")
                   if p.is_dir() and (m := seed.fullmatch(p.name))
                   and (p.parent.name, int(m[1])) not in ran)
    if other:
        notice(f"{out} also holds {', '.join(other)}, of an earlier run that this one did not "
               f"repeat: kept, but not in its results.json, results.txt and results.png")
