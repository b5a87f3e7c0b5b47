"""A None entry in SharedModalityNetwork's inputs failed as torch's 'conv2d()
received an invalid combination of arguments - got (NoneType, ...)', naming no
entry; it now names the entry, where the wrapped network fails on it."""
import pytest
import torch
from torch import nn

from pyg_fusion.nn.asym import share_across_modalities


def _net():
    return share_across_modalities(nn.Sequential(nn.Conv2d(3, 4, 3), nn.BatchNorm2d(4)), 2)


@pytest.mark.parametrize("missing", [0, 1])
def test_a_none_entry_is_named(missing):
    xs = [torch.randn(2, 3, 8, 8), torch.randn(2, 3, 8, 8)]
    xs[missing] = None
    with pytest.raises(TypeError, match=rf"xs\[{missing}\] is None, and the wrapped network "
                                        r"raised a TypeError on it .* each of the 2 "
                                        r"modalities an input") as info:
        _net()(xs)
    assert "conv2d()" in str(info.value.__cause__)  # torch's own error stays chained


class _MissingAsZeros(nn.Module):
    """A network that takes None for a missing modality."""

    def __init__(self):
        super().__init__()
        self.conv, self.bn = nn.Conv2d(3, 4, 3), nn.BatchNorm2d(4)

    def forward(self, x):
        if x is None:
            return torch.zeros(2, 4, 6, 6)
        return self.bn(self.conv(x))


def test_a_network_taking_none_still_takes_it():
    outs = share_across_modalities(_MissingAsZeros(), 2)([torch.randn(2, 3, 8, 8), None])
    assert outs[0].shape == (2, 4, 6, 6) and not outs[1].any()


def test_other_type_errors_pass_unchanged():
    with pytest.raises(TypeError, match=r"conv2d\(\) received an invalid combination"):
        _net()([torch.randn(2, 3, 8, 8), "depth"])


def test_the_bad_input_page_says_so():
    from pathlib import Path
    said = " ".join((Path(__file__).resolve().parent.parent / "docs" / "bad_input.md")
                    .read_text().split())
    assert ("It names a `None` entry that the wrapped network fails on (`xs[1] is None`; a network "
            "that takes `None` keeps it)") in said


class _Levels(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv = nn.Conv2d(3, 4, 3)

    def forward(self, x):
        return [self.conv(x)]


@pytest.mark.parametrize("shared", [True, False])
def test_separate_encoders_name_the_entry_not_the_branchs_own(shared):
    # a shared-form branch said 'xs[0] is None ... each of the 1 modalities' for xs[1];
    # a ResNetEncoder branch gave torch's conv2d error
    from pyg_fusion.nn.asym import ResNetEncoder, SeparateEncoders
    branches = ([share_across_modalities(_Levels(), 1) for _ in range(2)] if shared else
                [ResNetEncoder("basic", (1, 1, 1, 1), 1, width=8) for _ in range(2)])
    with pytest.raises(TypeError, match=r"xs\[1\] is None, and encoders\[1\] raised a "
                                        r"TypeError on it .* each of the 2 modalities"):
        SeparateEncoders(branches)([torch.randn(2, 3, 32, 32), None])
