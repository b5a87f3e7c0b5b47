"""A backbone that takes one tensor given straight to SeparateEncoders or
AsymFusionSegmenter (which call their encoder on the list of modalities) failed in its
first layer with torch's 'conv2d() received an invalid combination of arguments - got
(list, ...)': now a TypeError naming the encoder and share_across_modalities."""
import pytest
import torch
from torch import nn

from pyg_fusion.nn.asym import (AsymFusionSegmenter, RefineNetDecoder, SeparateEncoders,
                                share_across_modalities)


class _Backbone(nn.Module):
    def __init__(self):
        super().__init__()
        self.stages = nn.ModuleList(nn.Conv2d(c, d, 3, stride=2, padding=1)
                                    for c, d in ((3, 4), (4, 4), (4, 8), (8, 8)))

    def forward(self, x):
        levels = []
        for stage in self.stages:
            x = stage(x)
            levels.append(x)
        return levels


@pytest.mark.parametrize("separate", [False, True])
def test_a_backbone_taking_one_tensor_is_refused_naming_share_across_modalities(separate):
    encoder = SeparateEncoders([_Backbone(), _Backbone()]) if separate else _Backbone()
    seg = AsymFusionSegmenter(encoder, RefineNetDecoder([4, 4, 8, 8], 3, features=4))
    name, m = ("encoders\\[0\\]", 1) if separate else ("encoder", 2)
    with pytest.raises(TypeError, match=rf"^{name} takes the list of modality tensors; a "
                       rf"backbone .* share_across_modalities\(backbone, {m}\)$"):
        seg([torch.randn(2, 3, 16, 16)] * 2)
    # shared as the message says, it runs
    encoder = SeparateEncoders([share_across_modalities(_Backbone(), 1) for _ in range(2)]) \
        if separate else share_across_modalities(_Backbone(), 2)
    seg = AsymFusionSegmenter(encoder, RefineNetDecoder([4, 4, 8, 8], 3, features=4))
    assert [o.shape for o in seg([torch.randn(2, 3, 16, 16)] * 2)] == [(2, 3, 16, 16)] * 3


def test_an_encoders_own_type_error_is_its_own():
    class Broken(_Backbone):
        def forward(self, xs):
            raise TypeError("my own bug")
    seg = AsymFusionSegmenter(SeparateEncoders([Broken(), Broken()]),
                              RefineNetDecoder([4, 4, 8, 8], 3, features=4))
    with pytest.raises(TypeError, match="^my own bug$"):
        seg([torch.randn(2, 3, 16, 16)] * 2)
