"""MultiSourceData.subgraph of a VAD video advised "delete them first (del
data.frame_gt)", an attribute a video without frame ground truth (every
training video of SyntheticVAD) lacks: following it was an AttributeError.
The advice now deletes the attributes the video has."""
import re

import pytest
import torch

from pyg_fusion.data import MultiSourceData


def test_the_advice_deletes_what_the_video_holds():
    data = MultiSourceData(x_a=torch.rand(4, 2), num_snippets=torch.tensor([6]),
                           snippet_segment=torch.tensor([0, 0, 1, 2, 3, 3]),
                           num_frames=torch.tensor([96]))
    with pytest.raises(ValueError, match="VAD video") as info:
        data.subgraph(torch.tensor([0, 1]))
    advice = re.search(r"delete them first \(([^)]*)\)", str(info.value)).group(1)
    exec(advice.replace("; ", "\n"), {"data": data})
    assert data.subgraph(torch.tensor([0, 1])).x_a.shape == (2, 2)
