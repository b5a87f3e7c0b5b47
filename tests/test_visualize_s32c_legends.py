"""plot_anomaly_scores' legend of long method names: four entries a row of 50
characters ran past both edges of the figure (from x = -3.3 to 12.3 inches of
9), and each further row of the legend took the plot's height (0.05 inch
left). The legend takes as many columns as fit, long entries are wrapped, and
a new figure grows by the legend's further rows."""
import matplotlib.pyplot as plt
import numpy as np
import pytest

from pyg_fusion.visualize import plot_anomaly_scores


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    plt.close("all")


def _inside(fig):
    fig.canvas.draw()
    renderer = fig.canvas.get_renderer()
    legend = fig.legends[0].get_window_extent(renderer)
    plot = fig.axes[0].get_window_extent(renderer)
    return (legend.x0 >= 0 and legend.x1 <= fig.bbox.x1 and legend.y1 <= fig.bbox.y1 + 1,
            plot.height / fig.dpi)


@pytest.mark.parametrize("methods", [
    [f"method number {i} with a fairly long descriptive name" for i in range(6)],
    ["x" * 150]])
def test_a_legend_of_long_names_stays_in_the_figure(methods):
    fig = plot_anomaly_scores({m: {"v": np.linspace(0, 1, 20) * i} for i, m in enumerate(methods)})
    inside, height = _inside(fig)
    assert inside and height > 0.8


def test_a_legend_of_short_names_keeps_four_entries_a_row_and_the_size():
    fig = plot_anomaly_scores({f"m{i}": {"v": np.ones(20)} for i in range(3)},
                              {"v": np.r_[np.zeros(160), np.ones(160)]})
    assert fig.legends[0]._ncols == 4 and tuple(fig.get_size_inches()) == (9.0, 1.9)
