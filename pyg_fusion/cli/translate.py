"""``pyg-fusion translate train|evaluate``: AsymFusion multi-modal image
translation (docs/methods.md §2.6)."""
from __future__ import annotations

import os.path as osp
from typing import TYPE_CHECKING

from ._config_flags import add_config_file_flags, add_field_flags, image_full_config
from ._process import add_threads_argument
from . import CLIError, out_folder
from ._help import HelpFormatter

if TYPE_CHECKING:
    from ..experiments.image_config import TranslateDataConfig

SYNTHETIC = "synthetic"


def register(subparsers) -> None:
    from ..experiments.image_config import (TranslateDataConfig, TranslateEvalConfig,
                                            TranslateModelConfig, TranslateTrainDataConfig)

    p = subparsers.add_parser(
        "translate", help="AsymFusion multi-modal image-to-image translation: train | "
        "evaluate (also: train/evaluate --task translate)",
        description="Train or evaluate AsymFusion's shared U-Net generator "
        "that translates several input modalities (e.g. shade + depth) into "
        "an RGB image.")
    sub = p.add_subparsers(dest="action", metavar="ACTION")
    sub.required = True

    def data_args(q, **defaults):
        add_field_flags(q, TranslateDataConfig, defaults)
        add_threads_argument(q, default=None)

    t = sub.add_parser("train", help="train a generator",
                       formatter_class=HelpFormatter)
    data_args(t)
    add_field_flags(t, TranslateTrainDataConfig)
    add_field_flags(t, TranslateModelConfig)
    g = t.add_argument_group("output")
    g.add_argument("--out", type=out_folder, required=True, help="output folder (logs, "
                   "checkpoints, metrics.json, figure)")
    g.add_argument("--no-progress", action="store_true", help="hide progress bars")
    add_config_file_flags(t)
    t.set_defaults(func=_train)

    e = sub.add_parser("evaluate", help="evaluate a trained generator",
                       formatter_class=HelpFormatter)
    data_args(e, modalities=None)
    add_field_flags(e, TranslateEvalConfig)
    g = e.add_argument_group("input and output")
    g.add_argument("--checkpoint", required=True,
                   help="a .ckpt written by 'translate train'")
    g.add_argument("--out", type=out_folder, required=True, help="folder for metrics.json, "
                   "metrics.md and translation.png")
    g.add_argument("--no-progress", action="store_true", help="hide progress bars")
    add_config_file_flags(e)
    e.set_defaults(func=_evaluate)


def _modalities(data: TranslateDataConfig) -> list[str]:
    mods = [m.strip() for m in data.modalities.split(",") if m.strip()]
    if not mods:
        raise CLIError("--modalities must name at least one modality")
    return mods


def _dataset(data: TranslateDataConfig, split: str, num: int, mods: list[str],
             progress: bool, path: str | None = None):
    from ..datasets.translation import SyntheticTranslation, TaskonomyFolder

    if data.image_size < 8:
        raise CLIError(f"--image-size must be >= 8, got {data.image_size}")
    path = path or data.data
    if path == SYNTHETIC:
        bad = [m for m in mods if m not in SyntheticTranslation.MODALITIES]
        if bad:
            raise CLIError(f"synthetic data has no modality {bad}; choose from "
                           f"{list(SyntheticTranslation.MODALITIES)}")
        if data.target != "rgb":
            raise CLIError("synthetic data has only the target 'rgb'")
        return SyntheticTranslation(data.root, split, num, data.image_size,
                                    data.seed, modalities=mods, progress=progress)
    if not osp.isdir(path):
        raise CLIError(f"--data folder {path!r} does not exist")
    return TaskonomyFolder(path, mods, data.target, data.image_size)


def _channels(ds, mods: list[str]) -> list[int]:
    first = ds[0]
    return [int(first[f"x_{m}"].size(1)) for m in mods]


