"""Runs of AsymFusion's multi-modal image translation from its typed
configs (:mod:`.image_config`): load the scenes, build the model (seeded),
train or read a checkpoint, score a split and, with ``report=True``, write
``metrics.json`` and ``metrics.md`` under ``out_dir`` (evaluating a checkpoint
also draws ``translation.png``). The
``translate`` command and the ablation benchmarks call these."""
from __future__ import annotations

import dataclasses
import os.path as osp

from .._notices import notice
from ..specs.options import plain_config
from .image_checkpoint import (changed_flags, data_from_checkpoint, defaults_notice,
                               given_data, moved_notice)
from .image_config import (TranslateDataConfig, TranslateEvalConfig, TranslateModelConfig,
                           TranslateTrainDataConfig, check_translate)
from .image_run import (SYNTHETIC, ImageRun, as_recorded, check_report_replaceable,
                        checkpoint_epochs, config_with_data, figure_title, print_wrote)
from ._rng import keeps_global_rng
from ._image_resume import RecordSettings, resume_point
from ._run_folders import TRAINED, check_own_run, staged_run
# the scenes: the training, validation and test splits
from .translate_data import (_validation, check_test_config, check_translate_data,
                             check_translate_train, depth_folders, given_depth_folders,
                             translate_dataset, translate_modalities)

# the report of a run (report=True) in its out_dir (translation.png: evaluate's)
REPORT = ("metrics.json", "metrics.md", "translation.png")


