"""AsymFusion in a user's own model (session 36): their backbone as a branch of
the two-stream baseline, and the exchanges under the transforms a demanding user
applies (gradients in float64, channels_last)."""
import pytest
import torch
from torch import nn

from pyg_fusion.nn.asym import (AsymFusionSegmenter, RefineNetDecoder, SeparateEncoders,
                                share_across_modalities)


class _Backbone(nn.Module):
    """A user's CNN returning its list of 4 feature levels."""

    def __init__(self):
        super().__init__()
        self.stem = nn.Sequential(nn.Conv2d(3, 8, 3, 2, 1), nn.BatchNorm2d(8))
        self.convs = nn.ModuleList(nn.Conv2d(8, 8, 3, 2, 1) for _ in range(3))

    def forward(self, x):
        levels = [self.stem(x)]
        for conv in self.convs:
            levels.append(conv(levels[-1]))
        return levels


def test_a_backbone_shared_for_one_modality_is_a_branch_with_all_its_levels():
    # SeparateEncoders([share_across_modalities(backbone, 1), ...]) took the
    # branch's [levels] as the levels: only the first went on, the others were
    # dropped without a word (a decoder of one level took it)
    torch.manual_seed(0)
    backbones = [_Backbone(), _Backbone()]
    sep = SeparateEncoders([share_across_modalities(b, 1) for b in backbones]).eval()
    xs = [torch.randn(2, 3, 32, 32), torch.randn(2, 3, 32, 32)]
    levels = sep(xs)
    assert len(levels) == 4
    for s, level in enumerate(levels):
        assert len(level) == 2
        for b, x, got in zip(backbones, xs, level):
            torch.testing.assert_close(got, b.eval()(x)[s])
    seg = AsymFusionSegmenter(sep, RefineNetDecoder([8] * 4, 3, features=8, light=True)).eval()
    assert [tuple(o.shape) for o in seg(xs)] == [(2, 3, 32, 32)] * 3

    class Flat(nn.Module):
        def forward(self, x):
            return x
    with pytest.raises(ValueError, match=r"encoders\[1\] is a SharedModalityNetwork: its "
                                         r"network must return a list of feature levels"):
        SeparateEncoders([share_across_modalities(_Backbone(), 1),
                          share_across_modalities(Flat(), 1)])(xs)
