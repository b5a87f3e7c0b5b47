"""benchmarks/scaling.py --json stopped half-way (Ctrl-C, gpu_check.sh's
timeout) keeps the sizes it measured: before, the file was written only at
the end, so a run cut short at its largest size left no file at all."""
import json
import subprocess

import pytest
from benchmark_scripts import load_benchmark

RUN = subprocess.run  # the other commands of the run (the machine's record) as they are


def test_a_run_stopped_after_its_first_size_keeps_that_size(tmp_path, monkeypatch):
    scaling = load_benchmark("scaling")
    out = tmp_path / "scaling.json"
    calls = []

    def worker_process(cmd, **kwargs):
        if "--worker" not in cmd:
            return RUN(cmd, **kwargs)
        calls.append(cmd)
        if len(calls) > 1:
            raise KeyboardInterrupt  # Ctrl-C while the second size runs
        return subprocess.CompletedProcess(cmd, 0, stdout=json.dumps(
            {"N": 64, "features": "clustered", "device": "cpu", "bound_s": 0.5}) + "\n")

    monkeypatch.setattr(scaling.subprocess, "run", worker_process)
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

    def worker_process(cmd, **kwargs):
        if "--worker" not in cmd:
            return RUN(cmd, **kwargs)
        n = int(cmd[cmd.index("--worker") + 1])
        return subprocess.CompletedProcess(cmd, 0, stdout=json.dumps(
            {"N": n, "features": "clustered", "device": "cpu", "bound_s": 0.5}) + "\n")

    monkeypatch.setattr(scaling.subprocess, "run", worker_process)
    scaling.main(["--sizes", "64", "128", "--features", "clustered", "--stages", "bound",
                  "--repeats", "1", "--json", str(out)])
    data = json.loads(out.read_text())
    assert [r["N"] for r in data["rows"]] == [64, 128] and "incomplete" not in data