@keeps_global_rng
def run_translate(data: TranslateDataConfig, splits: TranslateTrainDataConfig,
                  model: TranslateModelConfig, out_dir: str, *, progress: bool = True,
                  checkpoint: bool = True, validate: bool = True,
                  test: TranslateEvalConfig | None = None, report: bool = True,
                  config: dict | None = None, accelerator: str = "cpu",
                  force_reload: bool = False, resume: bool = False) -> ImageRun:
    """Trains the shared generator (weights seeded by ``data.seed``) and
    scores it on the validation split, or on the test split of ``test``: the
    weights of ``best.ckpt`` when the run validates and writes checkpoints
    (as ``translate evaluate`` reads them), else the last epoch's;
    ``metrics.json`` says which (``weights``). A setting that the run would
    not read, set away from its default (e.g. ``model.ndf`` with
    ``gan_mode="none"``), is a :class:`ValueError`
    (:func:`~.image_config.check_translate_flags`), as in ``translate train``. A
    folder whose images are not of ``data.image_size`` left at its default (32, the
    synthetic scenes' side) is trained all the same, with a notice.

    Args:
        data (TranslateDataConfig): the scenes.
        splits (TranslateTrainDataConfig): the training and validation scenes.
        model (TranslateModelConfig): the generator, its critic and optimiser.
        out_dir (str): logs, checkpoints and the report (written in
            ``<out_dir>/train.partial``, moved into ``out_dir`` once the run finished).
        progress (bool, optional): progress bars. (default: :obj:`True`)
        checkpoint (bool, optional): write checkpoints (``best.ckpt``: the
            lowest validation L1). (default: :obj:`True`)
        validate (bool, optional): validate every epoch. (default: :obj:`True`)
        test (TranslateEvalConfig, optional): score the test split of these
            settings instead of the validation split. (default: :obj:`None`)
        report (bool, optional): write ``metrics.json`` and ``metrics.md``
            and print the table. (default: :obj:`True`)
        config (dict, optional): recorded in ``metrics.json``; without it the record
            holds ``data``, ``splits``, ``model`` and ``eval`` (``test``, where given).
            (default: :obj:`None`)
        accelerator (str, optional): what to train and score on, ``"cpu"``, ``"gpu"`` or
            ``"auto"`` (:func:`~pyg_fusion.training.accelerators.check_accelerator`).
            (default: :obj:`"cpu"`)
        force_reload (bool, optional): render the synthetic scenes of each split again
            (:func:`translate_dataset`), once per split. (default: :obj:`False`)
        resume (bool, optional): continue the interrupted run of these settings in
            ``out_dir`` (:mod:`._image_resume`). (default: :obj:`False`)
    """
    from ..training.seeding import seed_everything
    from ..training.accelerators import check_accelerator
    from ..training.translation import TranslationModule, fit_translation

    check_test_config(test, optional=True)  # not after training: a dict has no num_test
    # plain Python: metrics.json and the checkpoint's data_config record them
    data, splits, model, test = map(plain_config, (data, splits, model, test))
    levels, mods = check_translate_train(data, splits, model)
    depth = given_depth_folders(data, splits, mods)  # None: the folders named depth...
    check_accelerator(accelerator)
    check_own_run(out_dir, "train", REPORT, TRAINED, task="translate")
    if not validate and test is None:
        raise ValueError("run_translate: validate=False needs a test config to score")
    train = translate_dataset(data, "train", splits.num_train, mods, progress=progress,
                              force_reload=force_reload, depth=depth)
    val = None
    if validate:
        train, val = _validation(data, splits, train, mods, progress, force_reload, depth)
    if data.data != SYNTHETIC and data.image_size == TranslateDataConfig.image_size and \
            train.first_size != (data.image_size, data.image_size):
        # the default side is the synthetic scenes': a user's folder trained at it unawares
        h, w = train.first_size
        notice(f"--image-size {data.image_size} (the default) resizes the images of --data "
               f"{data.data} ({h} x {w} pixels, as its first scene) to {data.image_size} x "
               f"{data.image_size}; give --image-size to train at another side")
    data = as_recorded(data, "data")  # the module's data_config and metrics.json
    seed_everything(data.seed)  # the initial weights follow the seed
    first = train[0]
    # the critic's settings only where there is a critic (the module refuses them otherwise)
    critic = {} if model.gan_mode == "none" else dict(
        lambda_gan=model.lambda_gan, ndf=model.ndf, d_layers=model.d_layers)
    module = TranslationModule(
        mods, [int(first[f"x_{m}"].size(1)) for m in mods],
        out_channels=int(first.y.size(1)),  # the target's own: 1 for depth
        ngf=model.ngf, num_downs=levels, norm=model.modality_norm, gan_mode=model.gan_mode,
        lambda_l1=model.lambda_l1, lr=model.lr, data_config=dataclasses.asdict(data),
        **critic)
    record = config_with_data(config, data, splits=splits, model=model, eval=test)
    resumed = resume_point(osp.join(out_dir, "train.partial"), record, resume,
                           data=data, splits=splits, model=model, eval=test)
    # checkpoints and report go to out_dir together once the run finished
    with staged_run(out_dir, "train", REPORT, TRAINED, resume=resumed is not None,
                    task="translate") as stage:
        trainer = fit_translation(module, train, out_dir=stage, max_epochs=model.epochs,
                                  batch_size=data.batch_size, seed=data.seed, val=val,
                                  progress=progress, checkpoint=checkpoint,
                                  accelerator=accelerator, ckpt_path=resumed,
                                  callbacks=[RecordSettings(record)])
        weights = {"weights": _chosen_weights(module, trainer)}
        scored, split = val, "validation"
        if test is not None:
            scored, split = translate_dataset(data, "test", test.num_test, mods,
                                              progress=progress,
                                              force_reload=force_reload, depth=depth), "test"
        run = _score_translator(module, scored, split, data, mods, stage, progress=progress,
                                report=report, config=record,
                                accelerator=accelerator, extra=weights)
    print_wrote(out_dir, REPORT + ("checkpoints",))
    return run


