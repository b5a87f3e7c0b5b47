"""Single-modality generators against AsymFusion's fused generator on the
synthetic translation scenes (shade + depth -> RGB by default).

Every generator is the same U-Net (:class:`pyg_fusion.nn.asym.AsymFusionTranslator`,
``num_modalities=1`` for the single-modality ones), trained with the same
budget through the shared Lightning trainer for each seed, and scored on the
held-out test split with L1, PSNR and SSIM. Prints a table, writes
``results.json``, ``results.md``, ``ablation.png`` (metrics, mean and standard
deviation over seeds) and ``translation.png`` (inputs, target, each branch
and the ensemble of the fused generator).

    python benchmarks/translation_ablation.py --out benchmarks/results/translation

Default settings run in a few minutes on 2 CPU cores (32x32 images, a small
generator, L1-only training; ``--gan-mode vanilla`` trains pix2pix's
GAN + 100 x L1 objective instead).
"""
from __future__ import annotations

import argparse
import math
import os.path as osp
import sys
import time
from concurrent.futures import ProcessPoolExecutor, as_completed

import numpy as np

# the repository root (run without installing) and benchmarks/ (for _machine)
sys.path.insert(0, osp.dirname(osp.dirname(osp.abspath(__file__))))
sys.path.insert(0, osp.dirname(osp.abspath(__file__)))
from pyg_fusion._files import save_figure, write_json, write_text  # noqa: E402
from _bars import finite_bars, seed_std  # noqa: E402


def _configs(args, mods: list[str], seed: int):
    """The typed configs of one run (:mod:`pyg_fusion.experiments.image_config`)."""
    from pyg_fusion.experiments.image_config import (
        TranslateDataConfig,
        TranslateEvalConfig,
        TranslateModelConfig,
        TranslateTrainDataConfig,
    )
    data = TranslateDataConfig(data="synthetic", modalities=",".join(mods),
                               image_size=args.image_size, root=args.data_root,
                               batch_size=args.batch_size, seed=seed,
                               data_seed=args.data_seed)
    splits = TranslateTrainDataConfig(num_train=args.num_train)
    # the critic's width only where there is a critic: run_translate refuses a
    # setting it would not read (--gan-mode none trains none)
    critic = {} if args.gan_mode == "none" else {"ndf": args.ngf, "d_layers": 2}
    model = TranslateModelConfig(epochs=args.epochs, ngf=args.ngf,
                                 num_downs=args.num_downs or None, modality_norm=args.norm,
                                 gan_mode=args.gan_mode, lr=args.lr, **critic)
    return data, splits, model, TranslateEvalConfig(num_test=args.num_test)


def run_one(args, mods: list[str], seed: int) -> dict:
    """Trains one generator on ``mods`` with ``seed`` (no validation split);
    returns its scores on the test split."""
    import torch
    from torch_geometric.loader import DataLoader

    from pyg_fusion.experiments.translate_run import run_translate, translation_figure_title
    from pyg_fusion.training.banners import hide_lightning_banners
    from pyg_fusion.training.translation_eval import save_translation_figure

    # One thread per run, runs in parallel: small convolutions gain little
    # from intra-op threads (this worker process's own setting).
    torch.set_num_threads(1)
    t0 = time.time()
    data, splits, model, test = _configs(args, mods, seed)
    out = osp.join(args.log_dir, f"{'+'.join(mods)}_seed{seed}")
    with hide_lightning_banners():
        run = run_translate(data, splits, model, out, progress=False, checkpoint=False,
                            validate=False, test=test, report=False)
    if len(mods) > 1 and seed == args.seeds[0]:
        batch = next(iter(DataLoader(run.data, batch_size=4)))
        title = translation_figure_title(data, mods, epochs=model.epochs) + f", seed {seed}"
        save_translation_figure(run.module, batch, osp.join(args.out, "translation.png"),
                                title=title)
    return {"modalities": mods, "seed": seed, "metrics": run.scores,
            "generator_parameters": run.parameters, "seconds": time.time() - t0}


