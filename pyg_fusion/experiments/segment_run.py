"""Runs of AsymFusion's RGB-D segmentation from its typed configs
(:mod:`.image_config`): load the data, build the model (seeded), train or read
a checkpoint, score the test split and, with ``report=True``, write
``metrics.json``, ``metrics.md`` and a figure under ``out_dir``. The
``segment`` command and the ablation benchmarks call these."""
from __future__ import annotations

import dataclasses
import os.path as osp

from ..specs.options import plain_config
from .image_checkpoint import (changed_flags, data_from_checkpoint, defaults_notice,
                               given_data, moved_notice)
from .image_config import (SegmentDataConfig, SegmentModelConfig, SegmentTrainConfig,
                           check_scenes_root, check_segment)
from .image_run import (SYNTHETIC, ImageRun, as_recorded, check_report_replaceable,
                        checkpoint_epochs, config_with_data, figure_title, print_wrote)
from ._rng import keeps_global_rng
from ._image_resume import RecordSettings, resume_point
from ._run_folders import TRAINED, check_own_run, staged_run

# the report of a run (report=True) in its out_dir
REPORT = ("metrics.json", "metrics.md", "predictions.png")


def segment_datasets(data: SegmentDataConfig, *, force_reload: bool = False,
                     train: bool = True, progress: bool = True,
                     preprocessing: dict | None = None):
    """``(train, test, class names)`` of ``data``: the seeded synthetic scenes
    (class names known) or NYUDv2-layout lists under ``data.root`` (the test
    split is ``val.txt`` when there is one; class names ``None``).

    Args:
        data (SegmentDataConfig): where the scenes come from.
        force_reload (bool, optional): generate the synthetic scenes of both splits
            again (``--force-reload``; an instruction to this load, not recorded with
            the run). NYUDv2-layout files are read as they are at every run: with them
            it is an error. (default: :obj:`False`)
        train (bool, optional): read the training list too; :obj:`False` (scoring a
            checkpoint): a NYUDv2-layout folder needs only its test list, and the
            training split is :obj:`None`. (default: :obj:`True`)
        progress (bool, optional): progress bars while generating the synthetic scenes
            or checking the lists' labels and the test scenes' pixels. (default: :obj:`True`)
        preprocessing (dict, optional): how to read the scenes' pixels, a checkpoint's
            (:class:`~pyg_fusion.training.segmentation.SegmentationModule`'s
            ``preprocessing``: ``depth_scale`` and ``normalize`` of
            :class:`~pyg_fusion.datasets.RGBDSegmentation`); the synthetic scenes are
            read as generated (depth / 5000, normalised RGB), another is an error.
            (default: :obj:`None`, depth x ``data.depth_scale``, as ``segment train`` reads)
    """
    from ..datasets.rgbd import RGBDSegmentation
    from ..datasets.synthetic_rgbd import SYNTHETIC_RGBD_CLASSES, SyntheticRGBD

    read = preprocessing or {}
    if data.data == SYNTHETIC:
        if read and read != {"depth_scale": 1 / 5000, "normalize": True}:
            raise ValueError(f"the checkpoint was trained on scenes read with {read}; --data "
                             f"{SYNTHETIC} scenes are read with depth / 5000 and normalised "
                             f"RGB: score it on scenes of its own (--data nyud)")
        kw = dict(size=data.size, num_train=data.num_train, num_test=data.num_test,
                  seed=data.data_seed)
        # the training split's generates both splits' scenes (once)
        return (SyntheticRGBD(data.root, "train", force_reload=force_reload,
                              progress=progress, **kw),
                SyntheticRGBD(data.root, "test", progress=progress, **kw),
                list(SYNTHETIC_RGBD_CLASSES))
    if force_reload:
        raise ValueError(f"--force-reload: --data {data.data} is read from its files at every "
                         f"run; it has no cache to rebuild")
    check_scenes_root(data)
    # a checkpoint's reading, or this run's (--depth-scale; the module records it)
    read = preprocessing or {"depth_scale": data.depth_scale}
    k = data.num_classes
    test_split = "val" if osp.isfile(osp.join(data.root, "val.txt")) else "test"
    # a folder of test scenes to score a checkpoint on needs no train.txt
    if train and not osp.isfile(osp.join(data.root, "train.txt")):
        # the dataset's own error, 'list file not found: ROOT/train.txt', named no flag
        raise FileNotFoundError(f"--root {data.root} has no train list: put train.txt there "
                                f"(the training scenes, one per line)")
    train = (RGBDSegmentation(data.root, "train", num_classes=k, crop_size=data.crop_size,
                              **read) if train else None)
    if test_split == "test" and not osp.isfile(osp.join(data.root, "test.txt")):
        # the dataset's own error named test.txt alone, as if no other file would do
        raise FileNotFoundError(f"--root {data.root} has no test list: put val.txt or "
                                f"test.txt there (val.txt is scored when both exist)")
    test = RGBDSegmentation(data.root, test_split, num_classes=k, **read)
    # a bad test file found after training would waste the run: before training the
    # test scenes' pixels are read too (labels beyond --num-classes, a colour depth map,
    # a file cut short), and the training masks' labels (a wrong --num-classes stopped
    # the first epoch, in a data loader worker's traceback with --workers); scoring
    # reads at once
    if train is not None:
        train.check_files(labels=True, progress=progress)
        _check_disjoint(train, test)
    test.check_files(pixels=train is not None, progress=progress)
    if train is not None:
        _shallow_notice(test, data.depth_scale)
    return train, test, None


