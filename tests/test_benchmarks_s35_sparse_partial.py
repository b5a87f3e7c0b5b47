"""benchmarks/sparse_vs_dense.py --json stopped half-way keeps the
configurations it measured: before, the file was written only at the end."""
import json

import pytest
from benchmark_scripts import fake_workers, load_benchmark


def _row(cmd):
    n, batch, backend, scatter = cmd[cmd.index("--worker") + 1:][:4]
    return {"N": int(n), "batch": int(batch), "backend": backend, "scatter": scatter,
            "used": backend, "time_s": 0.5, "times": [0.5], "peak_mem_mb": 1.0,
            "threads": 1, "status": "ok"}


def test_a_run_stopped_after_its_first_configuration_keeps_it(tmp_path, monkeypatch):
    bench = load_benchmark("sparse_vs_dense")
    out = tmp_path / "svd.json"
    fake_workers(monkeypatch, bench, _row, stop_after=1)  # Ctrl-C in the second one
    with pytest.raises(KeyboardInterrupt):
        bench.main(["--sizes", "64", "--threads", "1", "--json", str(out)])
    data = json.loads(out.read_text())
    assert [(r["N"], r["backend"]) for r in data["rows"]] == [(64, "dense")]
    assert data["incomplete"] == "1 configurations measured: the run did not end"
    assert "summary" not in data and data["config"]["device"] == "cpu"


def test_a_finished_run_is_not_marked_incomplete(tmp_path, monkeypatch):
    bench = load_benchmark("sparse_vs_dense")
    out = tmp_path / "svd.json"
    fake_workers(monkeypatch, bench, _row)
    assert bench.main(["--sizes", "64", "--threads", "1", "--json", str(out)]) == 0
    data = json.loads(out.read_text())
    assert list(data) == ["command", "machine", "config", "summary", "rows"]
    assert data["rows"][0]["N"] == 64