def summarise(runs: list[dict], keys=("l1", "psnr", "ssim")) -> dict:
    """Mean and standard deviation over seeds of every generator's output
    (the ensemble, which is the branch itself for one modality; and for the
    fused generator each branch as well)."""
    table = {}
    for r in runs:
        name = "+".join(r["modalities"])
        outs = {"ensemble": name}
        if len(r["modalities"]) > 1:
            outs.update({m: f"{name} (branch {m})" for m in r["modalities"]})
        for out, label in outs.items():
            row = table.setdefault(label, {"generator_parameters":
                                           r["generator_parameters"],
                                           "fused": len(r["modalities"]) > 1
                                           and out == "ensemble",
                                           **{k: [] for k in keys}})
            for k in keys:
                row[k].append(r["metrics"][out][k])
    for row in table.values():
        for k in keys:
            vals = np.array(row[k])
            # the sample standard deviation over seeds, as every results table
            row[k] = {"mean": float(vals.mean()), "std": seed_std(vals),
                      "runs": vals.tolist()}
    return table


def markdown(table: dict, seeds) -> str:
    lines = ["| generator | parameters | L1 (lower is better) | PSNR dB | SSIM |",
             "|---|---:|---:|---:|---:|"]
    for label, row in table.items():
        # one run has no spread: its mean alone (it printed +- 0.0000), as
        # results_table.py writes a single seed
        cells = [f"{row[k]['mean']:.{d}f}" + (f" +- {row[k]['std']:.{d}f}"
                                               if len(row[k]["runs"]) > 1 else "")
                 for k, d in (("l1", 4), ("psnr", 2), ("ssim", 4))]
        lines.append(f"| {label} | {row['generator_parameters']:,} | "
                     + " | ".join(cells) + " |")
    seeds = list(seeds)
    lines.append(f"\nmean +- std over seeds {seeds}" if len(seeds) > 1 else
                 f"\none seed ({seeds[0]}): no spread")
    return "\n".join(lines)


def figure(table: dict, path: str) -> None:
    # no pyplot: matplotlib.use() would switch the backend of the whole
    # process (the caller's, when this runs in-process)
    from matplotlib.figure import Figure

    labels = list(table)
    fig = Figure(figsize=(4 * 3, 3.2))
    axes = fig.subplots(1, 3)
    for ax, (k, title) in zip(axes, [("l1", "L1 (lower is better)"),
                                     ("psnr", "PSNR dB"), ("ssim", "SSIM")]):
        # a non-finite bar (a PSNR of inf) is left empty: matplotlib drew it with
        # a RuntimeWarning of its transforms
        means, stds = ([v if v is not None and math.isfinite(v) else math.nan for v in
                        (table[lab][k][key] for lab in labels)] for key in ("mean", "std"))
        colors = ["tab:red" if table[lab]["fused"] else
                  ("tab:orange" if "branch" in lab else "tab:gray")
                  for lab in labels]
        finite_bars(ax, means, stds, colors)
        ax.set_xticks(range(len(labels)))
        ax.set_xticklabels(labels, rotation=30, ha="right", fontsize=7)
        ax.set_title(title)
        # the limits of the finite bars: a diverged seed's NaN (or a PSNR of
        # inf) made set_ylim raise, after every run had trained
        # (one seed's spread, None, as none)
        ends = [(m - s, m + s) for m, s in zip(means, (s if math.isfinite(s) else 0.0
                                                       for s in stds))
                if math.isfinite(m - s) and math.isfinite(m + s)]
        lo, hi = min((e[0] for e in ends), default=0.0), max((e[1] for e in ends), default=0.0)
        if hi > lo:
            ax.set_ylim(max(0.0, lo - 0.15 * (hi - lo)), hi + 0.1 * (hi - lo))
    fig.suptitle("single-modality generators vs AsymFusion (red: fused "
                 "ensemble)", fontsize=9)
    fig.tight_layout()
    save_figure(fig, path, dpi=120)


