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