def _train(args) -> int:
    import math

    import torch
    from torch_geometric.loader import DataLoader

    from ..experiments.image_config import image_configs
    from ..training.trainer import seed_everything
    from ..training.translation import (TranslationModule, evaluate_translation,
                                        fit_translation, save_metrics)

    cfg = image_configs("translate", "train", args)
    data, splits, m = cfg["data"], cfg["splits"], cfg["model"]
    progress = not args.no_progress
    mods = _modalities(data)
    train = _dataset(data, "train", splits.num_train, mods, progress)
    if splits.val_data is not None:
        val = _dataset(data, "val", splits.num_val, mods, progress, splits.val_data)
    elif data.data == SYNTHETIC:
        val = _dataset(data, "val", splits.num_val, mods, progress)
    else:
        if len(train) < 2:
            raise CLIError("--data needs at least 2 scenes to hold some out")
        perm = torch.randperm(len(train),
                              generator=torch.Generator().manual_seed(data.seed))
        n_val = max(1, len(train) // 10)
        val, train = train[perm[:n_val]], train[perm[n_val:]]
    levels = m.num_downs or int(math.log2(data.image_size))
    if data.image_size % (2 ** levels):
        raise CLIError(f"--image-size {data.image_size} is not divisible by "
                       f"2**num_downs = {2 ** levels}")
    seed_everything(data.seed)  # the initial weights follow --seed
    module = TranslationModule(
        mods, _channels(train, mods), ngf=m.ngf, num_downs=levels,
        norm=m.modality_norm, gan_mode=m.gan_mode, lambda_l1=m.lambda_l1,
        lambda_gan=m.lambda_gan, ndf=m.ndf, d_layers=m.d_layers, lr=m.lr)
    fit_translation(module, train, out_dir=args.out, max_epochs=m.epochs,
                    batch_size=data.batch_size, seed=data.seed, val=val, progress=progress)
    results = evaluate_translation(module, DataLoader(
        val, batch_size=data.batch_size), progress=progress)
    save_metrics(results, args.out, extra={
        "modalities": mods, "generator_parameters":
        module.num_generator_parameters(), "split": "validation",
        "config": image_full_config(args)})
    print(f"checkpoints: {osp.join(args.out, 'checkpoints')}")
    return 0


def _evaluate(args) -> int:
    import torch
    from torch_geometric.loader import DataLoader

    from .._files import load_lightning
    from ..experiments.image_config import image_configs
    from ..training.translation import (TranslationModule, evaluate_translation,
                                        load_feature_extractor, save_metrics,
                                        save_translation_figure)

    cfg = image_configs("translate", "evaluate", args)
    data, ev = cfg["data"], cfg["eval"]
    progress = not args.no_progress
    module = load_lightning(TranslationModule, args.checkpoint, what="--checkpoint")
    mods = module.modalities if data.modalities is None else _modalities(data)
    if mods != module.modalities:
        raise CLIError(f"the checkpoint was trained on {module.modalities}, "
                       f"not {mods}")
    test = _dataset(data, "test", ev.num_test, mods, progress)
    extractor = None
    if ev.inception is not None:
        try:
            extractor = load_feature_extractor(ev.inception, ev.inception_size)
        except (OSError, RuntimeError) as exc:
            raise CLIError(str(exc))
    torch.manual_seed(data.seed)
    results = evaluate_translation(
        module, DataLoader(test, batch_size=data.batch_size),
        feature_extractor=extractor, progress=progress)
    save_metrics(results, args.out, extra={
        "checkpoint": args.checkpoint, "modalities": mods,
        "generator_parameters": module.num_generator_parameters(),
        "config": image_full_config(args)})
    n = min(ev.num_figure, len(test))
    if n > 0:
        batch = next(iter(DataLoader(test[list(range(n))], batch_size=n)))
        fig = save_translation_figure(module, batch, osp.join(
            args.out, "translation.png"))
        print(f"figure: {fig}")
    return 0
