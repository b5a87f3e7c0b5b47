"""The scripts of ``benchmarks/`` as a user runs them, at their smallest
settings: what their JSON records of the run (the timings themselves are the
benchmarks' business)."""
import json

import pytest
from benchmark_scripts import load_benchmark


@pytest.mark.parametrize("script, argv", [
    ("knn_chunks", ["--sizes", "100", "--chunks", "64", "--repeats", "1"]),
    ("prune_error", ["--sizes", "64", "--prune", "8", "--repeats", "1"]),
    ("scaling", ["--sizes", "64", "--features", "clustered", "--stages", "powers",
                 "--repeats", "1"]),
])
def test_json_records_the_command_that_main_was_given(script, argv, tmp_path, capsys):
    # before: the record held this process's arguments (pytest's, a
    # notebook's) when main(argv) was called in-process
    out = tmp_path / "run.json"
    argv = [*argv, "--json", str(out)]
    assert load_benchmark(script).main(argv) in (0, None)
    capsys.readouterr()
    command = json.loads(out.read_text())["command"]
    assert command == " ".join(["python", f"benchmarks/{script}.py", *argv])


def test_command_line_of_a_program_run_is_its_own(monkeypatch):
    cli = load_benchmark("_cli")
    monkeypatch.setattr("sys.argv", ["benchmarks/scaling.py", "--sizes", "64"])
    assert cli.command_line("/x/benchmarks/scaling.py") == \
        "python benchmarks/scaling.py --sizes 64"
    assert cli.command_line("/x/benchmarks/scaling.py", ["--repeats", 2]) == \
        "python benchmarks/scaling.py --repeats 2"
