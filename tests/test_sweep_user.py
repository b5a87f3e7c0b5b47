"""What a user of ``pyg-fusion sweep`` and of the results tables reads: a
cell whose tested model has LEGO's operator A at its start (untrained, the
same for every P and Q) is said to be so in the table, the JSON and the
figure; the sweep's own default trains A in every cell; the Markdown table
of a results.json shows the metrics its records hold."""
import json

import pytest
import yaml

from benchmark_scripts import load_benchmark
from pyg_fusion.cli import main
from pyg_fusion.cli.sweep import operator_at_start
from pyg_fusion.visualize import load_pq_grid, plot_pq_sensitivity


@pytest.mark.parametrize("metrics, warmup, expected", [
    # warm-up auto: the README sweep's cells tested epoch 56, A freed at 67
    ({"epoch": 56, "operator_start_epoch": 67}, "auto", True),
    ({"epoch": 67, "operator_start_epoch": 67}, "auto", False),
    ({"epoch": 5, "operator_start_epoch": None}, "auto", True),  # A's phase never began
    # an int warm-up: A trains from that epoch on
    ({"epoch": 2}, 3, True),
    ({"epoch": 3}, 3, False),
    ({"epoch": 0}, 0, False),
    ({"accuracy": 0.9}, 0, False),  # the node task: A trains from the first epoch
])
def test_operator_at_start(metrics, warmup, expected):
    assert operator_at_start(metrics, warmup) is expected


def test_the_sweep_defaults_to_training_a_and_says_so(capsys):
    """--operator-warmup means the same for every command; the sweep's
    default is 0, shown by --print-config and --help; train keeps VAD's auto."""
    assert main(["sweep", "--dataset", "synthetic-vad", "--print-config"]) == 0
    assert yaml.safe_load(capsys.readouterr().out)["trainer"]["operator_warmup"] == 0
    assert main(["sweep", "--dataset", "synthetic-vad", "--operator-warmup", "auto",
                 "--print-config"]) == 0
    assert yaml.safe_load(capsys.readouterr().out)["trainer"]["operator_warmup"] == "auto"
    assert main(["train", "--dataset", "synthetic-vad", "--print-config"]) == 0
    assert yaml.safe_load(capsys.readouterr().out)["trainer"]["operator_warmup"] == "auto"
    with pytest.raises(SystemExit):
        main(["sweep", "--help"])
    text = " ".join(capsys.readouterr().out.split())
    assert "(default for sweep: 0, so that the tested model's A has trained" in text


def _sweep(tmp_path, name, *flags):
    out = tmp_path / name
    assert main(["sweep", "--dataset", "synthetic-vad", "--root", str(tmp_path / "data"),
                 "--num-segments", "8", "--p", "1", "--q", "1..2", "--epochs", "2",
                 "--no-progress", "--out", str(out), *flags]) == 0
    records = json.loads((out / "sweep.json").read_text())
    return {r["Q"]: r for r in records if r["metric"] == "auc"}, (out / "sweep.txt").read_text()


@pytest.fixture(scope="module")
def default_sweep(tmp_path_factory):
    """The sweep of _sweep without flags, its cells' AUC records, its table
    and its sweep.json: read by the tests, never written."""
    tmp = tmp_path_factory.mktemp("sweep")
    auc, text = _sweep(tmp, "default")
    return auc, text, tmp / "default" / "sweep.json"


def test_a_cell_tested_with_a_at_its_start_is_marked(tmp_path):
    # a warm-up as long as the run: A never trains, every cell tests the same model
    auc, text = _sweep(tmp_path, "frozen", "--operator-warmup", "2")
    assert [auc[q]["operator_at_start"] for q in (1, 2)] == [[True], [True]]
    assert auc[1]["mean"] == auc[2]["mean"]  # the flat grid that the mark explains
    lines = text.splitlines()
    assert lines[2] == f"  1 {auc[1]['mean']:6.4f}* {auc[2]['mean']:6.4f}*"
    assert "has LEGO's operator A at its start" in text
    assert "  P=1, Q=2, seed 0: tested epoch 0, A trains from epoch 2" in lines
    assert "--operator-warmup 0 (the sweep's default) trains A from the first epoch" in text
    # the figure hatches both cells
    fig = plot_pq_sensitivity(str(tmp_path / "frozen" / "sweep.json"))
    assert sum(p.get_gid() == "at_start" for p in fig.axes[0].patches) == 2


