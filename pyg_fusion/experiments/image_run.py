"""Runs of the AsymFusion image tasks, as :mod:`.run` is for the graph tasks:
RGB-D segmentation and multi-modal translation from their typed configs
(:mod:`.image_config`). Each function loads the data, builds the model
(seeded), trains or reads a checkpoint, scores a split and, with
``report=True``, writes the run's files (``metrics.json``, ``metrics.md`` and
a figure) under ``out_dir``. The ``segment`` / ``translate`` commands and the
ablation benchmarks call these."""
from __future__ import annotations

import dataclasses
import os.path as osp
from dataclasses import dataclass
from typing import Any

from .image_config import (SegmentDataConfig, SegmentModelConfig, SegmentTrainConfig,
                           TranslateDataConfig, TranslateEvalConfig, TranslateModelConfig,
                           TranslateTrainDataConfig, check_segment, check_translate,
                           data_from_checkpoint, defaults_notice,
                           translate_levels)

SYNTHETIC = "synthetic"


@dataclass
class ImageRun:
    """What a run of an image task returns.

    Args:
        module (lightning.LightningModule): the trained (or loaded) model.
        scores (dict): ``{output: {metric: value}}`` of every output (each
            branch and the ensemble) on the scored split.
        split (str): the scored split (``"test"`` or ``"validation"``).
        data (torch.utils.data.Dataset): the scored split's data.
    """
    module: Any
    scores: dict[str, dict[str, float]]
    split: str
    data: Any

    @property
    def parameters(self) -> int:
        """Parameters of the scored network (the generator for translation)."""
        net = self.module.generator if hasattr(self.module, "generator") else self.module.model
        return sum(p.numel() for p in net.parameters())


# -- RGB-D segmentation ----------------------------------------------------
def segment_datasets(data: SegmentDataConfig):
    """``(train, test, class names)`` of ``data``: the seeded synthetic scenes
    (class names known) or NYUDv2-layout lists under ``data.root`` (the test
    split is ``val.txt`` when there is one; class names ``None``).

    Args:
        data (SegmentDataConfig): where the scenes come from.
    """
    from ..datasets.rgbd import RGBDSegmentation
    from ..datasets.synthetic_rgbd import SYNTHETIC_RGBD_CLASSES, SyntheticRGBD

    if data.data == SYNTHETIC:
        kw = dict(size=data.size, num_train=data.num_train, num_test=data.num_test,
                  seed=data.data_seed)
        return (SyntheticRGBD(data.root, "train", **kw), SyntheticRGBD(data.root, "test", **kw),
                list(SYNTHETIC_RGBD_CLASSES))
    if not osp.isdir(data.root):
        raise ValueError(f"--root folder not found: {data.root}")
    k = data.num_classes
    test_split = "val" if osp.isfile(osp.join(data.root, "val.txt")) else "test"
    train = RGBDSegmentation(data.root, "train", num_classes=k, crop_size=data.crop_size)
    test = RGBDSegmentation(data.root, test_split, num_classes=k)
    for split in (train, test):  # a bad test file found after training would waste the run
        split.check_files()
    return train, test, None


def run_segment(data: SegmentDataConfig, model: SegmentModelConfig,
                trainer: SegmentTrainConfig, out_dir: str, *, progress: bool = True,
                checkpoint: bool = True, report: bool = True,
                config: dict | None = None, accelerator: str = "cpu") -> ImageRun:
    """Trains a segmentation variant (weights seeded by ``trainer.seed``)
    and scores it on the test split.

    Args:
        data (SegmentDataConfig): the scenes.
        model (SegmentModelConfig): the variant and its network.
        trainer (SegmentTrainConfig): the optimiser and the seed.
        out_dir (str): logs, checkpoints and the report.
        progress (bool, optional): progress bars. (default: :obj:`True`)
        checkpoint (bool, optional): write ``checkpoints/last.ckpt``.
            (default: :obj:`True`)
        report (bool, optional): write ``metrics.json``, ``metrics.md`` and
            ``predictions.png`` and print the table. (default: :obj:`True`)
        config (dict, optional): the run's full config, recorded in
            ``metrics.json``. (default: :obj:`None`)
        accelerator (str, optional): what to train and score on, ``"cpu"``, ``"gpu"`` or
            ``"auto"`` (:func:`~pyg_fusion.training.trainer.check_accelerator`).
            (default: :obj:`"cpu"`)
    """
    from ..training.segmentation import SegmentationModule, fit_segmentation
    from ..training.trainer import check_accelerator, seed_everything

    check_accelerator(accelerator)
    check_segment(data, model)
    train, test, names = segment_datasets(data)
    arch = dict(width=model.width, decoder_features=model.decoder_features,
                light=model.light, dropout=model.dropout, frozen_stats=model.frozen_stats)
    if model.depth is not None:
        arch["depth"] = model.depth
    else:
        arch.update(depth=None, block=model.block, layers=list(model.layers))
    seed_everything(trainer.seed)  # the initial weights follow the seed
    module = SegmentationModule(model.variant, train.num_classes, arch, lr=trainer.lr,
                                weight_decay=trainer.weight_decay, class_names=names,
                                data_config=dataclasses.asdict(data))
    if model.pretrained:
        _load_pretrained(module.model.encoder, model)
    fitted = fit_segmentation(module, train, out_dir=out_dir, max_epochs=trainer.epochs,
                              batch_size=data.batch_size, seed=trainer.seed,
                              progress=progress, checkpoint=checkpoint,
                              num_workers=data.workers, accelerator=accelerator)
    return _score_segmenter(module, test, names, out_dir, progress=progress, trainer=fitted,
                            report=report, config=config, batch_size=data.batch_size)


