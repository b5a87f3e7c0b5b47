"""Training and evaluation of AsymFusion image translation on Lightning.

:class:`TranslationModule` trains :class:`~pyg_fusion.nn.asym.AsymFusionTranslator`
with pix2pix's objective (GAN + 100 x L1 on every branch and on the ensemble)
by manual optimisation of the generator and the PatchGAN discriminator;
:func:`fit_translation` (:mod:`._translation_fit`) trains it with the shared
trainer. :func:`evaluate_translation` scores every output with L1, PSNR and SSIM
(torchmetrics), and with FID / KID when a local Inception feature extractor
is given (:func:`load_feature_extractor`; nothing is downloaded).
"""
from __future__ import annotations

from typing import Sequence

import lightning as L
import numpy as np
import torch
from torch import Tensor, nn

from .._versions import library_versions
from ..functional._checks import check_names
from ..nn.asym.patchgan import PatchGANDiscriminator, gan_loss
from ..nn._source_order import SourceOrderState
from ..nn.asym.translator import AsymFusionTranslator
from ..specs.options import plain
# the objective's and optimiser's defaults are the CLI's (one home)
from ._image_configs import TranslateModelConfig
# evaluation (translation_eval) does not import this module: one direction
from ._precision import precision_batch
from ._translation_inputs import (_INPUT_HINT, _inputs, _masked_l1, _target, _target_valid,
                                  _unit_range, _with_target_holes)
# the rules of the module's settings, and old checkpoints' settings
from ._translation_settings import (_CRITIC_DEFAULTS, _check_inputs, _check_objective,
                                    hparams_from_checkpoint as _hparams_from_checkpoint)
# its training, importable from here as before
from ._translation_fit import fit_translation
from .translation_eval import ENSEMBLE, image_metrics, update_metrics

__all__ = ["TranslationModule", "fit_translation"]


