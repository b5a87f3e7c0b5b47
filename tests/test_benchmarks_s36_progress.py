"""benchmarks/knn_chunks.py printed nothing until its table: at
--sizes 262144 on a CPU each torch search takes minutes, and the run (a
warm-up, then every block size per repeat) was silent for an hour. One
line per call on stderr; stdout stays the table's."""
from benchmark_scripts import load_benchmark


def test_knn_chunks_says_each_call_as_it_ends(capsys):
    assert load_benchmark("knn_chunks").main(["--sizes", "300", "--chunks", "64",
                                              "--repeats", "2"]) == 0
    out, err = capsys.readouterr()
    assert [line.rsplit(":", 1)[0].strip() for line in err.splitlines()] == [
        "N=300 warm-up", "N=300 repeat 1/2 chunk_size 64", "N=300 repeat 1/2 chunk_size 512",
        "N=300 repeat 2/2 chunk_size 64", "N=300 repeat 2/2 chunk_size 512"]
    assert all(line.endswith(" s") for line in err.splitlines())
    assert "warm-up" not in out and "| 300 | 64 |" in out
