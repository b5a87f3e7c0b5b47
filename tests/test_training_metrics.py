import numpy as np
import pytest
import torch

from pyg_fusion.training.metrics import (accuracy, average_precision, frame_level_metrics,
                                         gather_by_index, pr_auc_trapz, roc_auc)


def _auc_pairs(s, y):
    # Independent reference: the probability that a random positive outranks
    # a random negative (ties count one half).
    pos, neg = s[y == 1], s[y == 0]
    diff = pos[:, None] - neg[None, :]
    return float(((diff > 0) + 0.5 * (diff == 0)).mean())


def _ap_steps(s, y):
    # Independent reference: mean of the precision at each positive's rank,
    # with tied scores handled as one threshold.
    order = np.argsort(-s, kind="stable")
    s, y = s[order], y[order]
    thresholds = np.unique(s)[::-1]
    ap, prev_r = 0.0, 0.0
    for t in thresholds:
        sel = s >= t
        tp = y[sel].sum()
        p, r = tp / sel.sum(), tp / y.sum()
        ap += (r - prev_r) * p
        prev_r = r
    return ap


def test_auc_and_ap_against_hand_references():
    rng = np.random.default_rng(0)
    y = (rng.random(300) < 0.3).astype(float)
    s = np.round(rng.random(300) + 0.5 * y, 2)  # rounding makes ties
    assert roc_auc(torch.tensor(s), torch.tensor(y)) == pytest.approx(_auc_pairs(s, y))
    assert average_precision(s, y) == pytest.approx(_ap_steps(s, y))


def test_pr_auc_trapz_differs_from_ap_and_is_the_trapezoid_area():
    s = np.array([0.9, 0.8, 0.7, 0.6, 0.5])
    y = np.array([1, 0, 1, 0, 1])
    # PR points (recall, precision) from sklearn's curve: thresholds at each
    # score plus the (0, 1) end point.
    pts = [(0, 1), (1 / 3, 1), (1 / 3, 0.5), (2 / 3, 2 / 3), (2 / 3, 0.5), (1, 0.6)]
    r, p = zip(*pts)
    trapezoid = getattr(np, "trapezoid", None) or np.trapz  # numpy < 2.0: trapz only
    ref = float(trapezoid(p, r))
    assert pr_auc_trapz(s, y) == pytest.approx(ref)
    assert average_precision(s, y) == pytest.approx(_ap_steps(s, y))
    assert pr_auc_trapz(s, y) != pytest.approx(average_precision(s, y))


def test_metric_errors_are_clear():
    with pytest.raises(ValueError, match="single class"):
        roc_auc([0.1, 0.2], [1, 1])
    with pytest.raises(ValueError, match="same length"):
        roc_auc([0.1, 0.2, 0.3], [0, 1])
    with pytest.raises(ValueError, match="NaN"):
        average_precision([float("nan"), 0.2], [0, 1])
    with pytest.raises(ValueError, match="binary"):
        roc_auc([0.1, 0.2], [0, 2])
    with pytest.raises(ValueError, match="empty"):
        accuracy(torch.zeros(0, dtype=torch.long), torch.zeros(0, dtype=torch.long))


def test_accuracy_and_frame_metrics():
    logits = torch.tensor([[2.0, 0.0], [0.0, 1.0], [3.0, 1.0]])
    assert accuracy(logits, torch.tensor([0, 1, 1])) == pytest.approx(2 / 3)
    m = frame_level_metrics([torch.tensor([0.1, 0.2]), torch.tensor([0.9])],
                            [torch.tensor([0, 0]), torch.tensor([1])])
    assert m == {"auc": 1.0, "ap": 1.0, "pr_auc_trapz": 1.0}


def test_frame_metrics_per_video_need_matching_videos():
    # per-video lists of equal totals were concatenated and paired one video's
    # scores with another's frames (AUC 0.625 here, silently)
    scores = [torch.tensor([0.1, 0.2, 0.3, 0.8, 0.9]), torch.tensor([0.4, 0.5, 0.6])]
    with pytest.raises(ValueError, match=r"^video 0: frame_scores has 5 frames, frame_gt 3$"):
        frame_level_metrics(scores, [torch.tensor([0, 0, 1]), torch.tensor([1, 1, 0, 0, 1])])
    with pytest.raises(ValueError, match=r"^frame_scores and frame_gt must give the same "
                                         r"videos, got 2 and 1$"):
        frame_level_metrics(scores, [torch.tensor([0, 0, 0, 1, 1, 0, 0, 0])])
    gt = [torch.tensor([0, 0, 0, 1, 1]), torch.tensor([0, 0, 0])]
    assert frame_level_metrics(iter(scores), iter(gt))["auc"] == 1.0
    # one side concatenated is taken as it is
    assert frame_level_metrics(torch.cat(scores), gt)["auc"] == 1.0


def test_gather_by_index_single_process_dedups_and_sorts():
    idx = torch.tensor([3, 1, 2, 1])
    val = torch.tensor([30.0, 10.0, 20.0, 10.0])
    i, v = gather_by_index(idx, val)
    assert i.tolist() == [1, 2, 3] and v.tolist() == [10.0, 20.0, 30.0]


def test_frame_level_metrics_of_no_video_name_the_argument():
    # torch.cat(): "expected a non-empty list of Tensors", naming neither
    from pyg_fusion.training.metrics import frame_level_metrics
    with pytest.raises(ValueError, match="frame_scores holds no video"):
        frame_level_metrics([], [])
    with pytest.raises(ValueError, match="frame_gt holds no video"):
        frame_level_metrics(torch.tensor([0.1, 0.9]), iter([]))
    got = frame_level_metrics(iter([torch.tensor([0.1, 0.9])]), torch.tensor([0.0, 1.0]))
    assert got["auc"] == 1.0