class TranslationModule(SourceOrderState, L.LightningModule):
    r"""AsymFusion multi-modal image translation, pix2pix objective.

    Generator loss, summed over the :math:`M` branch outputs and the ensemble
    :math:`\hat y_o` (images scaled to ``[-1, 1]`` as in pix2pix):

    .. math::
        \mathcal{L}_G = \sum_o \lambda_{GAN}\, \ell(D(x, \hat y_o), 1)
                      + \lambda_{L1} \lVert \hat y_o - y \rVert_1 ,

    discriminator loss :math:`\tfrac12[\ell(D(x, y), 1) + \mathrm{mean}_o\,
    \ell(D(x, \hat y_o), 0)]`, where :math:`x` is all input modalities
    concatenated. ``lambda_l1=100`` is pix2pix's / CEN's setting;
    ``gan_mode="none"`` drops the discriminator (an L1-only regression, fast
    ablations). Both networks use Adam (lr 2e-4, betas (0.5, 0.999)).

    Where the scenes mark the target's valid pixels (a bool ``valid_<target>``
    ``[B, 1, H, W]`` of a name that is not an input, as
    :class:`~pyg_fusion.datasets.TaskonomyFolder` gives a depth target, whose
    pixels without depth read as 0), the L1 loss is the mean over the valid
    pixels of the batch (0, with no gradient, for a batch without any), the
    critic judges each output with the target's own values at the other
    pixels (real and translated images show the same holes, so no loss reaches
    the generator there), and validation scores as
    :func:`~pyg_fusion.training.translation_eval.evaluate_translation` does.
    Without such a mask every pixel counts. A loader collates the attributes of
    a batch's first scene: give every scene of a data set the mask or none.
    An input's mask (``valid_<modality>``, e.g. a depth input's) fills its
    holes: each pixel without a value is given the value of the nearest pixel
    with one (as NYUDv2's depth inputs come filled) before the generator and the
    critic see it, in training, translation and scoring alike; an image without
    any valid pixel is given as it is.

    The objective's and the optimiser's defaults (``norm``, ``gan_mode``,
    ``lambda_l1``, ``lambda_gan``, ``lr``) are ``translate train``'s (the fields of
    :class:`~pyg_fusion.experiments.image_config.TranslateModelConfig`, pix2pix's
    values). The networks' sizes are not: ``ngf``, ``num_downs``, ``ndf`` and
    ``d_layers`` default to pix2pix's networks for 256 x 256 images, as
    :class:`~pyg_fusion.nn.asym.AsymFusionTranslator` and
    :class:`~pyg_fusion.nn.asym.PatchGANDiscriminator` do, while ``translate train``
    sizes them for its 32 x 32 synthetic scenes (``--ngf 16 --ndf 32 --d-layers 2``,
    ``--num-downs`` log2 of ``--image-size``); pass those to train what it trains.

    Args:
        modalities (Sequence[str]): input modality names (batch attributes ``x_<name>``), in
            the order the state dict keeps (another order refuses it: the norms go by it).
        modality_channels (Sequence[int], optional): channels of each modality (the
            discriminator's condition); images of other channels are an error, in
            training and in evaluation. (default: :obj:`None`: 1 for every modality whose
            name is not ``normal``/``rgb``, else 3)
        out_channels (int, optional): channels of the target image. (default: :obj:`3`)
        ngf (int, optional): the generator's width. **[differs from the CLI]**: pix2pix's
            (``translate train``'s ``--ngf`` is 16). (default: :obj:`64`)
        num_downs (int, optional): the U-Net's levels; the images' side must be divisible
            by ``2**num_downs``. **[differs from the CLI]**: pix2pix's, for 256 x 256 images
            (``translate train``'s ``--num-downs`` is log2 of ``--image-size``).
            (default: :obj:`8`)
        norm (str, optional): the private normalisation of each modality, ``"batch"`` or
            ``"instance"`` (``translate train``'s ``--modality-norm``).
            (default: :obj:`"batch"`)
        fusion_levels (Sequence[int], optional): the encoder levels that exchange
            features. (default: :obj:`None`, as
            :class:`~pyg_fusion.nn.asym.AsymFusionTranslator`)
        dropout (float, optional): dropout of the decoder. (default: :obj:`0.0`)
        ratio (float, optional): share of channels shuffled between modalities.
            (default: :obj:`0.2`)
        shift (int, optional): pixels of the pixel shift. (default: :obj:`1`)
        shuffle (bool, optional): exchange channels between modalities.
            (default: :obj:`True`)
        use_shift (bool, optional): apply the pixel shift. (default: :obj:`True`)
        ndf (int, optional): the discriminator's width. **[differs from the CLI]**:
            pix2pix's (``translate train``'s ``--ndf`` is 32). (default: :obj:`64`)
        d_layers (int, optional): the discriminator's stride-2 layers (3: pix2pix's 70 x 70
            patches, which need images of >= 24 pixels). **[differs from the CLI]**:
            ``translate train``'s ``--d-layers`` is 2. (default: :obj:`3`)
        d_norm (str, optional): the discriminator's normalisation. (default: :obj:`"batch"`)
        gan_mode (str, optional): ``"vanilla"``, ``"lsgan"`` or ``"none"`` (no critic:
            ``ndf``, ``d_layers``, ``d_norm`` and ``lambda_gan``, which nothing reads then,
            must stay at their defaults; ``lambda_gan=0`` says the same). (default:
            :obj:`"vanilla"`)
        lambda_l1 (float, optional): weight of the L1 loss of each output.
            (default: :obj:`100.0`)
        lambda_gan (float, optional): weight of the GAN loss of each output.
            (default: :obj:`1.0`)
        lr (float, optional): Adam's learning rate of both networks. (default: :obj:`0.0002`)
        beta1 (float, optional): Adam's first beta of both networks (the second is 0.999).
            (default: :obj:`0.5`)
        data_config (dict, optional): the data settings of the training run, saved with the
            hyper-parameters so that evaluating the checkpoint rebuilds the same data (as
            the graph tasks save their ``config``). (default: :obj:`None`)
        image_size (int, optional): the side the training scenes were resized to, saved
            with the hyper-parameters so that ``translate predict`` resizes new scenes to
            it; :func:`fit_translation` records its training scenes' ``image_size``.
            (default: :obj:`None`: not known)
        depth_inputs (list[str], optional): the input modalities read as depth (whose
            16-bit pixels of 65535 have no depth), saved with the hyper-parameters so that
            ``translate predict`` reads new scenes' folders as the training ones;
            :func:`fit_translation` records its training scenes' (a
            :class:`~pyg_fusion.datasets.TaskonomyFolder`'s ``depth`` among the inputs).
            (default: :obj:`None`: not known; predict reads the folders named ``depth...``
            as depth)
        depth_target (bool, optional): whether the target was read as depth (its 16-bit
            pixels of 65535 without depth, neither trained nor scored), saved with the
            hyper-parameters so that ``translate evaluate`` reads test targets so;
            :func:`fit_translation` records its training scenes'. (default: :obj:`None`: not
            known; evaluate reads a target named ``depth...`` as depth)

    ``trainer.predict`` gives, per batch, :meth:`translate`'s ``{output name: images
    [B, C, H, W] in [0, 1]}``, one per branch and the ensemble.
    """

    def __init__(self, modalities: Sequence[str],
                 modality_channels: Sequence[int] | None = None, *,
                 out_channels: int = 3, ngf: int = 64, num_downs: int = 8,
                 norm: str = TranslateModelConfig.modality_norm,
                 fusion_levels: Sequence[int] | None = None,
                 dropout: float = 0.0, ratio: float = 0.2, shift: int = 1,
                 shuffle: bool = True, use_shift: bool = True,
                 ndf: int = _CRITIC_DEFAULTS["ndf"],
                 d_layers: int = _CRITIC_DEFAULTS["d_layers"],
                 d_norm: str = _CRITIC_DEFAULTS["d_norm"],
                 gan_mode: str = TranslateModelConfig.gan_mode,
                 lambda_l1: float = TranslateModelConfig.lambda_l1,
                 lambda_gan: float = _CRITIC_DEFAULTS["lambda_gan"],
                 lr: float = TranslateModelConfig.lr, beta1: float = 0.5,
                 data_config: dict | None = None, image_size: int | None = None,
                 depth_inputs: list[str] | None = None,
                 depth_target: bool | None = None):
        super().__init__()
        # save_hyperparameters records these arguments in the checkpoint, which
        # loads with weights_only=True: numpy's scalars there (lr=np.float32(2e-4))
        # made it unreadable
        if not isinstance(modalities, (list, tuple)):
            modalities = check_names("modalities", modalities)  # e.g. a numpy array
        if isinstance(fusion_levels, np.ndarray):  # (the generator takes one)
            fusion_levels = fusion_levels.tolist()
        (modalities, modality_channels, out_channels, ngf, num_downs, norm, fusion_levels,
         dropout, ratio, shift, shuffle, use_shift, ndf, d_layers, d_norm, gan_mode, lambda_l1,
         lambda_gan, lr, beta1, data_config, image_size, depth_inputs, depth_target) = plain(
            (modalities, modality_channels, out_channels, ngf, num_downs, norm, fusion_levels,
             dropout, ratio, shift, shuffle, use_shift, ndf, d_layers, d_norm, gan_mode,
             lambda_l1, lambda_gan, lr, beta1, data_config, image_size, depth_inputs,
             depth_target))
        self._guessed_channels = modality_channels is None
        self.modalities, modality_channels = _check_inputs(
            modalities, modality_channels, depth_inputs, image_size, depth_target)
        self.modality_channels = modality_channels
        _check_objective(gan_mode, lambda_l1, lr, beta1, ndf=ndf, d_layers=d_layers,
                         d_norm=d_norm, lambda_gan=lambda_gan)
        self.save_hyperparameters()
        self.automatic_optimization = False
        self.generator = AsymFusionTranslator(
            len(self.modalities), in_channels=max(3, *modality_channels),
            out_channels=out_channels, ngf=ngf, num_downs=num_downs, norm=norm,
            fusion_levels=fusion_levels, ratio=ratio, shift=shift,
            dropout=dropout, shuffle=shuffle, use_shift=use_shift)
        self.discriminator = None
        if gan_mode != "none":
            self.discriminator = PatchGANDiscriminator(
                sum(modality_channels) + out_channels, ndf=ndf,
                num_layers=d_layers, norm=d_norm)
        self.output_names = [*self.modalities, ENSEMBLE]
        self._order_matters = len(self.modalities) > 1
        # in output order: a ModuleDict's keys could not hold a modality (folder)
        # name with a '.', e.g. 'depth.v2'
        self.val_metrics = nn.ModuleList(image_metrics() for _ in self.output_names)

    _order_argument = _order_attribute = "modalities"

    # (load_lightning calls it on the class, as before)
    hparams_from_checkpoint = staticmethod(_hparams_from_checkpoint)

    def extra_repr(self) -> str:
        # what the networks' one-line reprs leave out: the inputs' names, the
        # exchange's settings (AsymFusionTranslator shows neither), the objective
        hp = self.hparams
        return (f"modalities={self.modalities}, ratio={hp.ratio}, shift={hp.shift}, "
                f"shuffle={hp.shuffle}, use_shift={hp.use_shift}, dropout={hp.dropout}, "
                f"gan_mode={hp.gan_mode!r}, lambda_l1={hp.lambda_l1}, "
                f"lambda_gan={hp.lambda_gan}, lr={hp.lr}, beta1={hp.beta1}")

    # ----------------------------------------------------------------- forward
    def forward(self, xs: Sequence[Tensor]):
        """Generator outputs in ``[-1, 1]`` for inputs in ``[0, 1]`` (the scale
        of the library's scenes; values outside are an error naming ``xs[i]``:
        images already in ``[-1, 1]`` or normalised by a mean and std would be
        mapped to ``[-1, 1]`` a second time)."""
        if isinstance(xs, (list, tuple)):  # else the generator names what it takes
            for i, x in enumerate(xs):
                if isinstance(x, Tensor) and x.is_floating_point():
                    _unit_range(f"xs[{i}]", x, _INPUT_HINT)
        return self._generate(xs)

    def _generate(self, xs: Sequence[Tensor]):
        # inputs already checked by _inputs, which names them by modality
        return self.generator([2 * x - 1 for x in xs])

    def translate(self, batch) -> dict[str, Tensor]:
        """``{output name: image in [0, 1]}`` for each branch and the ensemble."""
        out = self._generate(_inputs(batch, self.modalities, self.modality_channels,
                                     self._guessed_channels, self.hparams.num_downs))
        imgs = [*out.branches, out.ensemble]
        return {n: ((o + 1) / 2).clamp(0, 1)
                for n, o in zip(self.output_names, imgs)}

    def on_before_batch_transfer(self, batch, dataloader_idx):
        return precision_batch(self._trainer, batch)

    def predict_step(self, batch, batch_idx):
        """:meth:`translate` of a batch (``Trainer.predict``: the default step
        handed the batch to :meth:`forward`, which takes the input images)."""
        return self.translate(batch)

    def on_save_checkpoint(self, checkpoint):
        # the versions that trained it, as every graph checkpoint's config holds them
        checkpoint["versions"] = library_versions()

    def configure_optimizers(self):
        betas = (self.hparams.beta1, 0.999)
        opt_g = torch.optim.Adam(self.generator.parameters(),
                                 lr=self.hparams.lr, betas=betas)
        if self.discriminator is None:
            return opt_g
        opt_d = torch.optim.Adam(self.discriminator.parameters(),
                                 lr=self.hparams.lr, betas=betas)
        return [opt_g, opt_d]

    # ---------------------------------------------------------------- training
    def training_step(self, batch, batch_idx):
        hp = self.hparams
        xs = _inputs(batch, self.modalities, self.modality_channels,
                     self._guessed_channels, self.hparams.num_downs)
        y = 2 * _target(batch, hp.out_channels, xs[0]) - 1
        valid = _target_valid(batch, self.modalities, y)
        out = self._generate(xs)
        outputs = [*out.branches, out.ensemble]
        # the critic judges outputs with the target's holes, as the real images have them
        judged = [_with_target_holes(o, y, valid) for o in outputs]
        opts = self.optimizers()
        opt_g = opts[0] if isinstance(opts, (list, tuple)) else opts
        logs = {}
        cond = None
        if self.discriminator is not None:
            opt_d = opts[1]
            cond = torch.cat([2 * x - 1 for x in xs], 1)
            loss_real = gan_loss(self.discriminator(cond, y), True, hp.gan_mode)
            loss_fake = torch.stack([
                gan_loss(self.discriminator(cond, o.detach()), False, hp.gan_mode)
                for o in judged]).mean()
            loss_d = 0.5 * (loss_real + loss_fake)
            opt_d.zero_grad()
            self.manual_backward(loss_d)
            opt_d.step()
            logs["train/loss_d"] = loss_d.detach()
        loss_g = y.new_zeros(())
        for name, o, seen in zip(self.output_names, outputs, judged):
            l1 = _masked_l1(o, y, valid)
            loss_g = loss_g + hp.lambda_l1 * l1
            if cond is not None and hp.lambda_gan > 0:
                loss_g = loss_g + hp.lambda_gan * gan_loss(
                    self.discriminator(cond, seen), True, hp.gan_mode)
            logs[f"train/l1_{name}"] = l1.detach() / 2  # in [0, 1] units
        opt_g.zero_grad()
        self.manual_backward(loss_g)
        opt_g.step()
        logs["train/loss_g"] = loss_g.detach()
        # the epoch's means are of every rank's batches (sync_dist), not rank 0's
        self.log_dict(logs, prog_bar=False, on_step=True, on_epoch=True, sync_dist=True,
                      batch_size=y.size(0))
        self.log("loss_g", loss_g.detach(), prog_bar=True, logger=False,
                 batch_size=y.size(0))
        return loss_g

    # -------------------------------------------------------------- validation
    def on_validation_epoch_start(self):
        # a pass stopped part-way (an error, Ctrl-C) left its images in the
        # metrics, which the next pass counted as its own
        for metrics in self.val_metrics:
            metrics.reset()

    def validation_step(self, batch, batch_idx):
        imgs = self.translate(batch)
        y = _target(batch, self.hparams.out_channels, imgs[ENSEMBLE], scored=True)
        valid = _target_valid(batch, self.modalities, y)
        for metrics, name in zip(self.val_metrics, self.output_names):
            update_metrics(metrics, imgs[name], y, valid)

    def on_validation_epoch_end(self):
        logs = {}
        for metrics, name in zip(self.val_metrics, self.output_names):
            for k, v in metrics.compute().items():
                logs[f"val/{k}_{name}"] = v
            metrics.reset()
        self.log_dict(logs)
        self.log("val_l1", logs[f"val/l1_{ENSEMBLE}"], prog_bar=True)

    def num_generator_parameters(self) -> int:
        return sum(p.numel() for p in self.generator.parameters())
