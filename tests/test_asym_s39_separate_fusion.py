"""asym_fusion_segmenter(share=False) builds separate encoders, which exchange
nothing: fusion=True beside it was dropped without a word."""
import numpy as np
import pytest
import torch

from pyg_fusion.nn.asym import ResNetEncoder
from pyg_fusion.nn.asym.segmenter import SeparateEncoders, asym_fusion_segmenter

SMALL = dict(depth=None, block="basic", layers=(1, 1, 1, 1), width=8, decoder_features=8)


@pytest.mark.parametrize("fusion", [True, np.bool_(True)])
def test_fusion_with_separate_encoders_is_refused(fusion):
    with pytest.raises(ValueError, match="fusion=True with share=False"):
        asym_fusion_segmenter(3, **SMALL, share=False, fusion=fusion)


def test_fusion_is_refused_as_a_string():
    with pytest.raises(TypeError, match="fusion must be True, False or None, got 'True'"):
        asym_fusion_segmenter(3, **SMALL, fusion="True")


@pytest.mark.parametrize("share, fusion, fused", [
    (True, None, True), (True, True, True), (True, False, False), (True, np.bool_(False), False),
    (False, None, False), (False, False, False)])
def test_fusion_defaults_to_the_encoders(share, fusion, fused):
    model = asym_fusion_segmenter(3, **SMALL, share=share, fusion=fusion)
    encoders = getattr(model.encoder, "encoders", [model.encoder])
    assert isinstance(model.encoder, ResNetEncoder if share else SeparateEncoders)
    assert all(e.fusion is fused for e in encoders)


def test_default_builds_the_same_weights():
    # fusion=None is the former default True in the shared encoder
    torch.manual_seed(0)
    a = asym_fusion_segmenter(3, **SMALL)
    torch.manual_seed(0)
    b = asym_fusion_segmenter(3, **SMALL, fusion=True)
    assert repr(a) == repr(b)
    for (k, v), (k2, v2) in zip(a.state_dict().items(), b.state_dict().items()):
        assert k == k2 and torch.equal(v, v2)
