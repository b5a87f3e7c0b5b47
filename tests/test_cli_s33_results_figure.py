"""plot_results drew one bar per (dataset, setting, method) and metric from a
dict of the records: a second record of the same key (a sweep's cells, or the
results of two runs put together) replaced the first without a word."""
import pytest

from pyg_fusion.visualize import plot_results


def _record(value, **extra):
    return {"dataset": "synthetic-vad", "setting": "multi_modal", "method": "lego",
            "metric": "auc", "mean": value, "std": 0.0, "values": [value], "seeds": [0],
            **extra}


def test_two_records_of_one_bar_are_refused():
    with pytest.raises(ValueError, match=r"results hold two records of method 'lego', metric "
                       r"'auc' on synthetic-vad \(multi_modal\); a bar is one record"):
        plot_results([_record(0.6), _record(0.9)])  # it drew one bar, of 0.9
    with pytest.raises(ValueError, match=r"\(a sweep's cells: plot_pq_sensitivity draws them\)"):
        plot_results([_record(0.6, P=1, Q=1), _record(0.9, P=2, Q=1)])
    fig = plot_results([_record(0.6), {**_record(0.9), "method": "graph-mean"}])
    assert sorted(p.get_height() for p in fig.axes[0].patches) == [0.6, 0.9]
