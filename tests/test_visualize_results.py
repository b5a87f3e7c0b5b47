"""plot_pq_sensitivity (heatmap, surface, frames and titles of the P/Q
sweep) and plot_sparse_vs_dense (time and memory lines, crossover)."""
import json

import matplotlib.pyplot as plt
import numpy as np
import pytest

from pyg_fusion.visualize import (crossover, load_pq_grid,
                                  plot_pq_sensitivity,
                                  plot_sparse_vs_dense)


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    plt.close("all")


# ---------------------------------------------------------------- P/Q sweep
def _records(ps=range(1, 4), qs=range(1, 5), metric="auc", dataset="toy", method="lego"):
    return [{"P": p, "Q": q, "metric": metric, "mean": 0.5 + 0.1 * p - 0.02 * (q - 2) ** 2,
             "std": 0.01 * q, "dataset": dataset, "method": method}
            for p in ps for q in qs]


def test_pq_sensitivity_from_records_file(tmp_path):
    recs = _records()
    path = tmp_path / "sweep.json"
    path.write_text(json.dumps(recs))
    fig = plot_pq_sensitivity(path, path=tmp_path / "pq.png")
    heat = [ax for ax in fig.axes if ax.get_images()][0]
    (im, ) = heat.get_images()
    grid = np.asarray(im.get_array())
    assert grid.shape == (3, 4)
    for r in recs:
        assert grid[r["P"] - 1, r["Q"] - 1] == pytest.approx(r["mean"])
    assert [t.get_text() for t in heat.get_yticklabels()] == ["1", "2", "3"]
    assert [t.get_text() for t in heat.get_xticklabels()] == ["1", "2", "3", "4"]
    (best, ) = [p for p in heat.patches if p.get_gid() == "best"]
    assert best.get_xy() == (0.5, 1.5)  # the cell of Q=2 (column 1), P=3 (row 2)
    assert "best (highest auc): P=3, Q=2" in heat.get_legend().get_texts()[0].get_text()
    assert any(ax.name == "3d" for ax in fig.axes)
    assert "toy" in heat.get_title() and "auc" in heat.get_title()
    assert (tmp_path / "pq.png").stat().st_size > 1000


def test_pq_sensitivity_frames_the_lowest_loss():
    recs = _records(metric="val_loss")    # a sweep's records of a lower-is-better metric
    fig = plot_pq_sensitivity(recs, metric="val_loss", kind="heatmap")
    (best, ) = [p for p in fig.axes[0].patches if p.get_gid() == "best"]
    assert best.get_xy() == (2.5, -0.5)   # P=1, Q=4: the lowest value
    assert "lowest val_loss" in fig.axes[0].get_legend().get_texts()[0].get_text()
    fig = plot_pq_sensitivity(recs, metric="val_loss", kind="heatmap", higher_is_better=True)
    (best, ) = [p for p in fig.axes[0].patches if p.get_gid() == "best"]
    assert best.get_xy() == (0.5, 1.5)


def test_pq_sensitivity_missing_cells_are_blank_and_filters_apply():
    recs = _records(metric="auc") + _records(metric="ap")
    recs = [r for r in recs if not (r["P"] == 2 and r["Q"] == 3)]
    assert load_pq_grid(recs)[4]["metric"] == "auc"  # the first record's metric
    with pytest.raises(ValueError, match="several values of 'method'"):
        load_pq_grid(recs + _records(method="lego-cp"))
    mean, std, ps, qs, info = load_pq_grid(recs, metric="ap")
    assert np.isnan(mean[1, 2]) and np.isfinite(mean).sum() == 11
    assert std is not None and info["metric"] == "ap"
    fig = plot_pq_sensitivity(recs, metric="ap", kind="heatmap")
    (im, ) = fig.axes[0].get_images()
    assert np.ma.is_masked(im.get_array()[1, 2])


