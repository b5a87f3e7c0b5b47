"""SeparateEncoders takes encoders that state one width for every level, an
int ``out_channels`` (torchvision's ``BackboneWithFPN`` convention)."""
import pytest
import torch
from torch import nn

from pyg_fusion.nn.asym import SeparateEncoders


class _OneWidth(nn.Module):
    # takes the list of one modality, returns two levels of `width` channels
    def __init__(self, width: int):
        super().__init__()
        self.out_channels = width
        self.a, self.b = nn.Conv2d(3, width, 1), nn.Conv2d(width, width, 1, stride=2)

    def forward(self, xs):
        low = self.a(xs[0])
        return [[low], [self.b(low)]]


def test_encoders_of_one_int_width_are_taken():
    # was TypeError: 'int' object is not iterable, at construction
    model = SeparateEncoders([_OneWidth(4), _OneWidth(4)])
    assert model.out_channels == 4
    out = model([torch.randn(1, 3, 8, 8), torch.randn(1, 3, 8, 8)])
    assert [[tuple(t.shape) for t in level] for level in out] == [
        [(1, 4, 8, 8)] * 2, [(1, 4, 4, 4)] * 2]


def test_encoders_of_different_int_widths_are_refused():
    with pytest.raises(ValueError, match=r"out_channels differ \(\[4, 6\]\)"):
        SeparateEncoders([_OneWidth(4), _OneWidth(6)])
