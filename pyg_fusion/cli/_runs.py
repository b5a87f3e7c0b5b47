"""The flags of the training commands (train, evaluate, compare, sweep) and
their translation into the configs of :mod:`pyg_fusion.experiments`."""
from __future__ import annotations

import argparse
from pathlib import Path

from ..experiments.data import DataConfig
from ._config_flags import (add_config_file_flags, add_config_flags, add_field_flags,
                            options_from_args)
from ._process import add_threads_argument
from . import out_folder, positive_int



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


# The image tasks, which train/evaluate hand to their own parsers (`train
# --task segment ...` is `segment train ...`); the graph task follows from
# --dataset.
IMAGE_TASKS = ("segment", "translate")


def add_task_arg(p: argparse.ArgumentParser) -> None:
    """``--task``: declared here for the help; :func:`route_task` acts on it
    before parsing."""
    verb = p.prog.split()[-1]
    p.add_argument("--task", choices=IMAGE_TASKS, default=None,
                   help=f"an AsymFusion image task: `{verb} --task segment ...` is `segment "
                   f"{verb} ...` (see `pyg-fusion {verb} --task segment --help` for its "
                   "flags); default: the graph task of --dataset")


def route_task(argv: list[str]) -> list[str]:
    """``[verb, ..., --task T, ...]`` -> ``[T, verb, ...]`` for the image
    tasks, so that every task is reached verb first; anything else unchanged."""
    if len(argv) < 2 or argv[0] not in ("train", "evaluate"):
        return argv
    rest = list(argv[1:])
    for i, tok in enumerate(rest):
        if tok == "--task" and i + 1 < len(rest) and rest[i + 1] in IMAGE_TASKS:
            return [rest[i + 1], argv[0], *rest[:i], *rest[i + 2:]]
        if tok.startswith("--task=") and tok.split("=", 1)[1] in IMAGE_TASKS:
            return [tok.split("=", 1)[1], argv[0], *rest[:i], *rest[i + 1:]]
    return argv


def add_dataset_args(p: argparse.ArgumentParser, default: str | None = "digits") -> None:
    """The flags of :class:`~pyg_fusion.experiments.DataConfig` (``--dataset``
    defaulting to ``default``)."""
    add_field_flags(p.add_argument_group("dataset"), DataConfig, {"dataset": default})


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
