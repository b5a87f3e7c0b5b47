"""``pyg-fusion segment train|evaluate``: RGB-D semantic segmentation with
AsymFusion (and its ablation baselines) on NYUDv2-layout data or the seeded
synthetic scenes.

Outputs under ``--out``: ``metrics.json`` (every output: pixel accuracy, mean
class accuracy, mIoU), ``metrics.md`` (the same as a table),
``predictions.png`` (input, depth, ground truth, each branch's prediction),
Lightning CSV logs and checkpoints (``checkpoints/last.ckpt``).
"""
from __future__ import annotations

import argparse
import os.path as osp
from typing import TYPE_CHECKING

from ._config_flags import add_config_file_flags, add_field_flags, image_full_config
from ._help import HelpFormatter
from ._process import add_threads_argument
from . import CLIError, out_folder

if TYPE_CHECKING:
    from ..experiments.image_config import SegmentDataConfig

_EPILOG = """examples:
  pyg-fusion segment train --data synthetic --root runs/synthetic_rgbd \\
      --variant asymfusion --layers 1,1,1,1 --width 8 --decoder-features 16 \\
      --light --epochs 20 --out runs/seg
  pyg-fusion segment train --data nyud --root /data/nyud --depth 101 \\
      --pretrained resnet101-5d3b4d8f.pth --frozen-stats --epochs 100 --out runs/nyud
  pyg-fusion segment evaluate --checkpoint runs/seg/checkpoints/last.ckpt \\
      --data synthetic --root runs/synthetic_rgbd --out runs/seg_eval
"""


def _data_args(p) -> None:
    from ..experiments.image_config import SegmentDataConfig
    add_field_flags(p, SegmentDataConfig)
    add_threads_argument(p, default=None)


def register(subparsers) -> None:
    from ..experiments.image_config import SegmentModelConfig, SegmentTrainConfig

    p = subparsers.add_parser(
        "segment", help="RGB-D segmentation with AsymFusion: train | evaluate "
        "(also: train/evaluate --task segment)",
        description="RGB-D semantic segmentation with AsymFusion.",
        epilog=_EPILOG, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = p.add_subparsers(dest="action", metavar="ACTION")
    t = sub.add_parser("train", help="train a variant, then evaluate it",
                       epilog=_EPILOG, formatter_class=_Formatter)
    _data_args(t)
    add_field_flags(t, SegmentModelConfig)
    add_field_flags(t, SegmentTrainConfig)
    g = t.add_argument_group("output")
    g.add_argument("--out", type=out_folder, required=True, help="output folder")
    g.add_argument("--no-progress", action="store_true", help="hide progress bars")
    add_config_file_flags(t)
    t.set_defaults(func=run_train)

    e = sub.add_parser("evaluate", help="score a checkpoint on the test split",
                       formatter_class=HelpFormatter)
    e.add_argument("--checkpoint", required=True, help="Lightning checkpoint (.ckpt)")
    _data_args(e)
    e.add_argument("--out", type=out_folder, required=True, help="output folder")
    e.add_argument("--no-progress", action="store_true", help="hide progress bars")
    add_config_file_flags(e)
    e.set_defaults(func=run_evaluate)
    p.set_defaults(func=lambda args: (p.print_help(), 2)[1])


class _Formatter(HelpFormatter, argparse.RawDescriptionHelpFormatter):
    """Defaults in the help, and the examples' line breaks kept."""


def _datasets(data: SegmentDataConfig, num_classes: int | None = None):
    from ..datasets.rgbd import RGBDSegmentation
    from ..datasets.synthetic_rgbd import SYNTHETIC_RGBD_CLASSES, SyntheticRGBD

    if data.data == "synthetic":
        kw = dict(size=data.size, num_train=data.num_train,
                  num_test=data.num_test, seed=data.data_seed)
        return (SyntheticRGBD(data.root, "train", **kw),
                SyntheticRGBD(data.root, "test", **kw), list(SYNTHETIC_RGBD_CLASSES))
    if not osp.isdir(data.root):
        raise CLIError(f"--root folder not found: {data.root}")
    k = num_classes or data.num_classes
    test_split = "val" if osp.isfile(osp.join(data.root, "val.txt")) else "test"
    return (RGBDSegmentation(data.root, "train", num_classes=k,
                             crop_size=data.crop_size),
            RGBDSegmentation(data.root, test_split, num_classes=k), None)


def _report(module, test, out: str, class_names, progress: bool, trainer=None,
            config: dict | None = None):
    from .._files import write_json
    from ..training.segmentation import (evaluate_segmentation,
                                         save_prediction_figure, scores_table)

    scores = evaluate_segmentation(module, test, out_dir=out, progress=progress,
                                   trainer=trainer)
    table = scores_table(scores)
    write_json(osp.join(out, "metrics.json"), {
        "variant": module.hparams.variant, "scores": scores,
        "parameters": sum(p.numel() for p in module.model.parameters()),
        "config": config})
    from .._files import write_text
    write_text(osp.join(out, "metrics.md"), table + "\n")
    fig = save_prediction_figure(module, test, osp.join(out, "predictions.png"),
                                 class_names=class_names)
    print(table)
    print(f"wrote {osp.join(out, 'metrics.json')}, {osp.join(out, 'metrics.md')}, {fig}")


def run_train(args) -> int:
    from ..experiments.image_config import image_configs
    from ..nn.asym import load_torchvision_resnet
    from ..training.segmentation import SegmentationModule, fit_segmentation

    cfg = image_configs("segment", "train", args)
    data, m, t = cfg["data"], cfg["model"], cfg["trainer"]
    train, test, names = _datasets(data)
    arch = dict(width=m.width, decoder_features=m.decoder_features, light=m.light,
                dropout=m.dropout, frozen_stats=m.frozen_stats)
    if m.depth is not None:
        arch["depth"] = m.depth
    else:
        arch.update(depth=None, block=m.block, layers=list(m.layers))
    module = SegmentationModule(m.variant, train.num_classes, arch, lr=t.lr,
                                weight_decay=t.weight_decay, class_names=names)
    if m.pretrained:
        enc = module.model.encoder
        encoders = getattr(enc, "encoders", [enc])
        for e in encoders:
            load_torchvision_resnet(e, m.pretrained)
    trainer = fit_segmentation(module, train, out_dir=args.out,
                               max_epochs=t.epochs, batch_size=data.batch_size,
                               seed=t.seed, progress=not args.no_progress,
                               num_workers=data.workers)
    _report(module, test, args.out, names, not args.no_progress, trainer,
            config=image_full_config(args))
    return 0


def run_evaluate(args) -> int:
    from ..experiments.image_config import image_configs
    from ..training.segmentation import SegmentationModule

    from .._files import load_lightning
    module = load_lightning(SegmentationModule, args.checkpoint, what="--checkpoint")
    data = image_configs("segment", "evaluate", args)["data"]
    _, test, names = _datasets(data, module.hparams.num_classes)
    _report(module, test, args.out, names or module.hparams.class_names,
            not args.no_progress, config=image_full_config(args))
    return 0
