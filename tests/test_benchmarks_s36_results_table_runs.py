"""python benchmarks/results_table.py on a file of several runs (the studies'
records in benchmarks/results/, a method run by several commands) gave one
row per method: the last run's numbers, the other runs dropped without a
word, under the method's bare name. Each run now has its table, headed by
the recorded fields that tell the runs apart."""
import json

import pytest
from benchmark_scripts import load_benchmark


def _record(method, value, **run):
    return {"dataset": "d", "setting": "s", "method": method, "metric": "auc", "mean": value,
            "std": 0.0, "seeds": [0], "values": [value], "config": {"method": method}, **run}


def test_each_run_of_a_study_file_is_its_own_table(tmp_path, capsys):
    path = tmp_path / "study.json"
    path.write_text(json.dumps([
        _record("lego", 0.80, command="compare --method lego,gcn"),
        _record("gcn", 0.70, command="compare --method lego,gcn"),
        _record("lego", 0.85, command="compare --method lego --branch-dropout 0.2")]))
    assert load_benchmark("results_table").main([str(path), "--metrics", "auc"]) == 0
    out = capsys.readouterr().out
    # before: "| lego | 85.00 | 1 |" alone, and gcn's row under it
    assert out.split("\n\n") == [
        "*command: `compare --method lego,gcn`*",
        "| method | auc | seeds |\n|---|---|---|\n| lego | 80.00 | 1 |\n| gcn | 70.00 | 1 |",
        "*command: `compare --method lego --branch-dropout 0.2`*",
        "| method | auc | seeds |\n|---|---|---|\n| lego | 85.00 | 1 |\n"]


def test_one_runs_records_are_one_table_as_before(tmp_path, capsys):
    path = tmp_path / "results.json"  # compare's: each method's own config, one command
    path.write_text(json.dumps([_record("lego", 0.80, command="c"),
                                _record("gcn", 0.70, command="c")]))
    assert load_benchmark("results_table").main([str(path), "--metrics", "auc"]) == 0
    assert capsys.readouterr().out == (
        "| method | auc | seeds |\n|---|---|---|\n| lego | 80.00 | 1 |\n| gcn | 70.00 | 1 |\n")


def test_records_no_field_tells_apart_are_refused_in_one_line(tmp_path, capsys):
    path = tmp_path / "twice.json"
    path.write_text(json.dumps([_record("lego", 0.80), _record("lego", 0.85)]))
    with pytest.raises(SystemExit) as done:
        load_benchmark("results_table").main([str(path)])
    assert done.value.code == 2
    out, err = capsys.readouterr()
    assert out == "" and err.splitlines() == [
        "results_table.py: error: lego's auc of d (s) is recorded more than once, and no "
        "field but its numbers tells the records apart: give one run's records"]


@pytest.mark.parametrize("metric", ["val_video_auc", "val_pseudo_auc", "chosen_val_video_auc",
                                    "ensemble_val_pseudo_auc"])
def test_a_held_out_auc_is_in_percent_with_its_spread_as_the_test_auc(metric, tmp_path,
                                                                      capsys):
    # before: '0.912', a fraction without its spread, beside '83.17 ± 0.72'
    path = tmp_path / "results.json"
    path.write_text(json.dumps([
        {**_record("lego", 0.8317), "std": 0.0072, "seeds": [0, 1]},
        {**_record("lego", 0.912), "metric": metric, "std": 0.01, "seeds": [0, 1]}]))
    assert load_benchmark("results_table").main([str(path), "--metrics", f"auc,{metric}"]) == 0
    assert capsys.readouterr().out.splitlines()[2] == "| lego | 83.17 ± 0.72 | 91.20 ± 1.00 | 2 |"
