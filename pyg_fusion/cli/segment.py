"""``pyg-fusion segment train|evaluate|predict``: RGB-D semantic segmentation
with AsymFusion (and its ablation baselines) on NYUDv2-layout data or the
seeded synthetic scenes; ``predict`` runs a checkpoint on new scenes without
labels (:mod:`pyg_fusion.experiments.segment_predict`).

Outputs under ``--out``: ``metrics.json`` (every output: pixel accuracy, mean
class accuracy, mIoU), ``metrics.md`` (the same as a table),
``predictions.png`` (input, depth, ground truth, each branch's prediction),
Lightning CSV logs and checkpoints (``checkpoints/last.ckpt``).
"""
from __future__ import annotations

import argparse

from ._config_flags import (add_config_file_flags, add_field_flags, add_force_reload_argument,
                            check_image_command)
from ._flag_types import input_path
from ._help import HelpFormatter
from ._image_commands import add_resume_argument, run_image_command
from .evaluate import check as check_checkpoint
from ._process import add_accelerator_argument, add_progress_argument, add_threads_argument
from . import OUT_REQUIRED, out_folder

_EPILOG = """examples:
  pyg-fusion segment train --data synthetic --root runs/synthetic_rgbd \\
      --variant asymfusion --layers 1,1,1,1 --width 8 --decoder-features 16 \\
      --light --epochs 20 --out runs/seg
  pyg-fusion segment train --data nyud --root /data/nyud --depth 101 \\
      --pretrained resnet101-5d3b4d8f.pth --frozen-stats --epochs 100 --out runs/nyud
  pyg-fusion segment evaluate --checkpoint runs/seg/checkpoints/last.ckpt \\
      --out runs/seg_eval
  pyg-fusion segment predict --checkpoint runs/seg/checkpoints/last.ckpt \\
      --images new/scenes.txt --out runs/seg_predict
"""
PREDICT = ("Run a checkpoint of `segment train` on new RGB-D scenes without labels, on the "
           "CPU: each scene at its own size, read as the training scenes were (the checkpoint's "
           "depth scale and RGB normalisation; segment train's: RGB scaled and normalised, "
           "depth PNG values / 5000). Writes one PNG of class ids per scene (the "
           "ensemble's arg-max) in OUT/predictions and a table of them, "
           "OUT/predictions.csv.")
EVALUATE_DATA = ("Score a checkpoint of `segment train` on the test split of the scenes it "
                 "was trained on: every data setting comes from the checkpoint. A flag given "
                 "here overrides it: --root, --num-test, --data-seed, --size (synthetic "
                 "scenes), --batch-size and --workers (e.g. another folder or other test "
                 "scenes); --num-classes, or --data with other classes, must match the "
                 "model. Test scenes are scored uncropped: --crop-size is training's.")


def _data_args(p, *, from_checkpoint: bool = False) -> None:
    from ..experiments.image_config import SegmentDataConfig
    add_field_flags(p, SegmentDataConfig, from_checkpoint=from_checkpoint)
    add_force_reload_argument(p)
    add_threads_argument(p)
    add_accelerator_argument(p)


def register(subparsers) -> None:
    from ..experiments.image_config import SegmentModelConfig, SegmentTrainConfig

    p = subparsers.add_parser(
        "segment", help="RGB-D segmentation with AsymFusion: train | evaluate | predict "
        "(also: train/evaluate --task segment)",
        description="RGB-D semantic segmentation with AsymFusion.",
        epilog=_EPILOG, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = p.add_subparsers(dest="action", metavar="ACTION")
    sub.required = True  # as translate's: no action is a one-line error
    t = sub.add_parser("train", help="train a variant, then evaluate it",
                       epilog=_EPILOG, formatter_class=_Formatter)
    _data_args(t)
    add_field_flags(t, SegmentModelConfig)
    add_field_flags(t, SegmentTrainConfig)
    g = t.add_argument_group("output")
    g.add_argument("--out", type=out_folder, help="output folder " + OUT_REQUIRED)
    add_progress_argument(g)
    add_resume_argument(g)
    add_config_file_flags(t)
    t.set_defaults(func=run_train, check=check_image_command)

    e = sub.add_parser("evaluate", help="score a checkpoint on the test split",
                       description=EVALUATE_DATA, formatter_class=HelpFormatter)
    e.add_argument("--checkpoint", required=True, type=input_path, help="Lightning checkpoint (.ckpt)")
    _data_args(e, from_checkpoint=True)
    e.add_argument("--out", type=out_folder, help="output folder " + OUT_REQUIRED)
    add_progress_argument(e)
    add_config_file_flags(e)
    e.set_defaults(func=run_evaluate, check=_check_evaluate)

    r = sub.add_parser("predict", help="class ids of new scenes, without labels",
                       description=PREDICT, formatter_class=HelpFormatter)
    r.add_argument("--checkpoint", required=True, type=input_path, help="Lightning checkpoint (.ckpt)")
    r.add_argument("--images", required=True, type=input_path,
                   help="list file: per line the RGB and the depth PNG of a scene, tab- or "
                   "space-separated, relative to the list's folder")
    r.add_argument("--out", required=True, type=out_folder,
                   help="output folder: predictions/ (a PNG of class ids per scene) and "
                   "predictions.csv")
    add_threads_argument(r)
    add_progress_argument(r)
    r.set_defaults(func=run_predict, check=_check_predict)


class _Formatter(HelpFormatter, argparse.RawDescriptionHelpFormatter):
    """Defaults in the help, and the examples' line breaks kept."""


def run_train(args) -> int:
    from ..experiments.segment_run import run_segment
    return run_image_command(args, run_segment)


def run_evaluate(args) -> int:
    from ..experiments.segment_run import evaluate_segment
    return run_image_command(args, evaluate_segment)


def _check_evaluate(args) -> None:
    # the run's order: the data flags, then the checkpoint (as translate evaluate's)
    check_image_command(args)
    check_checkpoint(args)


def _check_predict(args) -> None:
    from ..experiments.data import _check_file
    check_checkpoint(args)
    _check_file("--images", args.images)


def run_predict(args) -> int:
    from ..experiments.segment_predict import predict_segment
    predict_segment(args.checkpoint, args.images, args.out, progress=not args.no_progress)
    return 0
