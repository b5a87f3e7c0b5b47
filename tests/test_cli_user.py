"""The command line as a new user meets it: defaults that must follow the
checkpoint, flags checked at parsing rather than once the data loads, and
plot flags that a figure would silently ignore. Every command writes under
tmp_path (``--root`` and ``--out`` there, and the current folder too)."""
import json

import matplotlib

matplotlib.use("Agg")

import pytest  # noqa: E402

from bad_inputs import CLICase, cli_outcome  # noqa: E402
from pyg_fusion.cli import main  # noqa: E402


@pytest.fixture
def tables_run(tmp_path, monkeypatch):
    """A one-epoch lego run on two small views, trained with ``--root`` in
    tmp_path/data; the current folder is then tmp_path/elsewhere (empty)."""
    import numpy as np
    rng = np.random.default_rng(0)
    y = np.repeat([0, 1, 2], 12)
    data = tmp_path / "my data é"  # spaces and unicode in every path
    data.mkdir()
    np.save(data / "a.npy", rng.normal(y[:, None] * 2.0, 1.0, (36, 4)))
    np.savetxt(data / "b.csv", rng.normal(-y[:, None] * 2.0, 1.0, (36, 3)), delimiter=",")
    np.savetxt(data / "y.csv", y, fmt="%d")
    out = tmp_path / "out ü"
    assert main(["train", "--dataset", "tables", "--views", str(data / "a.npy"),
                 str(data / "b.csv"), "--labels", str(data / "y.csv"), "--label-rate", "0.3",
                 "--method", "lego", "--epochs", "1", "--k", "4", "--root",
                 str(tmp_path / "data"), "--no-progress", "--out", str(out)]) == 0
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    monkeypatch.chdir(elsewhere)
    return out, elsewhere


def test_plot_reads_the_checkpoints_root_as_evaluate_does(tmp_path, tables_run):
    # plot's --root defaulted to runs/data: a data cache was written into the
    # current folder (and a user's vad features were looked up there)
    out, elsewhere = tables_run
    ckpt = out / "lego" / "seed0" / "checkpoints" / "best.ckpt"
    trained = {r["metric"]: r for r in json.loads((out / "results.json").read_text())}
    assert main(["evaluate", "--checkpoint", str(ckpt), "--no-progress",
                 "--out", str(tmp_path / "eval")]) == 0
    again = {r["metric"]: r for r in json.loads((tmp_path / "eval" / "results.json")
                                                .read_text())}
    assert again["accuracy"]["values"] == trained["accuracy"]["values"]
    png = tmp_path / "adj.png"
    assert main(["plot", "adjacency", "--checkpoint", str(ckpt), "--threads", "1",
                 "--out", str(png)]) == 0
    assert png.stat().st_size > 10_000
    assert list(elsewhere.iterdir()) == []  # nothing written into the current folder
    assert (tmp_path / "data" / "tables" / "processed").is_dir()


