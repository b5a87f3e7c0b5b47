"""Values near the float64 maximum, and long method and metric names, in the
figures of pyg_fusion.visualize.

Values of some 9e307 made matplotlib's axis limits overflow ("Axis limits
cannot be NaN or Inf", "arange: cannot compute length", naming no argument):
they are refused by the shared conversion (_common.check_span), naming the
argument. Two 37-character method names and a 48-character metric left
plot_results a plot some 0.03 inch high: the panel grows with its labels."""
import re
import warnings

import matplotlib.pyplot as plt
import numpy as np
import pytest
import torch

from pyg_fusion.visualize import (plot_adjacency, plot_anomaly_scores, plot_fusion_operator,
                                  plot_power_expansion, plot_pq_sensitivity, plot_relation_graph,
                                  plot_results, plot_sparse_vs_dense)
from pyg_fusion.visualize._common import MAX_MAGNITUDE

BIG = 9e307


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    plt.close("all")


def _record(method, metric, values):
    mean = values[0] if len(set(values)) == 1 else float(np.mean(values))  # no overflow
    return {"dataset": "d", "setting": "s", "method": method, "metric": metric,
            "mean": mean, "std": float(np.std(values)) if len(set(values)) > 1 else 0.0,
            "values": values}


HUGE = {
    "graphs": lambda: plot_adjacency(np.array([[0.0, BIG], [-BIG, 0.0]])),
    "A": lambda: plot_fusion_operator(np.array([[0.0, BIG], [-BIG, 0.0]])),
    "results": lambda: plot_pq_sensitivity(np.array([[0.5, BIG], [-BIG, 0.5]])),
    "results 'mean'": lambda: plot_pq_sensitivity(
        [{"P": p, "Q": q, "mean": BIG if p == q else -BIG} for p in (1, 2) for q in (1, 2)]),
    "powers['m']": lambda: plot_power_expansion(np.stack([np.eye(2), [[0, BIG], [BIG, 0]]])),
    "scores['v']": lambda: plot_anomaly_scores({"v": np.array([0.0, BIG, -BIG, 1.0])}),
    "scores": lambda: plot_relation_graph(torch.tensor([[0, 1], [1, 0]]),
                                          scores=torch.tensor([BIG, -BIG], dtype=torch.float64)),
    "results: the record of 'a', 'm'": lambda: plot_results(
        [_record("a", "m", [BIG, BIG]), _record("b", "m", [-BIG, -BIG])]),
}


@pytest.mark.parametrize("name", sorted(HUGE))
def test_values_beyond_an_axis_span_are_refused_naming_the_argument(name):
    with pytest.raises(ValueError, match=r"^" + re.escape(name)
                       + r" holds values up to 9e\+307 in magnitude.*rescale"):
        HUGE[name]()


def test_values_up_to_the_limit_are_drawn_without_a_warning(tmp_path):
    top = MAX_MAGNITUDE
    with warnings.catch_warnings():
        # overflow (RuntimeWarning) and matplotlib's own notices (UserWarning);
        # not the deprecations older matplotlib releases raise on first use of a font
        warnings.simplefilter("error", RuntimeWarning)
        warnings.simplefilter("error", UserWarning)
        warnings.simplefilter("ignore", DeprecationWarning)  # pyparsing's are UserWarnings too
        # matplotlib 3.7 says so of any figure with a 3-d panel, whatever its values
        warnings.filterwarnings("ignore", "constrained_layout not applied", UserWarning)
        plot_adjacency(np.array([[0.0, top], [-top, 0.0]]), path=tmp_path / "a.png")
        plot_pq_sensitivity(np.array([[0.5, top], [-top, 0.5]]), path=tmp_path / "b.png")
        plot_anomaly_scores({"v": np.array([0.0, top, -top, 1.0])}, path=tmp_path / "c.png")
        plot_fusion_operator(np.array([[0.0, top], [-top, 0.0]]), path=tmp_path / "d.png")
    assert len(list(tmp_path.iterdir())) == 4


def test_large_operator_entries_are_written_short():
    """1e100 was written out in .2f, 100 digits a cell: the layout collapsed."""
    fig = plot_fusion_operator(np.array([[0.25, 1e100], [-1234.5, 999.0]]))
    assert sorted(t.get_text() for t in fig.axes[0].texts) == \
        ["-1.23e+03", "0.25", "1e+100", "999.00"]


def test_long_method_and_metric_names_leave_a_readable_plot():
    methods, metric = ["a" * 37, "b" * 37], "x" * 48
    fig = plot_results([_record(m, metric, [0.5 + i / 5, 0.6 + i / 5])
                        for i, m in enumerate(methods)])
    fig.canvas.draw()
    renderer = fig.canvas.get_renderer()
    ax = fig.axes[0]
    box = ax.get_window_extent(renderer)
    assert box.width / fig.dpi > 1.5 and box.height / fig.dpi > 1.5  # was 0.98 x 0.03 inch
    assert [t.get_text() for t in ax.get_xticklabels()] == methods
    whole = fig.bbox
    for text in [ax.title, ax.yaxis.label, *ax.get_xticklabels()]:
        b = text.get_window_extent(renderer)
        assert b.x0 >= whole.x0 - 1 and b.x1 <= whole.x1 + 1 and b.y0 >= whole.y0 - 1, \
            text.get_text()


