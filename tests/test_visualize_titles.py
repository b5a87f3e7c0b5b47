"""Figures say what they show and on which data: the ``title`` of the plotting
functions, and every colour bar names its quantity."""
import numpy as np
import torch
from pyg_fusion.visualize import (plot_adjacency, plot_anomaly_scores,
                                  plot_fusion_operator)


def _suptitle(fig) -> str:
    # Figure.get_suptitle is matplotlib >= 3.8; pyproject admits 3.7
    title = getattr(fig, "_suptitle", None)
    return "" if title is None else title.get_text()


def _colorbar_labels(fig):
    return [a.get_ylabel() for a in fig.axes if a.get_label() == "<colorbar>"]


def test_adjacency_title_and_per_panel_colorbar_labels(tmp_path):
    torch.manual_seed(0)
    graphs = {"R_a": torch.rand(6, 6), "G (LEGO)": torch.rand(6, 6) * 1e-3}
    fig = plot_adjacency(graphs, shared_scale=False, title="R and G: digits, seed 0",
                         path=tmp_path / "g.png")
    assert _suptitle(fig) == "R and G: digits, seed 0"
    labels = _colorbar_labels(fig)
    assert labels == ["edge weight", "edge weight"]  # one per panel, each labelled
    assert _colorbar_labels(plot_adjacency(graphs)) == ["edge weight"]
    assert _suptitle(plot_adjacency(graphs)) == ""  # no title unless asked


def test_fusion_operator_title(tmp_path):
    A = {"a|b": torch.randn(2, 2)}
    fig = plot_fusion_operator(A, title="LEGO's A: digits, seed 0", path=tmp_path / "A.png")
    assert _suptitle(fig) == "LEGO's A: digits, seed 0"


def test_anomaly_scores_title_keeps_each_videos_title(tmp_path):
    scores = {"v1": np.linspace(0, 1, 8), "v2": np.linspace(1, 0, 8)}
    gts = {"v1": np.r_[np.zeros(4), np.ones(4)], "v2": np.zeros(8)}
    fig = plot_anomaly_scores(scores, gts, frames_per_snippet=1, title="LEGO on VAD, seed 0",
                              path=tmp_path / "s.png")
    # the figure's title heads the legend above the panels (a suptitle overlapped it)
    assert fig.legends[0].get_title().get_text() == "LEGO on VAD, seed 0"
    panels = [a for a in fig.axes if a.get_title(loc="left")]
    # each panel still names its own video (the figure's title did not replace it)
    assert [a.get_title(loc="left").split()[0] for a in panels] == ["v1", "v2"]


def _inside(fig, texts):
    """The texts that reach outside the figure (after drawing it)."""
    fig.canvas.draw()
    renderer = fig.canvas.get_renderer()
    box = fig.bbox
    out = []
    for t in texts:
        b = t.get_window_extent(renderer)
        if b.x0 < box.x0 - 0.5 or b.x1 > box.x1 + 0.5 or b.y0 < box.y0 - 0.5 \
                or b.y1 > box.y1 + 0.5:
            out.append(t.get_text())
    return out


def test_fusion_operator_of_long_source_names_stays_in_the_figure():
    """A pair 'averyverylongsourcename_one|another_long_source_name' drew a title cut
    at both sides of a 396 px figure and a y label cut at its top."""
    A = {"averyverylongsourcename_one|another_long_source_name": torch.randn(3, 3)}
    fig = plot_fusion_operator(A)
    (ax, ) = [a for a in fig.axes if a.get_label() != "<colorbar>"]
    assert _inside(fig, [ax.title, ax.yaxis.label, ax.xaxis.label]) == []
    assert ax.get_title() == "$A[p, q]$: averyverylongsourcename_one |\nanother_long_source_name"
    # short names: the figure and the one-line title as before
    short = plot_fusion_operator({"i3d|clip": torch.randn(3, 3)})
    assert short.axes[0].get_title() == "$A[p, q]$: i3d | clip"
    assert tuple(short.get_size_inches()) == (3.6, 3.0)
