"""benchmarks/vad_heldout_check.py: grouping of compare rows and the choice
by held-out loss, on rows whose answer is known."""
import json

import pytest
from benchmark_scripts import load_benchmark


def rows(flag: str, losses, aucs):
    cmd = f"pyg-fusion compare --dataset synthetic-vad --method lego-row,lego {flag} --seeds 0..1"
    base = {"dataset": "synthetic-vad", "setting": "s", "method": "lego", "seeds": [0, 1],
            "command": cmd}
    return [{**base, "metric": "val_loss", "values": losses},
            {**base, "metric": "auc", "values": aucs},
            {**base, "metric": "epoch", "values": [3, 4]}]


def test_configuration_drops_method_and_seeds():
    mod = load_benchmark("vad_heldout_check")
    assert mod.configuration("pyg-fusion compare --method a,b --lr 1 --seeds 0..4") == \
        "pyg-fusion compare --lr 1"


def test_loss_that_ranks_auc_perfectly(tmp_path, capsys):
    mod = load_benchmark("vad_heldout_check")
    data = (rows("--x 1", [0.3, 0.35], [0.7, 0.72]) + rows("--x 2", [0.2, 0.25], [0.8, 0.78])
            + rows("--x 3", [0.4, 0.45], [0.6, 0.55]))
    path = tmp_path / "in.json"
    path.write_text(json.dumps(data))
    out = tmp_path / "out.json"
    assert mod.main([str(path), "--json", str(out)]) == 0
    (row, ) = json.loads(out.read_text())["rows"]
    assert row["configurations"] == 3 and row["runs"] == 6
    assert row["spearman_runs"] < -0.9 and row["spearman_configurations"] == -1.0
    assert abs(row["auc_chosen"] - 0.79) < 1e-12  # config 2 chosen on both seeds
    assert abs(row["auc_best_configuration"] - 0.79) < 1e-12
    assert "| synthetic-vad (s) | lego | 6 | 3 |" in capsys.readouterr().out


def test_same_command_in_two_files_is_two_configurations(tmp_path):
    mod = load_benchmark("vad_heldout_check")
    a, b = tmp_path / "a.json", tmp_path / "b.json"
    a.write_text(json.dumps(rows("", [0.3, 0.3], [0.7, 0.7])))
    b.write_text(json.dumps(rows("", [0.2, 0.2], [0.9, 0.9])))
    pairs = [(str(p), r) for p in (a, b) for r in json.loads(p.read_text())]
    (configs, ) = mod.collect(pairs).values()
    assert len(configs) == 2


def test_too_few_configurations_is_a_user_error(tmp_path, capsys):
    mod = load_benchmark("vad_heldout_check")
    path = tmp_path / "in.json"
    path.write_text(json.dumps(rows("", [0.3, 0.3], [0.7, 0.7])))
    with pytest.raises(SystemExit) as done:
        mod.main([str(path)])
    # one line as every user error (it lacked the script's name and --help)
    assert done.value.code == 2
    assert capsys.readouterr().err.startswith("vad_heldout_check.py: error: none of the 1 file")


def test_records_without_a_command_count_by_their_config(tmp_path, capsys):
    """compare's results.json and vad_table2.py record the config, not the
    command: they are configurations too, never dropped in silence."""
    mod = load_benchmark("vad_heldout_check")
    data = []
    for lr, losses, aucs in ((1e-2, [0.3, 0.35], [0.7, 0.72]), (1e-3, [0.2, 0.25], [0.8, 0.78]),
                             (1e-1, [0.4, 0.45], [0.6, 0.55])):
        for r in rows("", losses, aucs):
            del r["command"]
            r["config"] = {"method": "lego", "trainer": {"lr": lr}}
            data.append(r)
    data.append({"dataset": "synthetic-vad", "setting": "s", "method": "lego", "seeds": [0],
                 "metric": "auc", "values": [0.5]})          # neither: counted, named
    path = tmp_path / "in.json"
    path.write_text(json.dumps(data))
    out = tmp_path / "out.json"
    assert mod.main([str(path), "--json", str(out)]) == 0
    (row, ) = json.loads(out.read_text())["rows"]
    assert row["configurations"] == 3 and row["runs"] == 6
    assert "skipped 1 records" in capsys.readouterr().err
