"""Training of AsymFusion image translation (:func:`fit_translation`): a
:class:`~pyg_fusion.training.translation.TranslationModule` trained with
the shared trainer, as the graph tasks' and segmentation's fit functions
do."""
from __future__ import annotations

from typing import TYPE_CHECKING

import lightning as L
import torch

from ..functional._checks import check_int
# fit_translation's defaults are the CLI's (one home)
from ._image_configs import TranslateDataConfig, TranslateModelConfig
from ._scene_reading import read_from, record_reading
from .seeding import _checked_seed, keep_global_rng

if TYPE_CHECKING:  # translation imports this module
    from .translation import TranslationModule


@keep_global_rng()
def fit_translation(module: TranslationModule, train, *, out_dir: str,
                    max_epochs: int = TranslateModelConfig.epochs,
                    batch_size: int = TranslateDataConfig.batch_size,
                    seed: int = TranslateDataConfig.seed, val=None, progress: bool = True,
                    checkpoint: bool = True, ckpt_path: str | None = None,
                    **trainer_kwargs) -> L.Trainer:
    """Trains ``module`` with the shared trainer (seeded, CSV logs,
    checkpoints under ``out_dir``), as :func:`~pyg_fusion.training.node.fit_node`,
    :func:`~pyg_fusion.training.vad_fit.fit_vad` and
    :func:`~pyg_fusion.training.segmentation.fit_segmentation` do; validates on
    ``val`` each epoch if given (the lowest ``val_l1`` of the ensemble is kept
    as ``best.ckpt``). Seed before building ``module`` (:func:`seed_everything`)
    for seeded initial weights. The defaults are ``translate train``'s (``--epochs``,
    ``--batch-size``, ``--seed``).

    Runs are bitwise reproducible at a fixed torch thread count and
    ``batch_size``; the convolutions' CPU kernels sum in an order that follows the
    thread count, so ``--threads 2`` gives other last bits (and a few
    pixels) than ``--threads 1``. The caller's global
    random states are put back on return.

    Args:
        module (TranslationModule): the model to train.
        train (torch_geometric.data.Dataset): the training scenes.
        out_dir (str): logs and checkpoints.
        max_epochs (int, optional): training epochs. (default: :obj:`20`)
        batch_size (int, optional): images per step. (default: :obj:`16`)
        seed (int, optional): seeds the run and the batches' order. (default: :obj:`0`)
        val (torch_geometric.data.Dataset, optional): validation scenes, read as the
            training ones (a :class:`~pyg_fusion.datasets.TaskonomyFolder`'s
            ``image_size`` and ``depth``; another is a :class:`ValueError`).
            (default: :obj:`None`)
        progress (bool, optional): show a progress bar. (default: :obj:`True`)
        checkpoint (bool, optional): write checkpoints. (default: :obj:`True`)
        ckpt_path (str, optional): a checkpoint of an interrupted run of these
            settings to continue (Lightning's ``fit(..., ckpt_path=...)``).
            (default: :obj:`None`)
        **trainer_kwargs (optional): Additional arguments of
            :func:`~pyg_fusion.training.build_trainer`.
    """
    from torch_geometric.loader import DataLoader

    from .trainer import build_trainer, without_validation
    for ds, what in ((train, "train"), (val, "val")):
        # torch's sampler said 'num_samples=0', naming neither (an empty val: no scores)
        if ds is not None and len(ds) == 0:
            raise ValueError(f"{what} holds no scenes")
    _record_reading(module, train)
    if val is not None:
        _check_val_reading(module, val)
    # torch's loader said "got batch_size=2" of the string '2', after out_dir was made
    batch_size = check_int("batch_size", batch_size, minimum=1)
    # the loader's generator takes a Python int (torch: 'an integer is required' of
    # np.int64(0), naming nothing)
    seed = _checked_seed(seed)
    trainer = build_trainer(out_dir, max_epochs=max_epochs, seed=seed,
                            monitor="val_l1" if val is not None else None, mode="min",
                            progress=progress, checkpoint=checkpoint, **trainer_kwargs)
    g = torch.Generator().manual_seed(seed)
    with without_validation(val is not None):
        trainer.fit(module, DataLoader(train, batch_size=batch_size, shuffle=True, generator=g),
                    DataLoader(val, batch_size=batch_size) if val is not None else None,
                    ckpt_path=ckpt_path)
    return trainer


def _record_reading(module: TranslationModule, train) -> None:
    """Records in ``module.hparams`` how the training scenes are read (a
    Subset's data set's): ``image_size``, the side they are resized to,
    ``depth_inputs``, the input folders read as depth (a
    :class:`~pyg_fusion.datasets.TaskonomyFolder`'s ``depth``), and
    ``depth_target``, whether its target is one of them, so that a
    prediction (an evaluation) reads new scenes as they were; scenes read otherwise than the
    module records are an error (a prediction reads one way)."""
    train = read_from(train)
    size = getattr(train, "image_size", None)
    if size is not None:
        record_reading(module, "image_size", int(size), "train",
                       f"resizes its scenes to {size} x {size}")
    depth = getattr(train, "depth", None)
    if depth is not None:
        depth = [m for m in module.modalities if m in depth]
        record_reading(module, "depth_inputs", depth, "train",
                       f"reads the inputs {depth} as depth", key=set)
        target = getattr(train, "target", None) in train.depth  # evaluate reads tests so
        record_reading(module, "depth_target", target, "train", f"reads its target "
                       f"{train.target!r} {'as' if target else 'not as'} depth")


def _check_val_reading(module: TranslationModule, val) -> None:
    """Validation scenes read otherwise than the training ones (another
    ``image_size``, other folders read as depth) were scored, and ``best.ckpt``
    chosen by them, without a word: a hole of a depth folder read as the
    farthest depth in one and as no depth in the other."""
    val = read_from(val)
    hp, odd = module.hparams, []
    size, depth = getattr(val, "image_size", None), getattr(val, "depth", None)
    if size is not None and hp.get("image_size") not in (None, size):
        odd.append(f"resizes to {size} x {size}, train to {hp.image_size} x {hp.image_size}")
    if depth is not None and hp.get("depth_inputs") is not None:
        inputs = [m for m in module.modalities if m in depth]
        target = getattr(val, "target", None) in depth
        had = hp.get("depth_target")
        if set(inputs) != set(hp.depth_inputs) or had not in (None, target):
            odd.append(f"reads {inputs + [val.target] * target} as depth, train "
                       f"{list(hp.depth_inputs) + [val.target] * bool(had)}")
    if odd:
        raise ValueError(f"val {'; '.join(odd)}: read the validation scenes as the training "
                         f"ones (TaskonomyFolder's image_size and depth)")
