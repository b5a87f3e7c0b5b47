"""What the benchmark scripts print, against what they write.

vad_heldout_check.py printed "+nan" for the Spearman correlation of a method
whose configurations' means are constant, where its JSON holds null: "-", as
the other scripts' tables write a missing value."""
import json

import pytest

from benchmark_scripts import load_benchmark


def test_a_constant_correlation_is_printed_as_its_json_says(tmp_path, capsys):
    # three configurations of one run each (copies): constant means and runs
    records = [{"metric": metric, "dataset": "d", "method": "m", "command": f"run --lr {c}",
                "seeds": [0, 1], "values": [0.5, 0.5]}
               for c in (1, 2, 3) for metric in ("auc", "val_loss")]
    (tmp_path / "runs.json").write_text(json.dumps(records))
    out = tmp_path / "check.json"
    assert load_benchmark("vad_heldout_check").main(
        [str(tmp_path / "runs.json"), "--json", str(out)]) == 0
    row = json.loads(out.read_text())["rows"][0]
    assert row["spearman_runs"] is None and row["spearman_configurations"] is None
    table = capsys.readouterr().out
    assert "nan" not in table
    assert "| d () | m | 6 | 3 | - | - | 50.00 |" in table


def test_knn_balance_prints_its_machine_line_once(capsys):
    """It printed the line before the run and again above its table."""
    pytest.importorskip("faiss")
    load_benchmark("knn_balance").main(["--sizes", "1024", "--seeds", "0", "--probes", "4",
                                        "--variants", "nearest"])
    out = capsys.readouterr().out
    assert out.count("machine: ") == 1, out
    assert out.startswith("machine: ")  # the table's heading, not a blank line


def test_a_diverged_seeds_null_is_left_out_and_said(tmp_path, capsys):
    """A null value (a diverged seed's NaN, as write_json writes it) ended the
    run in statistics.mean: "TypeError: can't convert type 'NoneType'"."""
    records = [{"metric": metric, "dataset": "d", "method": "m", "command": f"run --lr {c}",
                "seeds": [0, 1], "values": [0.5 + c / 10, None if (c, metric) == (2, "val_loss")
                                            else 0.6 + c / 10]}
               for c in (1, 2, 3) for metric in ("auc", "val_loss")]
    (tmp_path / "runs.json").write_text(json.dumps(records))
    assert load_benchmark("vad_heldout_check").main([str(tmp_path / "runs.json")]) == 0
    out = capsys.readouterr()
    assert "| d () | m | 5 | 3 |" in out.out  # the diverged run is no point
    assert "left out 1 null values (a diverged seed's NaN): d () m seed 1" in out.err


@pytest.mark.parametrize("error", [
    RuntimeError("[enforce fail at alloc_cpu.cpp:127] err == 0. DefaultCPUAllocator: can't "
                 "allocate memory: you tried to allocate 800000000000 bytes."),
    MemoryError()])
def test_memory_running_out_is_one_line(error, monkeypatch, capsys):
    """knn_chunks.py --sizes 100000000000 (and the other scripts' sizes) ended in
    a traceback of torch's allocator; as the pyg-fusion command line: one line."""
    monkeypatch.setattr("sys.argv", ["knn_chunks.py", "--sizes", "100000000000", "--chunks", "32"])

    def main():
        raise error

    with pytest.raises(SystemExit) as exit_:
        load_benchmark("_cli").run_script(main)
    assert exit_.value.code == 2
    err = capsys.readouterr().err
    assert err.startswith("knn_chunks.py: error: out of memory") and err.count("\n") == 1
    assert err.rstrip().endswith("the integers given, largest first: 100000000000, 32")


def test_other_errors_stay_tracebacks():
    with pytest.raises(RuntimeError, match="a bug"):
        load_benchmark("_cli").run_script(lambda: (_ for _ in ()).throw(RuntimeError("a bug")))
