import json

import pytest
from matplotlib.container import BarContainer

from pyg_fusion.visualize import plot_results


def _record(method, metric, values, dataset="digits"):
    mean = sum(values) / len(values)
    std = (sum((v - mean) ** 2 for v in values) / (len(values) - 1)) ** 0.5 \
        if len(values) > 1 else 0.0
    return {"dataset": dataset, "setting": "label_rate=0.05", "method": method,
            "metric": metric, "mean": mean, "std": std, "seeds": list(range(len(values))),
            "values": values}


def test_bars_error_bars_and_seed_dots(tmp_path):
    records = [_record("lego", "accuracy", [0.95, 0.97]), _record("graph-mean", "accuracy",
                                                                  [0.94, 0.96]),
               _record("lego", "params", [100.0, 100.0])]
    fig = plot_results(records, path=tmp_path / "r.png")
    assert (tmp_path / "r.png").stat().st_size > 0
    (ax, ) = fig.axes  # params is no panel
    assert ax.get_ylabel().split("\n")[0] == "accuracy" and "2 seed(s)" in ax.get_title()
    assert [t.get_text() for t in ax.get_xticklabels()] == ["lego", "graph-mean"]
    assert [round(p.get_height(), 6) for p in ax.patches] == [0.96, 0.95]
    bars = [c for c in ax.containers if isinstance(c, BarContainer)]
    assert len(bars) == 2 and all(c.errorbar is not None for c in bars)
    dots = [line for line in ax.lines if line.get_marker() == "."]
    assert sorted(v for d in dots for v in d.get_ydata()) == [0.94, 0.95, 0.96, 0.97]
    assert ax.get_ylim()[0] > 0.5  # not from zero: a point's difference stays visible
    assert "digits" in fig._suptitle.get_text()


def test_one_seed_has_no_error_bar_and_the_file_form_reads(tmp_path):
    path = tmp_path / "results.json"
    path.write_text(json.dumps([_record("lego", "auc", [0.8])]))
    (ax, ) = plot_results(str(path)).axes
    (bar, ) = [c for c in ax.containers if isinstance(c, BarContainer)]
    assert bar.errorbar is None and "1 seed(s)" in ax.get_title()


def test_errors_name_what_is_wrong(tmp_path):
    with pytest.raises(FileNotFoundError, match="results: no such file"):
        plot_results(str(tmp_path / "none.json"))
    with pytest.raises(ValueError, match="lacks"):
        plot_results([{"method": "lego"}])
    with pytest.raises(ValueError, match="no records"):
        plot_results([])
    with pytest.raises(ValueError, match=r"metrics \['auc'\] are not in the results"):
        plot_results([_record("lego", "accuracy", [0.9])], metrics=["auc"])


def test_compare_writes_the_table_and_the_figure_beside_the_json(tmp_path, capsys):
    from pyg_fusion.cli import main
    out = tmp_path / "cmp"
    code = main(["compare", "--dataset", "digits", "--method", "graph-mean", "--seeds", "0",
                 "--epochs", "2", "--root", str(tmp_path / "data"), "--out", str(out),
                 "--no-progress"])
    assert code == 0
    table = (out / "results.txt").read_text()
    assert table.splitlines()[0].split()[:4] == ["dataset", "setting", "method", "accuracy"]
    assert "graph-mean" in table and table in capsys.readouterr().out
    assert (out / "results.png").stat().st_size > 0


METHODS14 = ["lego", "lego-cp", "lego-row", "graph-product", "graph-concat", "graph-mean",
             "feature-concat", "feature-add", "feature-product", "single-fou", "single-kar",
             "gcn-mean", "gcn-fou", "asym-shuffle"]


