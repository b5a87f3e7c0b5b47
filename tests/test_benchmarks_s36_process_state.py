"""A benchmark script's main() called in-process (a notebook, the tests)
leaves the process's state alone while it runs, not only after: a warnings
filter set for the run's duration (warnings.catch_warnings) changes the
filters of every thread of the process."""
import json
import warnings

from benchmark_scripts import load_benchmark


def test_vad_heldout_check_sets_no_warnings_filter_for_a_constant_correlation(
        tmp_path, monkeypatch, capsys):
    # before: catch_warnings + simplefilter("ignore", ConstantInputWarning)
    # around scipy's spearmanr, for a method whose configurations are copies
    records = [{"metric": metric, "dataset": "d", "method": "m", "command": f"run --lr {c}",
                "seeds": [0, 1], "values": [0.5, 0.5 + c / 10 if metric == "auc" else 0.5]}
               for c in (1, 2, 3) for metric in ("auc", "val_loss")]
    (tmp_path / "runs.json").write_text(json.dumps(records))
    script = load_benchmark("vad_heldout_check")
    # a first run imports what it needs: libraries that set filters on import
    assert script.main([str(tmp_path / "runs.json")]) == 0
    capsys.readouterr()
    set_filters = []
    monkeypatch.setattr(warnings, "simplefilter", lambda *a, **k: set_filters.append(a))
    monkeypatch.setattr(warnings, "filterwarnings", lambda *a, **k: set_filters.append(a))
    out = tmp_path / "check.json"
    with warnings.catch_warnings(record=True) as caught:
        assert script.main([str(tmp_path / "runs.json"), "--json", str(out)]) == 0
    assert set_filters == [] and [str(w.message) for w in caught] == []
    row = json.loads(out.read_text())["rows"][0]
    # constant held-out losses: NaN (null), as scipy gives it; the AUCs vary
    assert row["spearman_runs"] is None and row["spearman_configurations"] is None
    assert "| d () | m | 6 | 3 | - | - |" in capsys.readouterr().out
