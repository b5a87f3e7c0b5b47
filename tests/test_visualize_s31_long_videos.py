"""plot_anomaly_scores of a very long video: matplotlib spends some 50 us a
step and milliseconds a shaded run, so a video of a million snippets (and
one with a frame-level ground truth of many runs) took minutes to draw. A
video of more than MAX_STEPS snippets is drawn in blocks, each at its largest
score, and the ground truth is shaded in blocks of at most 1/MAX_STEPS of
the video; the AUC is the whole video's."""
import matplotlib.pyplot as plt
import numpy as np
import pytest
from matplotlib.patches import StepPatch

from pyg_fusion.visualize import anomaly, plot_anomaly_scores


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    plt.close("all")


def _spans(ax):
    xs = [p.get_patch_transform().transform(p.get_path().vertices)[:, 0]
          for p in ax.patches if p.get_gid() == "gt"]
    return sorted((round(x.min()), round(x.max())) for x in xs)


def test_a_long_video_is_drawn_in_blocks_at_their_largest_score(monkeypatch):
    monkeypatch.setattr(anomaly, "MAX_STEPS", 8)  # the rule, at a size a test draws
    f, t = 4, 50  # blocks of ceil(50 / 8) = 7 snippets, 28 frames
    scores = np.zeros(t)
    scores[30] = 0.9  # block 4: snippets 28..34
    gt = np.zeros(t * f)
    gt[121] = 1  # frame 121: snippet 30, block 4 (frames 112..139)
    fig = plot_anomaly_scores(scores, gt, frames_per_snippet=f)
    ax = fig.axes[0]
    (steps, ) = [p for p in ax.patches if isinstance(p, StepPatch)]
    values, edges, _ = steps.get_data()
    np.testing.assert_array_equal(edges, [0, 28, 56, 84, 112, 140, 168, 196, 200])
    np.testing.assert_array_equal(values, [0, 0, 0, 0, 0.9, 0, 0, 0])
    assert _spans(ax) == [(112, 140)]
    assert "(max of every 7 snippets)" in ax.get_title(loc="left")
    from sklearn.metrics import roc_auc_score
    assert f"{roc_auc_score(gt, np.repeat(scores, f)):.3f}" in ax.get_title(loc="left")


def test_a_ground_truth_of_many_runs_is_shaded_in_blocks(monkeypatch):
    monkeypatch.setattr(anomaly, "MAX_STEPS", 8)
    f, t = 4, 8  # 8 snippets: drawn one a step; 32 frames, shaded 4 at a time
    gt = np.zeros(t * f)
    gt[[1, 3, 5, 17]] = 1  # three runs in frames 0..7, one in 16..19
    fig = plot_anomaly_scores(np.linspace(0, 1, t), gt, frames_per_snippet=f)
    ax = fig.axes[0]
    assert _spans(ax) == [(0, 8), (16, 20)]
    assert "max of every" not in ax.get_title(loc="left")


def test_a_million_snippets_draw_at_most_max_steps():
    scores = np.random.default_rng(0).random(1_000_000)
    fig = plot_anomaly_scores(scores)
    (steps, ) = [p for p in fig.axes[0].patches if isinstance(p, StepPatch)]
    values, _, _ = steps.get_data()
    assert len(values) <= anomaly.MAX_STEPS and values.max() == scores.max()
