"""A list flag that names a value twice ran it twice: scaling.py --sizes 64 64
--features clustered clustered started four processes and tabled four rows of
one N (a zigzag in its figure); prune_error.py --prune 16 16 two rows of one
prune_k. It is one line and exit 2 before any work, as a variant, setting
or modality named twice is."""
import pytest
from benchmark_scripts import load_benchmark


@pytest.mark.parametrize("script, argv, said", [
    ("scaling", ["--sizes", "64", "128", "64"], "--sizes: 64"),
    ("scaling", ["--features", "clustered", "clustered"], "--features: 'clustered'"),
    ("scaling", ["--stages", "powers", "powers"], "--stages: 'powers'"),
    ("sparse_vs_dense", ["--sizes", "32", "32"], "--sizes: 32"),
    ("prune_error", ["--prune", "16", "32", "16"], "--prune: 16"),
    # --seeds named twice: its own message (tests/test_benchmarks_s35_seeds.py)
    ("knn_probes", ["--probes", "2", "2"], "--probes: 2"),
    ("knn_balance", ["--probes", "2", "2"], "--probes: 2"),
    ("knn_balance", ["--variants", "power", "power"], "--variants: 'power'"),
    ("knn_chunks", ["--sizes", "64", "--chunks", "16", "16"], "--chunks: 16"),
    ("locality_orders", ["64", "--clusters", "2", "2"], "--clusters: 2"),
])
def test_a_value_named_twice_is_one_line_before_any_work(script, argv, said, capsys):
    with pytest.raises(SystemExit) as done:
        load_benchmark(script).main(argv)
    assert done.value.code == 2
    out, err = capsys.readouterr()
    assert out == "" and err.splitlines() == [
        f"{script}.py: error: {said} named more than once (see {script}.py --help)"]