def test_pq_sensitivity_one_seed_has_no_spread():
    """A sweep of one seed records std 0.0: no '± 0.00' spread in the cells."""
    recs = [{**r, "seeds": [0], "std": 0.0} for r in _records()]
    assert load_pq_grid(recs)[1] is None
    fig = plot_pq_sensitivity(recs, kind="heatmap")
    assert not any("±" in t.get_text() for t in fig.axes[0].texts)
    recs = [{**r, "seeds": [0, 1]} for r in _records()]
    assert load_pq_grid(recs)[1] is not None


def test_pq_sensitivity_plain_array_with_labels():
    grid = np.arange(6, dtype=float).reshape(2, 3)
    fig = plot_pq_sensitivity(grid, p_values=[2, 4], q_values=[1, 3, 5], kind="heatmap")
    ax = fig.axes[0]
    assert [t.get_text() for t in ax.get_yticklabels()] == ["2", "4"]
    assert [t.get_text() for t in ax.get_xticklabels()] == ["1", "3", "5"]
    fig = plot_pq_sensitivity(grid, kind="surface")
    assert fig.axes[0].name == "3d" and fig.axes[0].get_zlabel() == "metric"


@pytest.mark.parametrize("results, kwargs, match", [
    ([{"P": 1, "mean": 0.5}], {}, "'P', 'Q' and 'mean'"),
    (_records(), dict(dataset="other"), "dataset='other' is not in"),
    (_records() + _records()[:1], {}, "two records for P=1, Q=1"),
    (np.zeros((2, 3)), dict(p_values=[1, 2, 3]), "p_values / q_values"),
    (np.full((2, 2), np.nan), {}, "no finite"),
    (_records(), dict(kind="contour"), "kind"),
    ("/nonexistent/sweep.json", {}, "no such file"),
    ({"grid": _records()}, {}, "under 'records', 'results' or 'rows'"),
    ([], {}, "holds no records"),
    ({"records": []}, {}, "holds no records"),
])
def test_pq_sensitivity_bad_input(results, kwargs, match):
    with pytest.raises((ValueError, FileNotFoundError), match=match):
        plot_pq_sensitivity(results, **kwargs)




# ---------------------------------------------------------------- benchmark
def _bench():
    rows = []
    for n in (64, 128, 256, 512, 1024, 2048):
        dense = 1e-8 * n ** 2.5
        sparse = 2e-5 * n
        for backend, t in (("dense", dense), ("sparse", sparse)):
            ok = not (backend == "dense" and n == 2048)
            rows.append({"N": n, "batch": 4, "backend": backend, "scatter": "native",
                         "time_s": t if ok else None, "times": [t, 1.1 * t] if ok else [],
                         "peak_mem_mb": (n * n * 8e-6 if backend == "dense" else n * 0.05)
                         if ok else None,
                         "status": "ok" if ok else "skipped: dense over memory cap"})
    return {"machine": {"cpu": "test cpu"}, "config": {"k": 8}, "rows": rows}


def test_crossover_interpolates_in_log_log():
    n = [100, 1000]
    dense = [1e-4 * x ** 2 for x in n]
    sparse = [0.05 * x for x in n]  # equal where 1e-4 N^2 = 0.05 N, N = 500
    assert crossover(n, dense, sparse) == pytest.approx(500, rel=1e-9)
    assert crossover(n, sparse, dense) is None  # dense is never the cheaper one first
    assert crossover([1, 2], [1, 1], [2, 2]) is None


