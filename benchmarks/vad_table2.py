"""SyntheticVAD shaped like Table 2 of LEGO (Ding et al., ICLR 2025): the
multi-representation, multi-modal and multi-domain settings; frame-level
AUC (mean ± std over the seeds, the mean alone for one seed), parameters,
time per epoch and the number of seeds of every VAD method of the registry.

    python benchmarks/vad_table2.py --seeds 0..4 --out runs/vad_table2
    python benchmarks/vad_table2.py --seeds 0..4 --relational-shift 4 --out runs/vad_table2_rel

Writes OUT/results.json (the records of `pyg-fusion compare`, all settings)
and OUT/table2.md.
"""
from __future__ import annotations

import sys
from pathlib import Path

import torch

from pyg_fusion._files import write_json, write_text
from pyg_fusion.cli._config_flags import options_from_args
from pyg_fusion.cli._process import command_settings
from pyg_fusion.cli._runs import add_dataset_args, add_training_args, data_config
from pyg_fusion.experiments.data import task_of
from pyg_fusion.experiments.run import run_grid
from pyg_fusion.methods import chosen_methods
from pyg_fusion.specs.components import TASKS

sys.path.insert(0, str(Path(__file__).resolve().parent))  # for _machine, _cli, results_table
from results_table import cell, seeds_cell  # noqa: E402 (the cells of every results table)

SETTINGS = ("multi_representation", "multi_modal", "multi_domain")


def markdown(records: list[dict]) -> str:
    """The AUC of every setting; params and s / epoch of the first setting
    that was run (multi_representation unless ``--settings`` leaves it out);
    the number of seeds. Cells as ``results_table.py`` writes them."""
    methods = list(dict.fromkeys(r["method"] for r in records))
    # a setting's options after its name (",standardized", ",relational_shift=4")
    # are the same for every column of one run
    get = {(r["setting"].split(",")[0], r["method"], r["metric"]): r for r in records}
    ran = list(dict.fromkeys(r["setting"].split(",")[0] for r in records))
    lines = ["| method | " + " | ".join(f"{s} AUC" for s in SETTINGS) +
             " | params | s / epoch | seeds |", "|---" * (len(SETTINGS) + 4) + "|"]
    for m in methods:
        cells = [cell(get.get((s, m, "auc")), "auc") for s in SETTINGS]
        first = next((s for s in ran if (s, m, "params") in get), None)
        cells += [cell(get.get((first, m, metric)), metric)
                  for metric in ("params", "time_per_epoch_s")]
        cells.append(seeds_cell(records, m))
        lines.append(f"| {m} | " + " | ".join(cells) + " |")
    return "\n".join(lines)


def main(argv=None) -> int:
    from _cli import check_folder, command_line, kept_state, parser, user_errors
    p = parser(__file__, __doc__.split("\n\n")[0])
    add_dataset_args(p, default="synthetic-vad")
    add_training_args(p, method_default="all", seeds_default="0..4")
    p.add_argument("--settings", default=",".join(SETTINGS))
    args = p.parse_args(argv)
    settings = args.settings.split(",")
    unknown = [s for s in settings if s not in SETTINGS]
    if unknown:
        p.error(f"--settings: unknown {', '.join(map(repr, unknown))}; "
                f"known: {', '.join(SETTINGS)}")
    twice = sorted({s for s in settings if settings.count(s) > 1})
    if twice:  # a second run into the setting's folder, its records twice in results.json
        p.error(f"--settings: {', '.join(map(repr, twice))} named more than once")
    task = task_of(args.dataset)
    if task in TASKS:  # as run_grid checks it, but before --out is made, naming the flag
        try:
            chosen_methods(args.method, task, options_from_args(args).get("features"))
        except ValueError as exc:
            p.error(f"--method: {exc}")
    check_folder(p, args.out)
    from _machine import machine_info, machine_line
    out = Path(args.out)
    records = []
    # every record says how it was made (vad_heldout_check.py groups by command)
    made = {"command": command_line(__file__, argv), "machine": machine_info()}
    # --threads as the CLI applies it; a flag the data or the methods refuse is
    # one line, as pyg-fusion says it; the runs seed the global random
    # generators: the caller's are restored (main() may be called in-process)
    with kept_state(), command_settings(args), user_errors("vad_table2.py"):
        made["machine"]["torch_threads"] = torch.get_num_threads()
        for setting in settings:
            args.setting = setting
            records += [{**r, **made} for r in run_grid(
                data_config(args), args.method, args.seeds, out=out / setting,
                options=options_from_args(args), devices=args.devices,
                progress=not args.no_progress)]
            write_json(out / "results.json", records)
    text = markdown(records)
    write_text(out / "table2.md", text + "\n")
    print(text)
    print(machine_line(made["machine"]))
    return 0


if __name__ == "__main__":
    from _cli import run_script
    run_script(main)