def _load_pretrained(encoder, model: SegmentModelConfig) -> None:
    """Loads ``--pretrained`` into every encoder of ``encoder``; a file that
    does not fit is a :class:`ValueError` naming the flags to change (the
    loader's ``KeyError`` would end the command in a traceback)."""
    from .._files import load_checkpoint
    from ..nn.asym import load_torchvision_resnet

    state = load_checkpoint(model.pretrained, what="--pretrained")  # read once, not per encoder
    arch = (f"--depth {model.depth}" if model.depth is not None
            else f"--block {model.block} --layers {','.join(map(str, model.layers))}")
    for e in getattr(encoder, "encoders", [encoder]):
        try:
            load_torchvision_resnet(e, state)
        except (KeyError, ValueError) as exc:
            msg = exc.args[0] if exc.args else str(exc)
            raise ValueError(f"--pretrained {model.pretrained} does not fit the encoder "
                             f"({arch}, --width {model.width}; a torchvision ResNet needs "
                             f"its --depth and --width 64): {msg}") from None


def evaluate_segment(checkpoint: str, data: SegmentDataConfig, out_dir: str, *,
                     progress: bool = True, report: bool = True,
                     config: dict | None = None, accelerator: str = "cpu") -> ImageRun:
    """Scores a checkpoint of :func:`run_segment` on the test split of the
    scenes it was trained on (:func:`data_from_checkpoint`): the fields of
    ``data`` given (not ``None``) override the recorded ones, e.g. another
    ``root`` or ``num_test``; a ``num_classes`` (or ``data``) whose classes
    differ from the model's is an error.

    Args:
        checkpoint (str): a ``.ckpt`` file of :func:`run_segment`.
        data (SegmentDataConfig): the scenes given anew (``None``: the
            checkpoint's).
        out_dir (str): logs and the report.
        progress (bool, optional): progress bars. (default: :obj:`True`)
        report (bool, optional): write the report files (see
            :func:`run_segment`). (default: :obj:`True`)
        config (dict, optional): recorded in ``metrics.json``.
            (default: :obj:`None`)
        accelerator (str, optional): what to train and score on, ``"cpu"``, ``"gpu"`` or
            ``"auto"`` (:func:`~pyg_fusion.training.trainer.check_accelerator`).
            (default: :obj:`"cpu"`)
    """
    from .._files import load_lightning
    from ..datasets.synthetic_rgbd import SYNTHETIC_RGBD_CLASSES
    from ..training.segmentation import SegmentationModule
    from ..training.trainer import check_accelerator

    check_accelerator(accelerator)

    module = load_lightning(SegmentationModule, checkpoint, what="--checkpoint")
    k = module.hparams.num_classes
    if data.num_classes is not None and data.num_classes != k:
        raise ValueError(f"--num-classes {data.num_classes} does not match the checkpoint's "
                         f"{k} classes")
    data, defaulted = data_from_checkpoint(data, module.hparams.get("data_config"))
    if data.data == SYNTHETIC and len(SYNTHETIC_RGBD_CLASSES) != k:
        raise ValueError(f"--data {SYNTHETIC} has {len(SYNTHETIC_RGBD_CLASSES)} classes, the "
                         f"checkpoint's model {k}")
    if data.data != SYNTHETIC:  # the model's classes (the notice's default, for old files)
        data = dataclasses.replace(data, num_classes=k)
    _, test, names = segment_datasets(data)
    defaults_notice(checkpoint, defaulted)  # once the data is made: no error follows
    return _score_segmenter(module, test, names or module.hparams.class_names, out_dir,
                            progress=progress, report=report,
                            config=_with_data(config, data), accelerator=accelerator,
                            batch_size=data.batch_size)


