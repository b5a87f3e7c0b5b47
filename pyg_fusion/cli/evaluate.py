"""``pyg-fusion evaluate``: score a checkpoint of ``pyg-fusion train``."""
from __future__ import annotations

import argparse
import os
import warnings
from pathlib import Path

from . import CLIError
from ._runs import (METRICS, SYNTHETIC_SETTINGS, add_dataset_args, format_table,
                    is_main_process, load_data, make_records, write_json)

HELP = "evaluate a checkpoint written by `pyg-fusion train`"
# dataset options whose None means: what the checkpoint's training used
FROM_CHECKPOINT = dict(data_seed=None, relational_shift=None, standardize=None)


def register(subparsers) -> None:
    p = subparsers.add_parser(
        "evaluate", help=HELP, description=HELP + ": test accuracy (node "
        "classification) or frame-level auc / ap / pr_auc_trapz (VAD). The method, its "
        "options, the dataset (with --vad-* and --data-seed of training) and the "
        "standardisation statistics come from the checkpoint; dataset options given here "
        "(--root, --setting, --vad-*, ...) say where to find the data.",
        formatter_class=argparse.ArgumentDefaultsHelpFormatter)
    p.add_argument("--checkpoint", required=True, help="a .ckpt file of `pyg-fusion train`")
    add_dataset_args(p, default=None)
    p.set_defaults(**FROM_CHECKPOINT)
    p.add_argument("--method", help="must match the checkpoint's method if given")
    p.add_argument("--seeds", help=argparse.SUPPRESS)
    p.add_argument("--devices", type=int, default=1, help="CPU processes (> 1: DDP, gloo)")
    p.add_argument("--out", default="runs/eval", help="output folder")
    p.add_argument("--no-progress", action="store_true", help="hide progress bars")
    p.set_defaults(func=run)


def load_checkpoint(path: str):
    import torch
    if not os.path.isfile(path):
        raise CLIError(f"--checkpoint: no such file: {path}")
    try:
        ckpt = torch.load(path, map_location="cpu", weights_only=False)
    except Exception as exc:
        raise CLIError(f"--checkpoint: cannot read {path}: {exc}") from None
    hp = ckpt.get("hyper_parameters", {})
    cfg = hp.get("config")
    if not cfg or "method" not in cfg or "state_dict" not in ckpt:
        raise CLIError(f"--checkpoint: {path} is not a checkpoint of `pyg-fusion train`")
    return ckpt, hp, cfg


def checkpoint_data(args, cfg: dict, state_dict: dict, path: str):
    """``(task data, standardizer)`` of a checkpoint: the dataset options that
    ``args`` leaves at ``None`` (data seed, relational shift, standardisation)
    and, for ``--dataset vad`` without ``--vad-source``, the ``--vad-*``
    values are those training used (``cfg["data"]``); a standardised
    checkpoint's statistics (buffers ``standardizer.*``) are applied."""
    from ..datasets import StandardizeSources
    setting = cfg.get("setting", "").split(",")[0]
    if cfg["dataset"] == "synthetic-vad" and setting in SYNTHETIC_SETTINGS:
        args.setting = setting
    data = cfg.get("data", {})
    if args.data_seed is None:
        args.data_seed = data.get("data_seed", 0)
    if args.relational_shift is None:
        args.relational_shift = data.get("relational_shift", 0.0)
    if cfg["dataset"] == "vad" and not args.vad_source and "vad" in data:
        for key, value in data["vad"].items():  # where training found the features
            setattr(args, key, value)
    standardizer = StandardizeSources.from_state_dict(state_dict, "standardizer.")
    if args.standardize and standardizer is None:
        raise CLIError(f"--standardize: the checkpoint {path} was trained without it, so it "
                       f"holds no training statistics")
    if args.standardize is False and standardizer is not None:
        raise CLIError(f"--no-standardize: the checkpoint {path} was trained on standardised "
                       f"features; its statistics are applied")
    return load_data(args, cfg["seed"], standardizer=standardizer), standardizer


def run(args) -> int:
    from ..methods import build_model
    ckpt, hp, cfg = load_checkpoint(args.checkpoint)
    if args.method and args.method != cfg["method"]:
        raise CLIError(f"--method {args.method!r} does not match the checkpoint's "
                       f"{cfg['method']!r}")
    if args.dataset is None:
        args.dataset = cfg["dataset"]
    if args.dataset != cfg["dataset"]:
        raise CLIError(f"--dataset {args.dataset!r} does not match the checkpoint's "
                       f"{cfg['dataset']!r}")
    td, standardizer = checkpoint_data(args, cfg, ckpt["state_dict"], args.checkpoint)
    if td.in_channels != cfg["in_channels"]:
        raise CLIError(f"the data's sources {td.in_channels} differ from the checkpoint's "
                       f"{cfg['in_channels']}")
    from ..methods import model_options
    o = model_options(td.task, cfg["options"])
    out = Path(args.out)
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", ".*")
        if td.task == "node":
            from ..training.node import NodeClassification, single_graph_loader
            from ..training.trainer import build_trainer
            model = build_model(cfg["method"], "node", td.in_channels,
                                num_classes=td.num_classes, num_nodes=td.graph.num_nodes, **o)
            task = NodeClassification(model, config=cfg)
            task.load_state_dict(ckpt["state_dict"])
            trainer = build_trainer(out, max_epochs=1, seed=None, devices=args.devices,
                                    strategy="ddp" if args.devices > 1 else "auto",
                                    progress=not args.no_progress, checkpoint=False)
            trainer.test(task, single_graph_loader(td.graph), verbose=False)
            metrics = {"accuracy": task.last_metrics["test_acc"],
                       "val_accuracy": task.last_metrics.get("val_acc", float("nan"))}
        else:
            from ..training.vad import WeaklySupervisedVAD, evaluate_vad
            model = build_model(cfg["method"], "vad", td.in_channels,
                                num_segments=int(td.train[0].num_nodes), **o)
            task = WeaklySupervisedVAD(model, config=cfg, standardizer=standardizer)
            task.load_state_dict(ckpt["state_dict"])
            metrics = evaluate_vad(task, td.test, out_dir=out, devices=args.devices,
                                   progress=not args.no_progress)
            metrics = {k: metrics[k] for k in ("auc", "ap", "pr_auc_trapz")}
    if not is_main_process():
        return 0
    records = make_records(td, cfg["method"], {cfg["seed"]: metrics},
                           extra={"checkpoint": str(args.checkpoint)})
    write_json(out / "results.json", records)
    print(format_table(records, METRICS[td.task]))
    print(f"\nwrote {out / 'results.json'}")
    return 0