def _shallow_notice(test, scale: float) -> None:
    """A notice naming ``--depth-scale`` when the first test scene's depth,
    read at ``scale``, is all under 0.1 m: an 8-bit depth PNG read at
    NYUDv2's 1/5000 (at most 0.051 m) trained on depth of another scale,
    silently."""
    from .._notices import notice
    deepest = float(test[0]["depth"].max())
    if 0 < deepest < 0.1:
        notice(f"--depth-scale {scale:g}: the depth of {test.items[0][-1]} reads at most "
               f"{deepest:.3g} m; if its PNG values are not 1/{1 / scale:g} m each (NYUDv2's "
               f"1/5000), give --depth-scale (e.g. 0.001 for millimetres)")


def _check_disjoint(train, test) -> None:
    """A scene listed for training and for testing (its RGB file, by real path:
    e.g. val.txt a copy of train.txt) would be scored as a test scene, the
    scores measuring training data; an error naming both lists, as the VAD
    runs refuse test videos that are also training videos."""
    seen = {osp.realpath(rgb) for rgb, _, _ in train.items}
    both = [rgb for rgb, _, _ in test.items if osp.realpath(rgb) in seen]
    if both:
        raise ValueError(f"{test.list_file} lists {len(both)} of its {len(test)} scenes in "
                         f"{train.list_file} too (e.g. {both[0]}): the test scores would "
                         f"measure training scenes; give the test list scenes of its own")


