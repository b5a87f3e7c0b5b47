"""RGB-D semantic segmentation with AsymFusion on Lightning.

* :func:`build_segmentation_model`: the AsymFusion network and the baselines
  of the ablation (single modality, early concatenation, late sum, two
  separate encoders, shared encoder with private BN with or without the
  exchanges), by name.
* :class:`SegmentationModule`: a :class:`lightning.LightningModule` training
  with AsymFusion's three-term loss and scoring every output (each branch and
  the ensemble): pixel accuracy, mean class accuracy, mIoU.
* :func:`fit_segmentation` / :func:`evaluate_segmentation`: runs through the
  shared :func:`~pyg_fusion.training.build_trainer`.
* :func:`save_prediction_figure` (from
  :mod:`~pyg_fusion.training.segmentation_figure`): input, depth, ground
  truth and each branch's prediction side by side.
* :func:`segmentation_scores` / :func:`scores_table` (from
  :mod:`~pyg_fusion.training.segmentation_metrics`): the scores of a
  confusion matrix and their table.
"""
from __future__ import annotations

from contextlib import contextmanager
from typing import Sequence

import lightning as L
import numpy as np
import torch
from torch import Tensor
from torchmetrics.classification import MulticlassConfusionMatrix

from .._option_rules import check_field
from .._versions import library_versions
from ..functional._checks import check_names
from ..nn.asym import asym_fusion_segmenter, asym_segmentation_loss
from ..nn.asym.bottleneck import drop_unread_exchange
from ..nn.asym.segmenter import _one_value_per_channel
from ..specs.options import plain
# the defaults of the module and of fit_segmentation are the CLI's (one home: the configs)
from ._image_configs import SegmentDataConfig, SegmentModelConfig, SegmentTrainConfig
from ._segmentation_loaders import (_check_class_ids, _check_labels, _check_preprocessing,
                                    _model_inputs)
from .segmentation_figure import save_prediction_figure
# its runs, importable from here as before
from ._segmentation_fit import evaluate_segmentation, fit_segmentation
# the scores of a confusion matrix and their table, importable from here as before
from .segmentation_metrics import scores_table, segmentation_scores
from .variants import VARIANTS

__all__ = ["VARIANTS", "build_segmentation_model", "segmentation_scores",
           "SegmentationModule", "fit_segmentation", "evaluate_segmentation",
           "save_prediction_figure", "scores_table"]


def build_segmentation_model(variant: str, num_classes: int, **arch):
    """Returns ``(model, inputs)`` for a named variant.

    ``inputs`` says what the model reads: ``"rgb"``, ``"depth"``, ``"concat"``
    (RGB and depth stacked to 6 channels) or ``"both"`` (the list
    ``[rgb, depth]``). ``arch`` goes to
    :func:`~pyg_fusion.nn.asym.asym_fusion_segmenter` (``depth``, ``layers``,
    ``width``, ``decoder_features``, ``light``, ``frozen_stats`` ...).

    Args:
        variant (str): a key of :data:`VARIANTS`.
        num_classes (int): classes ``K``.
        **arch (optional): Additional arguments of
            :func:`~pyg_fusion.nn.asym.asym_fusion_segmenter`.
    """
    if variant not in VARIANTS:
        raise ValueError(f"variant must be one of {tuple(VARIANTS)}, got {variant!r}")
    inputs, opts = VARIANTS[variant]
    # the batch's images go in this order whatever names the network holds: arch
    # modalities=('depth', 'rgb') scored the RGB branch as 'depth', without a word
    read = opts.get("modalities", ("rgb", "depth"))
    if "modalities" in arch and not _same(arch["modalities"], read):
        raise ValueError(f"arch modalities={arch['modalities']!r}: variant {variant!r} reads "
                         f"{list(read)} of each batch, in that order, and names its outputs "
                         f"so; leave modalities out of arch")
    # the variant's options replaced the same keys of arch without a word
    # (variant 'shared' with arch fusion=True trained no exchange)
    clash = [k for k, v in opts.items() if k in arch and not _same(arch[k], v)]
    if clash:
        raise ValueError(f"arch {', '.join(f'{k}={arch[k]!r}' for k in clash)}: variant "
                         f"{variant!r} sets {', '.join(f'{k}={opts[k]!r}' for k in clash)} "
                         f"(its row of the ablation): leave {', '.join(clash)} out of arch, "
                         f"the variant names the network")
    return asym_fusion_segmenter(num_classes, **{**arch, **opts}), inputs


def _same(a, b) -> bool:
    seqs = (list, tuple)
    return tuple(a) == tuple(b) if isinstance(a, seqs) and isinstance(b, seqs) else a == b


