"""AsymTranslationFusion with shuffle=False (the ablation) given modalities of other
sizes failed in the pixel shift's sum as torch's 'The size of tensor a (4) must match
the size of tensor b (3) at non-singleton dimension 3', naming no input (with the
shuffle on, channel_shuffle named them in its own terms). Each exchanging block names
the input, as AsymFusionBasicBlock does; a block that exchanges nothing takes any."""
import pytest
import torch

from pyg_fusion.nn.asym import AsymTranslationFusion


@pytest.mark.parametrize("shuffle, use_shift", [(False, True), (True, False), (True, True)])
def test_modalities_of_other_sizes_are_named(shuffle, use_shift):
    block = AsymTranslationFusion(7, 3, shuffle=shuffle, use_shift=use_shift)
    xs = [torch.randn(2, 7, 4, 4), torch.randn(2, 7, 4, 4), torch.randn(2, 7, 3, 4)]
    with pytest.raises(ValueError, match=r"^xs\[2\] is \(2, 7, 3, 4\) but xs\[0\] is "
                                         r"\(2, 7, 4, 4\): the exchange moves features"):
        block(xs)


def test_a_block_that_exchanges_nothing_takes_any_sizes():
    block = AsymTranslationFusion(7, 2, shuffle=False, use_shift=False)
    out = block([torch.randn(2, 7, 4, 4), torch.randn(1, 7, 3, 5)])
    assert [tuple(o.shape) for o in out] == [(2, 7, 4, 4), (1, 7, 3, 5)]
