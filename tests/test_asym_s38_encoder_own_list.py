"""An encoder that takes the list of modalities but fails on a list of its own
(torch's 'got (list, ...)' of one of its layers) was told to share its
backbone across modalities, which it already is not asked to do: the advice is
given only when a layer was handed the list of modalities itself."""
import pytest
import torch
import torch.nn.functional as F
from torch import nn

from pyg_fusion.nn.asym import AsymFusionSegmenter, RefineNetDecoder, SeparateEncoders
from test_asym_s37_plain_backbone import _Backbone


class _ListTaker(_Backbone):
    """Takes the list (one modality), but hands a list of its own to a layer."""

    def forward(self, xs):
        first = self.stages[0](xs[0])
        return [first, *self.stages[1]([first])]  # its own bug


class _ListTakerCallingTorch(_Backbone):
    def forward(self, xs):
        return [F.conv2d([xs[0]], self.stages[0].weight)]  # its own bug, in its forward


@pytest.mark.parametrize("encoder", [_ListTaker, _ListTakerCallingTorch])
@pytest.mark.parametrize("separate", [False, True])
def test_an_encoders_own_list_bug_is_its_own(encoder, separate):
    enc = SeparateEncoders([encoder(), encoder()]) if separate else encoder()
    seg = AsymFusionSegmenter(enc, RefineNetDecoder([4, 4, 8, 8], 3, features=4))
    with pytest.raises(TypeError, match=r"conv2d\(\) received an invalid combination") as err:
        seg([torch.randn(2, 3, 16, 16)] * 2)
    assert "share_across_modalities" not in str(err.value)


def test_a_sequential_backbone_still_gets_the_advice():
    encoders = SeparateEncoders([nn.Sequential(nn.Conv2d(3, 4, 3)) for _ in range(2)])
    with pytest.raises(TypeError, match=r"^encoders\[0\] takes the list of modality tensors"):
        encoders([torch.randn(2, 3, 16, 16)] * 2)