class SegmentationModule(L.LightningModule):
    """Trains a segmentation variant with AsymFusion's loss (the sum of the
    cross-entropies of all outputs) and scores every output.

    The defaults of ``variant``, ``num_classes``, ``lr`` and ``weight_decay`` are
    ``segment train``'s (the fields of
    :class:`~pyg_fusion.experiments.image_config.SegmentModelConfig`,
    :class:`~pyg_fusion.experiments.image_config.SegmentDataConfig` and
    :class:`~pyg_fusion.experiments.image_config.SegmentTrainConfig`); the network
    of ``arch=None`` is not (see ``arch``).

    Args:
        variant (str, optional): a key of :data:`VARIANTS`. (default: :obj:`"asymfusion"`)
        num_classes (int, optional): classes ``K >= 2``. (default: :obj:`40`, NYUDv2's)
        arch (dict, optional): architecture options (see :func:`build_segmentation_model`).
            **[differs from the CLI]**: without them the network is
            :func:`~pyg_fusion.nn.asym.asym_fusion_segmenter`'s own, a ResNet-50 encoder and
            the full RefineNet decoder (256 channels), the kind of network the paper trains
            (from a pretrained ResNet-101); ``segment train`` builds a small network trained
            from scratch, ``--block bottleneck --layers 1,1,1,1`` (``depth=None``,
            ``block="bottleneck"``, ``layers=[1, 1, 1, 1]``): pass those to train what it
            trains. (default: :obj:`None`)
        lr (float, optional): Adam's learning rate. **[choice]**: the release trains with SGD
            in three stages and different encoder / decoder learning rates for a pretrained
            ResNet-101; one Adam suits small networks trained from scratch.
            (default: :obj:`0.002`)
        weight_decay (float, optional): Adam's weight decay (see ``lr``).
            (default: :obj:`1e-05`)
        ignore_index (int, optional): unlabelled pixels (the default with ``K > 255`` is an
            error: class 255 would be lost); the scenes' own (a dataset's
            ``ignore_index``) must be the same. (default: :obj:`255`)
        class_names (Sequence[str], optional): for tables and figures. (default: :obj:`None`)
        data_config (dict, optional): the data settings of the training run, saved with the
            hyper-parameters so that evaluating the checkpoint rebuilds the same data (as
            the graph tasks save their ``config``). (default: :obj:`None`)
        preprocessing (dict, optional): how the training scenes read their pixels,
            ``{"depth_scale": float, "normalize": bool}`` (those of
            :class:`~pyg_fusion.datasets.RGBDSegmentation`), saved with the
            hyper-parameters so that ``segment predict`` reads new scenes the same way;
            :func:`fit_segmentation` records its training scenes' (:obj:`None`: not yet
            known; predicted as ``segment train`` reads, depth / 5000 and normalised RGB).
            (default: :obj:`None`)

    ``trainer.predict`` gives, per batch of scenes, the logits of every output
    (:attr:`output_names`' order), ``[B, K, H, W]`` each; a batch of scenes of several
    sizes (the evaluation loaders batch test scenes by size) gives a list of those, one
    per size, in the order of the sizes' first scenes (each part's ``"index"`` names its
    scenes).
    """

    def __init__(self, variant: str = SegmentModelConfig.variant,
                 num_classes: int = SegmentDataConfig.num_classes,
                 arch: dict | None = None, lr: float = SegmentTrainConfig.lr,
                 weight_decay: float = SegmentTrainConfig.weight_decay, ignore_index: int = 255,
                 class_names: Sequence[str] | None = None, data_config: dict | None = None,
                 preprocessing: dict | None = None):
        super().__init__()
        # save_hyperparameters records these arguments in the checkpoint, which
        # loads with weights_only=True: numpy's scalars there (lr=np.float32(1e-3))
        # made it unreadable, and torchmetrics refused a numpy class count
        if class_names is not None and not isinstance(class_names, (list, tuple)):
            class_names = check_names("class_names", class_names)  # e.g. a numpy array
        if isinstance(arch, dict):  # (the networks take layers=np.array([1, 1, 1, 1]))
            arch = {k: v.tolist() if isinstance(v, np.ndarray) else v for k, v in arch.items()}
        variant, num_classes, arch, lr, weight_decay, ignore_index, class_names, data_config \
            = plain((variant, num_classes, arch, lr, weight_decay, ignore_index, class_names,
                     data_config))
        ignore_index = _check_class_ids(num_classes, ignore_index, class_names)
        preprocessing = _check_preprocessing(plain(preprocessing))
        for name, value in (("lr", lr), ("weight_decay", weight_decay)):  # Adam took lr=0
            check_field(name, SegmentTrainConfig.__dataclass_fields__[name], value)
        self.save_hyperparameters()
        self.model, self.inputs = build_segmentation_model(
            variant, num_classes, **(arch or {}))
        self.output_names = self.model.output_names
        self.confmats = torch.nn.ModuleList(
            MulticlassConfusionMatrix(num_classes, ignore_index=ignore_index)
            for _ in self.output_names)
        self.scores: dict[str, dict[str, float]] = {}

    @staticmethod
    def hparams_from_checkpoint(hparams: dict) -> dict:
        """A checkpoint's hyper-parameters as this class takes them: the
        exchange's settings in ``arch`` (``shuffle``, ``shift``, ``ratio``) of a
        variant that exchanges nothing (``share=False``, ``fusion=False``, one
        modality), saved before the network refused them, are dropped with a
        notice (the network was built without reading them).

        Args:
            hparams (dict): the checkpoint's ``hyper_parameters``.
        """
        arch = hparams.get("arch")
        if not isinstance(arch, dict) or hparams.get("variant") not in VARIANTS:
            return hparams
        built = {**arch, **VARIANTS[hparams["variant"]][1]}
        mods = built.get("modalities", ("rgb", "depth"))
        off = ("share=False" if built.get("share", True) is False
               else "fusion=False" if built.get("fusion") is False
               else f"modalities={tuple(mods)!r}" if isinstance(mods, (list, tuple))
               and len(mods) == 1 else None)
        kept = drop_unread_exchange(arch, off, dict(shuffle=True, shift=True, ratio=0.2),
                                    f"the checkpoint's arch (variant {hparams['variant']!r})")
        return hparams if kept is arch else {**hparams, "arch": kept}

    def extra_repr(self) -> str:
        # the variant: the encoder's one-line repr is the same for 'shared',
        # 'shuffle', 'shift' and 'asymfusion' (their exchanges differ inside it)
        hp = self.hparams
        return (f"variant={hp.variant!r}, num_classes={hp.num_classes}, lr={hp.lr}, "
                f"weight_decay={hp.weight_decay}, ignore_index={hp.ignore_index}")

    def forward(self, batch: dict) -> list[Tensor]:
        return self.model(_model_inputs(batch, self.inputs))

    def training_step(self, batch, batch_idx):
        with _one_value_per_channel_named(self, batch):
            outs = self(batch)
        mask = batch["mask"]
        if not (mask.is_floating_point() or mask.is_complex()):
            # uint8 masks (a PNG read with numpy) were refused by the loss, 'target must
            # be torch.long', while scoring took them
            mask = mask.long()
        loss = asym_segmentation_loss(outs, mask, ignore_index=self.hparams.ignore_index)
        # the epoch's mean is of every rank's batches (sync_dist), not rank 0's
        self.log("train_loss", loss, prog_bar=True, on_step=True, on_epoch=True,
                 sync_dist=True, batch_size=batch["mask"].size(0))
        return loss

    def _eval_step(self, batch):
        # a list: scenes of different sizes, one sub-batch per size (_collate_by_size)
        for part in batch if isinstance(batch, list) else [batch]:
            _check_labels(self, part)
            for cm, out in zip(self.confmats, self(part)):
                cm.update(out.argmax(1), part["mask"])

    def _eval_end(self, stage):
        self.scores = {}
        for name, cm in zip(self.output_names, self.confmats):
            scores = segmentation_scores(cm.compute(), self.hparams.ignore_index)
            cm.reset()
            self.scores[name] = scores
            for k, v in scores.items():
                self.log(f"{stage}_{name}_{k}", v, prog_bar=(k == "miou"))

    def on_validation_epoch_start(self):
        # a pass stopped part-way (an error, Ctrl-C) left its scenes in the
        # matrices, which the next pass (a test) counted as its own
        for cm in self.confmats:
            cm.reset()

    on_test_epoch_start = on_validation_epoch_start

    def validation_step(self, batch, batch_idx):
        self._eval_step(batch)

    def on_validation_epoch_end(self):
        self._eval_end("val")

    def predict_step(self, batch, batch_idx):
        # a list: scenes of different sizes, one sub-batch per size (_collate_by_size),
        # which forward took for a batch ('a batch of scenes must be a dict')
        if isinstance(batch, list):
            return [self(part) for part in batch]
        return self(batch)

    def test_step(self, batch, batch_idx):
        self._eval_step(batch)

    def on_test_epoch_end(self):
        self._eval_end("test")

    def on_save_checkpoint(self, checkpoint):
        # the versions that trained it, as every graph checkpoint's config holds them
        checkpoint["versions"] = library_versions()

    def configure_optimizers(self):
        return torch.optim.Adam(self.parameters(), lr=self.hparams.lr,
                                weight_decay=self.hparams.weight_decay)

    @property
    def final_output(self) -> str:
        """The output to report for the whole network: the ensemble when
        there is one, else the single output."""
        return self.output_names[-1]


@contextmanager
def _one_value_per_channel_named(module: SegmentationModule, batch: dict):
    """Refuses, naming the layer and batch_size, a training batch of one image
    that leaves a BatchNorm layer one value per channel (torch's 'Expected more
    than 1 value per channel when training' named neither; the CLI checks its
    flags before). Larger batches never leave one value, and hook nothing."""
    if batch["mask"].size(0) != 1:
        yield
        return
    h, w = batch["mask"].shape[-2:]
    with _one_value_per_channel(module.model, lambda name, shape: (
            f"a training batch of 1 image of {h}x{w} leaves BatchNorm layer {name} "
            f"one value per channel (its input {shape}), and batch "
            f"statistics need more: give fit_segmentation (or a DataLoader) a "
            f"batch_size >= 2 (and >= 2 training scenes), training images of more "
            f"than 32 pixels a side (the encoder's deepest map is 1/32 of the image) "
            f"or arch frozen_stats=True")):
        yield
