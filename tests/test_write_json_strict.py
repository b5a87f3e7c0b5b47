"""Records hold strict JSON: write_json wrote a NaN or infinite float (a
diverged seed's metric) as the bare words NaN / Infinity, which JSON has not
(browsers and Node refuse the file; jq read Infinity as 1.8e308). They are
written as null, and pyg_fusion's readers of its records read a null number
as NaN: nothing of the run is lost, and compare --resume, plot_results and
benchmarks/results_table.py read the file back."""
import json
import math

import pytest

from benchmark_scripts import load_benchmark
from pyg_fusion._files import write_json
from pyg_fusion.experiments._resume import reusable_runs


def _strict(text: str):
    def refuse(word):
        raise ValueError(f"not JSON: {word}")
    return json.loads(text, parse_constant=refuse)


def _records():
    ident = {"dataset": "digits", "setting": "s", "method": "lego", "config": {"lr": 0.01}}
    return [{**ident, "metric": "accuracy", "mean": math.nan, "std": math.nan,
             "seeds": [0, 1], "values": [0.75, math.nan]},
            {**ident, "metric": "val_loss", "mean": math.inf, "std": 0.0,
             "seeds": [0, 1], "values": [math.inf, -math.inf]},
            {**ident, "metric": "params", "mean": 1234.0, "std": 0.0,
             "seeds": [0, 1], "values": [1234, 1234]}]


def test_non_finite_floats_are_written_as_null(tmp_path):
    path = tmp_path / "results.json"
    write_json(path, _records())
    got = _strict(path.read_text(encoding="utf-8"))
    assert [(r["mean"], r["std"], r["values"]) for r in got] == [
        (None, None, [0.75, None]), (None, 0.0, [None, None]), (1234.0, 0.0, [1234, 1234])]
    assert got[0]["config"] == {"lr": 0.01}
    write_json(path, {"t": (1.5, math.nan), "n": [{"x": -math.inf}]}, indent=None)
    assert _strict(path.read_text(encoding="utf-8")) == {"t": [1.5, None], "n": [{"x": None}]}


def test_an_unencodable_non_finite_value_leaves_the_earlier_file(tmp_path):
    # a default= encoder's NaN is refused before the file is replaced
    path = tmp_path / "r.json"
    write_json(path, [1])
    with pytest.raises(ValueError, match="Out of range float"):
        write_json(path, {"x": object()}, default=lambda o: math.nan)
    assert path.read_text(encoding="utf-8") == "[\n 1\n]"


def test_the_readers_of_records_read_null_as_nan(tmp_path):
    path = tmp_path / "results.json"
    write_json(path, _records())
    earlier = json.loads(path.read_text(encoding="utf-8"))
    # compare --resume: a reused seed's value is NaN, as the run recorded it
    identity = {k: v for k, v in earlier[0].items()
                if k not in ("metric", "mean", "std", "seeds", "values")}
    reused = reusable_runs(earlier, {"lego": identity}, [0, 1])["lego"]
    assert reused[0]["accuracy"] == 0.75 and math.isnan(reused[1]["accuracy"])
    assert math.isnan(reused[0]["val_loss"]) and reused[1]["params"] == 1234
    # results_table.py: the cells of NaN as before ("nan")
    table = load_benchmark("results_table")
    assert table.cell(earlier[0], "accuracy") == "nan ± nan"
    assert table.cell(earlier[1], "val_loss") == "nan"
    # plot_results from the file: the mean said where its bar would be, the finite dot drawn
    import matplotlib.pyplot as plt

    from pyg_fusion.visualize import plot_results
    fig = plot_results(str(path), metrics=["accuracy"])
    try:
        (ax, ) = [a for a in fig.axes if a.texts]
        assert [t.get_text() for t in ax.texts if t.get_gid() == "not finite"] == ["mean nan"]
        dots = [y for line in ax.lines for y in line.get_ydata() if line.get_marker() == "."]
        assert dots == [0.75]
    finally:
        plt.close(fig)