def _chosen_weights(module, trainer) -> str:
    """Puts the weights of ``best.ckpt`` (the epoch of the lowest validation
    L1) into ``module`` when the run wrote one, so that what train scores is
    what ``translate evaluate --checkpoint best.ckpt`` reads; says which
    weights ``module`` holds (``"best.ckpt (epoch E)"`` or ``"last epoch"``)."""
    from .._loading import load_checkpoint

    callback = trainer.checkpoint_callback  # the best one, when the run validates
    path = getattr(callback, "best_model_path", "") if callback is not None else ""
    if callback is None or callback.monitor is None or not osp.isfile(path):
        # no validation (only last.ckpt), or no checkpoints
        return "last epoch"
    ckpt = load_checkpoint(path, keys=("state_dict", "epoch"))
    module.load_state_dict(ckpt["state_dict"])
    return f"best.ckpt (epoch {ckpt['epoch']}, the lowest validation L1)"


@keeps_global_rng
def evaluate_translate(checkpoint: str, data: TranslateDataConfig | dict | None,
                       test: TranslateEvalConfig, out_dir: str, *, progress: bool = True,
                       report: bool = True, config: dict | None = None,
                       accelerator: str = "cpu", force_reload: bool = False) -> ImageRun:
    """Scores a checkpoint of :func:`run_translate` on the test split of the
    scenes it was trained on (FID and KID too with ``test.inception``); with
    ``report``, also writes ``translation.png`` (``test.num_figure`` scenes).
    The data settings are those the checkpoint recorded
    (:func:`data_from_checkpoint`; a module of
    :func:`~pyg_fusion.training.translation.fit_translation` records its
    ``image_size`` alone) but those given in ``data``, e.g. another
    ``root``, ``data`` folder, ``seed`` or ``batch_size``, as ``translate
    evaluate`` takes its flags; an ``image_size``, the synthetic scenes' seed,
    or another kind of ``data`` (synthetic or a folder) given away from the
    checkpoint's is scored with a notice
    (:func:`moved_notice`). An ``image_size`` the U-Net's levels cannot take,
    or other ``modalities``, is an error, and so is a checkpoint trained
    on a folder without ``data`` given (a folder has no test split), or a setting
    it would not read (the synthetic scenes' ``root``, ``data_seed`` and
    ``test.num_test`` with a folder; ``test.inception_size`` without
    ``test.inception``). The folder it was trained on, given as ``data``, is
    scored with a notice: its scenes are no held-out ones. A folder's images are
    read as depth as in training (:func:`~.translate_data.depth_folders`).

    Args:
        checkpoint (str): a ``.ckpt`` file of :func:`run_translate`.
        data (TranslateDataConfig or dict or None): the data settings given anew,
            every other the checkpoint's: :obj:`None` (all of them the checkpoint's),
            a dict of those given (e.g. ``{"data": "test_folder"}``), or a config
            whose fields ``None`` are the checkpoint's (``TranslateDataConfig(data=...)``
            gives every field its default, e.g. ``image_size=32``: one away from the
            checkpoint's is scored with a notice).
        test (TranslateEvalConfig): the test scenes and the feature network.
        out_dir (str): the report's folder (written in ``<out_dir>/evaluate.partial``,
            moved into ``out_dir`` once finished, removed if it fails); a training run's report
            there is an error.
        progress (bool, optional): progress bars. (default: :obj:`True`)
        report (bool, optional): write the report files. (default: :obj:`True`)
        config (dict, optional): recorded in ``metrics.json``; without it the record
            holds the ``data`` scored and ``eval`` (``test``). (default: :obj:`None`)
        accelerator (str, optional): what to train and score on, ``"cpu"``, ``"gpu"`` or
            ``"auto"`` (:func:`~pyg_fusion.training.accelerators.check_accelerator`).
            (default: :obj:`"cpu"`)
        force_reload (bool, optional): render the synthetic test scenes again
            (:func:`translate_dataset`). (default: :obj:`False`)
    """
    from .._loading import load_lightning
    from ..training.accelerators import check_accelerator
    from ..training.translation import TranslationModule
    from ..training.translation_eval import load_feature_extractor

    check_accelerator(accelerator)
    data = given_data(TranslateDataConfig, data)
    check_test_config(test)
    test = plain_config(test)  # recorded in metrics.json, as the data
    if data.data is not None:  # None: the checkpoint's
        check_translate_data(data.data)
    if report:
        check_report_replaceable(out_dir)
    check_own_run(out_dir, "evaluate", REPORT, task="translate")
    module = load_lightning(TranslationModule, checkpoint, what="--checkpoint", task="translate")
    mods = module.modalities if data.modalities is None else translate_modalities(data)
    if mods != module.modalities:
        raise ValueError(f"--modalities {','.join(mods)}: the checkpoint was trained on "
                         f"{','.join(module.modalities)}")
    given = data
    data, defaulted = data_from_checkpoint(
        dataclasses.replace(data, modalities=",".join(mods)), module.hparams.get("data_config"))
    if "image_size" in defaulted and module.hparams.get("image_size") is not None:
        # a module trained in Python (fit_translation) records its size alone
        data = dataclasses.replace(data, image_size=module.hparams.image_size)
        del defaulted["image_size"]
    if data.data != SYNTHETIC and given.data is None:
        # a folder has no test split of its own: scoring it would score the training scenes
        raise ValueError(f"--data: the checkpoint was trained on the folder {data.data!r}, "
                         f"which has no test split; give the test folder with --data")
    _check_evaluate_flags(given, data, test, module.hparams.get("data_config"))
    check_translate(data.image_size, module.hparams.num_downs,
                    levels_from="num_downs of the checkpoint")
    extractor = None
    if test.inception is not None:  # before the scenes are rendered: errors come first
        try:
            extractor = load_feature_extractor(test.inception, test.inception_size)
        except (OSError, RuntimeError) as exc:
            raise ValueError(str(exc)) from None
    scored = translate_dataset(data, "test", test.num_test, mods, progress=progress,
                               force_reload=force_reload, depth=depth_folders(module, data))
    defaults_notice(checkpoint, defaulted)  # after every check: no error follows
    recorded = module.hparams.get("data_config") or {}
    if recorded.get("data") not in (None, SYNTHETIC) and data.data != SYNTHETIC and \
            osp.realpath(data.data) == osp.realpath(recorded["data"]):
        # legitimate (how well it fits), but no test score: a folder has no test split
        notice(f"--data {data.data} is the folder the checkpoint was trained on: the scores "
               f"are of scenes it learned from, not of held-out test scenes")
    # a U-Net takes any side its levels divide: the scores of another are other ones;
    # another folder than the training one is the usual test data, another kind is not
    kind = (recorded.get("data", SYNTHETIC) == SYNTHETIC) != (data.data == SYNTHETIC)
    names, trained = (("data",) if kind else ()) + ("image_size",), dict(recorded)
    if data.data == SYNTHETIC:
        names += _scene_seed(data, trained)
    moved_notice(given, trained if module.hparams.get("data_config") else None, names)
    n = min(test.num_figure, len(scored))
    data = as_recorded(data, "data")  # as metrics.json records it
    # the report whole or not at all
    with staged_run(out_dir, "evaluate", REPORT, keep_failed=False, task="translate") as stage:
        run = _score_translator(module, scored, "test", data, mods, stage, progress=progress,
                                report=report,
                                config=config_with_data(config, data, eval=test),
                                extractor=extractor,
                                extra={"checkpoint": osp.abspath(checkpoint)},
                                accelerator=accelerator)
        if report and n > 0:
            from torch_geometric.loader import DataLoader

            from ..training.translation_eval import save_translation_figure
            batch = next(iter(DataLoader(scored[list(range(n))], batch_size=n)))
            save_translation_figure(module, batch, osp.join(stage, "translation.png"),
                                    title=translation_figure_title(data, mods,
                                                                   checkpoint=checkpoint))
    print_wrote(out_dir, REPORT)
    return run


