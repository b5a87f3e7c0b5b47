"""AsymFusion's on/off options take True or False alone: a string such as
"False" is truthy and switched the option on."""
import numpy as np
import pytest
import torch
from torch import nn

from pyg_fusion.nn.asym import (AsymFusionBottleneck, AsymGraphFusion, ModalityBatchNorm2d,
                                RefineNetDecoder, ResNetEncoder, gan_loss)
from pyg_fusion.nn.asym.segmenter import asym_fusion_segmenter
from pyg_fusion.nn.asym.translator import AsymFusionTranslator, AsymTranslationFusion

SMALL = dict(block="basic", layers=(1, 1, 1, 1), width=8)

CASES = {
    "frozen_stats": lambda v: ModalityBatchNorm2d(4, 2, frozen_stats=v),
    "frozen_stats ": lambda v: ModalityBatchNorm2d.from_batchnorm(
        nn.BatchNorm2d(4, track_running_stats=False), 2, frozen_stats=v),
    "fusion": lambda v: ResNetEncoder(**SMALL, fusion=v),
    "shuffle": lambda v: AsymFusionBottleneck(8, 2, fusion=True, shuffle=v),
    "shift": lambda v: AsymFusionBottleneck(8, 2, fusion=True, shift=v),
    "light": lambda v: RefineNetDecoder((8, 8, 8, 8), 3, features=8, light=v),
    "shuffle  ": lambda v: AsymGraphFusion({"a": 4, "b": 4}, 8, shuffle=v),
    "use_shift": lambda v: AsymTranslationFusion(8, shuffle=True, use_shift=v),
    "shuffle   ": lambda v: AsymFusionTranslator(num_downs=3, ngf=8, shuffle=v),
    "detach_ensemble": lambda v: AsymFusionTranslator(num_downs=3, ngf=8, detach_ensemble=v),
    "share": lambda v: asym_fusion_segmenter(3, depth=None, **SMALL, share=v),
    "real": lambda v: gan_loss(torch.zeros(2, 1, 3, 3), v),
}


@pytest.mark.parametrize("case", list(CASES))
@pytest.mark.parametrize("value", ["False", None, 0])
def test_switch_refuses_non_bool(case, value):
    name = case.strip()
    with pytest.raises(TypeError, match=f"{name} must be True or False, got {value!r}"):
        CASES[case](value)


@pytest.mark.parametrize("case", list(CASES))
def test_switch_takes_bools(case):
    for value in (False, np.bool_(False)):
        CASES[case](value)


def test_gan_loss_real_target_unchanged():
    logits = torch.tensor([[0.3, -1.2]])
    assert torch.equal(gan_loss(logits, True), gan_loss(logits, np.bool_(True)))
    assert not torch.equal(gan_loss(logits, True), gan_loss(logits, False))
