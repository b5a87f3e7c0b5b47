"""A plot drawn into a caller's axes (ax=) leaves their figure's title as it
was: plot_power_expansion, plot_results and plot_sparse_vs_dense wrote their
own heading over it (fig.suptitle), though they were given axes, not the
figure. A figure they make is titled as before; a title= asked for is set."""
import matplotlib.pyplot as plt
import numpy as np
import pytest

from pyg_fusion.visualize import plot_power_expansion, plot_results, plot_sparse_vs_dense


def _suptitle(fig) -> str:
    # Figure.get_suptitle is matplotlib >= 3.8; pyproject admits 3.7
    title = getattr(fig, "_suptitle", None)
    return "" if title is None else title.get_text()


def _record(method):
    return {"dataset": "digits", "setting": "label_rate=0.05", "method": method,
            "metric": "accuracy", "mean": 0.9, "std": 0.0, "seeds": [0], "values": [0.9]}


def _bench():
    rows = [{"N": n, "batch": 1, "backend": b, "scatter": "native", "time_s": t,
             "times": [t], "peak_mem_mb": 1.0 + n, "status": "ok"}
            for n in (64, 128) for b, t in (("dense", 1e-4 * n), ("sparse", 2e-4 * n))]
    rows.append({"N": 256, "batch": 1, "backend": "dense", "scatter": "native",
                 "time_s": None, "times": [], "peak_mem_mb": None, "status": "skipped: cap"})
    return {"machine": {"cpu": "test cpu"}, "rows": rows}


def test_a_callers_figure_keeps_its_title():
    powers = np.stack([np.eye(3), np.ones((3, 3)) / 3])
    fig, axes = plt.subplots(1, 2)
    try:
        fig.suptitle("mine")
        assert plot_power_expansion(powers, ax=axes) is fig
        plot_results([_record("lego")], ax=axes[0])
        plot_sparse_vs_dense(_bench(), ax=axes)
        assert _suptitle(fig) == "mine"
        assert "not run: dense N=256: skipped: cap" in axes[0].get_xlabel()
        plot_results([_record("lego")], ax=axes[0], title="asked for")
        assert _suptitle(fig) == "asked for"
    finally:
        plt.close(fig)


def test_a_figure_of_its_own_is_titled_as_before():
    figs = [plot_power_expansion(np.stack([np.eye(3)])), plot_results([_record("lego")]),
            plot_sparse_vs_dense(_bench())]
    try:
        assert _suptitle(figs[0]).startswith("graph power expansion")
        assert _suptitle(figs[1]).startswith("digits (label_rate=0.05)")
        assert _suptitle(figs[2]).startswith("sparse vs dense backends")
        assert "not run: dense N=256" in figs[2].texts[-1].get_text()
    finally:
        for f in figs:
            plt.close(f)


def test_the_anomaly_legend_stays_in_the_callers_axes():
    from pyg_fusion.visualize import plot_anomaly_scores
    fig, axes = plt.subplots(1, 3)
    try:
        fig.suptitle("mine")
        # its figure legend sat at the figure's upper centre: over the middle panel
        plot_anomaly_scores({"v": np.linspace(0, 1, 10)}, {"v": np.r_[np.zeros(5), np.ones(5)]},
                            frames_per_snippet=1, threshold=0.5, title="run 1", ax=axes[2])
        assert not fig.legends and _suptitle(fig) == "mine"
        legend = axes[2].get_legend()
        assert legend.get_title().get_text() == "run 1"
        assert len(legend.get_texts()) == 3  # scores, threshold, ground truth
        assert axes[0].get_legend() is None and axes[1].get_legend() is None
    finally:
        plt.close(fig)


def test_a_saved_figure_takes_the_users_savefig_dpi(tmp_path):
    import matplotlib as mpl
    from matplotlib.image import imread
    powers = np.stack([np.eye(3)])
    plot_power_expansion(powers, path=tmp_path / "ours.png")
    with mpl.rc_context({"savefig.dpi": 55}):  # was drawn at 110 all the same
        plot_power_expansion(powers, path=tmp_path / "theirs.png")
    ours, theirs = (imread(tmp_path / f"{n}.png").shape[:2] for n in ("ours", "theirs"))
    assert abs(theirs[0] - ours[0] / 2) <= 1 and abs(theirs[1] - ours[1] / 2) <= 1


def test_a_2d_axes_for_the_surface_names_ax():
    from pyg_fusion.visualize import plot_pq_sensitivity
    records = [{"P": p, "Q": q, "metric": "auc", "mean": 0.5 + 0.1 * p + 0.01 * q,
                "dataset": "toy", "method": "lego"} for p in (1, 2) for q in (1, 2)]
    fig, axes = plt.subplots(1, 2)
    try:
        with pytest.raises(ValueError, match=r"ax\[1\] must be a 3-D axes for the surface "
                                             r".*got a 'rectilinear' axes"):
            plot_pq_sensitivity(records, ax=axes)
        with pytest.raises(ValueError, match=r"^ax must be a 3-D axes"):
            plot_pq_sensitivity(records, kind="surface", ax=axes[0])
    finally:
        plt.close(fig)
