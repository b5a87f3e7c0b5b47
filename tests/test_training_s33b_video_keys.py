"""Which items are one video (their domain and name, vad_split.video_keys):
one reading for the held-out split, the pseudo-anomalies and the check of the
test videos. The split keyed the domain by its printed form and the others by
its first entry, so that they disagreed on one video."""
import numpy as np
import pytest
import torch

from pyg_fusion.data import MultiSourceData
from pyg_fusion.training.pseudo_anomalies import splice_pseudo_anomalies
from pyg_fusion.training.vad_split import check_test_videos, split_videos, video_keys


def _video(name, domain, label=0, value=0.0, n=8):
    d = MultiSourceData(x_a=torch.full((n, 3), value), y=torch.tensor([label]), video=name,
                        frame_gt=torch.tensor([0, 1] * 8))
    if domain is not None:
        d.domain = domain
    return d


@pytest.mark.parametrize("domain", [0, np.int64(0), torch.tensor(0), torch.tensor([0]),
                                    torch.tensor([0], dtype=torch.int32), torch.tensor([0.0]),
                                    None])
def test_one_domain_id_in_any_integer_form_is_one_video(domain):
    items = [_video("a", torch.tensor([0])), _video("a", domain)]
    assert video_keys(items) == [(0, "a"), (0, "a")]
    # the split holds them out together, as the pseudo-anomalies and the test count them
    # (it keyed 'tensor([0])' and '0' apart: one video on both sides of the split)
    data = items + [_video(f"n{i}", torch.tensor([0])) for i in range(3)] + [
        _video(f"b{i}", torch.tensor([0]), label=1) for i in range(4)]
    for seed in range(6):
        train, val = split_videos(data, 0.5, seed)
        assert (0 in val) == (1 in val) and (0 in train) == (1 in train)


@pytest.mark.parametrize("domain", [torch.tensor([0, 1, 0]), torch.tensor([0.5]),
                                    np.float32(0.5), "ucf", True, torch.tensor([float("nan")])])
def test_a_domain_that_is_no_integer_id_is_refused(domain):
    items = [_video("a", domain), _video("b", torch.tensor([0]), value=1.0)]
    match = r"video 'a' has the domain .*: expected one integer, its domain's id"
    with pytest.raises(ValueError, match=match):
        video_keys(items)
    with pytest.raises(ValueError, match=match):
        split_videos(items + [_video("c", 0, label=1)], 0.5)
    with pytest.raises(ValueError, match=match):
        splice_pseudo_anomalies(items)
    with pytest.raises(ValueError, match=match):
        check_test_videos([_video("t", 0)], items)


def test_one_hot_domains_keep_their_videos_apart():
    # video 'a' of the domains [0, 1, 0] and [0, 0, 1] read by the first entry
    # was one video: it was spliced into neither, 4 pseudo-videos of 6, silently
    one_hot = [_video("a", torch.tensor([0, 1, 0])),
               _video("a", torch.tensor([0, 0, 1]), value=1.0),
               _video("b", torch.tensor([0, 1, 0]), value=2.0)]
    with pytest.raises(ValueError, match="expected one integer"):
        splice_pseudo_anomalies(one_hot)
    ids = [_video("a", torch.tensor([1])), _video("a", torch.tensor([2]), value=1.0),
           _video("b", torch.tensor([1]), value=2.0)]
    assert splice_pseudo_anomalies(ids)[1].shape == (6, 8)


def test_a_test_video_is_a_training_video_by_its_domain_id_and_name():
    # (a domain 0.5 read as 0 made the test video 'a' of domain 0 a training video:
    # refused above)
    with pytest.raises(ValueError, match="also training videos"):
        check_test_videos([_video("a", 0)], [_video("a", torch.tensor([0]))])
    check_test_videos([_video("a", 0)], [_video("a", torch.tensor([1]))])
