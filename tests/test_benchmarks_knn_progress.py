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
