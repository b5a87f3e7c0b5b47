"""plot_anomaly_scores: each video's scores as steps over its ground truth,
methods compared on the same videos, and layouts that stay readable with
many methods or videos."""
import matplotlib.pyplot as plt
import numpy as np
import pytest
import torch
from matplotlib.patches import StepPatch

from pyg_fusion.visualize import plot_anomaly_scores


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    plt.close("all")


def test_anomaly_scores_steps_and_ground_truth_spans(tmp_path):
    f = 16
    scores = {"v1": torch.tensor([0.1, 0.2, 0.9, 0.8, 0.1]),
              "v2": np.array([0.3, 0.3, 0.2])}
    gt_v1 = np.zeros(5 * f - 3)  # the last snippet covers 13 frames
    gt_v1[35:60] = 1
    gt_v1[70:75] = 1
    gt = {"v1": gt_v1, "v2": np.zeros(3)}  # v2: snippet-level labels
    fig = plot_anomaly_scores(scores, gt, frames_per_snippet=f, threshold=0.5,
                              path=tmp_path / "s.png")
    ax1, ax2 = fig.axes
    spans = [p for p in ax1.patches if p.get_gid() == "gt"]
    # axvspan: a Polygon before matplotlib 3.9, a Rectangle from 3.9 on
    xs = [p.get_patch_transform().transform(p.get_path().vertices)[:, 0] for p in spans]
    extents = sorted((round(x.min()), round(x.max())) for x in xs)
    assert extents == [(35, 60), (70, 75)]
    (steps, ) = [p for p in ax1.patches if isinstance(p, StepPatch)]
    values, edges, _ = steps.get_data()
    np.testing.assert_allclose(values, scores["v1"].numpy())
    np.testing.assert_array_equal(edges, [0, 16, 32, 48, 64, 77])
    assert ax1.get_xlim() == (0, 77)
    assert "frame AUC" in ax1.get_title(loc="left")
    assert not [p for p in ax2.patches if p.get_gid() == "gt"]
    assert "AUC" not in ax2.get_title(loc="left")  # one class only: no AUC
    from sklearn.metrics import roc_auc_score
    auc = roc_auc_score(gt_v1, np.repeat(scores["v1"].numpy(), f)[:77])
    assert f"{auc:.3f}" in ax1.get_title(loc="left")


def test_anomaly_scores_compare_methods_on_the_same_videos():
    scores = {"lego": {"v": np.array([0.1, 0.9])}, "concat": {"v": np.array([0.5, 0.4])}}
    fig = plot_anomaly_scores(scores, {"v": np.array([0, 1])}, frames_per_snippet=4)
    (ax, ) = fig.axes
    steps = {p.get_gid(): p for p in ax.patches if isinstance(p, StepPatch)}
    assert set(steps) == {"scores:lego", "scores:concat"}
    np.testing.assert_allclose(steps["scores:concat"].get_data()[0], [0.5, 0.4])
    assert "lego 1.000, concat 0.000" in ax.get_title(loc="left")
    with pytest.raises(ValueError, match="same videos"):
        plot_anomaly_scores({"a": {"v": [0.1]}, "b": {"w": [0.2]}})
    with pytest.raises(ValueError, match="has 3 snippets"):
        plot_anomaly_scores({"a": {"v": [0.1, 0.2]}, "b": {"v": [0.2, 0.1, 0.3]}})


def test_anomaly_scores_list_input_and_max_videos():
    fig = plot_anomaly_scores([np.random.rand(4) for _ in range(5)], max_videos=3)
    assert len(fig.axes) == 3 and "first 3 of 5" in fig.axes[0].get_title(loc="right")


@pytest.mark.parametrize("scores, gt, match", [
    ({"v": np.random.rand(4)}, {"v": np.zeros(100)}, "between 49 and 64 frame labels"),
    ({"v": np.random.rand(4)}, {"w": np.zeros(64)}, "no entry for video"),
    ({"v": np.array([0.1, np.nan])}, None, "NaN"),
    (np.random.rand(2, 3), None, "dict of 1-D arrays"),
    ({}, None, "empty"),
])
def test_anomaly_scores_bad_input(scores, gt, match):
    with pytest.raises(ValueError, match=match):
        plot_anomaly_scores(scores, gt)


SEVEN = ["lego", "lego-row", "feature-concat", "graph-product", "graph-mean", "mtn",
         "single-i3d"]


