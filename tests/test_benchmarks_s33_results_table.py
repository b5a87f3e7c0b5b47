"""python benchmarks/results_table.py results.json --metrics accurracy (a
misspelt metric) printed a column of '-' for every method and exit 0: a
table that says every method lacks the metric. A metric that no record
holds is refused in one line that lists what the file holds."""
import json

import pytest
from benchmark_scripts import load_benchmark


def _records(path):
    path.write_text(json.dumps([
        {"dataset": "digits", "setting": "s", "method": "lego", "metric": m, "mean": v,
         "std": 0.0, "seeds": [0], "values": [v]}
        for m, v in (("accuracy", 0.95), ("params", 51206))]))
    return str(path)


@pytest.mark.parametrize("metrics, said", [
    ("accuracy,accurracy", "no record holds 'accurracy'"),
    (",", "expected metric names, got ','"),
])
def test_a_metric_no_record_holds_is_one_line(metrics, said, tmp_path, capsys):
    path = _records(tmp_path / "r.json")
    with pytest.raises(SystemExit) as done:
        load_benchmark("results_table").main([path, "--metrics", metrics])
    assert done.value.code == 2
    out, err = capsys.readouterr()
    assert out == "" and err.splitlines() == [
        f"results_table.py: error: --metrics: {said}; {path} holds accuracy, params "
        "(see results_table.py --help)"]


def test_metrics_the_records_hold_are_the_columns(tmp_path, capsys):
    path = _records(tmp_path / "r.json")
    assert load_benchmark("results_table").main([path, "--metrics", "params,accuracy"]) == 0
    assert capsys.readouterr().out.splitlines()[2] == "| lego | 51,206 | 95.00 | 1 |"
