"""``pyg-fusion translate train|evaluate``: AsymFusion multi-modal image
translation (docs/methods.md §2.6)."""
from __future__ import annotations

import os.path as osp

from ._config_flags import add_config_file_flags, add_field_flags, image_full_config
from ._process import add_threads_argument
from . import CLIError, out_folder
from ._help import HelpFormatter

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


def _modalities(args) -> list[str]:
    mods = [m.strip() for m in args.modalities.split(",") if m.strip()]
    if not mods:
        raise CLIError("--modalities must name at least one modality")
    return mods


def _dataset(args, split: str, num: int, mods: list[str], path: str | None = None):
    from ..datasets.translation import SyntheticTranslation, TaskonomyFolder

    if args.image_size < 8:
        raise CLIError(f"--image-size must be >= 8, got {args.image_size}")
    path = path or args.data
    if path == SYNTHETIC:
        bad = [m for m in mods if m not in SyntheticTranslation.MODALITIES]
        if bad:
            raise CLIError(f"synthetic data has no modality {bad}; choose from "
                           f"{list(SyntheticTranslation.MODALITIES)}")
        if args.target != "rgb":
            raise CLIError("synthetic data has only the target 'rgb'")
        return SyntheticTranslation(args.root, split, num, args.image_size,
                                    args.seed, modalities=mods,
                                    progress=not args.no_progress)
    if not osp.isdir(path):
        raise CLIError(f"--data folder {path!r} does not exist")
    return TaskonomyFolder(path, mods, args.target, args.image_size)


def _channels(ds, mods: list[str]) -> list[int]:
    first = ds[0]
    return [int(first[f"x_{m}"].size(1)) for m in mods]


def _train(args) -> int:
    import math

    import torch
    from torch_geometric.loader import DataLoader

    from ..training.trainer import seed_everything
    from ..training.translation import (TranslationModule, evaluate_translation,
                                        fit_translation, save_metrics)

    mods = _modalities(args)
    if args.epochs < 1:
        raise CLIError(f"--epochs must be >= 1, got {args.epochs}")
    train = _dataset(args, "train", args.num_train, mods)
    if args.val_data is not None:
        val = _dataset(args, "val", args.num_val, mods, args.val_data)
    elif args.data == SYNTHETIC:
        val = _dataset(args, "val", args.num_val, mods)
    else:
        if len(train) < 2:
            raise CLIError("--data needs at least 2 scenes to hold some out")
        perm = torch.randperm(len(train),
                              generator=torch.Generator().manual_seed(args.seed))
        n_val = max(1, len(train) // 10)
        val, train = train[perm[:n_val]], train[perm[n_val:]]
    levels = args.num_downs or int(math.log2(args.image_size))
    if args.image_size % (2 ** levels):
        raise CLIError(f"--image-size {args.image_size} is not divisible by "
                       f"2**num_downs = {2 ** levels}")
    seed_everything(args.seed)  # the initial weights follow --seed
    module = TranslationModule(
        mods, _channels(train, mods), ngf=args.ngf, num_downs=levels,
        norm=args.modality_norm, gan_mode=args.gan_mode, lambda_l1=args.lambda_l1,
        lambda_gan=args.lambda_gan, ndf=args.ndf, d_layers=args.d_layers,
        lr=args.lr)
    fit_translation(module, train, out_dir=args.out, max_epochs=args.epochs,
                    batch_size=args.batch_size, seed=args.seed, val=val,
                    progress=not args.no_progress)
    results = evaluate_translation(module, DataLoader(
        val, batch_size=args.batch_size), progress=not args.no_progress)
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
    from ..training.translation import (TranslationModule, evaluate_translation,
                                        load_feature_extractor, save_metrics,
                                        save_translation_figure)

    module = load_lightning(TranslationModule, args.checkpoint, what="--checkpoint")
    mods = module.modalities if args.modalities is None else _modalities(args)
    if mods != module.modalities:
        raise CLIError(f"the checkpoint was trained on {module.modalities}, "
                       f"not {mods}")
    data = _dataset(args, "test", args.num_test, mods)
    extractor = None
    if args.inception is not None:
        try:
            extractor = load_feature_extractor(args.inception,
                                               args.inception_size)
        except (OSError, RuntimeError) as exc:
            raise CLIError(str(exc))
    torch.manual_seed(args.seed)
    results = evaluate_translation(
        module, DataLoader(data, batch_size=args.batch_size),
        feature_extractor=extractor, progress=not args.no_progress)
    save_metrics(results, args.out, extra={
        "checkpoint": args.checkpoint, "modalities": mods,
        "generator_parameters": module.num_generator_parameters(),
        "config": image_full_config(args)})
    n = min(args.num_figure, len(data))
    if n > 0:
        batch = next(iter(DataLoader(data[list(range(n))], batch_size=n)))
        fig = save_translation_figure(module, batch, osp.join(
            args.out, "translation.png"))
        print(f"figure: {fig}")
    return 0
