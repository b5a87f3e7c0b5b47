"""An AsymFusion translator whose fusion_levels hold the innermost level,
with images of exactly 2**num_downs pixels a side: that level's features are
1x1, which its private norm cannot normalise (torch's error named no level nor
argument, and said 'when training' in evaluation too)."""
import re

import pytest
import torch


@pytest.mark.parametrize("norm, batch, train, why", [
    ("instance", 2, True, "an instance norm needs more than one pixel per map"),
    ("instance", 2, False, "an instance norm needs more than one pixel per map"),
    ("batch", 1, True, "a batch norm in training needs more than one value per channel"),
])
def test_a_fusion_level_of_one_pixel_is_named(norm, batch, train, why):
    from pyg_fusion.nn.asym import AsymFusionTranslator
    torch.manual_seed(0)
    gen = AsymFusionTranslator(2, ngf=4, num_downs=3, norm=norm, fusion_levels=[1, 2])
    gen.train(train)
    with pytest.raises(ValueError, match=re.escape(
            f"fusion_levels holds level 2, whose features are 1x1 for images of 8x8: {why}; "
            f"give images larger than 8x8") + r".*or leave level 2 out of fusion_levels$"):
        gen([torch.rand(batch, 3, 8, 8)] * 2)
    # the remedies it names run
    assert gen([torch.rand(batch, 3, 16, 8)] * 2).ensemble.shape == (batch, 3, 16, 8)
    gen = AsymFusionTranslator(2, ngf=4, num_downs=3, norm=norm, fusion_levels=[1]).train(train)
    assert gen([torch.rand(batch, 3, 8, 8)] * 2).ensemble.shape == (batch, 3, 8, 8)


def test_a_batch_norm_of_one_value_runs_in_evaluation():
    # running statistics: nothing is computed from the batch
    from pyg_fusion.nn.asym import AsymFusionTranslator
    gen = AsymFusionTranslator(2, ngf=4, num_downs=3, fusion_levels=[2]).eval()
    assert gen([torch.rand(1, 3, 8, 8)] * 2).ensemble.shape == (1, 3, 8, 8)


def test_the_fusion_block_names_its_input():
    from pyg_fusion.nn.asym.translator import AsymTranslationFusion
    block = AsymTranslationFusion(10, 2, norm="instance")
    with pytest.raises(ValueError, match=re.escape(
            "xs[0] is (2, 10, 1, 1): an instance norm needs more than one pixel per map")):
        block([torch.randn(2, 10, 1, 1)] * 2)
    assert block([torch.randn(2, 10, 1, 2)] * 2)[0].shape == (2, 10, 1, 2)
