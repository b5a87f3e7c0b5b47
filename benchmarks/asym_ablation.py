"""AsymFusion ablation on SyntheticRGBD: every variant x several seeds.

Variants (rows of the README table): RGB only, depth only, early
concatenation (6-channel input), late sum (two separate encoders, one shared
decoder, logits summed), two separate encoders (shared decoder, AsymFusion's
ensemble head),
one shared encoder with private BN, + channel shuffle, + pixel shift, + both
(AsymFusion). Reported: test mIoU of the network's final output (the
ensemble for two-branch models) as the mean over seeds, each branch's mIoU,
pixel accuracy, and parameter counts.

A tiny-but-real configuration (bottleneck ResNet with one block per stage,
width 8, light RefineNet with 16 channels, 48x48 scenes) that runs on CPU.
Each run uses one thread; ``--jobs 2`` runs two at a time on two cores.

    python benchmarks/asym_ablation.py --out runs/asym_ablation

writes ``results.json``, ``results.md`` and ``miou.png`` under ``--out``.
"""
from __future__ import annotations

import argparse
import os.path as osp
import sys
import time
from multiprocessing import get_context

# benchmarks/ (for _machine) and the repository root (run without installing)
sys.path.insert(0, osp.dirname(osp.abspath(__file__)))
sys.path.insert(1, osp.dirname(osp.dirname(osp.abspath(__file__))))
from pyg_fusion._files import nan_for_null, save_figure, write_json, write_text  # noqa: E402
from _bars import finite_bars, seed_std  # noqa: E402

ROWS = {
    "rgb": "RGB only",
    "depth": "depth only",
    "early-concat": "early concatenation (6-ch input)",
    "late-sum": "late sum (two encoders, logits summed)",
    "separate": "two separate encoders (+ ensemble)",
    "shared": "shared encoder, private BN",
    "shuffle": "+ channel shuffle",
    "shift": "+ pixel shift",
    "asymfusion": "+ shuffle + shift (AsymFusion)",
}


def _configs(args, variant: str, seed: int):
    """The typed configs of one run (:mod:`pyg_fusion.experiments.image_config`)."""
    from pyg_fusion.experiments.image_config import (
        SegmentDataConfig,
        SegmentModelConfig,
        SegmentTrainConfig,
    )
    data = SegmentDataConfig(data="synthetic", root=args.root, size=args.size,
                             num_train=args.num_train, num_test=args.num_test,
                             data_seed=args.data_seed, batch_size=args.batch_size)
    model = SegmentModelConfig(variant=variant, depth=None, block="bottleneck",
                               layers=tuple(args.layers), width=args.width,
                               decoder_features=args.decoder_features, light=True, dropout=0.0)
    return data, model, SegmentTrainConfig(epochs=args.epochs, lr=args.lr, seed=seed)


def _run(job):
    variant, seed, args = job
    import torch

    from pyg_fusion.experiments.segment_run import run_segment
    from pyg_fusion.training.banners import hide_lightning_banners
    torch.set_num_threads(1)  # this worker process's own setting: one thread per run
    out = osp.join(args.out, "runs", f"{variant}_seed{seed}")
    t0 = time.perf_counter()
    with hide_lightning_banners():
        run = run_segment(*_configs(args, variant, seed), out, progress=False,
                          checkpoint=False, report=False)
    return {"variant": variant, "seed": seed, "scores": run.scores,
            "final": run.module.final_output, "parameters": run.parameters,
            "seconds": round(time.perf_counter() - t0, 1)}


