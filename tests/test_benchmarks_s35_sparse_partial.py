"""benchmarks/sparse_vs_dense.py --json stopped half-way keeps the
configurations it measured: before, the file was written only at the end."""
import json
import subprocess

import pytest
from benchmark_scripts import load_benchmark

RUN = subprocess.run  # the other commands of the run (the machine's record) as they are


def _row(cmd):
    n, batch, backend, scatter = cmd[cmd.index("--worker") + 1:][:4]
    return {"N": int(n), "batch": int(batch), "backend": backend, "scatter": scatter,
            "used": backend, "time_s": 0.5, "times": [0.5], "peak_mem_mb": 1.0,
            "threads": 1, "status": "ok"}


def test_a_run_stopped_after_its_first_configuration_keeps_it(tmp_path, monkeypatch):
    bench = load_benchmark("sparse_vs_dense")
    out = tmp_path / "svd.json"
    calls = []

    def worker_process(cmd, **kwargs):
        if "--worker" not in cmd:
            return RUN(cmd, **kwargs)
        calls.append(cmd)
        if len(calls) > 1:
            raise KeyboardInterrupt  # Ctrl-C while the second configuration runs
        return subprocess.CompletedProcess(cmd, 0, stdout=json.dumps(_row(cmd)) + "\n")

    monkeypatch.setattr(bench.subprocess, "run", worker_process)
    with pytest.raises(KeyboardInterrupt):
        bench.main(["--sizes", "64", "--threads", "1", "--json", str(out)])
    data = json.loads(out.read_text())
    assert [(r["N"], r["backend"]) for r in data["rows"]] == [(64, "dense")]
    assert data["incomplete"] == "1 configurations measured: the run did not end"
    assert "summary" not in data and data["config"]["device"] == "cpu"


def test_a_finished_run_is_not_marked_incomplete(tmp_path, monkeypatch):
    bench = load_benchmark("sparse_vs_dense")
    out = tmp_path / "svd.json"

    def worker_process(cmd, **kwargs):
        if "--worker" not in cmd:
            return RUN(cmd, **kwargs)
        return subprocess.CompletedProcess(cmd, 0, stdout=json.dumps(_row(cmd)) + "\n")

    monkeypatch.setattr(bench.subprocess, "run", worker_process)
    assert bench.main(["--sizes", "64", "--threads", "1", "--json", str(out)]) == 0
    data = json.loads(out.read_text())
    assert list(data) == ["command", "machine", "config", "summary", "rows"]
    assert data["rows"][0]["N"] == 64