def test_sparse_vs_dense_lines_log_axes_and_crossover(tmp_path):
    bench = _bench()
    path = tmp_path / "bench.json"
    path.write_text(json.dumps(bench))
    fig = plot_sparse_vs_dense(path, path=tmp_path / "b.png")
    t_ax, m_ax = fig.axes[:2]
    assert t_ax.get_xscale() == t_ax.get_yscale() == "log"
    assert m_ax.get_xscale() == m_ax.get_yscale() == "log"
    lines = {ln.get_gid(): ln for ln in t_ax.lines if ln.get_gid()
             and ln.get_gid().startswith("time:")}
    assert set(lines) == {"time:dense:native", "time:sparse:native"}
    np.testing.assert_array_equal(lines["time:dense:native"].get_xdata(),
                                  [64, 128, 256, 512, 1024])
    np.testing.assert_array_equal(lines["time:sparse:native"].get_xdata(),
                                  [64, 128, 256, 512, 1024, 2048])
    # 1e-8 N^2.5 = 2e-5 N  <=>  N = 2000^(2/3) ~ 158.7 (exact on a power law)
    (cross, ) = [ln for ln in t_ax.lines if ln.get_gid() == "crossover"]
    assert cross.get_xdata()[0] == pytest.approx(2000 ** (2 / 3), rel=1e-6)
    # memory: 8e-6 N^2 = 0.05 N  <=>  N = 6250, beyond the measured range
    assert not [ln for ln in m_ax.lines if ln.get_gid() == "crossover"]
    assert "dense N=2048: skipped" in fig.texts[-1].get_text()
    assert "batch of 4 graphs" in fig._suptitle.get_text()


def test_sparse_vs_dense_default_keeps_the_batched_smallest_n():
    rows = [{"N": n, "batch": b, "backend": be, "scatter": "native", "time_s": t,
             "times": [t], "peak_mem_mb": None, "status": "ok"}
            for n, b in ((32, 256), (32, 1), (256, 1), (1024, 1))
            for be, t in (("dense", 1e-6 * n * n * b), ("sparse", 1e-4 * n * b))]
    fig = plot_sparse_vs_dense({"rows": rows})
    t_ax = fig.axes[0]
    (dense, ) = [ln for ln in t_ax.lines if ln.get_gid() == "time:dense:native"]
    np.testing.assert_array_equal(dense.get_xdata(), [32, 256, 1024])
    assert dense.get_ydata()[0] == pytest.approx(1e-6 * 32 * 32)  # the batch of 1
    fig = plot_sparse_vs_dense({"rows": [r for r in rows if not (r["N"] == 32 and r["batch"] == 1)]})
    (dense, ) = [ln for ln in fig.axes[0].lines if ln.get_gid() == "time:dense:native"]
    assert dense.get_ydata()[0] == pytest.approx(1e-6 * 32 * 32 * 256)
    assert any(t.get_text() == "256 graphs" for t in fig.axes[0].texts)


@pytest.mark.parametrize("bench, kwargs, match", [
    ({"rows": [{"N": 1}]}, {}, "lacks"),
    ({"machine": {}}, {}, "'rows' list"),
    (_bench(), dict(batch=2), "batch=2 is not in"),
    (_bench(), dict(scatter="torch_scatter"), "scatter='torch_scatter' is not in"),
    ({"rows": []}, {}, "no rows"),
])
def test_sparse_vs_dense_bad_input(bench, kwargs, match):
    with pytest.raises(ValueError, match=match):
        plot_sparse_vs_dense(bench, **kwargs)


def test_pq_sensitivity_refuses_infinite_cells():
    with pytest.raises(ValueError, match=r"infinite values at \(P, Q\) = \[\(1, 2\)\]"):
        plot_pq_sensitivity(np.array([[0.5, np.inf], [0.6, 0.7]]), kind="heatmap")


def test_pq_sensitivity_of_one_row_draws_a_line_in_3d():
    fig = plot_pq_sensitivity(np.array([[0.5, 0.7, 0.6]]), p_values=[1], q_values=[1, 2, 3])
    surface = [ax for ax in fig.axes if ax.name == "3d"][0]
    assert len(surface.lines) == 1 and len(surface.lines[0].get_data_3d()[2]) == 3