def _with_data(config: dict | None, data) -> dict | None:
    """``config`` with the data actually scored (the checkpoint's settings
    filled in) as its ``data`` section."""
    return None if config is None else {**config, "data": dataclasses.asdict(data)}


def _score_segmenter(module, test, class_names, out_dir: str, *, progress: bool,
                     report: bool, config: dict | None, trainer=None,
                     accelerator: str = "cpu", batch_size: int = 8) -> ImageRun:
    from .._files import write_json, write_text
    from ..training.segmentation import (evaluate_segmentation, save_prediction_figure,
                                         scores_table)
    from ..training.trainer import hardware_record

    scores = evaluate_segmentation(module, test, out_dir=out_dir, progress=progress,
                                   trainer=trainer, accelerator=accelerator,
                                   batch_size=batch_size)
    run = ImageRun(module, scores, "test", test)
    if report:
        table = f"scores on the test split\n\n{scores_table(scores)}"
        write_json(osp.join(out_dir, "metrics.json"), {
            "variant": module.hparams.variant, "split": "test", "scores": scores,
            **hardware_record(accelerator), "parameters": run.parameters, "config": config})
        write_text(osp.join(out_dir, "metrics.md"), table + "\n")
        fig = save_prediction_figure(module, test, osp.join(out_dir, "predictions.png"),
                                     class_names=class_names)
        print(table)
        print(f"wrote {osp.join(out_dir, 'metrics.json')}, "
              f"{osp.join(out_dir, 'metrics.md')}, {fig}")
    return run


# -- multi-modal translation -----------------------------------------------
def translate_modalities(data: TranslateDataConfig) -> list[str]:
    """The input modalities named by ``data.modalities`` (comma separated).

    Args:
        data (TranslateDataConfig): the scenes.
    """
    mods = [m.strip() for m in (data.modalities or "").split(",") if m.strip()]
    if not mods:
        raise ValueError("--modalities must name at least one modality")
    if len(set(mods)) != len(mods):
        raise ValueError(f"--modalities must name distinct modalities, got {data.modalities!r}")
    return mods


def translate_dataset(data: TranslateDataConfig, split: str, num: int, mods: list[str], *,
                      progress: bool = True, path: str | None = None):
    """One split of the scenes: generated (``data.data == "synthetic"``,
    seeded by ``data.data_seed``, else ``data.seed``) or a Taskonomy-style
    folder.

    Args:
        data (TranslateDataConfig): the scenes.
        split (str): ``"train"``, ``"val"`` or ``"test"`` (synthetic data).
        num (int): scenes of a synthetic split.
        mods (list[str]): the input modalities.
        progress (bool, optional): progress bar while generating.
            (default: :obj:`True`)
        path (str, optional): a folder to read instead of ``data.data``.
            (default: :obj:`None`)
    """
    from ..datasets.translation import SyntheticTranslation, TaskonomyFolder

    path = path or data.data
    if path == SYNTHETIC:
        bad = [m for m in mods if m not in SyntheticTranslation.MODALITIES]
        if bad:
            raise ValueError(f"synthetic data has no modality {bad}; choose from "
                             f"{list(SyntheticTranslation.MODALITIES)}")
        if data.target != "rgb":
            raise ValueError("synthetic data has only the target 'rgb'")
        seed = data.seed if data.data_seed is None else data.data_seed
        return SyntheticTranslation(data.root, split, num, data.image_size, seed,
                                    modalities=mods, progress=progress)
    if not osp.isdir(path):
        raise ValueError(f"--data folder {path!r} does not exist")
    return TaskonomyFolder(path, mods, data.target, data.image_size)