def _scene_seed(data: TranslateDataConfig, trained: dict) -> tuple[str, ...]:
    """The field that seeds the synthetic scenes to score (``data_seed``, else
    ``seed``: ``translate_dataset``), with ``trained`` (the recorded settings)
    holding the seed of the checkpoint's scenes under that name: a
    ``--data-seed`` equal to the ``--seed`` the checkpoint's scenes had is no
    other scenes."""
    field = "seed" if data.data_seed is None else "data_seed"
    if trained.get("data_seed") is not None or "seed" in trained:
        trained[field] = (trained["seed"] if trained.get("data_seed") is None
                          else trained["data_seed"])
    return (field,)


def _check_evaluate_flags(given: TranslateDataConfig, data: TranslateDataConfig,
                          test: TranslateEvalConfig, recorded: dict | None) -> None:
    """Refuses, as :func:`~.image_config.check_translate_flags` does for
    ``translate train``, the settings that evaluate would record but not read: the
    synthetic scenes' ``--root``, ``--data-seed`` (of ``given``, the flags, away from
    the checkpoint's: :func:`~.image_config.changed_flags`) and ``--num-test`` with a
    folder (``data``), and ``--inception-size`` without ``--inception``, away from
    their defaults (a recorded config passes)."""
    default = TranslateEvalConfig()
    if data.data != SYNTHETIC:
        unread = (changed_flags(given, recorded, ("root", "data_seed"))
                  + (["--num-test"] if test.num_test != default.num_test else []))
        if unread:
            raise ValueError(f"{', '.join(unread)}: synthetic data only, not read with "
                             f"--data {data.data} (every scene of the folder is scored)")
    if test.inception is None and test.inception_size != default.inception_size:
        raise ValueError("--inception-size: the input side of --inception's network, not "
                         "read without --inception")