def _crowded_tick_labels(ax, renderer):
    """Neighbouring x tick labels whose text strips overlap. Labels rotated by
    the same angle are parallel strips of the text's height (their bounding
    boxes overlap however far apart they are): two overlap when the distance
    between their lines, the ticks' spacing times sin(angle), is under it."""
    import math
    labels = [t for t in ax.get_xticklabels() if t.get_text()]
    xs = [ax.transData.transform((x, 0))[0] for x in ax.get_xticks()[:len(labels)]]
    out = []
    for (a, xa), (b, xb) in zip(zip(labels, xs), zip(labels[1:], xs[1:])):
        angle = math.radians(a.get_rotation())
        if angle == 0:
            crowded = a.get_window_extent(renderer).overlaps(b.get_window_extent(renderer))
        else:
            _, h, _ = renderer.get_text_width_height_descent(
                "Mg", a.get_fontproperties(), ismath=False)
            crowded = abs(xb - xa) * math.sin(angle) < h
        if crowded:
            out.append((a.get_text(), b.get_text()))
    return out


def test_many_methods_wrap_into_rows_of_readable_width():
    """14 methods x 3 metrics drew one row 26.7 inches wide (2937 px): panels now wrap."""
    from pyg_fusion.visualize.results import MAX_WIDTH
    records = [_record(m, metric, [0.7 + 0.01 * i, 0.72 + 0.01 * i])
               for i, m in enumerate(METHODS14) for metric in ("accuracy", "macro_f1", "auc")]
    fig = plot_results(records)
    assert fig.get_size_inches()[0] <= MAX_WIDTH
    drawn = [a for a in fig.axes if a.axison]
    assert [a.get_ylabel().split("\n")[0] for a in drawn] == ["accuracy", "macro_f1", "auc"]
    fig.canvas.draw()
    renderer = fig.canvas.get_renderer()
    whole = fig.bbox
    for a in drawn:
        boxes = [t.get_window_extent(renderer) for t in a.get_xticklabels()]
        assert [t.get_text() for t in a.get_xticklabels()] == METHODS14
        assert _crowded_tick_labels(a, renderer) == []
        assert all(whole.x0 <= b.x0 and b.x1 <= whole.x1 and whole.y0 <= b.y0 for b in boxes)
    # no tick label of one panel runs into the panel below it
    for upper, lower in zip(drawn, drawn[1:]):
        lowest = min(t.get_window_extent(renderer).y0 for t in upper.get_xticklabels())
        assert lowest > lower.get_tightbbox(renderer).y1 - 1


def test_bars_of_several_datasets_keep_their_method_names():
    """Two datasets' bars were 'digits/label_rate=0.05/lego' cut at 28 characters:
    'digits/label_rate=0.05/gcn-…' for every method. The label now holds the
    parts that differ between bars (here the dataset) and the method, never cut."""
    methods = ["lego", "feature-product", "graph-product"]
    records = [_record(m, "accuracy", [0.8, 0.9], dataset=d)
               for d in ("digits", "synthetic-vad") for m in methods]
    (ax, ) = plot_results(records).axes
    assert [t.get_text() for t in ax.get_xticklabels()] == [
        f"{d}/{m}" for d in ("digits", "synthetic-vad") for m in methods]
    records = [{**r, "setting": "a very long setting name of the run " + r["dataset"]}
               for r in records]
    (ax, ) = plot_results(records).axes
    names = [t.get_text() for t in ax.get_xticklabels()]
    assert [n.split("/")[-1] for n in names] == methods * 2
    assert len(set(names)) == 6 and all(len(n) <= 40 for n in names)


def test_an_axis_that_does_not_start_at_zero_says_so():
    """Bars of 0.94..0.97 on an axis from 0.935 looked like 4:1 ratios, and
    nothing said the axis did not start at 0: the y label now says where it starts."""
    records = [_record("lego", "accuracy", [0.95, 0.97]),
               _record("graph-mean", "accuracy", [0.94, 0.96]),
               _record("lego", "loss", [-0.2, 0.3]), _record("graph-mean", "loss", [0.1, 0.2])]
    acc, loss = plot_results(records).axes
    bottom = acc.get_ylim()[0]
    assert bottom > 0.9
    assert acc.get_ylabel() == f"accuracy\n(axis starts at {bottom:.3g}, not 0)"
    assert loss.get_ylabel() == "loss"  # a signed metric: the axis holds 0


