"""``pyg-fusion train``: train one method (or a few) with checkpoints."""
from __future__ import annotations

from ._help import HelpFormatter
from ._runs import add_dataset_args, add_task_arg, add_training_args, check_methods

HELP = "train a method on a dataset (checkpoints, CSV logs, results.json)"


def register(subparsers) -> None:
    p = subparsers.add_parser(
        "train", help=HELP, description=HELP + ". Checkpoints go to "
        "OUT/<method>/seed<k>/checkpoints (last.ckpt, and best.ckpt: the epoch chosen on "
        "validation, the one tested); evaluate them with `pyg-fusion evaluate --checkpoint`. "
        "A VAD run's folder also holds scores.json (each test video's snippet and frame "
        "scores, which `pyg-fusion plot anomaly-scores --input` draws).",
        formatter_class=HelpFormatter)
    add_task_arg(p)
    add_dataset_args(p)
    add_training_args(p, method_default="lego", seeds_default="0")
    p.set_defaults(func=run, check=check_methods)


def run(args) -> int:
    from ._runs import run_grid_command
    return run_grid_command(args, checkpoint=True)
