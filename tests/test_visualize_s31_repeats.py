"""A list argument of a figure that names one thing twice: plot_results drew the
panel of metrics=['acc', 'acc'] twice, a plain P x Q grid with p_values [1, 1]
labelled two rows alike, and ax=[a, a] drew two panels into one Axes."""
import re

import matplotlib.pyplot as plt
import pytest

from pyg_fusion.visualize import plot_pq_sensitivity, plot_results

RECORDS = [{"dataset": "d", "setting": "s", "method": m, "metric": k, "mean": 0.5,
            "std": 0.1, "values": [0.4, 0.6]} for m in ("a", "b") for k in ("acc", "f1")]


def test_a_repeated_metric_or_axes_is_refused():
    with pytest.raises(ValueError, match=re.escape(
            "metrics must name each panel once, got 'acc' 2 times")):
        plot_results(RECORDS, metrics=["acc", "f1", "acc"])
    fig, ax = plt.subplots()
    try:
        with pytest.raises(ValueError, match=re.escape(
                "ax must give each panel its own Axes once, got")):
            plot_results(RECORDS, metrics=["acc", "f1"], ax=[ax, ax])
    finally:
        plt.close(fig)
    plt.close(plot_results(RECORDS, metrics=["f1", "acc"]))  # each once: drawn


def test_a_repeated_p_or_q_of_a_plain_grid_is_refused():
    grid = [[0.1, 0.2], [0.3, 0.4]]
    with pytest.raises(ValueError, match=re.escape(
            "p_values must label each row once, got 1 2 times")):
        plot_pq_sensitivity(grid, p_values=[1, 1], q_values=[1, 2], kind="heatmap")
    with pytest.raises(ValueError, match=re.escape(
            "q_values must label each column once, got 3 2 times")):
        plot_pq_sensitivity(grid, p_values=[1, 2], q_values=[3, 3], kind="heatmap")