def test_the_default_sweep_trains_a_in_every_cell(default_sweep):
    auc, text, _ = default_sweep
    assert [auc[q]["operator_at_start"] for q in (1, 2)] == [[False], [False]]
    assert auc[1]["config"]["trainer"]["operator_warmup"] == 0
    assert auc[1]["mean"] != auc[2]["mean"]  # A of Q = 2 trained with its own powers
    assert "*" not in text and "at its start" not in text


def test_a_cells_recorded_config_reruns_the_cell(tmp_path, default_sweep):
    """A cell's config in sweep.json holds num_powers per source; read back
    with --config, compare runs the same cell: same config, same values."""
    auc, _, sweep_json = default_sweep
    cell = auc[2]
    assert cell["config"]["powers"]["num_powers"] == {"c3d": 1, "i3d": 2, "swin": 2}
    (tmp_path / "cell.yaml").write_text(yaml.safe_dump(cell["config"]))
    out = tmp_path / "again"
    assert main(["compare", "--config", str(tmp_path / "cell.yaml"), "--no-progress",
                 "--seeds", ",".join(map(str, cell["seeds"])), "--out", str(out)]) == 0
    again = {r["metric"]: r for r in json.loads((out / "results.json").read_text())}
    assert again["auc"]["config"] == cell["config"]
    sweep = {r["metric"]: r for r in json.loads(sweep_json.read_text()) if r["Q"] == 2}
    for metric in set(sweep) - {"time_per_epoch_s"}:
        assert again[metric]["values"] == sweep[metric]["values"], metric


def test_num_powers_per_source_is_a_flag_that_reads_back(tmp_path, capsys):
    assert main(["train", "--dataset", "synthetic-vad", "-P", "c3d=1,i3d=2,swin=0",
                 "--print-config"]) == 0
    printed = capsys.readouterr().out
    assert yaml.safe_load(printed)["powers"]["num_powers"] == {"c3d": 1, "i3d": 2, "swin": 0}
    (tmp_path / "run.yaml").write_text(printed)
    assert main(["train", "--config", str(tmp_path / "run.yaml"), "--print-config"]) == 0
    assert capsys.readouterr().out == printed
    # one value per source, each an int >= 0, each source once: one-line errors
    for value, expected in (("c3d=1,i3d=x", "expected an integer >= 0, got 'x'"),
                            ("c3d=1,c3d=2", "expected N or SOURCE=N,SOURCE=N,..."),
                            ("c3d=", "expected N or SOURCE=N,SOURCE=N,...")):
        with pytest.raises(SystemExit):
            main(["train", "--dataset", "synthetic-vad", "-P", value, "--print-config"])
        assert expected in capsys.readouterr().err


def test_a_rerun_replaces_the_cells_run_folders(tmp_path, capsys):
    """A sweep over an earlier one of more restarts in the same --out: each
    cell's folder holds this run's files only (no restart2, no second log
    version beside the first), with a notice; a user's files stay."""
    out = tmp_path / "grid"
    cell = out / "P1_Q1" / "seed0"

    def sweep(*flags):
        assert main(["sweep", "--dataset", "synthetic-vad", "--root", str(tmp_path / "data"),
                     "--num-segments", "8", "--p", "1", "--q", "1", "--epochs", "1",
                     "--init", "product", "--no-progress", "--out", str(out), *flags]) == 0

    sweep("--restarts", "3")
    assert sorted(p.name for p in cell.glob("restart*")) == ["restart0", "restart1", "restart2"]
    (cell / "notes.txt").write_text("mine")
    capsys.readouterr()
    sweep("--restarts", "2")
    assert (f"{cell} holds an earlier run: this run does not write its restart2: removed, so "
            f"that the folder holds this run's files only") in capsys.readouterr().err
    assert sorted(p.name for p in cell.iterdir()) == ["ensemble", "notes.txt", "restart0",
                                                     "restart1", "scores.json"]
    assert [p.name for p in (cell / "restart0" / "logs").iterdir()] == ["version_0"]
    sweep()
    assert "restart0, restart1: removed" in " ".join(capsys.readouterr().err.split())
    assert sorted(p.name for p in cell.iterdir()) == ["logs", "notes.txt", "scores.json"]


