"""The runs of :class:`~pyg_fusion.training.segmentation.SegmentationModule`
with the shared trainer: :func:`fit_segmentation` trains it, as the graph
tasks' and translation's fit functions do, and :func:`evaluate_segmentation`
scores every output."""
from __future__ import annotations

from typing import TYPE_CHECKING

import lightning as L
from torch.utils.data import Dataset

# the defaults are the CLI's (one home: the configs)
from ._image_configs import SegmentDataConfig, SegmentTrainConfig
from ._precision import true_precision
from ._segmentation_loaders import _check_ignore_index, _loader, _record_preprocessing
from .seeding import _checked_seed, keep_global_rng
from .trainer import build_trainer, without_validation

if TYPE_CHECKING:  # segmentation imports this module
    from .segmentation import SegmentationModule


@keep_global_rng()
def fit_segmentation(module: SegmentationModule, train: Dataset, *,
                     out_dir: str, max_epochs: int = SegmentTrainConfig.epochs,
                     batch_size: int = SegmentDataConfig.batch_size,
                     seed: int = SegmentTrainConfig.seed, val: Dataset | None = None,
                     progress: bool = True, checkpoint: bool = True,
                     num_workers: int = SegmentDataConfig.workers,
                     ckpt_path: str | None = None, **trainer_kwargs) -> L.Trainer:
    """Trains ``module`` with the shared trainer (seeded, CSV logs,
    checkpoints under ``out_dir``); validates on ``val`` each epoch if given
    (the best ``val_<final output>_miou`` is kept as ``best.ckpt``). The defaults
    are ``segment train``'s (``--epochs``, ``--batch-size``, ``--seed``, ``--workers``).

    Runs are bitwise reproducible at a fixed torch thread count and
    ``num_workers``; the convolutions' CPU kernels sum in an order that follows the
    thread count, so ``--threads 2`` gives other last bits (and a few
    pixels' predictions) than ``--threads 1``. The augmentation's random
    flips (and crops) draw from the global generator in the main process
    with ``num_workers=0`` and from each worker's own seeded generator
    otherwise: another ``num_workers`` gives another training run. The caller's global
    random states are put back on return.

    Args:
        module (SegmentationModule): the model to train.
        train (torch.utils.data.Dataset): the training scenes.
        out_dir (str): logs and checkpoints.
        max_epochs (int, optional): training epochs. (default: :obj:`20`)
        batch_size (int, optional): images per step. (default: :obj:`8`)
        seed (int, optional): seeds the run and the batches' order. (default: :obj:`0`)
        val (torch.utils.data.Dataset, optional): validation scenes, read as the training
            ones (an :class:`~pyg_fusion.datasets.RGBDSegmentation`'s ``depth_scale`` and
            ``normalize``; another is a :class:`ValueError`). (default: :obj:`None`)
        progress (bool, optional): show a progress bar. (default: :obj:`True`)
        checkpoint (bool, optional): write checkpoints. (default: :obj:`True`)
        num_workers (int, optional): data loader workers. (default: :obj:`0`)
        ckpt_path (str, optional): a checkpoint of an interrupted run of these settings to
            continue (Lightning's ``fit(..., ckpt_path=...)``). (default: :obj:`None`)
        **trainer_kwargs (optional): Additional arguments of
            :func:`~pyg_fusion.training.build_trainer`.
    """
    for ds, what in ((train, "train"), (val, "val")):
        if ds is not None:
            _check_ignore_index(module, ds, what)
            # val is compared with train's recorded reading (scored and chosen by otherwise)
            if what == "train" or module.hparams.get("preprocessing") is not None:
                _record_preprocessing(module, ds, what)
            if len(ds) == 0:  # torch's sampler named neither (an empty val: no scores)
                raise ValueError(f"{what} holds no scenes")
    # the loaders' generator takes a Python int (torch: 'an integer is required' of
    # np.int64(0), naming nothing), before the trainer checks the seed
    seed = _checked_seed(seed)
    monitor = f"val_{module.final_output}_miou" if val is not None else None
    # the loaders check batch_size and num_workers: before the trainer makes out_dir
    loaders = (_loader(train, batch_size, True, seed, num_workers),
               _loader(val, batch_size, False, seed, num_workers) if val is not None else None)
    trainer = build_trainer(out_dir, max_epochs=max_epochs, seed=seed,
                            monitor=monitor, progress=progress,
                            checkpoint=checkpoint, **trainer_kwargs)
    with without_validation(val is not None):
        trainer.fit(module, *loaders, ckpt_path=ckpt_path)
    return trainer


def evaluate_segmentation(module: SegmentationModule, data: Dataset, *,
                          out_dir: str, batch_size: int = SegmentDataConfig.batch_size,
                          progress: bool = True, trainer: L.Trainer | None = None,
                          accelerator: str = "cpu",
                          num_workers: int = SegmentDataConfig.workers
                          ) -> dict[str, dict[str, float]]:
    """Scores every output of ``module`` on ``data``; returns
    ``{output name: {"pixel_acc", "mean_acc", "miou"}}``.

    Args:
        module (SegmentationModule): the trained model.
        data (torch.utils.data.Dataset): the scenes to score, read as the training ones
            where the module records how (its ``preprocessing``; another
            ``depth_scale`` or ``normalize`` is a :class:`ValueError`).
        out_dir (str): logs.
        batch_size (int, optional): images per step. (default: :obj:`8`)
        progress (bool, optional): show a progress bar. (default: :obj:`True`)
        trainer (lightning.Trainer, optional): the trainer to test with (e.g. the one that
            trained). (default: :obj:`None`, a new one)
        accelerator (str, optional): the new trainer's accelerator. (default: :obj:`"cpu"`)
        num_workers (int, optional): data loader workers (``--workers``; the scores do not
            depend on them). (default: :obj:`0`)
    """
    _check_ignore_index(module, data, "data")
    if module.hparams.get("preprocessing") is not None:  # scores of another reading
        _record_preprocessing(module, data, "data")
    if len(data) == 0:
        # Lightning skips an empty test loop: the scores returned were the last call's
        raise ValueError("data holds no scenes to score")
    loader = _loader(data, batch_size, False, 0, num_workers)  # checked before out_dir is made
    if trainer is None:
        # a module fitted under a true precision ("64-true") is in its dtype: scored
        # by a default trainer, its float32 scenes were refused at the first batch
        trainer = build_trainer(out_dir, max_epochs=1, seed=None, accelerator=accelerator,
                                progress=progress, checkpoint=False, name="eval_logs",
                                precision=true_precision(module) or "32-true")
    module.scores = {}
    trainer.test(module, loader, verbose=False)
    return dict(module.scores)
