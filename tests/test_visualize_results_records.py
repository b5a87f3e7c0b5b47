"""plot_results on the records of a run that went wrong: a seed whose metric
is NaN or infinite (pyg-fusion compare draws results.png from such records
after writing results.json), and records edited by hand."""
import math

import matplotlib.pyplot as plt
import pytest

from pyg_fusion.visualize import plot_results


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    plt.close("all")


def _record(method, values, **kw):
    finite = [v for v in values if math.isfinite(v)]
    mean = sum(values) / len(values)
    return {"dataset": "digits", "setting": "s", "method": method, "metric": "accuracy",
            "mean": mean, "std": 0.01 if len(finite) == len(values) else math.nan,
            "values": values, **kw}


def test_a_non_finite_mean_is_written_where_its_bar_would_be(tmp_path):
    # inf failed with matplotlib's "Axis limits cannot be NaN or Inf" (compare
    # crashed after results.json); NaN left the method's place silently blank
    records = [_record("lego", [0.80, 0.82]), _record("diverged", [math.nan, 0.7]),
               _record("exploded", [math.inf]), _record("mlp", [0.70, 0.72])]
    fig = plot_results(records, path=tmp_path / "r.png")
    (ax, ) = [a for a in fig.axes if a.patches]
    notes = {t.get_text(): t.xy[0] for t in ax.texts if t.get_gid() == "not finite"}
    assert notes == {"mean nan": 1, "mean inf": 2}
    assert len(ax.patches) == 2  # the bars of lego and mlp
    dots = [y for line in ax.lines for y in line.get_ydata() if line.get_marker() == "."]
    assert sorted(dots) == pytest.approx([0.7, 0.70, 0.72, 0.80, 0.82])
    low, high = ax.get_ylim()
    assert math.isfinite(low) and math.isfinite(high) and low <= 0.7 < 0.82 <= high


# (null is a number: write_json's NaN or Inf, read as NaN: test_write_json_strict.py)
@pytest.mark.parametrize("field, value", [("std", "0.01"), ("mean", "0.8"), ("values", []),
                                          ("values", [0.8, "x"]), ("mean", True)])
def test_a_record_without_numbers_is_refused_by_name(field, value):
    # TypeError: unsupported operand type(s) for -: 'float' and 'NoneType', or
    # min() arg is an empty sequence
    record = {**_record("lego", [0.8]), field: value}
    with pytest.raises(ValueError, match="the record of 'lego', 'accuracy' must hold numbers"):
        plot_results([record])
    assert not plt.get_fignums()


@pytest.mark.parametrize("args, match", [
    (([1, 2, 3], [1, math.nan, 3], [2, 2, 2]), "first contains 1 NaN or Inf"),  # was nan
    (([1, 2, 3], [1, 2], [2, 2, 2]), "one value per size, got 3, 2 and 3"),  # numpy's broadcast
    (([1, 2], [1, -1], [2, 2]), "first must be positive"),  # was a RuntimeWarning and None
    (([2, 1], [1, 1], [2, 0.5]), "n must be increasing"),  # was 1.41, outside the sizes' order
])
def test_crossover_refuses_series_it_cannot_interpolate(args, match):
    from pyg_fusion.visualize import crossover
    with pytest.raises(ValueError, match=match):
        crossover(*args)


@pytest.mark.parametrize("kind, text, message", [
    # a traceback: TypeError from the figure's own check, or from inside matplotlib
    ("anomaly-scores", '{"scores": {"v": ["a", 0.2]}}',
     "x.json: scores['v'] must be a list of numbers, got 'a'"),
    ("sparse-vs-dense", '{"rows": [{"N": 10, "backend": "dense", "time_s": "x"}]}',
     "rows[0] 'time_s' must be a positive number"),
    ("sparse-vs-dense", '{"rows": [{"N": 10, "backend": "dense", "time_s": 0.1, '
     '"times": [0.1, -1]}]}', "rows[0] 'times' must be a list of positive numbers"),
    # "invalid literal for int() with base 10: 'x'"
    ("pq-sensitivity", '[{"P": "x", "Q": 0, "mean": 0.5}]',
     "results[0] 'P' must be a power, a non-negative integer, got 'x'"),
    ("pq-sensitivity", '[{"P": 0, "Q": 0, "mean": "0.5"}]',
     "results[0] 'mean' must be a number, got '0.5'"),
    # the file's 0 was read as not given: 16 frames per snippet
    ("anomaly-scores", '{"scores": {"v": [0.1, 0.2]}, "frames_per_snippet": 0}',
     "frames_per_snippet must be a positive int, got 0"),
])
def test_plot_answers_a_json_of_wrong_values_in_one_line(tmp_path, capsys, kind, text, message):
    from pyg_fusion.cli import main
    (tmp_path / "x.json").write_text(text)
    assert main(["plot", kind, "--input", str(tmp_path / "x.json"),
                 "--out", str(tmp_path / "x.png")]) == 2
    err = capsys.readouterr().err
    assert message in err and len(err.strip().splitlines()) == 1