def test_the_figure_marks_only_the_cells_at_start():
    records = [{"P": p, "Q": q, "metric": "auc", "mean": 0.5 + 0.1 * p + 0.01 * q,
                "operator_at_start": [p == 1, False]} for p in (1, 2) for q in (1, 2, 3)]
    *_, info = load_pq_grid(records)
    assert info["at_start"].tolist() == [[True] * 3, [False] * 3]
    fig = plot_pq_sensitivity(records, kind="heatmap")
    marked = sorted(p.get_xy() for p in fig.axes[0].patches if p.get_gid() == "at_start")
    assert marked == [(-0.5, -0.5), (0.5, -0.5), (1.5, -0.5)]  # (Q, P) of row P = 1
    # records of an older sweep say nothing: nothing is marked
    for r in records:
        del r["operator_at_start"]
    assert load_pq_grid(records)[-1]["at_start"] is None
    fig = plot_pq_sensitivity(records, kind="heatmap")
    assert not [p for p in fig.axes[0].patches if p.get_gid() == "at_start"]


def _record(dataset, setting, method, metric, mean):
    return {"dataset": dataset, "setting": setting, "method": method, "metric": metric,
            "mean": mean, "std": 0.0, "seeds": [0], "values": [mean]}


def test_results_table_shows_the_metrics_each_task_holds(tmp_path, capsys):
    node = [_record("digits", "label_rate=0.05", "lego", m, v) for m, v in
            (("accuracy", 0.95), ("val_accuracy", 0.965), ("params", 51206),
             ("time_per_epoch_s", 0.124))]
    vad = [_record("synthetic-vad", "multi_representation", "lego", m, v) for m, v in
           (("auc", 0.866), ("ap", 0.612), ("pr_auc_trapz", 0.6111), ("val_loss", 0.463),
            ("epoch", 12.0), ("params", 13538), ("time_per_epoch_s", 0.093))]
    (tmp_path / "r.json").write_text(json.dumps(node + vad))
    module = load_benchmark("results_table")
    assert module.main([str(tmp_path / "r.json")]) == 0
    out = capsys.readouterr().out
    # the node table as before; the VAD one with its own metrics, not '-'
    assert ("| method | accuracy | val_accuracy | params | time_per_epoch_s | seeds |\n"
            "|---|---|---|---|---|---|\n| lego | 95.00 | 96.50 | 51,206 | 0.124 | 1 |") in out
    assert ("| method | auc | ap | pr_auc_trapz | val_loss | params | time_per_epoch_s | seeds |\n"
            "|---|---|---|---|---|---|---|---|\n"
            "| lego | 86.60 | 61.20 | 61.11 | 0.463 | 13,538 | 0.093 | 1 |") in out
    # --metrics still chooses the columns, for every table
    assert module.main([str(tmp_path / "r.json"), "--metrics", "auc,epoch"]) == 0
    out = capsys.readouterr().out
    assert "| lego | - | - | 1 |" in out and "| lego | 86.60 | 12.000 | 1 |" in out
    # records of neither task: every metric they hold
    assert module.markdown([_record("x", "s", "m", "score", 1.5)]) == (
        "| method | score | seeds |\n|---|---|---|\n| m | 1.500 | 1 |")


def test_results_table_keeps_datasets_apart_and_counts_the_seeds():
    """Grouped by setting only, two datasets of one setting (digits and
    tables, both label_rate=0.05) made one table whose lego row held one
    dataset's numbers, the other's dropped; one seed printed '± 0.00'."""
    module = load_benchmark("results_table")
    records = [_record("digits", "label_rate=0.05", "lego", "accuracy", 0.95),
               _record("tables", "label_rate=0.05", "lego", "accuracy", 0.80),
               {**_record("tables", "label_rate=0.05", "mlp", "accuracy", 0.7),
                "std": 0.05, "seeds": [0, 1, 2], "values": [0.65, 0.7, 0.75]}]
    assert module.markdown(records) == (
        "**digits, label_rate=0.05**\n\n| method | accuracy | val_accuracy | params | "
        "time_per_epoch_s | seeds |\n|---|---|---|---|---|---|\n| lego | 95.00 | - | - | - | 1 |"
        "\n\n**tables, label_rate=0.05**\n\n| method | accuracy | val_accuracy | params | "
        "time_per_epoch_s | seeds |\n|---|---|---|---|---|---|\n| lego | 80.00 | - | - | - | 1 |"
        "\n| mlp | 70.00 ± 5.00 | - | - | - | 3 |")
