"""Long titles and names stay inside the figure and apart: a figure's
``title`` of some 120 characters was cut at both sides (plot_relation_graph,
plot_fusion_operator, plot_anomaly_scores, plot_results), and graph names of
some 50 characters ran into the next panel's (plot_adjacency,
plot_power_expansion). They are broken into lines that fit
(``_common.fit_lines``); short ones are drawn as before."""
import time

import matplotlib.pyplot as plt
import numpy as np
import pytest
import torch

from pyg_fusion.visualize import (plot_adjacency, plot_anomaly_scores, plot_fusion_operator,
                                  plot_power_expansion, plot_pq_sensitivity, plot_relation_graph,
                                  plot_results)
from pyg_fusion.visualize._common import fit_lines

TITLE = ("LEGO on XD-Violence (multi-modal: RGB I3D, audio VGGish, flow), seed 0, "
         "P = Q = 2, k = 10, 50 epochs, test videos 1-8")
NAMES = ["relation graph of the RGB I3D features (10-NN, cosine)",
         "fused graph G of LEGO, P = Q = 2", "audio VGGish features: 10-NN cosine graph"]
VIDEO = "/data/XD-Violence/test/videos/v=8cTqh9tMz_I__#1_label_B6-0-0/clip 3 of the video.mp4"


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    plt.close("all")


def _titles(fig):
    texts = [t for a in fig.axes for t in (a.title, a._left_title, a._right_title)]
    texts += [fig._suptitle] if fig._suptitle is not None else []
    texts += [legend.get_title() for legend in fig.legends]
    return [t for t in texts if t.get_text()]


def _outside_or_overlapping(fig):
    fig.canvas.draw()
    renderer = fig.canvas.get_renderer()
    boxes = [(t.get_text(), t.get_window_extent(renderer)) for t in _titles(fig)]
    box = fig.bbox
    out = [text for text, b in boxes if b.x0 < box.x0 - 0.5 or b.x1 > box.x1 + 0.5]
    over = [(s, t) for i, (s, a) in enumerate(boxes) for t, b in boxes[i + 1:] if a.overlaps(b)]
    return out, over


def _results(title=None):
    records = [{"dataset": "d", "setting": "s", "method": m, "metric": "accuracy", "mean": 0.8,
                "std": 0.01, "values": [0.79, 0.81]} for m in ("lego", "feature-concat")]
    return plot_results(records, title=title)


def _sweep(names):
    # the heatmap's and the surface's titles name the data: they ran into each other
    records = [{"P": p, "Q": q, "metric": "AUC of the test videos", "mean": 0.5 + p / 9 + q / 20,
                "dataset": names[0], "method": names[1]} for p in range(3) for q in range(3)]
    return plot_pq_sensitivity(records)


FIGURES = {
    "relation graph": lambda t, names: plot_relation_graph(torch.tensor([[0, 1], [1, 2]]),
                                                           title=t),
    "adjacency": lambda t, names: plot_adjacency({n: torch.rand(5, 5) for n in names}, title=t),
    "powers": lambda t, names: plot_power_expansion({n: torch.rand(3, 5, 5) for n in names[:2]}),
    "operator": lambda t, names: plot_fusion_operator(torch.rand(3, 3), title=t),
    "anomaly": lambda t, names: plot_anomaly_scores(
        {names[0]: np.linspace(0, 1, 20), "v2": np.ones(20)},
        {names[0]: np.r_[np.zeros(160), np.ones(160)], "v2": np.r_[np.zeros(160), np.ones(160)]},
        title=t),
    "results": lambda t, names: _results(t),
    "sensitivity": lambda t, names: _sweep(names),
}


@pytest.mark.parametrize("figure", sorted(FIGURES))
def test_long_titles_and_names_stay_inside_the_figure_and_apart(figure):
    names = [VIDEO, *NAMES[1:]] if figure == "anomaly" else NAMES
    fig = FIGURES[figure](TITLE, names)
    assert _outside_or_overlapping(fig) == ([], [])


@pytest.mark.parametrize("figure", sorted(FIGURES))
def test_short_titles_and_names_keep_one_line(figure):
    fig = FIGURES[figure]("LEGO, seed 0", ["R_a", "R_b", "G"])
    assert [t.get_text() for t in _titles(fig) if "\n" in t.get_text()
            and "frame AUC" not in t.get_text() and "mean ± std" not in t.get_text()] == []


def test_fit_lines_keeps_math_and_cuts_what_no_lines_hold():
    assert fit_lines("$A[p, q]$: a | b", 0.5, 10).split("\n")[0] == "$A[p, q]$:"
    assert fit_lines("one\ntwo", 5, 10) == "one\ntwo"
    start = time.perf_counter()
    text = fit_lines("y" * 20000, 3, 10)  # a path with no space: 4 lines, the last cut
    assert time.perf_counter() - start < 2
    lines = text.split("\n")
    assert len(lines) == 4 and lines[-1].endswith("\u2026") and set("".join(lines)) == {"y", "\u2026"}
