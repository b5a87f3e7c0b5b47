"""segment_scores_to_frames on a graph without a VAD video's snippet
attributes (a user's own MultiSourceData) said "'GlobalStorage' object has no
attribute 'snippet_len'", naming PyG's storage, not what the function reads."""
import pytest
import torch

from pyg_fusion.data import MultiSourceData
from pyg_fusion.datasets import segment_scores_to_frames


def test_a_graph_without_snippet_attributes_is_named():
    data = MultiSourceData(x_a=torch.randn(4, 3))
    with pytest.raises(ValueError, match=r"data lacks snippet_segment, snippet_len: "
                                         r"segment_scores_to_frames reads"):
        segment_scores_to_frames(torch.rand(4), data)
    data.snippet_len = torch.tensor([2])
    with pytest.raises(ValueError, match=r"data lacks snippet_segment:"):
        segment_scores_to_frames(torch.rand(4), data)
    data.snippet_segment = torch.tensor([0, 1, 2, 3])
    assert segment_scores_to_frames(torch.arange(4.0), data).tolist() == [0, 0, 1, 1, 2, 2, 3, 3]
