"""benchmarks/scaling.py --json stopped half-way (Ctrl-C, gpu_check.sh's
timeout) keeps the sizes it measured: before, the file was written only at
the end, so a run cut short at its largest size left no file at all."""
import json

import pytest
from benchmark_scripts import fake_workers, load_benchmark


def _row(cmd):
    return {"N": int(cmd[cmd.index("--worker") + 1]), "features": "clustered",
            "device": "cpu", "bound_s": 0.5}


def test_a_run_stopped_after_its_first_size_keeps_that_size(tmp_path, monkeypatch):
    scaling = load_benchmark("scaling")
    out = tmp_path / "scaling.json"
    fake_workers(monkeypatch, scaling, _row, stop_after=1)  # Ctrl-C in the second size
    with pytest.raises(KeyboardInterrupt):
        scaling.main(["--sizes", "64", "128", "--features", "clustered", "--stages", "bound",
                      "--repeats", "1", "--json", str(out)])
    data = json.loads(out.read_text())
    assert [r["N"] for r in data["rows"]] == [64]
    assert data["incomplete"] == "1 of 2 sizes measured: the run did not end"
    assert data["machine"]["torch_threads"] == 1 and "cpu" in data["machine"]


def test_a_finished_run_is_not_marked_incomplete(tmp_path, monkeypatch):
    scaling = load_benchmark("scaling")
    out = tmp_path / "scaling.json"
    fake_workers(monkeypatch, scaling, _row)
    scaling.main(["--sizes", "64", "128", "--features", "clustered", "--stages", "bound",
                  "--repeats", "1", "--json", str(out)])
    data = json.loads(out.read_text())
    assert [r["N"] for r in data["rows"]] == [64, 128] and "incomplete" not in data