def build_parser() -> argparse.ArgumentParser:
    from _cli import (add_seeds_argument, nonneg_int, parser, positive_float, positive_int,
                      seed_int)

    p = parser(__file__, __doc__.split("\n\n")[0])
    # not benchmarks/results/translation: a trial run (--epochs 1) replaced
    # the recorded results there, which README quotes
    p.add_argument("--out", default="runs/translation_ablation",
                   help="results.json, results.md and the figures")
    p.add_argument("--data-root", default="runs/data/synthetic_translation")
    p.add_argument("--log-dir", default="runs/translation_ablation",
                   help="Lightning logs of every run")
    p.add_argument("--modalities", default="shade,depth")
    add_seeds_argument(p, [0, 1, 2])
    p.add_argument("--data-seed", type=seed_int, default=0)
    p.add_argument("--epochs", type=positive_int, default=10)
    p.add_argument("--num-train", type=positive_int, default=600)
    p.add_argument("--num-test", type=positive_int, default=200)
    p.add_argument("--image-size", type=positive_int, default=32)
    p.add_argument("--ngf", type=positive_int, default=16)
    p.add_argument("--num-downs", type=nonneg_int, default=4,
                   help="U-Net levels (0: log2(image-size))")
    p.add_argument("--batch-size", type=positive_int, default=8)
    p.add_argument("--lr", type=positive_float, default=1e-3)
    p.add_argument("--norm", choices=["batch", "instance"], default="batch")
    p.add_argument("--gan-mode", choices=["none", "vanilla", "lsgan"],
                   default="none")
    p.add_argument("--workers", type=positive_int, default=2,
                   help="runs trained in parallel (one thread each)")
    return p


def main(argv=None) -> int:
    p = build_parser()
    args = p.parse_args(argv)
    mods = [m for m in args.modalities.split(",") if m]
    if len(mods) < 2:
        p.error("--modalities needs at least two modalities")
    twice = sorted({m for m in mods if mods.count(m) > 1})
    if twice:  # one input twice is no fusion, and two runs would share their folder
        p.error(f"--modalities: {', '.join(map(repr, twice))} named more than once")
    # a modality the scenes lack was refused after --out and --log-dir were
    # made, naming no flag (rgb: a --target, which this script has not)
    from pyg_fusion.datasets.translation import SyntheticTranslation
    bad = [m for m in mods if m not in SyntheticTranslation.MODALITIES]
    if bad:
        p.error(f"--modalities: unknown {', '.join(map(repr, bad))}; the scenes' inputs are "
                f"{', '.join(SyntheticTranslation.MODALITIES)} (rgb is the target)")
    from _cli import check_folder, command_line, user_errors
    check_folder(p, args.out)
    check_folder(p, args.log_dir, "--log-dir")

    from tqdm.auto import tqdm

    # Render the data once, before the workers read it; a modality or a size
    # the data refuse is one line
    from pyg_fusion.experiments.translate_run import translate_dataset
    with user_errors("translation_ablation.py"):
        data, splits, _, test = _configs(args, mods, args.seeds[0])
        translate_dataset(data, "train", splits.num_train, mods, progress=False)
        translate_dataset(data, "test", test.num_test, mods, progress=False)
    jobs = [(mods, s) for s in args.seeds] + [([m], s) for s in args.seeds
                                              for m in mods]
    t0 = time.time()
    runs = []
    with ProcessPoolExecutor(max_workers=args.workers) as pool:
        futures = [pool.submit(run_one, args, m, s) for m, s in jobs]
        for f in tqdm(as_completed(futures), total=len(futures),
                      desc="training generators"):
            runs.append(f.result())
    runs.sort(key=lambda r: (len(r["modalities"]), r["modalities"], r["seed"]))
    table = summarise(runs)
    text = markdown(table, args.seeds)
    seconds = time.time() - t0
    from _machine import machine_info, machine_line

    machine = machine_info()
    machine["torch_threads"] = 1  # each run's, in its worker process
    payload = {"command": command_line(__file__, argv),
               "machine": machine,
               "settings": {k: v for k, v in vars(args).items()},
               "summary": table, "runs": runs,
               "seconds": seconds}
    write_json(osp.join(args.out, "results.json"), payload, indent=2)
    write_text(osp.join(args.out, "results.md"), text + "\n")
    figure(table, osp.join(args.out, "ablation.png"))
    # the table after the files, which a reader that has left (| head) must not cost
    print(text)
    print(f"total {seconds:.0f} s")
    print(machine_line(machine))
    print(f"wrote {args.out}/results.json, results.md, ablation.png, "
          f"translation.png")
    return 0


if __name__ == "__main__":
    from _cli import run_script
    run_script(main)
