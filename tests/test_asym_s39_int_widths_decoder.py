"""SeparateEncoders keeps an int out_channels (one width for every level,
torchvision's BackboneWithFPN convention); RefineNetDecoder built from it by
hand, RefineNetDecoder(model.out_channels, num_classes), failed with "'int'
object is not iterable". An int is every level's width."""
import torch
from torch import nn

from pyg_fusion.nn.asym import AsymFusionSegmenter, RefineNetDecoder, SeparateEncoders


class _FourLevels(nn.Module):
    # takes the list of one modality, returns 4 levels of `width` channels (1/4 .. 1/32)
    def __init__(self, width: int):
        super().__init__()
        self.out_channels = width
        self.stem = nn.Conv2d(3, width, 1, stride=4)
        self.down = nn.ModuleList(nn.Conv2d(width, width, 1, stride=2) for _ in range(3))

    def forward(self, xs):
        levels = [self.stem(xs[0])]
        for conv in self.down:
            levels.append(conv(levels[-1]))
        return [[t] for t in levels]


def test_a_decoder_built_from_an_int_out_channels_takes_every_level_at_that_width():
    encoder = SeparateEncoders([_FourLevels(8), _FourLevels(8)])
    decoder = RefineNetDecoder(encoder.out_channels, 3, features=8)
    assert decoder.in_channels == (8, 8, 8, 8)
    seg = AsymFusionSegmenter(encoder, decoder).eval()
    out = seg([torch.randn(1, 3, 64, 64), torch.randn(1, 3, 64, 64)])
    assert [tuple(o.shape) for o in out] == [(1, 3, 64, 64)] * 3
