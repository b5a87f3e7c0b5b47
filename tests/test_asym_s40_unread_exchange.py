"""The exchange's settings (shuffle, shift, ratio, shift_pixels; the translator's
use_shift and shift) given where nothing is exchanged changed nothing, without a word:
they are refused, naming the setting and what turns the exchange off."""
import pytest

from pyg_fusion.nn.asym import AsymFusionTranslator, ResNetEncoder, asym_fusion_segmenter

SMALL = dict(block="basic", layers=(1, 1, 1, 1), width=8)
SEG = dict(depth=None, block="basic", layers=(1, 1, 1, 1), width=8, decoder_features=4,
           light=True)


@pytest.mark.parametrize("kw, off", [
    (dict(fusion=False, shuffle=False), "fusion=False"),
    (dict(fusion=False, ratio=0.1), "fusion=False"),
    (dict(fusion=False, shift=False, shift_pixels=2), "fusion=False"),
    (dict(num_modalities=1, ratio=0.25), "num_modalities=1"),
])
def test_encoder_refuses_exchange_settings_without_exchange(kw, off):
    name = [k for k in kw if k not in ("fusion", "num_modalities")][0]
    with pytest.raises(ValueError, match=rf"^{name}=.*not read with {off}"):
        ResNetEncoder(**SMALL, **kw)


@pytest.mark.parametrize("kw, off", [
    (dict(share=False, shuffle=False), "share=False"),
    (dict(fusion=False, ratio=0.1), "fusion=False"),
    (dict(modalities=("rgb", ), shift=False), r"modalities=\('rgb',\)"),
])
def test_segmenter_names_its_own_argument(kw, off):
    with pytest.raises(ValueError, match=rf"not read with {off}"):
        asym_fusion_segmenter(3, **SEG, **kw)


@pytest.mark.parametrize("kw, off", [
    (dict(fusion_levels=[], shuffle=False), r"fusion_levels=\[\]"),
    (dict(fusion_levels=[], shift=2, use_shift=False), r"fusion_levels=\[\]"),
    (dict(num_modalities=1, ratio=0.1), "num_modalities=1"),
])
def test_translator_refuses_exchange_settings_without_fusion_levels(kw, off):
    with pytest.raises(ValueError, match=rf"not read with {off}"):
        AsymFusionTranslator(in_channels=1, ngf=4, num_downs=3, **kw)


def test_defaults_and_exchanging_networks_are_built():
    # the defaults, spelled out, are no contradiction; an exchanging network takes any
    ResNetEncoder(**SMALL, fusion=False, shuffle=True, shift=True, ratio=0.2, shift_pixels=1)
    assert ResNetEncoder(**SMALL, shuffle=False, ratio=0.1).ratio == 0.1
    assert asym_fusion_segmenter(3, **SEG, share=False).encoder is not None
    assert asym_fusion_segmenter(3, **SEG, shift=False).encoder.shift is False
    assert AsymFusionTranslator(num_modalities=1, in_channels=1, ngf=4, num_downs=3) \
        .fusion_levels == [1]