def _validation(data: TranslateDataConfig, splits: TranslateTrainDataConfig, train,
                mods: list[str], progress: bool):
    """``(train, val)``: a folder's, the synthetic split, or 10% of ``train``."""
    import torch

    if splits.val_data is not None:
        return train, translate_dataset(data, "val", splits.num_val, mods,
                                        progress=progress, path=splits.val_data)
    if data.data == SYNTHETIC:
        return train, translate_dataset(data, "val", splits.num_val, mods, progress=progress)
    if len(train) < 2:
        raise ValueError("--data needs at least 2 scenes to hold some out")
    perm = torch.randperm(len(train), generator=torch.Generator().manual_seed(data.seed))
    n_val = max(1, len(train) // 10)
    return train[perm[n_val:]], train[perm[:n_val]]


def run_translate(data: TranslateDataConfig, splits: TranslateTrainDataConfig,
                  model: TranslateModelConfig, out_dir: str, *, progress: bool = True,
                  checkpoint: bool = True, validate: bool = True,
                  test: TranslateEvalConfig | None = None, report: bool = True,
                  config: dict | None = None, accelerator: str = "cpu") -> ImageRun:
    """Trains the shared generator (weights seeded by ``data.seed``) and
    scores it on the validation split, or on the test split of ``test``.

    Args:
        data (TranslateDataConfig): the scenes.
        splits (TranslateTrainDataConfig): the training and validation scenes.
        model (TranslateModelConfig): the generator, its critic and optimiser.
        out_dir (str): logs, checkpoints and the report.
        progress (bool, optional): progress bars. (default: :obj:`True`)
        checkpoint (bool, optional): write checkpoints (``best.ckpt``: the
            lowest validation L1). (default: :obj:`True`)
        validate (bool, optional): validate every epoch. (default: :obj:`True`)
        test (TranslateEvalConfig, optional): score the test split of these
            settings instead of the validation split. (default: :obj:`None`)
        report (bool, optional): write ``metrics.json`` and ``metrics.md``
            and print the table. (default: :obj:`True`)
        config (dict, optional): recorded in ``metrics.json``.
            (default: :obj:`None`)
        accelerator (str, optional): what to train and score on, ``"cpu"``, ``"gpu"`` or
            ``"auto"`` (:func:`~pyg_fusion.training.trainer.check_accelerator`).
            (default: :obj:`"cpu"`)
    """
    from ..training.trainer import check_accelerator, seed_everything
    from ..training.translation import TranslationModule, fit_translation

    check_accelerator(accelerator)
    if not validate and test is None:
        raise ValueError("run_translate: validate=False needs a test config to score")
    levels = translate_levels(data, model)
    critic = None if model.gan_mode == "none" else model.d_layers
    check_translate(data.image_size, levels, critic, levels_from="" if model.num_downs else
                    "--num-downs defaults to log2 of --image-size: give --num-downs, or an "
                    "--image-size that is a power of 2")
    mods = translate_modalities(data)
    train = translate_dataset(data, "train", splits.num_train, mods, progress=progress)
    val = None
    if validate:
        train, val = _validation(data, splits, train, mods, progress)
    seed_everything(data.seed)  # the initial weights follow the seed
    first = train[0]
    module = TranslationModule(
        mods, [int(first[f"x_{m}"].size(1)) for m in mods], ngf=model.ngf, num_downs=levels,
        norm=model.modality_norm, gan_mode=model.gan_mode, lambda_l1=model.lambda_l1,
        lambda_gan=model.lambda_gan, ndf=model.ndf, d_layers=model.d_layers, lr=model.lr,
        data_config=dataclasses.asdict(data))
    fit_translation(module, train, out_dir=out_dir, max_epochs=model.epochs,
                    batch_size=data.batch_size, seed=data.seed, val=val, progress=progress,
                    checkpoint=checkpoint, accelerator=accelerator)
    if test is None:
        return _score_translator(module, val, "validation", data, mods, out_dir,
                                 progress=progress, report=report, config=config,
                                 accelerator=accelerator)
    scored = translate_dataset(data, "test", test.num_test, mods, progress=progress)
    return _score_translator(module, scored, "test", data, mods, out_dir, progress=progress,
                             report=report, config=config, accelerator=accelerator)


def evaluate_translate(checkpoint: str, data: TranslateDataConfig, test: TranslateEvalConfig,
                       out_dir: str, *, progress: bool = True, report: bool = True,
                       config: dict | None = None, accelerator: str = "cpu") -> ImageRun:
    """Scores a checkpoint of :func:`run_translate` on the test split of the
    scenes it was trained on (FID and KID too with ``test.inception``); with
    ``report``, also writes ``translation.png`` (``test.num_figure`` scenes).
    The fields of ``data`` given (not ``None``) override the recorded ones
    (:func:`data_from_checkpoint`), e.g. another ``root``, ``data`` folder,
    ``seed`` or ``batch_size``; an ``image_size`` the U-Net's levels cannot
    take, or other ``modalities``, is an error, and so is a checkpoint trained
    on a folder without ``data`` given (a folder has no test split).

    Args:
        checkpoint (str): a ``.ckpt`` file of :func:`run_translate`.
        data (TranslateDataConfig): the scenes given anew (``None``: the
            checkpoint's).
        test (TranslateEvalConfig): the test scenes and the feature network.
        out_dir (str): the report's folder.
        progress (bool, optional): progress bars. (default: :obj:`True`)
        report (bool, optional): write the report files. (default: :obj:`True`)
        config (dict, optional): recorded in ``metrics.json``.
            (default: :obj:`None`)
        accelerator (str, optional): what to train and score on, ``"cpu"``, ``"gpu"`` or
            ``"auto"`` (:func:`~pyg_fusion.training.trainer.check_accelerator`).
            (default: :obj:`"cpu"`)
    """
    import torch

    from .._files import load_lightning
    from ..training.trainer import check_accelerator
    from ..training.translation import TranslationModule
    from ..training.translation_eval import load_feature_extractor

    check_accelerator(accelerator)
    module = load_lightning(TranslationModule, checkpoint, what="--checkpoint")
    mods = module.modalities if data.modalities is None else translate_modalities(data)
    if mods != module.modalities:
        raise ValueError(f"--modalities {','.join(mods)}: the checkpoint was trained on "
                         f"{','.join(module.modalities)}")
    folder_given = data.data is not None
    data, defaulted = data_from_checkpoint(
        dataclasses.replace(data, modalities=",".join(mods)), module.hparams.get("data_config"))
    if data.data != SYNTHETIC and not folder_given:
        # a folder has no test split of its own: scoring it would score the training scenes
        raise ValueError(f"--data: the checkpoint was trained on the folder {data.data!r}, "
                         f"which has no test split; give the test folder with --data")
    check_translate(data.image_size, module.hparams.num_downs,
                    levels_from="num_downs of the checkpoint")
    extractor = None
    if test.inception is not None:  # before the scenes are rendered: errors come first
        try:
            extractor = load_feature_extractor(test.inception, test.inception_size)
        except (OSError, RuntimeError) as exc:
            raise ValueError(str(exc)) from None
    scored = translate_dataset(data, "test", test.num_test, mods, progress=progress)
    defaults_notice(checkpoint, defaulted)  # after every check: no error follows
    torch.manual_seed(data.seed)  # KID's random subsets
    run = _score_translator(module, scored, "test", data, mods, out_dir, progress=progress,
                            report=report, config=_with_data(config, data), extractor=extractor,
                            extra={"checkpoint": checkpoint}, accelerator=accelerator)
    n = min(test.num_figure, len(scored))
    if report and n > 0:
        from torch_geometric.loader import DataLoader

        from ..training.translation_eval import save_translation_figure
        batch = next(iter(DataLoader(scored[list(range(n))], batch_size=n)))
        fig = save_translation_figure(module, batch, osp.join(out_dir, "translation.png"))
        print(f"figure: {fig}")
    return run


def _score_translator(module, scored, split: str, data: TranslateDataConfig, mods: list[str],
                      out_dir: str, *, progress: bool, report: bool, config: dict | None,
                      extractor=None, extra: dict | None = None,
                      accelerator: str = "cpu") -> ImageRun:
    from torch_geometric.loader import DataLoader

    from ..training.trainer import accelerator_device, hardware_record
    from ..training.translation_eval import evaluate_translation, save_metrics

    # a loop outside a trainer (and Lightning hands a fitted module back on
    # the CPU): the module goes to the accelerator's device itself; FID / KID's
    # feature network scores on the CPU (the images are moved there)
    module.to(accelerator_device(accelerator))

    scores = evaluate_translation(module, DataLoader(scored, batch_size=data.batch_size),
                                  feature_extractor=extractor, progress=progress)
    if report:
        save_metrics(scores, out_dir, extra={
            **(extra or {}), "modalities": mods,
            "generator_parameters": module.num_generator_parameters(), "split": split,
            **hardware_record(accelerator), "config": config})
    return ImageRun(module, scores, split, scored)
