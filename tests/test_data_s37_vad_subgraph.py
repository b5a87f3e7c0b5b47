import pytest
import torch

from pyg_fusion.data import MultiSourceData


def _video():
    # a VADFeatures video of 4 segments = 4 snippets of 16 frames
    return MultiSourceData(x_rgb=torch.randn(4, 3), y=torch.tensor([1]),
                           num_snippets=torch.tensor([4]), snippet_segment=torch.arange(4),
                           snippet_len=torch.tensor([16]), num_frames=torch.tensor([64]),
                           frame_gt=torch.zeros(64, dtype=torch.long))


def test_subgraph_of_a_vad_video_is_refused():
    # it kept num_snippets [4], snippet_segment [4] (old ids) and frame_gt [64]
    with pytest.raises(ValueError, match=r"subgraph selects nodes, but this graph is a VAD "
                                         r"video with \['num_snippets', 'snippet_segment', "
                                         r"'num_frames', 'frame_gt'\]"):
        _video().subgraph(torch.tensor([0, 1]))
    video = _video()
    for key in ("num_snippets", "snippet_segment", "num_frames", "frame_gt"):
        del video[key]
    assert video.subgraph(torch.tensor([0, 1])).x_rgb.shape == (2, 3)
