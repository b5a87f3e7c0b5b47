"""What the studies of a VAD run's held-out choices share
(``vad_restart_judge.py``, ``vad_kfold_start.py``): their data and method
flags, the data they load, and their records, read first so that a study
goes on where it stopped."""
from __future__ import annotations

import argparse
import os

FRACTION = 0.2  # the VAD default (--val-fraction)
STARTS = ("product", "mean")


def add_study_arguments(p: argparse.ArgumentParser) -> None:
    """The flags of the benchmark, the method and the records: ``--dataset``,
    ``--method``, ``--seeds``, ``--relational-shift``, ``--standardize``,
    ``--root`` and ``--json``."""
    from _cli import add_seeds_argument, nonneg_float
    p.add_argument("--dataset", default="synthetic-vad", choices=("synthetic-vad", "motion-vad"))
    p.add_argument("--method", default="lego-row", choices=("lego-row", "lego"))
    add_seeds_argument(p, list(range(5)))
    p.add_argument("--relational-shift", type=nonneg_float, default=0.0)
    p.add_argument("--standardize", action="store_true")
    p.add_argument("--root", default="runs/data")
    p.add_argument("--json", required=True,
                   help="the runs, one record each (read first: runs in it are skipped)")


def study_data(args: argparse.Namespace):
    """The benchmark's data (:func:`~pyg_fusion.experiments.data.load_data`)."""
    from pyg_fusion.experiments.data import DataConfig, load_data
    return load_data(DataConfig(dataset=args.dataset, root=args.root,
                                relational_shift=args.relational_shift,
                                standardize=args.standardize))


def earlier_runs(path: str) -> list[dict]:
    """The records already in ``path`` (none where it is not there yet)."""
    from pyg_fusion._files import read_json
    return read_json(path, "--json") if os.path.isfile(path) else []
