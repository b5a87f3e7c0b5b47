"""plot_results of records whose methods do not all hold every metric."""
import matplotlib.pyplot as plt

from pyg_fusion.visualize import plot_results


def _record(dataset, method, metric, value):
    return {"dataset": dataset, "setting": "s", "method": method, "metric": metric,
            "mean": value, "std": 0.0, "values": [value]}


def test_a_panel_has_a_bar_slot_only_for_the_methods_holding_its_metric():
    records = [_record("digits", m, "accuracy", v) for m, v in (("a", 0.8), ("b", 0.7))]
    records += [_record("vad", m, "auc", v) for m, v in (("c", 0.9), ("d", 0.6), ("e", 0.5))]
    fig = plot_results(records)
    acc, auc = fig.axes[:2]
    # was: five ticks on each panel, the AUC bars after two empty digits slots
    assert [t.get_text() for t in acc.get_xticklabels()] == ["digits/a", "digits/b"]
    assert [t.get_text() for t in auc.get_xticklabels()] == ["vad/c", "vad/d", "vad/e"]
    assert [round(p.get_x() + p.get_width() / 2) for p in auc.patches] == [0, 1, 2]
    # a method keeps its colour from panel to panel
    assert auc.patches[0].get_facecolor() != acc.patches[0].get_facecolor()
    plt.close(fig)


def test_a_panel_of_fewer_bars_keeps_the_bar_width_of_the_fullest():
    records = [_record("d", m, "accuracy", v) for m, v in (("a", 0.8), ("b", 0.7), ("c", 0.6))]
    records.append(_record("d", "a", "start_mean", 1.0))
    fig = plot_results(records)
    acc, start = fig.axes[:2]
    # one bar alone filled its whole panel
    assert start.get_xlim() == (-0.5, 2.5)
    assert start.patches[0].get_width() == acc.patches[0].get_width()
    plt.close(fig)
