"""A backbone returning its levels as a dict (torchvision's IntermediateLayerGetter /
create_feature_extractor return an OrderedDict) shared by share_across_modalities
was refused by AsymFusionSegmenter and SeparateEncoders as 'must return a list of
feature levels'; the dict is taken in its order."""
from collections import OrderedDict

import pytest
import torch
from torch import nn

from pyg_fusion.nn.asym import (AsymFusionSegmenter, RefineNetDecoder, SeparateEncoders,
                                share_across_modalities)

WIDTHS = (8, 8, 16, 16)


class _Levels(nn.Module):
    """Four stages; the levels as a list, or as a dict as torchvision's getters give."""

    def __init__(self, as_dict):
        super().__init__()
        self.as_dict = as_dict
        self.stages = nn.ModuleList(
            nn.Sequential(nn.Conv2d(c, d, 3, stride=2, padding=1), nn.BatchNorm2d(d))
            for c, d in zip((3, ) + WIDTHS[:-1], WIDTHS))

    def forward(self, x):
        levels = []
        for stage in self.stages:
            x = stage(x)
            levels.append(x)
        if not self.as_dict:
            return levels
        # keys that sort otherwise than the levels: the dict's order is the one taken
        return OrderedDict((f"{'zyxw'[i]}", lv) for i, lv in enumerate(levels))


def _segmenter(as_dict, share):
    torch.manual_seed(0)
    if share:
        encoder = share_across_modalities(_Levels(as_dict), 2)
    else:
        encoder = SeparateEncoders([share_across_modalities(_Levels(as_dict), 1)
                                    for _ in range(2)])
    return AsymFusionSegmenter(encoder, RefineNetDecoder(list(WIDTHS), 3, features=8)).eval()


@pytest.mark.parametrize("share", [True, False])
def test_a_backbone_returning_a_dict_of_levels_gives_what_its_list_gives(share):
    xs = [torch.randn(2, 3, 32, 32), torch.randn(2, 3, 32, 32)]
    want = _segmenter(False, share)(xs)
    got = _segmenter(True, share)(xs)
    assert len(got) == 3
    for g, w in zip(got, want):
        torch.testing.assert_close(g, w, rtol=0, atol=0)


def test_a_backbone_returning_one_tensor_is_refused_naming_a_list_or_a_dict():
    seg = AsymFusionSegmenter(share_across_modalities(nn.Conv2d(3, 8, 1), 2),
                              RefineNetDecoder(list(WIDTHS), 3, features=8))
    with pytest.raises(ValueError, match=r"must return a list \(or a dict, in its order\) "
                                         r"of feature levels.*got \['Tensor', 'Tensor'\]"):
        seg([torch.randn(2, 3, 32, 32)] * 2)
