"""``pyg-fusion evaluate``: score a checkpoint of ``pyg-fusion train``."""
from __future__ import annotations

import argparse
from pathlib import Path

from . import CLIError, out_folder, positive_int
from ._help import HelpFormatter
from ..experiments.checkpoints import FROM_CHECKPOINT
from ._runs import add_dataset_args, add_task_arg, data_config

HELP = "evaluate a checkpoint written by `pyg-fusion train`"


def register(subparsers) -> None:
    p = subparsers.add_parser(
        "evaluate", help=HELP, description=HELP + ": test accuracy (node "
        "classification) or frame-level auc / ap / pr_auc_trapz (VAD). The method, its "
        "options, every dataset option (root, segments, --vad-*, data seed...) and the "
        "standardisation statistics come from the checkpoint; dataset options given here "
        "(--root, --vad-*, ...) override them, e.g. to say where to find the data.",
        formatter_class=HelpFormatter)
    p.add_argument("--checkpoint", required=True, help="a .ckpt file of `pyg-fusion train`")
    add_task_arg(p)
    add_dataset_args(p, default=None)
    p.set_defaults(**FROM_CHECKPOINT)
    p.add_argument("--method", help="must match the checkpoint's method if given")
    p.add_argument("--seeds", help=argparse.SUPPRESS)
    p.add_argument("--devices", type=positive_int, default=1, help="CPU processes (> 1: DDP, gloo)")
    p.add_argument("--out", type=out_folder, default="runs/eval", help="output folder")
    p.add_argument("--no-progress", action="store_true", help="hide progress bars")
    p.set_defaults(func=run)


def run(args) -> int:
    from .._files import write_json
    from ..experiments.checkpoints import (checkpoint_data, load_train_checkpoint,
                                           model_from_checkpoint)
    from ..experiments.run import METRICS, format_table, is_main_process, make_records
    ckpt, hp, cfg = load_train_checkpoint(args.checkpoint)
    if args.method and args.method != cfg["method"]:
        raise CLIError(f"--method {args.method!r} does not match the checkpoint's "
                       f"{cfg['method']!r}")
    if args.dataset is None:
        args.dataset = cfg["dataset"]
    if args.dataset != cfg["dataset"]:
        raise CLIError(f"--dataset {args.dataset!r} does not match the checkpoint's "
                       f"{cfg['dataset']!r}")
    td, standardizer = checkpoint_data(data_config(args), cfg, ckpt["state_dict"], args.checkpoint)
    if td.in_channels != cfg["in_channels"]:
        raise CLIError(f"the data's sources {td.in_channels} differ from the checkpoint's "
                       f"{cfg['in_channels']}")
    model = model_from_checkpoint(cfg, td, ckpt["state_dict"])
    out = Path(args.out)
    if td.task == "node":
        from ..training.node import NodeClassification, single_graph_loader
        from ..training.trainer import build_trainer
        task = NodeClassification(model, config=cfg)
        trainer = build_trainer(out, max_epochs=1, seed=None, devices=args.devices,
                                strategy="ddp" if args.devices > 1 else "auto",
                                progress=not args.no_progress, checkpoint=False)
        trainer.test(task, single_graph_loader(td.graph), verbose=False)
        metrics = {"accuracy": task.last_metrics["test_acc"],
                   "val_accuracy": task.last_metrics.get("val_acc", float("nan"))}
    else:
        from ..training.vad import WeaklySupervisedVAD, evaluate_vad
        task = WeaklySupervisedVAD(model, config=cfg, standardizer=standardizer)
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
