"""knn_probes.py and sparse_vs_dense.py began their stdout with a blank line
(a separator from progress that now goes to stderr): `> table.md` gave a file
that starts empty. Their first line is the table's heading, as knn_balance.py's
(83f29ba) and the other scripts'."""
from benchmark_scripts import load_benchmark


def test_knn_probes_starts_with_its_machine_line(capsys):
    assert load_benchmark("knn_probes").main(["--sizes", "1024", "--seeds", "0",
                                              "--probes", "2", "--k", "4"]) is None
    assert capsys.readouterr().out.startswith("machine: ")


def test_sparse_vs_dense_starts_with_its_heading(monkeypatch, capsys):
    module = load_benchmark("sparse_vs_dense")

    def run_config(args, n, batch, backend, scatter):  # each run's process, stood in for
        return {"N": n, "batch": batch, "backend": backend, "used": backend,
                "scatter": scatter, "time_s": 0.5, "times": [0.5], "threads": 1,
                "peak_mem_mb": 100.0, "status": "ok"}
    monkeypatch.setattr(module, "run_config", run_config)
    assert module.main(["--sizes", "256", "--repeats", "1", "--threads", "1"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("LEGO forward + backward, M=2, P=Q=3, d=128, k=16, prune_k=64, ")
    assert "| 256 | 1 | 0.500 | 0.500 |" in out


def test_scaling_says_how_many_rows_its_sampled_recall_scored():
    # before: 'recall@17 (2048 rows)' over N = 64, whose recall scored its 64 rows
    head = load_benchmark("scaling").table([{"N": 64, "features": "clustered", "recall_rows": 1.0}]).splitlines()[0]
    assert head == "| N | features | recall@17 (min(N, 2048) rows) | peak GiB |"
