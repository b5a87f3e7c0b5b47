"""The settings :class:`~pyg_fusion.training.translation.TranslationModule`
takes: the rules of its arguments (each error names the argument), and a
checkpoint's hyper-parameters as the class takes them
(:func:`hparams_from_checkpoint`)."""
from __future__ import annotations

from .._option_rules import check_field, check_flag, is_int, is_real
from ..functional._checks import check_choice, check_int, check_names
from ..nn.asym.bottleneck import drop_unread_exchange
from ..nn.asym.patchgan import GAN_MODES
# the objective's and optimiser's defaults are the CLI's (one home)
from ._image_configs import TranslateModelConfig
from ._translation_inputs import _check_channels
from .translation_eval import ENSEMBLE

# the critic's settings (pix2pix's networks; the objective's weight is the CLI's):
# with gan_mode="none" they are read by nothing and must stay at these
_CRITIC_DEFAULTS = dict(ndf=64, d_layers=3, d_norm="batch",
                        lambda_gan=TranslateModelConfig.lambda_gan)
# the generator's exchange (AsymFusionTranslator's defaults)
_EXCHANGE_DEFAULTS = dict(ratio=0.2, shift=1, shuffle=True, use_shift=True)


def _check_inputs(modalities, modality_channels, depth_inputs, image_size, depth_target=None
                  ) -> tuple[list[str], list[int]]:
    # the inputs' names and channels (guessed from the names where None)
    check_flag("depth_target", depth_target, optional=True)  # "False" would be truthy
    if image_size is not None:
        check_int("image_size", image_size, minimum=1)
    modalities = check_names("modalities", modalities)
    if not modalities:
        raise ValueError("modalities must name at least one input modality")
    if len(set(modalities)) != len(modalities):
        raise ValueError(f"modalities must be distinct, got {modalities}")
    if depth_inputs is not None and not set(
            check_names("depth_inputs", depth_inputs)) <= set(modalities):
        raise ValueError(f"depth_inputs must name input modalities among "
                         f"{modalities}, got {depth_inputs}")
    if ENSEMBLE in modalities:  # each output is scored by its name
        raise ValueError(f"modalities: {ENSEMBLE!r} names the ensemble's output; rename "
                         f"that modality")
    if modality_channels is None:
        modality_channels = [3 if m in ("normal", "rgb") else 1 for m in modalities]
    return modalities, _check_channels(modalities, modality_channels)


def _check_objective(gan_mode, lambda_l1, lr, beta1, **critic) -> None:
    # `critic`: the critic's settings, by the names of _CRITIC_DEFAULTS
    check_choice("gan_mode", gan_mode, (*GAN_MODES, "none"))
    lambda_gan = critic["lambda_gan"]
    if gan_mode == "none":
        # settings never read would be saved with the hyper-parameters as if used
        unread = [n for n, v in critic.items() if v != _CRITIC_DEFAULTS[n]
                  and not (n == "lambda_gan" and v == 0)]  # 0: no GAN loss, the same
        if unread:
            raise ValueError(f"{', '.join(unread)}: the PatchGAN critic's, not read with "
                             f"gan_mode='none' (which trains no critic); leave "
                             f"{'it' if len(unread) == 1 else 'them'} at the default")
    # the flags' rules: a NaN weight passed "< 0", and Adam takes lr=0 (no training)
    fields = TranslateModelConfig.__dataclass_fields__
    for name, value in (("lambda_l1", lambda_l1), ("lambda_gan", lambda_gan), ("lr", lr)):
        check_field(name, fields[name], value)
    # Adam refused it only once fit began ('Invalid beta parameter at index 0')
    if not is_real(beta1) or not 0 <= beta1 < 1:
        raise ValueError(f"beta1 must be a number in [0, 1) (Adam's first beta), "
                         f"got {beta1!r}")
    if lambda_l1 == 0 and (gan_mode == "none" or lambda_gan == 0):
        # the generator's loss would be 0: a run that trains nothing
        raise ValueError("lambda_l1=0 with " + ("gan_mode='none'" if gan_mode == "none"
                                                 else "lambda_gan=0")
                         + " leaves the generator no loss; give lambda_l1 > 0"
                         + ("" if gan_mode == "none" else " or lambda_gan > 0"))


def hparams_from_checkpoint(hparams: dict) -> dict:
    """A checkpoint's hyper-parameters as
    :class:`~pyg_fusion.training.translation.TranslationModule` takes them
    (its ``hparams_from_checkpoint``): runs with ``gan_mode="none"`` saved
    critic settings that nothing read (``translate train`` recorded its
    ``--ndf 32 --d-layers 2``) before the module refused them; they are
    dropped (no critic was built, the weights are the same). So are, with a
    notice, the exchange's settings (``ratio``, ``shift``, ``shuffle``,
    ``use_shift``) of a generator that exchanges nothing (one modality, no
    fusion levels), saved before the generator refused them.

    Args:
        hparams (dict): the checkpoint's ``hyper_parameters``.
    """
    if hparams.get("gan_mode") == "none":
        hparams = {k: v for k, v in hparams.items() if k not in _CRITIC_DEFAULTS}
    levels, downs = hparams.get("fusion_levels"), hparams.get("num_downs", 8)
    mods = hparams.get("modalities")
    off = ("fusion_levels=[]" if isinstance(levels, (list, tuple)) and not levels
           else f"num_downs={downs} (whose default fusion_levels are empty)"
           if levels is None and is_int(downs) and downs <= 2
           else f"modalities={list(mods)!r}" if isinstance(mods, (list, tuple))
           and len(mods) == 1 else None)
    return drop_unread_exchange(hparams, off, _EXCHANGE_DEFAULTS, "the checkpoint")
