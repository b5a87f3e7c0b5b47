"""benchmarks/knn_probes.py (and knn_balance.py, the same progress line):
stdout holds the machine line and the table, which a user pipes or pastes;
each measured row as it comes is progress, on stderr."""
from benchmark_scripts import load_benchmark


def test_knn_probes_prints_its_progress_on_stderr(capsys):
    # before: a Python dict per measured row on stdout, above the table
    from pyg_fusion.functional._knn_index import ivf_params
    nprobe = ivf_params(4096)[1]
    assert load_benchmark("knn_probes").main(["--sizes", "4096", "--seeds", "0", "--probes",
                                              "1", str(nprobe), "--k", "4"]) is None
    out, err = capsys.readouterr()
    lines = [line for line in out.splitlines() if line]
    assert lines[0].startswith("machine: ") and all(line.startswith("|") for line in lines[1:])
    assert "'us_per_query'" in err


def test_knn_balance_prints_its_progress_on_stderr(capsys):
    assert load_benchmark("knn_balance").main(
        ["--sizes", "4096", "--seeds", "0", "--probes", "2", "--variants", "capacity"]) is None
    out, err = capsys.readouterr()
    assert "{" not in out and "'us_per_query'" in err
    assert any(line.startswith("| 4096 |") for line in out.splitlines())


def test_knn_probes_times_each_row_as_the_median_of_several_searches(monkeypatch):
    # before: one timed search per row and seed, where the other timing
    # scripts give the median of several runs
    import types
    module = load_benchmark("knn_probes")
    # the script's clock: its searches take 5, 1 and 3 seconds
    clock = iter([0, 5, 10, 11, 20, 23])
    monkeypatch.setattr(module, "time", types.SimpleNamespace(perf_counter=lambda: next(clock)))
    rows = module.sweep(4096, 0, [1], 4, 1)
    assert module.REPEATS == 3 and len(rows) == 1
    assert rows[0]["us_per_query"] == round(3 / 4096 * 1e6, 1)