def _seven_methods(videos=2, snippets=30):
    rng = np.random.default_rng(0)
    scores = {m: {f"v{i}": rng.random(snippets) for i in range(videos)} for m in SEVEN}
    gt = {f"v{i}": (np.arange(snippets * 16) > 200).astype(int) for i in range(videos)}
    return scores, gt


def test_anomaly_scores_of_seven_methods_have_seven_colours():
    """Five colours: the 6th method (mtn) was drawn in the 1st one's (lego) blue."""
    from matplotlib.colors import to_rgba
    fig = plot_anomaly_scores(*_seven_methods())
    ax = fig.axes[0]
    colours = {p.get_gid(): to_rgba(p.get_edgecolor()) for p in ax.patches
               if isinstance(p, StepPatch)}
    assert len(colours) == 7 and len(set(colours.values())) == 7
    assert to_rgba("tab:red") not in colours.values()  # the ground truth's colour


def test_anomaly_scores_legend_of_many_methods_stays_in_the_figure():
    """Seven methods, the threshold and the ground truth: nine legend entries in
    one row ran past both edges of the 9-inch figure."""
    fig = plot_anomaly_scores(*_seven_methods(), threshold=0.5, title="synthetic-vad, seed 0")
    fig.canvas.draw()
    renderer = fig.canvas.get_renderer()
    (legend, ) = fig.legends
    box = legend.get_window_extent(renderer)
    assert len(legend.get_texts()) == 9
    assert fig.bbox.x0 <= box.x0 and box.x1 <= fig.bbox.x1 and box.y1 <= fig.bbox.y1
    for a in fig.axes:
        assert not box.overlaps(a.get_tightbbox(renderer))


def test_anomaly_scores_titles_of_many_aucs_stay_in_the_panel():
    """Seven methods' frame AUCs on one title line ran past the figure's right
    edge (and into the 'first 2 of 3 videos' note): they now break into lines."""
    scores, gt = _seven_methods(videos=3)
    fig = plot_anomaly_scores(scores, gt, max_videos=2)
    fig.canvas.draw()
    renderer = fig.canvas.get_renderer()
    for a in fig.axes:
        left = a._left_title.get_window_extent(renderer)
        assert fig.bbox.x0 <= left.x0 and left.x1 <= fig.bbox.x1
        assert not left.overlaps(a._right_title.get_window_extent(renderer)) \
            or not a.get_title(loc="right")
        text = a.get_title(loc="left")
        assert all(f"{m} " in text for m in SEVEN) and "\n" in text
    short = plot_anomaly_scores({"v": np.array([0.1, 0.9])}, {"v": np.array([0, 1])},
                                frames_per_snippet=1)
    assert short.axes[0].get_title(loc="left") == "v  (frame AUC 1.000)"


def test_anomaly_scores_of_forty_videos_fit_a_page_sized_grid():
    """max_videos=40 drew one column of 40 panels, 9 x 76 inches (990 x 8360 px):
    more than 8 videos now go in two columns, more than 20 in three."""
    rng = np.random.default_rng(0)
    scores = {m: {f"Abuse{i:03d}_x264": rng.random(30) for i in range(40)}
              for m in ("lego", "feature-concat", "graph-product")}
    gt = {v: (np.arange(30 * 16) > 200).astype(int) for v in scores["lego"]}
    fig = plot_anomaly_scores(scores, gt, max_videos=40)
    w, h = fig.get_size_inches()
    assert w <= 16 and h <= 24
    drawn = [a for a in fig.axes if a.axison]
    assert len(drawn) == 40 and len(fig.axes) == 42  # 14 rows of 3, two left blank
    assert [a.get_xlabel() for a in drawn].count("frame") == 3  # the bottom of each column
    fig.canvas.draw()
    renderer = fig.canvas.get_renderer()
    for a in drawn:
        box = a._left_title.get_window_extent(renderer)
        assert fig.bbox.x0 <= box.x0 and box.x1 <= fig.bbox.x1
    nine = plot_anomaly_scores(scores, gt, max_videos=9)
    assert len(nine.axes) == 10 and tuple(nine.get_size_inches()) == (13.0, 8.0)
    assert tuple(plot_anomaly_scores(scores, gt).get_size_inches()) == (9.0, 8 * 1.9)
