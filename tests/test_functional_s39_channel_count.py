"""A count of channels is written by one helper, channel_count: the input
checks said 'x has 1 channels' (check_channels), the segmenter 'input
'depth' has 1 channels', the recordings 'have 1 channels'."""
import pytest
import torch

from pyg_fusion.functional._checks import channel_count, check_channels


def test_one_channel_is_singular():
    assert [channel_count(c) for c in (0, 1, 3)] == ["0 channels", "1 channel", "3 channels"]


def test_an_input_of_one_channel_is_named_in_the_singular():
    with pytest.raises(ValueError, match=r"^x has 1 channel \(shape \(2, 1, 4, 4\)\), the layer "
                                         r"expects in_channels = 3$"):
        check_channels("x", torch.rand(2, 1, 4, 4), 3, dims=(4, ))