def test_pq_sensitivity_names_the_sources_seeds_and_epochs():
    """A sweep's figure said 'powers of R_a' / 'R_b' and not over which seeds and
    epochs (reproduced: pyg-fusion sweep --dataset synthetic-vad --p 1..2 --q 1..2
    --seeds 0,1 --epochs 2): the records' configs name them."""
    recs = [{**r, "seeds": [0, 1], "config": {
        "trainer": {"epochs": 2},
        "powers": {"num_powers": {"c3d": r["P"], "i3d": r["Q"], "swin": r["Q"]}}}}
        for r in _records(ps=(1, 2), qs=(1, 2))]
    fig = plot_pq_sensitivity(recs)
    heat, surf = fig.axes[0], [a for a in fig.axes if a.name == "3d"][0]
    assert heat.get_title().split("\n")[1] == "mean ± std over seeds 0, 1; 2 epochs"
    assert heat.get_ylabel() == r"P (powers of $R_{\mathrm{c3d}}$)"
    assert heat.get_xlabel() == r"Q (powers of $R_{\mathrm{i3d}}$, $R_{\mathrm{swin}}$)"
    assert surf.get_ylabel() == r"P ($R_{\mathrm{c3d}}$)"
    assert load_pq_grid(recs)[4]["sources"] == ("c3d", ("i3d", "swin"))
    # configs that do not split the sources as the sweep does: no names
    recs[1]["config"]["powers"]["num_powers"]["swin"] = 7
    fig = plot_pq_sensitivity(recs, kind="surface")
    assert fig.axes[0].get_ylabel() == "P ($R_a$)"
    assert "seeds 0, 1" in fig.axes[0].get_title()  # alone, the surface names its data


def test_pq_surface_marks_each_measured_cell_in_its_own_colour():
    """A 2 x 2 sweep's surface is one facet, coloured by the mean of its four
    corners: 0.68 and 0.79 looked alike. Each measured cell is now a marker on
    the colour scale of the heatmap."""
    recs = [r for r in _records(ps=(1, 2), qs=(1, 2)) if (r["P"], r["Q"]) != (2, 2)]
    recs.append({**_records(ps=(2, ), qs=(2, ))[0], "mean": float("nan")})
    fig = plot_pq_sensitivity(recs)
    (heat_im, ) = fig.axes[0].get_images()
    surf = [a for a in fig.axes if a.name == "3d"][0]
    (cells, ) = [c for c in surf.collections if c.get_gid() == "cells"]
    want = sorted(r["mean"] for r in recs if r["mean"] == r["mean"])
    assert sorted(np.asarray(cells.get_array())) == pytest.approx(want)
    assert cells.norm.vmin == heat_im.norm.vmin and cells.norm.vmax == heat_im.norm.vmax


def _labelled_y_ticks(ax):
    """The y tick labels shown inside the axis limits, major and minor."""
    ax.figure.canvas.draw()
    lo, hi = ax.get_ylim()
    return [t.get_text() for t in ax.get_yticklabels() + ax.get_yticklabels(minor=True)
            if t.get_text() and lo <= t.get_position()[1] <= hi]


def test_sparse_vs_dense_narrow_log_axis_still_reads():
    """benchmarks/results/sparse_vs_dense_cpu_crossover.json: peak memory of 440..600
    MiB on a log axis labelled one tick (500) only; every minor tick is now labelled
    when the 1x / 2x / 5x ticks in view are fewer than two."""
    rows = [{"N": n, "batch": 1, "backend": be, "scatter": "native", "time_s": t,
             "peak_mem_mb": m}
            for n, be, t, m in ((256, "dense", 0.02, 440.0), (512, "dense", 0.06, 490.0),
                                (768, "dense", 0.14, 600.0), (256, "sparse", 0.05, 470.0),
                                (512, "sparse", 0.09, 487.0), (768, "sparse", 0.15, 511.0))]
    fig = plot_sparse_vs_dense({"rows": rows})
    t_ax, m_ax = fig.axes[:2]
    assert len(_labelled_y_ticks(m_ax)) >= 2
    assert len(_labelled_y_ticks(t_ax)) >= 2
    # a wide axis keeps labelling only 1x, 2x and 5x a power of ten
    wide = plot_sparse_vs_dense(_bench())
    assert set(_labelled_y_ticks(wide.axes[0])) <= {
        f"{m * 10.0 ** k:g}" for m in (1, 2, 5) for k in range(-8, 4)}


