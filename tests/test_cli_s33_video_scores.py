"""The MIL video score is the mean of the k largest snippet scores that the
test ranks (segment_scores), under autocast too: one path for the sigmoid."""
import pytest
import torch

from pyg_fusion.training.vad import segment_scores, video_scores


@pytest.mark.parametrize("autocast", [False, True])
def test_video_scores_are_the_top_k_of_the_segment_scores(autocast, monkeypatch):
    logits = torch.randn(3, 7, generator=torch.Generator().manual_seed(0)) * 4
    with torch.autocast("cpu", dtype=torch.bfloat16, enabled=autocast):
        got = video_scores(logits.bfloat16() if autocast else logits, k=3)
        want = segment_scores(logits.bfloat16() if autocast else logits)
    assert got.dtype == torch.float32
    assert torch.equal(got, want.topk(3, dim=1).values.mean(1))
    # the one path: a change of the snippet score is the video score's too
    import pyg_fusion.training._vad_scores as mod
    monkeypatch.setattr(mod, "segment_scores", lambda x: torch.ones_like(x, dtype=torch.float32))
    assert torch.equal(video_scores(logits, k=2), torch.ones(3))
