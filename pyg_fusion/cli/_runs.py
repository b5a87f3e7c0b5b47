"""The flags of the training commands (train, evaluate, compare, sweep) and
their translation into the configs of :mod:`pyg_fusion.experiments`."""
from __future__ import annotations

import argparse
from pathlib import Path

from ..experiments.data import DATASETS, SYNTHETIC_SETTINGS, DataConfig
from ._config_flags import add_config_file_flags, add_config_flags, options_from_args
from ._process import add_threads_argument
from . import nonneg_int, out_folder, positive_int



# -- argument parsing ------------------------------------------------------
def int_list(text: str) -> list[int]:
    """``"0,1,2"``, ``"1..9"`` or a mix (``"1..3,7"``) -> a list of ints."""
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
                out += list(range(lo, hi + 1))
            else:
                out.append(int(part))
        except ValueError:
            raise argparse.ArgumentTypeError(
                f"expected integers like '0,1,2' or '1..9', got {text!r}") from None
    if any(v < 0 for v in out):
        raise argparse.ArgumentTypeError(f"expected integers >= 0, got {text!r}")
    if not out:
        raise argparse.ArgumentTypeError(f"expected at least one integer, got {text!r}")
    return out


def rate(text: str) -> float:
    try:
        v = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a number in (0, 1], got {text!r}") from None
    if not 0 < v <= 1:
        raise argparse.ArgumentTypeError(f"expected a number in (0, 1], got {v}")
    return v


def abnormal_counts(text: str) -> int | dict[str, int]:
    """``"N"`` (both splits) or ``"TRAIN,TEST"`` -> ``num_abnormal`` of
    :class:`~pyg_fusion.datasets.VADLayout`."""
    try:
        counts = [int(v) for v in str(text).split(",")]
    except ValueError:
        counts = []
    if len(counts) not in (1, 2) or min(counts) < 0:
        raise argparse.ArgumentTypeError(f"expected N or TRAIN,TEST (integers >= 0), got "
                                         f"{text!r}")
    return counts[0] if len(counts) == 1 else {"train": counts[0], "test": counts[1]}


def add_dataset_args(p: argparse.ArgumentParser, default: str | None = "digits") -> None:
    g = p.add_argument_group("dataset")
    g.add_argument("--dataset", choices=DATASETS, default=default,
                   help="digits: UCI multiple features (bundled); synthetic-vad: the seeded "
                   "synthetic VAD set; motion-vad: VAD streams of real accelerometer + "
                   "gyroscope recordings (UEA BasicMotions, needs aeon: pip install "
                   "'pyg-fusion[motion]'); vad: your VAD features (--vad-*); tables: your "
                   "multi-view files (--views, --labels)")
    g.add_argument("--root", default="runs/data",
                   help="folder of the datasets' raw and processed files")
    g.add_argument("--label-rate", type=rate, default=0.05,
                   help="digits/tables: fraction of the training pool labelled")
    g.add_argument("--setting", choices=SYNTHETIC_SETTINGS, default="multi_representation",
                   help="synthetic-vad: the paper's Table 2 setting")
    g.add_argument("--data-seed", type=nonneg_int, default=0,
                   help="synthetic-vad, motion-vad: seed of the generated streams")
    g.add_argument("--relational-shift", type=float, metavar="R", default=0.0,
                   help="synthetic-vad: anomalous segments are also an outlier cluster in "
                   "every source, at distance R along a random latent direction "
                   "(SyntheticVAD's relational_shift; e.g. 4; 0: off)")
    g.add_argument("--num-segments", type=positive_int, default=32,
                   help="VAD: segments per video (32 is the paper's)")
    g.add_argument("--standardize", action=argparse.BooleanOptionalAction, default=False,
                   help="VAD: z-score every source's features with the statistics of the "
                   "training split (kept in the checkpoint)")
    g.add_argument("--views", nargs="+", metavar="FILE",
                   help="tables: one CSV / NPY / NPZ file per view, rows aligned")
    g.add_argument("--labels", metavar="FILE", help="tables: the labels file")
    g.add_argument("--vad-source", action="append", metavar="NAME=PATTERN",
                   help="vad: a feature source and its path pattern under ROOT/raw "
                   "(repeat per source), e.g. i3d=features/i3d/{name}.npy")
    g.add_argument("--vad-train-list", metavar="FILE", help="vad: train list (under ROOT/raw)")
    g.add_argument("--vad-test-list", metavar="FILE", help="vad: test list (under ROOT/raw)")
    g.add_argument("--vad-gt", metavar="FILE",
                   help="vad: frame-level ground truth of the test split (under ROOT/raw)")
    g.add_argument("--vad-labels", choices=("auto", "position", "name", "list"),
                   default="auto",
                   help="vad: video labels from the list position (the first "
                   "--vad-num-abnormal videos are abnormal), the name (normal when it "
                   "matches --vad-normal-pattern), the list's label column, or auto (column, "
                   "else position when --vad-num-abnormal is given, else name)")
    g.add_argument("--vad-num-abnormal", type=abnormal_counts, metavar="N|TRAIN,TEST",
                   help="vad: abnormal videos at the head of each list (one count for both "
                   "splits, or TRAIN,TEST)")
    g.add_argument("--vad-normal-pattern", default=r"(?i)normal|label_A",
                   help="vad: regular expression of normal videos' names / labels")
    g.add_argument("--vad-snippet-len", type=positive_int, default=16,
                   help="vad: frames per snippet of the ground truth (16 for I3D / C3D)")


def add_training_args(p: argparse.ArgumentParser, *, method_default: str = "lego",
                      seeds_default: str = "0") -> None:
    g = p.add_argument_group("training")
    g.add_argument("--method", default=method_default,
                   help="method name(s), comma separated: lego, lego-cp, single-<view>, "
                   "feature-concat|add|product, mtn (VAD), graph-<view>, graph-concat|mean|"
                   "product, gcn-<view>, gcn-mean (node), asym-shuffle; or a family: all, "
                   "single, feature, graph, gcn")
    g.add_argument("--seeds", type=int_list, default=int_list(seeds_default),
                   help=f"seeds, e.g. 0,1,2 or 0..4 (default {seeds_default})")
    g.add_argument("--devices", type=positive_int, default=1,
                   help="CPU processes (> 1: DDP with gloo)")
    add_threads_argument(g)
    g.add_argument("--out", type=out_folder, default="runs/out", help="output folder")
    g.add_argument("--no-progress", action="store_true", help="hide progress bars")
    add_config_flags(p)
    add_config_file_flags(p)


def data_config(args) -> DataConfig:
    return DataConfig.from_namespace(args)


def grid(args, *, checkpoint: bool, out: Path, methods: str | None = None) -> list[dict]:
    """:func:`~pyg_fusion.experiments.run.run_grid` of the parsed flags."""
    from ..experiments.run import run_grid
    return run_grid(data_config(args), methods or args.method, args.seeds, out=out,
                    options=options_from_args(args), checkpoint=checkpoint,
                    devices=args.devices, progress=not args.no_progress)