def test_pq_best_cell_says_when_it_is_tied():
    """Five cells of 0.780 (a short gallery sweep): the frame on one of them was
    labelled 'best ... P=1, Q=2' as if it stood alone."""
    grid = np.array([[0.77, 0.78, 0.78], [0.77, 0.78, 0.78], [0.78, 0.77, 0.77]])
    fig = plot_pq_sensitivity(grid, kind="heatmap", metric="acc")
    label = fig.axes[0].get_legend().get_texts()[0].get_text()
    assert label == "best (highest acc): P=1, Q=2, tied with 4 more"
    grid[0, 1] = 0.79
    fig = plot_pq_sensitivity(grid, kind="heatmap", metric="acc")
    assert fig.axes[0].get_legend().get_texts()[0].get_text() == \
        "best (highest acc): P=1, Q=2"


def test_sparse_vs_dense_note_of_rows_not_run_overlaps_no_label():
    """The 'not run: ...' line was a fig.text at the bottom, outside the layout:
    drawn over both panels' 'N (nodes)' (reproduced: benchmarks/results/
    sparse_vs_dense_cpu.json, two dense rows skipped)."""
    fig = plot_sparse_vs_dense(_bench())
    fig.canvas.draw()
    renderer = fig.canvas.get_renderer()
    (note, ) = [t for t in fig.texts if t.get_text().startswith("not run:")]
    box = note.get_window_extent(renderer)
    for a in fig.axes[:2]:
        assert not box.overlaps(a.xaxis.label.get_window_extent(renderer))
        assert not box.overlaps(a.get_tightbbox(renderer))
    assert fig.bbox.x0 <= box.x0 and box.x1 <= fig.bbox.x1 and fig.bbox.y0 <= box.y0


def test_sparse_vs_dense_legend_hides_no_point():
    """loc='best' inside the memory panel still covered the dense backend's
    largest N (reproduced: benchmarks/results/sparse_vs_dense_cpu.json, the point
    at N=4096, 2300 MiB, under 'auto (native)'): one legend now stands outside."""
    fig = plot_sparse_vs_dense(_bench())
    fig.canvas.draw()
    renderer = fig.canvas.get_renderer()
    (legend, ) = fig.legends
    box = legend.get_window_extent(renderer)
    assert sorted(t.get_text() for t in legend.get_texts()) == ["dense", "sparse"]
    for a in fig.axes[:2]:
        assert a.get_legend() is None
        assert not box.overlaps(a.get_window_extent(renderer))
        for line in a.lines:
            xy = a.transData.transform(np.c_[line.get_xdata(), line.get_ydata()])
            assert not any(box.contains(x, y) for x, y in xy)


def test_pq_title_says_std_only_where_the_cells_write_it():
    """A 9 x 9 sweep's cells write their mean only (the ± std fits up to 30
    cells), yet the title said 'mean ± std over seeds 0, 1'."""
    def recs(n):
        return [{**r, "seeds": [0, 1]} for r in _records(ps=range(1, n + 1), qs=range(1, n + 1))]
    big = plot_pq_sensitivity(recs(9), kind="heatmap").axes[0]
    assert big.get_title().split("\n")[1] == "mean over seeds 0, 1"
    assert not any("±" in t.get_text() for t in big.texts)
    small = plot_pq_sensitivity(recs(3), kind="heatmap").axes[0]
    assert small.get_title().split("\n")[1] == "mean ± std over seeds 0, 1"
    assert any("±" in t.get_text() for t in small.texts)