@keeps_global_rng
def run_segment(data: SegmentDataConfig, model: SegmentModelConfig,
                trainer: SegmentTrainConfig, out_dir: str, *, progress: bool = True,
                checkpoint: bool = True, report: bool = True,
                config: dict | None = None, accelerator: str = "cpu",
                force_reload: bool = False, resume: bool = False) -> ImageRun:
    """Trains a segmentation variant (weights seeded by ``trainer.seed``)
    and scores it on the test split.

    Args:
        data (SegmentDataConfig): the scenes.
        model (SegmentModelConfig): the variant and its network.
        trainer (SegmentTrainConfig): the optimiser and the seed.
        out_dir (str): logs, checkpoints and the report (written in
            ``<out_dir>/train.partial``, moved into ``out_dir`` once the run finished).
        progress (bool, optional): progress bars. (default: :obj:`True`)
        checkpoint (bool, optional): write ``checkpoints/last.ckpt``.
            (default: :obj:`True`)
        report (bool, optional): write ``metrics.json``, ``metrics.md`` and
            ``predictions.png`` and print the table. (default: :obj:`True`)
        config (dict, optional): the run's full config, recorded in
            ``metrics.json``; without it the record holds ``data``, ``model`` and
            ``trainer``. (default: :obj:`None`)
        accelerator (str, optional): what to train and score on, ``"cpu"``, ``"gpu"`` or
            ``"auto"`` (:func:`~pyg_fusion.training.accelerators.check_accelerator`).
            (default: :obj:`"cpu"`)
        force_reload (bool, optional): generate the synthetic scenes again
            (:func:`segment_datasets`). (default: :obj:`False`)
        resume (bool, optional): continue the interrupted run of these settings in
            ``out_dir`` (:mod:`._image_resume`). (default: :obj:`False`)
    """
    from ..training._segmentation_loaders import check_workers
    from ..training.segmentation import SegmentationModule, fit_segmentation
    from ..training.seeding import seed_everything
    from ..training.accelerators import check_accelerator

    check_accelerator(accelerator)
    # plain Python: metrics.json and the checkpoint's data_config record them
    data, model, trainer = map(plain_config, (data, model, trainer))
    check_segment(data, model)
    check_workers(data.workers)  # before the scenes are made (the loaders check it again)
    check_own_run(out_dir, "train", REPORT, TRAINED, task="segment")
    data = as_recorded(data, "root")
    train, test, names = segment_datasets(data, force_reload=force_reload, progress=progress)
    if data.data != SYNTHETIC:  # the scenes of a list are known once it is read
        check_segment(data, model, num_listed=len(train))
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
    record = config_with_data(config, data, model=model, trainer=trainer)
    resumed = resume_point(osp.join(out_dir, "train.partial"), record, resume,
                           data=data, model=model, trainer=trainer)
    # checkpoints and report go to out_dir together once the run finished
    with staged_run(out_dir, "train", REPORT, TRAINED, resume=resumed is not None,
                    task="segment") as stage:
        fitted = fit_segmentation(module, train, out_dir=stage, max_epochs=trainer.epochs,
                                  batch_size=data.batch_size, seed=trainer.seed,
                                  progress=progress, checkpoint=checkpoint,
                                  num_workers=data.workers, accelerator=accelerator,
                                  ckpt_path=resumed, callbacks=[RecordSettings(record)])
        run = _score_segmenter(module, test, names, stage, progress=progress, trainer=fitted,
                               report=report, config=record,
                               batch_size=data.batch_size, num_workers=data.workers,
                               epochs=trainer.epochs)
    print_wrote(out_dir, REPORT + ("checkpoints",))
    return run


def _load_pretrained(encoder, model: SegmentModelConfig) -> None:
    """Loads ``--pretrained`` into every encoder of ``encoder``; a file that
    does not fit is a :class:`ValueError` naming the flags to change (the
    loader's ``KeyError`` would end the command in a traceback)."""
    from .._loading import load_checkpoint
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