def summarise(runs: list[dict]) -> list[dict]:
    import numpy as np
    rows = []
    for variant, label in ROWS.items():
        rs = [r for r in runs if r["variant"] == variant]
        if not rs:
            continue
        final = rs[0]["final"]
        miou = [nan_for_null(r["scores"][final]["miou"]) for r in rs]
        row = {"variant": variant, "label": label, "final_output": final,
               "seeds": [r["seed"] for r in rs],
               "miou_mean": float(np.mean(miou)), "miou_std": seed_std(miou),
               "miou_per_seed": miou,
               "pixel_acc_mean": float(np.mean([nan_for_null(r["scores"][final]["pixel_acc"])
                                                for r in rs])),
               "mean_acc_mean": float(np.mean([nan_for_null(r["scores"][final]["mean_acc"])
                                               for r in rs])),
               "parameters": rs[0]["parameters"],
               "seconds_mean": float(np.mean([r["seconds"] for r in rs]))}
        for branch in ("rgb", "depth"):
            if branch in rs[0]["scores"] and branch != final:
                row[f"{branch}_branch_miou_mean"] = float(np.mean(
                    [nan_for_null(r["scores"][branch]["miou"]) for r in rs]))
        rows.append(row)
    return rows


def table(rows: list[dict]) -> str:
    sep = {r["variant"]: r for r in rows}.get("separate")
    lines = ["| variant | mIoU (mean ± std) | RGB branch | depth branch | pixel acc "
             "| mean acc | parameters | vs. two encoders |",
             "|---|---|---|---|---|---|---|---|"]
    for r in rows:
        ratio = f"{r['parameters'] / sep['parameters']:.2f}x" if sep else "-"
        br = [f"{100 * r[k]:.1f}" if k in r else "-"
              for k in ("rgb_branch_miou_mean", "depth_branch_miou_mean")]
        # one seed has no spread: its mIoU alone (it printed ± 0.0), as
        # results_table.py writes a single seed
        miou = f"{100 * r['miou_mean']:.1f}" + (
            f" ± {100 * r['miou_std']:.1f}" if len(r["seeds"]) > 1 else "")
        lines.append(
            f"| {r['label']} | {miou} "
            f"| {br[0]} | {br[1]} | {100 * r['pixel_acc_mean']:.1f} "
            f"| {100 * r['mean_acc_mean']:.1f} | {r['parameters']:,} | {ratio} |")
    return "\n".join(lines)


def figure(rows: list[dict], path: str) -> None:
    # no pyplot: matplotlib.use() would switch the backend of the whole
    # process (the caller's, when this runs in-process)
    from matplotlib.figure import Figure
    fig = Figure(figsize=(8, 3.6))
    ax = fig.add_subplot()
    x = range(len(rows))
    finite_bars(ax, [100 * r["miou_mean"] for r in rows],
                [None if r["miou_std"] is None else 100 * r["miou_std"] for r in rows],
                ["#999999" if r["variant"] in ("rgb", "depth") else "#4c72b0" for r in rows])
    ax.set_xticks(list(x))
    ax.set_xticklabels([f"{r['variant']}\n{r['parameters'] / 1e3:.0f}k" for r in rows],
                       fontsize=7)
    ax.set_ylabel("test mIoU (%)")
    ax.set_title("AsymFusion ablation on SyntheticRGBD (mean ± std over seeds)",
                 fontsize=9)
    fig.tight_layout()
    save_figure(fig, path, dpi=110)


def build_parser() -> argparse.ArgumentParser:
    from _cli import add_seeds_argument, parser, positive_float, positive_int, seed_int

    from pyg_fusion.cli._flag_types import four_ints
    p = parser(__file__, __doc__.split("\n\n")[0])
    p.add_argument("--out", default="runs/asym_ablation")
    p.add_argument("--root", default=None, help="scene folder (default: OUT/data)")
    p.add_argument("--variants", default=",".join(ROWS))
    add_seeds_argument(p, [0, 1, 2])
    p.add_argument("--epochs", type=positive_int, default=30)
    p.add_argument("--batch-size", type=positive_int, default=16)
    p.add_argument("--lr", type=positive_float, default=3e-3)
    p.add_argument("--size", type=positive_int, default=48)
    p.add_argument("--num-train", type=positive_int, default=128)
    p.add_argument("--num-test", type=positive_int, default=48)
    p.add_argument("--data-seed", type=seed_int, default=0)
    # the blocks per stage as pyg-fusion segment train --layers reads them
    p.add_argument("--layers", type=four_ints, default=[1, 1, 1, 1])
    p.add_argument("--width", type=positive_int, default=8)
    p.add_argument("--decoder-features", type=positive_int, default=16)
    p.add_argument("--jobs", type=positive_int, default=2,
                   help="runs at a time (one thread each)")
    p.add_argument("--summarise", metavar="RESULTS_JSON",
                   help="only rebuild the table and figure from a results.json")
    return p