def _score_translator(module, scored, split: str, data: TranslateDataConfig, mods: list[str],
                      out_dir: str, *, progress: bool, report: bool, config: dict | None,
                      extractor=None, extra: dict | None = None,
                      accelerator: str = "cpu") -> ImageRun:
    from torch_geometric.loader import DataLoader

    from ..training.accelerators import accelerator_device, hardware_record
    from ..training.translation_eval import evaluate_translation, save_metrics

    # a loop outside a trainer (and Lightning hands a fitted module back on
    # the CPU): the module goes to the accelerator's device itself; FID / KID's
    # feature network scores on the CPU (the images are moved there)
    module.to(accelerator_device(accelerator))

    # not reseeded: no score reads torch's generator (the module runs in eval
    # mode, its dropout too; evaluate_translation draws KID's subsets from seed
    # 0 in a fork; the loader's one draw seeds workers, none here). The callers
    # (keeps_global_rng) give the caller's generator back
    scores = evaluate_translation(module, DataLoader(scored, batch_size=data.batch_size),
                                  feature_extractor=extractor, progress=progress)
    if report:
        save_metrics(scores, out_dir, extra={
            **(extra or {}), "modalities": mods,
            "generator_parameters": module.num_generator_parameters(), "split": split,
            "scenes": len(scored),  # the scores' mean is over these (10% of a folder: few)
            **hardware_record(accelerator), "config": config})
    return ImageRun(module, scores, split, scored)


def translation_figure_title(data: TranslateDataConfig, mods: list[str], *,
                             epochs: int | None = None, checkpoint: str | None = None) -> str:
    """The translation figure's title: the modalities, the scenes shown and
    the epochs (:func:`.image_run.figure_title`).

    Args:
        data (TranslateDataConfig): the scenes shown.
        mods (list[str]): the input modalities.
        epochs (int, optional): the epochs the generator was trained for; with a
            ``checkpoint``, read from it. (default: :obj:`None`)
        checkpoint (str, optional): the checkpoint evaluated. (default: :obj:`None`)
    """
    if checkpoint is not None:
        epochs = checkpoint_epochs(checkpoint)
    if data.data == SYNTHETIC:
        seed = data.seed if data.data_seed is None else data.data_seed
        scenes = f"synthetic scenes ({data.image_size} px, data seed {seed})"
    else:
        scenes = f"{osp.basename(osp.normpath(data.data))} ({data.image_size} px)"
    return figure_title(f"translation {', '.join(mods)} to {data.target}", scenes,
                        epochs=epochs, checkpoint=checkpoint)