def test_panel_titles_stay_inside_the_figure_and_apart():
    """A VAD run's third panel title 'pr_auc_trapz (mean ± std over 1 seed(s))'
    ran past the figure's right edge (reproduced: pyg-fusion train --dataset
    synthetic-vad --method lego, results.png)."""
    records = [_record("lego", m, [0.69]) for m in ("auc", "ap", "pr_auc_trapz")]
    fig = plot_results(records)
    fig.canvas.draw()
    renderer = fig.canvas.get_renderer()
    boxes = [a.title.get_window_extent(renderer) for a in fig.axes]
    assert all(fig.bbox.x0 <= b.x0 and b.x1 <= fig.bbox.x1 for b in boxes)
    assert all(not a.overlaps(b) for a, b in zip(boxes, boxes[1:]))
    assert fig.axes[2].get_title() == "pr_auc_trapz\n(mean ± std over 1 seed(s))"


def test_one_bar_starts_at_zero():
    """One method of one seed drew auc 0.6913 on an axis from 0.690 to 0.692 (the
    bar half full, ticks 0.6905, 0.6910, ...): with no second bar there is no
    difference to zoom into, and the axis starts at 0."""
    records = [_record("lego", "auc", [0.6913]), _record("lego", "ap", [0.25, 0.27])]
    auc, ap = plot_results(records).axes
    for a in (auc, ap):
        assert a.get_ylim()[0] == 0.0 and a.get_ylim()[1] > 0.27
        assert "not 0" not in a.get_ylabel()
    records = [_record(m, "auc", [0.8]) for m in ("lego", "graph-mean")]
    (a, ) = plot_results(records).axes  # two bars of one value: nothing to zoom into
    assert a.get_ylim()[0] == 0.0


def test_default_title_names_the_seeds_and_epochs():
    """The title said only 'digits (label_rate=0.05)': a 3-epoch run of two seeds
    looked like the README's study. It now adds the seeds and the configs' epochs."""
    config = {"trainer": {"epochs": 3}}
    records = [{**_record(m, "accuracy", [0.9, 0.95]), "config": config}
               for m in ("lego", "graph-mean")]
    fig = plot_results(records)
    assert fig._suptitle.get_text() == "digits (label_rate=0.05): seeds 0, 1; 3 epochs"
    records[1]["config"] = {"trainer": {"epochs": 40}}
    # broken into lines that the figure's 3.2 inches hold (it ran 0.1 inch past them)
    assert plot_results(records)._suptitle.get_text().replace("\n", " ").endswith(
        "seeds 0, 1; 3-40 epochs")
    bare = [_record("lego", "accuracy", [0.9])]  # no config: the seeds only
    assert plot_results(bare)._suptitle.get_text() == "digits (label_rate=0.05): seed 0"
    assert plot_results(bare, title="mine")._suptitle.get_text() == "mine"


def test_many_bars_repeat_no_cycle_colour():
    """With 14 methods the 11th bar (single-kar) took the 1st one's (lego) colour
    from the ten-colour cycle, as if the two belonged together: past ten bars
    all share one colour."""
    from matplotlib.colors import to_rgba
    records = [_record(m, "accuracy", [0.7 + 0.01 * i]) for i, m in enumerate(METHODS14)]
    (ax, ) = plot_results(records).axes
    colours = [to_rgba(p.get_facecolor()) for p in ax.patches]
    assert len(colours) == 14 and len(set(colours)) == 1
    few = plot_results(records[:3]).axes[0]  # up to ten: the usual cycle C0, C1, ...
    assert [to_rgba(p.get_facecolor())[:3] for p in few.patches] == \
        [to_rgba(f"C{i}")[:3] for i in range(3)]