def main(argv=None) -> int:
    p = build_parser()
    args = p.parse_args(argv)
    from _cli import check_folder, command_line, read_json, refuse_unread, user_errors
    if args.summarise is not None:  # --summarise "" (an unset variable) ran the ablation
        # the table of the runs recorded: --variants rgb tabled every variant, silently
        refuse_unread(p, argv, "--summarise", "which tables every run of the file, beside it",
                      "summarise")
        result = read_json(p, args.summarise, "--summarise")
        if not isinstance(result, dict) or not isinstance(result.get("runs"), list):
            p.error(f"--summarise {args.summarise}: not a results.json of this script "
                    "(no \"runs\")")
        result["rows"] = summarise(result["runs"])
        md = table(result["rows"])
        folder = osp.dirname(osp.abspath(args.summarise))
        # the files before the table: a reader that has left (| head) ends
        # the printing, not the writing
        write_json(args.summarise, result, indent=2)
        write_text(osp.join(folder, "results.md"), md + "\n")
        figure(result["rows"], osp.join(folder, "miou.png"))
        print(md)
        return 0
    variants = [v for v in args.variants.split(",") if v]
    unknown = [v for v in variants if v not in ROWS]
    if unknown:  # the flag named, as every other refusal of the scripts
        p.error(f"--variants: unknown {', '.join(map(repr, unknown))}; "
                f"choose from {', '.join(ROWS)}")
    twice = sorted({v for v in variants if variants.count(v) > 1})
    if twice:  # two runs of one variant and seed would share their folder
        p.error(f"--variants: {', '.join(map(repr, twice))} named more than once")
    seeds = args.seeds
    if not variants or not seeds:
        p.error("--variants and --seeds must name at least one each")
    check_folder(p, args.out)
    args.root = args.root or osp.join(args.out, "data")
    # generate the scenes once, before the workers; a setting the data or the
    # model refuse is one line
    from pyg_fusion.experiments.segment_run import segment_datasets
    with user_errors("asym_ablation.py"):
        segment_datasets(_configs(args, variants[0], seeds[0])[0])

    from _machine import machine_info, machine_line
    from tqdm import tqdm
    jobs = [(v, s, args) for s in seeds for v in variants]
    t0 = time.perf_counter()
    runs = []
    with get_context("spawn").Pool(max(1, args.jobs)) as pool:
        for r in tqdm(pool.imap_unordered(_run, jobs), total=len(jobs),
                      desc="ablation runs", unit="run"):
            runs.append(r)
            # progress on stderr, beside the bar: stdout is the table's
            tqdm.write(f"{r['variant']:>13} seed {r['seed']}: mIoU "
                       f"{100 * r['scores'][r['final']]['miou']:.1f} "
                       f"({r['seconds']:.0f} s)", file=sys.stderr)
    rows = summarise(runs)
    md = table(rows)
    machine = machine_info()
    machine["torch_threads"] = 1  # each run's, in its worker process
    result = {"command": command_line(__file__, argv), "config": {
        k: v for k, v in vars(args).items()}, "machine": machine,
        "wall_seconds": round(time.perf_counter() - t0, 1), "rows": rows,
        "runs": sorted(runs, key=lambda r: (r["variant"], r["seed"]))}
    write_json(osp.join(args.out, "results.json"), result, indent=2)
    write_text(osp.join(args.out, "results.md"), md + "\n")
    figure(rows, osp.join(args.out, "miou.png"))
    print(md)  # after the files, which a reader that has left (| head) must not cost
    print(machine_line(machine))
    print(f"wrote {args.out}/results.json, results.md, miou.png "
          f"({result['wall_seconds']:.0f} s)")
    return 0


if __name__ == "__main__":
    from _cli import run_script
    run_script(main)