@keeps_global_rng
def evaluate_segment(checkpoint: str, data: SegmentDataConfig | dict | None, out_dir: str, *,
                     progress: bool = True, report: bool = True,
                     config: dict | None = None, accelerator: str = "cpu",
                     force_reload: bool = False) -> ImageRun:
    """Scores a checkpoint of :func:`run_segment` on the test split of the
    scenes it was trained on, with the data settings it recorded
    (:func:`data_from_checkpoint`) but those given in ``data``, e.g. another
    ``root`` or ``num_test``, as ``segment evaluate`` takes its flags. A
    ``data`` kind, or a synthetic ``size``, ``num_test`` or ``data_seed``, given
    away from the checkpoint's is scored with a notice (:func:`moved_notice`); a
    ``num_classes`` (or ``data``) whose classes differ from the model's, or a
    setting not read (``crop_size``; the synthetic scenes' with nyud data), is
    an error.

    Args:
        checkpoint (str): a ``.ckpt`` file of :func:`run_segment`.
        data (SegmentDataConfig or dict or None): the data settings given anew,
            every other the checkpoint's: :obj:`None` (all of them the checkpoint's),
            a dict of those given (e.g. ``{"root": "scenes"}``), or a config whose
            fields ``None`` are the checkpoint's (``SegmentDataConfig(root=...)``
            gives every field its default, e.g. ``size=64``: one away from the
            checkpoint's is scored with a notice, or refused where it is not read,
            e.g. the default ``crop_size`` for a nyud run trained with another).
        out_dir (str): logs and the report (written in ``<out_dir>/evaluate.partial``,
            moved into ``out_dir`` once finished, removed if it fails); a training run's report
            there is an error.
        progress (bool, optional): progress bars. (default: :obj:`True`)
        report (bool, optional): write the report files (see
            :func:`run_segment`). (default: :obj:`True`)
        config (dict, optional): recorded in ``metrics.json``; without it the record
            holds the ``data`` scored. (default: :obj:`None`)
        accelerator (str, optional): what to train and score on, ``"cpu"``, ``"gpu"`` or
            ``"auto"`` (:func:`~pyg_fusion.training.accelerators.check_accelerator`).
            (default: :obj:`"cpu"`)
        force_reload (bool, optional): generate the synthetic scenes again
            (:func:`segment_datasets`). (default: :obj:`False`)
    """
    from .._loading import load_lightning
    from ..datasets.synthetic_rgbd import SYNTHETIC_RGBD_CLASSES
    from ..training._segmentation_loaders import check_workers
    from ..training.segmentation import SegmentationModule
    from ..training.accelerators import check_accelerator

    check_accelerator(accelerator)
    data = given_data(SegmentDataConfig, data)
    if report:
        check_report_replaceable(out_dir)
    check_own_run(out_dir, "evaluate", REPORT, ("eval_logs", ), task="segment")
    module = load_lightning(SegmentationModule, checkpoint, what="--checkpoint", task="segment")
    k = module.hparams.num_classes
    given, recorded = data, module.hparams.get("data_config")
    given_classes = data.num_classes
    data, defaulted = data_from_checkpoint(data, recorded)
    _check_read_by_evaluate(given, data.data, recorded)
    if data.data == SYNTHETIC:
        # the scenes' classes are fixed; --num-classes is nyud's, recorded
        # with the run at its default and never read (as check_segment says in training)
        if len(SYNTHETIC_RGBD_CLASSES) != k:
            raise ValueError(f"--data {SYNTHETIC} has {len(SYNTHETIC_RGBD_CLASSES)} classes, "
                             f"the checkpoint's model {k}")
        default = SegmentDataConfig.__dataclass_fields__["num_classes"].default
        if given_classes is not None and given_classes != default:
            raise ValueError(f"--num-classes: nyud data only, not read with --data {SYNTHETIC}")
    else:
        if given_classes is not None and given_classes != k:
            raise ValueError(f"--num-classes {given_classes} does not match the checkpoint's "
                             f"{k} classes")
        data = dataclasses.replace(data, num_classes=k)  # the notice's default, for old files
    check_workers(data.workers)  # given or the checkpoint's, before the scenes are made
    read = module.hparams.get("preprocessing")
    if read and data.data != SYNTHETIC:  # recorded as read (a Python run's own scale)
        data = dataclasses.replace(data, depth_scale=read["depth_scale"])
        defaulted.pop("depth_scale", None)  # the checkpoint's, not the default
    data = as_recorded(data, "root")
    # read as the module's training scenes were (a checkpoint that records it)
    _, test, names = segment_datasets(data, force_reload=force_reload, train=False,
                                      progress=progress,
                                      preprocessing=module.hparams.get("preprocessing"))
    defaults_notice(checkpoint, defaulted)  # once the data is made: no error follows
    # the settings that make other test scenes than the checkpoint's
    moved_notice(given, recorded, ("data",) + (("size", "num_test", "data_seed")
                                               if data.data == SYNTHETIC else ()))
    with staged_run(out_dir, "evaluate", REPORT, ("eval_logs", ), keep_failed=False,
                    task="segment") as stage:
        run = _score_segmenter(module, test, names or module.hparams.class_names, stage,
                               progress=progress, report=report,
                               config=config_with_data(config, data), accelerator=accelerator,
                               batch_size=data.batch_size, num_workers=data.workers,
                               epochs=checkpoint_epochs(checkpoint), checkpoint=checkpoint)
    print_wrote(out_dir, REPORT)
    return run


