"""SeparateEncoders (the two-stream baseline) says at construction what is
wrong with the encoders it is given, naming the encoder, instead of failing
at the first step with an error that contradicts the input."""
import pytest
import torch
from torch import nn

from pyg_fusion.nn.asym import RefineNetDecoder, ResNetEncoder, SeparateEncoders


def _enc(width=8, num_modalities=1):
    return ResNetEncoder("basic", (1, 1, 1, 1), num_modalities, width=width,
                         fusion=num_modalities > 1)


def test_a_shared_encoder_of_two_modalities_is_named():
    # was: 'expected 2 modality tensors, got 1' at the first step, given 2 inputs
    with pytest.raises(ValueError, match=r"encoders\[0\] is built for num_modalities=2; "
                                         r"SeparateEncoders takes one single-modality"):
        SeparateEncoders([_enc(num_modalities=2), _enc(num_modalities=2)])


def test_encoders_of_different_widths_are_refused():
    # was: accepted; the decoder built for the first's widths failed in a conv
    # of the second branch
    with pytest.raises(ValueError, match="out_channels differ"):
        SeparateEncoders([_enc(8), _enc(16)])


def test_a_generator_and_a_single_encoder():
    sep = SeparateEncoders(_enc() for _ in range(2))  # was: 'generator' has no len()
    assert sep.num_modalities == 2 and sep.out_channels == _enc().out_channels
    with pytest.raises(TypeError, match="list of M encoders"):
        SeparateEncoders(_enc())
    with pytest.raises(TypeError, match=r"encoders\[1\] must be an nn.Module"):
        SeparateEncoders([_enc(), "resnet18"])


def test_an_encoder_without_out_channels_is_taken_and_runs():
    # a user's encoder that does not state its widths: was an AttributeError
    class Enc(nn.Module):
        def __init__(self):
            super().__init__()
            self.conv = nn.Conv2d(3, 4, 3, padding=1)

        def forward(self, xs):
            return [[self.conv(xs[0])]]

    sep = SeparateEncoders([Enc(), Enc()])
    x = [torch.randn(1, 3, 8, 8), torch.randn(1, 3, 8, 8)]
    out = sep(x)
    assert len(out) == 1 and [tuple(o.shape) for o in out[0]] == [(1, 4, 8, 8)] * 2
    assert not hasattr(sep, "out_channels")


def test_valid_encoders_unchanged():
    torch.manual_seed(0)
    sep = SeparateEncoders([_enc(), _enc()]).eval()
    dec = RefineNetDecoder(sep.out_channels, 3, features=8).eval()
    levels = sep([torch.randn(1, 3, 32, 32), torch.randn(1, 3, 32, 32)])
    assert dec([lv[1] for lv in levels]).shape[:2] == (1, 3)
