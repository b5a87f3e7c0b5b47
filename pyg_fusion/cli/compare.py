"""``pyg-fusion compare``: methods x seeds -> a mean ± std table and
``results.json``."""
from __future__ import annotations

from ._help import HelpFormatter
from ._runs import add_dataset_args, add_resume_argument, add_training_args, check_methods

HELP = "train several methods over several seeds; print a mean ± std table"


def register(subparsers) -> None:
    p = subparsers.add_parser(
        "compare", help=HELP, description=HELP + ". Writes OUT/results.json (a list of "
        "records: dataset, setting, method, metric, mean, std, seeds, values), "
        "OUT/results.txt (the table), OUT/results.png (the figure) and OUT/<method>/seed<k>/ "
        "(each run's CSV logs; VAD: its scores.json), no checkpoints (`pyg-fusion train` "
        "writes them). OUT/results.partial.json holds the runs finished so far, which "
        "--resume reuses after an interrupted compare.",
        formatter_class=HelpFormatter)
    add_dataset_args(p)
    add_training_args(p, method_default="all", seeds_default="0..4")
    add_resume_argument(p, "results.partial.json", "method's config, data, accelerator, "
                        "devices, --threads")
    p.set_defaults(func=run, check=check_methods)


def run(args) -> int:
    from ._runs import run_grid_command
    return run_grid_command(args, checkpoint=False)