def test_short_names_keep_the_panel_size():
    fig = plot_results([_record(m, "accuracy", [0.5, 0.6]) for m in ("lego", "concat")])
    assert tuple(fig.get_size_inches()) == (3.2, 3.4)


@pytest.mark.parametrize("f", [2 ** 40, 2 ** 63, 10 ** 300])
def test_frames_past_what_a_figure_draws_are_refused(f):
    """2**40 asked for 40 TiB, 2**63 and more failed in numpy naming nothing."""
    with pytest.raises(ValueError, match=r"^frames_per_snippet=\S+ makes \S+ frames of video "
                                         r"'v' \(5 snippets\), more than this figure draws"):
        plot_anomaly_scores({"v": np.ones(5)}, {"v": np.ones(5)}, frames_per_snippet=f)


def _bench(key, value):
    rows = [{"N": n, "batch": 1, "backend": b, "scatter": "native", "time_s": 1.0,
             "peak_mem_mb": 1.0, "status": "ok"} for n in (10, 20) for b in ("dense", "sparse")]
    rows[2][key] = value
    return {"machine": {}, "config": {}, "rows": rows}


@pytest.mark.parametrize("key,value", [("time_s", 1e308), ("N", 10 ** 300), ("N", 2 ** 63),
                                       ("peak_mem_mb", 1e307)])
def test_a_benchmark_row_beyond_an_axis_is_named(key, value):
    """time_s 1e308 was refused as the crossover's 'first'; N 10**300 failed in
    numpy's isfinite (an array of objects)."""
    with pytest.raises(ValueError, match=rf"^bench_json rows\[2\] '{key}' must be a positive "
                                         r"number of at most 1e\+300"):
        plot_sparse_vs_dense(_bench(key, value))


@pytest.mark.parametrize("threshold", [1.5, -2.0, 0.5])
def test_a_threshold_past_the_scores_is_in_view(threshold):
    """A threshold of 1.5 over scores in [0, 1] was in the legend, not in the plot."""
    fig = plot_anomaly_scores({"v": np.linspace(0, 0.9, 10)}, threshold=threshold)
    low, high = fig.axes[0].get_ylim()
    assert low < min(threshold, 0) and high > max(threshold, 0.9)


def test_a_threshold_past_an_axis_span_is_refused():
    with pytest.raises(ValueError, match=r"^threshold holds values up to 1.7e\+308"):
        plot_anomaly_scores({"v": np.linspace(0, 0.9, 10)}, threshold=1.7e308)


def test_small_operator_entries_are_not_all_written_0():
    """An operator of entries under 0.005 read "0.00" in every cell."""
    fig = plot_fusion_operator(np.array([[0.0, 0.004], [-0.0001, 0.25]]))
    assert sorted(t.get_text() for t in fig.axes[0].texts) == ["-0.0001", "0.00", "0.004", "0.25"]


def test_small_sensitivity_values_are_not_all_written_0():
    """A metric under 0.0005 in every cell (a small loss) read "0.000" in each."""
    fig = plot_pq_sensitivity(np.array([[1e-4, 2e-5], [0.0, 0.5]]), kind="heatmap")
    assert sorted(t.get_text() for t in fig.axes[0].texts) == ["0.000", "0.0001", "0.500",
                                                               "2e-05"]


@pytest.mark.parametrize("scale", [1e-5, 1e-3])
def test_bars_of_small_values_fill_the_panel_as_others_do(scale):
    """Bars of 1e-5 (a small loss) drew 1% of a 0..0.001 axis: not seen."""
    def rec(method, values):
        return {"dataset": "d", "setting": "s", "method": method, "metric": "loss",
                "mean": float(np.mean(values)), "std": float(np.std(values)), "values": values}
    fig = plot_results([rec("a", [1 * scale, 1.1 * scale]), rec("b", [2 * scale, 2.1 * scale])])
    low, high = fig.axes[0].get_ylim()
    assert (1.05 * scale - low) / (high - low) > 0.2


def test_a_node_size_past_a_figure_is_refused():
    """node_size=1e28: saving the figure never ended (1e24 took 4 s)."""
    with pytest.raises(ValueError, match=r"^node_size must be a positive number \(marker area "
                                         r"in points\^2\) of at most 1e\+06, got 1e\+28"):
        plot_relation_graph(torch.tensor([[0, 1], [1, 2]]), node_size=1e28)
    plot_relation_graph(torch.tensor([[0, 1], [1, 2]]), node_size=1e6)
