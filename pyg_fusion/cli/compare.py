"""``pyg-fusion compare``: methods x seeds -> a mean ± std table and
``results.json``."""
from __future__ import annotations

from ._config_flags import _BooleanOptionalAction
from ._help import HelpFormatter
from ._runs import add_dataset_args, add_training_args

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
    # --no-resume: a config file's resume: true, as any setting of one, is
    # undone by a flag after it
    p.add_argument("--resume", action=_BooleanOptionalAction, default=False,
                   help="after an interrupted compare into the same --out: reuse each run "
                   "of OUT/results.partial.json whose recorded config (method's config, "
                   "data, accelerator, devices, --threads) and seed are this run's; train "
                   "the others (without the file, a notice and every run trains); "
                   "--no-resume: train every run (a --config file's resume: true undone)")
    p.set_defaults(func=run)


def run(args) -> int:
    from ._runs import run_grid_command
    return run_grid_command(args, checkpoint=False)