_PLOT = ["plot", "--out", "{tmp}/f.png"]
CASES = [
    CLICase("train: --root empty", ["train", "--root", "", "--out", "{tmp}/o"],
            r"argument --root: expected a folder, got an empty path"),
    CLICase("evaluate: --root a file", ["evaluate", "--checkpoint", "x", "--root",
                                        "{tmp}/f"],
            r"argument --root: .*/f is an existing file; expected a folder",
            setup=lambda tmp: open(f"{tmp}/f", "w").close()),
    CLICase("demo: --root under a file", ["demo", "--root", "{tmp}/f/data"],
            r"argument --root: .*/f is a file, so .*/f/data cannot be created",
            setup=lambda tmp: open(f"{tmp}/f", "w").close()),
    CLICase("plot: --root empty", ["plot", "adjacency", "--dataset", "digits", "--root", "",
                                   "--out", "{tmp}/f.png"],
            r"argument --root: expected a folder, got an empty path"),
    CLICase("train: --data-seed 2**32", ["train", "--dataset", "synthetic-vad",
                                         "--data-seed", "4294967296", "--out", "{tmp}/o"],
            r"argument --data-seed: expected an integer >= 0 and < 2\*\*32, got 4294967296"),
    CLICase("demo: --seed 2**32", ["demo", "--seed", "4294967296", "--out", "{tmp}/o"],
            r"argument --seed: expected an integer >= 0 and < 2\*\*32"),
    CLICase("train: --config of an empty path", ["train", "--config=", "--out", "{tmp}/o"],
            r"--config needs a FILE\.yaml, got an empty path"),
    CLICase("train: --config a folder", ["train", "--config", "{tmp}", "--out", "{tmp}/o"],
            r"--config: .* is a folder; expected a file$"),
    CLICase("train: --config not UTF-8", ["train", "--config", "{tmp}/c.yaml"],
            r"--config .*c\.yaml: not UTF-8 text",
            setup=lambda tmp: open(f"{tmp}/c.yaml", "wb").write(b"\xff\xfeepochs: 1")),
    CLICase("sweep: a method list", ["sweep", "--method", "lego,graph-mean", "--root",
                                     "{tmp}/data", "--out", "{tmp}/o"],
            r"--method must be lego or lego-cp .*got 'lego,graph-mean'"),
    CLICase("sweep: a typo of lego", ["sweep", "--method", "legox", "--out", "{tmp}/o"],
            r"--method must be lego or lego-cp .*got 'legox'"),
    CLICase("plot: --threshold nan", [*_PLOT[:1], "anomaly-scores", *_PLOT[1:], "--input",
                                      "s.json", "--threshold", "nan"],
            r"argument --threshold: expected a finite number, got nan"),
    CLICase("plot: --num-powers huge", [*_PLOT[:1], "powers", *_PLOT[1:], "--dataset",
                                        "digits", "--num-powers", "100000"],
            r"--num-powers must be at most 16 for a figure, got 100000"),
    CLICase("plot: a flag the kind does not read", [*_PLOT[:1], "operator", *_PLOT[1:],
                                                    "--input", "A.json", "--k", "5"],
            r"operator does not read --k; it reads --checkpoint, --input"),
    CLICase("plot: --checkpoint to sparse-vs-dense", [*_PLOT[:1], "sparse-vs-dense", *_PLOT[1:],
                                                      "--input", "b.json", "--checkpoint", "c"],
            r"sparse-vs-dense does not read --checkpoint"),
    CLICase("plot: two inputs", [*_PLOT[:1], "operator", *_PLOT[1:], "--input", "A.json",
                                 "--checkpoint", "c.ckpt"],
            r"operator reads one input; got --input and --checkpoint"),
    CLICase("plot: --root with --input", [*_PLOT[:1], "adjacency", *_PLOT[1:], "--input",
                                          "g.pt", "--root", "{tmp}/data"],
            r"--root and --index choose the data of --checkpoint or --dataset"),
    CLICase("plot: --source beside a checkpoint's G", [*_PLOT[:1], "relation-graph", *_PLOT[1:],
                                                       "--checkpoint", "c.ckpt", "--source",
                                                       "a"],
            r"relation-graph --checkpoint draws the fused G .* --source would not be read"),
]


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.id)
def test_one_line_error_at_parsing(case, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)  # an empty --root would write here
    kind, detail = cli_outcome(case, str(tmp_path))
    assert kind == "clear", detail
    assert not (tmp_path / "digits").exists() and not (tmp_path / "runs").exists()
    assert not (tmp_path / "o").exists()  # refused before the output folder is made


def test_plot_pq_sensitivity_still_filters_by_dataset(tmp_path):
    # --dataset selects pq-sensitivity's records: not a second input
    sweep = tmp_path / "sweep.json"
    sweep.write_text(json.dumps([{"P": p, "Q": q, "metric": "auc", "mean": 0.5 + 0.01 * p * q,
                                  "std": 0.0, "dataset": "toy", "method": "lego"}
                                 for p in (1, 2) for q in (1, 2)]))
    png = tmp_path / "pq.png"
    assert main(["plot", "pq-sensitivity", "--input", str(sweep), "--dataset", "toy",
                 "--method", "lego", "--out", str(png)]) == 0
    assert png.stat().st_size > 10_000


def test_checkpoint_that_is_a_folder_is_named(tmp_path, capsys):
    """A folder given as --checkpoint was "no such file"."""
    (tmp_path / "ckpts").mkdir()
    assert main(["evaluate", "--checkpoint", str(tmp_path / "ckpts"),
                 "--out", str(tmp_path / "o")]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "is a folder; expected a file" in err, err


def test_print_config_refuses_two_views_of_one_name(tmp_path, capsys):
    """--print-config printed a config that then failed to run."""
    assert main(["train", "--dataset", "tables", "--views", "a/x.npy", "b/x.npy",
                 "--print-config"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "--views" in err, err