def _check_read_by_evaluate(given: SegmentDataConfig, kind: str, recorded: dict | None) -> None:
    """Refuses a data flag given to evaluate that it would record but not read,
    set away from the checkpoint's value: ``--crop-size`` (a training crop; the
    test scenes are scored uncropped) and, with nyud data, the synthetic
    scenes' ``--size``, ``--num-train``, ``--num-test``, ``--data-seed``."""
    if kind != SYNTHETIC:
        unread = changed_flags(given, recorded, ("size", "num_train", "num_test", "data_seed"))
        if unread:
            raise ValueError(f"{', '.join(unread)}: synthetic data only, not read with "
                             f"--data {kind}")
    if changed_flags(given, recorded, ("depth_scale",)):
        raise ValueError("--depth-scale: evaluate reads the test scenes as the checkpoint's "
                         "training scenes were read (its depth scale); leave it out")
    if changed_flags(given, recorded, ("crop_size",)):
        raise ValueError("--crop-size: the training crop, not read by evaluate, which scores "
                         "each test scene at its own size")


def _score_segmenter(module, test, class_names, out_dir: str, *, progress: bool,
                     report: bool, config: dict | None, trainer=None,
                     accelerator: str = "cpu", batch_size: int = 8, num_workers: int = 0,
                     epochs: int | None = None, checkpoint: str | None = None) -> ImageRun:
    from .._files import write_json, write_text
    from ..training.segmentation import (evaluate_segmentation, save_prediction_figure,
                                         scores_table)
    from ..training.accelerators import hardware_record
    from .._versions import library_versions

    scores = evaluate_segmentation(module, test, out_dir=out_dir, progress=progress,
                                   trainer=trainer, accelerator=accelerator,
                                   batch_size=batch_size, num_workers=num_workers)
    run = ImageRun(module, scores, "test", test)
    if report:
        # which list was scored: a folder's val.txt is its test split when it has both
        listed = test.list_file
        n = len(test)
        table = (f"scores on the test split ({osp.basename(listed)}, {n} scene"
                 f"{'' if n == 1 else 's'})\n\n{scores_table(scores)}")
        write_json(osp.join(out_dir, "metrics.json"), {
            **({"checkpoint": osp.abspath(checkpoint)} if checkpoint is not None else {}),
            "variant": module.hparams.variant, "split": "test", "list": listed, "scenes": n,
            "scores": scores, **hardware_record(accelerator), "parameters": run.parameters,
            "config": config, "versions": library_versions()})
        write_text(osp.join(out_dir, "metrics.md"), table + "\n")
        save_prediction_figure(module, test, osp.join(out_dir, "predictions.png"),
                               class_names=class_names,
                               title=_figure_title(module, epochs, checkpoint))
        print(table)
    return run




def _figure_title(module, epochs: int | None, checkpoint: str | None) -> str:
    """The prediction figure's title: the variant, the scenes of the module's
    ``data_config`` and the epochs (:func:`.image_run.figure_title`)."""
    d = module.hparams.get("data_config") or {}
    if d.get("data") == SYNTHETIC:
        data = f"synthetic scenes ({d.get('size')} px, data seed {d.get('data_seed')})"
    elif d.get("data"):
        data = f"{d['data']} {osp.basename(osp.normpath(d.get('root') or ''))}".strip()
    else:
        data = "unrecorded scenes"
    return figure_title(f"segmentation, {module.hparams.variant}", data, epochs=epochs,
                        checkpoint=checkpoint)
