"""A size below k + 1 = 17 units (the scripts' kNN graphs have k = 16
neighbours) is refused at parsing by every script that takes one, as
scaling.py and knn_chunks.py did with their own check: prune_error.py
--sizes 8 tabled an error of 0 for every prune_k (the graph complete, k not
what was measured), and locality_orders.py / step_phases.py /
sparse_vs_dense.py timed graphs of fewer neighbours than their tables say."""
import pytest
from benchmark_scripts import load_benchmark


@pytest.mark.parametrize("script, argv, flag", [
    ("prune_error", ["--sizes", "64", "8"], "--sizes"),
    ("locality_orders", ["8"], "n"),
    ("step_phases", ["16"], "n"),
    ("sparse_vs_dense", ["--sizes", "8"], "--sizes"),
    ("scaling", ["--sizes", "16"], "--sizes"),
    ("knn_chunks", ["--sizes", "8"], "--sizes"),
])
def test_a_size_below_k_plus_one_is_one_line_before_any_work(script, argv, flag, capsys):
    with pytest.raises(SystemExit) as done:
        load_benchmark(script).main(argv)
    assert done.value.code == 2
    out, err = capsys.readouterr()
    got = argv[-1]
    assert out == "" and err.splitlines() == [
        f"{script}.py: error: argument {flag}: expected an integer >= 17 (k = 16 neighbours "
        f"and the unit itself), got {got} (see {script}.py --help)"]


def test_seventeen_units_run(tmp_path, capsys):
    module = load_benchmark("prune_error")
    assert module.main(["--sizes", "17", "--prune", "16", "--repeats", "1",
                        "--threads", "1"]) == 0
    assert "| 17 | 16 |" in capsys.readouterr().out
